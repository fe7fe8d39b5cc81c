"""Writes of the network's events and trainings: every change goes through one of these
functions, in one transaction with its ledger event (on the event; no collectivity, the
network's own business).

Two kinds of refusal: `ValidationError` (bad input, one message per field: the form is
shown again) and `NotAllowed` (the event's state does not allow it now: closed, full,
cancelled…). Either way nothing is changed. The office's functions require
NetworkPerm.EVENTS_MANAGE (`PermissionDenied` otherwise).

The ledger never holds a registrant's name or address: the event, the registration's id
and counts only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.ledger.services import event_record
from infitah.lib.casework import TEXT_MAX, site_language, too_long
from infitah.lib.pagecache import bump
from infitah.lib.uploads import (
    CONTENT_TYPES,
    check_upload,
)
from infitah.network.event_selectors import event_rows
from infitah.network.models import (
    TITLE_MAX,
    AttendeeGender,
    AttendeeRole,
    Event,
    EventDocument,
    EventDocumentKind,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.notifications.services import email_queue, emails_queue_many
from infitah.territories.models import Collectivity

# Event documents: at most 20 MB, office and PDF files only (checked by their content).
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES: dict[str, str] = {
    kind: CONTENT_TYPES[kind] for kind in ("pdf", "docx", "xlsx", "odt", "ods", "pptx", "odp")
}
# More places than any hall of the network holds, far below the database's integer.
CAPACITY_MAX = 100_000
PLACE_MAX = 200
NAME_MAX = 200
EMAIL_MAX = 254
URL_MAX = 200
SIGNATURE = "\n\n— Infitah"

# Which status each action leads from (the event's small workflow).
PUBLISHABLE = frozenset({EventStatus.DRAFT})
CANCELLABLE = frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED})
# A gathering holds workshops (and trainings or meetings); nothing is nested deeper.
CHILD_KINDS = frozenset({EventKind.WORKSHOP, EventKind.TRAINING, EventKind.MEETING})


class NotAllowed(Exception):
    """The event's state does not allow this now (closed, full, cancelled…)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class EventInput:
    kind: str = EventKind.TRAINING
    parent_id: int | None = None
    title_ar: str = ""
    title_fr: str = ""
    description_ar: str = ""
    description_fr: str = ""
    place_ar: str = ""
    place_fr: str = ""
    online_url: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = None
    registration_open: bool = True
    registration_closes_at: dt.datetime | None = None


@dataclass
class RegistrationInput:
    full_name: str = ""
    email: str = ""
    role: str = ""
    gender: str = AttendeeGender.UNDISCLOSED
    collectivity_id: int | None = None


def _require_manager(actor: User) -> None:
    if not has_network_perm(actor, NetworkPerm.EVENTS_MANAGE):
        raise PermissionDenied


def _text(errors: dict[str, str], name: str, value: Any, limit: int) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        errors[name] = _("This text contains a forbidden character.")
    elif len(text) > limit:
        errors[name] = too_long(limit)
    return text


def _locked(event: Event) -> Event:
    """The event's row, locked: registrations and state changes of one event queue up,
    so that the last place is given once and a cancelled event takes no registration."""
    return event_rows().select_for_update().get(pk=event.pk)


# ------------------------------------------------------------------------ the office


