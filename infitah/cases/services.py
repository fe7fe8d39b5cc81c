"""The case engine: every state change of every legal process goes through here.

`case_transition` is the one locked transition: it locks the case row, checks the state
table and who acts, applies the changes and the new state, moves the legal clocks the
step declares, writes the ledger event and makes the process's cached pages stale on
commit. `case_created` records a new case's first event (and the clocks its creating
step opens). `clocks_sweep` is the periodic work of the clocks: what a process does when
a period passes unmet (once), and the staff reminders. No process re-implements these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import has_perm
from infitah.cases.models import CaseMessage
from infitah.cases.selectors import settings_get
from infitah.cases.workflow import Clock, ClockEffect, Process, Step, process_list
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import calendar_get
from infitah.deadlines.services import deadline_close, deadline_open
from infitah.deadlines.workdays import Unit, compute_due_date, count_working_days
from infitah.ledger.services import event_record
from infitah.lib.pagecache import bump
from infitah.lib.uploads import CheckedUpload, check_upload
from infitah.territories.models import Collectivity

C = TypeVar("C", bound=models.Model)
Changes = dict[str, Any] | Callable[[Any], dict[str, Any]] | None


class TransitionNotAllowed(Exception):
    """The case's state (or a legal guard) does not allow this action now (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refused(process: Process, case: Any) -> TransitionNotAllowed:
    """The refusal naming the case's current state."""
    return TransitionNotAllowed(
        str(process.refused) % {"status": case.get_status_display()}  # type: ignore[str-format]
    )


def case_lock(process: Process, case: C) -> C:
    """`case` read again under a row lock (its collectivity and clocks loaded)."""
    related = ["collectivity", *(clock.field for clock in process.clocks.values())]
    return (
        type(case)
        ._default_manager.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=case.pk)
    )


def _ledger_process(process: Process, step: Step, actor: User | None) -> str:
    """How the ledger names who acted when no signed-in person did."""
    if actor is not None:
        return ""
    return process.citizen if step.by.kind == "citizen" else process.name


def _check_actor(step: Step, case: Any, actor: User | None) -> None:
    """A staff step needs its permission in the case's collectivity (PermissionDenied).

    A citizen's step is taken through the secret link (no actor) or by a staff member
    for them (a request received on paper, a transfer): the pages and the API decide who
    may reach it; the ledger records who did.
    """
    if step.by.kind != "staff":
        return
    if (
        actor is None
        or step.by.perm is None
        or not has_perm(actor, step.by.perm, case.collectivity)
    ):
        raise PermissionDenied


def _effects(process: Process, step: Step, case: Any) -> list[ClockEffect]:
    conditional = any(effect.when is not None for effect in step.clocks)
    found = (
        settings_get(process.settings_model, case.collectivity)
        if conditional and process.settings_model is not None
        else None
    )
    return [e for e in step.clocks if e.when is None or e.when(case, found)]


def _clocks_move(
    process: Process,
    case: Any,
    action: str,
    effects: Sequence[ClockEffect],
    *,
    actor: User | None,
    ledger_process: str,
) -> None:
    """Close, then open, the periods `effects` name; the case points at each new one."""
    previous: dict[str, Deadline | None] = {}
    for effect in effects:
        if effect.kind == "open":
            continue
        clock = process.clocks[effect.clock]
        current: Deadline | None = getattr(case, clock.field)
        previous[clock.name] = current
        if current is not None and current.is_open:
            deadline_close(
                deadline=current,
                status=DeadlineStatus.MET if effect.kind == "meet" else DeadlineStatus.CANCELLED,
                actor=actor,
                process=ledger_process,
            )
        if effect.kind == "suspend":
            setattr(case, clock.field, None)
    today = timezone.localdate()
    for effect in effects:
        if effect.kind != "open":
            continue
        clock = process.clocks[effect.clock]
        before = previous.get(clock.name, getattr(case, clock.field))
        if before is not None and before.is_open:
            # A period still running is replaced, never left open beside the new one.
            deadline_close(
                deadline=before,
                status=DeadlineStatus.CANCELLED,
                actor=actor,
                process=ledger_process,
            )
        deadline = deadline_open(
            collectivity=case.collectivity,
            subject=case,
            limit_code=clock.limit_code(case, action),
            start=clock.start_day(case, action, before, today),
            label=str(clock.label) % {"reference": case.reference},
            actor=actor,
            process=ledger_process,
        )
        setattr(case, clock.field, deadline)


