"""E-mails about access-to-information requests, queued in the outbox.

Each e-mail has an idempotency key naming the request, the stage and the number of
events the request had then, so a re-run of the same step queues nothing new while a
second clarification (a new event) gets its own e-mail. Texts are written in the
language the requester used; e-mails never carry the identity number.

A requester who gave a phone number is also told by SMS (the e-mail address stays the
channel of record: the law has the request confirmed by e-mail). An SMS holds the
reference, a date at most and the short tracking link, never the subject, the
description, an answer or an identity number: a phone is often shared (docs/sms.md).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from infitah.accounts.models import Role
from infitah.cases.notify import (
    day,
    person_notify,
    person_sms,
    short_day,
    site_url,
    staff_emails,
    staff_notify,
)
from infitah.deadlines.models import Deadline
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.selectors import complaint_window_end, tracking_token


def tracking_url(request: InformationRequest, *, language: str | None = None) -> str:
    with translation.override(language or request.language):
        return site_url("information:track", token=tracking_token(request))


def short_tracking_url(request: InformationRequest) -> str:
    """The tracking link in its short form (`/<lang>/t/i/<token>`), for SMS."""
    with translation.override(request.language):
        return site_url("information:track-short", token=tracking_token(request))


def _requester_text(
    request: InformationRequest, stage: str, text: str, confirm_token: str
) -> tuple[str, str]:
    ref = request.reference
    link = tracking_url(request)
    params = {
        "reference": ref,
        "collectivity": str(request.collectivity),
        "due": day(request.due_date),
        "link": link,
        "text": text,
        "complaint_due": day(request.complaint_due_date),
        "confirm_link": site_url("information:confirm", token=confirm_token)
        if confirm_token
        else "",
    }
    window = ""
    if stage in {"answered_partly", "refused", "deemed_refused"}:
        end = complaint_window_end(request)
        if end is not None:
            window = "\n\n" + _(
                "If you are not satisfied, you may complain to the head of the collectivity "
                "until %(end)s, from your request's page."
            ) % {"end": day(end)}
    subjects = {
        "filed": _("Confirm your request %(reference)s"),
        "received": _("Request %(reference)s received"),
        "clarification": _("Request %(reference)s: clarification requested"),
        "extended": _("Request %(reference)s: time limit extended"),
        "answered": _("Request %(reference)s: answered"),
        "answered_partly": _("Request %(reference)s: partly answered"),
        "refused": _("Request %(reference)s: refused"),
        "transferred": _("Request %(reference)s: transferred"),
        "deemed_refused": _("Request %(reference)s: no answer within the time limit"),
        "complaint_received": _("Request %(reference)s: complaint received"),
        "complaint_decided": _("Request %(reference)s: decision on your complaint"),
        "link_renewed": _("Request %(reference)s: your new follow-up link"),
    }
    bodies = {
        "filed": _(
            "You filed the request %(reference)s with %(collectivity)s. To have it received, "
            "open this link and press “Confirm my e-mail address”:\n%(confirm_link)s\n\n"
            "If you did not file this request, ignore this message."
        ),
        "received": _(
            "%(collectivity)s received your request %(reference)s. The legal time limit to "
            "answer ends on %(due)s. Your receipt and the follow-up of your request:\n%(link)s"
        ),
        "clarification": _(
            "The information officer asks you to clarify your request %(reference)s:\n\n"
            "%(text)s\n\nReply from your request's page:\n%(link)s"
        ),
        "extended": _(
            "The time limit to answer your request %(reference)s is extended to %(due)s, for "
            "these reasons:\n\n%(text)s\n\n%(link)s"
        ),
        "answered": _("Your request %(reference)s has been answered:\n%(link)s"),
        "answered_partly": _("Your request %(reference)s has been partly answered:\n%(link)s"),
        "refused": _("Your request %(reference)s has been refused. The reasons:\n%(link)s"),
        "transferred": _(
            "Your request %(reference)s has been transferred to the competent collectivity:"
            "\n\n%(text)s\n\nYou will receive its new reference in a separate message."
        ),
        "deemed_refused": _(
            "%(collectivity)s did not answer your request %(reference)s by %(due)s: the "
            "request is deemed refused.\n%(link)s"
        ),
        "complaint_received": _(
            "Your complaint about the request %(reference)s was sent to the head of "
            "%(collectivity)s, who should answer by %(complaint_due)s.\n%(link)s"
        ),
        "complaint_decided": _(
            "The head of %(collectivity)s decided on your complaint about the request "
            "%(reference)s. The decision, and how to go to the Commission (CDAI) if you "
            "are not satisfied:\n%(link)s"
        ),
        "link_renewed": _(
            "A new follow-up link was asked for your request %(reference)s to "
            "%(collectivity)s. The previous link no longer works; here is the new one:"
            "\n%(link)s\n\nIf you did not ask for it, keep this message: this link is now "
            "the only way to follow your request."
        ),
    }
    return subjects[stage] % params, bodies[stage] % params + window


def _requester_sms(request: InformationRequest, stage: str) -> str:
    """The SMS of `stage`: the reference, a date at most, the short link; within two
    segments once filled (docs/sms.md). Never the subject, the description, a message's
    or an answer's text, nor an identity number (an SMS stays on a shared phone)."""
    params = {
        "reference": request.reference,
        "link": short_tracking_url(request),
        "due": short_day(request.due_date),
    }
    return {
        "received": _("Request %(reference)s received. Answer due by %(due)s: %(link)s"),
        "clarification": _("Request %(reference)s: please clarify it: %(link)s"),
        "extended": _("Request %(reference)s: answer now due by %(due)s: %(link)s"),
        "answered": _("Request %(reference)s answered. Read the answer: %(link)s"),
        "answered_partly": _("Request %(reference)s partly answered: %(link)s"),
        "refused": _("Request %(reference)s refused. The reasons: %(link)s"),
        "deemed_refused": _("Request %(reference)s not answered in time: %(link)s"),
        "complaint_decided": _("Request %(reference)s: decision on your complaint: %(link)s"),
        "link_renewed": _("Request %(reference)s: your new follow-up link: %(link)s"),
    }[stage] % params


