"""The outbox engine, whatever the channel: claim a message, send it, record the outcome.

E-mails and SMS share it (models.OutboxMessage): one row per idempotency key, an attempt
claims its row with SELECT ... FOR UPDATE, a failure waits for its next attempt
(backoff.py) and, after the last one, is a dead letter for the network admin's page.
The channels differ only by their model and by how one message is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.notifications import backoff
from infitah.notifications.models import EmailStatus, OutboxMessage

logger = logging.getLogger("infitah.notifications.tasks")

M = TypeVar("M", bound=OutboxMessage)


@dataclass(frozen=True)
class Channel:
    name: str  # "email", "sms": the ledger's "<name>.resent", the logs
    model: type[OutboxMessage]
    # Send one message; any exception is a failed attempt.
    send: Callable[[Any], None]


def deliver_one(channel: Channel, message_id: int) -> str:
    """Claim, send and record one message: "sent", "failed", or "skipped" (unknown, sent,
    dead, or failed and not yet due: a stray duplicate task spends no attempt)."""
    with transaction.atomic():
        message = channel.model._default_manager.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in (EmailStatus.SENT, EmailStatus.DEAD):
            return "skipped"
        now = timezone.now()
        if message.status == EmailStatus.FAILED and (
            message.next_attempt_at is None or message.next_attempt_at > now
        ):
            return "skipped"
        message.attempts += 1
        message.last_attempt_at = now
        try:
            channel.send(message)
        except Exception as exc:  # any transport error: keep the message, retry later
            message.last_error = str(exc)[:2000] or type(exc).__name__
            if message.attempts >= backoff.attempts_max():
                message.status = EmailStatus.DEAD
                message.next_attempt_at = None
                # The row's id only: the log never holds an address or a number.
                logger.warning(
                    "%s %s undeliverable after %s attempts: %s",
                    channel.name,
                    message.pk,
                    message.attempts,
                    type(exc).__name__,
                )
            else:
                message.status = EmailStatus.FAILED
                message.next_attempt_at = now + backoff.retry_delay(message.attempts)
            message.save(
                update_fields=[
                    "status",
                    "attempts",
                    "last_error",
                    "last_attempt_at",
                    "next_attempt_at",
                ]
            )
            return "failed"
        message.status = EmailStatus.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.save(
            update_fields=["status", "attempts", "sent_at", "last_attempt_at", "next_attempt_at"]
        )
        return "sent"


def deliver_many(channel: Channel, message_ids: list[int]) -> dict[str, int]:
    outcome = {"sent": 0, "skipped": 0, "failed": 0}
    for message_id in message_ids:
        outcome[deliver_one(channel, int(message_id))] += 1
    return outcome


def db_datetime(value: datetime) -> Any:
    """`value` as the raw SQL statements pass it (what the ORM would send)."""
    return OutboxMessage._meta.get_field("created_at").get_db_prep_save(value, connection)


def insert_new(model: type[M], key: str, values: dict[str, Any]) -> tuple[M, bool]:
    """Store a queued message under `key` with the other column `values`; a known key
    stores nothing. Returns (message, created).

    PostgreSQL: one INSERT ... ON CONFLICT DO NOTHING RETURNING, no savepoint: a known
    key is not an error, and any other error aborts the caller's transaction. (SQLite
    keeps the ORM's get_or_create: RETURNING needs SQLite >= 3.35, which an old Python
    may not bundle.)"""
    now = timezone.now()
    # A queued message is due again only if its task is lost (see backoff.queued_timeout).
    next_attempt_at = now + backoff.queued_timeout()
    if connection.vendor != "postgresql":
        return model._default_manager.get_or_create(
            key=key, defaults={**values, "next_attempt_at": next_attempt_at}
        )
    row = {
        "key": key,
        **values,
        "status": EmailStatus.QUEUED,
        "created_at": db_datetime(now),
        "next_attempt_at": db_datetime(next_attempt_at),
        "attempts": 0,
        "last_error": "",
    }
    columns = ", ".join(connection.ops.quote_name(name) for name in row)
    placeholders = ", ".join(["%s"] * len(row))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (names from the model)
        'ON CONFLICT ("key") DO NOTHING RETURNING "id"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(row.values()))
        found = cursor.fetchone()
    if found is None:
        return model._default_manager.get(key=key), False
    fields: dict[str, Any] = {
        "pk": found[0],
        "key": key,
        **values,
        "status": EmailStatus.QUEUED,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
        "next_attempt_at": next_attempt_at,
    }
    message = model(**fields)
    message._state.adding = False
    return message, True


def retry_due(
    model: type[OutboxMessage], enqueue: Callable[[int], Any], *, now: datetime, limit: int
) -> int:
    """Queue again every message of `model` whose next attempt is due (see
    services.email_retry_failed); returns how many."""
    with transaction.atomic():
        ids = list(
            model._default_manager.filter(next_attempt_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        model._default_manager.filter(pk__in=ids).update(
            status=EmailStatus.QUEUED, next_attempt_at=now + backoff.queued_timeout()
        )
        for pk in ids:
            enqueue(pk)
    return len(ids)


def resend(channel: Channel, message: OutboxMessage, *, actor: User, now: datetime) -> None:
    """Queue the dead letter `message` (locked by the caller) again, from attempt one."""
    message.status = EmailStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = now + backoff.queued_timeout()
    message.resent_by = actor
    message.resent_at = now
    message.save(update_fields=["status", "attempts", "next_attempt_at", "resent_by", "resent_at"])
    # The history names no recipient: the row holds the address, the event the act.
    event_record(
        obj=message,
        action=f"{channel.name}.resent",
        actor=actor,
        from_state=EmailStatus.DEAD,
        to_state=EmailStatus.QUEUED,
    )
