"""The public budget pages cost the same number of SQL queries with 10 lines and one year
of budgets as with 500 lines and five years: the budgets' list, the citizen budget, the
gender report, the CSV and the API (list, data package).

Rows are written with `bulk_create`. Each page is drawn once first (warm-up), then
counted in the small world and in the big one (two communes, so that both exist at
once).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.advisory.models import Body, BodyKind
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    FunctionalClass,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.tests.budget_public_world import (
    EXPENDITURE,
    INVESTMENT,
    OPERATING,
    REVENUE,
    document_of,
    network_commune,
    version_of,
)
from infitah.finance.workflow import KeyDocument, Phase
from infitah.openplan.models import Commitment, Programme
from infitah.openplan.workflow import Kind, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

YEAR = 2026
# Whatever the data, no page may cost more than this many queries.
CEILING = 14


def populate(collectivity: Collectivity, lines: int, years: int) -> None:
    """`years` budgets up to YEAR, each with `lines` lines in four phases (the amended in
    two versions), functions, markers, commitments, indicators, comments and key
    documents."""
    functions = list(FunctionalClass.objects.all())
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=Kind.REMACTO,
        status=Status.ADOPTED,
        title_ar="برنامج",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(programme=programme, number=k, title_ar=f"التزام {k}") for k in range(1, 6)
    )
    body = Body.objects.create(collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة")
    for year in range(YEAR - years + 1, YEAR + 1):
        budget = Budget.objects.create(collectivity=collectivity, year=year)
        items = BudgetItem.objects.bulk_create(
            BudgetItem(
                budget=budget,
                direction=REVENUE if k % 3 == 0 else EXPENDITURE,
                section=OPERATING if k % 2 else INVESTMENT,
                chapter=str(10 + k % 12),
                article=str(k),
                paragraph="10",
                line="1",
                code=f"{10 + k % 12}.{k}.10.1",
                label_ar=f"بند {k}",
                label_fr=f"Ligne {k}",
                function=functions[k % len(functions)] if k % 4 else None,
                gender_marker=(k % 3) if k % 5 else None,
                commitment=commitments[k % len(commitments)] if k % 7 == 0 else None,
            )
            for k in range(lines)
        )
        for phase, number in (
            (Phase.PROPOSED, 1),
            (Phase.APPROVED, 1),
            (Phase.AMENDED, 1),
            (Phase.AMENDED, 2),
            (Phase.EXECUTED, 1),
        ):
            version = version_of(budget, phase, number, dt.date(year, 9, 30))
            Amount.objects.bulk_create(
                Amount(version=version, item=item, amount=Decimal(1000 + k))
                for k, item in enumerate(items)
            )
        spent = [i for i in items if i.direction == EXPENDITURE]
        GenderIndicator.objects.bulk_create(
            GenderIndicator(item=i, name_ar=f"مؤشر {i.pk}", women=3, men=2) for i in spent[:5]
        )
        GenderComment.objects.bulk_create(
            GenderComment(budget=budget, body=body, item=i, text="ملاحظة") for i in spent[:3]
        )
        for kind in list(KeyDocument)[: min(lines, 8) // 2]:
            KeyDocumentLink.objects.create(
                budget=budget, kind=kind, document=document_of(collectivity, f"وثيقة {year}")
            )


def count(path: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


PAGES = [
    "/{lang}/c/{slug}/finance/",
    "/{lang}/c/{slug}/finance/budgets/2026/",
    "/{lang}/c/{slug}/finance/budgets/2026/gender/",
    "/{lang}/c/{slug}/finance/budgets/2026/gender/?page=2",
    "/{lang}/c/{slug}/finance/budgets/2026/lines.csv",
    "/api/v1/c/{slug}/budgets",
    "/api/v1/c/{slug}/budgets/2026/datapackage.json",
    "/api/v1/c/{slug}/budgets/2026/lines.csv",
]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_queries_do_not_grow_with_lines_or_years(
    collectivity_a: Collectivity, prefecture: Collectivity, lang: str
) -> None:
    big = network_commune(prefecture, "commune-big", 250_000)
    populate(collectivity_a, lines=10, years=1)
    populate(big, lines=500, years=5)
    counted = {}
    for page in PAGES:
        small_path = page.format(lang=lang, slug=collectivity_a.slug)
        count(small_path)  # warm-up
        counted[page] = (count(small_path), count(page.format(lang=lang, slug=big.slug)))
    assert all(few == many for few, many in counted.values()), counted
    assert all(many <= CEILING for _few, many in counted.values()), counted
