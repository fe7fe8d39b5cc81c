"""The programme, its phases and axes, commitments and milestones, and the progress
roll-up: the writes every other part of the app builds on.

Every service takes keyword arguments and an `actor`, checks the actor's permission in
the programme's collectivity (PermissionDenied), validates (ValidationError with a
message per field, nothing written) and runs in one transaction. Whatever the public can
see moves `Programme.public_updated_at` (`programme_touch`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.services import case_created
from infitah.ledger.services import event_record
from infitah.lib.cleaning import (
    Errors,
    clean_date,
    clean_decimal,
    clean_pair,
    clean_period,
    clean_text,
    raise_errors,
)
from infitah.lib.pagecache import bump
from infitah.numbering.services import number_next
from infitah.openplan import progress as rollup
from infitah.openplan.models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Axis,
    Commitment,
    Milestone,
    Phase,
    Programme,
)
from infitah.openplan.process import PROCESS
from infitah.openplan.workflow import CREATED, Kind, PhaseKind, Status
from infitah.territories.models import Collectivity

SERIES = "openplan.programme"
# States in which the programme's content (commitments, milestones…) may still change
# without an amendment being recorded: all but the final ones.
EDITABLE = frozenset({Status.DRAFTING, Status.CONSULTING, Status.ADOPTED, Status.EVALUATING})


# --- small checks shared by the services of the app ----------------------------------------


def require(
    actor: User | None, collectivity: Collectivity, perm: Perm = Perm.OPENPLAN_MANAGE
) -> None:
    """PermissionDenied unless `actor` holds `perm` in `collectivity`."""
    if actor is None or not has_perm(actor, perm, collectivity):
        raise PermissionDenied


def pages_bump() -> None:
    """The programme's cached public pages are stale once the transaction commits."""
    transaction.on_commit(lambda: bump(PROCESS.name))


def programme_touch(programme: Programme) -> None:
    """The collectivity changed its public page now (the 4-month warning reads this
    stamp; what participants do — proposals, comments, supports — does not count)."""
    now = timezone.now()
    Programme.objects.filter(pk=programme.pk).update(public_updated_at=now)
    programme.public_updated_at = now
    pages_bump()


def record(programme: Programme, action: str, actor: User | None, **data: Any) -> None:
    """A ledger event `openplan.<action>` about the programme (what was done, by whom)."""
    event_record(
        obj=programme,
        action=f"openplan.{action}",
        actor=actor,
        process="" if actor is not None else PROCESS.name,
        collectivity=programme.collectivity,
        data=data,
    )


def require_editable(programme: Programme) -> None:
    if programme.status not in EDITABLE:
        raise ValidationError(_("This programme is closed: it can no longer change."))


# --- programme, phases, axes -----------------------------------------------------------------


PROGRAMME_FIELDS = (
    "kind",
    "title_ar",
    "title_fr",
    "summary_ar",
    "summary_fr",
    "starts_on",
    "ends_on",
    "independent_monitor",
)


def _programme_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: Errors = {}
    kind = data.get("kind")
    if kind not in Kind.values:
        errors["kind"] = _("Choose the kind of programme.")
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    values: dict[str, Any] = {
        "kind": kind,
        "title_ar": title_ar,
        "title_fr": title_fr,
        "summary_ar": clean_text(errors, data, "summary_ar", TEXT_MAX),
        "summary_fr": clean_text(errors, data, "summary_fr", TEXT_MAX),
        "starts_on": clean_date(errors, data, "starts_on", required=True),
        "ends_on": clean_date(errors, data, "ends_on", required=True),
        "independent_monitor": clean_text(errors, data, "independent_monitor", NAME_MAX),
    }
    clean_period(errors, values["starts_on"], values["ends_on"])
    raise_errors(errors)
    return values


