"""The reads of the public budget (`budget_selectors.py`), figures computed by hand (the
world's table is in budget_public_world.py): which version is shown, the breakdowns,
the shares, per inhabitant, the execution rates, the years, the key documents, the
commitments, the gender shares; and the edge cases (no version, only an execution,
zero budget, ties, top N + "other", tenancy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.utils import translation
from django.utils.translation import gettext

from infitah.finance import budget_selectors as selectors
from infitah.finance.models import Budget, BudgetItem
from infitah.finance.tests.budget_public_world import (
    EXPENDITURE,
    INVESTMENT,
    OPERATING,
    REVENUE,
    World,
    amounts,
    build_world,
    item_of,
    version_of,
)
from infitah.finance.workflow import Phase, Section
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world(collectivity_a: Collectivity, prefecture: Collectivity) -> World:
    return build_world(collectivity_a, prefecture)


def page_of(world: World, year: int = 2026, lang: str = "en") -> selectors.BudgetPage:
    """The page's record in `lang` (English: the messages' source language; the
    world's names are then the Arabic ones)."""
    with translation.override(lang):
        found = selectors.budget_public_get(collectivity=world.collectivity, year=year)
    assert found is not None
    return found


def slices(breakdown: selectors.Breakdown | None) -> list[tuple[str, Decimal, Decimal | None]]:
    assert breakdown is not None
    return [(s.label, s.amount, s.share) for s in breakdown.slices]


# --------------------------------------------------------------------------- versions


def test_the_shown_figures_are_the_latest_amended_version(world: World) -> None:
    page = page_of(world)
    assert page.shown == world.amended
    assert page.summary.budgeted == world.amended
    assert page.summary.executed == world.executed
    assert [v.phase for v in page.summary.phases] == list(Phase.values)
    assert page.shown_totals == selectors.Totals(D("10500000"), D("10500000"))
    assert page.summary.executed_totals == selectors.Totals(D("4400000"), D("5230000"))


def test_budgeted_falls_back_to_approved_then_proposed(collectivity_a: Collectivity) -> None:
    budget = Budget.objects.create(collectivity=collectivity_a, year=2026)
    proposed = version_of(budget, Phase.PROPOSED)
    latest = selectors.latest_versions([proposed])
    assert selectors.budgeted_of(latest) == proposed
    approved = version_of(budget, Phase.APPROVED)
    executed = version_of(budget, Phase.EXECUTED, 3)
    older = version_of(budget, Phase.EXECUTED, 1)
    latest = selectors.latest_versions([proposed, executed, approved, older])
    assert selectors.budgeted_of(latest) == approved
    assert latest[Phase.EXECUTED] == executed
    assert selectors.budgeted_of({}) is None


def test_rates_and_per_head() -> None:
    assert selectors.rate(D("5230000"), D("10500000")) == D("49.8")
    assert selectors.rate(D(1), D(3)) == D("33.3")
    assert selectors.rate(D(2), D(3)) == D("66.7")  # half up
    assert selectors.rate(D(12), D(10)) == D("120.0")  # over-execution is shown as such
    assert selectors.rate(D(1), D(0)) is None and selectors.rate(None, D(1)) is None
    assert selectors.per_head(D("10500000"), 191_000) == D("54.97")
    assert selectors.per_head(D("5230000"), 191_000) == D("27.38")
    assert selectors.per_head(D(1), None) is None and selectors.per_head(D(1), 0) is None


# --------------------------------------------------------------------------- the year


def test_where_the_money_comes_from(world: World) -> None:
    page = page_of(world)
    # Operating: R1 + R2 + R3 = 1 + 2 + 3.5 M; investment: R4 = 4 M.
    assert slices(page.revenue_by_section) == [
        ("Operating", D("6500000.00"), D("61.9")),
        ("Investment", D("4000000.00"), D("38.1")),
    ]
    # Chapters, largest first: 30 (4 M), 20 (3.5 M, no line of its own), 10 (3 M, named
    # by its own line, "الرسوم المحلية").
    assert slices(page.revenue_by_chapter) == [
        ("Chapter 30", D("4000000.00"), D("38.1")),
        ("Chapter 20", D("3500000.00"), D("33.3")),
        ("الرسوم المحلية", D("3000000.00"), D("28.6")),
    ]
    assert page.revenue_by_chapter is not None
    assert page.revenue_by_chapter.total == D("10500000")


