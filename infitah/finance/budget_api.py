"""Budgets over the API (docs: datapackage.py for the open-data files).

- `GET /c/{slug}/budgets`: a collectivity's budgets, newest first: `{count, items: [{year,
  phases: [{phase, version, as_of, imported_at}], budgeted, executed, execution_rate,
  url, csv, datapackage}]}`; amounts are decimal strings in MAD;
- `GET /c/{slug}/budgets/{year}/datapackage.json`: the Tabular Data Package of the
  year's lines (Open Fiscal Data Package meanings as each field's `columnType`);
- `GET /c/{slug}/budgets/{year}/lines.csv`: the CSV the package describes.

Only what the public pages show: the budgets of the network's collectivities (404 for
another collectivity, as for a year without budget).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from infitah.finance import budget_selectors as selectors
from infitah.finance import datapackage
from infitah.finance.models import Budget, BudgetVersion
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["budgets"])

Year = Annotated[int, Field(ge=selectors.YEAR_MIN, le=selectors.YEAR_MAX)]


class PhaseOut(Schema):
    phase: str
    version: int
    as_of: dt.date | None
    imported_at: dt.datetime


class FiguresOut(Schema):
    phase: str
    version: int
    as_of: dt.date | None
    revenue: Decimal
    expenditure: Decimal


class RateOut(Schema):
    revenue: Decimal | None
    expenditure: Decimal | None


class BudgetOut(Schema):
    year: int
    phases: list[PhaseOut]
    budgeted: FiguresOut | None
    executed: FiguresOut | None
    execution_rate: RateOut | None
    url: str
    csv: str
    datapackage: str


class BudgetListOut(Schema):
    count: int
    items: list[BudgetOut]


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity


def _budget_or_404(collectivity: Collectivity, year: int) -> Budget:
    budget = selectors.budget_get(collectivity=collectivity, year=year)
    if budget is None:
        raise HttpError(404, _("No budget for this year."))
    return budget


def _urls(request: HttpRequest, slug: str, year: int) -> dict[str, str]:
    kwargs = {"slug": slug, "year": year}
    return {
        "url": request.build_absolute_uri(reverse("finance:budget", kwargs=kwargs)),
        "csv": request.build_absolute_uri(reverse("api:budget_lines_csv", kwargs=kwargs)),
        "datapackage": request.build_absolute_uri(reverse("api:budget_datapackage", kwargs=kwargs)),
    }


def _figures(
    version: BudgetVersion | None, totals: selectors.Totals | None
) -> dict[str, Any] | None:
    if version is None or totals is None:
        return None
    return {
        "phase": version.phase,
        "version": version.number,
        "as_of": version.as_of,
        "revenue": totals.revenue,
        "expenditure": totals.expenditure,
    }


def _summary(request: HttpRequest, slug: str, summary: selectors.YearSummary) -> dict[str, Any]:
    has_rate = summary.budgeted is not None and summary.executed is not None
    return {
        "year": summary.year,
        "phases": [
            {
                "phase": v.phase,
                "version": v.number,
                "as_of": v.as_of,
                "imported_at": v.imported_at,
            }
            for v in summary.phases
        ],
        "budgeted": _figures(summary.budgeted, summary.budgeted_totals),
        "executed": _figures(summary.executed, summary.executed_totals),
        "execution_rate": (
            {"revenue": summary.revenue_rate, "expenditure": summary.expenditure_rate}
            if has_rate
            else None
        ),
        **_urls(request, slug, summary.year),
    }


@router.get(
    "/c/{slug}/budgets",
    response={200: BudgetListOut, 404: Any},
    url_name="budget_list",
    summary="A collectivity's budgets",
    description=(
        "Newest first. phases: the latest version of each phase published (proposed, "
        "approved, amended, executed); budgeted: the totals of the latest amended "
        "version, else the approved, else the proposed; executed: of the latest executed "
        "version; execution_rate: executed / budgeted in percent. Amounts in MAD, as "
        "decimal strings."
    ),
)
def budget_list(request: HttpRequest, slug: str) -> Any:
    collectivity = _collectivity_or_404(slug)
    years = selectors.budget_years(collectivity=collectivity)
    return {
        "count": len(years),
        "items": [_summary(request, collectivity.slug, s) for s in years],
    }


@router.get(
    "/c/{slug}/budgets/{year}/datapackage.json",
    response={200: dict[str, Any], 404: Any},
    url_name="budget_datapackage",
    summary="The Tabular Data Package of a year's budget lines",
    description=(
        "Frictionless Data's Tabular Data Package: one resource, `lines` (the CSV of "
        "`/c/{slug}/budgets/{year}/lines.csv`), its Table Schema with types, "
        "enumerations, primary key and each column's Open Fiscal Data Package meaning "
        "(`columnType`)."
    ),
)
def budget_datapackage(request: HttpRequest, slug: str, year: Year) -> Any:
    collectivity = _collectivity_or_404(slug)
    budget = _budget_or_404(collectivity, year)
    urls = _urls(request, collectivity.slug, int(budget.year))
    return datapackage.descriptor(
        collectivity=collectivity, year=int(budget.year), csv_url=urls["csv"], homepage=urls["url"]
    )


@router.get(
    "/c/{slug}/budgets/{year}/lines.csv",
    response={404: Any},
    url_name="budget_lines_csv",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The CSV (UTF-8, a header line, CRLF line ends).",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
    summary="A year's budget lines (CSV)",
    description=(
        "One row per budget line and phase (the phase's latest version), columns as "
        "`datapackage.json` describes them."
    ),
)
def budget_lines_csv(request: HttpRequest, slug: str, year: Year) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    return datapackage.csv_response(collectivity, _budget_or_404(collectivity, year))
