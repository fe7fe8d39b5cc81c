"""Writes of complaints, observations and suggestions (decree 2.17.265).

Every change of state goes through the case engine (`infitah.cases`): the table of
`workflow.py` and the clocks of `process.py` say what is allowed and which legal periods
(`complaint.acknowledge`, `complaint.answer`) open and close; the engine locks, checks,
writes the state and its ledger event in one transaction. E-mails are queued in the
outbox inside the same transaction (`notify.py`), each under an idempotency key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.cases.recovery import case_link_renew
from infitah.cases.selectors import settings_get
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
    settings_save,
)
from infitah.complaints import notify
from infitah.complaints.models import (
    ADDRESS_MAX,
    CHIKAYA_MAX,
    NAME_MAX,
    PHONE_MAX,
    POSTAL_MAX,
    TEXT_MAX,
    Attachment,
    Category,
    Complaint,
    ComplaintSettings,
    Message,
    StateExplanation,
)
from infitah.complaints.process import PROCESS
from infitah.complaints.workflow import (
    HANDLED,
    OPEN,
    SUBMITTED,
    Action,
    Kind,
    Outcome,
    Status,
)
from infitah.correspondence.models import ServiceUnit
from infitah.ledger.services import event_record
from infitah.lib.bounds import whole_number
from infitah.lib.casework import require_text, site_language, token_digest, too_long
from infitah.lib.pagecache import bump
from infitah.lib.pii import pii_encrypt
from infitah.numbering.services import number_next, reference_make
from infitah.territories.models import Collectivity

PAGE_CACHE_NAMESPACE = PROCESS.name
SERIES = "complaints"
MAX_ATTACHMENTS = 5


@dataclass
class ComplaintInput:
    kind: str = ""
    category: str = ""  # the category's id, as text (forms and JSON alike)
    description: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    chikaya_reference: str = ""
    postal_address: str = ""  # the sender's, on a letter registered by staff


@dataclass
class CleanInput:
    kind: str
    category: Category | None
    description: str
    name: str
    email: str
    phone: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    chikaya_reference: str
    postal_address: str = ""


def _coordinate(value: str, low: int, high: int) -> Decimal | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))


def complaint_validate(
    *, collectivity: Collectivity, data: ComplaintInput, paper: bool = False
) -> CleanInput:
    """`data` checked and normalised, or ValidationError with one message per field.

    The sender is reachable by e-mail or phone; on `paper` (a letter registered by
    staff) a postal address alone will do: the answer then goes by post.
    """
    errors: dict[str, str] = {}
    texts = {
        "description": (data.description.strip(), TEXT_MAX),
        "name": (data.name.strip(), NAME_MAX),
        "address": (data.address.strip(), ADDRESS_MAX),
        "phone": (data.phone.strip(), PHONE_MAX),
        "chikaya_reference": (data.chikaya_reference.strip(), CHIKAYA_MAX),
        "email": (data.email.strip().lower(), 254),
        "postal_address": (data.postal_address.strip(), POSTAL_MAX),
    }
    for name, (value, limit) in texts.items():
        if "\x00" in value:
            errors[name] = _("This text contains a forbidden character.")
        elif len(value) > limit:
            errors[name] = too_long(limit)
    kind = data.kind.strip()
    if kind not in Kind.values:
        errors["kind"] = _("Choose: complaint, observation or suggestion.")
    if "description" not in errors and not texts["description"][0]:
        errors["description"] = _("Describe your complaint, observation or suggestion.")
    if "name" not in errors and not texts["name"][0]:
        errors["name"] = _("Give your name.")
    email, phone = texts["email"][0], texts["phone"][0]
    if "email" not in errors and email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address, e.g. name@example.ma.")
    if "phone" not in errors and phone:
        digits = phone.replace(" ", "").replace("-", "").replace(".", "")
        if not (digits.lstrip("+").isdigit() and 9 <= len(digits.lstrip("+")) <= 15):
            errors["phone"] = _("Enter a phone number, e.g. 0612345678 or +212612345678.")
    postal = texts["postal_address"][0] if paper else ""
    if not email and not phone and not postal and "email" not in errors:
        if paper:
            errors["email"] = _(
                "Give an e-mail address, a phone number or a postal address, to send the answer."
            )
        else:
            errors["email"] = _(
                "Give an e-mail address or a phone number, to be told of the answer."
            )
    category = None
    raw_category = data.category.strip()
    if raw_category:
        category_id = whole_number(raw_category, minimum=1)  # not "²", not 10**30
        if category_id is not None:
            category = Category.objects.filter(
                collectivity=collectivity, pk=category_id, is_active=True
            ).first()
        if category is None:
            errors["category"] = _("Choose a category from the list.")
    latitude = longitude = None
    try:
        latitude = _coordinate(data.latitude, -90, 90)
    except ValueError:
        errors["latitude"] = _("Give a latitude between -90 and 90, e.g. 30.3364.")
    try:
        longitude = _coordinate(data.longitude, -180, 180)
    except ValueError:
        errors["longitude"] = _("Give a longitude between -180 and 180, e.g. -9.4986.")
    if (latitude is None) != (longitude is None) and not (
        "latitude" in errors or "longitude" in errors
    ):
        errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
    if errors:
        raise ValidationError(errors)
    return CleanInput(
        kind=kind,
        category=category,
        description=texts["description"][0],
        name=texts["name"][0],
        email=email,
        phone=phone,
        address=texts["address"][0],
        latitude=latitude,
        longitude=longitude,
        chikaya_reference=texts["chikaya_reference"][0],
        postal_address=postal,
    )


def complaint_settings_get(collectivity: Collectivity) -> ComplaintSettings:
    """The collectivity's settings (defaults when it recorded none; not saved)."""
    return settings_get(ComplaintSettings, collectivity)