# The stages also told by SMS when the request has a phone number. Not "filed": the
# address is confirmed by e-mail only; nor a transfer: the new request's receipt follows.
SMS_STAGES = frozenset(
    {
        "received",
        "clarification",
        "extended",
        "answered",
        "answered_partly",
        "refused",
        "deemed_refused",
        "complaint_decided",
        "link_renewed",
    }
)


def requester(
    request: InformationRequest, stage: str, *, text: str = "", confirm_token: str = ""
) -> bool:
    """Queue the e-mail of `stage` to the requester and, for the stages of SMS_STAGES,
    the SMS to the phone number given with the request (if any); False if nothing new
    was queued (queued before, or no usable number and no address)."""
    key = f"ati:{request.pk}:requester"
    emailed = person_notify(
        request,
        key=key,
        stage=stage,
        to=request.email,
        language=request.language,
        compose=lambda: _requester_text(request, stage, text, confirm_token),
    )
    texted = False
    if request.phone and stage in SMS_STAGES:
        texted = person_sms(
            request,
            key=key,
            stage=stage,
            phone=request.phone,
            language=request.language,
            compose=lambda: _requester_sms(request, stage),
            fallback=lambda: f"{request.reference} {short_tracking_url(request)}",
        )
    return emailed or texted


def _staff_emails(request: InformationRequest, *, heads: bool = False) -> list[str]:
    """The officers (and the head); the information desk's address when no officer is
    designated, so that a request never goes unnoticed."""
    roles = [Role.INFORMATION_OFFICER] + ([Role.ADMIN] if heads else [])
    found = staff_emails(request.collectivity, roles)
    if found:
        return found
    desk = (
        InformationSettings.objects.filter(collectivity=request.collectivity)
        .values_list("desk_email", flat=True)
        .first()
    )
    return [desk] if desk else []


def _staff_url(request: InformationRequest) -> str:
    return site_url(
        "information-staff:detail", slug=request.collectivity.slug, reference=request.reference
    )


def _officers_text(request: InformationRequest, stage: str) -> tuple[str, str]:
    params = {
        "reference": request.reference,
        "due": day(request.due_date),
        "complaint_due": day(request.complaint_due_date),
        "link": _staff_url(request),
    }
    subject = {
        "received": _("New access-to-information request %(reference)s"),
        "clarified": _("Request %(reference)s: the requester clarified"),
        "withdrawn": _("Request %(reference)s withdrawn"),
        "complaint": _("Complaint to the head about request %(reference)s"),
    }[stage] % params
    body = {
        "received": _("A request was received; answer by %(due)s.\n%(link)s"),
        "clarified": _("The requester replied to your question.\n%(link)s"),
        "withdrawn": _("The requester withdrew the request.\n%(link)s"),
        "complaint": _(
            "The requester complained to the head of the collectivity, who must "
            "answer by %(complaint_due)s.\n%(link)s"
        ),
    }[stage] % params
    return subject, body


def officers(request: InformationRequest, stage: str, *, heads: bool = False) -> int:
    """Queue the e-mail of `stage` to the officers (and the head); returns how many."""
    return staff_notify(
        request,
        key=f"ati:{request.pk}:staff",
        stage=stage,
        recipients=_staff_emails(request, heads=heads),
        compose=lambda: _officers_text(request, stage),
    )


def reminder(request: InformationRequest, *, deadline: Deadline, days: int, left: int) -> int:
    """Remind the officers (and the head, for a complaint) of a due date, once per threshold."""

    def compose() -> tuple[str, str]:
        due = day(deadline.due_date)
        subject = _("Reminder: request %(reference)s due on %(due)s") % {
            "reference": request.reference,
            "due": due,
        }
        body = _(
            "%(left)d working day(s) left to meet the legal time limit of %(due)s.\n%(link)s"
        ) % {"left": left, "due": due, "link": _staff_url(request)}
        return subject, body

    heads = deadline.pk == request.head_deadline_id
    return staff_notify(
        request,
        key=f"ati:reminder:{deadline.pk}",
        stage=str(days),
        recipients=_staff_emails(request, heads=heads),
        compose=compose,
        counted=False,
    )
