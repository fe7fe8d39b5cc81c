"""The pages of access to information, end to end through the test client, in /ar/ and /fr/.

Translations are not filled yet: assertions look at data, status codes and structure,
never at translated text. Public pages are cached for anonymous visitors and the cache is
made stale on commit, which a test transaction never reaches: `_anonymous_get` clears
the cache first (the cache's own invalidation is tested with the commit hooks run).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from django.contrib.messages import constants as message_levels
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import due_date_compute
from infitah.information import selectors, services
from infitah.information.models import Attachment, InformationRequest, InformationSettings
from infitah.information.tests.conftest import CLEAR_ID
from infitah.information.workflow import Status
from infitah.ledger.models import Event
from infitah.lib.tests.files import pdf_with_text
from infitah.notifications.models import OutboundEmail
from infitah.publication.models import Category, Document
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
# A Monday; every test starts then, so that dates and working days are reproducible.
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
MASKED_ID = "•••••654"
FORM_URL = "/{lang}/c/commune-a/information/request/"
STAFF = "/ar/staff/commune-a/information/"

FileRequest = Callable[..., tuple[InformationRequest, str]]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def officer_client(officer_a: User) -> Client:
    client = Client()
    client.force_login(officer_a)
    return client


@pytest.fixture
def head_client(head_a: User) -> Client:
    client = Client()
    client.force_login(head_a)
    return client


@pytest.fixture
def published_document(collectivity_a: Collectivity, staff_for: Callable[[str], User]) -> Document:
    """A document published by A (as in the publication tests)."""
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


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the request form; an override of None leaves the field out."""
    data: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": CLEAR_ID,
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026.",
        "delivery": "email",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _anonymous_get(url: str, **extra: Any) -> Any:
    cache.clear()
    return Client().get(url, **extra)


def _messages(response: Any) -> list[int]:
    return [m.level for m in response.context["messages"]]


def _track_url(token: str, lang: str = "ar") -> str:
    return f"/{lang}/information/track/{token}/"


def _staff_detail(request: InformationRequest) -> str:
    return f"{STAFF}{request.reference}/"


def _staff_action(request: InformationRequest, action: str) -> str:
    return f"{STAFF}{request.reference}/{action}/"


def _status(request: InformationRequest) -> str:
    request.refresh_from_db()
    return request.status


