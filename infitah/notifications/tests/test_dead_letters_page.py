"""The network administrator's page of undeliverable e-mails, and its re-send buttons."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine

from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.services import email_queue, email_retry_failed

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
ADDRESS = "fatima.zahra@example.test"


def url(name: str, lang: str = "ar", **kwargs: int) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _dead(key: str = "k:1", to: str = ADDRESS) -> OutboundEmail:
    """An e-mail that failed every attempt of its schedule (SMTP down throughout)."""
    with time_machine.travel(T0, tick=False):
        email, _ = email_queue(
            key=key, to=to, subject="Confirm your signature", body="SECRET-LINK /s/abc"
        )
    email.refresh_from_db()
    while email.status != EmailStatus.DEAD:
        assert email.next_attempt_at is not None
        with time_machine.travel(email.next_attempt_at, tick=False):
            email_retry_failed()
        email.refresh_from_db()
    return email


@pytest.fixture
def dead(smtp_down: int) -> OutboundEmail:
    return _dead()


def test_url_names() -> None:
    assert url("notifications:dead-letter-list", "fr") == "/fr/network/mail/"
    assert url("notifications:dead-letter-resend", "ar", pk=7) == "/ar/network/mail/7/resend/"
    assert url("notifications:dead-letter-resend-all") == "/ar/network/mail/resend-all/"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_dead_letter_is_listed_for_the_network_admin(client, network_admin, dead, lang) -> None:
    client.force_login(network_admin)
    response = client.get(url("notifications:dead-letter-list", lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in html
    assert [e.pk for e in response.context["page"]] == [dead.pk]
    assert "f•••@example.test" in html  # the domain tells why; the person stays private
    assert ADDRESS not in html
    assert "SECRET-LINK" not in html  # the body holds secret links: never shown
    assert "Confirm your signature" in html
    assert "refused" in html.lower()  # the last error
    assert f">{dead.attempts}<" in html
    assert f'datetime="{dead.created_at.isoformat()}"' in html
    assert "<table" not in html  # a list of cards: readable on a 360 px phone
    assert 'name="csrfmiddlewaretoken"' in html
    assert html.count('method="post"') == 2  # one per row, and "re-send all"


def test_the_recipient_is_masked_in_the_error_too(client, network_admin) -> None:
    email = OutboundEmail.objects.create(
        key="k:2",
        to="Ali@Example.test",
        subject="S",
        body="B",
        status=EmailStatus.DEAD,
        attempts=17,
        last_error="550 5.1.1 <ali@example.test>: Recipient address rejected",
    )
    client.force_login(network_admin)
    html = client.get(url("notifications:dead-letter-list", "fr")).content.decode()
    assert "ali@example.test" not in html.lower()
    assert "A•••@Example.test" in html and "&lt;a•••@example.test&gt;" in html.lower()
    assert email.to_masked == "A•••@Example.test"


def test_only_dead_letters_are_listed(client, network_admin, smtp_down) -> None:
    dead = _dead("k:dead")
    with time_machine.travel(T0, tick=False):
        email_queue(key="k:failing", to="a@example.test", subject="S", body="B")
    with override_settings(EMAIL_BACKEND=LOCMEM):
        email_queue(key="k:sent", to="b@example.test", subject="S", body="B")
    client.force_login(network_admin)
    response = client.get(url("notifications:dead-letter-list", "fr"))
    assert [e.pk for e in response.context["page"]] == [dead.pk]


def test_the_page_says_when_there_is_no_dead_letter(client, network_admin) -> None:
    client.force_login(network_admin)
    response = client.get(url("notifications:dead-letter-list", "fr"))
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert 'action="/fr/network/mail/resend-all/"' not in response.content.decode()


def test_the_list_costs_the_same_queries_for_many_letters(
    client, network_admin, django_assert_max_num_queries
) -> None:
    def add(n: int) -> None:
        OutboundEmail.objects.bulk_create(
            OutboundEmail(
                key=f"bulk:{n}:{i}",
                to=f"p{i}@example.test",
                subject="S",
                body="B",
                status=EmailStatus.DEAD,
                attempts=17,
                last_error="down",
                resent_by=network_admin,
            )
            for i in range(n)
        )

    client.force_login(network_admin)
    add(2)
    with django_assert_max_num_queries(8) as few:
        client.get(url("notifications:dead-letter-list", "fr"))
    add(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("notifications:dead-letter-list", "fr"))
    assert response.context["page"].paginator.count == 62
    assert len(response.context["page"]) == 50


def test_resend_queues_and_sends_the_letter(client, network_admin, dead) -> None:
    client.force_login(network_admin)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        response = client.post(url("notifications:dead-letter-resend", "fr", pk=dead.pk))
    assert response.status_code == 302
    assert response["Location"] == url("notifications:dead-letter-list", "fr")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.resent_by) == (EmailStatus.SENT, 1, network_admin)
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert Event.objects.for_object(dead).get().actor == network_admin
    page = client.get(url("notifications:dead-letter-list", "fr"))
    assert list(page.context["page"]) == []
    assert [str(m) for m in page.context["messages"]]  # the outcome is told


def test_resend_all(client, network_admin, smtp_down) -> None:
    letters = [_dead(f"k:{n}", f"p{n}@example.test") for n in range(2)]
    client.force_login(network_admin)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        response = client.post(url("notifications:dead-letter-resend-all", "fr"))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.test", "p1@example.test"]
    for letter in letters:
        letter.refresh_from_db()
        assert letter.status == EmailStatus.SENT


def test_resending_a_letter_already_resent_is_told_not_an_error(client, network_admin, dead):
    client.force_login(network_admin)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        client.post(url("notifications:dead-letter-resend", "fr", pk=dead.pk))
        response = client.post(url("notifications:dead-letter-resend", "fr", pk=dead.pk))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert Event.objects.for_object(dead).count() == 1


def test_resend_of_an_unknown_letter_is_404(client, network_admin) -> None:
    client.force_login(network_admin)
    response = client.post(url("notifications:dead-letter-resend", "fr", pk=999_999))
    assert response.status_code == 404


def test_resend_needs_post_and_csrf(network_admin, dead) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(network_admin)
    assert client.get(url("notifications:dead-letter-resend", pk=dead.pk)).status_code == 405
    assert client.post(url("notifications:dead-letter-resend", pk=dead.pk)).status_code == 403
    assert client.post(url("notifications:dead-letter-resend-all")).status_code == 403
    dead.refresh_from_db()
    assert dead.status == EmailStatus.DEAD


@pytest.mark.parametrize("persona", ["citizen", "staff_a", "charlie"])
def test_other_roles_get_404_and_change_nothing(client, request, persona, dead) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        responses = [
            client.get(url("notifications:dead-letter-list", "fr")),
            client.post(url("notifications:dead-letter-resend", "fr", pk=dead.pk)),
            client.post(url("notifications:dead-letter-resend-all", "fr")),
        ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    dead.refresh_from_db()
    assert dead.status == EmailStatus.DEAD and mail.outbox == []


def test_anonymous_visitors_are_sent_to_sign_in(client, dead) -> None:
    for response in (
        client.get(url("notifications:dead-letter-list", "fr")),
        client.post(url("notifications:dead-letter-resend", "fr", pk=dead.pk)),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    dead.refresh_from_db()
    assert dead.status == EmailStatus.DEAD


def test_the_workspace_links_the_page_for_the_network_admin_only(
    client, network_admin, staff_a
) -> None:
    link = f'href="{url("notifications:dead-letter-list", "fr")}"'
    client.force_login(network_admin)
    assert link in client.get("/fr/accounts/").content.decode()
    client.force_login(staff_a)
    assert link not in client.get("/fr/accounts/").content.decode()


def test_tick_reports_the_dead_letters(dead) -> None:
    out = StringIO()
    call_command("tick", stdout=out)
    assert "e-mails re-queued: 0" in out.getvalue()
    assert "undeliverable e-mails: 1" in out.getvalue()