@transaction.atomic
def programme_create(
    *, collectivity: Collectivity, actor: User, data: Mapping[str, Any]
) -> Programme:
    """Open a new cycle (in co-creation), numbered `PRG-<year>-<n>` per collectivity and
    year of its start.

    Preconditions: Perm.OPENPLAN_MANAGE (else PermissionDenied); valid fields (else
    ValidationError). Side effects: ledger event `openplan.created`.
    """
    require(actor, collectivity)
    values = _programme_clean(data)
    year = values["starts_on"].year
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    programme = Programme.objects.create(
        collectivity=collectivity,
        status=Status.DRAFTING,
        reference=f"PRG-{year}-{number}",
        created_by=actor,
        **values,
    )
    case_created(PROCESS, programme, CREATED, actor=actor, data={"reference": programme.reference})
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: User, data: Mapping[str, Any]) -> Programme:
    """Change the programme's presentation, kind, period or monitoring body.

    Preconditions: Perm.OPENPLAN_MANAGE; not closed nor abandoned; valid fields.
    Side effects: ledger event `openplan.updated` naming the changed fields.
    """
    require(actor, programme.collectivity)
    require_editable(programme)
    values = _programme_clean(data)
    changed = sorted(name for name in PROGRAMME_FIELDS if values[name] != getattr(programme, name))
    if not changed:
        return programme
    for name in changed:
        setattr(programme, name, values[name])
    programme.save(update_fields=changed)
    record(programme, "updated", actor, fields=changed)
    programme_touch(programme)
    return programme


@transaction.atomic
def phase_set(*, programme: Programme, actor: User, data: Mapping[str, Any]) -> Phase:
    """Set the planned dates of one phase of the timeline (creates or replaces it).

    Preconditions: Perm.OPENPLAN_MANAGE; a known phase; a start date; an end not before it.
    """
    require(actor, programme.collectivity)
    require_editable(programme)
    errors: Errors = {}
    kind = data.get("kind")
    if kind not in PhaseKind.values:
        errors["kind"] = _("Choose a phase.")
    starts_on = clean_date(errors, data, "starts_on", required=True)
    ends_on = clean_date(errors, data, "ends_on")
    clean_period(errors, starts_on, ends_on)
    note_ar = clean_text(errors, data, "note_ar", TITLE_MAX)
    note_fr = clean_text(errors, data, "note_fr", TITLE_MAX)
    raise_errors(errors)
    assert starts_on is not None  # required above
    phase, _created = Phase.objects.update_or_create(
        programme=programme,
        kind=kind,
        defaults={
            "starts_on": starts_on,
            "ends_on": ends_on,
            "note_ar": note_ar,
            "note_fr": note_fr,
        },
    )
    record(programme, "phase", actor, phase=kind, starts_on=str(starts_on))
    programme_touch(programme)
    return phase


@transaction.atomic
def phase_delete(*, phase: Phase, actor: User) -> None:
    programme = phase.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    kind = phase.kind
    phase.delete()
    record(programme, "phase_removed", actor, phase=kind)
    programme_touch(programme)


@transaction.atomic
def axis_save(
    *, programme: Programme, actor: User, data: Mapping[str, Any], axis: Axis | None = None
) -> Axis:
    """Add an axis to the programme, or rename or reorder `axis`."""
    require(actor, programme.collectivity)
    require_editable(programme)
    if axis is not None and axis.programme_id != programme.pk:
        raise PermissionDenied
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    order = data.get("order")
    if order in (None, ""):
        order = (programme.axes.aggregate(m=Max("order"))["m"] or 0) + 1
    elif not str(order).isdigit() or not 0 < int(order) < 1000:
        errors["order"] = _("Enter a whole number from 1 to 999.")
    raise_errors(errors)
    if axis is None:
        axis = Axis(programme=programme)
    axis.title_ar, axis.title_fr, axis.order = title_ar, title_fr, int(order)
    axis.save()
    record(programme, "axis", actor, axis=axis.pk)
    programme_touch(programme)
    return axis


@transaction.atomic
def axis_delete(*, axis: Axis, actor: User) -> None:
    """Remove an axis nothing uses yet (else ValidationError: workshops, proposals or
    commitments are filed under it)."""
    programme = axis.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if axis.workshops.exists() or axis.proposals.exists() or axis.commitments.exists():
        raise ValidationError(_("This axis is in use: it cannot be removed."))
    pk = axis.pk
    axis.delete()
    record(programme, "axis_removed", actor, axis=pk)
    programme_touch(programme)


# --- commitments and milestones -----------------------------------------------------------

COMMITMENT_TEXTS = ("problem", "description", "solution")
COMMITMENT_FLAGS = ("value_access", "value_participation", "value_accountability", "tag_technology")
COMMITMENT_FIELDS = (
    "axis",
    "title_ar",
    "title_fr",
    *(f"{base}_{lang}" for base in COMMITMENT_TEXTS for lang in ("ar", "fr")),
    *COMMITMENT_FLAGS,
    "lead_unit",
    "partners_government",
    "partners_civil_society",
    "budget",
    "budget_line",
    "starts_on",
    "ends_on",
)


