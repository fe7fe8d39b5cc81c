"""Background delivery of queued e-mails (Django Tasks API)."""

from __future__ import annotations

import logging

from django_tasks import task

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from infitah.notifications import backoff
from infitah.notifications.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)


@task()
def email_deliver(email_id: int) -> str:
    """Send one queued e-mail unless it was already sent (idempotent).

    The row is claimed with SELECT ... FOR UPDATE so that two workers running the same
    task cannot both send it. A failure is recorded, not raised: the e-mail stays in the
    outbox as failed, with the time of its next attempt (exponential backoff), and
    `manage.py tick` queues it again then (email_retry_failed); after the last attempt
    of the schedule it is a dead letter.
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
    """Claim, send and record one e-mail: "sent", "failed", or "skipped" (unknown, sent,
    dead, or failed and not yet due: a stray duplicate task spends no attempt)."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status in (EmailStatus.SENT, EmailStatus.DEAD):
            return "skipped"
        now = timezone.now()
        if email.status == EmailStatus.FAILED and (
            email.next_attempt_at is None or email.next_attempt_at > now
        ):
            return "skipped"
        email.attempts += 1
        email.last_attempt_at = now
        try:
            EmailMessage(subject=email.subject, body=email.body, to=[email.to]).send()
        except Exception as exc:  # any transport error: keep the e-mail, retry later
            email.last_error = str(exc)[:2000] or type(exc).__name__
            if email.attempts >= backoff.attempts_max():
                email.status = EmailStatus.DEAD
                email.next_attempt_at = None
                logger.warning(
                    "e-mail %s undeliverable after %s attempts: %s",
                    email.pk,
                    email.attempts,
                    type(exc).__name__,
                )
            else:
                email.status = EmailStatus.FAILED
                email.next_attempt_at = now + backoff.retry_delay(email.attempts)
            email.save(
                update_fields=[
                    "status",
                    "attempts",
                    "last_error",
                    "last_attempt_at",
                    "next_attempt_at",
                ]
            )
            return "failed"
        email.status = EmailStatus.SENT
        email.sent_at = now
        email.next_attempt_at = None
        email.save(
            update_fields=["status", "attempts", "sent_at", "last_attempt_at", "next_attempt_at"]
        )
        return "sent"
