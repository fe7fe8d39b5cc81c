"""The read side of Open311 through a real client: the `georeport` library from PyPI
(GeoReport v2's Python wrapper), against pytest-django's `live_server` (a threaded
server in this process, serving the test database, on SQLite too), in JSON and in XML.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from georeport import GeoReport  # type: ignore[import-untyped]
from pytest_django.live_server_helper import LiveServer

from django.utils import timezone

from infitah.complaints import services as complaints
from infitah.complaints.models import Category
from infitah.open311.tests.conftest import ADDRESS, DESCRIPTION, NAME, PHONE, Submit
from infitah.territories.models import Collectivity

PERSONAL = [NAME, PHONE, DESCRIPTION, ADDRESS, "30.3364", "-9.4986"]


@pytest.fixture
def world(
    legal_limits: None,
    both_members: None,
    roads: Category,
    lighting: Category,
    retired: Category,
    submit: Submit,
    staff_for: Any,
    collectivity_b: Collectivity,
) -> dict[str, Any]:
    officer = staff_for("admin")
    pothole = submit(category=roads.pk)
    dark = submit(category=lighting.pk)
    answered = submit(category=lighting.pk, kind="suggestion")
    complaints.complaint_answer(
        complaint=answered, actor=officer, outcome="positive", text="أصلحنا الإنارة.", publish=True
    )
    unconfirmed = submit(confirm=False, email="amina@example.test", phone="")
    other = submit(collectivity=collectivity_b)
    return {
        "pothole": pothole,
        "dark": dark,
        "answered": answered,
        "unconfirmed": unconfirmed,
        "other": other,
        "officer": officer,
    }


def _client(
    live_server: LiveServer, fmt: str = "json", jurisdiction: str = "commune-a"
) -> GeoReport:
    return GeoReport(f"{live_server.url}/open311/v2", jurisdiction=jurisdiction, output_format=fmt)


def _refs(items: list[dict[str, Any]] | dict[str, Any]) -> set[str]:
    if isinstance(items, dict):  # xmltodict: a single <request> is no list
        items = [items]
    return {item["service_request_id"] for item in items}


def test_services_and_their_definition(
    live_server: LiveServer,
    world: dict[str, Any],
    roads: Category,
    lighting: Category,
    retired: Category,
) -> None:
    client = _client(live_server)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert set(codes) == {str(roads.pk), str(lighting.pk), "general"}
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    definition = client.get_service_definition(str(roads.pk))
    assert definition["service_code"] == str(roads.pk)
    [kind] = definition["attributes"]
    assert kind["code"] == "kind" and kind["datatype"] == "singlevaluelist"
    assert {v["key"] for v in kind["values"]} == {"complaint", "observation", "suggestion"}
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition(str(retired.pk))
    assert error.value.response.status_code == 404
    xml = _client(live_server, "xml").get_service_list()
    assert {s["service_code"] for s in xml} == set(codes)


def test_requests_list_filters_and_detail(
    live_server: LiveServer, world: dict[str, Any], lighting: Category
) -> None:
    client = _client(live_server)
    public = {world[k].reference for k in ("pothole", "dark", "answered")}
    listed = client.get_service_requests()
    assert _refs(listed) == public  # not the unconfirmed one, nor B's
    assert _refs(client.get_service_requests(status="open")) == {
        world["pothole"].reference,
        world["dark"].reference,
    }
    assert _refs(client.get_service_requests(status="closed")) == {world["answered"].reference}
    assert _refs(client.get_service_requests(service_code=str(lighting.pk))) == {
        world["dark"].reference,
        world["answered"].reference,
    }
    ids = f"{world['pothole'].reference},{world['other'].reference}"
    assert _refs(client.get_service_requests(service_request_id=ids)) == {
        world["pothole"].reference
    }
    later = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get_service_requests(start_date=later) == []
    answered = client.get_service_request(world["answered"].reference)
    assert answered["status"] == "closed"
    assert answered["status_notes"] == "أصلحنا الإنارة."  # published for the public
    assert answered["service_code"] == str(lighting.pk)
    assert answered["description"] is None and answered["lat"] is None
    pothole = client.get_service_request(world["pothole"].reference)
    assert pothole["status"] == "open" and pothole["expected_datetime"]
    body = requests.get(
        f"{live_server.url}/open311/v2/requests.json",
        params={"jurisdiction_id": "commune-a"},
        timeout=30,
    ).text
    for personal in PERSONAL:
        assert personal not in body
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_request(world["unconfirmed"].reference)
    assert error.value.response.status_code == 404


def test_the_xml_format_through_the_client(live_server: LiveServer, world: dict[str, Any]) -> None:
    client = _client(live_server, "xml")
    assert _refs(client.get_service_requests()) == {
        world[k].reference for k in ("pothole", "dark", "answered")
    }
    one = client.get_service_request(world["pothole"].reference)
    assert one["status"] == "open"


def test_jurisdictions(live_server: LiveServer, world: dict[str, Any]) -> None:
    for jurisdiction, status in ((None, 400), ("nowhere", 404)):
        with pytest.raises(requests.HTTPError) as error:
            _client(live_server, jurisdiction=jurisdiction).get_service_list()  # type: ignore[arg-type]
        assert error.value.response.status_code == status
        assert error.value.response.json()[0]["code"] == status
    assert _refs(_client(live_server, jurisdiction="commune-b").get_service_requests()) == {
        world["other"].reference
    }


def test_a_sole_member_needs_no_jurisdiction(
    live_server: LiveServer, legal_limits: None, submit: Submit, collectivity_a: Collectivity
) -> None:
    made = submit()
    assert _refs(_client(live_server, jurisdiction=None).get_service_requests()) == {  # type: ignore[arg-type]
        made.reference
    }
