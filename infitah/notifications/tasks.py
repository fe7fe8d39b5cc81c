"""Background delivery of queued e-mails (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from infitah.notifications.models import EmailStatus, OutboundEmail


@task()
def email_deliver(email_id: int) -> str:
    """Send one queued e-mail unless it was already sent (idempotent).

    The row is claimed with SELECT ... FOR UPDATE so that two workers running the same
    task cannot both send it. A failure is recorded, not raised: the e-mail stays in the
    outbox as failed and `manage.py tick` queues it again (email_retry_failed).
    """
    return deliver_one(email_id)


@task()
def email_deliver_many(email_ids: list[int]) -> dict[str, int]:
    """Send several queued e-mails, one after the other, each as `email_deliver` does
    (one task for a batch of e-mails written together, e.g. signature confirmations).
    Returns how many were sent, skipped and failed."""
    outcome = {"sent": 0, "skipped": 0, "failed": 0}
    for email_id in email_ids:
        outcome[deliver_one(int(email_id))] += 1
    return outcome


def deliver_one(email_id: int) -> str:
    """Claim, send and record one e-mail: "sent", "skipped" (unknown or sent) or "failed"."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status == EmailStatus.SENT:
            return "skipped"
        email.attempts += 1
        try:
            EmailMessage(subject=email.subject, body=email.body, to=[email.to]).send()
        except Exception as exc:  # any transport error: keep the e-mail, retry later
            email.status = EmailStatus.FAILED
            email.last_error = str(exc)[:2000]
            email.save(update_fields=["status", "attempts", "last_error"])
            return "failed"
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.save(update_fields=["status", "attempts", "sent_at"])
        return "sent"