# ---------------------------------------------------------------------------- filing


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_form_page_is_served_in_both_languages(lang, direction, accepting_a):
    response = Client().get(FORM_URL.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    for name in ("requester_type", "first_name", "id_number", "email", "delivery", "consent"):
        assert f'name="{name}"' in html
    assert "A-RA-123/2026" in html  # the CNDP authorisation in the data notice


def test_filing_then_confirming_only_by_post(accepting_a):
    client = Client()
    response = client.post(FORM_URL.format(lang="ar"), form_data())
    assert response.status_code == 302
    filed = InformationRequest.objects.get()
    assert filed.status == Status.AWAITING_CONFIRMATION
    assert filed.language == "ar"
    assert filed.received_on is None and filed.due_date is None
    token_path = response["Location"]
    assert re.fullmatch(r"/ar/information/track/[\w-]+/", token_path)
    assert services.request_by_token(token_path.split("/")[-2]) == filed
    # The tracking page works at once.
    assert client.get(token_path).status_code == 200

    # The e-mail carries the confirmation link, and only the e-mail does.
    email = OutboundEmail.objects.get(to="fatima@example.test")
    links = re.findall(r"https?://\S+/information/confirm/[\w-]+/", email.body)
    assert len(links) == 1
    confirm_path = urlparse(links[0]).path
    assert confirm_path.startswith("/ar/information/confirm/")
    assert [m.to for m in mail.outbox] == [["fatima@example.test"]]
    assert confirm_path not in client.get(token_path).content.decode()
    # The tracking token is not the confirmation token.
    assert client.post(token_path.replace("/track/", "/confirm/")).status_code == 404

    # A GET (an e-mail scanner following the link) changes nothing.
    events, emails = Event.objects.count(), OutboundEmail.objects.count()
    for _ in range(3):
        page = Client().get(confirm_path)
        assert page.status_code == 200
        assert "<form" in page.content.decode() and 'method="post"' in page.content.decode()
    assert _status(filed) == Status.AWAITING_CONFIRMATION
    assert (Event.objects.count(), OutboundEmail.objects.count()) == (events, emails)
    assert not Deadline.objects.exists()

    # The POST confirms: received today, due by the calendar.
    confirmed = Client().post(confirm_path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == token_path
    filed.refresh_from_db()
    today = timezone.localdate()
    assert today == dt.date(2026, 3, 2)
    assert filed.status == Status.IN_PROGRESS
    assert filed.received_on == today
    assert filed.due_date == due_date_compute(start=today, limit="ati.answer").due_date
    deadline = Deadline.objects.get(status=DeadlineStatus.OPEN)
    assert deadline.limit.code == "ati.answer"
    assert deadline.due_date == InformationRequest.objects.get().due_date
    # The link is spent.
    assert Client().post(confirm_path).status_code == 404
    assert Client().get(confirm_path).status_code == 404


def test_an_urgent_request_filed_in_french_is_due_by_the_urgent_limit(accepting_a):
    response = Client().post(
        FORM_URL.format(lang="fr"),
        form_data(urgent="on", urgency_reason="Une famille est menacée d'expulsion demain."),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/information/track/")
    filed = InformationRequest.objects.get()
    assert filed.language == "fr" and filed.is_urgent
    link = re.search(r"https?://\S+/information/confirm/[\w-]+/", OutboundEmail.objects.get().body)
    assert link is not None
    assert urlparse(link.group(0)).path.startswith("/fr/")
    assert Client().post(urlparse(link.group(0)).path).status_code == 302
    filed.refresh_from_db()
    today = timezone.localdate()
    assert filed.due_date == due_date_compute(start=today, limit="ati.urgent").due_date
    assert filed.due_date < due_date_compute(start=today, limit="ati.answer").due_date


def test_the_private_box_keeps_the_request_off_the_register(accepting_a):
    response = Client().post(FORM_URL.format(lang="ar"), form_data(private="on"))
    assert response.status_code == 302
    assert InformationRequest.objects.get().is_private


def test_references_are_gapless_per_collectivity_and_year(accepting_a, accepting_b):
    client = Client()
    assert client.post(FORM_URL.format(lang="ar"), form_data(email="bad")).status_code == 400
    assert client.post(FORM_URL.format(lang="ar"), form_data(consent=None)).status_code == 400
    for slug in ("commune-a", "commune-b", "commune-a"):
        assert client.post(f"/ar/c/{slug}/information/request/", form_data()).status_code == 302
    # 23:30 UTC on 31 December is already 2027 in Casablanca (UTC+1).
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        assert client.post(FORM_URL.format(lang="ar"), form_data()).status_code == 302
    numbers = {
        (r.collectivity.slug, r.year, r.number, r.reference)
        for r in InformationRequest.objects.select_related("collectivity")
    }
    # Neither commune has an official code: the key is the slug, upper-cased, set once.
    assert numbers == {
        ("commune-a", 2026, 1, "ATI-2026-COMMUNE-A-000001"),
        ("commune-b", 2026, 1, "ATI-2026-COMMUNE-B-000001"),
        ("commune-a", 2026, 2, "ATI-2026-COMMUNE-A-000002"),
        ("commune-a", 2027, 1, "ATI-2027-COMMUNE-A-000001"),
    }
    keys = dict(Collectivity.objects.values_list("slug", "reference_key"))
    assert (keys["commune-a"], keys["commune-b"]) == ("COMMUNE-A", "COMMUNE-B")


def test_what_a_requester_types_is_shown_escaped(file_request, officer_client):
    request, token = file_request(
        subject="<script>alert('s')</script>", description="<img src=x onerror=alert(1)>"
    )
    for response in (
        _anonymous_get(f"/ar/information/r/{request.reference}/"),
        _anonymous_get("/ar/information/"),
        Client().get(_track_url(token)),
        officer_client.get(_staff_detail(request)),
        officer_client.get(STAFF),
    ):
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("subject-201", {"subject": "s" * 201}, "subject"),
    ("description-10001", {"description": "d" * 10_001}, "description"),
    ("first-name-101", {"first_name": "f" * 101}, "first_name"),
    ("last-name-101", {"last_name": "l" * 101}, "last_name"),
    ("address-301", {"address": "a" * 301}, "address"),
    ("id-digits-only", {"id_number": "123"}, "id_number"),
    ("id-too-many-digits", {"id_number": "AB-12-34-56-78-90"}, "id_number"),
    ("id-script", {"id_number": "<script>"}, "id_number"),
    ("id-21-chars", {"id_number": "A" * 21}, "id_number"),
    ("id-missing", {"id_number": ""}, "id_number"),
    ("email-invalid", {"email": "fatima@"}, "email"),
    ("email-spaces", {"email": "not an e-mail"}, "email"),
    ("email-too-long", {"email": "a" * 250 + "@x.ma"}, "email"),
    ("delivery-unknown", {"delivery": "pigeon"}, "delivery"),
    ("delivery-missing", {"delivery": None}, "delivery"),
    ("requester-unknown", {"requester_type": "tourist"}, "requester_type"),
    ("id-type-unknown", {"id_type": "passport"}, "id_type"),
    ("urgent-no-reason", {"urgent": "on", "urgency_reason": ""}, "urgency_reason"),
    ("citizen-residence", {"id_type": "residence_card", "id_number": "QR1234567"}, "id_type"),
    ("foreigner-cin", {"requester_type": "foreign_resident", "id_type": "cin"}, "id_type"),
    ("consent-missing", {"consent": None}, "consent"),
    ("subject-nul", {"subject": "budget\x00"}, "subject"),
    ("name-nul", {"first_name": "Fat\x00ima"}, "first_name"),
    ("id-nul", {"id_number": "ZX\x00987654"}, "id_number"),
    ("email-nul", {"email": "fatima\x00@example.test"}, "email"),
    ("delivery-nul", {"delivery": "email\x00"}, "delivery"),
    ("subject-blank", {"subject": "   "}, "subject"),
]


def test_every_bad_field_is_a_form_error_and_creates_nothing(subtests, accepting_a):
    """Each bad field, in Arabic and in French: a 400 naming the field, nothing created."""
    for lang in ("ar", "fr"):
        for case, overrides, field in BAD_FIELDS:
            with subtests.test(case, lang=lang):
                response = Client().post(FORM_URL.format(lang=lang), form_data(**overrides))
                assert response.status_code == 400
                form = response.context["form"]
                assert field in form.errors, form.errors
                assert all(str(message) for message in form.errors[field])
                html = response.content.decode()
                assert 'role="alert"' in html
                assert "<script>" not in html
                assert not InformationRequest.objects.exists()
                assert not OutboundEmail.objects.exists()
                assert mail.outbox == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"description": "x" * (3 * 1024 * 1024)}, id="3MB-field"),
        pytest.param({f"field{i}": "x" for i in range(2_000)}, id="2000-fields"),
    ],
)
def test_a_huge_post_is_refused_without_a_server_error(body, accepting_a):
    response = Client().post(FORM_URL.format(lang="ar"), form_data(**body))
    assert response.status_code == 400
    assert not InformationRequest.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_post_that_is_not_a_form_is_refused(accepting_a):
    client = Client()
    for body, content_type in (
        (b"\x00\xff" * 1000, "application/octet-stream"),
        (b'{"subject": "x"}', "application/json"),
        (b"--broken\r\n\x00", "multipart/form-data; boundary=broken"),
    ):
        response = client.post(FORM_URL.format(lang="ar"), body, content_type=content_type)
        assert response.status_code == 400
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("cndp", [None, "", "   "])
def test_a_collectivity_without_cndp_authorisation_takes_no_request(
    cndp, collectivity_b, accepting_a
):
    if cndp is not None:
        InformationSettings.objects.create(collectivity=collectivity_b, cndp_authorisation=cndp)
    page = Client().get("/ar/c/commune-b/information/request/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="alert"' in html
    assert 'name="id_number"' not in html
    response = Client().post("/ar/c/commune-b/information/request/", form_data())
    assert response.status_code == 409
    assert not InformationRequest.objects.exists()
    assert not OutboundEmail.objects.exists()
    # Its module page explains too, and offers no form link.
    home = _anonymous_get("/ar/c/commune-b/information/")
    assert home.status_code == 200
    assert "/ar/c/commune-b/information/request/" not in home.content.decode()


def test_the_collectivity_page_links_the_module_only_when_accepting(
    collectivity_a, collectivity_b, accepting_a
):
    a = _anonymous_get("/ar/c/commune-a/").content.decode()
    b = _anonymous_get("/ar/c/commune-b/").content.decode()
    assert 'href="/ar/c/commune-a/information/"' in a
    assert "/information/" not in b
    home = _anonymous_get("/ar/c/commune-a/information/").content.decode()
    assert 'href="/ar/c/commune-a/information/request/"' in home


def test_recording_the_cndp_authorisation_shows_the_module_on_the_cached_collectivity_page(
    collectivity_a, head_a, django_capture_on_commit_callbacks
):
    cache.clear()
    before = Client().get("/ar/c/commune-a/")  # an anonymous visit fills the page cache
    assert "/ar/c/commune-a/information/" not in before.content.decode()
    client = Client()
    client.force_login(head_a)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            "/ar/staff/commune-a/information/settings/",
            {"cndp_authorisation": "A-RA-999/2026", "clarification_clock": "run"},
        )
    assert saved.status_code == 302
    assert selectors.is_accepting(collectivity_a)
    # Rendered afresh (a signed-in visitor skips the page cache), the page has the link:
    assert 'href="/ar/c/commune-a/information/"' in client.get("/ar/c/commune-a/").content.decode()
    after = Client().get("/ar/c/commune-a/")
    assert 'href="/ar/c/commune-a/information/"' in after.content.decode()


