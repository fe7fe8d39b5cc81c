"""The API's OCDS packages validate with libcoveocds against OCDS 1.1.5, offline: no
validation error, no value outside a closed codelist, no field outside the schema, no
failed additional check; for a process at every stage and for 1,000 generated ones.

The standard is read from the shared standards folder (INFITAH_STANDARDS_DIR); without
it these tests are skipped, unless INFITAH_REQUIRE_STANDARDS=1 (then they fail).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from django.test import Client

from infitah.finance.models import Release
from infitah.finance.tests import ocds_world
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

API = "/api/v1/c/commune-a/ocds"


@pytest.fixture
def standard() -> Path:
    return ocds_world.require_standard()


def _get(path: str) -> dict[str, Any]:
    response = Client().get(path)
    assert response.status_code == 200, response.content
    package: dict[str, Any] = json.loads(response.getvalue())
    return package


def _assert_valid(package: dict[str, Any]) -> dict[str, Any]:
    report = ocds_world.validate(package)
    assert ocds_world.problems(report) == {}
    assert report["additional_fields"] == []
    assert report["additional_checks"] == {}
    return report


def test_the_release_package_of_every_stage_is_valid(
    standard: Path, collectivity_a: Collectivity
) -> None:
    stories = ocds_world.build_stories(collectivity_a)
    package = _get(f"{API}/releases?limit=500")
    report = _assert_valid(package)
    assert report["version_used"] == "1.1"
    assert report["unique_ocids_count"] == len(stories)
    # planned 1, tender 2, cancelled 3, unsuccessful 3, awarded 3, contracted 4,
    # amended 5, paid 5, completed 7, Arabic-only 5.
    assert len(package["releases"]) == Release.objects.count() == 38


def test_the_record_package_of_every_stage_is_valid(
    standard: Path, collectivity_a: Collectivity
) -> None:
    stories = ocds_world.build_stories(collectivity_a)
    package = _get(f"{API}/records?limit=100")
    _assert_valid(package)
    assert {r["ocid"] for r in package["records"]} == {p.ocid for p in stories.values()}


@pytest.mark.parametrize("story", ocds_world.STORIES)
def test_each_stage_alone_is_valid(
    standard: Path, collectivity_a: Collectivity, story: str
) -> None:
    """One record package per process (`?ocid=`): a failure names the stage."""
    process = ocds_world.build_stories(collectivity_a)[story]
    package = _get(f"{API}/records?ocid={process.ocid}")
    _assert_valid(package)
    assert [r["ocid"] for r in package["records"]] == [process.ocid]


def test_the_bulk_packages_of_1000_generated_processes_are_valid(
    standard: Path, collectivity_a: Collectivity
) -> None:
    ocds_world.build_generated(collectivity_a, 1000)
    releases = _get(f"{API}/bulk/2026/releases.json")
    report = _assert_valid(releases)
    assert len(releases["releases"]) == 2000
    assert report["unique_ocids_count"] == 1000
    records = _get(f"{API}/bulk/2026/records.json")
    _assert_valid(records)
    assert len(records["records"]) == 1000
    stages = {r["compiledRelease"]["tender"]["status"] for r in records["records"]}
    assert stages == {"planned", "active", "cancelled", "unsuccessful", "complete"}


def test_the_validator_does_report_errors(standard: Path, collectivity_a: Collectivity) -> None:
    """The check is not vacuous: a value outside a closed codelist, a missing required
    field and an unknown field are each reported."""
    ocds_world.build_stories(collectivity_a)
    package = _get(f"{API}/releases?limit=1")
    release = package["releases"][0]
    release["tender"]["status"] = "ouvert"
    del release["date"]
    release["montant"] = 1
    report = ocds_world.validate(package)
    assert [e["field"] for e in report["validation_errors"]] == ["releases"]
    assert "releases/tender/status" in report["additional_closed_codelist_values"]
    assert [f["field"] for f in report["additional_fields"]] == ["montant"]
