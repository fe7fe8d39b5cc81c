"""The shape of the OCDS data, checked without the standard: ocids, release ids, dates
with a time zone, amounts in MAD, the compiled release, references between sections,
the mapping of the Moroccan procedures, Arabic-only processes, suppliers without ICE."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from django.conf import settings
from django.test import Client

from infitah.finance.models import Process
from infitah.finance.ocds import CURRENCY
from infitah.finance.tests import ocds_world
from infitah.finance.workflow import OCDS_METHOD, Procedure
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

API = "/api/v1/c/commune-a/ocds"


@pytest.fixture
def stories(collectivity_a: Collectivity) -> dict[str, Process]:
    return ocds_world.build_stories(collectivity_a)


def _get(path: str) -> dict[str, Any]:
    response = Client().get(path)
    assert response.status_code == 200, response.content
    package: dict[str, Any] = json.loads(response.content)
    return package


def _releases() -> list[dict[str, Any]]:
    releases: list[dict[str, Any]] = _get(f"{API}/releases?limit=500")["releases"]
    return releases


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = _get(f"{API}/records?limit=100")["records"]
    return records


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every member of every object inside `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_every_ocid_starts_with_the_deployment_prefix(stories: dict[str, Process]) -> None:
    releases = _releases()
    prefix = f"{settings.INFITAH_OCDS_PREFIX}-"
    assert {r["ocid"] for r in releases} == {p.ocid for p in stories.values()}
    assert all(r["ocid"].startswith(prefix) for r in releases)
    assert all(r["id"].startswith(r["ocid"]) for r in releases)


def test_release_ids_are_unique_and_releases_in_date_order(stories: dict[str, Process]) -> None:
    releases = _releases()
    ids = [r["id"] for r in releases]
    assert len(ids) == len(set(ids)) == 38
    dates = [dt.datetime.fromisoformat(r["date"]) for r in releases]
    assert dates == sorted(dates)


def test_every_date_has_a_time_zone(stories: dict[str, Process]) -> None:
    package = _get(f"{API}/records?limit=100")
    dates = [
        (path, key, value)
        for path, key, value in _walk(package)
        if key in {"date", "publishedDate", "datePublished", "dateSigned"}
        or key.endswith(("startDate", "endDate"))
    ]
    assert len(dates) > 100
    for path, key, value in dates:
        moment = dt.datetime.fromisoformat(value)
        assert moment.tzinfo is not None, f"{path}/{key}"
        assert moment.microsecond == 0


def test_every_amount_is_in_mad(stories: dict[str, Process]) -> None:
    values = [
        (f"{path}/{key}", value)
        for path, key, value in _walk(_releases())
        if isinstance(value, dict) and "amount" in value and not isinstance(value["amount"], dict)
    ]
    # Estimates, budgets, awards, contracts and payments.
    owners = {[part for part in path.split("/") if not part.isdigit()][-2] for path, _v in values}
    assert owners >= {
        "tender",
        "budget",
        "awards",
        "contracts",
        "transactions",
    }
    for path, value in values:
        assert value["currency"] == CURRENCY == "MAD", path
        assert isinstance(value["amount"], int | float), path
    currencies = {v for _path, key, v in _walk(_releases()) if key == "currency"}
    assert currencies == {"MAD"}


def test_the_compiled_release_is_the_last_release_but_its_id_and_tag(
    stories: dict[str, Process],
) -> None:
    records = _records()
    assert len(records) == len(stories)
    for record in records:
        releases = record["releases"]
        dates = [dt.datetime.fromisoformat(r["date"]) for r in releases]
        assert dates == sorted(dates)
        compiled = record["compiledRelease"]
        assert compiled["tag"] == ["compiled"]
        assert compiled["id"] == f"{record['ocid']}-compiled"
        last = releases[-1]
        assert {k: v for k, v in compiled.items() if k not in {"id", "tag"}} == {
            k: v for k, v in last.items() if k not in {"id", "tag"}
        }


def test_each_stage_is_told_in_its_tags_and_statuses(stories: dict[str, Process]) -> None:
    records = {r["ocid"]: r for r in _records()}
    tags = {
        story: [r["tag"] for r in records[process.ocid]["releases"]]
        for story, process in stories.items()
    }
    assert tags["planned"] == [["planning"]]
    assert tags["cancelled"] == [["planning"], ["tender"], ["tenderCancellation"]]
    assert tags["completed"][-4:] == [
        ["contract"],
        ["contractAmendment"],
        ["implementation"],
        ["contractTermination"],
    ]
    compiled = {story: records[p.ocid]["compiledRelease"] for story, p in stories.items()}
    statuses = {story: release["tender"]["status"] for story, release in compiled.items()}
    assert statuses == {
        "planned": "planned",
        "tender": "active",
        "cancelled": "cancelled",
        "unsuccessful": "unsuccessful",
        "awarded": "complete",
        "contracted": "complete",
        "amended": "complete",
        "paid": "complete",
        "completed": "complete",
        "arabic": "complete",
    }
    assert "awards" not in compiled["tender"]
    assert len(compiled["awarded"]["awards"]) == 2
    assert "contracts" not in compiled["awarded"]
    amended = compiled["amended"]["contracts"][0]
    assert amended["value"]["amount"] == 1_298_000.0  # 1,180,000 + 10 %
    assert len(amended["amendments"]) == 1
    assert "implementation" not in amended
    paid = compiled["paid"]["contracts"][0]
    assert len(paid["implementation"]["transactions"]) == 2
    assert paid["status"] == "active"
    assert compiled["completed"]["contracts"][0]["status"] == "terminated"


def test_references_between_sections_hold(stories: dict[str, Process]) -> None:
    for release in _releases():
        parties = {p["id"]: p for p in release["parties"]}
        assert release["buyer"]["id"] in parties
        assert "buyer" in parties[release["buyer"]["id"]]["roles"]
        award_ids = set()
        for award in release.get("awards", []):
            award_ids.add(award["id"])
            for supplier in award["suppliers"]:
                assert "supplier" in parties[supplier["id"]]["roles"]
        for contract in release.get("contracts", []):
            assert contract["awardID"] in award_ids
            for payment in contract.get("implementation", {}).get("transactions", []):
                assert payment["payee"]["id"] in parties


def test_a_supplier_without_ice_is_a_party_without_identifier(
    stories: dict[str, Process],
) -> None:
    records = {r["ocid"]: r for r in _records()}
    parties = records[stories["awarded"].ocid]["compiledRelease"]["parties"]
    suppliers = [p for p in parties if "supplier" in p["roles"]]
    with_ice, without = suppliers
    assert with_ice["identifier"] == {"scheme": "MA-ICE", "id": ocds_world.SUPPLIER[1]}
    assert with_ice["id"] == f"MA-ICE-{ocds_world.SUPPLIER[1]}"
    assert "identifier" not in without
    assert without["name"] == ocds_world.SECOND_LOT[0]


def test_an_arabic_only_process_is_published_in_arabic(stories: dict[str, Process]) -> None:
    process = stories["arabic"]
    records = {r["ocid"]: r for r in _records()}
    compiled = records[process.ocid]["compiledRelease"]
    assert compiled["language"] == "ar"
    assert compiled["tender"]["title"] == process.title_ar
    assert compiled["planning"]["rationale"] == process.title_ar
    other = records[stories["tender"].ocid]["compiledRelease"]
    assert other["language"] == "fr"


def test_the_moroccan_procedures_map_onto_ocds_methods(stories: dict[str, Process]) -> None:
    compiled = {r["ocid"]: r["compiledRelease"] for r in _records()}
    seen = set()
    for process in stories.values():
        tender = compiled[process.ocid]["tender"]
        assert tender["procurementMethod"] == OCDS_METHOD[Procedure(process.procedure)]
        seen.add(process.procedure)
    assert seen == set(Procedure.values)