def _clean_event(data: EventInput, *, event: Event | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {
        name: _text(errors, name, getattr(data, name), limit)
        for name, limit in (
            ("title_ar", TITLE_MAX),
            ("title_fr", TITLE_MAX),
            ("description_ar", TEXT_MAX),
            ("description_fr", TEXT_MAX),
            ("place_ar", PLACE_MAX),
            ("place_fr", PLACE_MAX),
            ("online_url", URL_MAX),
        )
    }
    if not (clean["title_ar"] or clean["title_fr"]) and "title_ar" not in errors:
        errors["title_ar"] = _("Give the title in Arabic or in French.")
    if clean["online_url"] and "online_url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(clean["online_url"])
        except ValidationError:
            errors["online_url"] = _("Give a web address starting with https://.")
    if data.kind not in EventKind.values:
        errors["kind"] = _("Choose the kind of event from the list.")
    parent: Event | None = None
    if data.parent_id is not None:
        parent = event_rows().filter(pk=data.parent_id, kind=EventKind.GATHERING).first()
        if parent is None or (event is not None and parent.pk == event.pk):
            errors["parent"] = _("Choose a gathering from the list.")
        elif data.kind not in CHILD_KINDS:
            errors["parent"] = _("Only a workshop, a training or a meeting is part of a gathering.")
    if (
        event is not None
        and data.kind != EventKind.GATHERING
        and event.kind == EventKind.GATHERING
        and event.children.exists()
    ):
        errors["kind"] = _("This gathering has workshops: it stays a gathering.")
    if data.starts_at is None:
        errors["starts_at"] = _("Give the date and time it starts.")
    if data.ends_at is None:
        errors["ends_at"] = _("Give the date and time it ends.")
    elif data.starts_at is not None and data.ends_at < data.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if data.capacity is not None and not 1 <= data.capacity <= CAPACITY_MAX:
        errors["capacity"] = _("Give a number of places from 1 to %(max)d, or none.") % {
            "max": CAPACITY_MAX
        }
    closes = data.registration_closes_at
    if closes is not None and data.ends_at is not None and closes > data.ends_at:
        errors["registration_closes_at"] = _("Registration must close before the event ends.")
    if errors:
        raise ValidationError(errors)
    clean.update(
        kind=data.kind,
        parent=parent,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        registration_open=bool(data.registration_open),
        registration_closes_at=closes,
    )
    return clean


@transaction.atomic
def event_create(*, actor: User, data: EventInput) -> Event:
    """Create an event as a draft (network admins only).

    Refuses (ValidationError, nothing created): no title, an unknown kind, a parent that
    is not a gathering, an end before the start, places outside 1–CAPACITY_MAX,
    registration closing after the end, a link that is not http(s). Records
    "network.event.created"."""
    _require_manager(actor)
    clean = _clean_event(data, event=None)
    event = event_rows().create(created_by=actor, created_at=timezone.now(), **clean)
    event_record(
        obj=event,
        action="network.event.created",
        actor=actor,
        to_state=event.status,
        data={"kind": event.kind, "parent": event.parent_id},
    )
    return event


@transaction.atomic
def event_update(*, event: Event, actor: User, data: EventInput) -> Event:
    """Change an event's programme, place, dates, places or registration settings.

    Refuses a cancelled event (NotAllowed) and the input `event_create` refuses.
    Records "network.event.updated" with the names of the fields changed."""
    _require_manager(actor)
    event = _locked(event)
    if event.status == EventStatus.CANCELLED:
        raise NotAllowed(_("A cancelled event can no longer be changed."))
    clean = _clean_event(data, event=event)
    changed = [name for name, value in clean.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, clean[name])
    if changed:
        event.save(update_fields=changed)
        event_record(
            obj=event, action="network.event.updated", actor=actor, data={"fields": changed}
        )
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: User) -> Event:
    """Publish a draft: it appears on the public pages and in the API.

    A workshop of a gathering needs its gathering published first (NotAllowed).
    Records "network.event.published"."""
    _require_manager(actor)
    event = _locked(event)
    if event.status not in PUBLISHABLE:
        raise NotAllowed(_("Only a draft can be published."))
    if event.parent_id is not None:
        parent_status = event_rows().filter(pk=event.parent_id).values_list("status", flat=True)
        if parent_status.first() != EventStatus.PUBLISHED:
            raise NotAllowed(_("Publish the gathering first."))
    old = event.status
    event.status = EventStatus.PUBLISHED
    event.save(update_fields=["status"])
    event_record(
        obj=event,
        action="network.event.published",
        actor=actor,
        from_state=old,
        to_state=event.status,
    )
    return event


def _site_url(event: Event) -> str:
    return settings.INFITAH_SITE_URL + reverse("network:event", kwargs={"pk": event.pk})


def _when_text(event: Event) -> str:
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    day, last = date_format(start, "DATE_FORMAT"), date_format(end, "DATE_FORMAT")
    if start.date() == end.date():
        return f"{day}, {date_format(start, 'TIME_FORMAT')}–{date_format(end, 'TIME_FORMAT')}"
    return f"{day} – {last}"


