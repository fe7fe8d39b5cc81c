"""E-mails about complaints, queued in the outbox (idempotency key per stage and event).

The engine (`infitah.cases.notify`) queues them; this module writes the texts. A citizen
who gave only a phone number gets the news by SMS instead (short texts with the short
tracking link, never the description or a message's text: docs/sms.md). Texts to the
citizen are in the language they used, to the complaints officers in Arabic.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from infitah.accounts.models import Role
from infitah.cases.notify import (
    day,
    event_count,
    person_notify,
    person_sms,
    short_day,
    site_url,
    staff_emails,
    staff_notify,
)
from infitah.complaints.models import Complaint
from infitah.lib.pii import pii_decrypt


def tracking_url(complaint: Complaint) -> str:
    with translation.override(complaint.language):
        return site_url("complaints:track", token=pii_decrypt(complaint.tracking_token_encrypted))


def receipt_url(complaint: Complaint) -> str:
    """The receipt (PDF) of the complaint, behind its secret link."""
    with translation.override(complaint.language):
        return site_url("complaints:receipt", token=pii_decrypt(complaint.tracking_token_encrypted))


def short_tracking_url(complaint: Complaint) -> str:
    """The tracking link in its short form, for SMS."""
    with translation.override(complaint.language):
        return site_url(
            "complaints:track-short", token=pii_decrypt(complaint.tracking_token_encrypted)
        )


# The e-mails that carry the link to the receipt: the complaint is received (and then
# acknowledged by the unit).
RECEIPT_STAGES = frozenset({"received", "acknowledged"})


def _citizen_text(
    complaint: Complaint, stage: str, text: str, confirm_token: str, about: Complaint | None
) -> tuple[str, str]:
    params = {
        "reference": complaint.reference,
        "collectivity": str(complaint.collectivity),
        "link": tracking_url(complaint),
        "confirm_link": site_url("complaints:confirm", token=confirm_token)
        if confirm_token
        else "",
        "ack": day(complaint.acknowledge_by),
        "answer": day(complaint.answer_by),
        "text": text,
        "other": about.reference if about else "",
    }
    subject = {
        "submitted": _("Confirm your message %(reference)s"),
        "received": _("%(reference)s received"),
        "acknowledged": _("%(reference)s: receipt acknowledged"),
        "info_requested": _("%(reference)s: more information requested"),
        "answered": _("%(reference)s: answered"),
        "merged": _("%(reference)s: handled with a similar complaint"),
        "merged_answered": _("%(reference)s: answered"),
        "link_renewed": _("%(reference)s: your new follow-up link"),
    }[stage] % params
    body = {
        "submitted": _(
            "You sent %(reference)s to %(collectivity)s. To have it received, open this "
            "link and press “Confirm my e-mail address”:\n%(confirm_link)s\n\n"
            "If you did not send it, ignore this message."
        ),
        "received": _(
            "%(collectivity)s received %(reference)s. It must acknowledge it by %(ack)s "
            "and answer by %(answer)s. Follow it here:\n%(link)s"
        ),
        "acknowledged": _(
            "%(collectivity)s acknowledged %(reference)s and will answer by %(answer)s.\n%(link)s"
        ),
        "info_requested": _(
            "The unit handling %(reference)s asks you for more information:\n\n%(text)s"
            "\n\nReply from this page:\n%(link)s"
        ),
        "answered": _(
            "%(collectivity)s answered %(reference)s. Read the answer, rate it, and reopen "
            "it if it does not settle the matter:\n%(link)s"
        ),
        "merged": _(
            "%(reference)s is handled together with the similar complaint %(other)s: you "
            "will receive its answer.\n%(link)s"
        ),
        "merged_answered": _(
            "%(reference)s was handled together with the similar complaint %(other)s, "
            "which has been answered:\n\n%(text)s\n\n%(link)s"
        ),
        "link_renewed": _(
            "A new follow-up link was asked for your message %(reference)s to "
            "%(collectivity)s. The previous link no longer works; here is the new one:"
            "\n%(link)s\n\nIf you did not ask for it, keep this message: this link is now "
            "the only way to follow your message."
        ),
    }[stage] % params
    if stage in RECEIPT_STAGES:
        body += "\n\n" + _("Your receipt (PDF):\n%(receipt)s") % {"receipt": receipt_url(complaint)}
    return subject, body


def _citizen_sms(complaint: Complaint, stage: str) -> str:
    """The SMS of `stage`: the reference, a date at most, the short link. Never the
    description nor a message's text (an SMS stays on a shared phone)."""
    params = {
        "reference": complaint.reference,
        "link": short_tracking_url(complaint),
        "answer": short_day(complaint.answer_by),
    }
    return {
        "received": _("%(reference)s received. Answer by %(answer)s. Follow it: %(link)s"),
        "acknowledged": _("%(reference)s acknowledged. Answer by %(answer)s: %(link)s"),
        "info_requested": _("%(reference)s: more information is asked of you: %(link)s"),
        "answered": _("%(reference)s answered. Read the answer: %(link)s"),
        "merged": _("%(reference)s is handled with a similar complaint: %(link)s"),
        "merged_answered": _("%(reference)s answered with a similar complaint: %(link)s"),
        "link_renewed": _("%(reference)s: your new follow-up link: %(link)s"),
    }[stage] % params


