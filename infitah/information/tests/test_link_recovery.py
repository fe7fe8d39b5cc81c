"""A requester who lost the follow-up link asks for a new one (issue #21).

The page takes the reference and the e-mail address (or phone number:
test_sms_notifications.py) of the request. When they match, a new secret link replaces
the old one (which stops working) and is e-mailed to the request's own address; the page answers the same whether anything matched or not, and
slows down repeated attempts per reference and per client address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from django.test import Client
from django.utils import translation

from infitah.information.models import InformationRequest
from infitah.information.selectors import request_events
from infitah.information.views import RECOVERY_LIMIT, _recovery_told
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

EMAIL = "fatima@example.test"
RENEWED = "information.link_renewed"
FileRequest = Callable[..., tuple[InformationRequest, str]]


def _recover(client: Client, reference: str, email: str, *, lang: str = "fr", **extra: Any):
    return client.post(
        f"/{lang}/information/recover/", {"reference": reference, "contact": email}, **extra
    )


def _track(token: str) -> str:
    return f"/fr/information/track/{token}/"


def _told(lang: str = "fr") -> str:
    with translation.override(lang):
        return _recovery_told()


def _renewal_mails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(key__contains=":requester:link_renewed:"))


def _token_of(mail: OutboundEmail) -> str:
    found = re.search(r"/information/track/([^/\s]+)/", mail.body)
    assert found is not None, mail.body
    return found.group(1)


def test_the_page_is_linked_from_the_form_the_home_and_a_dead_link(file_request: FileRequest):
    file_request()
    client = Client()
    page = client.get("/fr/information/recover/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'name="reference"' in html and 'name="contact"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for url in ("/fr/c/commune-a/information/", "/fr/c/commune-a/information/request/"):
        assert 'href="/fr/information/recover/"' in client.get(url).content.decode()
    dead = client.get(_track("no-such-token"))
    assert dead.status_code == 404
    assert 'href="/fr/information/recover/"' in dead.content.decode()
    assert dead["X-Robots-Tag"] == "noindex"


def test_a_match_sends_a_new_link_to_the_request_address_and_kills_the_old_one(
    file_request: FileRequest,
):
    request, old = file_request()
    client = Client()
    assert client.get(_track(old)).status_code == 200

    # Typed loosely: a lower-case reference, an upper-case address with spaces.
    response = _recover(client, request.reference.lower(), f"  {EMAIL.upper()} ")

    assert response.status_code == 302 and response["Location"] == "/fr/information/recover/"
    shown = client.get(response["Location"])
    assert _told() in shown.content.decode()
    [mail] = _renewal_mails()
    assert mail.to == request.email == EMAIL
    assert request.reference in mail.subject
    new = _token_of(mail)
    assert new != old
    dead = client.get(_track(old))
    assert dead.status_code == 404
    assert 'href="/fr/information/recover/"' in dead.content.decode()
    for path in (f"{_track(old)}receipt.pdf", f"{_track(old)}file.pdf"):
        assert client.get(path).status_code == 404
    assert client.post(f"{_track(old)}withdraw/", {"text": ""}).status_code == 404
    assert client.get(_track(new)).status_code == 200
    request.refresh_from_db()
    assert request.status == "in_progress"  # the state does not move


def test_the_renewal_is_in_the_history_without_personal_data(file_request: FileRequest):
    request, _old = file_request()
    _recover(Client(), request.reference, EMAIL)

    [event] = Event.objects.filter(action=RENEWED)
    assert (event.object_id, event.from_state, event.to_state) == (
        str(request.pk),
        request.status,
        request.status,
    )
    assert event.actor is None and event.process == "requester"
    assert event.note == "" and event.data == {}
    stored = f"{event.note} {event.data} {event.process} {event.action}"
    for personal in (EMAIL, request.first_name, request.last_name, request.address):
        assert personal.lower() not in stored.lower()
    # Staff see it; the public register and API do not (no act of the collectivity).
    assert RENEWED in [e.action for e in request_events(request=request)]
    assert RENEWED not in [e.action for e in request_events(request=request, public=True)]
    api = Client().get(f"/api/v1/information-requests/{request.reference}").json()
    assert RENEWED not in [e["action"] for e in api["events"]]


@pytest.mark.parametrize(
    "case",
    ["unknown reference", "wrong e-mail", "e-mail of another request"],
)
def test_no_match_answers_the_same_and_sends_nothing(file_request: FileRequest, case: str):
    request, old = file_request()
    other, _ = file_request(email="someone@example.test")
    reference, email = {
        "unknown reference": ("ATI-2026-COMMUNE-A-999999", EMAIL),
        "wrong e-mail": (request.reference, "fatima@example.org"),
        "e-mail of another request": (request.reference, other.email),
    }[case]
    client = Client()
    response = _recover(client, reference, email)

    assert response.status_code == 302 and response["Location"] == "/fr/information/recover/"
    assert _told() in client.get(response["Location"]).content.decode()
    assert _renewal_mails() == []
    assert client.get(_track(old)).status_code == 200
    assert not Event.objects.filter(action=RENEWED).exists()


def test_bad_input_is_a_400_and_a_get_changes_nothing(file_request: FileRequest):
    request, old = file_request()
    client = Client()
    assert _recover(client, "", EMAIL).status_code == 400
    assert _recover(client, request.reference, "").status_code == 400
    assert _recover(client, request.reference, "x" * 255).status_code == 400
    assert (
        client.get(
            "/fr/information/recover/", {"reference": request.reference, "contact": EMAIL}
        ).status_code
        == 200
    )
    assert client.put("/fr/information/recover/").status_code == 405
    assert _renewal_mails() == []
    assert client.get(_track(old)).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(file_request: FileRequest):
    request, old = file_request()
    client = Client(enforce_csrf_checks=True)
    assert _recover(client, request.reference, EMAIL).status_code == 403
    assert _renewal_mails() == []
    assert Client().get(_track(old)).status_code == 200


def test_attempts_are_limited_per_reference(file_request: FileRequest):
    request, _old = file_request()
    client = Client()
    for n in range(RECOVERY_LIMIT):
        address = f"192.0.2.{n + 1}"
        assert (
            _recover(client, request.reference, "x@example.test", REMOTE_ADDR=address).status_code
            == 302
        )

    # From yet another address, with the right e-mail: still refused, nothing sent.
    over = _recover(client, request.reference, EMAIL, REMOTE_ADDR="192.0.2.99")

    assert over.status_code == 429
    assert over["Retry-After"] == "3600"
    assert _told() in over.content.decode()
    assert _renewal_mails() == []


def test_attempts_are_limited_per_client_address(file_request: FileRequest):
    request, _old = file_request()
    client = Client()
    for n in range(RECOVERY_LIMIT):
        assert (
            _recover(client, f"ATI-2026-X-00000{n}", EMAIL, REMOTE_ADDR="198.51.100.7").status_code
            == 302
        )

    over = _recover(client, request.reference, EMAIL, REMOTE_ADDR="198.51.100.7")

    assert over.status_code == 429
    assert _told() in over.content.decode()
    assert _renewal_mails() == []
    # Another address is not held back.
    assert _recover(client, request.reference, EMAIL, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert len(_renewal_mails()) == 1


def test_the_new_link_arrives_in_the_language_of_the_request(file_request: FileRequest):
    request, _old = file_request()
    InformationRequest.objects.filter(pk=request.pk).update(language="ar")

    _recover(Client(), request.reference, EMAIL, lang="fr")

    [mail] = _renewal_mails()
    assert "/ar/information/track/" in mail.body


def test_two_renewals_send_two_links_and_only_the_last_works(file_request: FileRequest):
    request, first = file_request()
    client = Client()
    _recover(client, request.reference, EMAIL)
    _recover(client, request.reference, EMAIL)

    second, third = (_token_of(m) for m in sorted(_renewal_mails(), key=lambda m: m.pk))
    assert len({first, second, third}) == 3
    assert [client.get(_track(t)).status_code for t in (first, second, third)] == [404, 404, 200]
