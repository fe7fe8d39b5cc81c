"""The API of access to information: filing, the public view and the officers' actions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.accounts.services import api_token_create, api_token_revoke
from infitah.deadlines.selectors import due_date_compute
from infitah.information import services
from infitah.information.models import InformationRequest
from infitah.information.tests.conftest import CLEAR_ID
from infitah.information.workflow import Status
from infitah.ledger.models import Event
from infitah.lib.tests.files import pdf_with_text
from infitah.notifications.models import OutboundEmail
from infitah.publication.models import Category, Document
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
FILE_URL = "/api/v1/c/{slug}/information-requests"
PUBLIC_URL = "/api/v1/information-requests/{reference}"
STAFF_URL = "/api/v1/staff/information-requests/{reference}"
MASKED_ID = "•••••654"
PUBLIC_KEYS = {
    "reference",
    "collectivity",
    "subject",
    "status",
    "submitted_at",
    "due_date",
    "events",
}
IDENTITY_KEYS = {"requester_name", "first_name", "last_name", "email", "address", "id_number"}

FileRequest = Callable[..., tuple[InformationRequest, str]]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY, tick=True):
        yield


def _token(user: User) -> str:
    return api_token_create(user=user, name="tests")[1]


@pytest.fixture
def officer_token(officer_a: User) -> str:
    return _token(officer_a)


@pytest.fixture
def head_token(head_a: User) -> str:
    return _token(head_a)


@pytest.fixture
def charlie_token(charlie: User) -> str:
    return _token(charlie)


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": CLEAR_ID,
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026.",
        "urgent": False,
        "urgency_reason": "",
        "delivery": "email",
    }
    values.update(overrides)
    return values


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def post(url: str, data: Any, token: str | None = None, *, raw: bool = False) -> Any:
    content = data if raw else json.dumps(data)
    return Client().post(url, content, content_type="application/json", headers=_bearer(token))


def get(url: str, token: str | None = None) -> Any:
    return Client().get(url, headers=_bearer(token))


def act(request: InformationRequest, action: str, data: dict[str, Any], token: str) -> Any:
    return post(STAFF_URL.format(reference=request.reference) + f"/{action}", data, token)


def _fields(response: Any) -> set[str]:
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert all(item["message"] for item in detail)
    return {item["field"] for item in detail}


def _status(request: InformationRequest) -> str:
    request.refresh_from_db()
    return request.status


# ---------------------------------------------------------------------------- filing


def test_filing_answers_202_while_the_address_awaits_confirmation(accepting_a):
    response = post(FILE_URL.format(slug="commune-a"), body())
    assert response.status_code == 202
    data = response.json()
    assert set(data) == {"reference", "status", "due_date", "tracking_url"}
    filed = InformationRequest.objects.get()
    today = timezone.localdate()
    assert data["reference"] == filed.reference
    assert data["status"] == Status.AWAITING_CONFIRMATION == filed.status
    assert (
        data["due_date"] == due_date_compute(start=today, limit="ati.answer").due_date.isoformat()
    )
    tracking = urlparse(data["tracking_url"])
    assert tracking.path.startswith("/ar/information/track/")
    assert Client().get(tracking.path).status_code == 200
    email = OutboundEmail.objects.get()
    assert "/information/confirm/" in email.body
    assert data["tracking_url"] not in email.body  # the confirm link is a different secret
    assert filed.created_by is None


def test_an_urgent_request_is_due_by_the_urgent_limit(accepting_a):
    response = post(
        FILE_URL.format(slug="commune-a"),
        body(urgent=True, urgency_reason="Une famille sera expulsée demain."),
    )
    assert response.status_code == 202
    today = timezone.localdate()
    assert response.json()["due_date"] == (
        due_date_compute(start=today, limit="ati.urgent").due_date.isoformat()
    )


def test_the_tracking_link_follows_the_language_asked(accepting_a):
    response = Client().post(
        FILE_URL.format(slug="commune-a"),
        json.dumps(body()),
        content_type="application/json",
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert response.status_code == 202
    assert urlparse(response.json()["tracking_url"]).path.startswith("/fr/information/track/")
    assert InformationRequest.objects.get().language == "fr"


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("subject-201", {"subject": "s" * 201}, "subject"),
    ("description-10001", {"description": "d" * 10_001}, "description"),
    ("first-name-101", {"first_name": "f" * 101}, "first_name"),
    ("last-name-101", {"last_name": "l" * 101}, "last_name"),
    ("address-301", {"address": "a" * 301}, "address"),
    ("reason-long", {"urgent": True, "urgency_reason": "u" * 10_001}, "urgency_reason"),
    ("id-digits-only", {"id_number": "123"}, "id_number"),
    ("id-too-many-digits", {"id_number": "AB-12-34-56-78-90"}, "id_number"),
    ("id-script", {"id_number": "<script>"}, "id_number"),
    ("id-100k", {"id_number": "A1" * 50_000}, "id_number"),
    ("id-missing", {"id_number": ""}, "id_number"),
    ("email-invalid", {"email": "fatima@"}, "email"),
    ("email-too-long", {"email": "a" * 250 + "@x.ma"}, "email"),
    ("delivery-unknown", {"delivery": "pigeon"}, "delivery"),
    ("requester-unknown", {"requester_type": "tourist"}, "requester_type"),
    ("id-type-unknown", {"id_type": "passport"}, "id_type"),
    ("urgent-no-reason", {"urgent": True, "urgency_reason": "  "}, "urgency_reason"),
    ("citizen-residence", {"id_type": "residence_card", "id_number": "QR1234567"}, "id_type"),
    ("subject-nul", {"subject": "budget\x00"}, "subject"),
    ("description-nul", {"description": "d\x00"}, "description"),
    ("id-nul", {"id_number": "ZX\x00987654"}, "id_number"),
    ("email-nul", {"email": "f\x00@example.test"}, "email"),
    ("delivery-nul", {"delivery": "email\x00"}, "delivery"),
]


def test_every_bad_field_is_a_400_with_its_detail_and_creates_nothing(subtests, accepting_a):
    for case, overrides, field in BAD_FIELDS:
        with subtests.test(case):
            response = post(FILE_URL.format(slug="commune-a"), body(**overrides))
            assert response.status_code == 400
            assert field in _fields(response)
            assert not InformationRequest.objects.exists()
            assert not OutboundEmail.objects.exists()
            assert not Event.objects.filter(action__startswith="information.").exists()


def test_an_empty_body_names_every_missing_field(accepting_a):
    response = post(FILE_URL.format(slug="commune-a"), {})
    assert response.status_code == 400
    assert _fields(response) >= {
        "requester_type",
        "first_name",
        "last_name",
        "id_type",
        "id_number",
        "address",
        "email",
        "subject",
        "description",
        "delivery",
    }
    assert not InformationRequest.objects.exists()


WRONG_TYPES: list[tuple[str, Any, bool]] = [
    ("urgent-yes-without-reason", body(urgent="yes"), False),
    ("urgent-maybe", body(urgent="maybe"), False),
    ("urgent-list", body(urgent=[True]), False),
    ("subject-list", body(subject=["a", "b"]), False),
    ("subject-object", body(subject={"ar": "x"}), False),
    ("subject-null", body(subject=None), False),
    ("id-number-int", body(id_number=98765432), False),
    ("email-bool", body(email=True), False),
    ("delivery-float", body(delivery=1.5), False),
    ("a-list", [body()], False),
    ("a-string", "a string", False),
    ("null", None, False),
    ("not-json", "{not json", True),
    ("binary", b"\xff\xfe\x00", True),
    ("3MB", json.dumps(body(description="x" * (3 * 1024 * 1024))), True),
]


def test_wrong_types_are_a_4xx_never_a_500(subtests, accepting_a):
    for case, data, raw in WRONG_TYPES:
        with subtests.test(case):
            response = post(FILE_URL.format(slug="commune-a"), data, raw=raw)
            assert 400 <= response.status_code < 500
            if response["Content-Type"].startswith("application/json"):  # an oversized
                assert "detail" in response.json()  # body is refused before the API
            assert not InformationRequest.objects.exists()
            assert not OutboundEmail.objects.exists()


def test_an_unknown_collectivity_is_404(accepting_a):
    response = post(FILE_URL.format(slug="nowhere"), body())
    assert response.status_code == 404
    assert "detail" in response.json()
    assert not InformationRequest.objects.exists()


def test_a_collectivity_that_does_not_accept_is_409(accepting_a, collectivity_b):
    response = post(FILE_URL.format(slug="commune-b"), body())
    assert response.status_code == 409
    assert response.json()["detail"]
    # Even with bad fields: the collectivity's refusal comes first, nothing is created.
    assert post(FILE_URL.format(slug="commune-b"), body(email="x")).status_code == 409
    assert not InformationRequest.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_officer_registers_a_paper_request_received_at_once(
    accepting_a, officer_a, officer_token
):
    response = post(FILE_URL.format(slug="commune-a"), body(), officer_token)
    assert response.status_code == 201
    data = response.json()
    filed = InformationRequest.objects.get()
    assert data["status"] == Status.IN_PROGRESS == filed.status
    today = timezone.localdate()
    assert filed.received_on == today
    assert data["due_date"] == filed.due_date.isoformat()  # type: ignore[union-attr]
    assert filed.due_date == due_date_compute(start=today, limit="ati.answer").due_date
    assert filed.created_by == officer_a
    assert Event.objects.filter(action="information.filed", actor=officer_a).exists()
    assert not OutboundEmail.objects.filter(key__contains=":requester:filed:").exists()


@pytest.mark.parametrize("who", ["charlie", "revoked", "garbage"])
def test_a_token_without_a_role_here_files_as_anyone(
    who, accepting_a, charlie, charlie_token, officer_a
):
    token = {"charlie": charlie_token, "garbage": "inf_nothing", "revoked": ""}[who]
    if who == "revoked":
        token, secret = api_token_create(user=officer_a, name="old")
        api_token_revoke(user=officer_a, token_id=token.pk)
        token = secret
    response = post(FILE_URL.format(slug="commune-a"), body(), token)
    assert response.status_code == 202
    filed = InformationRequest.objects.get()
    assert filed.status == Status.AWAITING_CONFIRMATION
    assert filed.created_by is None


# ---------------------------------------------------------------------- public view


def test_the_public_view(file_request, officer_a):
    request, _ = file_request()
    services.request_answer(request=request, actor=officer_a, text="Voici le budget.")
    response = get(PUBLIC_URL.format(reference=request.reference))
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= PUBLIC_KEYS
    assert not set(data) & IDENTITY_KEYS
    assert data["reference"] == request.reference
    assert data["collectivity"] == "commune-a"
    assert data["subject"] == request.subject
    assert data["status"] == Status.ANSWERED
    assert data["due_date"] == request.due_date.isoformat()  # type: ignore[union-attr]
    submitted = dt.datetime.fromisoformat(data["submitted_at"])
    assert abs(submitted - request.submitted_at) < dt.timedelta(milliseconds=1)
    assert data["answer"] == "Voici le budget."
    actions = [e["action"] for e in data["events"]]
    assert actions == ["information.filed", "information.confirm", "information.answer"]
    assert all(set(e) == {"at", "action", "from_state", "to_state"} for e in data["events"])
    text = response.content.decode()
    for secret in ("Fatima", "Zahra", "fatima@example.test", "Orangers", CLEAR_ID, "987654"):
        assert secret not in text


def test_the_public_view_shows_a_deemed_refusal(file_request):
    request, _ = file_request()
    assert request.due_date is not None
    assert get(PUBLIC_URL.format(reference=request.reference)).json()["is_deemed_refused"] is False
    with time_machine.travel(request.due_date + dt.timedelta(days=1), tick=True):
        data = get(PUBLIC_URL.format(reference=request.reference)).json()
    assert data["is_deemed_refused"] is True
    assert data["status"] == Status.IN_PROGRESS


def test_the_public_view_hides_a_personal_answer(file_request, officer_a):
    request, _ = file_request()
    services.request_answer(request=request, actor=officer_a, text="Votre dossier.", personal=True)
    data = get(PUBLIC_URL.format(reference=request.reference)).json()
    assert data["answer"] is None
    assert "Votre dossier." not in json.dumps(data, ensure_ascii=False)


def test_the_public_view_is_404_unless_public(file_request):
    unconfirmed, _ = file_request(confirm=False)
    private, _ = file_request(private=True)
    lapsed, _ = file_request(confirm=False)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=True):
        services.requests_sweep()
    assert _status(lapsed) == Status.LAPSED
    for reference in (unconfirmed.reference, private.reference, lapsed.reference, "ATI-0-0-0"):
        response = get(PUBLIC_URL.format(reference=reference))
        assert response.status_code == 404
        assert "detail" in response.json()


# ----------------------------------------------------------------------------- staff


@pytest.fixture
def published_document(collectivity_a: Collectivity, staff_for: Callable[[str], User]) -> Document:
    return document_publish(
        collectivity=collectivity_a,
        actor=staff_for(Role.PUBLICATION_EDITOR),
        category=Category.objects.get(code="communiques"),
        title_ar="ميزانية 2026",
        title_fr="Budget 2026",
        date=dt.date(2026, 2, 2),
        language="ar",
        upload=ContentFile(pdf_with_text("Budget 2026"), name="budget.pdf"),
    )


def test_staff_endpoints_need_a_token(file_request, officer_a):
    request, _ = file_request()
    revoked, secret = api_token_create(user=officer_a, name="old")
    api_token_revoke(user=officer_a, token_id=revoked.pk)
    url = STAFF_URL.format(reference=request.reference)
    for token in (None, "", "inf_unknown", secret, "Basic abc"):
        assert get(url, token).status_code == 401
        assert post(url + "/clarify", {"text": "?"}, token).status_code == 401
    basic = Client().get(url, HTTP_AUTHORIZATION="Basic b2ZmaWNlcjpwYXNz")
    assert basic.status_code == 401
    # A session is not a token.
    client = Client()
    client.force_login(officer_a)
    assert client.get(url).status_code == 401
    assert _status(request) == Status.IN_PROGRESS


def test_staff_view_shows_the_masked_number_only(file_request, officer_token):
    request, _ = file_request(id_number="zx-987 654")
    response = get(STAFF_URL.format(reference=request.reference), officer_token)
    assert response.status_code == 200
    data = response.json()
    assert data["id_number_masked"] == MASKED_ID
    assert data["requester_name"] == "Fatima Zahra"
    assert data["email"] == "fatima@example.test"
    text = response.content.decode()
    for spelling in (CLEAR_ID, "zx-987 654", "987654", request.id_number_encrypted):
        assert spelling not in text
    assert "id_number" not in data and "id_number_encrypted" not in data


STAFF_ACTIONS: dict[str, dict[str, Any]] = {
    "clarify": {"text": "?"},
    "extend": {"text": "r"},
    "answer": {"text": "a"},
    "refuse": {"reasons": ["not_held"], "reasoning": "r"},
    "transfer": {"collectivity": "commune-b", "note": "n"},
    "decide-complaint": {"decision": "upheld", "text": "d"},
}


def test_another_collectivitys_staff_gets_404_on_everything(
    file_request, charlie_token, accepting_b
):
    request, _ = file_request()
    assert get(STAFF_URL.format(reference=request.reference), charlie_token).status_code == 404
    for action, data in STAFF_ACTIONS.items():
        assert act(request, action, data, charlie_token).status_code == 404, action
    assert _status(request) == Status.IN_PROGRESS
    assert InformationRequest.objects.count() == 1


def test_an_unknown_reference_or_action_is_404(file_request, officer_token):
    request, _ = file_request()
    assert get(STAFF_URL.format(reference="ATI-0-0-0"), officer_token).status_code == 404
    assert act(request, "explode", {}, officer_token).status_code == 404
    assert _status(request) == Status.IN_PROGRESS


def test_staff_clarify_then_the_requester_replies(file_request, officer_token):
    request, _ = file_request()
    response = act(request, "clarify", {"text": "Quelle année ?"}, officer_token)
    assert response.status_code == 200
    assert response.json()["status"] == Status.CLARIFICATION
    assert response.json()["id_number_masked"] == MASKED_ID
    services.request_reply(request=request, text="2026.")
    assert _status(request) == Status.IN_PROGRESS


def test_staff_extend_once_before_expiry(file_request, officer_token):
    request, _ = file_request()
    due = request.due_date
    assert due is not None
    response = act(request, "extend", {"text": "Archives à consulter."}, officer_token)
    assert response.status_code == 200
    data = response.json()
    extended = due_date_compute(start=due, limit="ati.extension").due_date
    assert data["is_extended"] is True
    assert data["due_date"] == extended.isoformat()
    again = act(request, "extend", {"text": "Encore."}, officer_token)
    assert again.status_code == 409
    assert again.json()["detail"]
    request.refresh_from_db()
    assert request.due_date == extended


def test_staff_cannot_extend_after_expiry(file_request, officer_token):
    request, _ = file_request()
    assert request.due_date is not None
    with time_machine.travel(request.due_date + dt.timedelta(days=1), tick=True):
        response = act(request, "extend", {"text": "Tard."}, officer_token)
    assert response.status_code == 409
    request.refresh_from_db()
    assert not request.is_extended


def test_staff_answer_and_answer_twice(file_request, officer_token):
    request, _ = file_request()
    response = act(
        request, "answer", {"text": "Voici.", "link": "https://commune-a.ma/budget"}, officer_token
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.ANSWERED
    assert response.json()["answer"] == "Voici."
    request.refresh_from_db()
    assert request.answer_link == "https://commune-a.ma/budget"
    events = Event.objects.count()
    again = act(request, "answer", {"text": "Encore."}, officer_token)
    assert again.status_code == 409
    assert Event.objects.count() == events
    request.refresh_from_db()
    assert request.answer_text == "Voici."


def test_staff_partial_answer_with_a_published_document(
    file_request, officer_token, published_document
):
    request, _ = file_request()
    response = act(
        request,
        "answer",
        {"text": "En partie.", "partial": True, "document_id": published_document.pk},
        officer_token,
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Status.PARTIALLY_ANSWERED
    assert request.answer_document == published_document


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (["art7_private_life", "not_held", "not_held"], ["art7_private_life", "not_held"]),
        ("unclear", ["unclear"]),
    ],
)
def test_staff_refuse(reasons, expected, file_request, officer_token):
    request, _ = file_request()
    response = act(request, "refuse", {"reasons": reasons, "reasoning": "Motivé."}, officer_token)
    assert response.status_code == 200
    assert response.json()["refusal_reasons"] == expected
    assert _status(request) == Status.REFUSED


def test_staff_transfer(file_request, officer_token, collectivity_b, accepting_b):
    request, _ = file_request()
    response = act(
        request,
        "transfer",
        {"collectivity": "commune-b", "note": "Compétence de B."},
        officer_token,
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.TRANSFERRED
    new = InformationRequest.objects.get(collectivity=collectivity_b)
    assert new.status == Status.IN_PROGRESS
    request.refresh_from_db()
    assert request.transferred_to == new


def test_only_the_head_decides_a_complaint(file_request, officer_a, officer_token, head_token):
    request, _ = file_request()
    services.request_refuse(request=request, actor=officer_a, reasons=["unclear"], reasoning="?")
    services.request_complain(request=request, text="La demande est claire.")
    data = {"decision": "partly_upheld", "text": "En partie."}
    refused = act(request, "decide-complaint", data, officer_token)
    assert refused.status_code in {403, 404}
    assert _status(request) == Status.INTERNAL_COMPLAINT
    response = act(request, "decide-complaint", data, head_token)
    assert response.status_code == 200
    assert response.json()["status"] == Status.COMPLAINT_DECIDED
    assert act(request, "decide-complaint", data, head_token).status_code == 409


def test_an_action_the_state_forbids_is_a_409(
    subtests, file_request, officer_a, head_token, accepting_b
):
    request, _ = file_request()
    services.request_answer(request=request, actor=officer_a, text="Déjà répondu.")
    for action, data in STAFF_ACTIONS.items():
        with subtests.test(action):
            events = Event.objects.count()
            emails = OutboundEmail.objects.count()
            response = act(request, action, data, head_token)
            assert response.status_code == 409
            assert response.json()["detail"][0]["message"]
            assert _status(request) == Status.ANSWERED
            assert (Event.objects.count(), OutboundEmail.objects.count()) == (events, emails)
            assert InformationRequest.objects.count() == 1


STAFF_BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("clarify", {"text": ""}, "text"),
    ("clarify", {"text": "q" * 10_001}, "text"),
    ("clarify", {"text": "q\x00"}, "text"),
    ("extend", {"text": ""}, "reasons"),
    ("answer", {"text": ""}, "text"),
    ("answer", {"text": "a", "link": "javascript:alert(1)"}, "link"),
    ("answer", {"text": "a", "link": "https://commune-a.ma/a\x00b"}, "link"),
    ("answer", {"text": "a", "document_id": 999_999}, "document_id"),
    ("refuse", {"reasons": [], "reasoning": "r"}, "reasons"),
    ("refuse", {"reasons": ["because"], "reasoning": "r"}, "reasons"),
    ("refuse", {"reasons": ["not_held"], "reasoning": ""}, "reasoning"),
    ("refuse", {"reasons": ["already_published"], "reasoning": "Publié."}, "link"),
    ("transfer", {"collectivity": "nowhere", "note": "n"}, "collectivity"),
    ("transfer", {"collectivity": "commune-a", "note": "n"}, "to"),
    ("transfer", {"collectivity": "commune-b", "note": ""}, "note"),
    ("transfer", {"collectivity": "b\x00", "note": "n"}, "collectivity"),
    ("decide-complaint", {"decision": "maybe", "text": "d"}, "decision"),
    ("refuse", {"reasons": 5, "reasoning": "r"}, "payload.reasons"),
    ("answer", {"text": ["a"]}, "payload.text"),
    ("answer", {"text": "a", "document_id": "one"}, "payload.document_id"),
    ("answer", {"text": "a", "partial": "perhaps"}, "payload.partial"),
]


def test_bad_staff_input_is_a_400_with_detail(subtests, file_request, head_token, accepting_b):
    """(With the head's token, so that decide-complaint reaches its validation.)"""
    request, _ = file_request()
    for action, data, field in STAFF_BAD_INPUT:
        with subtests.test(action, field=field, data=str(data)[:60]):
            events = Event.objects.count()
            response = act(request, action, data, head_token)
            assert response.status_code == 400
            fields = _fields(response)
            assert any(name == field or name.startswith(field + ".") for name in fields), fields
            assert _status(request) == Status.IN_PROGRESS
            assert Event.objects.count() == events


def test_a_document_of_another_collectivity_is_refused(
    file_request, officer_token, collectivity_b, charlie
):
    request, _ = file_request()
    foreign = document_publish(
        collectivity=collectivity_b,
        actor=charlie,
        category=Category.objects.get(code="communiques"),
        title_ar="بلاغ",
        title_fr="Communiqué",
        date=dt.date(2026, 2, 2),
        language="ar",
        upload=ContentFile(pdf_with_text("B"), name="b.pdf"),
    )
    response = act(request, "answer", {"text": "a", "document_id": foreign.pk}, officer_token)
    assert response.status_code == 400
    assert "document_id" in _fields(response)
    assert _status(request) == Status.IN_PROGRESS


def test_a_nul_in_a_reference_is_a_404(file_request, officer_token):
    """(PostgreSQL refuses NUL in text: it must not reach the database.)"""
    file_request()
    assert get(PUBLIC_URL.format(reference="ATI%00")).status_code == 404
    assert get(STAFF_URL.format(reference="ATI%00"), officer_token).status_code == 404
    assert (
        post(
            STAFF_URL.format(reference="ATI%00") + "/clarify", {"text": "?"}, officer_token
        ).status_code
        == 404
    )


# --------------------------------------------------------------------------- OpenAPI


def test_the_openapi_schema_lists_the_endpoints(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    filing = paths["/api/v1/c/{slug}/information-requests"]["post"]
    assert {"201", "202", "400", "404", "409"} <= set(filing["responses"])
    assert "get" in paths["/api/v1/information-requests/{reference}"]
    staff_get = paths["/api/v1/staff/information-requests/{reference}"]["get"]
    staff_post = paths["/api/v1/staff/information-requests/{reference}/{action}"]["post"]
    for operation in (staff_get, staff_post):
        assert operation.get("security")
    assert {"400", "404", "409"} <= set(staff_post["responses"])
    for action in ("clarify", "extend", "answer", "refuse", "transfer", "decide-complaint"):
        assert action in staff_post["summary"] + staff_post.get("description", "")
