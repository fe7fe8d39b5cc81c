"""The API of complaints: submission, the public view, statistics, the unit's actions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import Role, User
from infitah.accounts.services import api_token_create
from infitah.complaints import services
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, DESCRIPTION
from infitah.complaints.workflow import Status
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
SUBMIT_URL = "/api/v1/c/{slug}/complaints"
PUBLIC_URL = "/api/v1/complaints/{reference}"
STAFF_URL = "/api/v1/staff/complaints/{reference}"
PHONE = "0612345678"
NAME = "Amina Belkadi"
CONTACT_KEYS = {"name", "email", "phone", "description", "address", "latitude", "longitude"}

Submit = Callable[..., Complaint]


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


def _token(user: User) -> str:
    return api_token_create(user=user, name="tests")[1]


@pytest.fixture
def officer_token(officer_a: User) -> str:
    return _token(officer_a)


@pytest.fixture
def charlie_token(charlie: User) -> str:
    return _token(charlie)


def _post(url: str, body: Any = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(
        url,
        json.dumps(body if body is not None else {}),
        content_type="application/json",
        headers=headers,
    )


def _get(url: str, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(url, headers=headers)


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "complaint",
        "description": DESCRIPTION,
        "name": NAME,
        "email": CITIZEN_EMAIL,
        "address": "زنقة الورود",
        "latitude": "30.3364",
        "longitude": "-9.4986",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# ------------------------------------------------------------------------ submission


def test_submission_with_an_e_mail_waits_for_confirmation_202(
    complaint_settings_a: ComplaintSettings,
) -> None:
    response = _post(SUBMIT_URL.format(slug="commune-a"), payload())
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"reference", "status", "acknowledge_by", "answer_by", "tracking_url"}
    complaint = Complaint.objects.get(reference=body["reference"])
    assert body["status"] == Status.AWAITING_CONFIRMATION == complaint.status
    today = MONDAY.date()
    assert body["acknowledge_by"] == str(
        due_date_compute(start=today, limit="complaint.acknowledge").due_date
    )
    assert body["answer_by"] == str(
        due_date_compute(start=today, limit="complaint.answer").due_date
    )
    track = Client().get(urlparse(body["tracking_url"]).path)
    assert track.status_code == 200
    # Not yet public.
    assert _get(PUBLIC_URL.format(reference=complaint.reference)).status_code == 404


def test_submission_with_a_phone_only_is_received_201(
    complaint_settings_a: ComplaintSettings, lighting: Category
) -> None:
    response = _post(
        SUBMIT_URL.format(slug="commune-a"),
        payload(email=None, phone=PHONE, category=lighting.pk, latitude=30.3364, longitude=-9.5),
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.status == Status.RECEIVED and complaint.category == lighting
    assert response.json()["acknowledge_by"] == str(complaint.acknowledge_by)


def test_a_staff_token_of_the_collectivity_registers_at_once_201(
    complaint_settings_a: ComplaintSettings, officer_token: str, charlie_token: str
) -> None:
    response = _post(SUBMIT_URL.format(slug="commune-a"), payload(), token=officer_token)
    assert response.status_code == 201
    assert Complaint.objects.get().status == Status.RECEIVED
    # Another collectivity's token gives no such power: the e-mail must be confirmed.
    other = _post(SUBMIT_URL.format(slug="commune-a"), payload(), token=charlie_token)
    assert other.status_code == 202


LONG = "x" * 10_001


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": LONG}, "description"),
        ({"description": ""}, "description"),
        ({"email": "nope"}, "email"),
        ({"email": None, "phone": None}, "email"),
        ({"phone": "12ab"}, "phone"),
        ({"latitude": "95"}, "latitude"),
        ({"latitude": 95}, "latitude"),
        ({"longitude": "-200"}, "longitude"),
        ({"latitude": None}, "longitude"),
        ({"kind": "rant"}, "kind"),
        ({"kind": None}, "kind"),
        ({"category": "999999"}, "category"),
        ({"category": 999999}, "category"),
        ({"category": "abc"}, "category"),
        ({"name": "Am\x00ina"}, "name"),
        ({"description": "a\x00b"}, "description"),
        ({"address": "r\x00ue"}, "address"),
        ({"chikaya_reference": "c" * 65}, "chikaya_reference"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_400_with_a_detail_for_the_field_and_nothing_created(
    complaint_settings_a: ComplaintSettings, overrides: dict[str, Any], field: str
) -> None:
    response = _post(SUBMIT_URL.format(slug="commune-a"), payload(**overrides))
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert field in {d["field"] for d in detail}
    assert all(d["message"] for d in detail)
    assert not Complaint.objects.exists()
    assert not Event.objects.filter(action__startswith="complaints.").exists()


def test_a_category_of_another_collectivity_is_refused(
    complaint_settings_a: ComplaintSettings, collectivity_b: Collectivity
) -> None:
    theirs = Category.objects.create(collectivity=collectivity_b, name_ar="ب", name_fr="B")
    response = _post(SUBMIT_URL.format(slug="commune-a"), payload(category=theirs.pk))
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == ["category"]


def test_malformed_json_types_are_400_never_500(complaint_settings_a: ComplaintSettings) -> None:
    response = _post(SUBMIT_URL.format(slug="commune-a"), payload(description=["a", "b"]))
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Complaint.objects.exists()


def test_unknown_or_non_member_collectivity_is_404(collectivity_b: Collectivity) -> None:
    assert _post(SUBMIT_URL.format(slug="nowhere"), payload()).status_code == 404
    assert _post(SUBMIT_URL.format(slug="commune-b"), payload()).status_code == 404
    assert _get("/api/v1/c/nowhere/complaints/stats").status_code == 404
    assert not Complaint.objects.exists()


# ----------------------------------------------------------------------- public view


def test_the_public_view_has_no_contact_details_nor_description(
    submit: Submit, officer_a: User
) -> None:
    complaint = submit(phone=PHONE)
    response = _get(PUBLIC_URL.format(reference=complaint.reference))
    assert response.status_code == 200
    body = response.json()
    assert not CONTACT_KEYS & set(body)
    text = response.content.decode()
    for secret in (CITIZEN_EMAIL, PHONE, DESCRIPTION, "Amina"):
        assert secret not in text
    assert body["status"] == Status.RECEIVED and body["answer"] is None
    assert body["acknowledge_by"] and body["answer_by"]
    assert [e["action"] for e in body["events"]] == [
        "complaints.submitted",
        "complaints.confirm",
    ]
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome="positive", text="Réparé.", publish=True
    )
    assert _get(PUBLIC_URL.format(reference=complaint.reference)).json()["answer"] == "Réparé."


def test_an_unpublished_answer_stays_private(submit: Submit, officer_a: User) -> None:
    complaint = submit()
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome="negative", text="Non.", publish=False
    )
    body = _get(PUBLIC_URL.format(reference=complaint.reference)).json()
    assert body["status"] == Status.ANSWERED and body["answer"] is None


def test_unknown_or_unconfirmed_references_are_404(submit: Submit) -> None:
    pending = submit(confirm=False)
    for reference in (pending.reference, "CMP-nope", "CMP%00x"):
        assert _get(PUBLIC_URL.format(reference=reference)).status_code == 404


def test_statistics(submit: Submit, officer_a: User) -> None:
    complaint = submit()
    submit(kind="suggestion", phone=PHONE, email="")
    services.complaint_answer(complaint=complaint, actor=officer_a, outcome="positive", text="OK")
    services.complaint_rate(complaint=complaint, satisfaction=5)
    response = _get("/api/v1/c/commune-a/complaints/stats")
    assert response.status_code == 200
    body = response.json()
    assert body["received"] == 2 and body["answered"] == 1 and body["answered_on_time"] == 1
    assert dict(map(tuple, body["by_kind"])) == {"complaint": 1, "suggestion": 1}
    assert body["satisfaction_average"] == 5 and body["satisfied"] == 1


# ------------------------------------------------------------------------------ staff


def test_the_unit_acts_through_the_api(
    submit: Submit, officer_token: str, roads_a: ServiceUnit
) -> None:
    complaint = submit()
    url = STAFF_URL.format(reference=complaint.reference)
    shown = _get(url, officer_token)
    assert shown.status_code == 200
    assert shown.json()["email"] == CITIZEN_EMAIL and shown.json()["description"] == DESCRIPTION
    assert _post(f"{url}/acknowledge", token=officer_token).status_code == 200
    again = _post(f"{url}/acknowledge", token=officer_token)
    assert again.status_code == 409 and again.json()["detail"][0]["message"]
    bad_route = _post(f"{url}/route", {"service_id": 0}, officer_token)
    assert bad_route.status_code == 400
    assert bad_route.json()["detail"][0]["field"] == "service_id"
    routed = _post(f"{url}/route", {"service_id": roads_a.pk}, officer_token)
    assert routed.status_code == 200 and routed.json()["service_id"] == roads_a.pk
    empty = _post(f"{url}/ask-info", {"text": ""}, officer_token)
    assert empty.status_code == 400 and empty.json()["detail"][0]["field"] == "text"
    assert _post(f"{url}/ask-info", {"text": "Où ?"}, officer_token).status_code == 200
    no_body = _post(
        f"{url}/answer", {"outcome": "not_competent", "text": "Pas nous."}, officer_token
    )
    assert no_body.status_code == 400
    assert no_body.json()["detail"][0]["field"] == "competent_body"
    answered = _post(
        f"{url}/answer",
        {"outcome": "not_competent", "text": "Pas nous.", "competent_body": "ONEE"},
        officer_token,
    )
    assert answered.status_code == 200 and answered.json()["status"] == Status.ANSWERED
    assert _post(f"{url}/close", token=officer_token).json()["status"] == Status.CLOSED
    assert _post(f"{url}/close", token=officer_token).status_code == 409
    assert _post(f"{url}/fly", token=officer_token).status_code == 404


def test_merge_through_the_api(submit: Submit, officer_token: str) -> None:
    first, second = submit(), submit()
    url = STAFF_URL.format(reference=second.reference)
    unknown = _post(f"{url}/merge", {"into": "CMP-nope"}, officer_token)
    assert unknown.status_code == 400 and unknown.json()["detail"][0]["field"] == "into"
    merged = _post(f"{url}/merge", {"into": first.reference}, officer_token)
    assert merged.status_code == 200 and merged.json()["merged_into"] == first.reference
    assert _post(f"{url}/merge", {"into": first.reference}, officer_token).status_code == 409


def test_another_collectivitys_member_gets_404(submit: Submit, charlie_token: str) -> None:
    complaint = submit()
    url = STAFF_URL.format(reference=complaint.reference)
    assert _get(url, charlie_token).status_code == 404
    for action in ("acknowledge", "close", "merge"):
        assert _post(f"{url}/{action}", {}, charlie_token).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_without_a_token_it_is_401(submit: Submit, staff_for: Callable[[str], User]) -> None:
    complaint = submit()
    url = STAFF_URL.format(reference=complaint.reference)
    assert _get(url).status_code == 401
    assert _post(f"{url}/acknowledge").status_code == 401
    # A role without the complaints permission sees nothing either.
    publisher = _token(staff_for(Role.PUBLICATION_EDITOR))
    assert _get(url, publisher).status_code == 404


def test_an_action_without_a_body_is_accepted(submit: Submit, officer_token: str) -> None:
    complaint = submit()
    url = STAFF_URL.format(reference=complaint.reference) + "/acknowledge"
    response = Client().post(
        url,
        "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer_token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.ACKNOWLEDGED
