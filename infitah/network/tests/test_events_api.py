"""GET /api/v1/network/events and /events/{id}: the schema (exact keys), the filters,
counts only (never a name or an address), and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    EventDocument,
    EventKind,
    EventStatus,
)
from infitah.network.tests.test_events_support import make_event, register, soon
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

URL = "/api/v1/network/events"
ITEM_KEYS = {
    "id",
    "kind",
    "status",
    "title_ar",
    "title_fr",
    "starts_at",
    "ends_at",
    "place_ar",
    "place_fr",
    "parent",
    "url",
    "registrations",
    "attendance",
}
ROLE_KEYS = {role.value for role in AttendeeRole}


def _get(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_list_schema_and_attendance_counts(collectivity_a: Collectivity) -> None:
    past = make_event(starts_at=soon(-20), place_fr="Saïdia")
    register(past, 3, collectivity=collectivity_a, gender=AttendeeGender.FEMALE, attended=True)
    register(past, 5, prefix="m", role=AttendeeRole.ELECTED, attended=True)
    register(past, 2, prefix="x", attended=False)
    upcoming = make_event(starts_at=soon(20))
    register(upcoming, 4, prefix="u")
    make_event(status=EventStatus.DRAFT)
    body = _get(URL)
    assert set(body) == {"count", "limit", "offset", "items"}
    assert body["count"] == 2
    items = {item["id"]: item for item in body["items"]}
    assert set(items) == {past.pk, upcoming.pk}
    for item in body["items"]:
        assert set(item) == ITEM_KEYS
    first = items[past.pk]
    assert first["registrations"] == 10
    assert first["url"].endswith(f"/network/events/{past.pk}/")
    attendance = first["attendance"]
    assert set(attendance) == {"attended", "women", "women_share", "by_role"}
    assert attendance["attended"] == 8 and attendance["women"] == 3
    assert attendance["women_share"] == 0.375
    assert set(attendance["by_role"]) == ROLE_KEYS
    assert attendance["by_role"]["elected"] == 5 and attendance["by_role"]["staff"] == 3
    assert items[upcoming.pk]["attendance"] is None
    assert items[upcoming.pk]["registrations"] == 4
    text = json.dumps(body)
    assert "Secret Name" not in text and "@example.test" not in text


def test_list_filters(collectivity_a: Collectivity) -> None:
    gathering = make_event(
        kind=EventKind.GATHERING,
        starts_at=dt.datetime(2024, 11, 12, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2024, 11, 13, 17, tzinfo=dt.UTC),
    )
    workshop = make_event(
        kind=EventKind.WORKSHOP,
        parent=gathering,
        starts_at=dt.datetime(2024, 11, 13, 9, tzinfo=dt.UTC),
    )
    training = make_event(starts_at=dt.datetime(2025, 3, 18, 9, tzinfo=dt.UTC))

    def ids(query: str) -> list[int]:
        return [item["id"] for item in _get(f"{URL}?{query}")["items"]]

    assert ids("") == [training.pk, workshop.pk, gathering.pk]
    assert ids("kind=workshop") == [workshop.pk]
    assert _get(f"{URL}?kind=workshop")["items"][0]["parent"] == gathering.pk
    assert ids("from=2024-11-13") == [training.pk, workshop.pk, gathering.pk]
    assert ids("from=2024-11-14") == [training.pk]
    assert ids("to=2024-11-12") == [gathering.pk]
    assert ids("from=2024-11-13&to=2024-12-31") == [workshop.pk, gathering.pk]
    assert ids("limit=1&offset=1") == [workshop.pk]
    assert ids("offset=50") == []
    assert ids("from=9999-12-31") == []


@pytest.mark.parametrize(
    "query",
    [
        "kind=party",
        "from=yesterday",
        "to=2024-13-45",
        "limit=0",
        "limit=201",
        "limit=-1",
        "offset=-1",
        "offset=99999999999999999999",
    ],
)
def test_bad_filters_are_400(query: str) -> None:
    response = Client().get(f"{URL}?{query}")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"]


def test_list_runs_a_constant_number_of_queries(collectivity_a: Collectivity) -> None:
    for _ in range(2):
        register(make_event(starts_at=soon(-5)), 2, attended=True)
    with CaptureQueriesContext(connection) as few:
        _get(URL)
    for i in range(12):
        register(make_event(starts_at=soon(-5)), 3, prefix=f"e{i}", attended=True)
    with CaptureQueriesContext(connection) as many:
        _get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_with_workshops_documents_and_report(collectivity_a: Collectivity) -> None:
    gathering = make_event(
        kind=EventKind.GATHERING, starts_at=soon(-30), report_ar="تقرير", capacity=400
    )
    workshop = make_event(kind=EventKind.WORKSHOP, parent=gathering, starts_at=soon(-30))
    make_event(kind=EventKind.WORKSHOP, parent=gathering, status=EventStatus.DRAFT)
    register(workshop, 2, attended=True, gender=AttendeeGender.FEMALE)
    document = EventDocument.objects.create(
        event=gathering, kind="programme", title_ar="البرنامج", file="network/events/x/p.pdf"
    )
    body = _get(f"{URL}/{gathering.pk}")
    assert set(body) == ITEM_KEYS | {
        "description_ar",
        "description_fr",
        "online_url",
        "capacity",
        "registration_open",
        "registration_closes_at",
        "report_ar",
        "report_fr",
        "report_published_at",
        "workshops",
        "documents",
    }
    assert body["capacity"] == 400
    assert body["report_ar"] is None and body["report_published_at"] is None
    assert [w["id"] for w in body["workshops"]] == [workshop.pk]
    assert body["workshops"][0]["attendance"]["women_share"] == 1.0
    assert body["documents"] == [
        {
            "id": document.pk,
            "kind": "programme",
            "title_ar": "البرنامج",
            "title_fr": "",
            "url": f"/ar/network/events/{gathering.pk}/documents/{document.pk}/",
        }
    ]
    assert body["registration_open"] is False
    gathering.report_published_at = timezone.now()
    gathering.save()
    assert _get(f"{URL}/{gathering.pk}")["report_ar"] == "تقرير"


def test_detail_says_whether_registration_is_open() -> None:
    event = make_event(capacity=1)
    assert _get(f"{URL}/{event.pk}")["registration_open"] is True
    register(event, 1)
    assert _get(f"{URL}/{event.pk}")["registration_open"] is False


@pytest.mark.parametrize("pk", ["0", "99999999999999999999", "abc"])
def test_detail_bad_ids(pk: str) -> None:
    assert Client().get(f"{URL}/{pk}").status_code in {400, 404}


def test_detail_of_a_draft_is_404() -> None:
    draft = make_event(status=EventStatus.DRAFT)
    response = Client().get(f"{URL}/{draft.pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_api_is_documented() -> None:
    schema = _get("/api/v1/openapi.json")
    assert "/api/v1/network/events" in schema["paths"]
    assert "/api/v1/network/events/{pk}" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/network/events"]["get"]["parameters"]}
    assert {"kind", "from", "to", "limit", "offset"} <= params
