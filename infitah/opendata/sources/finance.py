"""Open-data sources of public finance: the budget lines, the budget's execution, and
procurement (with the OCDS packages of the API as further resources).

Only network members have public finance pages. The budget's rows are those of the
budget's own open-data file (`finance.datapackage`, from
`budget_selectors.budget_line_rows`), every year in one table: the same columns, the same
meanings (Open Fiscal Data Package). Procurement: every process of a network member is
public (its OCDS releases are served as they are recorded); suppliers by the name the
process's page publishes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, QuerySet, Sum
from django.urls import reverse

from infitah.finance import budget_selectors
from infitah.finance.datapackage import CURRENCY, FIELDS
from infitah.finance.models import (
    Amount,
    Award,
    Budget,
    BudgetVersion,
    Contract,
    ContractAmendment,
    Payment,
    Process,
)
from infitah.finance.workflow import Direction, Phase, Section
from infitah.opendata.sources import Column, Link, Row, Source
from infitah.opendata.sources.participation import col, iso_day, page_url
from infitah.territories.models import Collectivity

# --------------------------------------------------------------------------- budget

# The titles of the budget file's columns (datapackage.FIELDS: names and types).
BUDGET_TITLES = {
    "direction": ("الاتجاه (مداخيل أو نفقات)", "Sens (recettes ou dépenses)"),
    "phase": ("مرحلة الميزانية", "Phase du budget"),
    "section": ("الجزء (تسيير أو تجهيز)", "Partie (fonctionnement ou équipement)"),
    "chapter": ("الفصل", "Chapitre"),
    "article": ("المادة", "Article"),
    "paragraph": ("الفقرة", "Paragraphe"),
    "line": ("السطر", "Ligne"),
    "code": ("رمز البند", "Code de la ligne"),
    "label_ar": ("البند بالعربية", "Libellé en arabe"),
    "label_fr": ("البند بالفرنسية", "Libellé en français"),
    "function_code": ("الوظيفة (COFOG)", "Fonction (COFOG)"),
    "gender_marker": ("مؤشر النوع", "Marqueur genre"),
    "amount": ("المبلغ (درهم)", "Montant (MAD)"),
    "currency": ("العملة", "Devise"),
    "fiscal_year": ("السنة المالية", "Exercice"),
    "version": ("النسخة", "Version"),
    "as_of": ("تاريخ الأرقام", "Chiffres au"),
}
BUDGET_COLUMNS = tuple(
    Column(
        name=f.name,
        type=f.type,
        title_ar=BUDGET_TITLES[f.name][0],
        title_fr=BUDGET_TITLES[f.name][1],
    )
    for f in FIELDS
)


def _member_budgets(collectivity: Collectivity | None) -> list[Budget]:
    if collectivity is None or not collectivity.is_network_member:
        return []
    return list(Budget.objects.filter(collectivity=collectivity).order_by("year"))


def budget_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """Each year's file, oldest year first (one query, then two per year)."""
    for budget in _member_budgets(collectivity):
        for r in budget_selectors.budget_line_rows(budget=budget):
            yield {
                "direction": r.direction,
                "phase": r.phase,
                "section": r.section,
                "chapter": r.chapter,
                "article": r.article,
                "paragraph": r.paragraph,
                "line": r.line,
                "code": r.code,
                "label_ar": r.label_ar,
                "label_fr": r.label_fr,
                "function_code": r.function_code,
                "gender_marker": r.gender_marker,
                "amount": r.amount,
                "currency": CURRENCY,
                "fiscal_year": r.fiscal_year,
                "version": r.version,
                "as_of": iso_day(r.as_of),
            }


