"""The retry schedule's migrations keep the outbox as it was: nothing lost, nothing stuck."""

from __future__ import annotations

import datetime as dt

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from infitah.notifications.models import EmailStatus, OutboundEmail

BEFORE = [("notifications", "0001_initial")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes("notifications")


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_valid_after_the_migration_and_back() -> None:
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("notifications", "OutboundEmail")
    now = timezone.now()
    rows = {
        # key: (status, attempts, age)
        "queued": ("queued", 0, dt.timedelta(minutes=3)),
        "sent": ("sent", 1, dt.timedelta(days=3)),
        "failing": ("failed", 2, dt.timedelta(minutes=3)),
        "abandoned": ("failed", 5, dt.timedelta(hours=5)),  # the old code gave up on it
        "stale": ("failed", 5, dt.timedelta(days=10)),
    }
    for key, (status, attempts, age) in rows.items():
        email = old.objects.create(
            key=key,
            to=f"{key}@example.test",
            subject="S",
            body="B",
            status=status,
            attempts=attempts,
            last_error="" if status != "failed" else "down",
        )
        old.objects.filter(pk=email.pk).update(created_at=now - age)

    _migrate(_latest())

    emails = {e.key: e for e in OutboundEmail.objects.all()}
    assert emails["sent"].status == EmailStatus.SENT and emails["sent"].next_attempt_at is None
    for key in ("queued", "failing", "abandoned"):
        email = emails[key]
        assert email.status == rows[key][0] and email.attempts == rows[key][1]
        # Due at once: a lost task or a give-up of the old code is retried by the next tick.
        assert email.next_attempt_at is not None and email.next_attempt_at <= timezone.now()
    # Failed for longer than the retry window: a dead letter for the network admin.
    assert emails["stale"].status == EmailStatus.DEAD
    assert emails["stale"].next_attempt_at is None
    assert emails["stale"].last_error == "down"
    assert OutboundEmail.objects.due(timezone.now()).count() == 3

    # Back to the old schema: a dead letter is a failed e-mail again, nothing is lost.
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("notifications", "OutboundEmail")
    assert dict(old.objects.values_list("key", "status")) == {
        "queued": "queued",
        "sent": "sent",
        "failing": "failed",
        "abandoned": "failed",
        "stale": "failed",
    }
    _migrate(_latest())
