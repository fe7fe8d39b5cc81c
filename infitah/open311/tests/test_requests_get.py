"""GET of requests, updates and discovery: the filters, the 90-day window, the limit,
the query count of requests.json, and what is never shown (personal data, B's requests,
requests not yet public). Refusals are GeoReport errors, never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.complaints import services as complaints
from infitah.complaints.models import Category
from infitah.open311 import selectors
from infitah.open311.tests.conftest import ADDRESS, DESCRIPTION, NAME, PHONE, Submit
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own output, not untrusted input


REQUESTS = "/open311/v2/requests.json"
UPDATES = "/open311/v2/servicerequestupdates.json"
A = {"jurisdiction_id": "commune-a"}


@pytest.fixture(autouse=True)
def _members(both_members: None) -> None:
    pass


def _get(url: str, **params: Any) -> Any:
    return Client().get(url, {**A, **params})


def test_requests_json_costs_the_same_queries_for_one_or_many(
    submit: Submit, roads: Category, lighting: Category, django_assert_num_queries: Any
) -> None:
    submit(category=roads.pk)
    # jurisdiction, the collectivity's settings, the requests (with their last update)
    with django_assert_num_queries(3):
        assert len(_get(REQUESTS).json()) == 1
    for n in range(6):
        submit(category=(roads if n % 2 else lighting).pk)
    with django_assert_num_queries(3):
        assert len(_get(REQUESTS).json()) == 7


def test_nothing_personal_and_only_public_requests(
    submit: Submit, collectivity_b: Collectivity, staff_for: Any
) -> None:
    shown = submit(email="amina@example.test", chikaya_reference="CHK-1")
    submit(confirm=False, email="other@example.test", phone="")
    submit(collectivity=collectivity_b)
    body = _get(REQUESTS).content.decode()
    for personal in (NAME, PHONE, DESCRIPTION, ADDRESS, "amina@example.test", "CHK-1", "30.3364"):
        assert personal not in body
    [item] = _get(REQUESTS).json()
    assert item["service_request_id"] == shown.reference
    assert item["agency_responsible"] == shown.collectivity.name_ar


def test_an_unpublished_answer_stays_private(submit: Submit, staff_for: Any) -> None:
    officer: User = staff_for(Role.COMPLAINTS_OFFICER)
    made = submit()
    complaints.complaint_answer(
        complaint=made, actor=officer, outcome="negative", text="Réponse interne", publish=False
    )
    [item] = _get(REQUESTS).json()
    assert item["status"] == "closed"
    assert "Réponse interne" not in item["status_notes"]


def test_the_default_window_is_the_last_90_days(submit: Submit) -> None:
    old = submit()
    recent = submit()
    old.submitted_at = timezone.now() - dt.timedelta(days=91)
    old.save(update_fields=["submitted_at"])
    assert [r["service_request_id"] for r in _get(REQUESTS).json()] == [recent.reference]
    # An id overrides the window.
    assert [
        r["service_request_id"] for r in _get(REQUESTS, service_request_id=old.reference).json()
    ] == [old.reference]
    start = (timezone.now() - dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [r["service_request_id"] for r in _get(REQUESTS, start_date=start).json()] == [
        old.reference
    ]


def test_at_most_the_limit(submit: Submit, monkeypatch: pytest.MonkeyPatch) -> None:
    made = [submit() for _ in range(3)]
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    listed = [r["service_request_id"] for r in _get(REQUESTS).json()]
    assert listed == [made[2].reference, made[1].reference]  # newest first


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-13-45T00:00:00Z"}, "start_date"),
        ({"end_date": "2026-01-01T00:00:00"}, "end_date"),  # no time zone
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"service_request_id": ",".join(str(n) for n in range(1001))}, "service_request_id"),
    ],
)
def test_bad_filters_are_400(submit: Submit, params: dict[str, str], needle: str) -> None:
    for url in (REQUESTS, UPDATES):
        if url == UPDATES and set(params) - {"start_date", "end_date"}:
            continue
        response = _get(url, **params)
        assert response.status_code == 400, (url, params)
        [error] = response.json()
        assert error["code"] == 400 and needle in error["description"]


def test_unknown_request_and_nul_are_404(submit: Submit, collectivity_b: Collectivity) -> None:
    other = submit(collectivity=collectivity_b)
    for reference in (other.reference, "CMP-0", "x\x00y"):
        response = Client().get(f"/open311/v2/requests/{reference}.json", A)
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    assert Client().get(REQUESTS, {"jurisdiction_id": "a\x00"}).status_code == 404


def test_updates_are_the_public_history(submit: Submit, staff_for: Any, roads: Category) -> None:
    officer: User = staff_for(Role.COMPLAINTS_OFFICER)
    made = submit(category=roads.pk)
    complaints.complaint_acknowledge(complaint=made, actor=officer)
    complaints.complaint_answer(
        complaint=made,
        actor=officer,
        outcome="not_competent",
        text="Secret note",
        competent_body="ONEE",
    )
    submit(confirm=False, email="x@example.test", phone="")  # not public: no update
    updates = _get(UPDATES).json()
    assert [u["service_request_id"] for u in updates] == [made.reference] * 3
    assert [u["status"] for u in updates] == ["open", "open", "not_councils_responsibility"]
    assert {"update_id", "service_request_id", "status", "updated_datetime", "description"} <= set(
        updates[0]
    )
    body = _get(UPDATES).content.decode()
    assert "Secret note" not in body and NAME not in body
    xml = _xml(Client().get("/open311/v2/servicerequestupdates.xml", A).content)
    assert xml.tag == "service_request_updates"
    assert len(xml.findall("request_update")) == 3
    later = (timezone.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _get(UPDATES, start_date=later).json() == []


def test_updated_datetime_follows_the_last_public_event(submit: Submit, staff_for: Any) -> None:
    officer: User = staff_for(Role.COMPLAINTS_OFFICER)
    made = submit()
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        complaints.complaint_acknowledge(complaint=made, actor=officer)
        [item] = _get(REQUESTS).json()
    requested = dt.datetime.fromisoformat(item["requested_datetime"])
    updated = dt.datetime.fromisoformat(item["updated_datetime"])
    assert dt.timedelta(days=2) - dt.timedelta(minutes=1) < updated - requested
    assert requested == made.submitted_at.replace(microsecond=0)


def test_discovery(collectivity_a: Collectivity) -> None:
    response = Client().get("/open311/v2/discovery.json")
    assert response.status_code == 200
    [endpoint] = response.json()["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = _xml(Client().get("/open311/v2/discovery.xml").content)
    assert xml.findtext("endpoints/endpoint/formats/format") == "text/xml"
    assert Client().get("/open311/v2/discovery.html").status_code == 404