def _cancel_text(event: Event, note: str) -> tuple[str, str]:
    """(subject, body) of the cancellation notice, in the active language."""
    subject = _("Cancelled: %(title)s") % {"title": event.title}
    body = _(
        "Hello,\n\nThe event “%(title)s” (%(when)s), for which you registered, is "
        "cancelled.\n%(note)s\nThe event's page: %(link)s"
    ) % {
        "title": event.title,
        "when": _when_text(event),
        "note": f"\n{note}\n" if note else "",
        "link": _site_url(event),
    }
    return subject, body


@transaction.atomic
def event_cancel(*, event: Event, actor: User, note: str = "") -> int:
    """Cancel a draft or published event, and its workshops with it.

    Every active registrant of a published one gets a notice (in Arabic and in French:
    their language is not known), queued in this transaction. Records
    "network.event.cancelled" on each event cancelled. Returns how many notices were
    queued. NotAllowed if it is cancelled already."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    event = _locked(event)
    if event.status not in CANCELLABLE:
        raise NotAllowed(_("This event is cancelled already."))
    events = [
        event,
        *event_rows().select_for_update().filter(parent=event, status__in=CANCELLABLE),
    ]
    messages: list[tuple[str, str, str, str]] = []
    for item in events:
        was_public = item.status == EventStatus.PUBLISHED
        old = item.status
        item.status = EventStatus.CANCELLED
        item.save(update_fields=["status"])
        event_record(
            obj=item,
            action="network.event.cancelled",
            actor=actor,
            from_state=old,
            to_state=item.status,
            note=note,
        )
        if not was_public:
            continue
        texts = []
        for language in ("ar", "fr"):
            with translation.override(language):
                texts.append(_cancel_text(item, note))
        subject = f"{texts[0][0]} / {texts[1][0]}"
        body = f"{texts[0][1]}\n\n———\n\n{texts[1][1]}{SIGNATURE}"
        recipients = Registration.objects.filter(event=item, cancelled_at__isnull=True)
        for pk, email in recipients.values_list("pk", "email"):
            messages.append((f"network:event-cancelled:{item.pk}:{pk}", email, subject, body))
    return len(emails_queue_many(messages))


@transaction.atomic
def event_report_save(
    *, event: Event, actor: User, report_ar: str, report_fr: str, publish: bool
) -> Event:
    """Write the event's report; `publish` shows it on the public page (once the event
    has started: a ValidationError before), unchecking it withdraws it. The first
    publication's time is kept while it stays published. Records
    "network.event.report_saved" (with "published" true or false)."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    report_ar = _text(errors, "report_ar", report_ar, TEXT_MAX)
    report_fr = _text(errors, "report_fr", report_fr, TEXT_MAX)
    event = _locked(event)
    if publish and not (report_ar or report_fr) and "report_ar" not in errors:
        errors["report_ar"] = _("Write the report in Arabic or in French before publishing it.")
    if publish and event.starts_at > timezone.now():
        errors["publish"] = _("The report can be published once the event has taken place.")
    if errors:
        raise ValidationError(errors)
    published_at = event.report_published_at
    if publish and published_at is None:
        published_at = timezone.now()
    elif not publish:
        published_at = None
    event.report_ar, event.report_fr, event.report_published_at = (
        report_ar,
        report_fr,
        published_at,
    )
    event.save(update_fields=["report_ar", "report_fr", "report_published_at"])
    event_record(
        obj=event,
        action="network.event.report_saved",
        actor=actor,
        data={"published": published_at is not None},
    )
    return event


# -------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class CheckedDocument:
    display_name: str
    extension: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return DOCUMENT_TYPES[self.extension]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def document_check(file: IO[bytes], *, name: str) -> CheckedDocument:
    """Check an event document by its name and content: PDF, DOCX, XLSX, ODT, ODS, PPTX
    or ODP, at most DOCUMENT_MAX_BYTES; ValidationError on "file" otherwise."""
    try:
        checked = check_upload(
            file, name=name, max_bytes=DOCUMENT_MAX_BYTES, types=DOCUMENT_TYPES.keys()
        )
    except ValidationError as exc:
        raise _refuse(" ".join(exc.messages)) from exc
    return CheckedDocument(
        display_name=checked.display_name,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
    )


