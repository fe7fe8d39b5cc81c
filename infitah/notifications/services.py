"""Queue e-mails. Call inside the transaction of the change the e-mail announces."""

from __future__ import annotations

from django.db import transaction

from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.notifications.tasks import email_deliver


@transaction.atomic
def email_queue(*, key: str, to: str, subject: str, body: str) -> tuple[OutboundEmail, bool]:
    """Store the e-mail under `key` and enqueue its delivery; a known key queues nothing.

    Returns (email, created). The task row is written in the same transaction (database
    task backend), so the e-mail leaves only if the change that caused it commits.
    """
    email, created = OutboundEmail.objects.get_or_create(
        key=key, defaults={"to": to, "subject": subject[:300], "body": body}
    )
    if created:
        email_deliver.enqueue(email.pk)
    return email, created


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