@transaction.atomic
def complaint_submit(
    *,
    collectivity: Collectivity,
    data: ComplaintInput,
    files: list[UploadedFile[Any]] | None = None,
    actor: User | None = None,
    email_confirmed: bool = False,
    language: str | None = None,
    paper: bool = False,
) -> tuple[Complaint, str]:
    """Submit a complaint, observation or suggestion; returns it and its tracking token.

    Preconditions: `data` passes `complaint_validate`, files pass the upload checks (else
    ValidationError, nothing written). With an e-mail address not yet confirmed, the
    complaint waits for the confirmation (a POST on the page the e-mail links to); with
    a phone number only, or registered by staff, it is received at once. A letter
    registered by staff (`paper`) may give a postal address as its only contact.
    Side effects: a gapless reference CMP-<year>-<key>-<number>; the ledger event
    "complaints.submitted"; the e-mail asking to confirm the address, or the receipt.
    """
    clean = complaint_validate(collectivity=collectivity, data=data, paper=paper)
    files = files or []
    checked = files_check(files, max_count=MAX_ATTACHMENTS)
    now = timezone.now()
    year = timezone.localdate(now).year
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    token, confirm_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    needs_confirmation = bool(clean.email) and not email_confirmed
    complaint = Complaint.objects.create(
        collectivity=collectivity,
        reference=reference_make("CMP", collectivity=collectivity, year=year, number=number),
        year=year,
        number=number,
        kind=clean.kind,
        category=clean.category,
        description=clean.description,
        address=clean.address,
        latitude=clean.latitude,
        longitude=clean.longitude,
        name=clean.name,
        email=clean.email,
        phone=clean.phone,
        postal_address=clean.postal_address,
        chikaya_reference=clean.chikaya_reference,
        language=site_language(language or get_language()),
        tracking_digest=token_digest(token),
        tracking_token_encrypted=pii_encrypt(token),
        confirm_digest=token_digest(confirm_token) if needs_confirmation else "",
        submitted_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    files_store(Attachment, complaint, files, checked)
    case_created(
        PROCESS,
        complaint,
        SUBMITTED,
        actor=actor,
        data={"kind": complaint.kind, "files": len(files)},
    )
    if needs_confirmation:
        notify.citizen(complaint, "submitted", confirm_token=confirm_token)
    else:
        complaint_confirm(complaint=complaint, actor=actor)
    return complaint, token


def complaint_by_token(token: str) -> Complaint | None:
    if not token or len(token) > 100:
        return None
    return (
        Complaint.objects.select_related(
            "collectivity", "category", "merged_into", "acknowledge_deadline", "answer_deadline"
        )
        .filter(tracking_digest=token_digest(token))
        .first()
    )


# Arabic-Indic and Persian digits, as a phone keyboard may type them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def phone_normalise(phone: str) -> str:
    """A Moroccan phone number as digits, in its national form: "+212 6 12-34-56-78",
    "00212612345678" and "0612345678" are one number."""
    digits = "".join(char for char in phone.translate(_DIGITS) if char.isdigit())
    for prefix in ("00212", "212"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 9:
            return "0" + digits[len(prefix) :]
    return digits


def complaint_link_renew(*, reference: str, contact: str) -> bool:
    """Send a new secret follow-up link to a citizen who lost theirs.

    If `reference` names a complaint and `contact` is its e-mail address or phone number,
    and the complaint has an e-mail address or a phone number to send to, a new tracking
    token replaces the old one (the old link stops working), the event
    `complaints.link_renewed` is recorded (no personal data) and the new link is sent to
    the complaint's own contact, never elsewhere: e-mailed to its address, or by SMS to
    its number when it has no address (infitah/cases/recovery.py). Returns whether a
    link was sent; the caller tells the person the same thing either way.
    """
    return case_link_renew(
        process=PROCESS,
        model=Complaint,
        reference=reference,
        contact=contact,
        notify=notify.citizen,
    )


def complaint_by_confirm_token(token: str) -> Complaint | None:
    if not token or len(token) > 100:
        return None
    return Complaint.objects.filter(confirm_digest=token_digest(token)).first()


def _message(
    complaint: Complaint, kind: str, text: str, *, actor: User | None = None, citizen: bool = False
) -> Message:
    return message_add(Message, complaint, kind, text, actor=actor, from_citizen=citizen)  # type: ignore[return-value]


@transaction.atomic
def complaint_confirm(*, complaint: Complaint, actor: User | None = None) -> Complaint:
    """The citizen confirmed the e-mail address (or needs not): the complaint is received.

    Side effects: received today; both clocks open (`complaint.acknowledge`,
    `complaint.answer`); routed to its category's unit, else the complaints unit; the
    citizen gets the receipt, the complaints officers a notice.
    """
    unit = complaint.category.service if complaint.category_id and complaint.category else None
    unit = unit or complaint_settings_get(complaint.collectivity).complaints_unit
    locked = case_transition(
        PROCESS,
        complaint,
        Action.CONFIRM,
        actor=actor,
        changes={"received_on": timezone.localdate(), "confirm_digest": "", "service": unit},
    )
    notify.citizen(locked, "received")
    notify.unit(locked, "received")
    return locked


def _acknowledged_changes(complaint: Complaint) -> dict[str, Any]:
    """When and how promptly receipt is acknowledged (read before its clock closes)."""
    if complaint.acknowledged_on is not None:
        return {}
    today = timezone.localdate()
    return {
        "acknowledged_on": today,
        "is_acknowledged_late": complaint.acknowledge_by is not None
        and today > complaint.acknowledge_by,
    }


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User) -> Complaint:
    """Acknowledge receipt (decree: within `complaint.acknowledge`); the citizen is told."""
    locked = case_transition(
        PROCESS, complaint, Action.ACKNOWLEDGE, actor=actor, changes=_acknowledged_changes
    )
    notify.citizen(locked, "acknowledged")
    return locked


@transaction.atomic
def complaint_route(*, complaint: Complaint, actor: User, service: ServiceUnit) -> Complaint:
    """Route to a service unit of the collectivity; routing acknowledges receipt too.

    Preconditions: `service` is an active unit of the complaint's collectivity (else
    ValidationError). Side effects: the citizen is told of the acknowledgement when this
    routing is it.
    """
    if service.collectivity_id != complaint.collectivity_id or not service.is_active:
        raise ValidationError({"service": _("Choose an active service of this collectivity.")})
    # Read under the lock the transition takes next (same transaction): whether this
    # routing is the acknowledgement decides the citizen's e-mail.
    acknowledging = case_lock(PROCESS, complaint).acknowledged_on is None
    locked = case_transition(
        PROCESS,
        complaint,
        Action.ROUTE,
        actor=actor,
        changes=lambda current: {**_acknowledged_changes(current), "service": service},
        data={"service": service.pk},
    )
    if acknowledging:
        notify.citizen(locked, "acknowledged")
    return locked


@transaction.atomic
def complaint_ask_info(*, complaint: Complaint, actor: User, text: str) -> Complaint:
    """Ask the citizen for more information (acknowledges receipt; the answer clock runs on:
    the decree provides no suspension)."""
    text = require_text(text, "text", _("Write the question to the citizen."))
    locked = case_transition(
        PROCESS,
        complaint,
        Action.ASK_INFO,
        actor=actor,
        note=text,
        changes=_acknowledged_changes,
    )
    _message(locked, Message.MessageKind.INFO_REQUEST, text, actor=actor)
    notify.citizen(locked, "info_requested", text=text)
    return locked


@transaction.atomic
def complaint_reply(*, complaint: Complaint, text: str) -> Complaint:
    """The citizen gives the information asked for; the complaints officers are told."""
    text = require_text(text, "text", _("Write the information asked for."))
    locked = case_transition(PROCESS, complaint, Action.REPLY, actor=None, note=text)
    _message(locked, Message.MessageKind.REPLY, text, citizen=True)
    notify.unit(locked, "replied")
    return locked


def _answered_changes(complaint: Complaint) -> dict[str, Any]:
    """When and how promptly the complaint is answered (read before its clocks close)."""
    today = timezone.localdate()
    start = complaint.reopened_on or complaint.received_on or today
    return {
        **_acknowledged_changes(complaint),
        "answered_on": today,
        "answer_days": (today - start).days,
        "is_answered_late": complaint.answer_by is not None and today > complaint.answer_by,
    }


@transaction.atomic
def complaint_answer(
    *,
    complaint: Complaint,
    actor: User,
    outcome: str,
    text: str,
    competent_body: str = "",
    publish: bool = False,
) -> Complaint:
    """Answer with an outcome and a text the public can read (when published).

    "Not competent" names the competent body. Side effects: both clocks close (met); every
    citizen whose complaint was merged into this one is told of the answer too.
    """
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome from the list.")})
    text = require_text(text, "text", _("Write the answer."))
    competent_body = competent_body.strip()
    if outcome == Outcome.NOT_COMPETENT and not competent_body:
        raise ValidationError({"competent_body": _("Name the body that is competent.")})
    if len(competent_body) > 300 or "\x00" in competent_body:
        raise ValidationError({"competent_body": too_long(300)})
    locked = case_transition(
        PROCESS,
        complaint,
        Action.ANSWER,
        actor=actor,
        note=text,
        changes=lambda current: {
            **_answered_changes(current),
            "outcome": outcome,
            "answer_text": text,
            "competent_body": competent_body,
            "is_published": publish,
        },
        data={"outcome": outcome},
    )
    _message(locked, Message.MessageKind.ANSWER, text, actor=actor)
    notify.citizen(locked, "answered")
    for merged in Complaint.objects.filter(merged_into=locked).select_related("collectivity"):
        notify.citizen(merged, "merged_answered", text=text, about=locked)
    return locked


@transaction.atomic
def complaint_rate(*, complaint: Complaint, satisfaction: int) -> Complaint:
    """The citizen rates the answer, from 1 (not satisfied) to 5."""
    if satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Choose from 1 (not satisfied) to 5.")})
    return case_transition(
        PROCESS,
        complaint,
        Action.RATE,
        actor=None,
        changes={"satisfaction": satisfaction},
        data={"satisfaction": satisfaction},
    )


def reopen_until(complaint: Complaint) -> date | None:
    """Last day the citizen may reopen the complaint; None if not (or no longer) possible."""
    if complaint.status not in HANDLED or complaint.reopen_count or complaint.answered_on is None:
        return None
    days = complaint_settings_get(complaint.collectivity).reopen_days
    return complaint.answered_on + timedelta(days=days)


def _reopenable(complaint: Complaint) -> None:
    if complaint.reopen_count:
        raise TransitionNotAllowed(_("A complaint can be reopened only once."))
    until = reopen_until(complaint)
    if until is not None and timezone.localdate() > until:
        raise TransitionNotAllowed(_("The time to reopen this complaint has passed."))


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, text: str) -> Complaint:
    """The citizen reopens once, within the window: a new answer period starts today.

    Preconditions: not reopened before, and today is within `reopen_days` of the answer
    (else TransitionNotAllowed); a reason given (else ValidationError).
    """
    text = require_text(text, "text", _("Say why the answer does not settle the matter."))
    locked = case_transition(
        PROCESS,
        complaint,
        Action.REOPEN,
        actor=None,
        note=text,
        guard=_reopenable,
        changes=lambda current: {
            "reopen_count": current.reopen_count + 1,
            "reopened_on": timezone.localdate(),
        },
    )
    _message(locked, Message.MessageKind.REOPEN, text, citizen=True)
    notify.unit(locked, "reopened")
    return locked


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: User) -> Complaint:
    """Close an answered complaint."""
    return case_transition(PROCESS, complaint, Action.CLOSE, actor=actor)