def test_the_register_page_follows_a_change_once_it_commits(
    file_request, officer_a, django_capture_on_commit_callbacks
):
    request, _ = file_request()
    url = "/ar/c/commune-a/information/register/"
    cache.clear()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.request_answer(request=request, actor=officer_a, text="Voici le budget.")
    fresh = Client().get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.context["stats"].answered == 1


# -------------------------------------------------------------------------- tracking


def test_the_tracking_page_needs_the_secret_and_is_never_cached(file_request):
    request, token = file_request()
    for lang in ("ar", "fr"):
        response = Client().get(_track_url(token, lang))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] in {"no-referrer", "same-origin"}
        assert request.reference in response.content.decode()
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "x" * 101):
        assert Client().get(_track_url(wrong)).status_code == 404
        assert Client().post(_track_url(wrong) + "withdraw/").status_code == 404
        assert Client().get(f"/ar/information/track/{wrong}/receipt.pdf").status_code == 404


def test_the_requester_replies_to_a_clarification(file_request, officer_a):
    request, token = file_request()
    client = Client()
    # Not asked: 409 and an error message, nothing changes.
    refused = client.post(_track_url(token) + "reply/", {"text": "Voici."})
    assert refused.status_code == 409
    assert message_levels.ERROR in _messages(refused)
    assert _status(request) == Status.IN_PROGRESS
    services.request_clarify(request=request, actor=officer_a, text="Quelle année ?")
    page = client.get(_track_url(token))
    assert 'id="id_reply_text"' in page.content.decode()
    empty = client.post(_track_url(token) + "reply/", {"text": "  "})
    assert empty.status_code == 400
    assert _status(request) == Status.CLARIFICATION
    done = client.post(_track_url(token) + "reply/", {"text": "L'année 2026."})
    assert done.status_code == 302 and done["Location"] == _track_url(token)
    assert _status(request) == Status.IN_PROGRESS
    assert request.messages.filter(kind="clarification_reply", from_citizen=True).exists()


def test_the_requester_withdraws(file_request):
    request, token = file_request()
    client = Client()
    assert client.get(_track_url(token) + "withdraw/").status_code == 405
    assert client.post(_track_url(token) + "fly/").status_code == 404
    done = client.post(_track_url(token) + "withdraw/", {"text": ""})
    assert done.status_code == 302
    assert _status(request) == Status.WITHDRAWN
    assert not Deadline.objects.filter(status=DeadlineStatus.OPEN).exists()
    again = client.post(_track_url(token) + "withdraw/", {"text": ""})
    assert again.status_code == 409
    assert message_levels.ERROR in _messages(again)


def test_a_complaint_before_the_due_date_is_refused(file_request):
    request, token = file_request()
    response = Client().post(_track_url(token) + "complain/", {"text": "Pas de réponse."})
    assert response.status_code == 409
    assert message_levels.ERROR in _messages(response)
    assert _status(request) == Status.IN_PROGRESS
    assert not request.messages.exists()


def test_a_complaint_once_deemed_refused(file_request):
    request, token = file_request()
    assert request.due_date is not None
    with time_machine.travel(request.due_date + dt.timedelta(days=1), tick=True):
        page = Client().get(_track_url(token))
        assert page.context["deemed_refused"] and page.context["can_complain"]
        response = Client().post(_track_url(token) + "complain/", {"text": "Aucune réponse."})
        assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.INTERNAL_COMPLAINT
    assert request.deemed_refused_on == request.due_date + dt.timedelta(days=1)
    assert request.complaint_due_date is not None


def test_a_complaint_after_a_refusal_within_and_after_the_window(file_request, officer_a):
    on_time, token_on_time = file_request()
    late, token_late = file_request()
    for request in (on_time, late):
        services.request_refuse(
            request=request, actor=officer_a, reasons=["not_held"], reasoning="Non détenue."
        )
    assert Client().post(_track_url(token_on_time) + "complain/", {"text": ""}).status_code == 400
    assert (
        Client().post(_track_url(token_on_time) + "complain/", {"text": "Je conteste."}).status_code
        == 302
    )
    on_time.refresh_from_db()
    assert on_time.status == Status.INTERNAL_COMPLAINT
    today = timezone.localdate()
    assert on_time.complaint_on == today
    assert on_time.complaint_due_date == (
        due_date_compute(start=today, limit="ati.head_answer").due_date
    )
    late.refresh_from_db()
    assert late.answered_on is not None
    end = due_date_compute(start=late.answered_on, limit="ati.internal_complaint").due_date
    with time_machine.travel(end + dt.timedelta(days=1), tick=True):
        page = Client().get(_track_url(token_late))
        assert not page.context["can_complain"]
        response = Client().post(_track_url(token_late) + "complain/", {"text": "Je conteste."})
    assert response.status_code == 409
    assert message_levels.ERROR in _messages(response)
    assert _status(late) == Status.REFUSED


def test_attachments_download_only_through_the_right_link(file_request, officer_client):
    request, token = file_request()
    other, other_token = file_request(email="other@example.test")
    content = pdf_with_text("Budget detail")
    response = officer_client.post(
        _staff_action(request, "answer"),
        {"text": "Voici le budget.", "attachments": [SimpleUploadedFile("budget.pdf", content)]},
    )
    assert response.status_code == 302
    item = Attachment.objects.get()
    own = Client().get(f"/ar/information/track/{token}/files/{item.pk}")
    assert own.status_code == 200
    assert own.getvalue() == content
    assert "no-store" in own["Cache-Control"]
    assert Client().get(f"/ar/information/track/{other_token}/files/{item.pk}").status_code == 404
    assert Client().get(f"/ar/information/track/{token}/files/{item.pk + 1}").status_code == 404
    # On the public register, as the answer is public.
    public = Client().get(f"/ar/information/r/{request.reference}/files/{item.pk}")
    assert public.status_code == 200
    assert Client().get(f"/ar/information/r/{other.reference}/files/{item.pk}").status_code == 404