@transaction.atomic
def event_document_add(
    *,
    event: Event,
    actor: User,
    kind: str,
    title_ar: str,
    title_fr: str,
    file: File[bytes],
) -> EventDocument:
    """Attach a document (programme, presentation, report, other) to an event.

    The file is checked by its content (`document_check`); the title defaults to the
    file's name. Refuses (ValidationError) a bad file, an unknown kind, a title too long.
    Records "network.event.document_added"."""
    _require_manager(actor)
    errors: dict[str, str] = {}
    title_ar = _text(errors, "title_ar", title_ar, TITLE_MAX)
    title_fr = _text(errors, "title_fr", title_fr, TITLE_MAX)
    if kind not in EventDocumentKind.values:
        errors["kind"] = _("Choose the kind of document from the list.")
    if errors:
        raise ValidationError(errors)
    checked = document_check(file, name=str(file.name or ""))  # type: ignore[arg-type]
    if not (title_ar or title_fr):
        stem = checked.display_name.rpartition(".")[0][:TITLE_MAX]
        title_ar = title_fr = stem
    event = _locked(event)
    document = EventDocument(
        event=event,
        kind=kind,
        title_ar=title_ar,
        title_fr=title_fr,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    # A stored name of our own: the display name may hold any script or character.
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    document.file.save(f"{kind}-{stamp}.{checked.extension}", file, save=False)
    stored = str(document.file.name)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored)
        raise
    event_record(
        obj=event,
        action="network.event.document_added",
        actor=actor,
        data={"document": document.pk, "kind": kind, "size": checked.size},
    )
    return document


@transaction.atomic
def event_document_remove(*, document: EventDocument, actor: User) -> None:
    """Remove a document from its event (its file once the transaction commits).
    Records "network.event.document_removed"."""
    _require_manager(actor)
    event = _locked(document.event)
    storage, name, pk = document.file.storage, document.file.name, document.pk
    document.delete()
    event_record(
        obj=event,
        action="network.event.document_removed",
        actor=actor,
        data={"document": pk},
    )
    if name:
        transaction.on_commit(lambda: storage.delete(str(name)))


# ---------------------------------------------------------------------- registrations


def _state_refusal(event: Event, now: dt.datetime) -> str | None:
    if event.status == EventStatus.CANCELLED:
        return _("This event is cancelled: it takes no registration.")
    if event.status != EventStatus.PUBLISHED:
        return _("Registration for this event is not open.")
    closes = event.registration_closes_at or event.starts_at
    if not event.registration_open or now >= closes:
        return _("Registration for this event is closed.")
    return None


def _is_full(event: Event) -> bool:
    if event.capacity is None:
        return False
    taken = Registration.objects.filter(event=event, cancelled_at__isnull=True).count()
    return taken >= event.capacity


def registration_refusal(event: Event, *, now: dt.datetime | None = None) -> str | None:
    """Why `event` takes no registration now (a translated message), or None while
    registration is open: cancelled, not published, closed by the office, past its
    closing time (or its start, when no closing time is set), full."""
    refusal = _state_refusal(event, now or timezone.now())
    if refusal is None and _is_full(event):
        refusal = _("This event is full: every place is taken.")
    return refusal


