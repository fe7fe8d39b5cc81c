"""Reads of the e-mail outbox, for the network admin's dead-letter page and the sweep."""

from __future__ import annotations

from infitah.notifications.models import OutboundEmail, OutboundEmailQuerySet


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


def dead_letter_count() -> int:
    return OutboundEmail.objects.dead().count()


def email_get(*, pk: int) -> OutboundEmail | None:
    """The outbox row `pk`, or None (the body left out, as on the page)."""
    return OutboundEmail.objects.defer("body").filter(pk=pk).first()