def test_a_personal_answers_files_are_not_public(file_request, officer_client):
    request, token = file_request()
    response = officer_client.post(
        _staff_action(request, "answer"),
        {
            "text": "Votre dossier.",
            "personal": "on",
            "attachments": [SimpleUploadedFile("dossier.pdf", pdf_with_text("Dossier"))],
        },
    )
    assert response.status_code == 302
    item = Attachment.objects.get()
    assert Client().get(f"/ar/information/track/{token}/files/{item.pk}").status_code == 200
    public = f"/ar/information/r/{request.reference}/files/{item.pk}"
    assert _anonymous_get(public).status_code == 404
    detail = _anonymous_get(f"/ar/information/r/{request.reference}/").content.decode()
    assert "dossier.pdf" not in detail and "Votre dossier." not in detail


@pytest.mark.pdf
def test_the_receipt_is_a_private_pdf(file_request):
    """(The case file's route is the same; test_privacy downloads case files.)"""
    request, token = file_request()
    response = Client().get(f"/ar/information/track/{token}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    assert request.reference in response["Content-Disposition"]
    assert Client().get("/ar/information/track/nope/file.pdf").status_code == 404


def test_after_the_heads_decision_the_page_explains_the_cdai_and_the_court(
    file_request, officer_a, head_a
):
    request, token = file_request()
    services.request_refuse(request=request, actor=officer_a, reasons=["unclear"], reasoning="?")
    services.request_complain(request=request, text="Elle est claire.")
    page = Client().get(_track_url(token))
    assert page.context["appeal"] == []  # the head still has time
    services.request_decide_complaint(
        request=request, actor=head_a, decision="rejected", text="Maintenue."
    )
    page = Client().get(_track_url(token))
    today = timezone.localdate()
    cdai = due_date_compute(start=today, limit="ati.cdai_complaint").due_date
    decision = due_date_compute(start=cdai, limit="ati.cdai_decision").due_date
    court = due_date_compute(start=decision, limit="ati.court_appeal").due_date
    steps = [(s.code, s.start, s.end) for s in page.context["appeal"]]
    assert steps == [
        ("cdai_complaint", today, cdai),
        ("cdai_decision", cdai, decision),
        ("court_appeal", decision, court),
    ]
    assert f"/ar/information/track/{token}/file.pdf" in page.content.decode()


def test_the_heads_silence_opens_the_way_to_the_cdai(file_request, officer_a):
    request, token = file_request()
    services.request_refuse(request=request, actor=officer_a, reasons=["unclear"], reasoning="?")
    services.request_complain(request=request, text="Elle est claire.")
    request.refresh_from_db()
    assert request.complaint_due_date is not None
    with time_machine.travel(request.complaint_due_date + dt.timedelta(days=1), tick=True):
        steps = Client().get(_track_url(token)).context["appeal"]
    assert [s.code for s in steps] == ["cdai_complaint", "cdai_decision", "court_appeal"]
    assert steps[0].start == request.complaint_due_date


def test_the_officers_and_the_desk_are_published(accepting_a, officer_a, head_a):
    officer_a.full_name = "Nadia Bennani"
    officer_a.save()
    accepting_a.desk_phone = "+212 528 00 00 00"
    accepting_a.save()
    html = _anonymous_get("/ar/c/commune-a/information/").content.decode()
    assert "Nadia Bennani" in html
    assert "info@commune-a.test" in html and "+212 528 00 00 00" in html
    assert head_a.email not in html and officer_a.email not in html


# ----------------------------------------------------------------------------- staff


def test_staff_list_filters(file_request, officer_a, officer_client):
    open_request, _ = file_request()
    unconfirmed, _ = file_request(confirm=False)
    answered, _ = file_request()
    services.request_answer(request=answered, actor=officer_a, text="Voici.")
    complained, _ = file_request()
    services.request_refuse(
        request=complained, actor=officer_a, reasons=["unclear"], reasoning="Imprécise."
    )
    services.request_complain(request=complained, text="Je conteste.")
    expected = {
        "open": {open_request},
        "unconfirmed": {unconfirmed},
        "complaints": {complained},
        "closed": {answered},
        "all": {open_request, unconfirmed, answered, complained},
        "nonsense": {open_request},
    }
    everyone = expected["all"]
    for state, shown in expected.items():
        response = officer_client.get(STAFF, {"state": state})
        assert response.status_code == 200
        html = response.content.decode()
        for request in everyone:
            assert (f">{request.reference}<" in html) is (request in shown), (state, request)
    # Open requests come soonest due first.
    urgent, _ = file_request(urgent=True, urgency_reason="Expulsion demain.")
    rows = officer_client.get(STAFF).context["rows"]
    assert [r.reference for r, _deemed in rows] == [urgent.reference, open_request.reference]


def test_complaints_come_soonest_due_first(file_request, officer_a, officer_client):
    early_filed, _ = file_request()
    with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=CASABLANCA), tick=True):
        late_filed, _ = file_request(email="other@example.test")
        services.request_refuse(
            request=late_filed, actor=officer_a, reasons=["unclear"], reasoning="?"
        )
        services.request_complain(request=late_filed, text="Elle est claire.")
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=CASABLANCA), tick=True):
        services.request_refuse(
            request=early_filed, actor=officer_a, reasons=["unclear"], reasoning="?"
        )
        services.request_complain(request=early_filed, text="Elle est claire.")
        officer_client.force_login(officer_a)
        rows = officer_client.get(STAFF, {"state": "complaints"}).context["rows"]
    early_filed.refresh_from_db()
    late_filed.refresh_from_db()
    assert early_filed.due_date < late_filed.due_date  # type: ignore[operator]
    assert late_filed.complaint_due_date < early_filed.complaint_due_date  # type: ignore[operator]
    assert [r.reference for r, _deemed in rows] == [late_filed.reference, early_filed.reference]


def test_the_settings_link_is_shown_only_to_who_may_open_it(officer_client, head_client):
    settings_url = f"{STAFF}settings/"
    assert head_client.get(settings_url).status_code == 200
    assert f'href="{settings_url}"' in head_client.get(STAFF).content.decode()
    assert officer_client.get(settings_url).status_code == 404
    assert f'href="{settings_url}"' not in officer_client.get(STAFF).content.decode()