def test_where_the_money_goes(world: World) -> None:
    page = page_of(world, lang="ar")
    with translation.override("ar"):
        operating, investment = (str(Section(s).label) for s in Section.values)
        unclassified = gettext("Not classified")
    assert slices(page.expenditure_by_section) == [
        (operating, D("5700000.00"), D("54.3")),
        (investment, D("4800000.00"), D("45.7")),
    ]
    # COFOG names in the page's language, largest first; "not classified" last.
    found = page.expenditure_by_function
    assert found is not None
    assert [(s.code, s.amount, s.share) for s in found.slices] == [
        ("01", D("4200000.00"), D("40.0")),
        ("10", D("2500000.00"), D("23.8")),
        ("06", D("1500000.00"), D("14.3")),
        ("", D("2300000.00"), D("21.9")),
    ]
    assert found.slices[0].label == "الخدمات العامة للإدارات العمومية"
    assert found.slices[-1].label == unclassified
    assert 'direction="rtl"' in found.chart


def test_per_inhabitant_and_execution(world: World) -> None:
    page = page_of(world)
    assert page.population == 191_000
    assert page.revenue_per_inhabitant == D("54.97")
    assert page.expenditure_per_inhabitant == D("54.97")
    assert page.executed_per_inhabitant == D("27.38")
    assert [(r.label, r.budgeted, r.executed, r.rate) for r in page.execution] == [
        ("Revenue", D("10500000.00"), D("4400000.00"), D("41.9")),
        ("Expenditure", D("10500000.00"), D("5230000.00"), D("49.8")),
        ("Expenditure: Operating", D("5700000.00"), D("3750000.00"), D("65.8")),
        ("Expenditure: Investment", D("4800000.00"), D("1480000.00"), D("30.8")),
    ]
    assert page.summary.revenue_rate == D("41.9")
    assert page.summary.expenditure_rate == D("49.8")


def test_unknown_population(world: World) -> None:
    world.collectivity.population = None
    page = page_of(world)
    assert page.population is None
    assert page.expenditure_per_inhabitant is None and page.executed_per_inhabitant is None


def test_the_years_compared(world: World) -> None:
    page = page_of(world)
    assert [s.year for s in page.history] == [2025, 2026]
    previous = page.history[0]
    assert previous.budgeted_totals == selectors.Totals(D("9000000"), D("8000000"))
    assert previous.executed_totals == selectors.Totals(D("8500000"), D("7000000"))
    assert previous.expenditure_rate == D("87.5")
    assert previous.revenue_rate == D("94.4")
    assert page.history_chart is not None and 'class="bar-chart"' in page.history_chart
    # The list, newest first, has only A's budgets.
    years = selectors.budget_years(collectivity=world.collectivity)
    assert [s.year for s in years] == [2026, 2025]
    assert [s.year for s in selectors.budget_years(collectivity=world.other)] == [2026]


def test_key_documents_and_commitments(world: World) -> None:
    page = page_of(world)
    by_kind = {row.kind: row for row in page.documents}
    assert len(page.documents) == 8
    assert by_kind["enacted"].document == world.enacted_doc
    assert by_kind["citizens"].document == world.citizens_new
    assert by_kind["audit"].document is None and by_kind["audit"].is_withdrawn
    assert by_kind["proposal"].document is None and not by_kind["proposal"].is_withdrawn
    found = {f.commitment.pk: f for f in page.commitments}
    assert found[world.commitment.pk].amount == D("2500000.00")  # E3, amended v2
    assert found[world.commitment.pk].lines == 1 and found[world.commitment.pk].is_public
    assert found[world.hidden_commitment.pk].amount == D("1000000.00")  # E2
    assert not found[world.hidden_commitment.pk].is_public


def test_a_commitment_of_another_collectivity_is_not_linked(world: World) -> None:
    programme = world.commitment.programme
    programme.collectivity = world.other
    programme.save()
    found = {f.commitment.pk: f for f in page_of(world).commitments}
    assert not found[world.commitment.pk].is_public


def test_no_budget_that_year(world: World) -> None:
    assert selectors.budget_public_get(collectivity=world.collectivity, year=2030) is None
    assert selectors.gender_report(collectivity=world.collectivity, year=2030) is None
    # Commune C's year is C's: A has none in 2024.
    assert selectors.budget_public_get(collectivity=world.other, year=2025) is None


def test_a_budget_without_versions(collectivity_a: Collectivity) -> None:
    Budget.objects.create(collectivity=collectivity_a, year=2026)
    page = selectors.budget_public_get(collectivity=collectivity_a, year=2026)
    assert page is not None
    assert page.shown is None and page.revenue_by_section is None and page.execution == []
    assert page.shown_totals is None and page.expenditure_per_inhabitant is None
    assert len(page.documents) == 8 and page.commitments == []


