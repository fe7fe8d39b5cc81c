"""E-mails about complaints, queued in the outbox (idempotency key per stage and event).

A citizen who gave only a phone number gets no e-mail; the unit calls them back. Texts
are in the language the citizen used.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.accounts.models import Membership, Role
from infitah.complaints.models import Complaint
from infitah.ledger.models import Event
from infitah.lib.pii import pii_decrypt
from infitah.notifications.services import email_queue

SIGNATURE = "\n\n— Infitah"


def _event_count(complaint: Complaint) -> int:
    return Event.objects.filter(
        object_type=Complaint._meta.label_lower, object_id=str(complaint.pk)
    ).count()


def _day(value: date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _url(name: str, **kwargs: str) -> str:
    return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs)


def tracking_url(complaint: Complaint) -> str:
    with translation.override(complaint.language):
        return _url("complaints:track", token=pii_decrypt(complaint.tracking_token_encrypted))


def citizen(
    complaint: Complaint,
    stage: str,
    *,
    text: str = "",
    confirm_token: str = "",
    about: Complaint | None = None,
) -> bool:
    """Queue the e-mail of `stage` to the citizen; False if none (no e-mail, or sent)."""
    if not complaint.email:
        return False
    with translation.override(complaint.language):
        params = {
            "reference": complaint.reference,
            "collectivity": str(complaint.collectivity),
            "link": tracking_url(complaint),
            "confirm_link": _url("complaints:confirm", token=confirm_token)
            if confirm_token
            else "",
            "ack": _day(complaint.acknowledge_by),
            "answer": _day(complaint.answer_by),
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
                "%(collectivity)s acknowledged %(reference)s and will answer by %(answer)s."
                "\n%(link)s"
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
        }[stage] % params + SIGNATURE
    # For news about another complaint (a merge), that complaint's history counts too:
    # its second answer, after a reopening, is news again.
    about_key = f"{about.pk}.{_event_count(about)}" if about else ""
    key = f"complaint:{complaint.pk}:citizen:{stage}:{_event_count(complaint)}:{about_key}"
    return email_queue(key=key, to=complaint.email, subject=subject, body=body)[1]


def unit(complaint: Complaint, stage: str) -> int:
    """Queue the e-mail of `stage` to the complaints officers; returns how many."""
    emails = sorted(
        set(
            Membership.objects.filter(
                collectivity=complaint.collectivity,
                role=Role.COMPLAINTS_OFFICER,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
    )
    count = _event_count(complaint)
    queued = 0
    with translation.override("ar"):
        link = _url(
            "complaints-staff:detail",
            slug=complaint.collectivity.slug,
            reference=complaint.reference,
        )
        params = {
            "reference": complaint.reference,
            "link": link,
            "ack": _day(complaint.acknowledge_by),
        }
        subject = {
            "received": _("New complaint %(reference)s"),
            "replied": _("%(reference)s: the citizen replied"),
            "reopened": _("%(reference)s: reopened by the citizen"),
        }[stage] % params
        body = {
            "received": _("Acknowledge it by %(ack)s.\n%(link)s"),
            "replied": _("The citizen gave the information asked for.\n%(link)s"),
            "reopened": _(
                "The citizen reopened the complaint: a new answer period runs.\n%(link)s"
            ),
        }[stage] % params + SIGNATURE
    for to in emails:
        key = f"complaint:{complaint.pk}:unit:{stage}:{count}:{to}"
        queued += email_queue(key=key, to=to, subject=subject, body=body)[1]
    return queued
