"""Writes of access-to-information requests (law 31.13): filing, handling, complaints.

Every change of state goes through the case engine (`infitah.cases`): the table of
`workflow.py` and the clocks of `process.py` say what is allowed and which legal periods
open and close; the engine locks, checks, writes the state and its ledger event in one
transaction. E-mails are queued in the outbox inside the same transaction (`notify.py`),
so they leave only if the change commits, and each under an idempotency key, so a re-run
sends nothing twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.cases.recovery import case_link_renew
from infitah.cases.services import TransitionNotAllowed as TransitionNotAllowed
from infitah.cases.services import (
    case_created,
    case_lock,
    case_transition,
    cases_step_each,
    clocks_sweep,
    files_check,
    files_store,
    message_add,
    refused,
    settings_save,
)
from infitah.deadlines.selectors import calendar_get
from infitah.deadlines.workdays import count_working_days
from infitah.information import notify
from infitah.information.models import (
    ADDRESS_MAX,
    NAME_MAX,
    PHONE_MAX,
    SUBJECT_MAX,
    TEXT_MAX,
    Attachment,
    Delivery,
    IdType,
    InformationRequest,
    InformationSettings,
    Message,
    MessageKind,
    RequesterType,
)
from infitah.information.process import PROCESS
from infitah.information.selectors import complaint_window_end, information_settings_get
from infitah.information.workflow import (
    FILED,
    Action,
    ClarificationClock,
    ComplaintDecision,
    Outcome,
    RefusalReason,
    Status,
    is_allowed,
)
from infitah.lib.casework import require_text, site_language, token_digest, too_long
from infitah.lib.pii import (
    id_normalise,
    id_valid,
    pii_encrypt,
    pii_hash,
    pii_mask,
)
from infitah.lib.uploads import CheckedUpload
from infitah.notifications.sms import phone_international
from infitah.numbering.services import number_next, reference_make
from infitah.publication.models import Document
from infitah.territories.models import Collectivity

PAGE_CACHE_NAMESPACE = "information"
SERIES = "ati"
MAX_ATTACHMENTS = 10


class NotAccepting(TransitionNotAllowed):
    """The collectivity takes no request on the platform (no CNDP authorisation)."""


# ---------------------------------------------------------------------------- filing


@dataclass
class RequestInput:
    """What a requester gives; forms and the API build one, `request_validate` checks it."""

    requester_type: str = ""
    first_name: str = ""
    last_name: str = ""
    id_type: str = ""
    id_number: str = ""
    address: str = ""
    email: str = ""
    # Optional: news of the request by SMS too (docs/sms.md).
    phone: str = ""
    subject: str = ""
    description: str = ""
    urgent: bool = False
    urgency_reason: str = ""
    delivery: str = ""
    private: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def request_validate(data: RequestInput) -> RequestInput:
    """`data` stripped and normalised, or ValidationError with one message per field."""
    errors: dict[str, str] = {}
    clean = RequestInput(
        requester_type=data.requester_type.strip(),
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        id_type=data.id_type.strip(),
        id_number=id_normalise(data.id_number),
        address=data.address.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
        subject=data.subject.strip(),
        description=data.description.strip(),
        urgent=bool(data.urgent),
        urgency_reason=data.urgency_reason.strip(),
        delivery=data.delivery.strip(),
        private=bool(data.private),
    )
    if clean.requester_type not in RequesterType.values:
        errors["requester_type"] = _("Choose: Moroccan citizen or foreigner legally resident.")
    for name, limit in (
        ("first_name", NAME_MAX),
        ("last_name", NAME_MAX),
        ("address", ADDRESS_MAX),
        ("phone", PHONE_MAX),
        ("subject", SUBJECT_MAX),
        ("description", TEXT_MAX),
        ("urgency_reason", TEXT_MAX),
    ):
        value = getattr(clean, name)
        if len(value) > limit:
            errors[name] = too_long(limit)
        elif "\x00" in value:
            errors[name] = _("This text contains a forbidden character.")
    for name, message in (
        ("first_name", _("Give your first name.")),
        ("last_name", _("Give your last name.")),
        ("address", _("Give your postal address.")),
        ("subject", _("Give the subject of your request.")),
        ("description", _("Describe the information you ask for.")),
    ):
        if name not in errors and not getattr(clean, name):
            errors[name] = message
    if clean.id_type not in IdType.values:
        errors["id_type"] = _("Choose the identity document: CIN or residence card.")
    elif clean.requester_type == RequesterType.CITIZEN and clean.id_type != IdType.CIN:
        errors["id_type"] = _("A Moroccan citizen gives the number of the national identity card.")
    elif (
        clean.requester_type == RequesterType.FOREIGN_RESIDENT
        and clean.id_type != IdType.RESIDENCE_CARD
    ):
        errors["id_type"] = _("A foreign resident gives the number of the residence card.")
    if not clean.id_number:
        errors["id_number"] = _("Give the number of your identity document.")
    elif len(clean.id_number) > 20 or not id_valid(clean.id_number, clean.id_type or IdType.CIN):
        errors["id_number"] = _(
            "This number does not look like a card number: letters then digits, e.g. AB123456."
        )
    if not clean.email:
        errors["email"] = _(
            "Give your e-mail address: you will confirm it and follow your request."
        )
    else:
        try:
            EmailValidator()(clean.email)
            if len(clean.email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address, e.g. name@example.ma.")
    # A number the SMS outbox could not dial is refused now, not silently never texted.
    if clean.phone and "phone" not in errors and not phone_international(clean.phone):
        errors["phone"] = _("Enter a phone number, e.g. 0612345678 or +212612345678.")
    if clean.urgent and not clean.urgency_reason and "urgency_reason" not in errors:
        errors["urgency_reason"] = _(
            "Explain why the request is urgent (life, safety or freedom of persons)."
        )
    if not clean.urgent:
        clean.urgency_reason = ""
    if clean.delivery not in Delivery.values:
        errors["delivery"] = _("Choose how to receive the information: e-mail, paper or on site.")
    if errors:
        raise ValidationError(errors)
    return clean


# What a transfer carries over to the competent collectivity's new request.
TRANSFERRED_FIELDS = (
    "requester_type",
    "first_name",
    "last_name",
    "id_type",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "address",
    "email",
    "phone",
    "subject",
    "description",
    "is_urgent",
    "urgency_reason",
    "delivery",
    "is_private",
    "language",
)


def _new_request(
    collectivity: Collectivity,
    fields: dict[str, Any],
    *,
    actor: User | None,
    data: dict[str, Any],
    confirm_digest: str = "",
) -> tuple[InformationRequest, str]:
    """A new request of `collectivity` with its gapless reference and its first event;
    returns it and the requester's secret tracking token."""
    now = timezone.now()
    year = timezone.localdate(now).year
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    token = secrets.token_urlsafe(24)
    request = InformationRequest.objects.create(
        collectivity=collectivity,
        reference=reference_make("ATI", collectivity=collectivity, year=year, number=number),
        year=year,
        number=number,
        **fields,
        tracking_digest=token_digest(token),
        tracking_token_encrypted=pii_encrypt(token),
        confirm_digest=confirm_digest,
        submitted_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    case_created(PROCESS, request, FILED, actor=actor, data=data)
    return request, token


@transaction.atomic
def request_file(
    *,
    collectivity: Collectivity,
    data: RequestInput,
    actor: User | None = None,
    email_confirmed: bool = False,
    language: str | None = None,
) -> tuple[InformationRequest, str]:
    """File a request; returns it and the requester's secret tracking token.

    Preconditions: the collectivity records a CNDP authorisation (else NotAccepting);
    `data` passes `request_validate` (else ValidationError, nothing written).
    `email_confirmed` is true when the address needs no confirmation (a staff member
    registers a request received on paper, or the requester is signed in with it).
    Side effects: a gapless reference ATI-<year>-<key>-<number>; a ledger event
    "information.filed"; an e-mail asking to confirm the address, or the confirmation
    (receipt, due date) when it needs none.
    """
    info = information_settings_get(collectivity=collectivity)
    if info is None or not info.is_accepting:
        raise NotAccepting(
            _(
                "This collectivity does not yet receive requests on this platform: it has not "
                "recorded its authorisation from the CNDP to process your personal data."
            )
        )
    clean = request_validate(data)
    confirm_token = secrets.token_urlsafe(24)
    request, token = _new_request(
        collectivity,
        {
            "requester_type": clean.requester_type,
            "first_name": clean.first_name,
            "last_name": clean.last_name,
            "id_type": clean.id_type,
            "id_number_encrypted": pii_encrypt(clean.id_number),
            "id_number_hash": pii_hash(clean.id_number),
            "id_number_masked": pii_mask(clean.id_number),
            "address": clean.address,
            "email": clean.email,
            "phone": clean.phone,
            "subject": clean.subject,
            "description": clean.description,
            "is_urgent": clean.urgent,
            "urgency_reason": clean.urgency_reason,
            "delivery": clean.delivery,
            "is_private": clean.private,
            "language": site_language(language or get_language()),
        },
        actor=actor,
        data={"urgent": clean.urgent, "delivery": clean.delivery},
        confirm_digest="" if email_confirmed else token_digest(confirm_token),
    )
    if email_confirmed:
        request_confirm(request=request, actor=actor)
    else:
        notify.requester(request, "filed", confirm_token=confirm_token)
    return request, token


def request_by_confirm_token(token: str) -> InformationRequest | None:
    """The request whose e-mail confirmation link carries `token`, or None."""
    if not token or len(token) > 100:
        return None
    return (
        InformationRequest.objects.select_related("collectivity")
        .filter(confirm_digest=token_digest(token))
        .first()
    )


def request_by_token(token: str) -> InformationRequest | None:
    """The request whose secret link carries `token`, or None."""
    if not token or len(token) > 100:
        return None
    return (
        InformationRequest.objects.select_related(
            "collectivity", "answer_document", "answer_deadline", "head_deadline"
        )
        .filter(tracking_digest=token_digest(token))
        .first()
    )


def request_link_renew(*, reference: str, contact: str) -> bool:
    """Send a new secret follow-up link to a requester who lost theirs.

    If `reference` names a request and `contact` is its requester's e-mail address (any
    case) or the phone number given with it (any spelling), a new tracking token
    replaces the old one (the old link stops working), the event
    `information.link_renewed` is recorded (no personal data), and the new link is sent
    to the request's own contact details, never elsewhere: e-mailed to its address, and
    by SMS to its number if it has one (infitah/cases/recovery.py). Returns whether a
    link was sent; the caller tells the person the same thing either way.
    """
    return case_link_renew(
        process=PROCESS,
        model=InformationRequest,
        reference=reference,
        contact=contact,
        notify=notify.requester,
    )


# ------------------------------------------------------------------------ transitions


def _step(
    request: InformationRequest, action: Action, *, actor: User | None, **kwargs: Any
) -> InformationRequest:
    return case_transition(PROCESS, request, action, actor=actor, **kwargs)


def _message(
    request: InformationRequest,
    kind: str,
    text: str,
    *,
    actor: User | None = None,
    from_citizen: bool = False,
) -> Message:
    return message_add(Message, request, kind, text, actor=actor, from_citizen=from_citizen)  # type: ignore[return-value]


@transaction.atomic
def request_confirm(
    *, request: InformationRequest, actor: User | None = None
) -> InformationRequest:
    """The requester confirmed the e-mail address (or needs not): the request is received.

    Side effects: received today; the answer clock opens (`ati.answer`, or `ati.urgent`)
    in the staff inbox; the requester gets the receipt, the officers a notice.
    """
    locked = _step(
        request,
        Action.CONFIRM,
        actor=actor,
        changes={"received_on": timezone.localdate(), "confirm_digest": ""},
    )
    notify.requester(locked, "received")
    notify.officers(locked, "received")
    return locked


@transaction.atomic
def request_withdraw(*, request: InformationRequest, text: str = "") -> InformationRequest:
    """The requester withdraws the request; its answer period is cancelled."""
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": too_long(TEXT_MAX)})
    locked = _step(request, Action.WITHDRAW, actor=None, note=text.strip())
    if text.strip():
        _message(locked, MessageKind.WITHDRAWAL, text.strip(), from_citizen=True)
    notify.officers(locked, "withdrawn")
    return locked


@transaction.atomic
def request_clarify(*, request: InformationRequest, actor: User, text: str) -> InformationRequest:
    """An officer asks the requester to clarify the request.

    With the collectivity's clock set to "restart", the answer period is suspended and a
    new full period starts from the reply; with "run" (default) it keeps running.
    """
    text = require_text(text, "text", _("Write the question to the requester."))
    locked = _step(request, Action.CLARIFY, actor=actor, note=text)
    _message(locked, MessageKind.CLARIFICATION_REQUEST, text, actor=actor)
    notify.requester(locked, "clarification", text=text)
    return locked


@transaction.atomic
def request_reply(*, request: InformationRequest, text: str) -> InformationRequest:
    """The requester answers a request for clarification."""
    text = require_text(text, "text", _("Write your clarification."))
    locked = _step(request, Action.REPLY, actor=None, note=text)
    _message(locked, MessageKind.CLARIFICATION_REPLY, text, from_citizen=True)
    notify.officers(locked, "clarified")
    return locked


def _extendable(request: InformationRequest) -> None:
    if request.is_extended:
        raise TransitionNotAllowed(_("The time limit can be extended only once."))
    if request.due_date is None or request.due_date < timezone.localdate():
        raise TransitionNotAllowed(
            _("The time limit has expired: it can only be extended before it expires.")
        )


@transaction.atomic
def request_extend(*, request: InformationRequest, actor: User, reasons: str) -> InformationRequest:
    """Extend the answer period once, before it expires, with reasons told to the requester.

    Preconditions: not extended before and today is on or before the due date (else
    TransitionNotAllowed); reasons given (else ValidationError).
    Side effects: the answer period is replaced by one of `ati.extension` (or
    `ati.urgent_extension`) from the former due date; the requester is told at once.
    """
    reasons = require_text(reasons, "reasons", _("Give the reasons for the extension."))
    locked = _step(
        request,
        Action.EXTEND,
        actor=actor,
        note=reasons,
        guard=_extendable,
        changes={"is_extended": True},
    )
    _message(locked, MessageKind.EXTENSION, reasons, actor=actor)
    notify.requester(locked, "extended", text=reasons)
    return locked


def _check_files(files: list[UploadedFile[Any]]) -> list[CheckedUpload]:
    return files_check(files, max_count=MAX_ATTACHMENTS)


def _check_document(document: Document | None, collectivity: Collectivity) -> None:
    if document is not None and (
        document.collectivity_id != collectivity.pk or not document.is_published
    ):
        raise ValidationError({"document": _("Choose a document published by this collectivity.")})


def _check_link(link: str) -> str:
    link = link.strip()
    if "\x00" in link:
        raise ValidationError({"link": _("Enter a full web address (https://…).")})
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError as exc:
            raise ValidationError({"link": _("Enter a full web address (https://…).")}) from exc
        if len(link) > 500:
            raise ValidationError({"link": too_long(500)})
    return link


def _answered_changes(request: InformationRequest) -> dict[str, Any]:
    """When and how promptly the request is disposed of (read before its clock closes)."""
    today = timezone.localdate()
    start = request.received_on or today
    return {
        "answered_on": today,
        "answer_working_days": count_working_days(start, today, calendar_get()),
        "is_answered_late": request.due_date is not None and today > request.due_date,
        "deemed_refused_on": _deemed_refused_on(request, today),
    }


def _deemed_refused_on(request: InformationRequest, today: date) -> date | None:
    """The day the request became deemed refused, if its answer comes after the due date."""
    if request.deemed_refused_on is not None:
        return request.deemed_refused_on
    if request.due_date is not None and today > request.due_date:
        return _day_after(request.due_date)
    return None


def _day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


@transaction.atomic
def request_answer(
    *,
    request: InformationRequest,
    actor: User,
    text: str,
    partial: bool = False,
    files: list[UploadedFile[Any]] | None = None,
    document: Document | None = None,
    link: str = "",
    personal: bool = False,
) -> InformationRequest:
    """Give the information, fully or partly, with files and/or a published document.

    A partial answer states in `text` what is withheld and why. Side effects: the answer
    period closes (met; `is_answered_late` if after the due date); the requester is
    told, with the complaint window when the answer is partial.
    """
    text = require_text(text, "text", _("Write the answer."))
    files = files or []
    checked = _check_files(files)
    _check_document(document, request.collectivity)
    link = _check_link(link)
    locked = _step(
        request,
        Action.ANSWER_PARTIAL if partial else Action.ANSWER,
        actor=actor,
        changes=lambda current: {
            **_answered_changes(current),
            "outcome": Outcome.PARTLY_ANSWERED if partial else Outcome.ANSWERED,
            "answer_text": text,
            "answer_document": document,
            "answer_link": link,
            "is_answer_personal": personal,
            "refusal_reasons": [],
        },
        data={"files": len(files), "document": document.pk if document else None},
    )
    message = _message(locked, MessageKind.ANSWER, text, actor=actor)
    files_store(Attachment, locked, files, checked, message=message)
    notify.requester(locked, "answered_partly" if partial else "answered")
    return locked


@transaction.atomic
def request_refuse(
    *,
    request: InformationRequest,
    actor: User,
    reasons: list[str],
    reasoning: str,
    document: Document | None = None,
    link: str = "",
) -> InformationRequest:
    """Refuse in writing, with one or more grounds and the reasoning (art. 7 and the CDAI's).

    "Already published" needs the published document or a link to it.
    """
    errors: dict[str, str] = {}
    unique = list(dict.fromkeys(r for r in reasons if r))
    if not unique:
        errors["reasons"] = _("Choose at least one ground for refusal.")
    elif any(r not in RefusalReason.values for r in unique):
        errors["reasons"] = _("Choose the grounds from the list.")
    if not reasoning.strip():
        errors["reasoning"] = _("A refusal must be reasoned in writing.")
    if errors:
        raise ValidationError(errors)
    reasoning = require_text(reasoning, "reasoning", _("A refusal must be reasoned in writing."))
    _check_document(document, request.collectivity)
    link = _check_link(link)
    if RefusalReason.ALREADY_PUBLISHED in unique and document is None and not link:
        raise ValidationError(
            {"link": _("Give the published document or the link where it is published.")}
        )
    locked = _step(
        request,
        Action.REFUSE,
        actor=actor,
        changes=lambda current: {
            **_answered_changes(current),
            "outcome": Outcome.REFUSED,
            "answer_text": reasoning,
            "refusal_reasons": unique,
            "answer_document": document,
            "answer_link": link,
        },
        data={"reasons": unique},
    )
    _message(locked, MessageKind.REFUSAL, reasoning, actor=actor)
    notify.requester(locked, "refused")
    return locked


@transaction.atomic
def request_transfer(
    *, request: InformationRequest, actor: User, to: Collectivity, note: str
) -> InformationRequest:
    """Send the request to the competent collectivity, which receives it today.

    Preconditions: `to` differs and receives requests on the platform (else
    ValidationError: the officer then refuses as "not held" and names the competent body).
    Side effects: a new request in `to` (new reference and due date) received today;
    this one closes as transferred; the requester gets the new tracking link.
    """
    note = require_text(note, "note", _("Tell the requester why the request is transferred."))
    if to.pk == request.collectivity_id:
        raise ValidationError({"to": _("Choose another collectivity.")})
    info = information_settings_get(collectivity=to)
    if info is None or not info.is_accepting:
        raise ValidationError(
            {
                "to": _(
                    "This collectivity does not receive requests on the platform: refuse as "
                    "“not held” and name the competent body in the reasoning."
                )
            }
        )
    current = case_lock(PROCESS, request)
    if not is_allowed(current.status, Action.TRANSFER):
        raise refused(PROCESS, current)
    new, _token = _new_request(
        to,
        {name: getattr(current, name) for name in TRANSFERRED_FIELDS},
        actor=actor,
        data={"transferred_from": current.reference},
    )
    locked = _step(
        request,
        Action.TRANSFER,
        actor=actor,
        note=note,
        changes={"transferred_to": new, "outcome": Outcome.TRANSFERRED},
        data={"to": to.slug, "new_reference": new.reference},
    )
    _message(locked, MessageKind.TRANSFER, note, actor=actor)
    # The address was confirmed with the first collectivity: the new one receives it now.
    request_confirm(request=new, actor=actor)
    notify.requester(locked, "transferred", text=note)
    return locked


def _complainable(request: InformationRequest) -> None:
    if request.is_open and not request.is_deemed_refused():
        raise TransitionNotAllowed(
            _("The collectivity still has time to answer: you can complain after the due date.")
        )
    window_end = complaint_window_end(request)
    if window_end is None or timezone.localdate() > window_end:
        raise TransitionNotAllowed(
            _("The time limit to complain to the head of the collectivity has passed.")
        )


def _complaint_changes(request: InformationRequest, text: str) -> dict[str, Any]:
    changes: dict[str, Any] = {"complaint_on": timezone.localdate(), "complaint_text": text}
    if request.is_open and request.due_date is not None:
        changes["deemed_refused_on"] = request.deemed_refused_on or _day_after(request.due_date)
    return changes


@transaction.atomic
def request_complain(*, request: InformationRequest, text: str) -> InformationRequest:
    """The requester complains to the head after a refusal, a partial answer or no answer.

    Preconditions: within `ati.internal_complaint` of the answer or of the expiry of the
    answer period (else TransitionNotAllowed); an open request only once deemed refused.
    Side effects: the expired answer period closes unmet, the head's period
    (`ati.head_answer`) opens; head and officers told.
    """
    text = require_text(text, "text", _("Write your complaint."))
    locked = _step(
        request,
        Action.COMPLAIN,
        actor=None,
        note=text,
        guard=_complainable,
        changes=lambda current: _complaint_changes(current, text),
    )
    _message(locked, MessageKind.COMPLAINT, text, from_citizen=True)
    notify.requester(locked, "complaint_received")
    notify.officers(locked, "complaint", heads=True)
    return locked


@transaction.atomic
def request_decide_complaint(
    *,
    request: InformationRequest,
    actor: User,
    decision: str,
    text: str,
    files: list[UploadedFile[Any]] | None = None,
) -> InformationRequest:
    """The head decides the complaint, in writing, with the information if it is upheld.

    Preconditions: `actor` is the head (Perm.INFORMATION_HEAD; else PermissionDenied).
    """
    if decision not in ComplaintDecision.values:
        raise ValidationError({"decision": _("Choose the decision from the list.")})
    text = require_text(text, "text", _("Write the decision and its reasons."))
    files = files or []
    checked = _check_files(files)
    locked = _step(
        request,
        Action.DECIDE_COMPLAINT,
        actor=actor,
        note=text,
        changes={
            "complaint_decided_on": timezone.localdate(),
            "complaint_decision": decision,
            "complaint_decision_text": text,
        },
        data={"decision": decision, "files": len(files)},
    )
    message = _message(locked, MessageKind.COMPLAINT_DECISION, text, actor=actor)
    files_store(Attachment, locked, files, checked, message=message)
    notify.requester(locked, "complaint_decided")
    return locked


# ---------------------------------------------------------------------------- sweeps


def requests_sweep(*, today: date | None = None) -> dict[str, int]:
    """The periodic work of `manage.py tick`; safe to run any number of times.

    - requests never confirmed within INFITAH_ATI_CONFIRM_DAYS lapse;
    - an open request whose answer period passed unmet is recorded as deemed refused
      once, and the requester is told of the right to complain (the engine's clock
      sweep: the due date is read from the period's Deadline, as the calendar set it);
    - officers get reminders 5 and 1 working days before each due date
      (INFITAH_ATI_REMINDER_WORKING_DAYS), each once (the outbox key says which).
    """
    cutoff = timezone.now() - timedelta(days=settings.INFITAH_ATI_CONFIRM_DAYS)
    lapsed = cases_step_each(
        PROCESS,
        InformationRequest.objects.filter(
            status=Status.AWAITING_CONFIRMATION, submitted_at__lt=cutoff
        ).select_related("collectivity"),
        Action.LAPSE,
    )
    clocks = clocks_sweep(processes=[PROCESS], today=today)[PROCESS.name]
    return {
        "lapsed": lapsed,
        "deemed_refused": clocks["expired"]["answer"],
        "reminders": clocks["reminders"],
    }


def information_settings_save(
    *, collectivity: Collectivity, actor: User, data: dict[str, Any]
) -> InformationSettings:
    """Record the collectivity's CNDP authorisation, desk contacts and clock rule."""
    fields = {
        "cndp_authorisation",
        "desk_email",
        "desk_phone",
        "desk_address_ar",
        "desk_address_fr",
        "clarification_clock",
    }
    values = {k: v for k, v in data.items() if k in fields}
    if values.get("clarification_clock", ClarificationClock.RUN) not in ClarificationClock.values:
        raise ValidationError({"clarification_clock": _("Choose from the list.")})
    # The collectivity's own page lists its modules: it shows this one only when the
    # collectivity takes requests, so its cached copy is stale too.
    return settings_save(
        InformationSettings,
        collectivity=collectivity,
        actor=actor,
        values=values,
        event="information.settings_saved",
        namespaces=("territories", PAGE_CACHE_NAMESPACE),
        data={k: str(v) for k, v in values.items()},
    )