def _clean_registration(data: RegistrationInput, *, user: User | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    full_name = _text(errors, "full_name", data.full_name, NAME_MAX)
    if not full_name and "full_name" not in errors:
        errors["full_name"] = _("Give your name.")
    email = user.email if user is not None else str(data.email or "").strip().lower()
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("long")
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address.")
    if data.role not in AttendeeRole.values:
        errors["role"] = _("Choose the capacity in which you take part.")
    gender = data.gender or AttendeeGender.UNDISCLOSED
    if gender not in AttendeeGender.values:
        errors["gender"] = _("Choose from the list, or leave it empty.")
    collectivity: Collectivity | None = None
    if data.collectivity_id is not None:
        collectivity = Collectivity.objects.territorial().filter(pk=data.collectivity_id).first()
        if collectivity is None:
            errors["collectivity"] = _("Choose your collectivity from the list found, or none.")
    if errors:
        raise ValidationError(errors)
    return {
        "full_name": full_name,
        "email": email,
        "role": data.role,
        "gender": gender,
        "collectivity": collectivity,
    }


def _receipt(event: Event, registration: Registration) -> tuple[str, str]:
    subject = _("Registration received: %(title)s") % {"title": event.title}
    lines = [
        _("Hello %(name)s,") % {"name": registration.full_name},
        "",
        _("Your registration for “%(title)s” is recorded.") % {"title": event.title},
        _("When: %(when)s") % {"when": _when_text(event)},
    ]
    if event.place:
        lines.append(_("Where: %(place)s") % {"place": event.place})
    if event.online_url:
        lines.append(_("Online: %(link)s") % {"link": event.online_url})
    lines += ["", _("The event's page: %(link)s") % {"link": _site_url(event)}]
    lines += ["", _("If you did not register, ignore this message.")]
    return subject, "\n".join(lines) + SIGNATURE


@transaction.atomic
def registration_create(
    *, event: Event, actor: User | None, data: RegistrationInput, language: str = "ar"
) -> Registration:
    """Register someone for a published event whose registration is open.

    A signed-in `actor` registers with their account's address and is linked to the
    registration. Refuses with NotAllowed: cancelled, not open, closed, full (the
    event's row is locked, so that the last place is given once), and with a
    ValidationError on "email": already registered with this address (or this
    account). A receipt is queued to the address given, in `language`. Records
    "network.event.registered" (the registration's id and capacity, no personal data)."""
    user = actor if actor is not None and actor.is_authenticated else None
    clean = _clean_registration(data, user=user)
    event = _locked(event)
    refusal = _state_refusal(event, timezone.now())
    if refusal is not None:
        raise NotAllowed(refusal)
    mine = Q(email=clean["email"])
    if user is not None:
        mine |= Q(user=user)
    if Registration.objects.filter(mine, event=event).exists():
        raise ValidationError(
            {"email": _("You are registered for this event already (same e-mail address).")}
        )
    if _is_full(event):
        raise NotAllowed(_("This event is full: every place is taken."))
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event, user=user, registered_at=timezone.now(), **clean
            )
    except IntegrityError as exc:  # the same address at the same instant
        raise ValidationError(
            {"email": _("You are registered for this event already (same e-mail address).")}
        ) from exc
    event_record(
        obj=event,
        action="network.event.registered",
        actor=user,
        process="" if user is not None else "public-form",
        data={"registration": registration.pk, "role": registration.role},
    )
    with translation.override(site_language(language)):
        subject, body = _receipt(event, registration)
    email_queue(
        key=f"network:event-registration:{registration.pk}",
        to=registration.email,
        subject=subject,
        body=body,
    )
    return registration


@transaction.atomic
def attendance_mark(
    *, event: Event, actor: User, shown: set[int], attended: set[int]
) -> tuple[int, int]:
    """Mark who came, from the office's list: the registrations `shown` on the form are
    marked present when in `attended`, absent otherwise (others are left as they are,
    e.g. one registered after the list was opened). Two UPDATE statements whatever the
    number. Refuses a draft or cancelled event (NotAllowed). Records
    "network.event.attendance_marked" with the counts. Returns (present, absent)."""
    _require_manager(actor)
    event = _locked(event)
    if event.status != EventStatus.PUBLISHED:
        raise NotAllowed(_("Attendance is marked on a published event only."))
    rows = Registration.objects.filter(event=event, cancelled_at__isnull=True, pk__in=shown)
    present = rows.filter(pk__in=attended & shown).update(attended=True)
    absent = rows.exclude(pk__in=attended & shown).update(attended=False)
    event_record(
        obj=event,
        action="network.event.attendance_marked",
        actor=actor,
        data={"present": present, "absent": absent},
    )
    # A collectivity's home page lists the events its people attended.
    transaction.on_commit(lambda: bump("territories"))
    return present, absent
