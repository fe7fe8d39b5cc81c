"""/api/v1/calendar/: holidays, due dates, limits, and every 400."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_holidays_of_a_year(client):
    response = client.get("/api/v1/calendar/holidays", {"year": "2026"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"]) == 18
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates)
    throne = next(item for item in body["items"] if item["date"] == "2026-07-30")
    assert throne == {
        "date": "2026-07-30",
        "name_ar": "عيد العرش",
        "name_fr": "Fête du Trône",
        "estimated": False,
        "corrected": False,
    }
    eid = next(item for item in body["items"] if item["date"] == "2026-05-27")
    assert eid["estimated"] is True


@pytest.mark.parametrize("year", [None, "", "abc", "1989", "2101", "20.5", "2026x"])
def test_holidays_with_a_bad_year_is_400(client, year):
    params = {} if year is None else {"year": year}
    response = client.get("/api/v1/calendar/holidays", params)
    assert response.status_code == 400
    assert "year" in response.json()["detail"]


def test_due_date(client):
    response = client.get(
        "/api/v1/calendar/due-date", {"start": "2026-07-29", "limit": "ati.urgent"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2026-07-29"
    assert body["limit"] == "ati.urgent"
    assert body["due_date"] == "2026-08-04"
    assert [h["date"] for h in body["skipped_holidays"]] == ["2026-07-30"]
    assert body["skipped_holidays"][0]["name_fr"] == "Fête du Trône"
    assert "31.13" in body["legal_basis_ar"] and "31.13" in body["legal_basis_fr"]
    assert body["explanation"]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"limit": "ati.answer"}, "start"),
        ({"start": "", "limit": "ati.answer"}, "start"),
        ({"start": "abc", "limit": "ati.answer"}, "start"),
        ({"start": "2026-02-30", "limit": "ati.answer"}, "start"),
        ({"start": "2026-3-16", "limit": "ati.answer"}, "start"),
        ({"start": "1900-01-01", "limit": "ati.answer"}, "start"),
        ({"start": "2026-03-16"}, "limit"),
        ({"start": "2026-03-16", "limit": ""}, "limit"),
        ({"start": "2026-03-16", "limit": "ati.nope"}, "ati.nope"),
    ],
)
def test_due_date_bad_input_is_400_with_a_clear_detail(client, params, word):
    response = client.get("/api/v1/calendar/due-date", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, str) and word in detail


def test_limits(client):
    response = client.get("/api/v1/calendar/limits")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"]) >= 11
    answer = next(item for item in body["items"] if item["code"] == "ati.answer")
    assert answer["duration"] == 20 and answer["unit"] == "working_days"
    assert set(answer) == {"code", "duration", "unit", "legal_basis_ar", "legal_basis_fr"}