def test_a_zero_budget_has_no_shares_and_empty_bars(collectivity_a: Collectivity) -> None:
    budget = Budget.objects.create(collectivity=collectivity_a, year=2026)
    line = item_of(budget, EXPENDITURE, OPERATING, "1.1")
    amounts(version_of(budget, Phase.APPROVED), {line: 0})
    amounts(version_of(budget, Phase.EXECUTED), {line: 0})
    page = selectors.budget_public_get(collectivity=collectivity_a, year=2026)
    assert page is not None
    assert slices(page.expenditure_by_section) == [("Operating", D("0.00"), None)]
    assert slices(page.revenue_by_section) == []
    assert page.summary.expenditure_rate is None


def test_top_chapters_then_other(collectivity_a: Collectivity) -> None:
    """Eleven revenue chapters: the six largest, then the others summed; a negative
    adjustment is a chapter of its own section."""
    budget = Budget.objects.create(collectivity=collectivity_a, year=2026)
    figures = {
        item_of(budget, REVENUE, OPERATING, f"{chapter}.1"): chapter * 1000
        for chapter in range(1, 11)
    }
    figures[item_of(budget, REVENUE, INVESTMENT, "10.9")] = -500
    amounts(version_of(budget, Phase.AMENDED), figures)
    page = selectors.budget_public_get(collectivity=collectivity_a, year=2026)
    assert page is not None
    found = slices(page.revenue_by_chapter)
    assert [label for label, _a, _s in found] == [
        "Chapter 10 (Operating)",
        "Chapter 9",
        "Chapter 8",
        "Chapter 7",
        "Chapter 6",
        "Chapter 5",
        "Other",
    ]
    # The same chapter in both sections is two groups, named with their section: 10
    # investment (-500) falls in "other" with 4, 3, 2 and 1.
    assert found[-1][1] == D(4000 + 3000 + 2000 + 1000 - 500)
    assert sum(a for _l, a, _s in found) == D(55000 - 500)
    groups = [(f"Chapter {c}", D(c * 1000), f"operating:{c}") for c in (1, 2)]
    assert selectors.top_with_other(groups, 1) == sorted(groups, key=lambda g: -g[1])


def test_only_an_execution(collectivity_a: Collectivity) -> None:
    budget = Budget.objects.create(collectivity=collectivity_a, year=2026)
    line = item_of(budget, EXPENDITURE, OPERATING, "1.1")
    executed = version_of(budget, Phase.EXECUTED, 1, dt.date(2026, 3, 31))
    amounts(executed, {line: 1_910_000})
    page = selectors.budget_public_get(collectivity=collectivity_a, year=2026)
    assert page is not None
    assert page.shown == executed and page.summary.budgeted is None
    assert page.execution == [] and page.summary.expenditure_rate is None
    assert page.expenditure_per_inhabitant == D("10.00")


# --------------------------------------------------------------------------- gender


def test_gender_shares_and_their_evolution(world: World) -> None:
    report = selectors.gender_report(collectivity=world.collectivity, year=2026)
    assert report is not None
    assert report.version == world.amended
    assert report.current is not None and report.current.total == D("10500000")
    assert [(s.marker, s.amount, s.share) for s in report.current.shares] == [
        (2, D("2500000.00"), D("23.8")),
        (1, D("1000000.00"), D("9.5")),
        (0, D("4200000.00"), D("40.0")),
        (None, D("2800000.00"), D("26.7")),
    ]
    assert [y.year for y in report.evolution] == [2025, 2026]
    assert [(s.marker, s.share) for s in report.evolution[0].shares] == [
        (2, D("0.0")),
        (1, D("0.0")),
        (0, D("0.0")),
        (None, D("100.0")),
    ]
    assert report.chart is not None and report.evolution_chart is not None
    assert [(r.indicator.pk, r.total, r.women_share) for r in report.indicators] == [
        (world.empty_indicator.pk, 0, None),  # E2 (operating) before E3 (investment)
        (world.indicator.pk, 150, D("80.0")),
    ]
    assert [c.pk for c in report.comments] == [world.comment.pk, world.line_comment.pk]


def test_unmarked_lines_in_the_budget_order_with_their_credits(world: World) -> None:
    lines = selectors.gender_unmarked_lines(budget=world.budget, version=world.amended)
    assert [(i.code, getattr(i, "credits")) for i in lines] == [  # noqa: B009 - annotated
        ("10.30.10.1", D("500000.00")),
        ("20.20.10.1", D("2300000.00")),
    ]
    # Without a budgeted version: the lines, no credits.
    lines = selectors.gender_unmarked_lines(budget=world.budget, version=None)
    assert [getattr(i, "credits") for i in lines] == [None, None]  # noqa: B009
    # Revenue lines have no marker and are never listed.
    assert not any(i.direction == REVENUE for i in BudgetItem.objects.filter(pk__in=lines))