@transaction.atomic
def case_transition(
    process: Process,
    case: C,
    action: str,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: Changes = None,
    guard: Callable[[C], None] | None = None,
) -> C:
    """Take `action` on `case`: the one locked transition of every process.

    Locks the row and reads it again; refuses with TransitionNotAllowed (naming the
    current state) when the table does not allow the action from it, and with
    PermissionDenied when `actor` may not take it; runs `guard(locked)` (which raises
    to refuse); applies `changes` (a dict, or a function of the locked case returning
    one) and the new state; moves the clocks the step declares; records the ledger event
    `<process>.<action>`; makes the process's cached pages stale on commit.
    Returns the locked, updated case; the caller's `case` gets the same field values.
    """
    step = process.table.step(action)
    if step is None:
        raise ValueError(f"{process.name}: {action} is not a transition")
    locked = case_lock(process, case)
    before: str = locked.status  # type: ignore[attr-defined]
    if before not in step.sources:
        raise refused(process, locked)
    _check_actor(step, locked, actor)
    if guard is not None:
        guard(locked)
    values = changes(locked) if callable(changes) else dict(changes or {})
    for name, value in values.items():
        setattr(locked, name, value)
    after = process.table.target(before, action)
    locked.status = after  # type: ignore[attr-defined]
    if process.closed_at_field and after in process.table.final and before != after:
        values[process.closed_at_field] = timezone.now()
        setattr(locked, process.closed_at_field, values[process.closed_at_field])
    ledger_process = _ledger_process(process, step, actor)
    _clocks_move(
        process,
        locked,
        action,
        _effects(process, step, locked),
        actor=actor,
        ledger_process=ledger_process,
    )
    locked.save()
    event_record(
        obj=locked,
        action=f"{process.name}.{action}",
        actor=actor,
        process=ledger_process,
        collectivity=locked.collectivity,  # type: ignore[attr-defined]
        from_state=before,
        to_state=after,
        note=note[:2000],
        data=data or {},
    )
    for name in ("status", *values, *(clock.field for clock in process.clocks.values())):
        setattr(case, name, getattr(locked, name))
    namespace = process.name
    transaction.on_commit(lambda: bump(namespace))
    return locked


@transaction.atomic
def case_created(
    process: Process,
    case: C,
    action: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> C:
    """Record the first event of a new `case` (saved by the process's service, in the
    creating step's target state) and open the clocks its step declares."""
    step = process.table.creations.get(str(action))
    if step is None:
        raise ValueError(f"{process.name}: {action} does not create a case")
    ledger_process = _ledger_process(process, step, actor)
    effects = _effects(process, step, case)
    if effects:
        _clocks_move(process, case, action, effects, actor=actor, ledger_process=ledger_process)
        case.save(update_fields=[process.clocks[e.clock].field for e in effects])
    event_record(
        obj=case,
        action=f"{process.name}.{action}",
        actor=actor,
        process=ledger_process,
        collectivity=case.collectivity,  # type: ignore[attr-defined]
        to_state=case.status,  # type: ignore[attr-defined]
        data=data or {},
    )
    namespace = process.name
    transaction.on_commit(lambda: bump(namespace))
    return case


def cases_step_each(process: Process, cases: Iterable[C], action: str) -> int:
    """Take the platform's step `action` on each case, each in its own transaction (a
    sweep); a case whose state moved on meanwhile is skipped. Returns how many moved."""
    moved = 0
    for case in cases:
        with transaction.atomic():
            try:
                case_transition(process, case, action, actor=None)
            except TransitionNotAllowed:
                continue
            moved += 1
    return moved


# ------------------------------------------------------------------ messages and files


def files_check(files: Sequence[UploadedFile[Any]], *, max_count: int) -> list[CheckedUpload]:
    """Each file checked by its content, or ValidationError on "files"; nothing stored."""
    if len(files) > max_count:
        raise ValidationError({"files": _("At most %(max)d files.") % {"max": max_count}})
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload, name=str(upload.name or "")))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ValidationError({"files": exc.error_list}) from exc
    return checked


def files_store(
    attachment_model: type[models.Model],
    case: Any,
    files: Sequence[UploadedFile[Any]],
    checked: Sequence[CheckedUpload],
    **extra: Any,
) -> None:
    """Store files checked by `files_check` as attachments of `case` (and `extra` fields,
    e.g. the message they came with)."""
    for upload, check in zip(files, checked, strict=True):
        attachment = attachment_model(
            case=case,
            name=check.display_name,
            content_type=check.content_type,
            size=check.size,
            sha256=check.sha256,
            **extra,
        )
        upload.seek(0)
        attachment.file.save(f"upload.{check.extension}", upload, save=False)  # type: ignore[attr-defined]
        attachment.save()


def message_add(
    message_model: type[CaseMessage],
    case: Any,
    kind: str,
    text: str,
    *,
    actor: User | None = None,
    from_citizen: bool = False,
) -> CaseMessage:
    """Append a message of `kind` to the exchanges about `case`."""
    return message_model._default_manager.create(  # type: ignore[misc]
        case=case,
        kind=kind,
        text=text,
        from_citizen=from_citizen,
        author=actor if actor is not None and actor.is_authenticated else None,
        at=timezone.now(),
    )


# ------------------------------------------------------------------------- settings


@transaction.atomic
def settings_save(
    model: type[C],
    *,
    collectivity: Collectivity,
    actor: User,
    values: dict[str, Any],
    event: str,
    namespaces: Iterable[str],
    data: dict[str, Any] | None = None,
) -> C:
    """Write the collectivity's settings of a process (checked by the caller), record the
    ledger event `event` (with `data`) and make the `namespaces` of cached pages stale on
    commit."""
    found, _created = model._default_manager.update_or_create(
        collectivity=collectivity, defaults=values
    )
    event_record(
        obj=found,
        action=event,
        actor=actor,
        collectivity=collectivity,
        data=data or {},
    )
    for namespace in namespaces:
        transaction.on_commit(lambda namespace=namespace: bump(namespace))  # type: ignore[misc]
    return found