# The stages told by SMS to a citizen without an e-mail address (a phone-only complaint
# is received at once: there is no address to confirm).
SMS_STAGES = frozenset(
    {
        "received",
        "acknowledged",
        "info_requested",
        "answered",
        "merged",
        "merged_answered",
        "link_renewed",
    }
)


def citizen(
    complaint: Complaint,
    stage: str,
    *,
    text: str = "",
    confirm_token: str = "",
    about: Complaint | None = None,
) -> bool:
    """Queue the e-mail of `stage` to the citizen, or the SMS when they gave a phone
    number and no e-mail address; False if none (no contact, or queued before)."""
    # For news about another complaint (a merge), that complaint's history counts too:
    # its second answer, after a reopening, is news again.
    about_key = f"{about.pk}.{event_count(about)}" if about else ""
    if not complaint.email:
        if stage not in SMS_STAGES:
            return False
        return person_sms(
            complaint,
            key=f"complaint:{complaint.pk}:citizen",
            stage=stage,
            phone=complaint.phone,
            language=complaint.language,
            compose=lambda: _citizen_sms(complaint, stage),
            fallback=lambda: f"{complaint.reference} {short_tracking_url(complaint)}",
            suffix=about_key,
        )
    return person_notify(
        complaint,
        key=f"complaint:{complaint.pk}:citizen",
        stage=stage,
        to=complaint.email,
        language=complaint.language,
        compose=lambda: _citizen_text(complaint, stage, text, confirm_token, about),
        suffix=about_key,
    )


def _unit_text(complaint: Complaint, stage: str) -> tuple[str, str]:
    params = {
        "reference": complaint.reference,
        "link": site_url(
            "complaints-staff:detail",
            slug=complaint.collectivity.slug,
            reference=complaint.reference,
        ),
        "ack": day(complaint.acknowledge_by),
        "answer": day(complaint.answer_by),
    }
    subject = {
        "received": _("New complaint %(reference)s"),
        "replied": _("%(reference)s: the citizen replied"),
        "reopened": _("%(reference)s: reopened by the citizen"),
        "acknowledge_overdue": _("%(reference)s: receipt not acknowledged in time"),
        "answer_overdue": _("%(reference)s: not answered in time"),
    }[stage] % params
    body = {
        "received": _("Acknowledge it by %(ack)s.\n%(link)s"),
        "replied": _("The citizen gave the information asked for.\n%(link)s"),
        "reopened": _("The citizen reopened the complaint: a new answer period runs.\n%(link)s"),
        "acknowledge_overdue": _(
            "The legal time limit to acknowledge receipt ended on %(ack)s and receipt is "
            "not acknowledged. Acknowledge it without further delay.\n%(link)s"
        ),
        "answer_overdue": _(
            "The legal time limit to answer ended on %(answer)s and the complaint is not "
            "answered. Answer it without further delay.\n%(link)s"
        ),
    }[stage] % params
    return subject, body


def unit(complaint: Complaint, stage: str) -> int:
    """Queue the e-mail of `stage` to the complaints officers; returns how many."""
    return staff_notify(
        complaint,
        key=f"complaint:{complaint.pk}:unit",
        stage=stage,
        recipients=staff_emails(complaint.collectivity, [Role.COMPLAINTS_OFFICER]),
        compose=lambda: _unit_text(complaint, stage),
    )
