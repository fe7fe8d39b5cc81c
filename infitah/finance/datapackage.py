"""A year's budget as open data: the CSV of its lines and the Tabular Data Package that
describes it (Frictionless Data), with the meanings of Open Fiscal Data Package.

The CSV (`lines_csv`): one row per budget line and phase, the line's amount in the
latest version of that phase (`budget_selectors.budget_line_rows`), in a stable order
(phase, direction, section, code). Columns (`FIELDS`, stable names, never translated):

    direction, phase, section, chapter, article, paragraph, line, code, label_ar,
    label_fr, function_code, gender_marker, amount, currency, fiscal_year, version,
    as_of

Amounts are plain decimals with a dot ("-1500.00" for a reduction); dates are ISO
8601; an empty cell is "no value". Text cells that a spreadsheet would run as a formula
get a leading apostrophe (`infitah/lib/csvsafe.py`); amounts are numbers written by us,
never quoted.

The descriptor (`descriptor`): profile `tabular-data-package`, one resource `lines` whose
path is the CSV's absolute URL, with a Table Schema: each field's type, its constraints
(enumerations of direction, phase, section and gender marker), the primary key (phase,
direction, section, code) and, as Open Fiscal Data Package does, each field's meaning as
a `columnType` (`value`, `direction`, `phase:id`, `date:fiscal-year`,
`functional-classification:cofog:code`…) and a `description`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from infitah.finance.budget_selectors import LineRow, budget_line_rows
from infitah.finance.models import Budget
from infitah.finance.workflow import Direction, GenderMarker, Phase, Section
from infitah.lib.csvsafe import csv_cell
from infitah.territories.models import Collectivity

CURRENCY = "MAD"
# Public-sector information may be reused provided it is not distorted and its source
# is cited (law 31.13 art. 6): an attribution licence says the same.
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
PRIMARY_KEY = ["phase", "direction", "section", "code"]
# A download is never sniffed nor run by the browser.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type
    column_type: str  # Open Fiscal Data Package ColumnType
    description: str
    required: bool = False
    enum: tuple[Any, ...] = ()
    format: str = ""

    def schema(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "columnType": self.column_type,
        }
        if self.format:
            found["format"] = self.format
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            found["constraints"] = constraints
        return found


FIELDS: tuple[Field, ...] = (
    Field(
        "direction",
        "string",
        "direction",
        "Revenue or expenditure (Open Fiscal Data Package direction).",
        required=True,
        enum=tuple(Direction.values),
    ),
    Field(
        "phase",
        "string",
        "phase:id",
        "Budget phase: proposed, approved, amended (supplementary budget) or executed; "
        "the amounts are those of the phase's latest version.",
        required=True,
        enum=tuple(Phase.values),
    ),
    Field(
        "section",
        "string",
        "economic-classification:generic:level1:code",
        "Part of the budget: operating (current) or investment (capital).",
        required=True,
        enum=tuple(Section.values),
    ),
    Field(
        "chapter",
        "string",
        "administrative-classification:generic:level1:code",
        "Chapter of the collectivity's budget nomenclature.",
        required=True,
    ),
    Field(
        "article",
        "string",
        "administrative-classification:generic:level2:code",
        "Article within the chapter.",
    ),
    Field(
        "paragraph",
        "string",
        "administrative-classification:generic:level3:code",
        "Paragraph within the article.",
    ),
    Field(
        "line",
        "string",
        "administrative-classification:generic:level4:code",
        "Line within the paragraph.",
    ),
    Field(
        "code",
        "string",
        "budget-line-id",
        "The line's full code, chapter.article.paragraph.line as written in the budget "
        "(unique within a direction and section).",
        required=True,
    ),
    Field(
        "label_ar",
        "string",
        "administrative-classification:generic:label:ar",
        "The line's label in Arabic.",
    ),
    Field(
        "label_fr",
        "string",
        "administrative-classification:generic:label:fr",
        "The line's label in French.",
    ),
    Field(
        "function_code",
        "string",
        "functional-classification:cofog:code",
        "Function of government (COFOG division), empty when not classified.",
    ),
    Field(
        "gender_marker",
        "integer",
        "gender-marker:code",
        "Gender marker of an expenditure: 0 not targeted, 1 significant objective, 2 "
        "principal objective; empty when not marked.",
        enum=tuple(GenderMarker.values),
    ),
    Field(
        "amount",
        "number",
        "value",
        "Amount in Moroccan dirhams (negative for a reduction).",
        required=True,
    ),
    Field(
        "currency",
        "string",
        "value-currency:code",
        "ISO 4217 currency code of the amount.",
        required=True,
        enum=(CURRENCY,),
    ),
    Field(
        "fiscal_year",
        "integer",
        "date:fiscal-year",
        "The fiscal year (the calendar year in Morocco).",
        required=True,
    ),
    Field(
        "version",
        "integer",
        "phase:version",
        "Number of the phase's version the amount comes from (each import of a phase is a "
        "new version).",
        required=True,
    ),
    Field(
        "as_of",
        "date",
        "date:generic",
        "For an execution, the day the figures stand at; empty otherwise.",
        format="default",
    ),
)
COLUMNS = tuple(f.name for f in FIELDS)


def _row(row: LineRow) -> list[str | int | float]:
    return [
        row.direction,
        row.phase,
        row.section,
        csv_cell(row.chapter),
        csv_cell(row.article),
        csv_cell(row.paragraph),
        csv_cell(row.line),
        csv_cell(row.code),
        csv_cell(row.label_ar),
        csv_cell(row.label_fr),
        csv_cell(row.function_code),
        "" if row.gender_marker is None else int(row.gender_marker),
        # Written by us from a Decimal: a number, never a formula (not csv_cell, which
        # would quote the minus sign of a reduction).
        f"{row.amount:f}",
        CURRENCY,
        row.fiscal_year,
        row.version,
        row.as_of.isoformat() if row.as_of else "",
    ]


def lines_csv(rows: Iterable[LineRow]) -> str:
    """The CSV of `rows` (header line first, CRLF line ends, UTF-8 once encoded)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_row(row))
    return buffer.getvalue()


