"""The open-data sources of public finance (infitah/opendata/sources/finance.py): the
budget lines, the budget's execution and procurement.

Budgets come from the public budget's test world (infitah/finance/tests/
budget_public_world.py: A's budgets of 2025 and 2026 with their versions, C's of 2026),
whose figures are checked by hand; processes go through the procurement services
(infitah/finance/tests/procurement_world.py). A collectivity outside the network never
has finance data, and one collectivity's figures never appear in another's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.finance import budget_selectors, datapackage
from infitah.finance.models import Budget, Process
from infitah.finance.tests import procurement_world as w
from infitah.finance.tests.budget_public_world import (
    EXPENDITURE,
    OPERATING,
    amounts,
    build_world,
    item_of,
    version_of,
)
from infitah.finance.workflow import Phase
from infitah.opendata.files import csv_chunks
from infitah.opendata.sources import finance as sources
from infitah.opendata.tests.test_sources_participation import (
    SITE,
    all_cells,
    assert_well_formed,
    table_errors,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.INFITAH_SITE_URL = SITE


@pytest.fixture
def budgets(
    collectivity_a: Collectivity, collectivity_b: Collectivity, prefecture: Collectivity
) -> Any:
    """The budget world, and B (outside the network) with an approved and an executed
    budget of 2026."""
    world = build_world(collectivity_a, prefecture)
    outside = Budget.objects.create(collectivity=collectivity_b, year=2026)
    line = item_of(outside, EXPENDITURE, OPERATING, "88.88.88.8", "بند ب", "Ligne B")
    amounts(version_of(outside, Phase.APPROVED), {line: 66_666_666})
    amounts(version_of(outside, Phase.EXECUTED, 1, dt.date(2026, 6, 30)), {line: 55_555_555})
    return world


def test_every_source_is_well_formed() -> None:
    assert [s.key for s in sources.SOURCES] == ["budget", "budget-execution", "procurement"]
    assert_well_formed(sources.SOURCES)
    # The budget's columns are those of the budget's own open-data file.
    assert [(c.name, c.type) for c in sources.BUDGET.columns] == [
        (f.name, f.type) for f in datapackage.FIELDS
    ]


def test_budget_gives_every_year_s_lines_as_the_budget_s_own_file(
    budgets: Any,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    source = sources.BUDGET
    # The years (one query), then two queries a year.
    with django_assert_num_queries(5):
        rows = list(source.rows(collectivity_a))
    assert [r["fiscal_year"] for r in rows] == sorted(r["fiscal_year"] for r in rows)
    of_2025 = [r for r in rows if r["fiscal_year"] == 2025]
    of_2026 = [r for r in rows if r["fiscal_year"] == 2026]
    assert len(of_2025) == 4  # approved and executed, a revenue and an expenditure line
    assert len(rows) == len(of_2025) + len(of_2026)
    # Each year, cell for cell, the CSV the budget's page offers (without the mark).
    for year, budget in ((2025, budgets.previous), (2026, budgets.budget)):
        mine = "".join(csv_chunks(source.columns, [r for r in rows if r["fiscal_year"] == year]))
        own = datapackage.lines_csv(budget_selectors.budget_line_rows(budget=budget))
        assert mine.removeprefix("\ufeff") == own
    r3 = next(r for r in of_2026 if r["phase"] == "amended" and r["code"] == "20.10.1")
    assert r3 == {
        "direction": "revenue",
        "phase": "amended",
        "section": "operating",
        "chapter": "20",
        "article": "10",
        "paragraph": "1",
        "line": "",
        "code": "20.10.1",
        "label_ar": "حصة الضريبة على القيمة المضافة",
        "label_fr": "Part TVA",
        "function_code": "",
        "gender_marker": None,
        "amount": D("3500000.00"),
        "currency": "MAD",
        "fiscal_year": 2026,
        "version": 2,
        "as_of": None,
    }
    executed = next(r for r in of_2026 if r["phase"] == "executed" and r["code"] == "10.10.10.1")
    assert (executed["amount"], executed["version"], executed["as_of"]) == (
        D("3150000.00"),
        2,
        "2026-09-30",
    )
    assert (executed["function_code"], executed["gender_marker"]) == ("01", 0)
    assert "77777777" not in all_cells(rows)  # C's budget
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, budgets.other.pk])
    assert [r["amount"] for r in source.rows(budgets.other)] == [D("77777777.00")]
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))


def test_execution_gives_budgeted_and_executed_totals_by_direction_and_section(
    budgets: Any,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    source = sources.EXECUTION
    with django_assert_num_queries(4):
        rows = list(source.rows(collectivity_a))
    shown = [
        (
            r["fiscal_year"],
            r["direction"],
            r["section"],
            r["budgeted_phase"],
            r["budgeted_version"],
            r["budgeted"],
            r["executed_version"],
            r["executed"],
            r["execution_rate"],
            r["as_of"],
        )
        for r in rows
    ]
    assert shown == [
        (2025, "revenue", "operating", "approved", 1, D(9_000_000), 1, D(8_500_000), D("94.4"), "2025-12-31"),
        (2025, "revenue", "investment", "approved", 1, D(0), 1, D(0), None, "2025-12-31"),
        (2025, "expenditure", "operating", "approved", 1, D(8_000_000), 1, D(7_000_000), D("87.5"), "2025-12-31"),
        (2025, "expenditure", "investment", "approved", 1, D(0), 1, D(0), None, "2025-12-31"),
        # 2026: the latest amended version against the latest execution (v2 of each).
        (2026, "revenue", "operating", "amended", 2, D(6_500_000), 2, D(4_400_000), D("67.7"), "2026-09-30"),
        (2026, "revenue", "investment", "amended", 2, D(4_000_000), 2, D(0), D("0.0"), "2026-09-30"),
        (2026, "expenditure", "operating", "amended", 2, D(5_700_000), 2, D(3_750_000), D("65.8"), "2026-09-30"),
        (2026, "expenditure", "investment", "amended", 2, D(4_800_000), 2, D(1_480_000), D("30.8"), "2026-09-30"),
    ]  # fmt: skip
    assert {r["url"] for r in rows if r["fiscal_year"] == 2026} == {
        f"{SITE}/ar/c/commune-a/finance/budgets/2026/"
    }
    assert {r["currency"] for r in rows} == {"MAD"}
    assert table_errors(source, rows) == []
    # C has no execution; B is outside the network.
    assert list(source.rows(budgets.other)) == []
    assert list(source.rows(collectivity_b)) == []
    assert list(source.holders()) == [collectivity_a.pk]
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))


# --------------------------------------------------------------------------- procurement


@pytest.fixture
def _clock() -> Iterator[None]:
    yield from w.clock()


@pytest.fixture
def officer(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FINANCE_OFFICER)


def test_procurement_gives_each_process_where_it_stands_and_its_totals(
    _clock: None,
    officer: User,
    charlie: User,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    paid, _contract = w.paid_process(collectivity_a, officer)
    _plan, planned = w.published_process(
        collectivity_a,
        officer,
        object_ar="اقتناء حواسيب",
        object_fr="Achat d'ordinateurs",
        category="goods",
        procedure="purchase_order",
        estimated_amount="90000",
    )
    _plan, outside = w.published_process(collectivity_b, charlie)
    source = sources.PROCUREMENT
    with django_assert_num_queries(5):
        rows = list(source.rows(collectivity_a))
    assert rows[0] == {
        "ocid": paid.ocid,
        "year": 2026,
        "title_ar": "تهيئة الطرق والمسالك القروية",
        "title_fr": "Aménagement des routes et pistes rurales",
        "category": "works",
        "procedure": "open_tender",
        "stage": "implementation",
        "estimated_amount": D("1200000.00"),
        "tender_reference": "AO-01/2026",
        "tender_published_on": "2026-03-02",
        "tender_deadline": "2026-04-01",
        "awarded_on": "2026-04-15",
        "awarded_amount": D("1100000.00"),
        "suppliers": "Société Atlas BTP",
        "contracts": 1,
        "signed_on": "2026-05-04",
        "contracted_amount": D("1150000.00"),  # with the amendment's 50,000
        "paid_amount": D("400000.00"),
        "currency": "MAD",
        "url": f"{SITE}/ar/c/commune-a/finance/procurement/processes/{paid.pk}/",
    }
    assert {k: rows[1][k] for k in ("ocid", "stage", "estimated_amount", "suppliers")} == {
        "ocid": planned.ocid,
        "stage": "planned",
        "estimated_amount": D("90000.00"),
        "suppliers": "",
    }
    assert (rows[1]["awarded_amount"], rows[1]["contracted_amount"], rows[1]["paid_amount"]) == (
        None,
        None,
        None,
    )
    # The supplier's company identifier is not among the columns.
    assert w.AWARD["supplier_ice"] not in all_cells(rows)
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert Process.objects.filter(pk=outside.pk).exists()
    assert list(source.holders()) == [collectivity_a.pk]
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_procurement_links_the_ocds_packages_of_the_api(collectivity_a: Collectivity) -> None:
    links = sources.PROCUREMENT.links(collectivity_a)
    assert [(link.format, link.media_type, link.url) for link in links] == [
        ("OCDS", "application/json", "/api/v1/c/commune-a/ocds/releases"),
        ("OCDS-RECORDS", "application/json", "/api/v1/c/commune-a/ocds/records"),
    ]
    assert all(link.name_ar and link.name_fr for link in links)
    assert sources.PROCUREMENT.links(None) == []