# ---------------------------------------------------------------------------- sweep


def _cases_of(process: Process, deadlines: Sequence[Deadline]) -> dict[int, Any]:
    ids = {int(d.subject_id) for d in deadlines}
    related = ["collectivity", *(clock.field for clock in process.clocks.values())]
    return {
        case.pk: case
        for case in process.model._default_manager.filter(pk__in=ids).select_related(*related)
    }


def _expiries_note(process: Process, today: date) -> dict[str, int]:
    """Note, once each, the open periods of `process` that passed unmet before `today`."""
    clocks = {
        c.name for c in process.clocks.values() if c.expiry_event or c.on_expiry or c.after_expiry
    }
    counts = dict.fromkeys(sorted(clocks), 0)
    if not clocks:
        return counts
    candidates = list(
        Deadline.objects.open()
        .filter(
            subject_type=process.subject_type,
            due_date__lt=today,
            expiry_noted_at__isnull=True,
        )
        .order_by("due_date", "pk")
    )
    for deadline in candidates:
        with transaction.atomic():
            # The case first, then its deadline: the order of every transition.
            case = process.model._default_manager.filter(pk=int(deadline.subject_id)).first()
            if case is None:
                continue
            case = case_lock(process, case)
            locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
            if not (locked.is_open and locked.expiry_noted_at is None and locked.due_date < today):
                continue  # met, moved by the calendar or noted since the query
            locked.expiry_noted_at = timezone.now()
            locked.save(update_fields=["expiry_noted_at"])
            clock = process.clock_of(case, locked.pk)
            if clock is not None and clock.name in clocks:
                counts[clock.name] += _expiry_record(process, clock, case, locked)
    return counts


def _expiry_record(process: Process, clock: Clock, case: Any, deadline: Deadline) -> bool:
    """Apply the clock's expiry rule to the locked case; record its event once."""
    changes = clock.on_expiry(case, deadline) if clock.on_expiry is not None else {}
    if changes is None:
        return False
    for name, value in changes.items():
        setattr(case, name, value)
    if changes:
        case.save(update_fields=list(changes))
    if clock.expiry_event:
        event_record(
            obj=case,
            action=f"{process.name}.{clock.expiry_event}",
            process=process.name,
            collectivity=case.collectivity,
            from_state=case.status,
            to_state=case.status,
            data={"due_date": deadline.due_date.isoformat()},
        )
    if clock.after_expiry is not None:
        clock.after_expiry(case, deadline)
    namespace = process.name
    transaction.on_commit(lambda: bump(namespace))
    return True


def _reminders_send(process: Process, today: date) -> int:
    """Remind the staff of each open period of `process` nearing its due date, once per
    threshold (the reminder rules' outbox keys say which)."""
    rules = {c.name: c for c in process.clocks.values() if c.on_reminder is not None}
    thresholds = sorted(process.reminder_days() if process.reminder_days else [])
    if not rules or not thresholds:
        return 0
    calendar = calendar_get()
    # Only the deadlines due within the largest threshold can need a reminder: the sweep
    # runs every minute, so it reads those, not every open deadline.
    horizon = compute_due_date(
        start=today, duration=thresholds[-1], unit=Unit.WORKING_DAYS, lookup=calendar
    ).due_date
    deadlines = list(
        Deadline.objects.open()
        .filter(subject_type=process.subject_type, due_date__gte=today, due_date__lte=horizon)
        .select_related("limit")
    )
    cases = _cases_of(process, deadlines)
    sent = 0
    for deadline in deadlines:
        case = cases.get(int(deadline.subject_id))
        clock = process.clock_of(case, deadline.pk) if case is not None else None
        if clock is None or clock.on_reminder is None:
            continue
        left = count_working_days(today, deadline.due_date, calendar)
        # The smallest threshold reached: after a pause of the tick, the 5-day reminder
        # is not sent once only 1 day is left.
        reached = [t for t in thresholds if left <= t]
        if not reached:
            continue
        with transaction.atomic():
            sent += clock.on_reminder(case, deadline, reached[0], left)
    return sent


def clocks_sweep(
    *, processes: Iterable[Process] | None = None, today: date | None = None
) -> dict[str, Any]:
    """The clocks' periodic work (`manage.py tick`); safe to run any number of times.

    For each process (every registered one by default): each open period that passed
    its due date unmet is noted once, and the clock's expiry rule runs then (e.g. an
    information request is deemed refused and its requester told); the staff get their
    reminders before due dates. Due dates are read from the Deadline rows when the sweep
    runs, so a calendar correction made since is always taken into account.
    Returns {process name: {"expired": {clock: n}, "reminders": n}}.
    """
    today = today or timezone.localdate()
    result: dict[str, Any] = {}
    for process in processes if processes is not None else process_list():
        result[process.name] = {
            "expired": _expiries_note(process, today),
            "reminders": _reminders_send(process, today),
        }
    return result