def package_name(collectivity: Collectivity, year: int) -> str:
    """A Data Package name: lower-case letters, digits, "-", "_" and "."."""
    slug = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in collectivity.slug
    )
    return f"budget-{slug.lower()}-{year}"


def descriptor(
    *, collectivity: Collectivity, year: int, csv_url: str, homepage: str
) -> dict[str, Any]:
    """The Tabular Data Package of the collectivity's budget of `year`, its one
    resource at `csv_url` (absolute)."""
    names = " / ".join(n for n in (collectivity.name_fr, collectivity.name_ar) if n)
    return {
        "profile": "tabular-data-package",
        "name": package_name(collectivity, year),
        "title": f"Budget {year} — {names}",
        "description": (
            f"The budget lines of {names} for {year}, one row per line and budget phase "
            "(the phase's latest version), with the meanings of Open Fiscal Data Package "
            "(columnType)."
        ),
        "homepage": homepage,
        "licenses": [LICENSE],
        "keywords": ["budget", "fiscal", "open fiscal data package", "Morocco"],
        "resources": [
            {
                "name": "lines",
                "title": f"Budget lines {year}",
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
                "schema": {
                    "fields": [f.schema() for f in FIELDS],
                    "primaryKey": PRIMARY_KEY,
                    "missingValues": [""],
                },
            }
        ],
    }


def csv_response(collectivity: Collectivity, budget: Budget) -> HttpResponse:
    """The budget's lines as a CSV attachment (the pages' and the API's download)."""
    content = lines_csv(budget_line_rows(budget=budget))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"{package_name(collectivity, int(budget.year))}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    for header, value in FILE_HEADERS.items():
        response[header] = value
    return response