def test_staff_detail_shows_the_masked_number_never_the_clear_one(
    file_request, officer_client, staff_a
):
    request, _ = file_request(id_number="zx 987-654")
    every_role = Client()
    every_role.force_login(staff_a)
    for client in (officer_client, every_role):
        response = client.get(_staff_detail(request))
        assert response.status_code == 200
        html = response.content.decode()
        assert MASKED_ID in html
        assert CLEAR_ID not in html and "987654" not in html and "zx 987-654" not in html
        assert "Fatima Zahra" in html  # officers see the name
    redirect = officer_client.get(f"{STAFF}id/{request.pk}/")
    assert redirect.status_code == 302 and redirect["Location"].endswith(_staff_detail(request))
    assert officer_client.get(f"{STAFF}id/{request.pk + 100}/").status_code == 404
    assert officer_client.get(f"{STAFF}ATI-0000-0-000000/").status_code == 404


def test_staff_clarify(file_request, officer_client):
    request, _ = file_request()
    mail.outbox.clear()
    response = officer_client.post(_staff_action(request, "clarify"), {"text": "Quelle année ?"})
    assert response.status_code == 302
    assert response["Location"] == _staff_detail(request)
    assert _status(request) == Status.CLARIFICATION
    assert [m.to for m in mail.outbox] == [["fatima@example.test"]]
    again = officer_client.post(_staff_action(request, "clarify"), {"text": "Et le mois ?"})
    assert again.status_code == 409
    assert message_levels.ERROR in _messages(again)
    assert request.messages.count() == 1