def commitment_clean(programme: Programme, data: Mapping[str, Any]) -> dict[str, Any]:
    """The commitment fields of `data`, checked (ValidationError with every error).

    `axis` may be an Axis of the programme, its pk, or empty."""
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    values: dict[str, Any] = {"title_ar": title_ar, "title_fr": title_fr}
    for base in COMMITMENT_TEXTS:
        for lang in ("ar", "fr"):
            values[f"{base}_{lang}"] = clean_text(errors, data, f"{base}_{lang}", TEXT_MAX)
    for flag in COMMITMENT_FLAGS:
        raw = data.get(flag, False)
        values[flag] = raw is True or str(raw).lower() in {"1", "true", "on", "yes"}
    values["lead_unit"] = clean_text(errors, data, "lead_unit", NAME_MAX)
    values["partners_government"] = clean_text(errors, data, "partners_government", TEXT_MAX)
    values["partners_civil_society"] = clean_text(errors, data, "partners_civil_society", TEXT_MAX)
    values["budget"] = clean_decimal(errors, data, "budget", minimum=Decimal(0), max_digits=14)
    values["budget_line"] = clean_text(errors, data, "budget_line", 64)
    values["starts_on"] = clean_date(errors, data, "starts_on")
    values["ends_on"] = clean_date(errors, data, "ends_on")
    clean_period(errors, values["starts_on"], values["ends_on"])
    axis = data.get("axis")
    if isinstance(axis, Axis):
        values["axis"] = axis if axis.programme_id == programme.pk else None
        if values["axis"] is None:
            errors["axis"] = _("Choose one of the programme's axes.")
    elif axis in (None, ""):
        values["axis"] = None
    else:
        found = (
            Axis.objects.filter(programme=programme, pk=axis).first()
            if str(axis).isdigit()
            else None
        )
        if found is None:
            errors["axis"] = _("Choose one of the programme's axes.")
        values["axis"] = found
    raise_errors(errors)
    return values


@transaction.atomic
def commitment_create(
    *, programme: Programme, actor: User, data: Mapping[str, Any], number: int | None = None
) -> Commitment:
    """Add a commitment, numbered after the last one (or `number` when free).

    Preconditions: Perm.OPENPLAN_MANAGE; programme not closed; valid fields
    (`commitment_clean`). Side effects: ledger event `openplan.commitment`; the
    programme's progress is rolled up again.
    """
    require(actor, programme.collectivity)
    require_editable(programme)
    values = commitment_clean(programme, data)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if number is None:
        number = (locked.commitments.aggregate(m=Max("number"))["m"] or 0) + 1
    elif locked.commitments.filter(number=number).exists():
        raise ValidationError({"number": _("This number is already taken.")})
    commitment = Commitment.objects.create(programme=programme, number=number, **values)
    record(programme, "commitment", actor, commitment=commitment.pk, number=number)
    progress_refresh(commitment=commitment)
    return commitment


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, actor: User, data: Mapping[str, Any]
) -> Commitment:
    """Change a commitment's fields. Side effects: ledger event `openplan.commitment_updated`
    naming the changed fields."""
    programme = commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    values = commitment_clean(programme, data)
    changed = sorted(
        name for name in COMMITMENT_FIELDS if values[name] != getattr(commitment, name)
    )
    if not changed:
        return commitment
    for name in changed:
        setattr(commitment, name, values[name])
    commitment.updated_at = timezone.now()
    commitment.save(update_fields=[*changed, "updated_at"])
    record(programme, "commitment_updated", actor, commitment=commitment.pk, fields=changed)
    programme_touch(programme)
    return commitment


MILESTONE_FIELDS = ("parent", "order", "title_ar", "title_fr", "starts_on", "ends_on", "weight")


def milestone_clean(
    commitment: Commitment, data: Mapping[str, Any], milestone: Milestone | None = None
) -> dict[str, Any]:
    """The milestone fields of `data`, checked. `parent` is a milestone of the same
    commitment (its pk or the object), never the milestone itself nor one under it."""
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    values: dict[str, Any] = {
        "title_ar": title_ar,
        "title_fr": title_fr,
        "starts_on": clean_date(errors, data, "starts_on"),
        "ends_on": clean_date(errors, data, "ends_on"),
        "weight": clean_decimal(errors, data, "weight", positive=True, max_digits=7),
    }
    clean_period(errors, values["starts_on"], values["ends_on"])
    order = data.get("order")
    if order in (None, ""):
        values["order"] = (
            milestone.order
            if milestone is not None
            else (commitment.milestones.aggregate(m=Max("order"))["m"] or 0) + 1
        )
    elif not str(order).isdigit() or not 0 < int(order) < 1000:
        errors["order"] = _("Enter a whole number from 1 to 999.")
    else:
        values["order"] = int(order)
    parent = data.get("parent")
    parent_pk = parent.pk if isinstance(parent, Milestone) else parent
    if parent_pk in (None, ""):
        values["parent"] = None
    else:
        found = (
            Milestone.objects.filter(commitment=commitment, pk=parent_pk).first()
            if str(parent_pk).isdigit()
            else None
        )
        if found is None or (milestone is not None and _is_under(found, milestone)):
            errors["parent"] = _("Choose another milestone of this commitment.")
        values["parent"] = found
    raise_errors(errors)
    return values


