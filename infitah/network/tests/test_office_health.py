"""The health readings (network/health.py), each read from real rows: the tick's
heartbeat, the task queue of the database backend, the register's checkpoint, the
e-mail outbox and the open-data and openness runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult, get_date_max

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.core.models import Heartbeat
from infitah.ledger.models import Checkpoint, RegisterHead
from infitah.network import health
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.opendata.models import SyncState
from infitah.openness.models import RunState

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 12, 0))
MINUTE = dt.timedelta(minutes=1)
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def by_key(readings: list[health.Reading]) -> dict[str, health.Reading]:
    return {reading.key: reading for reading in readings}


# --------------------------------------------------------------------------- tick


def test_the_tick_never_ran() -> None:
    reading = health.tick_reading(now=NOW)
    assert not reading.is_ok and reading.at is None


@pytest.mark.parametrize(("minutes", "is_ok"), [(1, True), (5, True), (6, False), (90, False)])
def test_the_tick_is_late_after_five_minutes(minutes: int, is_ok: bool) -> None:
    Heartbeat.objects.create(key="tick", at=NOW - minutes * MINUTE, detail="deadlines: 0")
    reading = health.tick_reading(now=NOW)
    assert reading.is_ok is is_ok
    assert reading.at == NOW - minutes * MINUTE
    assert reading.threshold == health.TICK_LATE == 5 * MINUTE
    assert reading.detail == "deadlines: 0"


# -------------------------------------------------------------------------- tasks


def test_the_immediate_backend_has_no_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    reading = health.task_queue_reading(now=NOW)
    assert reading.is_ok and reading.counts == {}
    assert "Immediate" in reading.value


def _task(status: str, *, enqueued: dt.datetime, run_after: dt.datetime | None = None) -> None:
    task = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="infitah.example.task",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued)


def test_the_queue_counts_tasks_by_status_and_ages_the_oldest_waiting(settings: Any) -> None:
    settings.TASKS = DATABASE
    reading = health.task_queue_reading(now=NOW)
    assert reading.is_ok and reading.at is None
    assert reading.counts == {"ready": 0, "running": 0, "failed": 0, "successful": 0}
    _task("READY", enqueued=NOW - 3 * MINUTE)
    _task("READY", enqueued=NOW - 60 * MINUTE, run_after=NOW + 60 * MINUTE)  # scheduled
    _task("RUNNING", enqueued=NOW - 2 * MINUTE)
    _task("FAILED", enqueued=NOW - 100 * MINUTE)
    _task("SUCCESSFUL", enqueued=NOW - 100 * MINUTE)
    _task("SUCCESSFUL", enqueued=NOW - 100 * MINUTE)
    reading = health.task_queue_reading(now=NOW)
    assert reading.counts == {"ready": 2, "running": 1, "failed": 1, "successful": 2}
    # The scheduled task does not wait yet: the oldest waiting one is 3 minutes old.
    assert reading.at == NOW - 3 * MINUTE
    assert reading.is_ok


def test_a_task_waiting_too_long_is_late(settings: Any) -> None:
    settings.TASKS = DATABASE
    _task("READY", enqueued=NOW - 30 * MINUTE, run_after=NOW - 11 * MINUTE)
    reading = health.task_queue_reading(now=NOW)
    # Due 11 minutes ago (its run_after), not 30 (its enqueueing).
    assert reading.at == NOW - 11 * MINUTE
    assert not reading.is_ok


def test_the_queue_is_read_in_one_query(settings: Any) -> None:
    settings.TASKS = DATABASE
    with CaptureQueriesContext(connection) as captured:
        health.task_queue_reading(now=NOW)
    assert len(captured) == 1


# --------------------------------------------------------------------- checkpoint


def _head(size: int) -> None:
    RegisterHead.objects.update_or_create(pk=1, defaults={"tree_size": size})


def _checkpoint(size: int, at: dt.datetime) -> None:
    Checkpoint.objects.create(
        tree_size=size, root_hash="0" * 64, timestamp=at, signature="s", public_key="k"
    )


def test_an_empty_register_is_fine() -> None:
    _head(0)
    reading = health.checkpoint_reading(now=NOW)
    assert reading.is_ok and reading.counts == {"unsigned": 0}


def test_entries_never_signed_are_late() -> None:
    _head(4)
    reading = health.checkpoint_reading(now=NOW)
    assert not reading.is_ok and reading.counts == {"unsigned": 4}


@pytest.mark.parametrize(
    ("age", "size", "is_ok"),
    [
        (30 * MINUTE, 10, True),  # nothing new, signed half an hour ago
        (64 * MINUTE, 10, True),  # within the hourly signing and a tick's slack
        (66 * MINUTE, 10, False),  # the hourly signing did not happen
        (3 * MINUTE, 12, True),  # new entries, signed soon
        (7 * MINUTE, 12, False),  # new entries waiting too long for a signature
    ],
)
def test_checkpoint_age_against_its_interval(age: dt.timedelta, size: int, is_ok: bool) -> None:
    _head(size)
    _checkpoint(8, NOW - 2 * dt.timedelta(hours=3))
    _checkpoint(10, NOW - age)
    reading = health.checkpoint_reading(now=NOW)
    assert reading.at == NOW - age  # the latest one
    assert reading.counts == {"unsigned": size - 10}
    assert reading.is_ok is is_ok
    assert reading.threshold == dt.timedelta(hours=1) + health.TICK_LATE


# ------------------------------------------------------------------------ e-mails


def _email(key: str, status: str, *, created: dt.datetime) -> None:
    pending = status in (EmailStatus.QUEUED, EmailStatus.FAILED)
    email = OutboundEmail.objects.create(
        key=key,
        to="someone@example.test",
        subject="s",
        body="b",
        status=status,
        next_attempt_at=created + MINUTE if pending else None,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=created)


def test_emails_without_anything_waiting() -> None:
    waiting, dead = health.email_readings(now=NOW)
    assert waiting.is_ok and dead.is_ok
    assert waiting.counts == {"queued": 0, "failed": 0} and dead.counts == {"dead": 0}


def test_emails_waiting_and_dead_letters(settings: Any) -> None:
    settings.INFITAH_EMAIL_QUEUED_TIMEOUT = 3600
    _email("a", EmailStatus.QUEUED, created=NOW - 10 * MINUTE)
    _email("b", EmailStatus.FAILED, created=NOW - 300 * MINUTE)
    _email("c", EmailStatus.SENT, created=NOW - 300 * MINUTE)
    waiting, dead = health.email_readings(now=NOW)
    assert waiting.counts == {"queued": 1, "failed": 1}
    # A failed e-mail waits for its retry: only a queued one can be lost.
    assert waiting.is_ok and waiting.at == NOW - 10 * MINUTE
    assert dead.is_ok
    _email("d", EmailStatus.QUEUED, created=NOW - 70 * MINUTE)
    _email("e", EmailStatus.DEAD, created=NOW - 70 * MINUTE)
    waiting, dead = health.email_readings(now=NOW)
    assert not waiting.is_ok and waiting.at == NOW - 70 * MINUTE
    assert not dead.is_ok and dead.counts == {"dead": 1}


# ---------------------------------------------------------------------- sync runs


def test_sync_runs_never_ran() -> None:
    readings = by_key(health.sync_readings(now=NOW))
    assert set(readings) == {"datasets", "datasets_full", "openness", "openness_full"}
    assert not any(reading.is_ok for reading in readings.values())


def test_sync_runs_against_their_thresholds() -> None:
    SyncState.objects.create(key="datasets", synced_at=NOW - 2 * MINUTE)
    SyncState.objects.create(key="datasets.full", synced_at=NOW - dt.timedelta(hours=26))
    RunState.objects.create(key="openness", ran_at=NOW - 11 * MINUTE)
    RunState.objects.create(key="openness.full", ran_at=NOW - dt.timedelta(hours=20))
    readings = by_key(health.sync_readings(now=NOW))
    assert readings["datasets"].is_ok
    assert not readings["datasets_full"].is_ok
    assert not readings["openness"].is_ok
    assert readings["openness_full"].is_ok
    assert readings["openness"].at == NOW - 11 * MINUTE


# ------------------------------------------------------------------------ the panel


def test_every_reading_in_a_constant_number_of_queries(settings: Any) -> None:
    settings.TASKS = DATABASE
    with CaptureQueriesContext(connection) as captured:
        readings = health.health_readings(now=NOW)
    assert len(captured) <= 8
    assert [r.key for r in readings] == [
        "tick",
        "tasks",
        "checkpoint",
        "emails",
        "dead_letters",
        "datasets",
        "datasets_full",
        "openness",
        "openness_full",
    ]
    Heartbeat.objects.create(key="tick", at=NOW)
    assert "tick" not in {r.key for r in health.late_readings(health.health_readings(now=NOW))}


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (dt.timedelta(seconds=59), "0 minutes"),
        (5 * MINUTE, "5 minutes"),
        (dt.timedelta(hours=1, minutes=5), "1 hour 5 minutes"),
        (dt.timedelta(hours=2), "2 hours"),
        (dt.timedelta(hours=25), "25 hours"),
        (dt.timedelta(days=3, hours=2), "3 days"),
    ],
)
def test_durations_in_words(span: dt.timedelta, words: str) -> None:
    assert health.duration(span) == words
