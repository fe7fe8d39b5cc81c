"""The budgets over the API (`budget_api.py`): the list of a collectivity's budgets with
their phases, totals and rates; the data package descriptor and the CSV of a year;
404 outside the network or without a budget, 400 for a year that cannot be one; the
operations in the OpenAPI document."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.finance.models import Budget
from infitah.finance.tests.budget_public_world import World, build_world
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

BASE = "/api/v1/c"


@pytest.fixture
def world(collectivity_a: Collectivity, prefecture: Collectivity) -> World:
    return build_world(collectivity_a, prefecture)


def test_the_list_of_budgets(world: World) -> None:
    response = Client().get(f"{BASE}/commune-a/budgets")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    first, second = data["items"]
    assert (first["year"], second["year"]) == (2026, 2025)
    assert [(p["phase"], p["version"]) for p in first["phases"]] == [
        ("proposed", 1),
        ("approved", 1),
        ("amended", 2),
        ("executed", 2),
    ]
    assert first["phases"][3]["as_of"] == "2026-09-30"
    assert first["budgeted"] == {
        "phase": "amended",
        "version": 2,
        "as_of": None,
        "revenue": "10500000.00",
        "expenditure": "10500000.00",
    }
    assert first["executed"]["expenditure"] == "5230000.00"
    assert first["execution_rate"] == {"revenue": "41.9", "expenditure": "49.8"}
    assert first["url"] == "http://testserver/ar/c/commune-a/finance/budgets/2026/"
    assert first["csv"] == "http://testserver/api/v1/c/commune-a/budgets/2026/lines.csv"
    assert first["datapackage"] == (
        "http://testserver/api/v1/c/commune-a/budgets/2026/datapackage.json"
    )
    assert second["execution_rate"] == {"revenue": "94.4", "expenditure": "87.5"}


def test_a_budget_without_figures_is_listed_without_totals(collectivity_a: Collectivity) -> None:
    Budget.objects.create(collectivity=collectivity_a, year=2027)
    data = Client().get(f"{BASE}/commune-a/budgets").json()
    assert data == {
        "count": 1,
        "items": [
            {
                "year": 2027,
                "phases": [],
                "budgeted": None,
                "executed": None,
                "execution_rate": None,
                "url": "http://testserver/ar/c/commune-a/finance/budgets/2027/",
                "csv": "http://testserver/api/v1/c/commune-a/budgets/2027/lines.csv",
                "datapackage": "http://testserver/api/v1/c/commune-a/budgets/2027/datapackage.json",
            }
        ],
    }


def test_the_datapackage_and_its_csv(world: World) -> None:
    client = Client()
    described = client.get(f"{BASE}/commune-a/budgets/2026/datapackage.json")
    assert described.status_code == 200
    assert described["Content-Type"].startswith("application/json")
    data = described.json()
    assert data["profile"] == "tabular-data-package"
    assert data["name"] == "budget-commune-a-2026"
    assert data["homepage"] == "http://testserver/ar/c/commune-a/finance/budgets/2026/"
    (resource,) = data["resources"]
    assert resource["path"] == "http://testserver/api/v1/c/commune-a/budgets/2026/lines.csv"
    lines = client.get(f"{BASE}/commune-a/budgets/2026/lines.csv")
    assert lines.status_code == 200
    assert lines["Content-Type"] == "text/csv; charset=utf-8"
    assert lines["X-Content-Type-Options"] == "nosniff"
    # The same bytes as the page's download.
    page = client.get("/fr/c/commune-a/finance/budgets/2026/lines.csv")
    assert lines.content == page.content


@pytest.mark.parametrize(
    "path",
    [
        "/commune-b/budgets",
        "/commune-b/budgets/2026/datapackage.json",
        "/commune-b/budgets/2026/lines.csv",
        "/no-such/budgets",
        "/commune-a/budgets/2024/datapackage.json",
        "/commune-a/budgets/2024/lines.csv",
    ],
)
def test_404_outside_the_network_or_without_budget(
    world: World, collectivity_b: Collectivity, path: str
) -> None:
    Budget.objects.create(collectivity=collectivity_b, year=2026)
    response = Client().get(BASE + path)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("year", ["1999", "2101", "abc", "99999999999999999999", "-1"])
def test_a_year_that_cannot_be_one_is_400(world: World, year: str) -> None:
    for tail in ("datapackage.json", "lines.csv"):
        response = Client().get(f"{BASE}/commune-a/budgets/{year}/{tail}")
        assert response.status_code == 400, (year, tail)
        assert response.json()["detail"][0]["field"] == "year"


def test_the_operations_are_documented(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/c/{slug}/budgets",
        "/api/v1/c/{slug}/budgets/{year}/datapackage.json",
        "/api/v1/c/{slug}/budgets/{year}/lines.csv",
    ):
        operation = schema["paths"][path]["get"]
        assert operation["summary"] and "404" in operation["responses"], path
