"""The e-mail outbox: each message once, whatever the number of deliveries attempted."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    # Failed at least once; tried again at `next_attempt_at` (infitah/notifications/backoff.py).
    FAILED = "failed", _("Failed")
    # Every attempt of the schedule failed: a dead letter, until a network admin re-sends it.
    DEAD = "dead", _("Undeliverable")


# The statuses that wait for an attempt, and so have a `next_attempt_at`.
PENDING = (EmailStatus.QUEUED, EmailStatus.FAILED)


def email_mask(address: str) -> str:
    """`address` with its local part hidden but its first character: "f•••@example.ma".

    The domain stays: it is what tells a delivery problem (a mistyped or dead domain)."""
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = address, ""
    shown = local[:1] if len(local) > 1 else ""
    return f"{shown}•••{at}{domain}"


class OutboundEmailQuerySet(models.QuerySet["OutboundEmail"]):
    def due(self, now: datetime) -> OutboundEmailQuerySet:
        """E-mails whose next attempt is due: failed ones past their wait, and queued ones
        whose task has not run within INFITAH_EMAIL_QUEUED_TIMEOUT (a lost task)."""
        return self.filter(next_attempt_at__lte=now)

    def dead(self) -> OutboundEmailQuerySet:
        return self.filter(status=EmailStatus.DEAD)


class OutboxMessage(models.Model):
    """What every outbox shares, whatever the channel (e-mail, SMS): the idempotency key,
    the delivery state and its retry schedule (infitah/notifications/outbox.py)."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set while the message is pending (queued or failed), null once sent or dead.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # The network admin who last queued this dead letter again (each re-send is also in
    # the ledger, action "email.resent" or "sms.resent").
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("re-sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("re-sent at"), null=True, blank=True)

    class Meta:
        abstract = True


class OutboundEmail(OutboxMessage):
    """One e-mail to send. `key` names the event it announces, so that queueing the same
    notification twice (a re-run of `manage.py tick`, a retried request) stores it once."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))

    objects = OutboundEmailQuerySet.as_manager()

    class Meta(OutboxMessage.Meta):
        abstract = False
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            # The sweep of `manage.py tick`: pending e-mails whose next attempt is due.
            # Partial, so that the sent e-mails, nearly all rows, are not in it.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(next_attempt_at__isnull=False),
                name="notif_email_due_idx",
            ),
            # The network admin's dead-letter page, newest first.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(status="dead"),
                name="notif_email_dead_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["queued", "failed"], next_attempt_at__isnull=False)
                    | models.Q(status__in=["sent", "dead"], next_attempt_at__isnull=True)
                ),
                name="notif_email_next_attempt_iff_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{email_mask(self.to)}: {self.subject}"

    @property
    def summary(self) -> str:
        """What the dead-letter page names the message by."""
        return self.subject

    @property
    def to_masked(self) -> str:
        return email_mask(self.to)

    @property
    def last_error_masked(self) -> str:
        """The last error with the recipient's address masked (SMTP errors quote it)."""
        if not self.to:
            return self.last_error
        pattern = re.compile(re.escape(self.to), re.IGNORECASE)
        return pattern.sub(lambda match: email_mask(match.group(0)), self.last_error)


def phone_mask(number: str) -> str:
    """`number` with its middle digits hidden: "+2126••••••78".

    The country code and the first digit (mobile or fixed) stay, which tell a routing
    problem; the subscriber stays private."""
    if len(number) <= 7:
        return "•" * len(number)
    return f"{number[:5]}{'•' * (len(number) - 7)}{number[-2:]}"


class OutboundSmsQuerySet(models.QuerySet["OutboundSms"]):
    def due(self, now: datetime) -> OutboundSmsQuerySet:
        return self.filter(next_attempt_at__lte=now)

    def dead(self) -> OutboundSmsQuerySet:
        return self.filter(status=EmailStatus.DEAD)


class OutboundSms(OutboxMessage):
    """One SMS to send (docs/sms.md), under the same idempotency key and retry schedule
    as an e-mail. `to` is the international number ("+212612345678"): personal data as an
    e-mail address is, stored as the e-mail outbox stores addresses, masked wherever it
    is shown and never written to a log."""

    to = models.CharField(_("to"), max_length=20)
    body = models.TextField(_("body"))
    # What the body costs, computed when queued (infitah/notifications/sms.py).
    encoding = models.CharField(_("encoding"), max_length=8)
    segments = models.PositiveSmallIntegerField(_("segments"))

    objects = OutboundSmsQuerySet.as_manager()

    class Meta(OutboxMessage.Meta):
        abstract = False
        verbose_name = _("outbound SMS")
        verbose_name_plural = _("outbound SMS")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(next_attempt_at__isnull=False),
                name="notif_sms_due_idx",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(status="dead"),
                name="notif_sms_dead_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=["queued", "failed"], next_attempt_at__isnull=False)
                    | models.Q(status__in=["sent", "dead"], next_attempt_at__isnull=True)
                ),
                name="notif_sms_next_attempt_iff_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(segments__gte=1, segments__lte=2),
                name="notif_sms_one_or_two_segments",
            ),
        ]

    def __str__(self) -> str:
        return f"{phone_mask(self.to)}: {self.key}"

    @property
    def summary(self) -> str:
        # The key names the case, the stage and the event: never personal data.
        return self.key

    @property
    def to_masked(self) -> str:
        return phone_mask(self.to)

    @property
    def last_error_masked(self) -> str:
        """The last error with the number masked, in any of its spellings."""
        if not self.to:
            return self.last_error
        national = "0" + self.to[4:] if self.to.startswith("+212") else self.to
        text = self.last_error
        for spelling in sorted({self.to, self.to.lstrip("+"), national}, key=len, reverse=True):
            text = text.replace(spelling, phone_mask(self.to))
        return text
