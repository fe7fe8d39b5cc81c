"""Writes of access-to-information requests (law 31.13): filing, handling, complaints.

Every change goes through `_transition`, which locks the request, checks the table of
`workflow.py`, writes the new state and its ledger event in one transaction. Legal
periods come from `LegalLimit` through the deadlines app; e-mails are queued in the
outbox inside the same transaction (`notify.py`), so they leave only if the change
commits, and each under an idempotency key, so a re-run sends nothing twice.
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
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import calendar_get
from infitah.deadlines.services import deadline_close_for_subject, deadline_open
from infitah.deadlines.workdays import Unit, compute_due_date, count_working_days
from infitah.information import notify
from infitah.information.models import (
    ADDRESS_MAX,
    NAME_MAX,
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
from infitah.information.selectors import complaint_window_end, information_settings_get
from infitah.information.workflow import (
    TRANSITIONS,
    Action,
    ClarificationClock,
    ComplaintDecision,
    Outcome,
    RefusalReason,
    Side,
    Status,
    is_allowed,
    target,
)
from infitah.ledger.services import event_record
from infitah.lib.casework import require_text, site_language, token_digest, too_long
from infitah.lib.pagecache import bump
from infitah.lib.pii import (
    id_normalise,
    id_valid,
    pii_encrypt,
    pii_hash,
    pii_mask,
)
from infitah.lib.uploads import CheckedUpload, check_upload
from infitah.numbering.services import number_next
from infitah.publication.models import Document
from infitah.territories.models import Collectivity

PAGE_CACHE_NAMESPACE = "information"
SERIES = "ati"
MAX_ATTACHMENTS = 10


class TransitionNotAllowed(Exception):
    """The request's state (or a legal guard) does not allow this action now (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def _answer_limit(request: InformationRequest) -> str:
    return "ati.urgent" if request.is_urgent else "ati.answer"


def _extension_limit(request: InformationRequest) -> str:
    return "ati.urgent_extension" if request.is_urgent else "ati.extension"


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
    Side effects: a gapless reference ATI-<year>-<code>-<number>; a ledger event
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
    now = timezone.now()
    year = timezone.localdate(now).year
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    token = secrets.token_urlsafe(24)
    confirm_token = secrets.token_urlsafe(24)
    request = InformationRequest.objects.create(
        collectivity=collectivity,
        reference=f"ATI-{year}-{collectivity.code or collectivity.pk}-{number:06d}",
        year=year,
        number=number,
        requester_type=clean.requester_type,
        first_name=clean.first_name,
        last_name=clean.last_name,
        id_type=clean.id_type,
        id_number_encrypted=pii_encrypt(clean.id_number),
        id_number_hash=pii_hash(clean.id_number),
        id_number_masked=pii_mask(clean.id_number),
        address=clean.address,
        email=clean.email,
        subject=clean.subject,
        description=clean.description,
        is_urgent=clean.urgent,
        urgency_reason=clean.urgency_reason,
        delivery=clean.delivery,
        is_private=clean.private,
        language=site_language(language or get_language()),
        tracking_digest=token_digest(token),
        tracking_token_encrypted=pii_encrypt(token),
        confirm_digest="" if email_confirmed else token_digest(confirm_token),
        submitted_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    event_record(
        obj=request,
        action="information.filed",
        actor=actor,
        process="" if actor is not None else "requester",
        collectivity=collectivity,
        to_state=request.status,
        data={"urgent": request.is_urgent, "delivery": request.delivery},
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
        InformationRequest.objects.select_related("collectivity", "answer_document")
        .filter(tracking_digest=token_digest(token))
        .first()
    )


# ------------------------------------------------------------------------ transitions


def _locked(request: InformationRequest) -> InformationRequest:
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("collectivity")
        .get(pk=request.pk)
    )


