"""The register over the staff API: 201 with the number, 400 per field, 401, 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import User
from infitah.accounts.services import api_token_create, api_token_revoke
from infitah.correspondence.models import Entry, EntryEvent
from infitah.correspondence.tests.conftest import CASABLANCA
from infitah.ledger.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]

URL = "/api/v1/staff/commune-a/register/entries"


def _token(user: User) -> str:
    return api_token_create(user=user, name="tests")[1]


@pytest.fixture
def headers(clerk_a: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(clerk_a)}"}


def _post(payload: dict[str, Any], headers: dict[str, str]) -> Any:
    return Client().post(URL, json.dumps(payload), content_type="application/json", headers=headers)


BODY = {
    "direction": "incoming",
    "correspondent": "جمعية الأمل",
    "subject": "طلب دعم",
    "channel": "email",
}


def test_registering_answers_201_with_the_number(headers, clerk_a, unit_a):
    response = _post(
        {**BODY, "letter_date": "2026-02-27", "summary": "Résumé", "service_id": unit_a.pk},
        headers,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    entry = Entry.objects.get()
    assert data["number"] == "2026/000001"
    assert data["id"] == entry.pk
    assert data["year"] == 2026 and data["sequence"] == 1
    assert data["direction"] == "incoming" and data["channel"] == "email"
    assert data["letter_date"] == "2026-02-27"
    assert data["service_id"] == unit_a.pk and data["service"] == "مكتب الضبط"
    assert data["registered_at"].startswith("2026-03-02")
    assert data["in_reply_to"] is None and data["has_attachment"] is False
    assert entry.registered_by == clerk_a
    assert Event.objects.for_object(entry).get().action == EntryEvent.REGISTERED
    second = _post({**BODY, "direction": "outgoing", "in_reply_to": "2026/000001"}, headers)
    assert second.status_code == 201
    assert second.json()["number"] == "2026/000002"
    assert second.json()["in_reply_to"] == "2026/000001"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"channel": ""}, "channel"),
        ({"correspondent": ""}, "correspondent"),
        ({"subject": "x" * 301}, "subject"),
        ({"subject": "a\x00b"}, "subject"),
        ({"summary": "x" * 10_001}, "summary"),
        ({"letter_date": "2026-03-03"}, "letter_date"),
        ({"letter_date": "not a date"}, "letter_date"),
        ({"letter_date": "2026-02-30"}, "letter_date"),
        ({"service_id": 999_999}, "service_id"),
        ({"service_id": "abc"}, "service_id"),
        ({"in_reply_to": "2026/000999"}, "in_reply_to"),
        ({"subject": 12}, "subject"),
    ],
)
def test_invalid_input_is_400_with_a_detail_per_field(headers, payload, field):
    response = _post({**BODY, **payload}, headers)
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    # Schema errors (wrong JSON types, unparsable dates) come from the API's shared
    # handler as "payload.<field>"; the service's own as "<field>".
    assert field in {d["field"].split(".")[-1] for d in detail}, detail
    assert all(d["message"] for d in detail)
    assert not Entry.objects.exists()


def test_a_service_of_another_collectivity_is_400(headers, unit_b):
    response = _post({**BODY, "service_id": unit_b.pk}, headers)
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "service_id"


def test_every_missing_field_is_named(headers):
    response = _post({}, headers)
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["detail"]}
    assert {"direction", "channel", "correspondent", "subject"} <= fields


def test_malformed_json_is_400(headers):
    response = Client().post(URL, "{not json", content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_without_a_valid_token_401(clerk_a):
    assert _post(BODY, {}).status_code == 401
    assert _post(BODY, {"Authorization": "Bearer inf_nope"}).status_code == 401
    token = _token(clerk_a)
    from infitah.accounts.models import ApiToken

    api_token_revoke(user=clerk_a, token_id=ApiToken.objects.get(user=clerk_a).pk)
    assert _post(BODY, {"Authorization": f"Bearer {token}"}).status_code == 401
    assert Client().get(URL).status_code == 401
    assert not Entry.objects.exists()


def test_the_list_of_a_date_range(register, headers):
    with time_machine.travel(dt.datetime(2026, 2, 27, 9, 0, tzinfo=CASABLANCA)):
        register(subject="Février")
    register(subject="Mars 1")
    register(subject="Mars 2")
    client = Client()
    everything = client.get(URL, headers=headers).json()
    assert everything["count"] == 3 and everything["pages"] == 1
    assert [e["number"] for e in everything["items"]] == [
        "2026/000003",
        "2026/000002",
        "2026/000001",
    ]
    march = client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}, headers=headers).json()
    assert [e["subject"] for e in march["items"]] == ["Mars 2", "Mars 1"]
    until = client.get(URL, {"to": "2026-02-28"}, headers=headers).json()
    assert [e["subject"] for e in until["items"]] == ["Février"]
    beyond = client.get(URL, {"page": "9"}, headers=headers).json()
    assert beyond["items"] == [] and beyond["count"] == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_a_bad_list_query_is_400(headers, query, field):
    response = Client().get(URL, query, headers=headers)
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json()["detail"]}


def test_the_endpoints_are_in_the_openapi_schema():
    schema = Client().get("/api/v1/openapi.json").json()
    path = schema["paths"]["/api/v1/staff/{slug}/register/entries"]
    assert {"get", "post"} <= set(path)
    names = {p["name"] for p in path["get"]["parameters"]}
    assert {"from", "to", "page"} <= names
