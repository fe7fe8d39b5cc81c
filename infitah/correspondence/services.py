"""Writes of the correspondence register: registering letters, routing, linking to cases,
and the collectivity's service units.

Every service runs in one transaction and records its ledger event in it. Registration
takes its number from `number_next` (series "correspondence", per collectivity and
year) inside that transaction, as late as possible: the counter row stays locked from
`number_next` to the commit, so concurrent registrations of one collectivity queue there
only for the INSERT of the entry and of its event (docs/correspondence.md, "Numbering").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.correspondence.cases import CaseOpener
from infitah.correspondence.models import (
    CASE_ID_MAX,
    CASE_REFERENCE_MAX,
    CASE_TYPE_MAX,
    CORRESPONDENT_MAX,
    SUBJECT_MAX,
    SUMMARY_MAX,
    UNIT_NAME_MAX,
    Channel,
    Direction,
    Entry,
    EntryEvent,
    ServiceUnit,
)
from infitah.ledger.services import event_record
from infitah.lib.casework import too_long
from infitah.lib.text import fold
from infitah.lib.uploads import CheckedUpload, check_upload
from infitah.numbering.services import number_next
from infitah.territories.models import Collectivity

SERIES = "correspondence"


def _check_text(
    errors: dict[str, str],
    name: str,
    value: str,
    *,
    limit: int,
    required: str | None = None,
) -> str:
    """`value` stripped; a message in `errors[name]` if it is missing, too long or has NUL."""
    value = (value or "").strip()
    if "\x00" in value:
        errors[name] = _("This text contains a forbidden character.")
    elif len(value) > limit:
        errors[name] = too_long(limit)
    elif required is not None and not value:
        errors[name] = required
    return value


def _check_service(
    errors: dict[str, str], service: ServiceUnit | None, collectivity: Collectivity
) -> None:
    if service is None:
        return
    if service.collectivity_id != collectivity.pk:
        errors["service"] = _("Choose a service of this collectivity.")
    elif not service.is_active:
        errors["service"] = _("This service is no longer active: choose another one.")


def _check_attachment(errors: dict[str, Any], attachment: File[Any] | None) -> CheckedUpload | None:
    if attachment is None:
        return None
    try:
        return check_upload(attachment, name=str(attachment.name or ""))  # type: ignore[arg-type]
    except ValidationError as exc:
        errors["attachment"] = exc.messages
        return None


@transaction.atomic
def entry_register(
    *,
    collectivity: Collectivity,
    actor: User,
    direction: str,
    correspondent: str,
    subject: str,
    channel: str,
    letter_date: date | None = None,
    summary: str = "",
    service: ServiceUnit | None = None,
    attachment: File[Any] | None = None,
    in_reply_to: Entry | None = None,
) -> Entry:
    """Register one incoming or outgoing letter; returns the entry with its number.

    Preconditions (else ValidationError with one translated message per field, nothing
    written): `direction` and `channel` among the choices; `correspondent` (the sender of
    an incoming letter, the recipient of an outgoing one) and `subject` given, at most
    300 characters; `summary` at most 10,000; no NUL character; `letter_date` not in the
    future; `service` an active unit and `in_reply_to` an entry of the same collectivity;
    `attachment` accepted by `check_upload` (by content).
    Side effects: the scan is stored under a random name; the next number of the
    collectivity's "correspondence" series for the current year; a ledger event
    "correspondence.registered". If the transaction rolls back, the number is given again
    to the next letter (gapless) and the stored scan is removed.
    """
    errors: dict[str, Any] = {}
    if direction not in Direction.values:
        errors["direction"] = _("Choose: incoming or outgoing.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the letter came or went: paper, e-mail, platform, other.")
    correspondent = _check_text(
        errors,
        "correspondent",
        correspondent,
        limit=CORRESPONDENT_MAX,
        required=_("Give the sender (incoming) or the recipient (outgoing)."),
    )
    subject = _check_text(
        errors, "subject", subject, limit=SUBJECT_MAX, required=_("Give the subject of the letter.")
    )
    summary = _check_text(errors, "summary", summary, limit=SUMMARY_MAX)
    if letter_date is not None and letter_date > timezone.localdate():
        errors["letter_date"] = _("The date of the letter cannot be in the future.")
    _check_service(errors, service, collectivity)
    if in_reply_to is not None and in_reply_to.collectivity_id != collectivity.pk:
        errors["in_reply_to"] = _("Give the number of an entry of this register.")
    checked = _check_attachment(errors, attachment)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    year = timezone.localdate(now).year
    entry = Entry(
        collectivity=collectivity,
        direction=direction,
        letter_date=letter_date,
        channel=channel,
        correspondent=correspondent,
        subject=subject,
        summary=summary,
        search_key=f"{fold(correspondent)} | {fold(subject)}",
        service=service,
        in_reply_to=in_reply_to,
        registered_by=actor,
    )
    if attachment is not None and checked is not None:
        # Stored before the number is taken: the counter's lock is not held while the
        # file is written.
        attachment.seek(0)
        entry.attachment.save(f"letter.{checked.extension}", attachment, save=False)
        entry.attachment_name = checked.display_name
        entry.attachment_content_type = checked.content_type
        entry.attachment_size = checked.size
        entry.attachment_sha256 = checked.sha256
    try:
        entry.year = year
        entry.number = number_next(collectivity=collectivity, series=SERIES, year=year)
        # The time is read once the number is ours: concurrent registrations queue on the
        # counter, so the times follow the numbers. Across midnight on 31 December the
        # time read before (in the number's year) is kept.
        after = timezone.now()
        entry.registered_at = after if timezone.localdate(after).year == year else now
        entry.save(force_insert=True)
        event_record(
            obj=entry,
            action=EntryEvent.REGISTERED,
            actor=actor,
            collectivity=collectivity,
            data={
                "number": entry.display_number,
                "direction": direction,
                "channel": channel,
                "service": service.pk if service is not None else None,
                "in_reply_to": in_reply_to.display_number if in_reply_to is not None else None,
                "attachment_sha256": entry.attachment_sha256,
            },
        )
    except BaseException:
        if entry.attachment:
            entry.attachment.delete(save=False)
        raise
    return entry


def _locked(entry: Entry) -> Entry:
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("service", "collectivity")
        .get(pk=entry.pk)
    )


@transaction.atomic
def entry_route(*, entry: Entry, actor: User, service: ServiceUnit | None) -> Entry:
    """Route the entry to `service` (None: to no service); a no-op if it is already there.

    Preconditions: `service` an active unit of the entry's collectivity (else
    ValidationError). Side effects: a ledger event "correspondence.routed" with the
    former and the new unit.
    """
    errors: dict[str, Any] = {}
    _check_service(errors, service, entry.collectivity)
    if errors:
        raise ValidationError(errors)
    locked = _locked(entry)
    before = locked.service
    new_id = service.pk if service is not None else None
    if locked.service_id == new_id:
        return locked
    locked.service = service
    locked.save(update_fields=["service"])
    event_record(
        obj=locked,
        action=EntryEvent.ROUTED,
        actor=actor,
        collectivity=entry.collectivity,
        data={
            "from": before.pk if before is not None else None,
            "from_name": before.name if before is not None else "",
            "to": new_id,
            "to_name": service.name if service is not None else "",
        },
    )
    entry.service = service
    return locked


@transaction.atomic
def entry_link_case(
    *, entry: Entry, actor: User, case_type: str, case_id: str, case_reference: str
) -> Entry:
    """Link the entry to the case it belongs to; all three empty removes the link.

    The caller has checked that the case exists in the entry's collectivity (the
    registry's `find`, or the case was just created by an opener). Preconditions: type
    and id given together, lengths within the fields, no NUL (else ValidationError).
    Side effects: a ledger event "correspondence.case_linked" (or "…case_unlinked") with
    the former and the new case.
    """
    errors: dict[str, str] = {}
    case_type = _check_text(errors, "case_type", case_type, limit=CASE_TYPE_MAX)
    case_id = _check_text(errors, "case_id", case_id, limit=CASE_ID_MAX)
    case_reference = _check_text(errors, "case_reference", case_reference, limit=CASE_REFERENCE_MAX)
    if not errors and bool(case_type) != bool(case_id):
        errors["case_reference"] = _("Give both the type of the case and its reference.")
    if not errors and case_reference and not case_type:
        errors["case_type"] = _("Choose the type of the case.")
    if errors:
        raise ValidationError(errors)
    return _link(entry, actor, case_type, case_id, case_reference, EntryEvent.CASE_LINKED)


def _link(
    entry: Entry,
    actor: User,
    case_type: str,
    case_id: str,
    case_reference: str,
    action: EntryEvent,
) -> Entry:
    locked = _locked(entry)
    before = (locked.case_type, locked.case_id, locked.case_reference)
    after = (case_type, case_id, case_reference)
    if before == after:
        return locked
    locked.case_type, locked.case_id, locked.case_reference = after
    locked.save(update_fields=["case_type", "case_id", "case_reference"])
    event_record(
        obj=locked,
        action=action if case_type else EntryEvent.CASE_UNLINKED,
        actor=actor,
        collectivity=entry.collectivity,
        data={
            "from": {"type": before[0], "id": before[1], "reference": before[2]},
            "to": {"type": case_type, "id": case_id, "reference": case_reference},
        },
    )
    entry.case_type, entry.case_id, entry.case_reference = after
    return locked


@transaction.atomic
def entry_open_case(
    *, entry: Entry, actor: User, opener: CaseOpener, data: dict[str, Any]
) -> Entry:
    """Open a case from the entry with a registered opener, and link the entry to it.

    Preconditions: the entry belongs to no case yet (else ValidationError); `data` is
    the opener's valid form's `cleaned_data`; the opener's own checks pass (it raises
    ValidationError otherwise). Everything happens in one transaction: if the case app
    refuses, nothing is written. Side effects: those of the case app's service; the link;
    a ledger event "correspondence.case_opened" on the entry.
    """
    locked = _locked(entry)
    if locked.case_type:
        raise ValidationError(
            _("This entry already belongs to the case %(reference)s.")
            % {"reference": locked.case_reference or locked.case_id}
        )
    case_type, case_id, case_reference = opener.open(locked, actor, data)
    return _link(entry, actor, case_type, case_id, case_reference, EntryEvent.CASE_OPENED)


@transaction.atomic
def entry_summary_edit(*, entry: Entry, actor: User, summary: str) -> Entry:
    """Correct the entry's summary; the former text is kept in the ledger event."""
    errors: dict[str, str] = {}
    summary = _check_text(errors, "summary", summary, limit=SUMMARY_MAX)
    if errors:
        raise ValidationError(errors)
    locked = _locked(entry)
    if locked.summary == summary:
        return locked
    before = locked.summary
    locked.summary = summary
    locked.save(update_fields=["summary"])
    event_record(
        obj=locked,
        action=EntryEvent.SUMMARY_EDITED,
        actor=actor,
        collectivity=entry.collectivity,
        data={"from": before, "to": summary},
    )
    entry.summary = summary
    return locked


