"""A citizen who lost the follow-up link of a complaint asks for a new one (issue #21).

The page takes the reference and the e-mail address or phone number given with the
message. When they match a complaint that has an e-mail address, a new secret link
replaces the old one (which stops working) and is e-mailed to that address only; a
complaint with a phone number only gets nothing (no SMS yet), and the page says so. The
answer is the same whether anything matched or not; attempts are limited per reference
and per client address.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from django.test import Client
from django.utils import translation

from infitah.complaints.models import Complaint
from infitah.complaints.selectors import complaint_events
from infitah.complaints.services import phone_normalise
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, Submit
from infitah.complaints.views import RECOVERY_LIMIT, _recovery_told
from infitah.ledger.models import Event
from infitah.lib.pii import pii_decrypt
from infitah.notifications import sms
from infitah.notifications.models import OutboundEmail, OutboundSms

pytestmark = pytest.mark.django_db

PHONE = "0612345678"
RENEWED = "complaints.link_renewed"
RECOVER = "/fr/complaints/recover/"


def _recover(client: Client, reference: str, contact: str, **extra: Any):
    return client.post(RECOVER, {"reference": reference, "contact": contact}, **extra)


def _track(token: str) -> str:
    return f"/fr/complaints/track/{token}/"


def _told() -> str:
    with translation.override("fr"):
        return _recovery_told()


def _renewal_mails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(key__contains=":citizen:link_renewed:"))


def _token_of(mail: OutboundEmail) -> str:
    found = re.search(r"/complaints/track/([^/\s]+)/", mail.body)
    assert found is not None, mail.body
    return found.group(1)


def _token(complaint: Complaint) -> str:
    return pii_decrypt(complaint.tracking_token_encrypted)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0612345678", "0612345678"),
        ("+212 6 12 34 56 78", "0612345678"),
        ("00212612345678", "06-12-34-56-78"),
        ("٠٦١٢٣٤٥٦٧٨", "0612345678"),
    ],
)
def test_phone_numbers_are_compared_in_their_national_form(given: str, stored: str) -> None:
    assert phone_normalise(given) == phone_normalise(stored)


def test_the_page_is_linked_from_the_form_the_home_and_dead_links(submit: Submit) -> None:
    submit()
    client = Client()
    page = client.get(RECOVER)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'name="reference"' in html and 'name="contact"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for url in ("/fr/c/commune-a/complaints/", "/fr/c/commune-a/complaints/new/"):
        assert f'href="{RECOVER}"' in client.get(url).content.decode()
    for dead in (client.get(_track("nope")), client.get("/fr/complaints/confirm/nope/")):
        assert dead.status_code == 404
        assert f'href="{RECOVER}"' in dead.content.decode()


@pytest.mark.parametrize("contact", [CITIZEN_EMAIL.upper(), "+212 6 12 34 56 78"])
def test_a_match_sends_a_new_link_to_the_complaint_address_only(
    submit: Submit, contact: str
) -> None:
    complaint = submit(phone=PHONE)
    old = _token(complaint)
    client = Client()

    response = _recover(client, complaint.reference.lower(), contact)

    assert response.status_code == 302 and response["Location"] == RECOVER
    assert _told() in client.get(RECOVER).content.decode()
    [mail] = _renewal_mails()
    assert mail.to == complaint.email == CITIZEN_EMAIL
    new = _token_of(mail)
    assert new != old
    dead = client.get(_track(old))
    assert dead.status_code == 404 and f'href="{RECOVER}"' in dead.content.decode()
    assert client.get(f"{_track(old)}receipt.pdf").status_code == 404
    assert client.post(f"{_track(old)}rate/", {"satisfaction": "5"}).status_code == 404
    assert client.get(_track(new)).status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_the_renewal_is_in_the_history_without_personal_data(submit: Submit) -> None:
    complaint = submit(phone=PHONE)
    _recover(Client(), complaint.reference, PHONE)

    [event] = Event.objects.filter(action=RENEWED)
    assert (event.from_state, event.to_state) == (complaint.status, complaint.status)
    assert event.actor is None and event.process == "citizen"
    assert event.note == "" and event.data == {}
    stored = f"{event.note} {event.data}"
    for personal in (CITIZEN_EMAIL, PHONE, complaint.name):
        assert personal not in stored
    assert RENEWED in [e.action for e in complaint_events(complaint=complaint)]
    assert RENEWED not in [e.action for e in complaint_events(complaint=complaint, public=True)]
    api = Client().get(f"/api/v1/complaints/{complaint.reference}").json()
    assert RENEWED not in [e["action"] for e in api["events"]]


def test_a_phone_only_complaint_gets_its_new_link_by_sms_to_its_own_number(
    submit: Submit,
) -> None:
    complaint = submit(email="", phone=PHONE)
    old = _token(complaint)
    sms.outbox.clear()
    client = Client()

    response = _recover(client, complaint.reference, "+212 6 12 34 56 78")

    assert response.status_code == 302
    page = client.get(RECOVER).content.decode()
    assert _told() in page and "SMS" in page
    assert _renewal_mails() == []
    assert Event.objects.filter(action=RENEWED).count() == 1
    assert client.get(_track(old)).status_code == 404
    (message,) = OutboundSms.objects.filter(key__contains=":citizen:link_renewed:")
    assert message.to == "+212612345678"
    (sent,) = [m for m in sms.outbox if "t/c/" in m.text and complaint.reference in m.text]
    assert sent.to == "+212612345678"
    new = sent.text.rsplit("/t/c/", 1)[1]
    assert new == _token(Complaint.objects.get(pk=complaint.pk))
    assert client.get(f"/fr/t/c/{new}").status_code == 200
    # A wrong number sends nothing more.
    _recover(Client(), complaint.reference, "0699999999")
    assert OutboundSms.objects.filter(key__contains=":link_renewed:").count() == 1


@pytest.mark.parametrize("case", ["unknown reference", "wrong e-mail", "wrong phone"])
def test_no_match_answers_the_same_and_sends_nothing(submit: Submit, case: str) -> None:
    complaint = submit(phone=PHONE)
    old = _token(complaint)
    reference, contact = {
        "unknown reference": ("CMP-2026-COMMUNE-A-999999", CITIZEN_EMAIL),
        "wrong e-mail": (complaint.reference, "amina@example.org"),
        "wrong phone": (complaint.reference, "0612345679"),
    }[case]
    client = Client()

    response = _recover(client, reference, contact)

    assert response.status_code == 302 and response["Location"] == RECOVER
    assert _told() in client.get(RECOVER).content.decode()
    assert _renewal_mails() == []
    assert client.get(_track(old)).status_code == 200


def test_bad_input_is_a_400_a_get_changes_nothing_and_csrf_is_checked(submit: Submit) -> None:
    complaint = submit()
    old = _token(complaint)
    client = Client()
    assert _recover(client, "", CITIZEN_EMAIL).status_code == 400
    assert _recover(client, complaint.reference, "").status_code == 400
    assert (
        client.get(
            RECOVER, {"reference": complaint.reference, "contact": CITIZEN_EMAIL}
        ).status_code
        == 200
    )
    strict = Client(enforce_csrf_checks=True)
    assert _recover(strict, complaint.reference, CITIZEN_EMAIL).status_code == 403
    assert _renewal_mails() == []
    assert client.get(_track(old)).status_code == 200


def test_attempts_are_limited_per_reference_and_per_address(submit: Submit) -> None:
    complaint = submit()
    client = Client()
    for n in range(RECOVERY_LIMIT):
        wrong = _recover(client, complaint.reference, "x@example.test", REMOTE_ADDR=f"192.0.2.{n}")
        assert wrong.status_code == 302

    over = _recover(client, complaint.reference, CITIZEN_EMAIL, REMOTE_ADDR="192.0.2.99")

    assert over.status_code == 429 and over["Retry-After"] == "3600"
    assert _told() in over.content.decode()
    assert _renewal_mails() == []

    for n in range(RECOVERY_LIMIT):
        other = _recover(client, f"CMP-2026-X-00000{n}", PHONE, REMOTE_ADDR="203.0.113.5")
        assert other.status_code == 302
    assert (
        _recover(client, "CMP-2026-X-000009", PHONE, REMOTE_ADDR="203.0.113.5").status_code == 429
    )