def _transition(
    request: InformationRequest,
    action: Action,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> InformationRequest:
    """Lock, check the table, apply `changes` and the new state, record the event.

    Returns the locked, updated row (callers continue with it). The caller's object
    `request` gets the same field values.
    """
    locked = _locked(request)
    if not is_allowed(locked.status, action):
        raise TransitionNotAllowed(
            _("This request is “%(status)s”: this action is not possible now.")
            % {"status": locked.get_status_display()}
        )
    before = locked.status
    locked.status = target(before, action)
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save()
    side = TRANSITIONS[action][2]
    event_record(
        obj=locked,
        action=f"information.{action.value}",
        # The requester has no account: their steps are recorded as the process
        # "requester" unless a staff member acts for them (a request received on paper).
        actor=actor,
        process=""
        if actor is not None
        else {Side.REQUESTER: "requester", Side.PROCESS: "information"}.get(side, "information"),
        collectivity=locked.collectivity,
        from_state=before,
        to_state=locked.status,
        note=note[:2000],
        data=data or {},
    )
    for name in ("status", *(changes or {})):
        setattr(request, name, getattr(locked, name))
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return locked


def _open_answer_deadline(
    request: InformationRequest, *, start: date, limit_code: str, actor: User | None
) -> date:
    deadline = deadline_open(
        collectivity=request.collectivity,
        subject=request,
        limit_code=limit_code,
        start=start,
        label=_("Answer request %(reference)s") % {"reference": request.reference},
        actor=actor,
        process="" if actor is not None else "information",
    )
    return deadline.due_date


def _message(
    request: InformationRequest,
    kind: str,
    text: str,
    *,
    actor: User | None = None,
    from_requester: bool = False,
) -> Message:
    return Message.objects.create(
        request=request,
        kind=kind,
        text=text,
        from_requester=from_requester,
        author=actor if actor is not None and actor.is_authenticated else None,
        at=timezone.now(),
    )


@transaction.atomic
def request_confirm(
    *, request: InformationRequest, actor: User | None = None
) -> InformationRequest:
    """The requester confirmed the e-mail address (or needs not): the request is received.

    Side effects: received today; the answer deadline (`ati.answer`, or `ati.urgent`)
    opens in the staff inbox; the requester gets the receipt, the officers a notice.
    """
    today = timezone.localdate()
    locked = _transition(
        request, Action.CONFIRM, actor=actor, changes={"received_on": today, "confirm_digest": ""}
    )
    due = _open_answer_deadline(locked, start=today, limit_code=_answer_limit(locked), actor=actor)
    locked.due_date = due
    locked.save(update_fields=["due_date"])
    request.received_on, request.due_date = today, due
    notify.requester(locked, "received")
    notify.officers(locked, "received")
    return locked


@transaction.atomic
def request_withdraw(*, request: InformationRequest, text: str = "") -> InformationRequest:
    """The requester withdraws the request; its open deadlines are cancelled."""
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": too_long(TEXT_MAX)})
    locked = _transition(request, Action.WITHDRAW, actor=None, note=text.strip())
    if text.strip():
        _message(locked, MessageKind.WITHDRAWAL, text.strip(), from_requester=True)
    deadline_close_for_subject(subject=locked, status=DeadlineStatus.CANCELLED, process="requester")
    notify.officers(locked, "withdrawn")
    return locked


@transaction.atomic
def request_clarify(*, request: InformationRequest, actor: User, text: str) -> InformationRequest:
    """An officer asks the requester to clarify the request.

    With the collectivity's clock set to "restart", the answer deadline is cancelled and
    a new full period starts from the reply; with "run" (default) it keeps running.
    """
    text = require_text(text, "text", _("Write the question to the requester."))
    info = information_settings_get(collectivity=request.collectivity)
    restart = info is not None and info.clarification_clock == ClarificationClock.RESTART
    # With "restart" no period runs while the requester clarifies: no due date, so the
    # request cannot become deemed refused meanwhile.
    locked = _transition(
        request,
        Action.CLARIFY,
        actor=actor,
        note=text,
        changes={"due_date": None} if restart else None,
    )
    _message(locked, MessageKind.CLARIFICATION_REQUEST, text, actor=actor)
    if restart:
        deadline_close_for_subject(subject=locked, status=DeadlineStatus.CANCELLED, actor=actor)
    notify.requester(locked, "clarification", text=text)
    return locked


@transaction.atomic
def request_reply(*, request: InformationRequest, text: str) -> InformationRequest:
    """The requester answers a request for clarification."""
    text = require_text(text, "text", _("Write your clarification."))
    locked = _transition(request, Action.REPLY, actor=None, note=text)
    _message(locked, MessageKind.CLARIFICATION_REPLY, text, from_requester=True)
    info = information_settings_get(collectivity=locked.collectivity)
    if info is not None and info.clarification_clock == ClarificationClock.RESTART:
        today = timezone.localdate()
        due = _open_answer_deadline(
            locked, start=today, limit_code=_answer_limit(locked), actor=None
        )
        locked.due_date = due
        locked.save(update_fields=["due_date"])
        request.due_date = due
    notify.officers(locked, "clarified")
    return locked


@transaction.atomic
def request_extend(*, request: InformationRequest, actor: User, reasons: str) -> InformationRequest:
    """Extend the answer period once, before it expires, with reasons told to the requester.

    Preconditions: not extended before and today is on or before the due date (else
    TransitionNotAllowed); reasons given (else ValidationError).
    Side effects: the answer deadline is replaced by one of `ati.extension` (or
    `ati.urgent_extension`) from the former due date; the requester is told at once.
    """
    reasons = require_text(reasons, "reasons", _("Give the reasons for the extension."))
    current = _locked(request)
    if current.is_extended:
        raise TransitionNotAllowed(_("The time limit can be extended only once."))
    if current.due_date is None or current.due_date < timezone.localdate():
        raise TransitionNotAllowed(
            _("The time limit has expired: it can only be extended before it expires.")
        )
    previous_due = current.due_date
    locked = _transition(
        request, Action.EXTEND, actor=actor, note=reasons, changes={"is_extended": True}
    )
    deadline_close_for_subject(subject=locked, status=DeadlineStatus.CANCELLED, actor=actor)
    due = _open_answer_deadline(
        locked, start=previous_due, limit_code=_extension_limit(locked), actor=actor
    )
    locked.due_date = due
    locked.save(update_fields=["due_date"])
    request.due_date, request.is_extended = due, True
    _message(locked, MessageKind.EXTENSION, reasons, actor=actor)
    notify.requester(locked, "extended", text=reasons)
    return locked


def _check_files(files: list[UploadedFile[Any]]) -> list[CheckedUpload]:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("At most %(max)d files.") % {"max": MAX_ATTACHMENTS}})
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload, name=str(upload.name or "")))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ValidationError({"files": exc.error_list}) from exc
    return checked


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