# ------------------------------------------------------------------------ service units


def _unit_names(errors: dict[str, str], name_ar: str, name_fr: str) -> tuple[str, str]:
    name_ar = _check_text(errors, "name_ar", name_ar, limit=UNIT_NAME_MAX)
    name_fr = _check_text(errors, "name_fr", name_fr, limit=UNIT_NAME_MAX)
    if not errors and not name_ar and not name_fr:
        errors["name_ar"] = _("Give the name of the service in Arabic or in French.")
    return name_ar, name_fr


def _check_unique(
    errors: dict[str, str],
    collectivity: Collectivity,
    name_ar: str,
    name_fr: str,
    exclude: int | None = None,
) -> None:
    others = ServiceUnit.objects.for_collectivity(collectivity.pk)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if name_ar and others.filter(name_ar=name_ar).exists():
        errors["name_ar"] = _("A service of this collectivity already has this name.")
    if name_fr and others.filter(name_fr=name_fr).exists():
        errors["name_fr"] = _("A service of this collectivity already has this name.")


def _save_unit(unit: ServiceUnit, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            unit.save(**kwargs)
    except IntegrityError as exc:  # the same name saved at the same time by someone else
        raise ValidationError(
            {"name_ar": _("A service of this collectivity already has this name.")}
        ) from exc


@transaction.atomic
def service_unit_create(
    *, collectivity: Collectivity, actor: User, name_ar: str, name_fr: str = ""
) -> ServiceUnit:
    """Create a service unit of `collectivity` (a name in Arabic or French, unique there).

    Side effects: a ledger event "correspondence.unit_created".
    """
    errors: dict[str, str] = {}
    name_ar, name_fr = _unit_names(errors, name_ar, name_fr)
    if not errors:
        _check_unique(errors, collectivity, name_ar, name_fr)
    if errors:
        raise ValidationError(errors)
    unit = ServiceUnit(collectivity=collectivity, name_ar=name_ar, name_fr=name_fr)
    _save_unit(unit, force_insert=True)
    event_record(
        obj=unit,
        action=EntryEvent.UNIT_CREATED,
        actor=actor,
        collectivity=collectivity,
        data={"name_ar": name_ar, "name_fr": name_fr},
    )
    return unit


@transaction.atomic
def service_unit_update(
    *, unit: ServiceUnit, actor: User, name_ar: str, name_fr: str, is_active: bool
) -> ServiceUnit:
    """Rename a unit, or make it (in)active: an inactive unit is no longer offered, and
    the entries routed to it keep it. Side effects: a ledger event "…unit_updated"."""
    errors: dict[str, str] = {}
    name_ar, name_fr = _unit_names(errors, name_ar, name_fr)
    if not errors:
        _check_unique(errors, unit.collectivity, name_ar, name_fr, exclude=unit.pk)
    if errors:
        raise ValidationError(errors)
    locked = ServiceUnit.objects.select_for_update().get(pk=unit.pk)
    before = {"name_ar": locked.name_ar, "name_fr": locked.name_fr, "is_active": locked.is_active}
    after = {"name_ar": name_ar, "name_fr": name_fr, "is_active": bool(is_active)}
    if before == after:
        return locked
    locked.name_ar, locked.name_fr, locked.is_active = name_ar, name_fr, bool(is_active)
    _save_unit(locked, update_fields=["name_ar", "name_fr", "is_active"])
    event_record(
        obj=locked,
        action=EntryEvent.UNIT_UPDATED,
        actor=actor,
        collectivity=locked.collectivity,
        data={"from": before, "to": after},
    )
    unit.name_ar, unit.name_fr, unit.is_active = name_ar, name_fr, bool(is_active)
    return locked
