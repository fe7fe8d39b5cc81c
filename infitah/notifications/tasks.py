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
