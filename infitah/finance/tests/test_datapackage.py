"""The open-data files of a year's budget (`datapackage.py`): the CSV of its lines (one row
per line and phase, the phase's latest version, stable order, formula-safe) and the
Tabular Data Package describing it, validated with `frictionless` (descriptor and data:
0 errors; a broken CSV fails)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from frictionless import validate

from django.test import Client

from infitah.finance import datapackage
from infitah.finance.budget_selectors import budget_line_rows
from infitah.finance.models import Budget
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
from infitah.finance.workflow import Phase
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(collectivity_a: Collectivity, prefecture: Collectivity) -> World:
    return build_world(collectivity_a, prefecture)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_of(budget: Budget) -> str:
    return datapackage.lines_csv(budget_line_rows(budget=budget))


def package_in(folder: Path, text: str, collectivity: Collectivity, year: int) -> Path:
    """The CSV and its descriptor written side by side (the resource's path made
    relative: the API gives the CSV's absolute URL)."""
    (folder / "lines.csv").write_text(text, encoding="utf-8", newline="")
    found = datapackage.descriptor(
        collectivity=collectivity,
        year=year,
        csv_url="https://example.test/api/v1/c/x/budgets/2026/lines.csv",
        homepage="https://example.test/ar/c/x/finance/budgets/2026/",
    )
    found["resources"][0]["path"] = "lines.csv"
    path = folder / "datapackage.json"
    path.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return path


def errors(report: Any) -> list[str]:
    return [str(e) for e in report.flatten(["type", "note"])]


# --------------------------------------------------------------------------- the CSV


def test_one_row_per_line_and_phase_from_each_phase_latest_version(world: World) -> None:
    rows = rows_of(csv_of(world.budget))
    assert list(rows[0]) == list(datapackage.COLUMNS)
    # proposed (2 lines), approved (9), amended v2 (9), executed v2 (9); the header line
    # "10" has no amount; older versions are not exported.
    by_phase = [r["phase"] for r in rows]
    assert by_phase == ["proposed"] * 2 + ["approved"] * 9 + ["amended"] * 9 + ["executed"] * 9
    amended = [r for r in rows if r["phase"] == "amended"]
    assert {r["version"] for r in amended} == {"2"}
    e4 = next(r for r in amended if r["code"] == "20.20.10.1")
    assert e4 == {
        "direction": "expenditure",
        "phase": "amended",
        "section": "investment",
        "chapter": "20",
        "article": "20",
        "paragraph": "10",
        "line": "1",
        "code": "20.20.10.1",
        "label_ar": "الطرق",
        "label_fr": "Voirie",
        "function_code": "",
        "gender_marker": "",
        "amount": "2300000.00",
        "currency": "MAD",
        "fiscal_year": "2026",
        "version": "2",
        "as_of": "",
    }
    e3 = next(r for r in rows if r["phase"] == "executed" and r["code"] == "20.10.10.1")
    assert (e3["function_code"], e3["gender_marker"], e3["amount"], e3["as_of"]) == (
        "10",
        "2",
        "1250000.00",
        "2026-09-30",
    )
    # The sum of a phase's rows is the page's total.
    spent = sum(Decimal(r["amount"]) for r in amended if r["direction"] == "expenditure")
    assert spent == Decimal("10500000")


def test_the_order_is_stable_phase_direction_section_code(world: World) -> None:
    rows = rows_of(csv_of(world.budget))
    approved = [(r["direction"], r["section"], r["code"]) for r in rows if r["phase"] == "approved"]
    assert approved == [
        ("revenue", "operating", "10.10.1"),
        ("revenue", "operating", "10.20.1"),
        ("revenue", "operating", "20.10.1"),
        ("revenue", "investment", "30.10.1"),
        ("expenditure", "operating", "10.10.10.1"),
        ("expenditure", "operating", "10.20.10.1"),
        ("expenditure", "operating", "10.30.10.1"),
        ("expenditure", "investment", "20.10.10.1"),
        ("expenditure", "investment", "20.20.10.1"),
    ]
    assert csv_of(world.budget) == csv_of(world.budget)


def test_formulas_are_defused_and_negative_amounts_stay_numbers(collectivity_a) -> None:
    budget = Budget.objects.create(collectivity=collectivity_a, year=2027)
    nasty = item_of(
        budget,
        EXPENDITURE,
        OPERATING,
        "10.10.1",
        label_ar='=HYPERLINK("http://evil.test")',
        label_fr="@SUM(A1:A9)",
    )
    minus = item_of(budget, REVENUE, INVESTMENT, "30.1", label_ar="-تخفيض", label_fr="+Hausse")
    amounts(version_of(budget, Phase.AMENDED), {nasty: "-1500.50", minus: "0.10"})
    text = csv_of(budget)
    rows = rows_of(text)
    expenditure = next(r for r in rows if r["direction"] == "expenditure")
    assert expenditure["label_ar"] == '\'=HYPERLINK("http://evil.test")'
    assert expenditure["label_fr"] == "'@SUM(A1:A9)"
    assert expenditure["amount"] == "-1500.50"  # a number, not quoted
    revenue = next(r for r in rows if r["direction"] == "revenue")
    assert (revenue["label_ar"], revenue["label_fr"]) == ("'-تخفيض", "'+Hausse")
    assert "\r\n" in text


def test_a_budget_without_version_gives_the_header_alone(budget: Budget) -> None:
    assert csv_of(budget) == ",".join(datapackage.COLUMNS) + "\r\n"


# --------------------------------------------------------------------------- the package


def test_the_descriptor_follows_tabular_data_package_and_fiscal_meanings(
    collectivity_a: Collectivity,
) -> None:
    found = datapackage.descriptor(
        collectivity=collectivity_a,
        year=2026,
        csv_url="https://example.test/lines.csv",
        homepage="https://example.test/budget/",
    )
    assert found["profile"] == "tabular-data-package"
    assert found["name"] == "budget-commune-a-2026"
    assert found["licenses"] and found["licenses"][0]["name"] == "CC-BY-4.0"
    (resource,) = found["resources"]
    assert (resource["name"], resource["path"]) == ("lines", "https://example.test/lines.csv")
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert list(fields) == list(datapackage.COLUMNS)
    assert resource["schema"]["primaryKey"] == ["phase", "direction", "section", "code"]
    expected = {
        "direction": ("string", "direction"),
        "phase": ("string", "phase:id"),
        "function_code": ("string", "functional-classification:cofog:code"),
        "chapter": ("string", "administrative-classification:generic:level1:code"),
        "amount": ("number", "value"),
        "currency": ("string", "value-currency:code"),
        "fiscal_year": ("integer", "date:fiscal-year"),
        "gender_marker": ("integer", "gender-marker:code"),
        "as_of": ("date", "date:generic"),
    }
    for name, (kind, column_type) in expected.items():
        assert (fields[name]["type"], fields[name]["columnType"]) == (kind, column_type)
    assert all(f["description"] for f in fields.values())
    assert fields["direction"]["constraints"]["enum"] == ["revenue", "expenditure"]
    assert fields["phase"]["constraints"]["enum"] == ["proposed", "approved", "amended", "executed"]
    assert fields["section"]["constraints"]["enum"] == ["operating", "investment"]
    assert fields["gender_marker"]["constraints"]["enum"] == [0, 1, 2]


def test_frictionless_validates_the_package_with_no_error(world: World, tmp_path: Path) -> None:
    path = package_in(tmp_path, csv_of(world.budget), world.collectivity, 2026)
    report = validate(str(path))
    assert report.valid, errors(report)
    assert report.stats["tasks"] == 1
    assert report.tasks[0].stats["rows"] == 29


def test_frictionless_validates_what_the_api_serves(world: World, tmp_path: Path) -> None:
    """The descriptor and the CSV as the API answers them (the CSV's URL made local)."""
    client = Client()
    described = client.get("/api/v1/c/commune-a/budgets/2026/datapackage.json").json()
    lines = client.get("/api/v1/c/commune-a/budgets/2026/lines.csv").content.decode("utf-8")
    assert described["resources"][0]["path"] == (
        "http://testserver/api/v1/c/commune-a/budgets/2026/lines.csv"
    )
    (tmp_path / "lines.csv").write_text(lines, encoding="utf-8", newline="")
    described["resources"][0]["path"] = "lines.csv"
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(described), encoding="utf-8")
    report = validate(str(path))
    assert report.valid, errors(report)


