"""Public budget pages, under /<lang>/c/<slug>/finance/: the collectivity's budgets by
year, the citizen budget of a year, its gender budgeting report and the CSV of its
lines.

Only network members have these pages (404 otherwise, as for a year without budget or
a year that cannot be one). No JavaScript, no inline style: charts are SVG drawn on
the server (`charts.py`), each with its figures written out as text and a table in a
<details> element. Readable at 360 px (lists and two- or three-column tables).

Not page-cached: the finance unit imports new versions during the year (the execution
is updated), and each page runs a fixed handful of queries.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infitah.finance import budget_selectors as selectors
from infitah.finance.datapackage import csv_response
from infitah.finance.models import Budget, ParticipatoryBudget
from infitah.lib.bounds import whole_number
from infitah.territories.models import Collectivity
from infitah.territories.selectors import network_collectivity_or_404

TEMPLATES = "finance/public"
# Lines without a gender marker, per page.
PAGE_SIZE = 25


def year_or_404(raw: object) -> int:
    """`raw` if it can be a budget's year, else Http404."""
    year = whole_number(raw, minimum=selectors.YEAR_MIN, maximum=selectors.YEAR_MAX)
    if year is None:
        raise Http404
    return year


def _budget_or_404(collectivity: Collectivity, year: object) -> Budget:
    budget = selectors.budget_get(collectivity=collectivity, year=year_or_404(year))
    if budget is None:
        raise Http404
    return budget


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's budgets, newest first: the phases published, the budgeted and
    executed totals, the execution rate, and the links of each year."""
    collectivity = network_collectivity_or_404(slug)
    return render(
        request,
        f"{TEMPLATES}/budget_home.html",
        {"collectivity": collectivity, "years": selectors.budget_years(collectivity=collectivity)},
    )


@require_GET
def budget(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The citizen budget of a year."""
    collectivity = network_collectivity_or_404(slug)
    page = selectors.budget_public_get(collectivity=collectivity, year=year_or_404(year))
    if page is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/budget_year.html",
        {
            "collectivity": collectivity,
            "page": page,
            "budget": page.budget,
            "campaigns": ParticipatoryBudget.objects.filter(budget=page.budget).order_by("pk"),
        },
    )


@require_GET
def gender(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The gender budgeting report of a year, its lines without a marker paged."""
    collectivity = network_collectivity_or_404(slug)
    report = selectors.gender_report(collectivity=collectivity, year=year_or_404(year))
    if report is None:
        raise Http404
    unmarked = Paginator(
        selectors.gender_unmarked_lines(budget=report.budget, version=report.version), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/budget_gender.html",
        {
            "collectivity": collectivity,
            "report": report,
            "budget": report.budget,
            "unmarked": unmarked,
        },
    )


@require_GET
def budget_csv(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The year's lines as CSV: one row per line and phase (the phase's latest
    version)."""
    collectivity = network_collectivity_or_404(slug)
    return csv_response(collectivity, _budget_or_404(collectivity, year))