def test_staff_extend_once_before_expiry(file_request, officer_client):
    request, _ = file_request()
    due = request.due_date
    assert due is not None
    empty = officer_client.post(_staff_action(request, "extend"), {"reasons": ""})
    assert empty.status_code == 400
    assert "reasons" in empty.context["forms"]["extend"].errors
    request.refresh_from_db()
    assert (request.due_date, request.is_extended) == (due, False)
    response = officer_client.post(
        _staff_action(request, "extend"), {"reasons": "Documents aux archives."}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.is_extended
    assert request.due_date == due_date_compute(start=due, limit="ati.extension").due_date
    again = officer_client.post(_staff_action(request, "extend"), {"reasons": "Encore."})
    assert again.status_code == 409
    assert message_levels.ERROR in _messages(again)
    request.refresh_from_db()
    assert request.due_date == due_date_compute(start=due, limit="ati.extension").due_date


def test_with_the_restart_clock_a_clarification_suspends_the_period(
    file_request, officer_client, accepting_a
):
    accepting_a.clarification_clock = "restart"
    accepting_a.save()
    request, token = file_request()
    response = officer_client.post(_staff_action(request, "clarify"), {"text": "Quelle année ?"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.due_date is None
    assert not Deadline.objects.filter(status=DeadlineStatus.OPEN).exists()
    assert not officer_client.get(_staff_detail(request)).context["actions"]["extend"]
    assert (
        officer_client.post(_staff_action(request, "extend"), {"reasons": "r"}).status_code == 409
    )
    wednesday = dt.datetime(2026, 3, 4, 10, tzinfo=CASABLANCA)
    with time_machine.travel(wednesday, tick=True):
        assert Client().post(_track_url(token) + "reply/", {"text": "2026."}).status_code == 302
    request.refresh_from_db()
    expected = due_date_compute(start=wednesday.date(), limit="ati.answer").due_date
    assert request.due_date == expected
    assert [d.due_date for d in Deadline.objects.filter(status=DeadlineStatus.OPEN)] == [expected]


def test_with_the_default_clock_the_period_runs_during_a_clarification(
    file_request, officer_client
):
    request, _ = file_request()
    due = request.due_date
    assert officer_client.post(_staff_action(request, "clarify"), {"text": "?"}).status_code == 302
    request.refresh_from_db()
    assert request.due_date == due
    assert Deadline.objects.get(status=DeadlineStatus.OPEN).due_date == due


def test_staff_cannot_extend_after_expiry(file_request, officer_a):
    request, _ = file_request()
    assert request.due_date is not None
    with time_machine.travel(request.due_date + dt.timedelta(days=1), tick=True):
        officer_client = Client()
        officer_client.force_login(officer_a)  # the session of the first day has expired
        detail = officer_client.get(_staff_detail(request))
        assert not detail.context["actions"]["extend"]
        response = officer_client.post(_staff_action(request, "extend"), {"reasons": "Tard."})
    assert response.status_code == 409
    request.refresh_from_db()
    assert not request.is_extended


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("réponse.pdf", pdf_with_text("Budget 2026"), "application/pdf"),
        ("plan.png", png_bytes(), "image/png"),
    ],
)
def test_staff_answer_with_a_file(name, content, content_type, file_request, officer_client):
    request, _ = file_request()
    response = officer_client.post(
        _staff_action(request, "answer"),
        {"text": "Voici le document.", "attachments": [SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert request.answered_on == timezone.localdate() and not request.is_answered_late
    item = Attachment.objects.get(case=request)
    assert item.content_type == content_type
    assert item.size == len(content)
    with item.file.open("rb") as stored:
        assert stored.read() == content
    assert not Deadline.objects.filter(status=DeadlineStatus.OPEN).exists()


def test_staff_answer_refuses_a_disguised_file(file_request, officer_client):
    request, _ = file_request()
    response = officer_client.post(
        _staff_action(request, "answer"),
        {
            "text": "Voici.",
            "attachments": [SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 200)],
        },
    )
    assert response.status_code == 400
    assert _status(request) == Status.IN_PROGRESS
    assert not Attachment.objects.exists()


def test_staff_partial_answer_with_a_published_document(
    file_request, officer_client, published_document
):
    request, token = file_request()
    response = officer_client.post(
        _staff_action(request, "answer"),
        {"text": "Le budget est publié.", "document": published_document.pk, "partial": "on"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.PARTIALLY_ANSWERED
    assert request.answer_document == published_document
    document_url = f"/ar/c/commune-a/documents/{published_document.pk}/"
    assert document_url in Client().get(_track_url(token)).content.decode()
    assert (
        document_url in _anonymous_get(f"/ar/information/r/{request.reference}/").content.decode()
    )


def test_staff_answer_with_another_collectivitys_document_is_refused(
    file_request, officer_client, collectivity_b
):
    request, _ = file_request()
    editor_b = User.objects.create_user(email="editor-b@example.test", password="x-123456789")
    Membership.objects.create(user=editor_b, collectivity=collectivity_b, role=Role.ADMIN)
    foreign = document_publish(
        collectivity=collectivity_b,
        actor=editor_b,
        category=Category.objects.get(code="communiques"),
        title_ar="بلاغ",
        title_fr="Communiqué",
        date=dt.date(2026, 2, 2),
        language="ar",
        upload=ContentFile(pdf_with_text("B"), name="b.pdf"),
    )
    response = officer_client.post(
        _staff_action(request, "answer"), {"text": "Voici.", "document": foreign.pk}
    )
    assert response.status_code == 400
    assert "document" in response.context["forms"]["answer"].errors
    assert _status(request) == Status.IN_PROGRESS


def test_staff_refuse_with_several_grounds(file_request, officer_client):
    request, token = file_request()
    response = officer_client.post(
        _staff_action(request, "refuse"),
        {
            "reasons": ["art7_private_life", "not_held"],
            "reasoning": "Données personnelles de tiers ; le reste n'est pas détenu.",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.REFUSED
    assert request.refusal_reasons == ["art7_private_life", "not_held"]
    assert Client().get(_track_url(token)).context["can_complain"]


def test_staff_refuse_as_already_published_with_its_link(file_request, officer_client):
    request, _ = file_request()
    response = officer_client.post(
        _staff_action(request, "refuse"),
        {
            "reasons": ["already_published"],
            "reasoning": "Publié au bulletin officiel.",
            "link": "https://www.sgg.gov.ma/bo.pdf",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answer_link == "https://www.sgg.gov.ma/bo.pdf"


def test_staff_transfer_to_the_competent_collectivity(
    file_request, officer_client, collectivity_b, accepting_b
):
    request, _ = file_request()
    refused = officer_client.post(
        _staff_action(request, "transfer"), {"to": "commune-a", "note": "Ailleurs."}
    )
    assert refused.status_code == 400
    assert "to" in refused.context["forms"]["transfer"].errors
    response = officer_client.post(
        _staff_action(request, "transfer"), {"to": "commune-b", "note": "Compétence de B."}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.TRANSFERRED
    new = InformationRequest.objects.get(collectivity=collectivity_b)
    assert request.transferred_to == new
    assert new.status == Status.IN_PROGRESS
    assert new.received_on == timezone.localdate()
    assert new.id_number_hash == request.id_number_hash
    assert new.reference != request.reference
    # The requester gets the new follow-up link.
    assert OutboundEmail.objects.filter(key__startswith=f"ati:{new.pk}:requester:received").exists()
    # A's officers do not see B's request.
    assert officer_client.get(f"{STAFF}{new.reference}/").status_code == 404
    assert (
        officer_client.get(f"/ar/staff/commune-b/information/{new.reference}/").status_code == 404
    )


def test_staff_transfer_to_a_collectivity_that_does_not_accept(
    file_request, officer_client, collectivity_b
):
    request, _ = file_request()
    response = officer_client.post(
        _staff_action(request, "transfer"), {"to": "commune-b", "note": "Compétence de B."}
    )
    assert response.status_code == 400
    assert _status(request) == Status.IN_PROGRESS
    assert InformationRequest.objects.count() == 1


def test_only_the_head_decides_a_complaint(file_request, officer_a, officer_client, head_client):
    request, _ = file_request()
    services.request_refuse(
        request=request, actor=officer_a, reasons=["unclear"], reasoning="Imprécise."
    )
    services.request_complain(request=request, text="La demande est claire.")
    detail = officer_client.get(_staff_detail(request))
    assert not detail.context["actions"]["decide"]
    data = {"decision": "upheld", "text": "L'information sera donnée."}
    assert officer_client.post(_staff_action(request, "decide"), data).status_code == 403
    assert _status(request) == Status.INTERNAL_COMPLAINT
    assert head_client.get(_staff_detail(request)).context["actions"]["decide"]
    bad = head_client.post(_staff_action(request, "decide"), {"decision": "maybe", "text": "x"})
    assert bad.status_code == 400
    assert _status(request) == Status.INTERNAL_COMPLAINT
    done = head_client.post(_staff_action(request, "decide"), data)
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.COMPLAINT_DECIDED
    assert request.complaint_decision == "upheld"
    again = head_client.post(_staff_action(request, "decide"), data)
    assert again.status_code == 409


def test_an_action_the_state_forbids_is_a_409(
    subtests, file_request, officer_a, officer_client, accepting_b
):
    request, _ = file_request()
    services.request_answer(request=request, actor=officer_a, text="Déjà répondu.")
    for action, data in (
        ("clarify", {"text": "?"}),
        ("extend", {"reasons": "r"}),
        ("answer", {"text": "a"}),
        ("refuse", {"reasons": ["not_held"], "reasoning": "r"}),
        ("transfer", {"to": "commune-b", "note": "n"}),
    ):
        with subtests.test(action):
            events = Event.objects.count()
            emails = OutboundEmail.objects.count()
            response = officer_client.post(_staff_action(request, action), data)
            assert response.status_code == 409
            assert message_levels.ERROR in _messages(response)
            assert _status(request) == Status.ANSWERED
            assert Event.objects.count() == events
            assert OutboundEmail.objects.count() == emails
            assert InformationRequest.objects.count() == 1


STAFF_BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("clarify", {"text": ""}, "text"),
    ("clarify", {"text": "q" * 10_001}, "text"),
    ("clarify", {"text": "q\x00"}, "text"),
    ("extend", {"reasons": ""}, "reasons"),
    ("answer", {"text": ""}, "text"),
    ("answer", {"text": "a", "link": "not a link"}, "link"),
    ("answer", {"text": "a", "link": "javascript:alert(1)"}, "link"),
    ("answer", {"text": "a", "document": "999999"}, "document"),
    ("refuse", {"reasons": ["already_published"], "reasoning": "Déjà publié."}, "link"),
    ("refuse", {"reasons": [], "reasoning": "Non."}, "reasons"),
    ("refuse", {"reasons": ["because"], "reasoning": "Non."}, "reasons"),
    ("refuse", {"reasons": ["not_held"], "reasoning": ""}, "reasoning"),
    ("refuse", {"reasons": ["not_held"], "reasoning": "Non.", "link": "ftp://x.ma/a"}, "link"),
    ("transfer", {"to": "nowhere", "note": "n"}, "to"),
    ("transfer", {"to": "commune-b", "note": ""}, "note"),
]


def test_bad_staff_input_is_a_400_and_changes_nothing(
    subtests, file_request, officer_client, accepting_b
):
    request, _ = file_request()
    for action, data, field in STAFF_BAD_INPUT:
        with subtests.test(action, field=field, data=str(data)[:60]):
            events = Event.objects.count()
            emails = OutboundEmail.objects.count()
            response = officer_client.post(_staff_action(request, action), data)
            assert response.status_code == 400
            form = response.context["forms"][action]
            assert form.is_bound
            assert field in form.errors, form.errors
            request.refresh_from_db()
            assert request.status == Status.IN_PROGRESS
            assert (request.refusal_reasons, request.answer_text) == ([], "")
            assert (Event.objects.count(), OutboundEmail.objects.count()) == (events, emails)


def test_unknown_staff_action_is_404(file_request, officer_client):
    request, _ = file_request()
    assert officer_client.post(_staff_action(request, "explode"), {}).status_code == 404
    assert officer_client.get(_staff_action(request, "answer")).status_code == 405


def test_staff_of_another_collectivity_get_404_on_everything(
    file_request, charlie, citizen, network_admin, accepting_b
):
    request, _ = file_request()
    urls = [
        STAFF,
        f"{STAFF}?state=all",
        f"{STAFF}settings/",
        f"{STAFF}id/{request.pk}/",
        _staff_detail(request),
    ]
    posts = {
        "clarify": {"text": "?"},
        "extend": {"reasons": "r"},
        "answer": {"text": "a"},
        "refuse": {"reasons": ["not_held"], "reasoning": "r"},
        "transfer": {"to": "commune-b", "note": "n"},
        "decide": {"decision": "upheld", "text": "d"},
    }
    for outsider in (charlie, citizen, network_admin):
        client = Client()
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.post(f"{STAFF}settings/", {"cndp_authorisation": "x"}).status_code == 404
        for action, data in posts.items():
            response = client.post(_staff_action(request, action), data)
            assert response.status_code == 404, (outsider, action)
    # Charlie's own staff pages do not show A's request either.
    client = Client()
    client.force_login(charlie)
    assert client.get(f"/ar/staff/commune-b/information/{request.reference}/").status_code == 404
    assert client.get(f"/ar/staff/commune-b/information/id/{request.pk}/").status_code == 404
    assert (
        request.reference
        not in client.get("/ar/staff/commune-b/information/?state=all").content.decode()
    )
    assert _status(request) == Status.IN_PROGRESS
    assert InformationSettings.objects.get(collectivity__slug="commune-a").cndp_authorisation == (
        "A-RA-123/2026"
    )


def test_anonymous_staff_pages_redirect_to_login(file_request):
    request, _ = file_request()
    response = Client().get(_staff_detail(request))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------------- query counts


def _make_requests(count: int, file_request: FileRequest, officer: User) -> None:
    """Requests in a mix of states: private or not, urgent or not, unconfirmed, answered
    (one in three personally), refused, under complaint."""
    for i in range(count):
        request, _ = file_request(
            confirm=i % 7 != 4,
            private=i % 3 == 0,
            email=f"r{i}@example.test",
            urgent=i % 4 == 0,
            urgency_reason="Urgent." if i % 4 == 0 else "",
        )
        if i % 7 == 4:
            continue
        if i % 5 == 1:
            services.request_answer(
                request=request, actor=officer, text="Voici.", personal=i % 3 == 1
            )
        elif i % 5 == 3:
            services.request_refuse(
                request=request, actor=officer, reasons=["unclear"], reasoning="?"
            )
            services.request_complain(request=request, text="Elle est claire.")
        elif i % 5 == 2:
            services.request_answer(request=request, actor=officer, text="Voici.")
        elif i % 5 == 2:
            services.request_refuse(
                request=request, actor=officer, reasons=["not_held"], reasoning="Non."
            )


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


PUBLIC_LISTS = [
    "/ar/c/commune-a/information/register/",
    "/ar/information/",
    "/fr/information/?status=answered",
    "/ar/c/commune-a/information/",
]
STAFF_LISTS = [
    f"{STAFF}?state={state}" for state in ("open", "all", "closed", "unconfirmed", "complaints")
]


def test_list_pages_run_a_constant_number_of_queries(file_request, officer_a, officer_client):
    """The public register (a collectivity's and the network's), the module page and the
    staff list, with 5 and with 30 requests, in every state from the first 5."""
    _make_requests(5, file_request, officer_a)
    few = {url: _queries(Client(), url) for url in PUBLIC_LISTS}
    few |= {url: _queries(officer_client, url) for url in STAFF_LISTS}
    _make_requests(25, file_request, officer_a)
    assert InformationRequest.objects.count() == 30
    many = {url: _queries(Client(), url) for url in PUBLIC_LISTS}
    many |= {url: _queries(officer_client, url) for url in STAFF_LISTS}
    assert many == few


# -------------------------------------------------------------------- public register


def test_the_register_hides_private_subjects_and_personal_answers(file_request, officer_a):
    public, _ = file_request(subject="Budget public 2026")
    private, _ = file_request(subject="Sujet privé 2026", private=True)
    personal, _ = file_request(subject="Mon dossier d'urbanisme")
    unconfirmed, _ = file_request(subject="Non confirmée", confirm=False)
    services.request_answer(request=public, actor=officer_a, text="Réponse publique.")
    services.request_answer(request=private, actor=officer_a, text="Réponse privée.")
    services.request_answer(
        request=personal, actor=officer_a, text="Réponse personnelle.", personal=True
    )
    for url in ("/ar/c/commune-a/information/register/", "/fr/information/"):
        html = _anonymous_get(url).content.decode()
        assert "Budget public 2026" in html
        assert "Mon dossier d'urbanisme" in html or "Mon dossier d&#x27;urbanisme" in html
        assert private.reference not in html and "Sujet privé 2026" not in html
        assert unconfirmed.reference not in html and "Non confirmée" not in html
        for text in ("Réponse publique.", "Réponse privée.", "Réponse personnelle."):
            assert text not in html  # the list shows no answer text
    detail = _anonymous_get(f"/ar/information/r/{public.reference}/")
    assert detail.status_code == 200
    assert "Réponse publique." in detail.content.decode()
    personal_page = _anonymous_get(f"/fr/information/r/{personal.reference}/")
    assert personal_page.status_code == 200
    assert "Réponse personnelle." not in personal_page.content.decode()
    for hidden in (private, unconfirmed):
        assert _anonymous_get(f"/ar/information/r/{hidden.reference}/").status_code == 404
    assert _anonymous_get("/ar/information/r/ATI-2026-0-999999/").status_code == 404


def test_a_request_past_its_due_date_is_shown_deemed_refused(file_request):
    request, _ = file_request()
    assert request.due_date is not None
    with time_machine.travel(request.due_date + dt.timedelta(days=1), tick=True):
        detail = _anonymous_get(f"/ar/information/r/{request.reference}/")
        services.requests_sweep()
        listed = _anonymous_get("/ar/c/commune-a/information/register/")
    assert detail.context["deemed_refused"]
    assert 'class="badge badge-bad"' in detail.content.decode()
    assert listed.context["stats"].deemed_refused == 1
    assert 'class="badge badge-bad"' in listed.content.decode()


def test_a_request_withdrawn_before_confirmation_stays_off_the_register(file_request):
    """Confirming the address is the gate of the register: withdrawing an unconfirmed
    request must not publish its subject, nor count it as received."""
    request, token = file_request(confirm=False, subject="Texte jamais confirmé")
    assert Client().post(_track_url(token) + "withdraw/", {"text": ""}).status_code == 302
    assert _status(request) == Status.WITHDRAWN
    assert request.received_on is None
    html = _anonymous_get("/ar/information/").content.decode()
    assert "Texte jamais confirmé" not in html
    assert _anonymous_get(f"/ar/information/r/{request.reference}/").status_code == 404
    assert Client().get(f"/api/v1/information-requests/{request.reference}").status_code == 404
    assert selectors.statistics().received == 0


def test_a_lapsed_request_is_off_the_register(file_request):
    request, _ = file_request(confirm=False)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=True):
        services.requests_sweep()
        assert _status(request) == Status.LAPSED
        assert _anonymous_get(f"/ar/information/r/{request.reference}/").status_code == 404
        html = _anonymous_get("/ar/information/").content.decode()
    assert request.reference not in html


def test_the_register_filters_by_status(file_request, officer_a):
    answered, _ = file_request()
    open_request, _ = file_request()
    services.request_answer(request=answered, actor=officer_a, text="Voici.")
    html = _anonymous_get("/ar/information/", data={"status": "answered"}).content.decode()
    assert answered.reference in html and open_request.reference not in html
    # A status off the register is ignored, not an error.
    for status in ("awaiting_confirmation", "lapsed", "<b>", "\x00"):
        response = _anonymous_get("/ar/information/", data={"status": status})
        assert response.status_code == 200
        assert open_request.reference in response.content.decode()
    assert _anonymous_get("/ar/information/", data={"page": "9999"}).status_code == 200
    assert _anonymous_get("/ar/information/", data={"page": "x"}).status_code == 200


def test_a_nul_in_a_reference_is_a_404(file_request, officer_client):
    file_request()
    assert _anonymous_get("/ar/information/r/%00/").status_code == 404
    assert _anonymous_get("/ar/information/r/ATI%00/files/1").status_code == 404
    assert officer_client.get(f"{STAFF}ATI%00/").status_code == 404


def test_an_unknown_collectivity_is_404(db):
    for url in (
        "/ar/c/nowhere/information/",
        "/ar/c/nowhere/information/request/",
        "/ar/c/nowhere/information/register/",
    ):
        assert _anonymous_get(url).status_code == 404


def test_statistics_count_on_time_late_deemed_refused_and_grounds(
    file_request, officer_a, collectivity_a
):
    """Received Monday 2 March 2026; durations in working days (no holiday that week)."""
    on_time, _ = file_request()
    late, _ = file_request(urgent=True, urgency_reason="Expulsion.")  # due Thursday 5 March
    refused_two, _ = file_request()
    refused_one, _ = file_request()
    partial, _ = file_request()
    left, _ = file_request(urgent=True, urgency_reason="Santé.")
    file_request(confirm=False)  # not received: not counted
    assert late.due_date == dt.date(2026, 3, 5) == left.due_date

    def on(day: int) -> Any:
        return time_machine.travel(dt.datetime(2026, 3, day, 11, 0, tzinfo=CASABLANCA))

    with on(3):  # Tuesday: 1 working day
        services.request_refuse(
            request=refused_two,
            actor=officer_a,
            reasons=["not_held", "art7_private_life"],
            reasoning="Non détenue ; vie privée.",
        )
    with on(4):  # 2
        services.request_refuse(
            request=refused_one, actor=officer_a, reasons=["not_held"], reasoning="Non détenue."
        )
    with on(5):  # 3
        services.request_answer(request=partial, actor=officer_a, text="En partie.", partial=True)
    with on(6):  # 4
        services.request_answer(request=on_time, actor=officer_a, text="Voici.")
    with on(9):  # Monday: 5 working days, past the due date
        services.request_answer(request=late, actor=officer_a, text="Voici, en retard.")
        before_sweep = selectors.statistics(collectivity=collectivity_a)
        services.requests_sweep()
        stats = selectors.statistics(collectivity=collectivity_a)
        html = _anonymous_get("/ar/c/commune-a/information/register/").content.decode()
    assert before_sweep == stats
    assert stats.received == 6
    assert stats.open == 1
    assert stats.answered == 5
    assert stats.answered_on_time == 4
    assert stats.answered_late == 1
    assert stats.deemed_refused == 2  # answered late, and still unanswered
    assert stats.refused == 2
    assert stats.partly_answered == 1
    assert stats.refused_by_reason == [("not_held", 2), ("art7_private_life", 1)]
    assert stats.median_working_days == 3
    late.refresh_from_db()
    assert (late.answer_working_days, late.is_answered_late) == (5, True)
    assert late.deemed_refused_on == dt.date(2026, 3, 6)
    left.refresh_from_db()
    assert left.deemed_refused_on == dt.date(2026, 3, 6)
    # The page shows the same numbers.
    stats_html = html.split('<ul class="stats"', 1)[1].split("</ul>", 1)[0]
    figures = re.findall(r'<strong class="num">([^<]*)</strong>', stats_html)
    assert figures == ["6", "4", "1", "2", "1", "2", "0", "0", "3"]
    # The network register counts B as well; B has none.
    assert selectors.statistics().received == 6


def test_statistics_of_an_empty_register(collectivity_a, accepting_a):
    stats = selectors.statistics(collectivity=collectivity_a)
    assert stats == selectors.Statistics()
    assert stats.median_working_days is None
    response = _anonymous_get("/fr/c/commune-a/information/register/")
    assert response.status_code == 200
    assert response.context["stats"].received == 0