def test_an_empty_budget_is_a_valid_package(budget: Budget, tmp_path: Path) -> None:
    path = package_in(tmp_path, csv_of(budget), budget.collectivity, 2026)
    report = validate(str(path))
    assert report.valid, errors(report)


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("phase", "planned", "constraint-error"),
        ("amount", "1 500,00", "type-error"),
        ("gender_marker", "3", "constraint-error"),
        ("as_of", "30/09/2026", "type-error"),
        ("code", "", "constraint-error"),
    ],
)
def test_a_broken_csv_fails(
    world: World, tmp_path: Path, column: str, value: str, error: str
) -> None:
    rows = rows_of(csv_of(world.budget))
    rows[3][column] = value
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(datapackage.COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = validate(str(package_in(tmp_path, buffer.getvalue(), world.collectivity, 2026)))
    assert not report.valid
    assert error in {e[0] for e in report.flatten(["type"])}


def test_a_duplicated_row_breaks_the_primary_key(world: World, tmp_path: Path) -> None:
    text = csv_of(world.budget)
    lines = text.split("\r\n")
    broken = "\r\n".join([*lines[:3], lines[2], *lines[3:]])
    report = validate(str(package_in(tmp_path, broken, world.collectivity, 2026)))
    assert not report.valid
    assert "primary-key" in {e[0] for e in report.flatten(["type"])}


def test_a_missing_column_fails(world: World, tmp_path: Path) -> None:
    rows = rows_of(csv_of(world.budget))
    buffer = io.StringIO()
    names = [c for c in datapackage.COLUMNS if c != "currency"]
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    report = validate(str(package_in(tmp_path, buffer.getvalue(), world.collectivity, 2026)))
    assert not report.valid


def test_package_name_is_a_valid_data_package_name(prefecture: Collectivity) -> None:
    odd = Collectivity.objects.create(
        kind="commune",
        slug="Aït-Melloul_2",
        name_ar="أ",
        parent=prefecture,
        region=prefecture.region,
    )
    assert datapackage.package_name(odd, 2026) == "budget-a-t-melloul_2-2026"