@transaction.atomic
def complaint_merge(*, complaint: Complaint, actor: User, into: Complaint) -> Complaint:
    """Merge a duplicate into `into`: its citizen will receive the one answer.

    Preconditions: same collectivity, `into` is not itself merged and not closed.
    Side effects: the duplicate's clocks are cancelled; the complaints merged into it
    follow it; its citizen is told (with the answer, if `into` is answered).
    """
    if into.pk == complaint.pk or into.collectivity_id != complaint.collectivity_id:
        raise ValidationError({"into": _("Choose another complaint of this collectivity.")})
    if into.status not in OPEN | HANDLED:
        raise ValidationError({"into": _("This complaint cannot receive others any more.")})
    locked = case_transition(
        PROCESS,
        complaint,
        Action.MERGE,
        actor=actor,
        changes={"merged_into": into},
        data={"into": into.reference},
    )
    # The complaints merged into this one follow it, so that the one answer reaches all.
    Complaint.objects.filter(merged_into=locked).update(merged_into=into)
    if into.status in HANDLED:
        notify.citizen(locked, "merged_answered", text=into.answer_text, about=into)
    else:
        notify.citizen(locked, "merged", about=into)
    return locked


def complaints_sweep(*, today: date | None = None) -> dict[str, int]:
    """The periodic work of `manage.py tick`; safe to run any number of times.

    - complaints whose e-mail was never confirmed within INFITAH_ATI_CONFIRM_DAYS lapse;
    - a period that passed its due date unmet is recorded once in the case history
      (`complaints.acknowledge_overdue`, `complaints.answer_overdue`) and the complaints
      officers are told once (the engine's clock sweep: the due date is read from the
      period's Deadline, as the calendar set it).
    """
    cutoff = timezone.now() - timedelta(days=settings.INFITAH_ATI_CONFIRM_DAYS)
    lapsed = cases_step_each(
        PROCESS,
        Complaint.objects.filter(
            status=Status.AWAITING_CONFIRMATION, submitted_at__lt=cutoff
        ).select_related("collectivity"),
        Action.LAPSE,
    )
    expired = clocks_sweep(processes=[PROCESS], today=today)[PROCESS.name]["expired"]
    return {
        "lapsed": lapsed,
        "acknowledge_overdue": expired["acknowledge"],
        "answer_overdue": expired["answer"],
    }


