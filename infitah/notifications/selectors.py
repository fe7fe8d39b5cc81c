"""Reads of the outbox (e-mails and SMS), for the network admin's dead-letter page and
the sweep."""

from __future__ import annotations

from infitah.notifications.models import (
    OutboundEmail,
    OutboundEmailQuerySet,
    OutboundSms,
    OutboundSmsQuerySet,
)


def dead_letter_list() -> OutboundEmailQuerySet:
    """The dead letters, newest first, with who last re-sent each (one query per page).

    Network-wide: only a holder of NetworkPerm.MAIL_MANAGE may be shown it. The body is
    left out: it holds the recipient's secret links."""
    return (
        OutboundEmail.objects.dead()
        .select_related("resent_by")
        .defer("body")
        .order_by("-created_at", "-pk")
    )


def dead_sms_list() -> OutboundSmsQuerySet:
    """The dead SMS, as `dead_letter_list` the e-mails (the body left out too)."""
    return (
        OutboundSms.objects.dead()
        .select_related("resent_by")
        .defer("body")
        .order_by("-created_at", "-pk")
    )


def dead_letter_count() -> int:
    """Undeliverable messages of every channel, in one query."""
    return (
        OutboundEmail.objects.dead()
        .values("pk")
        .union(OutboundSms.objects.dead().values("pk"), all=True)
        .count()
    )


def dead_email_count() -> int:
    return OutboundEmail.objects.dead().count()


def dead_sms_count() -> int:
    return OutboundSms.objects.dead().count()


def email_get(*, pk: int) -> OutboundEmail | None:
    """The outbox row `pk`, or None (the body left out, as on the page)."""
    return OutboundEmail.objects.defer("body").filter(pk=pk).first()


def sms_get(*, pk: int) -> OutboundSms | None:
    return OutboundSms.objects.defer("body").filter(pk=pk).first()
