"""SMS to a requester who gave a phone number: the receipt, the status changes, the
answers and a new follow-up link, in the request's language, through the SMS outbox
(docs/sms.md). The e-mail address stays mandatory: the SMS come on top of the e-mails.

An SMS holds the reference, a date at most and the short tracking link (`/<lang>/t/i/…`):
never the subject, the description, a message's or an answer's text, nor an identity
number; and it fits in two segments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from infitah.accounts.models import User
from infitah.information import notify, services
from infitah.information.forms import RecoverForm, RequestForm
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.tests.conftest import CLEAR_ID, request_input
from infitah.information.views import _recovery_told
from infitah.lib.pii import pii_decrypt
from infitah.notifications import sms
from infitah.notifications.models import OutboundEmail, OutboundSms
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
PHONE = "06 12 34 56 78"
NUMBER = "+212612345678"
EMAIL = "fatima@example.test"
QUESTION = "أي سنة تقصدون؟ QUESTION-SECRET"
REASONS = "الأرشيف بعيد EXTENSION-SECRET"
REASONING = "غير متوفرة REFUSAL-SECRET"
COMPLAINT = "المعلومة متوفرة COMPLAINT-SECRET"
DECISION = "يؤكد الرئيس الجواب DECISION-SECRET"
ANSWER = "الميزانية مرفقة ANSWER-SECRET AB123456"
# The longest reference the numbering makes.
LONGEST_REFERENCE = "ATI-2026-COM_0135-000123"
# The UTF-16 units of two UCS-2 segments (2 x 67): what an Arabic or Tifinagh text,
# or a French one with "ç", may take.
TWO_SEGMENTS = 134

FileRequest = Callable[..., tuple[InformationRequest, str]]


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    sms.outbox.clear()
    with time_machine.travel(MONDAY, tick=True):
        yield


def _file(file_request: FileRequest, language: str = "ar", **overrides: Any) -> InformationRequest:
    with translation.override(language):
        request, _token = file_request(**{"phone": PHONE, **overrides})
    return request


def _sms_stages(request: InformationRequest) -> list[str]:
    rows = OutboundSms.objects.filter(key__startswith=f"ati:{request.pk}:requester:")
    return [row.key.split(":")[3] for row in rows.order_by("pk")]


def _secrets(request: InformationRequest) -> list[str]:
    """What an SMS must never hold: the request's own texts and the requester's data."""
    return [
        request.subject,
        request.description,
        request.description[:20],
        request.first_name,
        request.last_name,
        request.address,
        CLEAR_ID,
        "AB123456",
        "SECRET",
    ]


def _check_sms(request: InformationRequest, language: str) -> list[OutboundSms]:
    token = pii_decrypt(request.tracking_token_encrypted)
    messages = list(OutboundSms.objects.filter(key__startswith=f"ati:{request.pk}:").order_by("pk"))
    assert messages
    for message in messages:
        assert message.to == NUMBER
        assert 1 <= message.segments <= sms.MAX_SEGMENTS == 2
        assert sms.segment_count(message.body) == message.segments
        assert message.encoding == sms.segment(message.body).encoding
        assert request.reference in message.body
        assert message.body.endswith(f"/{language}/t/i/{token}")
        for secret in _secrets(request):
            assert secret not in message.body, (secret, message.body)
    return messages


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_each_stage_is_told_by_sms_too_in_the_language_of_the_request(
    file_request: FileRequest, officer_a: User, head_a: User, language: str
) -> None:
    request = _file(file_request, language)
    with translation.override(language):
        received = notify._requester_sms(request, "received")
    services.request_clarify(request=request, actor=officer_a, text=QUESTION)
    services.request_reply(request=request, text="2026")
    services.request_extend(request=request, actor=officer_a, reasons=REASONS)
    services.request_refuse(
        request=request, actor=officer_a, reasons=["not_held"], reasoning=REASONING
    )
    services.request_complain(request=request, text=COMPLAINT)
    services.request_decide_complaint(
        request=request, actor=head_a, decision="rejected", text=DECISION
    )
    request.refresh_from_db()

    assert _sms_stages(request) == [
        "received",
        "clarification",
        "extended",
        "refused",
        "complaint_decided",
    ]
    # The e-mails go on as before: the address is the channel of record.
    emails = OutboundEmail.objects.filter(to=EMAIL, key__startswith=f"ati:{request.pk}:")
    assert [row.key.split(":")[3] for row in emails.order_by("pk")] == [
        "filed",
        "received",
        "clarification",
        "extended",
        "refused",
        "complaint_received",
        "complaint_decided",
    ]
    messages = _check_sms(request, language)
    assert [m.to for m in sms.outbox] == [NUMBER] * len(messages)
    # Each text is the one composed in the request's language (the receipt's with the
    # due date of then, before the extension).
    with translation.override(language):
        expected = [notify._requester_sms(request, stage) for stage in _sms_stages(request)]
    assert [m.body for m in messages] == [received, *expected[1:]]
    # The extension's SMS names the new due date, in digits.
    assert request.due_date is not None
    assert request.due_date.strftime("%d/%m/%Y") in messages[2].body


def test_answers_and_a_deemed_refusal_are_told_by_sms(
    file_request: FileRequest, officer_a: User
) -> None:
    answered = _file(file_request)
    services.request_answer(request=answered, actor=officer_a, text=ANSWER)
    partly = _file(file_request)
    services.request_answer(request=partly, actor=officer_a, text=ANSWER, partial=True)
    late = _file(file_request)
    assert late.due_date is not None
    day_after = late.due_date + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(day_after, dt.time(9), tzinfo=CASABLANCA)):
        services.requests_sweep()
        services.requests_sweep()

    assert _sms_stages(answered) == ["received", "answered"]
    assert _sms_stages(partly) == ["received", "answered_partly"]
    assert _sms_stages(late) == ["received", "deemed_refused"]
    for request in (answered, partly, late):
        _check_sms(request, "ar")


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_every_sms_text_fits_in_two_segments(
    file_request: FileRequest, settings: Any, language: str
) -> None:
    request = _file(file_request, language)
    settings.INFITAH_SITE_URL = "https://infitah.gov.ma"
    request.reference = LONGEST_REFERENCE
    assert request.due_date is not None
    for stage in sorted(notify.SMS_STAGES):
        with translation.override(language):
            text = notify._requester_sms(request, stage)
        # Even in UCS-2 (any Arabic, Tifinagh or "ç"), and without the fallback.
        assert len(text.encode("utf-16-be")) // 2 <= TWO_SEGMENTS, (stage, text)
        assert sms.segment_count(text) <= 2
        assert text.endswith(notify.short_tracking_url(request))


def test_a_text_too_long_falls_back_to_the_reference_and_the_link(
    file_request: FileRequest, settings: Any
) -> None:
    settings.INFITAH_SITE_URL = "https://" + "x" * 200 + ".example.ma"
    request = _file(file_request)
    (message,) = OutboundSms.objects.all()
    token = pii_decrypt(request.tracking_token_encrypted)
    assert message.body == f"{request.reference} {settings.INFITAH_SITE_URL}/ar/t/i/{token}"


def test_nothing_by_sms_before_the_address_is_confirmed_nor_without_a_phone(
    file_request: FileRequest, officer_a: User
) -> None:
    unconfirmed = _file(file_request, confirm=False)
    assert _sms_stages(unconfirmed) == []  # "filed" is an e-mail only: it confirms it
    without = _file(file_request, phone="")
    services.request_clarify(request=without, actor=officer_a, text=QUESTION)
    assert not OutboundSms.objects.exists() and sms.outbox == []


def test_each_stage_is_queued_once(file_request: FileRequest) -> None:
    request = _file(file_request)
    assert notify.requester(request, "received") is False
    assert _sms_stages(request) == ["received"]


def test_a_transferred_request_keeps_its_phone(
    file_request: FileRequest,
    officer_a: User,
    collectivity_b: Collectivity,
    accepting_b: InformationSettings,
) -> None:
    request = _file(file_request)
    services.request_transfer(request=request, actor=officer_a, to=collectivity_b, note="B.")
    new = InformationRequest.objects.get(collectivity=collectivity_b)
    assert new.phone == PHONE
    # The old request's SMS stop at its receipt; the new one tells its own receipt.
    assert _sms_stages(request) == ["received"]
    assert _sms_stages(new) == ["received"]
    _check_sms(new, "ar")


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_the_short_link_opens_the_follow_up_page(file_request: FileRequest, language: str) -> None:
    request = _file(file_request, language)
    (message,) = OutboundSms.objects.all()
    path = re.sub(r"^https?://[^/]+", "", message.body.rsplit(" ", 1)[-1])
    assert path == f"/{language}/t/i/{pii_decrypt(request.tracking_token_encrypted)}"
    page = Client().get(path)
    assert page.status_code == 200
    assert page.context["req"] == request
    assert "no-store" in page["Cache-Control"]
    dead = Client().get(f"/{language}/t/i/no-such-token")
    assert dead.status_code == 404
    assert f'href="/{language}/information/recover/"' in dead.content.decode()


# -------------------------------------------------------------- the phone, on the form


def _form(**extra: str) -> dict[str, str]:
    return {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": CLEAR_ID,
        "address": "12 rue des Orangers",
        "email": EMAIL,
        "subject": "Budget 2026",
        "description": "Le budget 2026.",
        "delivery": "email",
        "consent": "on",
        **extra,
    }


def test_the_form_offers_the_phone_and_says_what_the_sms_carry(accepting_a: Any) -> None:
    with translation.override("fr"):
        field = RequestForm().fields["phone"]
        help_text = str(field.help_text)
    assert not field.required
    assert "SMS" in help_text
    html = Client().get("/fr/c/commune-a/information/request/").content.decode()
    assert 'name="phone"' in html and 'type="tel"' in html
    assert help_text in html.replace("&#x27;", "'")


@pytest.mark.parametrize("spelling", [PHONE, "+212 6-12-34-56-78", "00212612345678", "٠٦١٢٣٤٥٦٧٨"])
def test_a_request_filed_with_a_phone_is_told_by_sms_once_confirmed(
    accepting_a: Any, spelling: str
) -> None:
    response = Client().post("/fr/c/commune-a/information/request/", _form(phone=spelling))
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert request.phone == spelling
    assert not OutboundSms.objects.exists()  # not before the e-mail is confirmed
    services.request_confirm(request=request)
    (message,) = OutboundSms.objects.all()
    assert message.to == NUMBER
    assert "/fr/t/i/" in message.body


DIAL_ERROR = "Enter a phone number, e.g. 0612345678 or +212612345678."


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("phone", ["123", "06 12 34", "612345678", "téléphone", "+12"])
def test_a_phone_that_cannot_be_dialled_gets_a_translated_error_and_nothing_is_saved(
    accepting_a: Any, language: str, phone: str
) -> None:
    response = Client().post(f"/{language}/c/commune-a/information/request/", _form(phone=phone))
    assert response.status_code == 400
    errors = response.context["form"].errors
    with translation.override(language):
        message = gettext(DIAL_ERROR)
    assert errors == {"phone": [message]}
    assert message in response.content.decode()
    if language == "ar":
        assert message != DIAL_ERROR
    assert not InformationRequest.objects.exists()
    assert not OutboundEmail.objects.exists() and not OutboundSms.objects.exists()


@pytest.mark.parametrize("phone", ["0612345678\x00", "0" * 31])
def test_a_forbidden_or_too_long_phone_is_refused(accepting_a: Any, phone: str) -> None:
    response = Client().post("/ar/c/commune-a/information/request/", _form(phone=phone))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["phone"]
    assert not InformationRequest.objects.exists() and not OutboundEmail.objects.exists()


def test_the_service_checks_the_phone_as_the_form_does(accepting_a: Any) -> None:
    clean = services.request_validate(request_input(phone="  0612345678 "))
    assert clean.phone == "0612345678"
    assert services.request_validate(request_input(phone="")).phone == ""
    for bad in ("612345678", "+12", "0612345678\x00", "0" * 31):
        with pytest.raises(ValidationError) as raised:
            services.request_validate(request_input(phone=bad))
        assert list(raised.value.message_dict) == ["phone"]


def test_the_phone_is_never_public(file_request: FileRequest) -> None:
    request = _file(file_request, phone="0698765432")
    client = Client()
    pages = [
        "/fr/c/commune-a/information/register/",
        "/fr/c/commune-a/information/register.csv",
        f"/fr/information/r/{request.reference}/",
        f"/api/v1/information-requests/{request.reference}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.getvalue().decode()  # a page, or the streamed CSV
        assert request.reference in body, url
        for spelling in ("0698765432", "698765432", "212698765432"):
            assert spelling not in body, url


# ---------------------------------------------------------------- a lost link, by phone


def _recover(reference: str, contact: str, *, client: Client | None = None) -> Any:
    return (client or Client()).post(
        "/fr/information/recover/", {"reference": reference, "contact": contact}
    )


def test_the_recovery_page_asks_for_the_email_or_the_phone() -> None:
    html = Client().get("/fr/information/recover/").content.decode()
    assert 'name="reference"' in html and 'name="contact"' in html
    with translation.override("fr"):
        assert str(RecoverForm().fields["contact"].label) in html.replace("&#x27;", "'")


def test_a_lost_link_asked_by_phone_goes_to_the_number_and_address_of_the_request(
    file_request: FileRequest,
) -> None:
    request = _file(file_request, "fr")
    old = pii_decrypt(request.tracking_token_encrypted)
    sms.outbox.clear()

    # Another spelling of the same number, a lower-case reference.
    client = Client()
    response = _recover(request.reference.lower(), "+212 612-345-678", client=client)

    assert response.status_code == 302
    with translation.override("fr"):
        assert _recovery_told() in client.get(response["Location"]).content.decode()
    request.refresh_from_db()
    new = pii_decrypt(request.tracking_token_encrypted)
    assert new != old
    [text] = OutboundSms.objects.filter(key__contains=":link_renewed:")
    assert text.to == NUMBER
    assert text.body.endswith(f"/fr/t/i/{new}")
    assert [m.to for m in sms.outbox] == [NUMBER]
    [mail] = OutboundEmail.objects.filter(key__contains=":link_renewed:")
    assert mail.to == EMAIL
    assert sms.segment_count(text.body) <= 2
    assert all(secret not in text.body for secret in _secrets(request))
    client = Client()
    assert client.get(f"/fr/t/i/{old}").status_code == 404
    assert client.get(f"/fr/t/i/{new}").status_code == 200


@pytest.mark.parametrize("case", ["another number", "a request without a phone", "unknown"])
def test_a_phone_that_does_not_match_sends_nothing(file_request: FileRequest, case: str) -> None:
    with_phone = _file(file_request)
    without = _file(file_request, phone="")
    reference, contact = {
        "another number": (with_phone.reference, "0698765432"),
        "a request without a phone": (without.reference, PHONE),
        "unknown": ("ATI-2026-COMMUNE-A-999999", PHONE),
    }[case]
    sent = OutboundSms.objects.count()
    digests = {with_phone.tracking_digest, without.tracking_digest}

    assert _recover(reference, contact).status_code == 302

    assert OutboundSms.objects.count() == sent
    assert not OutboundEmail.objects.filter(key__contains=":link_renewed:").exists()
    assert set(InformationRequest.objects.values_list("tracking_digest", flat=True)) == digests