def budget_holders() -> list[int]:
    counted = Amount.objects.filter(version__budget=OuterRef("pk"))
    return list(
        Budget.objects.filter(Exists(counted), collectivity__is_network_member=True)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def _years(rows: QuerySet[Any]) -> tuple[dt.date | None, dt.date | None]:
    """From the first to the last day of the years `rows` (with a `year`) cover."""
    found = rows.aggregate(first=Min("year"), last=Max("year"))
    if found["first"] is None:
        return None, None
    return dt.date(found["first"], 1, 1), dt.date(found["last"], 12, 31)


def budget_temporal(collectivity: Collectivity | None) -> tuple[dt.date | None, dt.date | None]:
    return _years(Budget.objects.filter(collectivity=collectivity, versions__isnull=False))


BUDGET = Source(
    key="budget",
    title_ar="الميزانية: بنود المداخيل والنفقات — {name}",
    title_fr="Budget : lignes de recettes et de dépenses — {name}",
    description_ar=(
        "بنود ميزانية {name} لكل سنة ولكل مرحلة (المقترحة، المصادق عليها، المعدلة، "
        "المنفذة)، بمبلغ آخر نسخة من كل مرحلة، مع التصنيف الإداري والوظيفي ومؤشر النوع، "
        "وفق معيار البيانات المالية المفتوحة (Open Fiscal Data Package)."
    ),
    description_fr=(
        "Les lignes du budget de {name} pour chaque année et chaque phase (proposé, "
        "approuvé, modifié, exécuté), au montant de la dernière version de chaque phase, "
        "avec la classification administrative et fonctionnelle et le marqueur genre, "
        "selon Open Fiscal Data Package."
    ),
    columns=BUDGET_COLUMNS,
    rows=budget_rows,
    holders=budget_holders,
    tags=("budget", "finances publiques", "open fiscal data package"),
    theme="ECON",
    frequency="ANNUAL",
    temporal=budget_temporal,
)


# --------------------------------------------------------------------------- execution

EXECUTION_COLUMNS = (
    col("fiscal_year", "integer", "السنة المالية", "Exercice"),
    col("direction", "string", "الاتجاه (مداخيل أو نفقات)", "Sens (recettes ou dépenses)"),
    col("section", "string", "الجزء (تسيير أو تجهيز)", "Partie (fonctionnement ou équipement)"),
    col("budgeted_phase", "string", "مرحلة الميزانية المعتمدة", "Phase du budget de référence"),
    col("budgeted_version", "integer", "نسخة الميزانية", "Version du budget"),
    col("budgeted", "number", "المبلغ المبرمج (درهم)", "Montant prévu (MAD)"),
    col("executed_version", "integer", "نسخة التنفيذ", "Version de l'exécution"),
    col("executed", "number", "المبلغ المنفذ (درهم)", "Montant exécuté (MAD)"),
    col("execution_rate", "number", "نسبة التنفيذ (%)", "Taux d'exécution (%)"),
    col("as_of", "date", "تاريخ الأرقام", "Chiffres au"),
    col("currency", "string", "العملة", "Devise"),
    col("url", "string", "رابط الميزانية", "Adresse du budget"),
)


def execution_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """For each year with an execution, oldest first: the budgeted and executed totals
    by direction and section, as the citizen budget shows them, with the rate (four
    queries)."""
    if collectivity is None or not collectivity.is_network_member:
        return
    years = [
        s
        for s in sorted(
            budget_selectors.budget_years(collectivity=collectivity), key=lambda s: s.year
        )
        if s.executed is not None
    ]
    versions = [v.pk for s in years for v in (s.budgeted, s.executed) if v is not None]
    sums: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for version_id, direction, section, total in (
        Amount.objects.filter(version_id__in=versions)
        .order_by()
        .values("version_id", "item__direction", "item__section")
        .annotate(total=Sum("amount"))
        .values_list("version_id", "item__direction", "item__section", "total")
    ):
        sums[(version_id, direction, section)] = total or Decimal(0)
    for summary in years:
        budgeted, executed = summary.budgeted, summary.executed
        assert executed is not None  # kept above
        for direction in Direction.values:
            for section in Section.values:
                planned = (
                    sums.get((budgeted.pk, direction, section), Decimal(0)) if budgeted else None
                )
                spent = sums.get((executed.pk, direction, section), Decimal(0))
                yield {
                    "fiscal_year": summary.year,
                    "direction": direction,
                    "section": section,
                    "budgeted_phase": budgeted.phase if budgeted else None,
                    "budgeted_version": budgeted.number if budgeted else None,
                    "budgeted": planned.quantize(budget_selectors.CENT)
                    if planned is not None
                    else None,
                    "executed_version": executed.number,
                    "executed": spent.quantize(budget_selectors.CENT),
                    "execution_rate": budget_selectors.rate(spent, planned),
                    "as_of": iso_day(executed.as_of),
                    "currency": CURRENCY,
                    "url": page_url("finance:budget", slug=collectivity.slug, year=summary.year),
                }


def execution_holders() -> list[int]:
    return list(
        BudgetVersion.objects.filter(
            phase=Phase.EXECUTED, budget__collectivity__is_network_member=True
        )
        .order_by()
        .values_list("budget__collectivity_id", flat=True)
        .distinct()
    )


def execution_temporal(
    collectivity: Collectivity | None,
) -> tuple[dt.date | None, dt.date | None]:
    return _years(Budget.objects.filter(collectivity=collectivity, versions__phase=Phase.EXECUTED))


EXECUTION = Source(
    key="budget-execution",
    title_ar="تنفيذ الميزانية — {name}",
    title_fr="Exécution du budget — {name}",
    description_ar=(
        "لكل سنة نشرت {name} تنفيذ ميزانيتها: المبالغ المبرمجة والمنفذة من المداخيل "
        "والنفقات حسب جزء الميزانية (التسيير والتجهيز)، ونسبة التنفيذ وتاريخ الأرقام."
    ),
    description_fr=(
        "Pour chaque année dont {name} a publié l'exécution du budget : les montants "
        "prévus et exécutés des recettes et des dépenses par partie du budget "
        "(fonctionnement et équipement), le taux d'exécution et la date des chiffres."
    ),
    columns=EXECUTION_COLUMNS,
    rows=execution_rows,
    holders=execution_holders,
    tags=("budget", "finances publiques", "execution budgetaire"),
    theme="ECON",
    frequency="QUARTERLY",
    temporal=execution_temporal,
)


# --------------------------------------------------------------------------- procurement

PROCUREMENT_COLUMNS = (
    col("ocid", "string", "المعرف المفتوح للصفقة (OCID)", "Identifiant OCDS (ocid)"),
    col("year", "integer", "السنة", "Année"),
    col("title_ar", "string", "الموضوع بالعربية", "Objet en arabe"),
    col("title_fr", "string", "الموضوع بالفرنسية", "Objet en français"),
    col("category", "string", "الصنف", "Catégorie"),
    col("procedure", "string", "المسطرة", "Procédure"),
    col("stage", "string", "المرحلة", "Étape"),
    col("estimated_amount", "number", "المبلغ التقديري (درهم)", "Montant estimé (MAD)"),
    col("tender_reference", "string", "مرجع طلب العروض", "Référence de l'appel d'offres"),
    col("tender_published_on", "date", "تاريخ نشر الإعلان", "Date de publication de l'avis"),
    col("tender_deadline", "date", "آخر أجل لإيداع العروض", "Date limite de dépôt des offres"),
    col("awarded_on", "date", "تاريخ الإسناد", "Date d'attribution"),
    col("awarded_amount", "number", "مبلغ الإسناد (درهم)", "Montant attribué (MAD)"),
    col("suppliers", "string", "النائلون", "Attributaires"),
    col("contracts", "integer", "عدد العقود", "Nombre de contrats"),
    col("signed_on", "date", "تاريخ التوقيع", "Date de signature"),
    col(
        "contracted_amount",
        "number",
        "مبلغ العقود مع التعديلات (درهم)",
        "Montant des contrats avec avenants (MAD)",
    ),
    col("paid_amount", "number", "المبلغ المؤدى (درهم)", "Montant payé (MAD)"),
    col("currency", "string", "العملة", "Devise"),
    col("url", "string", "رابط الصفقة", "Adresse du marché"),
)


def procurement_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """One row per process, oldest year first, in the order they were created: where it
    stands and its totals (five queries)."""
    if collectivity is None or not collectivity.is_network_member:
        return
    contracts = Contract.objects.prefetch_related(
        Prefetch("amendments", queryset=ContractAmendment.objects.order_by("pk")),
        Prefetch("payments", queryset=Payment.objects.order_by("pk")),
    ).order_by("signed_on", "pk")
    processes = (
        Process.objects.filter(collectivity=collectivity)
        .prefetch_related(
            Prefetch("awards", queryset=Award.objects.order_by("awarded_on", "pk")),
            Prefetch("contracts", queryset=contracts),
        )
        .order_by("year", "pk")
    )
    for p in processes:
        awards = list(p.awards.all())
        signed = list(p.contracts.all())
        suppliers = list(dict.fromkeys(a.supplier_name for a in awards))
        yield {
            "ocid": p.ocid,
            "year": p.year,
            "title_ar": p.title_ar,
            "title_fr": p.title_fr,
            "category": p.category,
            "procedure": p.procedure,
            "stage": p.stage,
            "estimated_amount": p.estimated_amount,
            "tender_reference": p.tender_reference,
            "tender_published_on": iso_day(p.tender_published_on),
            "tender_deadline": iso_day(p.tender_deadline),
            "awarded_on": iso_day(awards[0].awarded_on) if awards else None,
            "awarded_amount": sum((a.amount for a in awards), Decimal(0)) if awards else None,
            "suppliers": " ; ".join(suppliers),
            "contracts": len(signed),
            "signed_on": iso_day(signed[0].signed_on) if signed else None,
            "contracted_amount": (
                sum(
                    (
                        c.amount + sum((a.amount_change for a in c.amendments.all()), Decimal(0))
                        for c in signed
                    ),
                    Decimal(0),
                )
                if signed
                else None
            ),
            "paid_amount": (
                sum((pay.amount for c in signed for pay in c.payments.all()), Decimal(0))
                if signed
                else None
            ),
            "currency": CURRENCY,
            "url": page_url("finance:process", slug=collectivity.slug, pk=p.pk),
        }


def procurement_holders() -> list[int]:
    return list(
        Process.objects.filter(collectivity__is_network_member=True)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def procurement_temporal(
    collectivity: Collectivity | None,
) -> tuple[dt.date | None, dt.date | None]:
    return _years(Process.objects.filter(collectivity=collectivity))


def procurement_links(collectivity: Collectivity | None) -> list[Link]:
    """The OCDS release package and record package of the API (their first page; each
    says where the next one is in its `Link` header)."""
    if collectivity is None:
        return []
    slug = {"slug": collectivity.slug}
    return [
        Link(
            format="OCDS",
            media_type="application/json",
            name_ar="حزمة إصدارات المعيار المفتوح للتعاقد (OCDS)",
            name_fr="Paquet de publications OCDS (release package)",
            url=reverse("api:release_package", kwargs=slug),
        ),
        Link(
            format="OCDS-RECORDS",
            media_type="application/json",
            name_ar="حزمة سجلات المعيار المفتوح للتعاقد (OCDS)",
            name_fr="Paquet d'enregistrements OCDS (record package)",
            url=reverse("api:record_package", kwargs=slug),
        ),
    ]


PROCUREMENT = Source(
    key="procurement",
    title_ar="الصفقات العمومية — {name}",
    title_fr="Marchés publics — {name}",
    description_ar=(
        "صفقات {name} من البرمجة إلى الأداء: الموضوع، الصنف، المسطرة، المرحلة، المبلغ "
        "التقديري، الإعلان، الإسناد والنائلون، العقود وتعديلاتها والأداءات. نفس المعطيات "
        "وفق المعيار المفتوح لبيانات التعاقد (OCDS) في الموارد المرفقة."
    ),
    description_fr=(
        "Les marchés de {name}, de la programmation au paiement : objet, catégorie, "
        "procédure, étape, montant estimé, avis, attribution et attributaires, contrats, "
        "avenants et paiements. Les mêmes données au standard OCDS (Open Contracting Data "
        "Standard) dans les ressources jointes."
    ),
    columns=PROCUREMENT_COLUMNS,
    rows=procurement_rows,
    holders=procurement_holders,
    tags=("marches publics", "commande publique", "ocds"),
    theme="ECON",
    frequency="CONT",
    temporal=procurement_temporal,
    links=procurement_links,
)


SOURCES: list[Source] = [BUDGET, EXECUTION, PROCUREMENT]