def _store_files(
    request: InformationRequest,
    message: Message,
    files: list[UploadedFile[Any]],
    checked: list[CheckedUpload],
) -> None:
    for upload, check in zip(files, checked, strict=True):
        attachment = Attachment(
            request=request,
            message=message,
            name=check.display_name,
            content_type=check.content_type,
            size=check.size,
            sha256=check.sha256,
        )
        upload.seek(0)
        attachment.file.save(f"upload.{check.extension}", upload, save=False)
        attachment.save()


def _answered_changes(request: InformationRequest) -> dict[str, Any]:
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
    deadline closes (met; `is_answered_late` if after the due date); the requester is
    told, with the complaint window when the answer is partial.
    """
    text = require_text(text, "text", _("Write the answer."))
    files = files or []
    checked = _check_files(files)
    _check_document(document, request.collectivity)
    link = _check_link(link)
    current = _locked(request)
    action = Action.ANSWER_PARTIAL if partial else Action.ANSWER
    locked = _transition(
        request,
        action,
        actor=actor,
        changes={
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
    _store_files(locked, message, files, checked)
    deadline_close_for_subject(subject=locked, actor=actor)
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
    current = _locked(request)
    locked = _transition(
        request,
        Action.REFUSE,
        actor=actor,
        changes={
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
    deadline_close_for_subject(subject=locked, actor=actor)
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
    current = _locked(request)
    now = timezone.now()
    year = timezone.localdate(now).year
    number = number_next(collectivity=to, series=SERIES, year=year)
    token = secrets.token_urlsafe(24)
    new = InformationRequest.objects.create(
        collectivity=to,
        reference=f"ATI-{year}-{to.code or to.pk}-{number:06d}",
        year=year,
        number=number,
        status=Status.AWAITING_CONFIRMATION,
        **{
            name: getattr(current, name)
            for name in (
                "requester_type",
                "first_name",
                "last_name",
                "id_type",
                "id_number_encrypted",
                "id_number_hash",
                "id_number_masked",
                "address",
                "email",
                "subject",
                "description",
                "is_urgent",
                "urgency_reason",
                "delivery",
                "is_private",
                "language",
            )
        },
        tracking_digest=token_digest(token),
        tracking_token_encrypted=pii_encrypt(token),
        submitted_at=now,
        created_by=actor,
    )
    event_record(
        obj=new,
        action="information.filed",
        actor=actor,
        collectivity=to,
        to_state=new.status,
        data={"transferred_from": current.reference},
    )
    locked = _transition(
        request,
        Action.TRANSFER,
        actor=actor,
        note=note,
        changes={"transferred_to": new, "outcome": Outcome.TRANSFERRED},
        data={"to": to.slug, "new_reference": new.reference},
    )
    _message(locked, MessageKind.TRANSFER, note, actor=actor)
    deadline_close_for_subject(subject=locked, actor=actor)
    # The address was confirmed with the first collectivity: the new one receives it now.
    request_confirm(request=new, actor=actor)
    notify.requester(locked, "transferred", text=note)
    return locked


@transaction.atomic
def request_complain(*, request: InformationRequest, text: str) -> InformationRequest:
    """The requester complains to the head after a refusal, a partial answer or no answer.

    Preconditions: within `ati.internal_complaint` of the answer or of the expiry of the
    answer period (else TransitionNotAllowed); an open request only once deemed refused.
    Side effects: the head's deadline `ati.head_answer` opens; head and officers told.
    """
    text = require_text(text, "text", _("Write your complaint."))
    current = _locked(request)
    if current.is_open and not current.is_deemed_refused():
        raise TransitionNotAllowed(
            _("The collectivity still has time to answer: you can complain after the due date.")
        )
    if not is_allowed(current.status, Action.COMPLAIN):
        raise TransitionNotAllowed(
            _("This request is “%(status)s”: this action is not possible now.")
            % {"status": current.get_status_display()}
        )
    window_end = complaint_window_end(current)
    today = timezone.localdate()
    if window_end is None or today > window_end:
        raise TransitionNotAllowed(
            _("The time limit to complain to the head of the collectivity has passed.")
        )
    changes: dict[str, Any] = {"complaint_on": today, "complaint_text": text}
    if current.is_open and current.due_date is not None:
        changes["deemed_refused_on"] = current.deemed_refused_on or _day_after(current.due_date)
    # The answer period has expired unmet: it closes; the head's period opens.
    deadline_close_for_subject(
        subject=current, status=DeadlineStatus.CANCELLED, process="requester"
    )
    locked = _transition(request, Action.COMPLAIN, actor=None, note=text, changes=changes)
    _message(locked, MessageKind.COMPLAINT, text, from_requester=True)
    deadline = deadline_open(
        collectivity=locked.collectivity,
        subject=locked,
        limit_code="ati.head_answer",
        start=today,
        label=_("Head's answer to the complaint on %(reference)s")
        % {"reference": locked.reference},
        process="requester",
    )
    locked.complaint_due_date = deadline.due_date
    locked.save(update_fields=["complaint_due_date"])
    request.complaint_due_date = deadline.due_date
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
    """The head decides the complaint, in writing, with the information if it is upheld."""
    if decision not in ComplaintDecision.values:
        raise ValidationError({"decision": _("Choose the decision from the list.")})
    text = require_text(text, "text", _("Write the decision and its reasons."))
    files = files or []
    checked = _check_files(files)
    locked = _transition(
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
    _store_files(locked, message, files, checked)
    deadline_close_for_subject(subject=locked, actor=actor)
    notify.requester(locked, "complaint_decided")
    return locked


# ---------------------------------------------------------------------------- sweeps


def requests_sweep(*, today: date | None = None) -> dict[str, int]:
    """The periodic work of `manage.py tick`; safe to run any number of times.

    - requests never confirmed within INFITAH_ATI_CONFIRM_DAYS lapse;
    - an open request past its due date is recorded as deemed refused once, and the
      requester is told of the right to complain;
    - officers get reminders 5 and 1 working days before each due date
      (INFITAH_ATI_REMINDER_WORKING_DAYS), each once (the outbox key says which).
    """
    today = today or timezone.localdate()
    counts = {"lapsed": 0, "deemed_refused": 0, "reminders": 0}
    cutoff = timezone.now() - timedelta(days=settings.INFITAH_ATI_CONFIRM_DAYS)
    for request in InformationRequest.objects.filter(
        status=Status.AWAITING_CONFIRMATION, submitted_at__lt=cutoff
    ).select_related("collectivity"):
        with transaction.atomic():
            try:
                _transition(request, Action.LAPSE, actor=None)
            except TransitionNotAllowed:
                continue
            counts["lapsed"] += 1
    for request in (
        InformationRequest.objects.open()
        .filter(due_date__lt=today, deemed_refused_on__isnull=True)
        .select_related("collectivity")
    ):
        with transaction.atomic():
            locked = _locked(request)
            if (
                not locked.is_open
                or locked.deemed_refused_on is not None
                or locked.due_date is None
            ):
                continue
            locked.deemed_refused_on = _day_after(locked.due_date)
            locked.save(update_fields=["deemed_refused_on"])
            event_record(
                obj=locked,
                action="information.deemed_refused",
                process="information",
                collectivity=locked.collectivity,
                from_state=locked.status,
                to_state=locked.status,
                data={"due_date": locked.due_date.isoformat()},
            )
            notify.requester(locked, "deemed_refused")
            counts["deemed_refused"] += 1
    counts["reminders"] = _reminders_send(today)
    return counts


def _reminders_send(today: date) -> int:
    thresholds = sorted(settings.INFITAH_ATI_REMINDER_WORKING_DAYS)
    if not thresholds:
        return 0
    calendar = calendar_get()
    sent = 0
    # Only the deadlines due within the largest threshold can need a reminder: the sweep
    # runs every minute, so it reads those, not every open deadline.
    horizon = compute_due_date(
        start=today, duration=thresholds[-1], unit=Unit.WORKING_DAYS, lookup=calendar
    ).due_date
    deadlines = (
        Deadline.objects.open()
        .filter(
            subject_type=InformationRequest._meta.label_lower,
            due_date__gte=today,
            due_date__lte=horizon,
        )
        .select_related("limit")
    )
    ids = {int(d.subject_id): d for d in deadlines}
    requests = InformationRequest.objects.filter(pk__in=ids).select_related("collectivity")
    for request in requests:
        deadline = ids[request.pk]
        left = count_working_days(today, deadline.due_date, calendar)
        # The smallest threshold reached: after a pause of the tick, the 5-day reminder
        # is not sent once only 1 day is left.
        reached = [t for t in thresholds if left <= t]
        if not reached:
            continue
        with transaction.atomic():
            sent += notify.reminder(request, deadline=deadline, days=reached[0], left=left)
    return sent


@transaction.atomic
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
    info, _created = InformationSettings.objects.update_or_create(
        collectivity=collectivity, defaults=values
    )
    # The collectivity's own page lists its modules: it shows this one only when the
    # collectivity takes requests, so its cached copy is stale too.
    transaction.on_commit(lambda: bump("territories"))
    event_record(
        obj=info,
        action="information.settings_saved",
        actor=actor,
        collectivity=collectivity,
        data={k: str(v) for k, v in values.items()},
    )
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return info
