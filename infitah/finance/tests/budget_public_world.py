"""Budgets written with the ORM for the public budget's tests (the import services are
tested in their own modules): builders, and one world whose figures the tests check by
hand.

Commune A (191,000 inhabitants, root conftest), budget of 2026:

| item | direction, section | code | function | marker | approved | amended v2 | executed v2 |
|------|--------------------|------|----------|--------|----------|------------|-------------|
| R1 | revenue, operating | 10.10.1 | | | 1,000,000 | 1,000,000 | 800,000 |
| R2 | revenue, operating | 10.20.1 | | | 2,000,000 | 2,000,000 | 1,500,000 |
| R3 | revenue, operating | 20.10.1 | | | 3,000,000 | 3,500,000 | 2,100,000 |
| R4 | revenue, investment | 30.10.1 | | | 4,000,000 | 4,000,000 | 0 |
| E1 | expenditure, operating | 10.10.10.1 | 01 | 0 | 4,000,000 | 4,200,000 | 3,150,000 |
| E2 | expenditure, operating | 10.20.10.1 | 06 | 1 | 1,000,000 | 1,000,000 | 600,000 |
| E3 | expenditure, investment | 20.10.10.1 | 10 | 2 | 2,000,000 | 2,500,000 | 1,250,000 |
| E4 | expenditure, investment | 20.20.10.1 | — | — | 2,500,000 | 2,300,000 | 230,000 |
| E5 | expenditure, operating | 10.30.10.1 | 06 | — | 500,000 | 500,000 | 0 |

Revenue chapter 10 has its own line (H, "10", no amount): its label names the chapter.
Amended v1 and executed v1 are older versions (other figures, never shown); the
proposed v1 has small figures. 2025: approved (revenue 9,000,000, expenditure
8,000,000) and executed (7,000,000 spent). Another network commune, C, has a budget of
2026 that A's pages never show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from infitah.advisory.models import Body, BodyKind
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    FunctionalClass,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.workflow import Direction, KeyDocument, Phase, Section
from infitah.openplan.models import Commitment, Programme
from infitah.openplan.workflow import Kind as ProgrammeKind
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.publication.models import Category, Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity, Kind

REVENUE, EXPENDITURE = Direction.REVENUE, Direction.EXPENDITURE
OPERATING, INVESTMENT = Section.OPERATING, Section.INVESTMENT


def version_of(
    budget: Budget, phase: str, number: int = 1, as_of: dt.date | None = None
) -> BudgetVersion:
    return BudgetVersion.objects.create(
        budget=budget,
        phase=phase,
        number=number,
        as_of=as_of,
        file=f"finance/{budget.collectivity_id}/{budget.year}-{phase}-{number}.csv",
        name=f"{phase}-{number}.csv",
        content_type="text/csv",
        size=1,
        sha256="0" * 64,
    )


def item_of(
    budget: Budget,
    direction: str,
    section: str,
    code: str,
    label_ar: str = "",
    label_fr: str = "",
    **extra: Any,
) -> BudgetItem:
    parts = [*code.split("."), "", "", ""][:4]
    return BudgetItem.objects.create(
        budget=budget,
        direction=direction,
        section=section,
        chapter=parts[0],
        article=parts[1],
        paragraph=parts[2],
        line=parts[3],
        code=code,
        label_ar=label_ar or f"بند {code}",
        label_fr=label_fr or f"Ligne {code}",
        **extra,
    )


def amounts(version: BudgetVersion, figures: Mapping[BudgetItem, int | str | Decimal]) -> None:
    Amount.objects.bulk_create(
        Amount(version=version, item=item, amount=Decimal(value)) for item, value in figures.items()
    )


def function(code: str) -> FunctionalClass:
    """A COFOG division (seeded by a migration; seeded again after a transactional test
    emptied the database)."""
    found, _created = FunctionalClass.objects.get_or_create(
        code=code, defaults={"name_ar": f"الوظيفة {code}", "name_fr": f"Fonction {code}"}
    )
    return found


def network_commune(prefecture: Collectivity, slug: str, population: int | None) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=slug,
        name_ar="جماعة أخرى",
        name_fr="Autre commune",
        parent=prefecture,
        region=prefecture.region,
        population=population,
        is_network_member=True,
    )


_documents = 0


def document_of(collectivity: Collectivity, title: str, **extra: Any) -> Document:
    global _documents
    _documents += 1
    fields: dict[str, Any] = {
        "collectivity": collectivity,
        "category": Category.objects.get_or_create(
            code="budget.current",
            defaults={"name_ar": "ميزانية السنة الجارية", "name_fr": "Budget de l'année"},
        )[0],
        "title_ar": title,
        "title_fr": title,
        "date": dt.date(2026, 1, 15),
        "language": "ar",
        "file": f"publication/{collectivity.pk}/doc-{_documents}.pdf",
        "original_name": "budget.pdf",
        "file_type": "pdf",
        "size": 10,
        "sha256": f"{_documents:064d}",
        "published_at": timezone.now(),
        "status": DocumentStatus.PUBLISHED,
        **extra,
    }
    return Document.objects.create(**fields)


@dataclass
class World:
    collectivity: Collectivity
    other: Collectivity
    budget: Budget
    previous: Budget
    items: dict[str, BudgetItem]
    amended: BudgetVersion
    executed: BudgetVersion
    enacted_doc: Document
    citizens_new: Document
    commitment: Commitment
    hidden_commitment: Commitment
    indicator: GenderIndicator
    empty_indicator: GenderIndicator
    comment: GenderComment
    line_comment: GenderComment


def build_world(collectivity: Collectivity, prefecture: Collectivity) -> World:
    budget = Budget.objects.create(collectivity=collectivity, year=2026)
    header = item_of(budget, REVENUE, OPERATING, "10", "الرسوم المحلية", "Taxes locales")
    r1 = item_of(budget, REVENUE, OPERATING, "10.10.1", "رسم السكن", "Taxe d'habitation")
    r2 = item_of(budget, REVENUE, OPERATING, "10.20.1", "الرسم المهني", "Taxe professionnelle")
    r3 = item_of(
        budget, REVENUE, OPERATING, "20.10.1", "حصة الضريبة على القيمة المضافة", "Part TVA"
    )
    r4 = item_of(budget, REVENUE, INVESTMENT, "30.10.1", "قرض", "Emprunt FEC")
    e1 = item_of(
        budget,
        EXPENDITURE,
        OPERATING,
        "10.10.10.1",
        "أجور الموظفين",
        "Salaires",
        function=function("01"),
        gender_marker=0,
    )
    e2 = item_of(
        budget,
        EXPENDITURE,
        OPERATING,
        "10.20.10.1",
        "الإنارة العمومية",
        "Éclairage public",
        function=function("06"),
        gender_marker=1,
    )
    e3 = item_of(
        budget,
        EXPENDITURE,
        INVESTMENT,
        "20.10.10.1",
        "مركز لتمكين النساء",
        "Centre d'autonomisation des femmes",
        function=function("10"),
        gender_marker=2,
    )
    e4 = item_of(budget, EXPENDITURE, INVESTMENT, "20.20.10.1", "الطرق", "Voirie")
    e5 = item_of(
        budget,
        EXPENDITURE,
        OPERATING,
        "10.30.10.1",
        "الصيانة",
        "Entretien",
        function=function("06"),
    )
    items = {
        "H": header,
        "R1": r1,
        "R2": r2,
        "R3": r3,
        "R4": r4,
        "E1": e1,
        "E2": e2,
        "E3": e3,
        "E4": e4,
        "E5": e5,
    }
    amounts(version_of(budget, Phase.PROPOSED), {r1: 10, e1: 10})
    amounts(
        version_of(budget, Phase.APPROVED),
        {
            r1: 1_000_000,
            r2: 2_000_000,
            r3: 3_000_000,
            r4: 4_000_000,
            e1: 4_000_000,
            e2: 1_000_000,
            e3: 2_000_000,
            e4: 2_500_000,
            e5: 500_000,
        },
    )
    amounts(version_of(budget, Phase.AMENDED, 1), {r1: 1, e1: 1})
    amended = version_of(budget, Phase.AMENDED, 2)
    amounts(
        amended,
        {
            r1: 1_000_000,
            r2: 2_000_000,
            r3: 3_500_000,
            r4: 4_000_000,
            e1: 4_200_000,
            e2: 1_000_000,
            e3: 2_500_000,
            e4: 2_300_000,
            e5: 500_000,
        },
    )
    amounts(version_of(budget, Phase.EXECUTED, 1, dt.date(2026, 6, 30)), {r1: 5, e1: 5})
    executed = version_of(budget, Phase.EXECUTED, 2, dt.date(2026, 9, 30))
    amounts(
        executed,
        {
            r1: 800_000,
            r2: 1_500_000,
            r3: 2_100_000,
            r4: 0,
            e1: 3_150_000,
            e2: 600_000,
            e3: 1_250_000,
            e4: 230_000,
            e5: 0,
        },
    )

    previous = Budget.objects.create(collectivity=collectivity, year=2025)
    p_revenue = item_of(previous, REVENUE, OPERATING, "10.10.1")
    p_spent = item_of(previous, EXPENDITURE, OPERATING, "10.10.10.1")
    amounts(version_of(previous, Phase.APPROVED), {p_revenue: 9_000_000, p_spent: 8_000_000})
    amounts(
        version_of(previous, Phase.EXECUTED, 1, dt.date(2025, 12, 31)),
        {p_revenue: 8_500_000, p_spent: 7_000_000},
    )

    other = network_commune(prefecture, "commune-c", 50_000)
    elsewhere = Budget.objects.create(collectivity=other, year=2026)
    far = item_of(elsewhere, EXPENDITURE, OPERATING, "99.99.99.9", "بند بعيد", "Ligne lointaine")
    amounts(version_of(elsewhere, Phase.APPROVED), {far: 77_777_777})

    # Key documents: the enacted budget published; the citizens budget superseded by a
    # newer version (the link leads to it); the audit report withdrawn.
    enacted_doc = document_of(collectivity, "الميزانية المصادق عليها 2026")
    citizens_old = document_of(
        collectivity, "الميزانية المواطنة 2026", status=DocumentStatus.SUPERSEDED
    )
    citizens_new = document_of(
        collectivity,
        "الميزانية المواطنة 2026 (محينة)",
        series=citizens_old.series,
        version=2,
        supersedes=citizens_old,
    )
    audit_doc = document_of(collectivity, "تقرير الافتحاص", status=DocumentStatus.WITHDRAWN)
    for kind, document in (
        (KeyDocument.ENACTED, enacted_doc),
        (KeyDocument.CITIZENS, citizens_old),
        (KeyDocument.AUDIT, audit_doc),
    ):
        KeyDocumentLink.objects.create(budget=budget, kind=kind, document=document)

    # Commitments: E3 funds commitment 3 of a public programme; E2 one of an abandoned
    # programme (listed, not linked).
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=ProgrammeKind.REMACTO,
        status=ProgrammeStatus.ADOPTED,
        title_ar="برنامج الانفتاح",
        title_fr="Programme d'ouverture",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    commitment = Commitment.objects.create(
        programme=programme, number=3, title_ar="ميزانية مستجيبة للنوع", title_fr="Budget genre"
    )
    abandoned = Programme.objects.create(
        collectivity=collectivity,
        kind=ProgrammeKind.REMACTO,
        status=ProgrammeStatus.ABANDONED,
        title_ar="برنامج متخلى عنه",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    hidden_commitment = Commitment.objects.create(
        programme=abandoned, number=1, title_ar="التزام قديم"
    )
    BudgetItem.objects.filter(pk=e3.pk).update(commitment=commitment)
    BudgetItem.objects.filter(pk=e2.pk).update(commitment=hidden_commitment)

    indicator = GenderIndicator.objects.create(
        item=e3, name_ar="المستفيدون من المركز", women=120, men=30, measured_on=dt.date(2026, 5, 1)
    )
    empty_indicator = GenderIndicator.objects.create(
        item=e2, name_fr="Usagers de l'éclairage", women=0, men=0
    )
    body = Body.objects.create(
        collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة المساواة", name_fr="Instance"
    )
    comment = GenderComment.objects.create(
        budget=budget, body=body, text="نوصي بتوسيع المؤشرات حسب الجنس."
    )
    line_comment = GenderComment.objects.create(
        budget=budget, item=e4, body=body, text="Les routes desservent aussi les femmes."
    )
    return World(
        collectivity=collectivity,
        other=other,
        budget=budget,
        previous=previous,
        items=items,
        amended=amended,
        executed=executed,
        enacted_doc=enacted_doc,
        citizens_new=citizens_new,
        commitment=commitment,
        hidden_commitment=hidden_commitment,
        indicator=indicator,
        empty_indicator=empty_indicator,
        comment=comment,
        line_comment=line_comment,
    )
