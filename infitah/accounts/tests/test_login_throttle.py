"""Password guessing is slowed down: failed sign-ins and second-factor codes are counted
per account and per client address, and past a limit the door stays shut for a growing,
bounded period, whatever the password (docs/operations.md, "Sign-in throttling")."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Throttle, ThrottleScope, User
from infitah.accounts.services import login_attempt

LOGIN = "/fr/accounts/login/"
RIGHT = "test-password-123"
START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.INFITAH_LOGIN_FAILURE_LIMIT = 5
    settings.INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.INFITAH_LOGIN_FAILURE_WINDOW = 900
    settings.INFITAH_LOGIN_LOCKOUT = 60
    settings.INFITAH_LOGIN_LOCKOUT_MAX = 3600


def _post(client: Client, email: str, password: str, address: str = "198.51.100.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return client.get("/fr/accounts/").status_code == 200


def _is_locked(response) -> bool:
    form = response.context["form"]
    return response.status_code == 429 and form.has_error(NON_FIELD_ERRORS, "locked")


@pytest.mark.django_db
def test_brute_force_locks_the_account_with_a_message_saying_when(staff_a) -> None:
    with time_machine.travel(START, tick=False):
        client = Client()
        for _ in range(5):
            response = _post(client, staff_a.email, "wrong-guess")
            assert response.status_code == 200
            assert response.context["form"].has_error(NON_FIELD_ERRORS, "invalid_login")
        response = _post(client, staff_a.email, RIGHT)
        assert _is_locked(response)
        assert response["Retry-After"] == "60"
        # 10:01 UTC is 11:01 in Casablanca (UTC+1): the local time, to the minute.
        assert "11:01" in response.context["form"].non_field_errors()[0]
        assert "11:01" in response.content.decode()
        assert not _signed_in(client)


@pytest.mark.django_db
def test_the_right_password_is_refused_while_locked_and_accepted_after(staff_a) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            _post(client, staff_a.email, "wrong-guess")
        traveller.shift(dt.timedelta(seconds=59))
        assert _is_locked(_post(client, staff_a.email, RIGHT))
        assert not _signed_in(client)
        traveller.shift(dt.timedelta(seconds=2))
        response = _post(client, staff_a.email, RIGHT)
        assert response.status_code == 302
        assert _signed_in(client)
        # Success resets the account's counter: four more failures do not lock it.
        assert not Throttle.objects.filter(scope=ThrottleScope.LOGIN_ACCOUNT).exists()
        other = Client()
        for _ in range(4):
            _post(other, staff_a.email, "wrong-guess")
        assert _post(other, staff_a.email, RIGHT).status_code == 302


@pytest.mark.django_db
def test_attempts_while_locked_do_not_extend_the_lock(staff_a) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            _post(client, staff_a.email, "wrong-guess")
        row = Throttle.objects.get(scope=ThrottleScope.LOGIN_ACCOUNT, key=staff_a.email)
        until = row.locked_until
        for _ in range(30):
            traveller.shift(dt.timedelta(seconds=1))
            assert _is_locked(_post(client, staff_a.email, "wrong-guess"))
        row.refresh_from_db()
        assert row.locked_until == until


@pytest.mark.django_db
def test_the_lock_grows_with_each_lockout_and_is_bounded(settings, staff_a) -> None:
    settings.INFITAH_LOGIN_LOCKOUT_MAX = 300
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        durations = []
        for _ in range(6):
            for _ in range(5):
                _post(client, staff_a.email, "wrong-guess")
            row = Throttle.objects.get(scope=ThrottleScope.LOGIN_ACCOUNT, key=staff_a.email)
            assert row.locked_until is not None
            durations.append(int((row.locked_until - timezone.now()).total_seconds()))
            traveller.move_to(row.locked_until + dt.timedelta(seconds=1))
        assert durations == [60, 120, 240, 300, 300, 300]
        # After a quiet period as long as the longest lock, the growth starts again.
        traveller.shift(dt.timedelta(seconds=301))
        for _ in range(5):
            _post(client, staff_a.email, "wrong-guess")
        row = Throttle.objects.get(scope=ThrottleScope.LOGIN_ACCOUNT, key=staff_a.email)
        assert row.locked_until == timezone.now() + dt.timedelta(seconds=60)


@pytest.mark.django_db
def test_failures_spread_beyond_the_window_do_not_lock(staff_a) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        for _ in range(4):
            _post(client, staff_a.email, "wrong-guess")
        traveller.shift(dt.timedelta(seconds=901))
        for _ in range(4):
            _post(client, staff_a.email, "wrong-guess")
        assert _post(client, staff_a.email, RIGHT).status_code == 302


@pytest.mark.django_db
def test_an_unknown_address_is_locked_the_same_way(db) -> None:
    """No difference tells an attacker whether an account exists."""
    client = Client()
    for _ in range(5):
        response = _post(client, "nobody@example.test", "wrong-guess")
        assert response.status_code == 200
    assert _is_locked(_post(client, "nobody@example.test", "wrong-guess"))
    assert _is_locked(_post(client, "NOBODY@example.test", "wrong-guess"))


@pytest.mark.django_db
def test_one_client_address_spraying_many_accounts_is_stopped(staff_a) -> None:
    client = Client()
    for i in range(20):
        response = _post(client, f"victim{i}@example.test", "wrong-guess")
        assert response.status_code == 200
    # Every account, even with its right password, is refused from that address...
    assert _is_locked(_post(client, staff_a.email, RIGHT))
    assert not _signed_in(client)
    # ...but not from another one, and the account itself is not locked.
    elsewhere = Client()
    assert _post(elsewhere, staff_a.email, RIGHT, address="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_successful_sign_ins_do_not_count_against_a_shared_address(staff_a) -> None:
    """An office behind one address signs in many times a day."""
    for _ in range(30):
        client = Client()
        assert _post(client, staff_a.email, RIGHT).status_code == 302


@pytest.mark.django_db
def test_failures_and_locks_are_logged(staff_a, caplog) -> None:
    caplog.set_level(logging.INFO, logger="infitah.accounts")
    client = Client()
    for _ in range(6):
        _post(client, staff_a.email, "wrong-guess")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("infitah.accounts")]
    failures = [line for line in lines if "sign-in failed" in line]
    assert len(failures) == 5
    assert all(staff_a.email in line and "198.51.100.7" in line for line in failures)
    assert any("locked" in line and staff_a.email in line for line in lines)
    assert any("refused" in line and staff_a.email in line for line in lines)
    assert all(RIGHT not in line and "wrong-guess" not in line for line in lines)


@pytest.mark.django_db
def test_a_malformed_form_is_an_error_and_counts_nothing(staff_a) -> None:
    client = Client()
    for _ in range(10):
        response = client.post(LOGIN, {"username": "not-an-email", "password": "x"})
        assert response.status_code == 200
        response = client.post(LOGIN, {"username": staff_a.email, "password": ""})
        assert response.status_code == 200
    assert not Throttle.objects.exists()
    assert _post(client, staff_a.email, RIGHT).status_code == 302


# --- the second factor -------------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.mark.django_db
def test_the_second_factor_is_throttled_too(settings, staff_a) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        client.force_login(staff_a)
        client.get("/fr/accounts/two-factor/")
        device = TOTPDevice.objects.get(user=staff_a)
        for _ in range(5):
            response = client.post("/fr/accounts/two-factor/", {"token": "000000"})
            assert response.status_code == 200
        response = client.post("/fr/accounts/two-factor/", {"token": _code(device)})
        assert response.status_code == 429
        assert response.context["form"].has_error(NON_FIELD_ERRORS, "locked")
        assert "11:01" in response.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        assert client.get("/fr/staff/commune-a/").status_code == 302
        traveller.shift(dt.timedelta(seconds=61))
        response = client.post(
            "/fr/accounts/two-factor/", {"token": _code(device), "next": "/fr/staff/commune-a/"}
        )
        assert response.status_code == 302
        assert client.get("/fr/staff/commune-a/").status_code == 200
        assert not Throttle.objects.filter(scope=ThrottleScope.OTP_USER).exists()


@pytest.mark.django_db
def test_second_factor_failures_are_logged(settings, staff_a, caplog) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    caplog.set_level(logging.INFO, logger="infitah.accounts")
    client = Client()
    client.force_login(staff_a)
    client.post("/fr/accounts/two-factor/", {"token": "000000"})
    assert any(
        "second factor failed" in r.getMessage() and staff_a.email in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.django_db
def test_the_operator_unlocks_an_account_by_deleting_its_row(staff_a) -> None:
    client = Client()
    for _ in range(5):
        _post(client, staff_a.email, "wrong-guess")
    assert _is_locked(_post(client, staff_a.email, RIGHT))
    Throttle.objects.filter(scope=ThrottleScope.LOGIN_ACCOUNT, key=staff_a.email).delete()
    assert _post(client, staff_a.email, RIGHT).status_code == 302
    assert User.objects.get(pk=staff_a.pk).last_login is not None


@pytest.mark.django_db(transaction=True)
def test_simultaneous_guesses_cannot_slip_past_the_limit(staff_a) -> None:
    """Each attempt is counted, under a row lock, before its password is checked: of
    many guesses sent at once, only the limit's worth are checked."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")

    def guess(_: int) -> tuple[bool, bool]:
        try:
            attempt = login_attempt(email=staff_a.email, password="wrong", address="192.0.2.1")
            return (
                attempt.user is None and attempt.locked_until is None,
                attempt.locked_until is not None,
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(guess, range(16)))
    assert sum(checked for checked, _ in results) == 5
    assert sum(refused for _, refused in results) == 11
