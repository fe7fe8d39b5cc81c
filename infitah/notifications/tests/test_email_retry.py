"""A failed e-mail is retried with a growing wait for two days, then kept as a dead letter.

The transport that fails is Django's real SMTP backend pointed at a closed loopback port
(`smtp_down`); the clock is moved with time-machine, never slept.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings

from infitah.ledger.models import Event
from infitah.notifications import backoff
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.services import (
    email_queue,
    email_resend,
    email_retry_failed,
    emails_queue_many,
    emails_resend_dead,
)
from infitah.notifications.tasks import email_deliver

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _queue(key: str = "k:1", to: str = "fatima.zahra@example.test") -> OutboundEmail:
    email, _created = email_queue(key=key, to=to, subject="Confirm", body="Secret link /s/abc")
    email.refresh_from_db()
    return email


def _fail_until_dead(email: OutboundEmail) -> list[dt.datetime]:
    """Run the sweep at each next attempt until the e-mail is dead; the attempt times."""
    times = [email.last_attempt_at]
    while email.status != EmailStatus.DEAD:
        assert email.next_attempt_at is not None
        with time_machine.travel(email.next_attempt_at, tick=False):
            assert email_retry_failed() == 1
        email.refresh_from_db()
        times.append(email.last_attempt_at)
        assert len(times) <= 100, "the schedule never ends"
    return [t for t in times if t is not None]


# --------------------------------------------------------------------------- schedule


def test_default_schedule_grows_and_spans_at_least_48_hours() -> None:
    waits = backoff.retry_delays()
    assert waits[0] == dt.timedelta(minutes=1)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    assert waits[1] == 2 * waits[0]  # exponential, not a fixed minute
    assert sum(waits, dt.timedelta()) >= dt.timedelta(hours=48)
    assert backoff.attempts_max() == len(waits) + 1


def test_jitter_only_lengthens_a_wait_and_within_its_bound() -> None:
    for attempt, nominal in enumerate(backoff.retry_delays(), start=1):
        assert backoff.retry_delay(attempt, draw=0.0) == nominal
        assert backoff.retry_delay(attempt, draw=1.0) == nominal * 1.2
        assert nominal <= backoff.retry_delay(attempt) <= nominal * 1.2


@override_settings(
    INFITAH_EMAIL_RETRY_ATTEMPTS=4,
    INFITAH_EMAIL_RETRY_FIRST_DELAY=10,
    INFITAH_EMAIL_RETRY_MAX_DELAY=30,
    INFITAH_EMAIL_RETRY_JITTER=0,
)
def test_schedule_follows_the_settings() -> None:
    assert backoff.retry_delays() == [dt.timedelta(seconds=s) for s in (10, 20, 30)]
    assert backoff.attempts_max() == 4
    assert backoff.retry_delay(3) == dt.timedelta(seconds=30)


# ------------------------------------------------------------------------------ sweep


@pytest.mark.django_db
def test_a_failed_email_is_not_retried_before_its_next_attempt(smtp_down: int) -> None:
    with time_machine.travel(T0, tick=False):
        email = _queue()
    assert (email.status, email.attempts, email.last_attempt_at) == (EmailStatus.FAILED, 1, T0)
    assert "refused" in email.last_error.lower()
    assert email.next_attempt_at is not None
    assert T0 + dt.timedelta(minutes=1) <= email.next_attempt_at <= T0 + dt.timedelta(seconds=72)

    with time_machine.travel(email.next_attempt_at - dt.timedelta(seconds=1), tick=False):
        assert email_retry_failed() == 0
        assert email_deliver.call(email.pk) == "skipped"  # a stray task spends nothing
    email.refresh_from_db()
    assert email.attempts == 1

    with time_machine.travel(email.next_attempt_at, tick=False):
        assert email_retry_failed() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 2)
    assert email.next_attempt_at is not None and email.last_attempt_at is not None
    # The second wait is about twice the first.
    assert email.next_attempt_at - email.last_attempt_at >= dt.timedelta(minutes=2)


@pytest.mark.django_db
def test_failures_back_off_for_48_hours_then_the_email_is_a_dead_letter(smtp_down: int) -> None:
    with time_machine.travel(T0, tick=False):
        email = _queue()
    times = _fail_until_dead(email)
    email.refresh_from_db()
    assert email.status == EmailStatus.DEAD and email.next_attempt_at is None
    assert email.attempts == backoff.attempts_max() == len(times)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= nominal for gap, nominal in zip(gaps, backoff.retry_delays(), strict=True))
    assert gaps[-1] > 10 * gaps[0]
    assert times[-1] - times[0] >= dt.timedelta(hours=48)
    with time_machine.travel(times[-1] + dt.timedelta(days=30), tick=False):
        assert email_retry_failed() == 0  # a dead letter waits for a person
    email.refresh_from_db()
    assert email.attempts == backoff.attempts_max()


@pytest.mark.django_db
def test_the_sweep_delivers_once_the_server_is_back(smtp_down: int) -> None:
    with time_machine.travel(T0, tick=False):
        email = _queue()
    assert email.next_attempt_at is not None
    with (
        override_settings(EMAIL_BACKEND=LOCMEM),
        time_machine.travel(email.next_attempt_at, tick=False),
    ):
        assert email_retry_failed() == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.next_attempt_at is None
    assert email.attempts == 2
    assert [m.to for m in mail.outbox] == [["fatima.zahra@example.test"]]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_due_email_is_claimed_by_one_sweep_only() -> None:
    from django_tasks_db.models import DBTaskResult

    with time_machine.travel(T0, tick=False):
        email = _queue()
    DBTaskResult.objects.all().delete()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.FAILED, attempts=1, next_attempt_at=T0 + dt.timedelta(minutes=1)
    )
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        assert email_retry_failed() == 1
        assert email_retry_failed() == 0  # the next tick, before the worker ran
    assert DBTaskResult.objects.count() == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS, INFITAH_EMAIL_QUEUED_TIMEOUT=600)
def test_a_queued_email_whose_task_was_lost_is_queued_again() -> None:
    from django_tasks_db.models import DBTaskResult

    with time_machine.travel(T0, tick=False):
        created = emails_queue_many([("m:1", "a@example.test", "S", "B")])
        _queue(key="m:2", to="b@example.test")
    assert len(created) == 1
    DBTaskResult.objects.all().delete()  # a worker crashed with the tasks
    with time_machine.travel(T0 + dt.timedelta(seconds=599), tick=False):
        assert email_retry_failed() == 0  # the worker may just be busy
    with time_machine.travel(T0 + dt.timedelta(seconds=600), tick=False):
        assert email_retry_failed() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


# ---------------------------------------------------------------------------- re-send


@pytest.fixture
def dead_letter(smtp_down: int) -> OutboundEmail:
    with time_machine.travel(T0, tick=False):
        email = _queue()
    _fail_until_dead(email)
    email.refresh_from_db()
    assert email.status == EmailStatus.DEAD
    return email


@pytest.mark.django_db
def test_a_network_admin_resends_a_dead_letter(dead_letter, network_admin) -> None:
    with override_settings(EMAIL_BACKEND=LOCMEM):
        email_resend(email_id=dead_letter.pk, actor=network_admin)
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.attempts) == (EmailStatus.SENT, 1)
    assert dead_letter.resent_by == network_admin and dead_letter.resent_at is not None
    assert [m.to for m in mail.outbox] == [["fatima.zahra@example.test"]]
    event = Event.objects.for_object(dead_letter).get(action="email.resent")
    assert event.actor == network_admin and event.collectivity is None
    assert "fatima" not in str(event.data) + event.note  # the history names nobody


@pytest.mark.django_db
def test_a_resent_letter_that_fails_again_gets_the_whole_schedule(
    dead_letter, network_admin, smtp_down
) -> None:
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        email_resend(email_id=dead_letter.pk, actor=network_admin)
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.attempts) == (EmailStatus.FAILED, 1)
    assert dead_letter.next_attempt_at is not None


@pytest.mark.django_db
def test_only_a_network_admin_may_resend(dead_letter, staff_a, charlie, citizen) -> None:
    for user in (staff_a, charlie, citizen):
        with pytest.raises(PermissionDenied):
            email_resend(email_id=dead_letter.pk, actor=user)
        with pytest.raises(PermissionDenied):
            emails_resend_dead(actor=user)
    dead_letter.refresh_from_db()
    assert dead_letter.status == EmailStatus.DEAD and dead_letter.resent_by is None
    assert not Event.objects.for_object(dead_letter).exists()


@pytest.mark.django_db
def test_resending_a_letter_that_is_not_dead_is_refused(network_admin) -> None:
    email = _queue()
    assert email.status == EmailStatus.SENT
    with pytest.raises(ValidationError):
        email_resend(email_id=email.pk, actor=network_admin)
    with pytest.raises(ValidationError):
        email_resend(email_id=email.pk + 1000, actor=network_admin)
    email.refresh_from_db()
    assert (email.status, email.attempts, len(mail.outbox)) == (EmailStatus.SENT, 1, 1)


@pytest.mark.django_db
def test_resend_all_queues_every_dead_letter(smtp_down, network_admin) -> None:
    for n in range(3):
        with time_machine.travel(T0, tick=False):
            email = _queue(key=f"k:{n}", to=f"p{n}@example.test")
        if n < 2:
            _fail_until_dead(email)
    with override_settings(EMAIL_BACKEND=LOCMEM):
        assert emails_resend_dead(actor=network_admin) == 2
        assert emails_resend_dead(actor=network_admin) == 0
    statuses = dict(OutboundEmail.objects.values_list("key", "status"))
    assert statuses == {"k:0": "sent", "k:1": "sent", "k:2": "failed"}
    assert Event.objects.filter(action="email.resent", actor=network_admin).count() == 2


@pytest.mark.parametrize(
    "env",
    [
        {"INFITAH_EMAIL_RETRY_JITTER": "150"},
        {"INFITAH_EMAIL_RETRY_ATTEMPTS": "0"},
        {"INFITAH_EMAIL_RETRY_FIRST_DELAY": "7200", "INFITAH_EMAIL_RETRY_MAX_DELAY": "60"},
        {"INFITAH_EMAIL_RETRY_MAX_DELAY": "six hours"},
    ],
)
def test_a_bad_schedule_stops_the_start_with_a_clear_message(env: dict[str, str]) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import infitah.settings"],
        env={**os.environ, "INFITAH_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "INFITAH_EMAIL_RETRY" in result.stderr
