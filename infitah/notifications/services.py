"""Queue e-mails. Call inside the transaction of the change the e-mail announces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.ledger.services import event_record
from infitah.notifications import backoff
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.tasks import email_deliver, email_deliver_many

# PostgreSQL: a known key inserts nothing and returns no row. (SQLite keeps the ORM's
# get_or_create: RETURNING needs SQLite >= 3.35, which an old Python may not bundle.)
_INSERT = (
    'INSERT INTO "notifications_outboundemail" '
    '("key", "to", "subject", "body", "status", "created_at", "next_attempt_at", "attempts", '
    '"last_error") '
    "VALUES (%s, %s, %s, %s, %s, %s, %s, 0, '') "
    'ON CONFLICT ("key") DO NOTHING RETURNING "id"'
)


def _db_datetime(value: datetime) -> Any:
    """`value` as the raw SQL statements pass it (what the ORM would send)."""
    return OutboundEmail._meta.get_field("created_at").get_db_prep_save(value, connection)


def _insert(key: str, to: str, subject: str, body: str) -> OutboundEmail | None:
    """The new row, or None if `key` is known (one statement, no savepoint)."""
    now = timezone.now()
    # A queued e-mail is due again only if its task is lost (see backoff.queued_timeout).
    next_attempt_at = now + backoff.queued_timeout()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                key,
                to,
                subject,
                body,
                EmailStatus.QUEUED,
                _db_datetime(now),
                _db_datetime(next_attempt_at),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    email = OutboundEmail(
        pk=row[0],
        key=key,
        to=to,
        subject=subject,
        body=body,
        status=EmailStatus.QUEUED,
        attempts=0,
        last_error="",
        created_at=now,
        sent_at=None,
        next_attempt_at=next_attempt_at,
    )
    email._state.adding = False
    return email


def email_queue(*, key: str, to: str, subject: str, body: str) -> tuple[OutboundEmail, bool]:
    """Store the e-mail under `key` and enqueue its delivery; a known key queues nothing.

    Returns (email, created). The task row is written in the same transaction (database
    task backend), so the e-mail leaves only if the change that caused it commits.
    Inside the caller's transaction, no savepoint: a known key is not an error
    (ON CONFLICT DO NOTHING), and any other error aborts the caller's transaction.
    """
    subject = subject[:300]
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            email = _insert(key, to, subject, body)
            if email is None:
                return OutboundEmail.objects.get(key=key), False
            created = True
        else:
            email, created = OutboundEmail.objects.get_or_create(
                key=key,
                defaults={
                    "to": to,
                    "subject": subject,
                    "body": body,
                    "next_attempt_at": timezone.now() + backoff.queued_timeout(),
                },
            )
        if created:
            email_deliver.enqueue(email.pk)
        return email, created


# PostgreSQL: many e-mails in one statement; the known keys insert nothing.
_INSERT_MANY = (
    'INSERT INTO "notifications_outboundemail" '
    '("key", "to", "subject", "body", "status", "created_at", "next_attempt_at", "attempts", '
    '"last_error") '
    "SELECT m.key, m.to_, m.subject, m.body, %s, %s, %s, 0, '' "
    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS m(key, to_, subject, body) "
    'ON CONFLICT ("key") DO NOTHING RETURNING "key", "id"'
)


def emails_queue_many(messages: list[tuple[str, str, str, str]]) -> dict[str, int]:
    """Store many e-mails (key, to, subject, body) and enqueue their delivery as one task.

    For a batch written in one transaction (the signature ingest): one INSERT on
    PostgreSQL and one task row, where `email_queue` costs a statement and a task row
    each. Returns {key: id} of the e-mails created; a known key queues nothing. Call
    inside the caller's transaction, as `email_queue`."""
    if not messages:
        return {}
    now = timezone.now()
    next_attempt_at = now + backoff.queued_timeout()
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql":
            created: dict[str, int] = {}
            for key, to, subject, body in messages:
                email, new = OutboundEmail.objects.get_or_create(
                    key=key,
                    defaults={
                        "to": to,
                        "subject": subject[:300],
                        "body": body,
                        "next_attempt_at": next_attempt_at,
                    },
                )
                if new:
                    created[key] = email.pk
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    _INSERT_MANY,
                    [
                        EmailStatus.QUEUED,
                        _db_datetime(now),
                        _db_datetime(next_attempt_at),
                        [m[0] for m in messages],
                        [m[1] for m in messages],
                        [m[2][:300] for m in messages],
                        [m[3] for m in messages],
                    ],
                )
                created = dict(cursor.fetchall())
        if created:
            email_deliver_many.enqueue(sorted(created.values()))
        return created