def complaint_settings_save(
    *, collectivity: Collectivity, actor: User, data: dict[str, Any]
) -> ComplaintSettings:
    """Record the collectivity's complaints unit, reopening window and publication choice.

    Preconditions: the unit is one of the collectivity's (else ValidationError).
    """
    unit = data.get("complaints_unit")
    if unit is not None and unit.collectivity_id != collectivity.pk:
        raise ValidationError({"complaints_unit": _("Choose a service of this collectivity.")})
    return settings_save(
        ComplaintSettings,
        collectivity=collectivity,
        actor=actor,
        values={
            "complaints_unit": unit,
            "reopen_days": int(data.get("reopen_days") or 30),
            "publish_answered": bool(data.get("publish_answered")),
        },
        event="complaints.settings_saved",
        namespaces=(PAGE_CACHE_NAMESPACE,),
    )


@transaction.atomic
def category_save(
    *,
    collectivity: Collectivity,
    actor: User,
    name_ar: str,
    name_fr: str,
    service: ServiceUnit | None,
    category: Category | None = None,
    is_active: bool = True,
) -> Category:
    name_ar, name_fr = name_ar.strip(), name_fr.strip()
    if not (name_ar or name_fr):
        raise ValidationError({"name_ar": _("Give the name in Arabic or in French.")})
    if service is not None and service.collectivity_id != collectivity.pk:
        raise ValidationError({"service": _("Choose a service of this collectivity.")})
    if category is not None and category.collectivity_id != collectivity.pk:
        raise ValidationError({"category": _("Choose a category of this collectivity.")})
    category = category or Category(collectivity=collectivity)
    category.name_ar, category.name_fr = name_ar[:200], name_fr[:200]
    category.service, category.is_active = service, is_active
    category.save()
    event_record(
        obj=category, action="complaints.category_saved", actor=actor, collectivity=collectivity
    )
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return category


@transaction.atomic
def explanation_save(
    *, collectivity: Collectivity, actor: User, status: str, text_ar: str, text_fr: str
) -> StateExplanation:
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a state from the list.")})
    for name, value in (("text_ar", text_ar), ("text_fr", text_fr)):
        if len(value) > TEXT_MAX or "\x00" in value:
            raise ValidationError({name: too_long(TEXT_MAX)})
    found, _created = StateExplanation.objects.update_or_create(
        collectivity=collectivity,
        status=status,
        defaults={"text_ar": text_ar.strip(), "text_fr": text_fr.strip()},
    )
    event_record(
        obj=found, action="complaints.explanation_saved", actor=actor, collectivity=collectivity
    )
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return found
