"""Background delivery of queued e-mails and SMS (Django Tasks API).

Both channels run on the outbox engine (outbox.py); here is only how one message of each
is sent, and the tasks that the services enqueue.
"""

from __future__ import annotations

from django_tasks import task

from django.core.mail import EmailMessage

from infitah.notifications import outbox
from infitah.notifications.models import OutboundEmail, OutboundSms
from infitah.notifications.sms import Sms, sms_send


def _send_email(email: OutboundEmail) -> None:
    EmailMessage(subject=email.subject, body=email.body, to=[email.to]).send()


def _send_sms(message: OutboundSms) -> None:
    # The concatenation reference follows the row, so that every attempt of one message
    # cuts it the same way.
    sms_send(Sms(to=message.to, text=message.body, reference=message.pk % 256))


EMAIL = outbox.Channel(name="email", model=OutboundEmail, send=_send_email)
SMS = outbox.Channel(name="sms", model=OutboundSms, send=_send_sms)


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
    return outbox.deliver_many(EMAIL, email_ids)


def deliver_one(email_id: int) -> str:
    """Claim, send and record one e-mail: "sent", "failed", or "skipped" (unknown, sent,
    dead, or failed and not yet due: a stray duplicate task spends no attempt)."""
    return outbox.deliver_one(EMAIL, email_id)


@task()
def sms_deliver(sms_id: int) -> str:
    """Send one queued SMS, as `email_deliver` does an e-mail (same claim, same retry
    schedule, same dead letters)."""
    return outbox.deliver_one(SMS, sms_id)


@task()
def sms_deliver_many(sms_ids: list[int]) -> dict[str, int]:
    return outbox.deliver_many(SMS, sms_ids)