# How many due e-mails one sweep queues at most; the next tick takes the rest.
RETRY_BATCH = 1000
# How many e-mails one delivery task of "re-send all" carries.
RESEND_CHUNK = 200


def email_retry_failed(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """Queue again every e-mail whose next attempt is due; `manage.py tick` calls it.

    Due: a failed e-mail past its backoff wait, or a queued one whose task has not run
    within INFITAH_EMAIL_QUEUED_TIMEOUT (a worker lost it). Each is claimed (status
    queued, next attempt pushed to now + that timeout) in the transaction that writes its
    task, so that two sweeps running at once queue it once: on PostgreSQL the second
    skips the rows the first holds (SKIP LOCKED); a stray duplicate task anyway spends
    no attempt (tasks.deliver_one). Returns how many e-mails were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        OutboundEmail.objects.filter(pk__in=ids).update(
            status=EmailStatus.QUEUED, next_attempt_at=now + backoff.queued_timeout()
        )
        for pk in ids:
            email_deliver.enqueue(pk)
    return len(ids)


def _resend(email: OutboundEmail, *, actor: User, now: datetime) -> None:
    """Queue the dead letter `email` (locked by the caller) again, from attempt one."""
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.next_attempt_at = now + backoff.queued_timeout()
    email.resent_by = actor
    email.resent_at = now
    email.save(update_fields=["status", "attempts", "next_attempt_at", "resent_by", "resent_at"])
    # The history names no recipient: the row holds the address, the event the act.
    event_record(
        obj=email,
        action="email.resent",
        actor=actor,
        from_state=EmailStatus.DEAD,
        to_state=EmailStatus.QUEUED,
    )


def _require_mail_manager(actor: User) -> None:
    if not has_network_perm(actor, NetworkPerm.MAIL_MANAGE):
        raise PermissionDenied


@transaction.atomic
def email_resend(*, email_id: int, actor: User) -> OutboundEmail:
    """Queue a dead letter again: its attempts start over, with the whole schedule.

    Preconditions: `actor` holds NetworkPerm.MAIL_MANAGE (else PermissionDenied); the
    e-mail exists and is a dead letter (else ValidationError, nothing changed: someone
    may have re-sent it a moment ago). Side effects: the row records who re-sent it and
    when, a ledger event "email.resent" (actor, no collectivity), and a delivery task
    written in the same transaction."""
    _require_mail_manager(actor)
    email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None or email.status != EmailStatus.DEAD:
        raise ValidationError(
            _("This e-mail is not undeliverable any more: it was re-sent or delivered."),
            code="not_dead",
        )
    _resend(email, actor=actor, now=timezone.now())
    email_deliver.enqueue(email.pk)
    return email


@transaction.atomic
def emails_resend_dead(*, actor: User) -> int:
    """Queue every dead letter again, as `email_resend` does for one; returns how many.

    Preconditions: `actor` holds NetworkPerm.MAIL_MANAGE (else PermissionDenied). The
    e-mails go out in tasks of RESEND_CHUNK, written in this transaction."""
    _require_mail_manager(actor)
    now = timezone.now()
    emails = list(
        OutboundEmail.objects.dead()
        .select_for_update(skip_locked=True)
        .defer("body")
        .order_by("pk")
    )
    for email in emails:
        _resend(email, actor=actor, now=now)
    ids = [email.pk for email in emails]
    for start in range(0, len(ids), RESEND_CHUNK):
        email_deliver_many.enqueue(ids[start : start + RESEND_CHUNK])
    return len(ids)
