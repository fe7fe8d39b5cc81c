"""Queue e-mails. Call inside the transaction of the change the e-mail announces."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.tasks import email_deliver, email_deliver_many

# PostgreSQL: a known key inserts nothing and returns no row. (SQLite keeps the ORM's
# get_or_create: RETURNING needs SQLite >= 3.35, which an old Python may not bundle.)
_INSERT = (
    'INSERT INTO "notifications_outboundemail" '
    '("key", "to", "subject", "body", "status", "created_at", "attempts", "last_error") '
    "VALUES (%s, %s, %s, %s, %s, %s, 0, '') "
    'ON CONFLICT ("key") DO NOTHING RETURNING "id"'
)


def _insert(key: str, to: str, subject: str, body: str) -> OutboundEmail | None:
    """The new row, or None if `key` is known (one statement, no savepoint)."""
    now = timezone.now()
    created_at = OutboundEmail._meta.get_field("created_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [key, to, subject, body, EmailStatus.QUEUED, created_at])
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
                key=key, defaults={"to": to, "subject": subject, "body": body}
            )
        if created:
            email_deliver.enqueue(email.pk)
        return email, created


# PostgreSQL: many e-mails in one statement; the known keys insert nothing.
_INSERT_MANY = (
    'INSERT INTO "notifications_outboundemail" '
    '("key", "to", "subject", "body", "status", "created_at", "attempts", "last_error") '
    "SELECT m.key, m.to_, m.subject, m.body, %s, %s, 0, '' "
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
    with transaction.atomic(savepoint=False):
        if connection.vendor != "postgresql":
            created: dict[str, int] = {}
            for key, to, subject, body in messages:
                email, new = OutboundEmail.objects.get_or_create(
                    key=key, defaults={"to": to, "subject": subject[:300], "body": body}
                )
                if new:
                    created[key] = email.pk
        else:
            now = OutboundEmail._meta.get_field("created_at").get_db_prep_save(
                timezone.now(), connection
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    _INSERT_MANY,
                    [
                        EmailStatus.QUEUED,
                        now,
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


def email_retry_failed() -> int:
    """Enqueue again every e-mail whose delivery failed; `manage.py tick` calls it."""
    ids = list(
        OutboundEmail.objects.filter(status=EmailStatus.FAILED, attempts__lt=5).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        email_deliver.enqueue(pk)
    return len(ids)
