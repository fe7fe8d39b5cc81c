"""Idempotency-Key on the API's writes: a retried request is answered again, not redone."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.db import connection
from django.test import Client
from django.utils import translation

from infitah.accounts.models import Role, User
from infitah.accounts.services import api_token_create
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.correspondence.models import ServiceUnit
from infitah.idempotency.models import IdempotencyKey
from infitah.idempotency.services import idempotency_purge
from infitah.information.models import InformationRequest, InformationSettings
from infitah.territories.models import Collectivity

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
COMPLAINTS = "/api/v1/c/commune-a/complaints"
REQUESTS = "/api/v1/c/commune-a/information-requests"
KEY = "5f0c6a1e-2d3b-4c8e-9a7f-1b2c3d4e5f60"


def complaint(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "description": "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا.",
        "name": "Amina Belkadi",
        "email": "amina@example.test",
        **overrides,
    }


def information_request(**overrides: Any) -> dict[str, Any]:
    return {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": "ZX987654",
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026.",
        "delivery": "email",
        **overrides,
    }


def post(url: str, body: Any, key: str | None = KEY, token: str = "") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client().post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def open_a(collectivity_a: Collectivity) -> Collectivity:
    """Commune A takes complaints and information requests."""
    unit = ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الشكايات", name_fr="Service des plaintes"
    )
    ComplaintSettings.objects.create(collectivity=collectivity_a, complaints_unit=unit)
    InformationSettings.objects.create(
        collectivity=collectivity_a, cndp_authorisation="A-RA-123/2026", desk_email="i@a.test"
    )
    return collectivity_a


@pytest.fixture
def officer_token(staff_for: Any) -> str:
    user: User = staff_for(Role.INFORMATION_OFFICER)
    return api_token_create(user=user, name="tests")[1]


@pytest.mark.django_db
def test_a_retried_complaint_is_filed_once_and_answered_alike(open_a: Collectivity) -> None:
    first = post(COMPLAINTS, complaint())
    assert first.status_code == 202, first.content
    again = post(COMPLAINTS, complaint())
    assert again.status_code == 202
    assert again.content == first.content  # the same reference and tracking link
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_request_writes(open_a: Collectivity) -> None:
    post(COMPLAINTS, complaint(), key=None)
    post(COMPLAINTS, complaint(), key=None)
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422_and_writes_nothing(open_a: Collectivity) -> None:
    assert post(COMPLAINTS, complaint()).status_code == 202
    other = post(COMPLAINTS, complaint(name="Someone Else"))
    assert other.status_code == 422
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    with translation.override("ar"):  # the API's default language
        expected = translation.gettext(
            "This Idempotency-Key was already used for another request. Send a "
            "new key with a new request."
        )
    assert other.json()["detail"][0]["message"] == expected
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_key_is_scoped_to_its_operation_and_its_token(
    open_a: Collectivity, officer_token: str
) -> None:
    assert post(COMPLAINTS, complaint()).status_code == 202
    # The same key on another operation is another key.
    assert post(REQUESTS, information_request()).status_code == 202
    # The same key and body with a staff token (registering a paper request) too.
    registered = post(REQUESTS, information_request(), token=officer_token)
    assert registered.status_code == 201, registered.content
    assert Complaint.objects.count() == 1
    assert InformationRequest.objects.count() == 2
    # And each is replayed in its own scope.
    assert post(REQUESTS, information_request(), token=officer_token).status_code == 201
    assert post(REQUESTS, information_request()).status_code == 202
    assert InformationRequest.objects.count() == 2


@pytest.mark.django_db
def test_a_key_expires_after_a_day(open_a: Collectivity) -> None:
    assert post(COMPLAINTS, complaint()).status_code == 202
    with time_machine.travel(MONDAY + dt.timedelta(hours=23)):
        assert post(COMPLAINTS, complaint())["Idempotent-Replayed"] == "true"
    with time_machine.travel(MONDAY + dt.timedelta(hours=25)):
        again = post(COMPLAINTS, complaint())
        assert again.status_code == 202 and not again.has_header("Idempotent-Replayed")
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "مفتاح", "a\tb"])
def test_a_malformed_key_is_400_and_writes_nothing(open_a: Collectivity, key: str) -> None:
    response = post(COMPLAINTS, complaint(), key=key)
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "Idempotency-Key"
    assert not Complaint.objects.exists()
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_quoted_key_is_the_same_key(open_a: Collectivity) -> None:
    """The draft standard sends the key as a structured-field string: "…"."""
    first = post(COMPLAINTS, complaint(), key=f'"{KEY}"')
    assert post(COMPLAINTS, complaint()).content == first.content
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_is_not_kept_and_the_key_may_be_used_again(open_a: Collectivity) -> None:
    refused = post(COMPLAINTS, complaint(description=""))
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    accepted = post(COMPLAINTS, complaint())
    assert accepted.status_code == 202
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_the_kept_answer_is_sealed(open_a: Collectivity) -> None:
    """The database holds neither the key nor the answer's secret tracking link."""
    answer = post(COMPLAINTS, complaint()).json()
    row = IdempotencyKey.objects.get()
    token = answer["tracking_url"].rstrip("/").rsplit("/", 1)[1]
    stored = bytes(row.sealed)
    assert token.encode() not in stored and answer["reference"].encode() not in stored
    assert KEY not in row.lookup and row.status == 202
    assert row.expires_at == row.created_at + dt.timedelta(hours=24)


@pytest.mark.django_db
def test_expired_keys_are_purged(open_a: Collectivity) -> None:
    post(COMPLAINTS, complaint())
    assert idempotency_purge() == 0
    assert idempotency_purge(now=MONDAY + dt.timedelta(hours=25)) == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("legal_limits")
def test_parallel_requests_with_one_key_write_once(open_a: Collectivity) -> None:
    """Eight clients send the same request with the same key at the same moment: one
    complaint, eight identical answers (the others wait for the first, then replay it)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite runs one write at a time)")
    start = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            start.wait()
            response = post(COMPLAINTS, complaint())
            answers.append((response.status_code, response.content))
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(answers) == 8
    assert {status for status, _body in answers} == {202}
    assert len({body for _status, body in answers}) == 1
    assert Complaint.objects.count() == 1
