"""Queue e-mails and SMS. Call inside the transaction of the change the message announces."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.notifications import backoff, outbox, sms
from infitah.notifications.models import EmailStatus, OutboundEmail, OutboundSms
from infitah.notifications.tasks import (
    EMAIL,
    SMS,
    email_deliver,
    email_deliver_many,
    sms_deliver,
    sms_deliver_many,
)


def email_queue(*, key: str, to: str, subject: str, body: str) -> tuple[OutboundEmail, bool]:
    """Store the e-mail under `key` and enqueue its delivery; a known key queues nothing.

    Returns (email, created). The task row is written in the same transaction (database
    task backend), so the e-mail leaves only if the change that caused it commits.
    Inside the caller's transaction, no savepoint: a known key is not an error
    (ON CONFLICT DO NOTHING), and any other error aborts the caller's transaction.
    """
    subject = subject[:300]
    with transaction.atomic(savepoint=False):
        email, created = outbox.insert_new(
            OutboundEmail, key, {"to": to, "subject": subject, "body": body}
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
                        outbox.db_datetime(now),
                        outbox.db_datetime(next_attempt_at),
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
    return outbox.retry_due(OutboundEmail, email_deliver.enqueue, now=now, limit=limit)


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
    outbox.resend(EMAIL, email, actor=actor, now=timezone.now())
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
        outbox.resend(EMAIL, email, actor=actor, now=now)
    ids = [email.pk for email in emails]
    for start in range(0, len(ids), RESEND_CHUNK):
        email_deliver_many.enqueue(ids[start : start + RESEND_CHUNK])
    return len(ids)


# ---------------------------------------------------------------------------------- SMS


class SmsTooLong(ValueError):
    """The text takes more than sms.MAX_SEGMENTS segments: the composer must shorten it."""


def sms_queue(*, key: str, to: str, body: str) -> tuple[OutboundSms, bool]:
    """Store the SMS under `key` and enqueue its delivery; a known key queues nothing.

    `to` is any spelling of the number ("0612345678", "+212 6 12 34 56 78"); it is stored
    in international form (ValueError if it cannot be one). The body must fit in
    sms.MAX_SEGMENTS segments (else SmsTooLong, before anything is written). Returns
    (sms, created); call inside the caller's transaction, as `email_queue`."""
    number = sms.phone_international(to)
    if not number:
        raise ValueError("not a phone number")
    cut = sms.segment(body)
    if cut.count > sms.MAX_SEGMENTS:
        raise SmsTooLong(f"{cut.count} segments")
    with transaction.atomic(savepoint=False):
        message, created = outbox.insert_new(
            OutboundSms,
            key,
            {"to": number, "body": body, "encoding": cut.encoding, "segments": cut.count},
        )
        if created:
            sms_deliver.enqueue(message.pk)
        return message, created


def sms_retry_failed(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """Queue again every SMS whose next attempt is due, as `email_retry_failed` does."""
    now = now or timezone.now()
    return outbox.retry_due(OutboundSms, sms_deliver.enqueue, now=now, limit=limit)


@transaction.atomic
def sms_resend(*, sms_id: int, actor: User) -> OutboundSms:
    """Queue a dead SMS again, as `email_resend` does an e-mail (ledger "sms.resent")."""
    _require_mail_manager(actor)
    message = OutboundSms.objects.select_for_update().filter(pk=sms_id).first()
    if message is None or message.status != EmailStatus.DEAD:
        raise ValidationError(
            _("This SMS is not undeliverable any more: it was re-sent or delivered."),
            code="not_dead",
        )
    outbox.resend(SMS, message, actor=actor, now=timezone.now())
    sms_deliver.enqueue(message.pk)
    return message


@transaction.atomic
def sms_resend_dead(*, actor: User) -> int:
    """Queue every dead SMS again; returns how many."""
    _require_mail_manager(actor)
    now = timezone.now()
    messages = list(
        OutboundSms.objects.dead().select_for_update(skip_locked=True).defer("body").order_by("pk")
    )
    for message in messages:
        outbox.resend(SMS, message, actor=actor, now=now)
    ids = [message.pk for message in messages]
    for start in range(0, len(ids), RESEND_CHUNK):
        sms_deliver_many.enqueue(ids[start : start + RESEND_CHUNK])
    return len(ids)
