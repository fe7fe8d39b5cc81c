"""The budget and procurement demo (`infitah.finance.demo.finance_demo`): what the issue
names is there, a second run creates nothing, and the public pages and the OCDS API show
it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from django.test import Client
from django.utils import timezone

from infitah.finance.demo import BMK_SLUG, COMMUNE_SLUG, finance_demo
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    GenderComment,
    GenderIndicator,
    Payment,
    PlannedItem,
    Process,
    ProcurementPlan,
    Release,
)
from infitah.finance.tests import ocds_world
from infitah.finance.workflow import Phase, Stage
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

pytestmark = pytest.mark.django_db

MODELS = (
    Budget,
    BudgetVersion,
    BudgetItem,
    Amount,
    GenderIndicator,
    GenderComment,
    ProcurementPlan,
    PlannedItem,
    Process,
    Payment,
    Release,
)


@pytest.fixture
def places(db: None, settings: object, tmp_path: object) -> dict[str, Collectivity]:
    region = Collectivity.objects.create(
        kind=CollectivityKind.REGION,
        slug=BMK_SLUG,
        name_ar="بني ملال خنيفرة",
        name_fr="Béni Mellal-Khénifra",
        is_network_member=True,
    )
    commune = Collectivity.objects.create(
        kind=CollectivityKind.COMMUNE,
        slug=COMMUNE_SLUG,
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        code="AM",
        parent=region,
        region=region,
        population=191_000,
        is_network_member=True,
    )
    return {BMK_SLUG: region, COMMUNE_SLUG: commune}


def _run(places: dict[str, Collectivity]) -> list[str]:
    lines: list[str] = []
    finder: Callable[[str], Collectivity | None] = places.get
    finance_demo(finder, lines.append)
    return lines


def test_a_second_run_creates_nothing(places: dict[str, Collectivity]) -> None:
    _run(places)
    first = [model.objects.count() for model in MODELS]  # type: ignore[attr-defined]
    _run(places)
    assert [model.objects.count() for model in MODELS] == first  # type: ignore[attr-defined]


def test_two_years_of_budget_with_execution_and_gender_markers(
    places: dict[str, Collectivity],
) -> None:
    _run(places)
    year = timezone.localdate().year
    commune = places[COMMUNE_SLUG]
    years = sorted(Budget.objects.filter(collectivity=commune).values_list("year", flat=True))
    assert years == [year - 1, year]
    current = Budget.objects.get(collectivity=commune, year=year)
    phases = set(current.versions.values_list("phase", flat=True))
    assert phases == {Phase.APPROVED, Phase.AMENDED, Phase.EXECUTED}
    expenditure = current.items.filter(direction="expenditure")
    assert not expenditure.filter(gender_marker__isnull=True).exists()
    assert expenditure.filter(gender_marker=2).count() == 2
    assert not expenditure.filter(function__isnull=True).exists()
    assert GenderIndicator.objects.filter(item__budget=current).count() == 2
    # The enacted and citizens budgets, published by the editor when the demo has one.
    assert set(current.key_documents.values_list("kind", flat=True)) <= {"enacted", "citizens"}


def test_a_forecast_programme_and_three_processes_from_plan_to_payment(
    places: dict[str, Collectivity],
) -> None:
    _run(places)
    commune = places[COMMUNE_SLUG]
    plan = ProcurementPlan.objects.get(collectivity=commune)
    assert plan.published_at is not None and plan.items.count() == 4
    stages = sorted(Process.objects.filter(collectivity=commune).values_list("stage", flat=True))
    assert stages == sorted(
        [Stage.COMPLETED, Stage.IMPLEMENTATION, Stage.IMPLEMENTATION, Stage.PLANNED]
    )
    assert Payment.objects.filter(contract__process__collectivity=commune).count() == 5
    for process in Process.objects.all():
        assert process.releases.exists()
    assert ProcurementPlan.objects.get(collectivity=places[BMK_SLUG]).published_at is not None
    assert BudgetItem.objects.filter(processes__isnull=False).exists()


def test_the_public_pages_and_the_ocds_api_show_the_demo(places: dict[str, Collectivity]) -> None:
    _run(places)
    year = timezone.localdate().year
    client = Client()
    for lang in ("ar", "fr"):
        for path in (
            f"/{lang}/c/{COMMUNE_SLUG}/finance/",
            f"/{lang}/c/{COMMUNE_SLUG}/finance/budgets/{year}/",
            f"/{lang}/c/{COMMUNE_SLUG}/finance/budgets/{year}/gender/",
            f"/{lang}/c/{COMMUNE_SLUG}/finance/procurement/{year}/",
            f"/{lang}/c/{BMK_SLUG}/finance/procurement/{year}/",
        ):
            assert client.get(path).status_code == 200, path
    package = client.get(f"/api/v1/c/{COMMUNE_SLUG}/ocds/releases").json()
    assert (
        len(package["releases"])
        == Release.objects.filter(collectivity=places[COMMUNE_SLUG]).count()
    )
    assert (
        client.get(f"/api/v1/c/{COMMUNE_SLUG}/budgets/{year}/datapackage.json").status_code == 200
    )


def test_every_demo_process_publishes_valid_ocds(places: dict[str, Collectivity]) -> None:
    """The demo's release and record packages, validated offline by libcoveocds (skipped
    without the shared standards, unless INFITAH_REQUIRE_STANDARDS=1)."""
    standard = ocds_world.require_standard()
    assert standard.exists()
    _run(places)
    client = Client()
    for slug in (COMMUNE_SLUG, BMK_SLUG):
        for path, key in (("releases?limit=500", "releases"), ("records?limit=100", "records")):
            response = client.get(f"/api/v1/c/{slug}/ocds/{path}")
            assert response.status_code == 200
            package = json.loads(response.content)
            assert package[key]
            report = ocds_world.validate(package)
            assert ocds_world.problems(report) == {}, (slug, key)
