"""The programmes' API: the list (shape, paging and its bounds), one programme whole
(the export, valid against the published schema), the schema; 404 for what the public
does not see; constant query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import User
from infitah.openplan import exchange
from infitah.openplan.models import Phase, Programme
from infitah.openplan.services import adoption, core
from infitah.openplan.tests.conftest import PROGRAMME_DATA, MakeItem
from infitah.openplan.tests.test_exchange_json import bulk_world, realistic
from infitah.openplan.workflow import PhaseKind, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

jsonschema = pytest.importorskip("jsonschema")

API = "/api/v1"
ITEM_KEYS = {
    "id",
    "title",
    "kind",
    "phase",
    "status",
    "reference",
    "progress",
    "starts_on",
    "ends_on",
    "url",
}


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = Client().get(url, headers=headers)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def _another(collectivity: Collectivity, actor: User, year: int) -> Programme:
    return core.programme_create(
        collectivity=collectivity,
        actor=actor,
        data={
            **PROGRAMME_DATA,
            "title_fr": f"Programme {year}",
            "starts_on": dt.date(year, 1, 1),
            "ends_on": dt.date(year + 1, 12, 31),
        },
    )


def test_the_list(programme: Programme, focal_point: User, collectivity_a: Collectivity) -> None:
    Phase.objects.create(
        programme=programme, kind=PhaseKind.COCREATION, starts_on=dt.date(2020, 1, 1)
    )
    older = _another(collectivity_a, focal_point, 2022)
    abandoned = _another(collectivity_a, focal_point, 2023)
    adoption.programme_abandon(programme=abandoned, actor=focal_point, reason="Non retenu")
    status, body = _get(
        f"{API}/c/{collectivity_a.slug}/programmes", headers={"accept-language": "fr"}
    )
    assert status == 200
    assert body["count"] == 2
    assert [i["id"] for i in body["items"]] == [programme.pk, older.pk]
    first = body["items"][0]
    assert set(first) == ITEM_KEYS
    assert first["kind"] == "remacto" and first["status"] == Status.DRAFTING
    assert first["phase"] == "cocreation" and body["items"][1]["phase"] is None
    assert first["progress"] == 0 and first["starts_on"] == "2027-01-01"
    assert first["reference"] == programme.reference
    assert first["url"].endswith(f"/c/{collectivity_a.slug}/programmes/{programme.pk}/")


def test_paging_and_its_bounds(
    programme: Programme, focal_point: User, collectivity_a: Collectivity
) -> None:
    for year in range(2010, 2014):
        _another(collectivity_a, focal_point, year)
    url = f"{API}/c/{collectivity_a.slug}/programmes"
    status, body = _get(f"{url}?offset=1&limit=2")
    assert status == 200 and body["count"] == 5 and len(body["items"]) == 2
    everything = _get(url)[1]["items"]
    assert body["items"] == everything[1:3]
    assert len(_get(f"{url}?limit=0")[1]["items"]) == 1
    assert len(_get(f"{url}?limit=100000")[1]["items"]) == 5
    assert _get(f"{url}?offset=2147483647")[1]["items"] == []
    for bad in ("limit=-1", "offset=-1", "limit=x", f"offset={2**31}", f"limit={2**63}"):
        assert _get(f"{url}?{bad}")[0] == 400, bad


def test_404s(
    programme: Programme,
    focal_point: User,
    charlie: User,
    collectivity_b: Collectivity,
) -> None:
    foreign = _another(collectivity_b, charlie, 2027)
    abandoned = _another(programme.collectivity, focal_point, 2020)
    adoption.programme_abandon(programme=abandoned, actor=focal_point, reason="Non")
    for url in (
        f"{API}/c/unknown/programmes",
        f"{API}/c/{collectivity_b.slug}/programmes",
        f"{API}/programmes/{foreign.pk}",
        f"{API}/programmes/{abandoned.pk}",
        f"{API}/programmes/{programme.pk + 1000}",
    ):
        status, body = _get(url)
        assert status == 404, url
        assert isinstance(body["detail"], str) and body["detail"], url
    assert _get(f"{API}/programmes/0")[0] == 400
    assert _get(f"{API}/programmes/{2**40}")[0] == 400
    assert _get(f"{API}/programmes/{programme.pk}")[0] == 200


def test_one_programme_is_its_export_and_validates_against_the_published_schema(
    programme: Programme, focal_point: User, make_item: MakeItem
) -> None:
    realistic(programme, focal_point, commitments=2)
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    status, schema = _get(f"{API}/programmes/schema")
    assert status == 200 and schema == exchange.PROGRAMME_SCHEMA
    status, body = _get(f"{API}/programmes/{programme.pk}")
    assert status == 200
    assert body == json.loads(exchange.export_bytes(exchange.programme_export(programme)))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        body
    )
    assert body["commitments"][0]["milestones"][0]["children"][0]["progress"] == 100
    assert body["versions"][0]["number"] == 1
    # The frozen file of version 1 holds the same document.
    assert json.loads(programme.versions.get().file.read()) == body


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow(
    programme: Programme, focal_point: User, collectivity_a: Collectivity
) -> None:
    big = _another(collectivity_a, focal_point, 2030)
    bulk_world(programme, 5)
    bulk_world(big, 100)
    assert _queries(f"{API}/programmes/{programme.pk}") == _queries(f"{API}/programmes/{big.pk}")
    url = f"{API}/c/{collectivity_a.slug}/programmes?limit=200"
    few = _queries(url)
    for year in range(1990, 2020):
        Phase.objects.create(
            programme=_another(collectivity_a, focal_point, year),
            kind=PhaseKind.AWARENESS,
            starts_on=dt.date(year, 1, 1),
        )
    assert _queries(url) == few
