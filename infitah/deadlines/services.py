"""Writes of the legal calendar: official overrides and tracked deadlines."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.deadlines.models import (
    CalendarOverride,
    Deadline,
    DeadlineStatus,
    OverrideKind,
)
from infitah.deadlines.selectors import (
    HolidayCalendar,
    UnknownLegalLimit,
    calendar_get,
    due_date_compute,
    legal_limit_get,
)
from infitah.ledger.services import event_record
from infitah.lib.pagecache import bump
from infitah.territories.models import Collectivity

MIN_YEAR = 1990
MAX_YEAR = 2100
# The cached public pages built from the calendar (see infitah.lib.pagecache).
PAGE_CACHE_NAMESPACE = "calendar"


def calendar_override_check(
    *,
    kind: str,
    date: date,
    new_date: date | None = None,
    name_ar: str = "",
    name_fr: str = "",
    reason: str = "",
    reference: str = "",
    calendar: HolidayCalendar | None = None,
) -> None:
    """Raise ValidationError (per field) unless the override makes sense today.

    The checks read the calendar as corrected by the earlier overrides; forms call this
    to show the errors beside the fields, and `calendar_override_add` calls it again.
    """
    calendar = calendar or calendar_get()
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in OverrideKind.values:
        fail("kind", _("Choose add, remove or move."))
    if not reason.strip():
        fail("reason", _("Give the reason and the official source of this correction."))
    for field, text, limit in (
        ("reason", reason, 2000),
        ("reference", reference, 200),
        ("name_ar", name_ar, 200),
        ("name_fr", name_fr, 200),
    ):
        if len(text.strip()) > limit:
            fail(field, _("At most %(max)d characters.") % {"max": limit})
        elif "\x00" in text:
            fail(field, _("This text contains a forbidden character."))
    for field, value in (("date", date), ("new_date", new_date)):
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            fail(field, _("Choose a date between 1990 and 2100."))
    if errors:
        raise ValidationError(errors)

    existing = calendar.get(date)
    if kind != OverrideKind.MOVE and new_date is not None:
        fail("new_date", _("A new date is only given when a holiday is moved."))
    if kind == OverrideKind.ADD:
        if existing is not None and not existing.estimated:
            fail("date", _("This date is already a confirmed public holiday."))
        elif existing is None and not (name_ar.strip() and name_fr.strip()):
            fail("name_ar", _("Give the name of the day off in Arabic and in French."))
    elif kind == OverrideKind.REMOVE:
        if existing is None:
            fail("date", _("This date is not a public holiday, so it cannot be removed."))
    elif kind == OverrideKind.MOVE:
        if existing is None:
            fail("date", _("This date is not a public holiday, so it cannot be moved."))
        if new_date is None:
            fail("new_date", _("Give the date the holiday moves to."))
        elif new_date == date:
            fail("new_date", _("The new date must differ from the current date."))
        elif calendar.get(new_date) is not None:
            fail("new_date", _("The new date is already a public holiday."))
    if errors:
        raise ValidationError(errors)


# How the ledger names the server's operator, who records a correction on the command line.
COMMAND_LINE = "command_line"


@transaction.atomic
def calendar_override_add(
    *,
    actor: User | None,
    kind: str,
    date: date,
    new_date: date | None = None,
    name_ar: str = "",
    name_fr: str = "",
    reason: str,
    reference: str = "",
) -> CalendarOverride:
    """Record an official correction of the holiday calendar, network-wide.

    Preconditions: `actor` holds NetworkPerm.CALENDAR_MANAGE (else PermissionDenied), or
    is None for the server's operator (`manage.py calendar_override`); the override
    passes `calendar_override_check` (else ValidationError, nothing written).
    Side effects: a ledger event "calendar.override_added"; every open deadline whose
    period the changed dates fall in is recomputed, and each one that changes gets a
    ledger event "deadline.recomputed" (process "calendar"). The cases read their due
    dates from those deadlines (infitah.cases), so they all follow at once.
    """
    if actor is not None and not has_network_perm(actor, NetworkPerm.CALENDAR_MANAGE):
        raise PermissionDenied
    before = calendar_get()
    calendar_override_check(
        kind=kind,
        date=date,
        new_date=new_date,
        name_ar=name_ar,
        name_fr=name_fr,
        reason=reason,
        reference=reference,
        calendar=before,
    )
    # Store the names a confirmed or moved holiday keeps, so each override stands alone.
    existing = before.get(date)
    if existing is not None and kind != OverrideKind.REMOVE:
        name_ar = name_ar.strip() or existing.name_ar
        name_fr = name_fr.strip() or existing.name_fr
    override = CalendarOverride.objects.create(
        kind=kind,
        date=date,
        new_date=new_date,
        name_ar=name_ar.strip(),
        name_fr=name_fr.strip(),
        reason=reason.strip(),
        reference=reference.strip(),
        created_by=actor,
        created_at=timezone.now(),
    )
    event_record(
        obj=override,
        action="calendar.override_added",
        actor=actor,
        process="" if actor is not None else COMMAND_LINE,
        data={
            "kind": kind,
            "date": date.isoformat(),
            "new_date": new_date.isoformat() if new_date else None,
            "name_ar": override.name_ar,
            "name_fr": override.name_fr,
            "reason": override.reason,
            "reference": override.reference,
        },
    )
    _deadlines_recompute(
        changed=[d for d in (date, new_date) if d is not None], override=override, actor=actor
    )
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return override


def _deadlines_recompute(
    *, changed: list[date], override: CalendarOverride, actor: User | None
) -> int:
    """Recompute the open deadlines whose period could see one of the `changed` days.

    A due date depends only on the days in (start_date, due_date]: a change outside that
    window cannot move it. Returns how many deadlines changed.
    """
    window = Q()
    for day in changed:
        # A period runs forward from its start, or back from it (a notice).
        window |= Q(start_date__lt=day, due_date__gte=day)
        window |= Q(limit__counted_back=True, due_date__lte=day, start_date__gt=day)
    calendar = calendar_get()
    note = _("Calendar override #%(id)s: %(override)s") % {"id": override.pk, "override": override}
    count = 0
    affected = (
        Deadline.objects.open()
        .filter(window)
        .select_related("limit", "collectivity")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for deadline in affected:
        new_due = due_date_compute(
            start=deadline.start_date, limit=deadline.limit, calendar=calendar
        ).due_date
        if new_due == deadline.due_date:
            continue
        old_due = deadline.due_date
        deadline.due_date = new_due
        deadline.save(update_fields=["due_date"])
        event_record(
            obj=deadline,
            action="deadline.recomputed",
            actor=actor,
            process="calendar",
            collectivity=deadline.collectivity,
            from_state=old_due.isoformat(),
            to_state=new_due.isoformat(),
            note=note,
            data={"override_id": override.pk},
        )
        count += 1
    return count


@transaction.atomic
def deadline_open(
    *,
    collectivity: Collectivity,
    subject: models.Model,
    limit_code: str,
    start: date,
    label: str,
    actor: User | None = None,
    process: str = "",
) -> Deadline:
    """Start tracking the legal duty `limit_code` about `subject`, from `start`.

    Preconditions: `limit_code` names a LegalLimit (else UnknownLegalLimit).
    Side effects: a ledger event "deadline.opened" in `collectivity`.
    """
    limit = legal_limit_get(code=limit_code)
    due = due_date_compute(start=start, limit=limit)
    deadline = Deadline.objects.create(
        collectivity=collectivity,
        limit=limit,
        start_date=start,
        due_date=due.due_date,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        label=label[:200],
        created_at=timezone.now(),
    )
    event_record(
        obj=deadline,
        action="deadline.opened",
        actor=actor,
        process=process or ("" if actor is not None else "deadlines"),
        collectivity=collectivity,
        to_state=due.due_date.isoformat(),
        data={
            "limit": limit.code,
            "start": start.isoformat(),
            "subject_type": deadline.subject_type,
            "subject_id": deadline.subject_id,
        },
    )
    return deadline


@transaction.atomic
def deadline_close(
    *,
    deadline: Deadline,
    status: str = DeadlineStatus.MET,
    actor: User | None = None,
    process: str = "",
) -> Deadline:
    """Close an open deadline as met or cancelled.

    Preconditions: the deadline is open (else ValidationError); `status` is "met" or
    "cancelled". Side effects: a ledger event "deadline.closed".
    """
    if status not in {DeadlineStatus.MET, DeadlineStatus.CANCELLED}:
        raise ValidationError(_("A deadline is closed as met or cancelled."))
    # Lock the row: a calendar recompute or a second close may run at the same time.
    locked = Deadline.objects.select_for_update().select_related("collectivity").get(pk=deadline.pk)
    if not locked.is_open:
        raise ValidationError(_("This deadline is already closed."))
    locked.status = status
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    event_record(
        obj=locked,
        action="deadline.closed",
        actor=actor,
        process=process or ("" if actor is not None else "deadlines"),
        collectivity=locked.collectivity,
        from_state=DeadlineStatus.OPEN,
        to_state=status,
    )
    deadline.status, deadline.closed_at = locked.status, locked.closed_at
    return locked


@transaction.atomic
def deadline_close_for_subject(
    *,
    subject: models.Model,
    limit_code: str | None = None,
    status: str = DeadlineStatus.MET,
    actor: User | None = None,
    process: str = "",
) -> int:
    """Close every open deadline about `subject` (of `limit_code` if given); returns how many."""
    qs = Deadline.objects.open().filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk)
    )
    if limit_code is not None:
        qs = qs.filter(limit__code=limit_code)
    deadlines = list(qs.order_by("pk"))
    for deadline in deadlines:
        deadline_close(deadline=deadline, status=status, actor=actor, process=process)
    return len(deadlines)


def deadlines_sweep(*, today: date | None = None) -> dict[str, int]:
    """Counts for the periodic tick: open deadlines and, of them, overdue ones (one query)."""
    today = today or timezone.localdate()
    counts = Deadline.objects.open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return {"open": counts["open"] or 0, "overdue": counts["overdue"] or 0}


__all__ = [
    "UnknownLegalLimit",
    "calendar_override_add",
    "calendar_override_check",
    "deadline_close",
    "deadline_close_for_subject",
    "deadline_open",
    "deadlines_sweep",
]
