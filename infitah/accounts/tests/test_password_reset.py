"""Password reset by e-mail: the same answer for any address, a link queued in the outbox
in the language of the request, that works once and expires; the new password passes the
validators, and a staff account still needs its second factor afterwards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from infitah.accounts.models import Throttle, User
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail

RIGHT = "test-password-123"
NEW = "a-new-long-passphrase-2026"
START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
LINK_RE = re.compile(r"https?://[^/\s]+(/(?:ar|fr)/accounts/password-reset/[^\s]+/)")


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 3600
    settings.INFITAH_PASSWORD_RESET_LIMIT = 3
    settings.INFITAH_PASSWORD_RESET_ADDRESS_LIMIT = 10
    settings.INFITAH_LOGIN_FAILURE_LIMIT = 5
    settings.INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.INFITAH_LOGIN_FAILURE_WINDOW = 900
    settings.INFITAH_LOGIN_LOCKOUT = 60
    settings.INFITAH_LOGIN_LOCKOUT_MAX = 3600


def _request(client: Client, email: str, lang: str = "fr", address: str = "198.51.100.7"):
    return client.post(f"/{lang}/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)


def _link(email: str) -> str:
    body = OutboundEmail.objects.filter(to=email).latest("pk").body
    found = LINK_RE.search(body)
    assert found, body
    return found.group(1)


def _login(client: Client, email: str, password: str) -> int:
    return client.post("/fr/accounts/login/", {"username": email, "password": password}).status_code


@pytest.mark.django_db
def test_the_login_page_links_to_password_reset(db) -> None:
    for lang in ("ar", "fr"):
        content = Client().get(f"/{lang}/accounts/login/").content.decode()
        assert f'href="/{lang}/accounts/password-reset/"' in content


@pytest.mark.django_db
def test_the_pages_render_in_both_languages_without_javascript(db) -> None:
    for lang, direction in (("ar", "rtl"), ("fr", "ltr")):
        page = Client().get(f"/{lang}/accounts/password-reset/")
        content = page.content.decode()
        assert page.status_code == 200
        assert f'dir="{direction}"' in content
        assert "<script" not in content
        assert 'type="email"' in content and 'autocomplete="email"' in content
        assert "<label for=" in content
        sent = Client().get(f"/{lang}/accounts/password-reset/sent/")
        assert sent.status_code == 200


@pytest.mark.django_db
def test_full_flow_through_the_outbox(staff_a) -> None:
    client = Client()
    response = _request(client, "Staff-A@example.test")
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/password-reset/sent/"
    email = OutboundEmail.objects.get(to=staff_a.email)
    assert email.key.startswith("accounts:password-reset:")
    link = _link(staff_a.email)
    assert link.startswith("/fr/accounts/password-reset/")

    opened = client.get(link)
    # The token leaves the address bar (and the Referer) for the session.
    assert opened.status_code == 302
    form_url = opened["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url)
    assert page.status_code == 200 and page.context["validlink"]

    # The validators apply: a weak password is refused, nothing changes.
    weak = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert weak.status_code == 200 and weak.context["form"].errors
    assert User.objects.get(pk=staff_a.pk).check_password(RIGHT)

    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == "/fr/accounts/password-reset/done/"
    assert client.get(done["Location"]).status_code == 200
    user = User.objects.get(pk=staff_a.pk)
    assert user.check_password(NEW)
    assert [e.action for e in Event.objects.for_object(user)] == ["password.reset"]
    # Not signed in by the reset: the password is only the first factor.
    assert client.get("/fr/accounts/").status_code == 302
    assert _login(Client(), staff_a.email, RIGHT) == 200
    assert _login(Client(), staff_a.email, NEW) == 302


@pytest.mark.django_db
def test_the_same_answer_whether_or_not_the_address_exists(staff_a) -> None:
    known = _request(Client(), staff_a.email)
    unknown = _request(Client(), "nobody@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert OutboundEmail.objects.filter(to=staff_a.email).count() == 1
    assert not OutboundEmail.objects.filter(to="nobody@example.test").exists()


@pytest.mark.django_db
def test_an_inactive_account_gets_no_email(staff_a) -> None:
    User.objects.filter(pk=staff_a.pk).update(is_active=False)
    assert _request(Client(), staff_a.email).status_code == 302
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_the_email_is_in_the_language_of_the_request(staff_a) -> None:
    _request(Client(), staff_a.email, lang="ar")
    email = OutboundEmail.objects.get(to=staff_a.email)
    assert _link(staff_a.email).startswith("/ar/accounts/password-reset/")
    with translation.override("ar"):
        assert email.subject == gettext("Reset your Infitah password")


@pytest.mark.django_db
def test_the_link_works_once(staff_a) -> None:
    client = Client()
    _request(client, staff_a.email)
    link = _link(staff_a.email)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    again = Client()
    page = again.get(link)
    assert page.status_code == 200 and not page.context["validlink"]
    assert 'name="new_password1"' not in page.content.decode()
    # The same browser, whose session held the token, gets nothing either.
    replay = client.post(form_url, {"new_password1": RIGHT + "x", "new_password2": RIGHT + "x"})
    assert replay.status_code == 200 and not replay.context["validlink"]
    assert User.objects.get(pk=staff_a.pk).check_password(NEW)


@pytest.mark.django_db
def test_the_link_expires(settings, staff_a) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        _request(Client(), staff_a.email)
        link = _link(staff_a.email)
        traveller.shift(dt.timedelta(seconds=3599))
        assert Client().get(link).status_code == 302  # still valid
        traveller.shift(dt.timedelta(seconds=2))
        page = Client().get(link)
        assert page.status_code == 200 and not page.context["validlink"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/fr/accounts/password-reset/MQ/bad-token/",
        "/fr/accounts/password-reset/!!!/abc-def/",
        "/fr/accounts/password-reset/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk/abc-def/",
        "/fr/accounts/password-reset/MQ/set-password/",
    ],
)
def test_a_bad_link_is_a_clear_page_not_an_error(staff_a, path) -> None:
    page = Client().get(path)
    assert page.status_code == 200 and not page.context["validlink"]
    assert Client().post(path, {"new_password1": NEW, "new_password2": NEW}).status_code == 200
    assert User.objects.get(pk=staff_a.pk).check_password(RIGHT)


@pytest.mark.django_db
def test_a_malformed_address_is_a_form_error(db) -> None:
    response = _request(Client(), "not an address")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not OutboundEmail.objects.exists()
    assert not Throttle.objects.exists()


@pytest.mark.django_db
def test_requests_for_one_account_are_throttled_silently(staff_a) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        for i in range(6):
            traveller.shift(dt.timedelta(seconds=10))
            response = _request(Client(), staff_a.email, address=f"198.51.100.{i + 1}")
            assert response.status_code == 302
            assert response["Location"] == "/fr/accounts/password-reset/sent/"
    assert OutboundEmail.objects.filter(to=staff_a.email).count() == 3


@pytest.mark.django_db
def test_requests_from_one_client_address_are_throttled_with_a_message(staff_a) -> None:
    for i in range(10):
        assert _request(Client(), f"someone{i}@example.test").status_code == 302
    refused = _request(Client(), staff_a.email)
    assert refused.status_code == 429
    assert refused.context["form"].has_error(NON_FIELD_ERRORS, "locked")
    assert "Retry-After" in refused
    assert not OutboundEmail.objects.filter(to=staff_a.email).exists()
    assert _request(Client(), staff_a.email, address="203.0.113.9").status_code == 302
    assert OutboundEmail.objects.filter(to=staff_a.email).count() == 1


@pytest.mark.django_db
def test_a_reset_lifts_the_lock_of_the_account(staff_a) -> None:
    client = Client()
    for _ in range(5):
        _login(client, staff_a.email, "wrong-guess")
    assert _login(client, staff_a.email, RIGHT) == 429
    _request(client, staff_a.email)
    form_url = client.get(_link(staff_a.email))["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert _login(Client(), staff_a.email, NEW) == 302


@pytest.mark.django_db
def test_staff_still_needs_the_second_factor_after_a_reset(settings, staff_a) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    TOTPDevice.objects.create(user=staff_a, name="default", confirmed=True)
    client = Client()
    _request(client, staff_a.email)
    form_url = client.get(_link(staff_a.email))["Location"]
    assert client.post(form_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    assert TOTPDevice.objects.filter(user=staff_a, confirmed=True).count() == 1
    assert _login(client, staff_a.email, NEW) == 302
    response = client.get("/fr/staff/commune-a/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/two-factor/")
