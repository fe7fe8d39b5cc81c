"""SMS to a citizen who gave only a phone number: the receipt, the status changes and
the answer, in the complaint's language, through the SMS outbox (docs/sms.md).

An SMS holds the reference, a date at most and the short tracking link: never the
description, a message's text or an identity number; and it fits in two segments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.test import Client
from django.utils import translation

from infitah.accounts.models import User
from infitah.complaints import notify, services
from infitah.complaints.models import Complaint
from infitah.complaints.tests.conftest import DESCRIPTION, Submit
from infitah.complaints.workflow import Outcome
from infitah.lib.pii import pii_decrypt
from infitah.notifications import sms
from infitah.notifications.models import OutboundEmail, OutboundSms

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
PHONE = "06 12 34 56 78"
NUMBER = "+212612345678"
INFO_TEXT = "ما هو رقم العمود الكهربائي؟ CIN AB123456"
ANSWER_TEXT = "أصلحت المصلحة العمود رقم 12. البطاقة الوطنية AB123456"


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    sms.outbox.clear()
    with time_machine.travel(MONDAY, tick=True):
        yield


def _stages(complaint: Complaint) -> list[str]:
    rows = OutboundSms.objects.filter(key__startswith=f"complaint:{complaint.pk}:citizen:")
    return [row.key.split(":")[3] for row in rows.order_by("pk")]


def _lifecycle(complaint: Complaint, officer: User) -> None:
    services.complaint_acknowledge(complaint=complaint, actor=officer)
    services.complaint_ask_info(complaint=complaint, actor=officer, text=INFO_TEXT)
    services.complaint_reply(complaint=complaint, text="العمود رقم 12")
    services.complaint_answer(
        complaint=complaint, actor=officer, outcome=Outcome.POSITIVE, text=ANSWER_TEXT
    )


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_a_phone_only_citizen_is_told_each_stage_by_sms_in_their_language(
    submit: Submit, officer_a: User, language: str
) -> None:
    complaint = submit(confirm=False, email="", phone=PHONE, language=language)
    _lifecycle(complaint, officer_a)
    assert _stages(complaint) == ["received", "acknowledged", "info_requested", "answered"]
    assert not OutboundEmail.objects.filter(key__contains=":citizen:").exists()
    token = pii_decrypt(complaint.tracking_token_encrypted)
    messages = list(OutboundSms.objects.order_by("pk"))
    assert [m.to for m in sms.outbox] == [NUMBER] * len(messages)
    for message in messages:
        assert message.to == NUMBER
        assert 1 <= message.segments <= 2 == sms.MAX_SEGMENTS
        assert sms.segment_count(message.body) == message.segments
        assert complaint.reference in message.body
        assert message.body.endswith(f"/{language}/t/c/{token}")
        # Never the description, a message's text or an identity number.
        for secret in (DESCRIPTION, INFO_TEXT, ANSWER_TEXT, "AB123456", DESCRIPTION[:20]):
            assert secret not in message.body
    received = messages[0].body
    with translation.override(language):
        expected = notify._citizen_sms(Complaint.objects.get(pk=complaint.pk), "received")
    assert received == expected
    assert all(m.encoding == sms.segment(m.body).encoding for m in messages)
    # The short link opens the tracking page.
    assert Client().get(f"/{language}/t/c/{token}").status_code == 200


@pytest.mark.parametrize("language", ["ar", "fr", "zgh"])
def test_every_sms_text_fits_in_two_segments(
    submit: Submit, language: str, collectivity_a: object
) -> None:
    complaint = submit(confirm=False, email="", phone=PHONE, language=language)
    # The longest reference the numbering makes, and the answer date.
    complaint.reference = "CMP-2026-COM_0135-000123"
    for stage in sorted(notify.SMS_STAGES):
        with translation.override(language):
            text = notify._citizen_sms(complaint, stage)
        assert sms.segment_count(text) <= 2, (stage, len(text), text)


def test_a_citizen_with_an_email_gets_no_sms(submit: Submit, officer_a: User) -> None:
    complaint = submit(phone=PHONE)
    _lifecycle(complaint, officer_a)
    assert not OutboundSms.objects.exists() and sms.outbox == []


def test_a_merged_phone_only_citizen_is_told_by_sms(submit: Submit, officer_a: User) -> None:
    kept = submit()
    duplicate = submit(confirm=False, email="", phone=PHONE)
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.POSITIVE, text=ANSWER_TEXT
    )
    assert _stages(duplicate) == ["received", "merged", "merged_answered"]
    assert all(ANSWER_TEXT not in m.body for m in OutboundSms.objects.all())


def test_a_text_too_long_falls_back_to_the_reference_and_the_link(
    submit: Submit, settings: object
) -> None:
    settings.INFITAH_SITE_URL = "https://" + "x" * 200 + ".example.ma"  # type: ignore[attr-defined]
    complaint = submit(confirm=False, email="", phone=PHONE, language="ar")
    (message,) = OutboundSms.objects.all()
    token = pii_decrypt(complaint.tracking_token_encrypted)
    assert message.body == f"{complaint.reference} {settings.INFITAH_SITE_URL}/ar/t/c/{token}"  # type: ignore[attr-defined]


def test_each_stage_is_queued_once(submit: Submit) -> None:
    complaint = submit(confirm=False, email="", phone=PHONE)
    assert notify.citizen(complaint, "received") is False
    assert _stages(complaint) == ["received"]


def test_a_number_that_cannot_be_dialled_gets_nothing(submit: Submit) -> None:
    complaint = submit(confirm=False, email="", phone="123456789")
    assert _stages(complaint) == []