def _is_under(candidate: Milestone, milestone: Milestone) -> bool:
    """Whether `candidate` is `milestone` or one of its sub-milestones (a cycle)."""
    parents = dict(
        Milestone.objects.filter(commitment_id=milestone.commitment_id).values_list(
            "pk", "parent_id"
        )
    )
    node: int | None = candidate.pk
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == milestone.pk:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


@transaction.atomic
def milestone_create(*, commitment: Commitment, actor: User, data: Mapping[str, Any]) -> Milestone:
    """Add a milestone (at 0 %). Side effects: ledger event `openplan.milestone`; the
    commitment's and programme's progress rolled up again."""
    programme = commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    values = milestone_clean(commitment, data)
    milestone = Milestone.objects.create(commitment=commitment, **values)
    record(programme, "milestone", actor, commitment=commitment.pk, milestone=milestone.pk)
    progress_refresh(commitment=commitment)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: User, data: Mapping[str, Any]) -> Milestone:
    """Change a milestone's title, dates, weight, order or parent (not its progress: a
    progress report does that)."""
    commitment = milestone.commitment
    programme = commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    values = milestone_clean(commitment, data, milestone)
    changed = sorted(name for name in MILESTONE_FIELDS if values[name] != getattr(milestone, name))
    if not changed:
        return milestone
    for name in changed:
        setattr(milestone, name, values[name])
    milestone.save(update_fields=changed)
    record(programme, "milestone_updated", actor, milestone=milestone.pk, fields=changed)
    progress_refresh(commitment=commitment)
    return milestone


def milestone_progress_set(
    *, milestone: Milestone, progress: Decimal, cancelled: bool | None = None
) -> None:
    """Write a leaf's progress (and cancellation) then roll up: for the services that
    record a progress report (they check permissions and record the event)."""
    fields = ["progress", "completed_on"]
    milestone.progress = progress
    if progress >= 100 and milestone.completed_on is None:
        milestone.completed_on = timezone.localdate()
    elif progress < 100:
        milestone.completed_on = None
    if cancelled is not None:
        milestone.is_cancelled = cancelled
        fields.append("is_cancelled")
    milestone.save(update_fields=fields)
    progress_refresh(commitment=milestone.commitment)


def progress_refresh(*, commitment: Commitment) -> Decimal:
    """Roll up the progress of `commitment` from its milestones (the stored values of
    milestones with children are refreshed too), then the programme's. Returns the
    commitment's progress. Marks the public page updated."""
    milestones = list(Milestone.objects.filter(commitment=commitment))
    roots, nodes = rollup.tree(milestones)
    today = timezone.localdate()
    for milestone in milestones:
        node = nodes[milestone.pk]
        if node.children:
            value = rollup.node_progress(node)
            # A milestone complete through its sub-milestones is dated like a leaf.
            completed_on = (milestone.completed_on or today) if value >= 100 else None
            if value != milestone.progress or completed_on != milestone.completed_on:
                milestone.progress, milestone.completed_on = value, completed_on
                milestone.save(update_fields=["progress", "completed_on"])
    value = rollup.rollup(roots)
    if value != commitment.progress:
        Commitment.objects.filter(pk=commitment.pk).update(progress=value)
        commitment.progress = value
    programme_progress_refresh(programme=commitment.programme)
    return value


def programme_progress_refresh(*, programme: Programme) -> Decimal:
    """Roll up the programme's progress from its commitments' stored progress (after a
    commitment changed or was removed). Marks the public page updated."""
    overall = rollup.programme_progress(
        Commitment.objects.filter(programme=programme).values_list("progress", flat=True)
    )
    if overall != programme.progress:
        Programme.objects.filter(pk=programme.pk).update(progress=overall)
        programme.progress = overall
    programme_touch(programme)
    return overall
