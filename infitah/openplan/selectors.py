"""Reads of the programme's staff pages: each takes the collectivity (or an object
already fetched through it) and loads what its page shows in a fixed number of queries,
whatever the number of commitments, milestones, reports or values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from infitah.openplan.models import (
    Assessment,
    Axis,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgressReport,
)
from infitah.openplan.workflow import (
    MILESTONE_STATUS_LABELS,
    PHASE_ORDER,
    AssessmentSource,
    PhaseKind,
)
from infitah.territories.models import Collectivity


def _pk(value: object) -> int | None:
    """A primary key from a URL or a form (None for anything else: no query, no 500)."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 19 else None


# --- programmes ---------------------------------------------------------------------------


def programme_list(*, collectivity: Collectivity) -> list[Programme]:
    """The collectivity's programmes, the latest cycle first, with their clocks and the
    number of their commitments (`commitment_count`)."""
    return list(
        Programme.objects.filter(collectivity=collectivity)
        .select_related("update_deadline", "inception_deadline")
        .annotate(commitment_count=Count("commitments"))
        .order_by("-starts_on", "-pk")
    )


def programme_get(*, collectivity: Collectivity, pk: object) -> Programme | None:
    """One programme of the collectivity (None for another's, or a bad id)."""
    key = _pk(pk)
    if key is None:
        return None
    return (
        Programme.objects.filter(collectivity=collectivity, pk=key)
        .select_related("collectivity", "update_deadline", "inception_deadline")
        .first()
    )


@dataclass(frozen=True)
class TimelineRow:
    """One phase of the cycle, set (`phase`) or not yet."""

    kind: PhaseKind
    phase: Phase | None


def phase_timeline(programme: Programme) -> list[TimelineRow]:
    """Every phase of the cycle in its order, with its planned dates when set."""
    phases = {phase.kind: phase for phase in Phase.objects.filter(programme=programme)}
    return [
        TimelineRow(kind=kind, phase=phases.get(kind.value))
        for kind in sorted(PhaseKind, key=lambda k: PHASE_ORDER[k.value])
    ]


def phase_get(programme: Programme, kind: str) -> Phase | None:
    return Phase.objects.filter(programme=programme, kind=kind).first()


def axis_list(programme: Programme) -> list[Axis]:
    """The axes in their order, with the number of commitments filed under each."""
    return list(
        Axis.objects.filter(programme=programme)
        .annotate(commitment_count=Count("commitments"))
        .order_by("order", "pk")
    )


def axis_get(programme: Programme, pk: object) -> Axis | None:
    key = _pk(pk)
    return Axis.objects.filter(programme=programme, pk=key).first() if key is not None else None


# --- commitments --------------------------------------------------------------------------


def commitment_list(programme: Programme) -> list[Commitment]:
    """The commitments in their order, with their axis and the number of their
    milestones (`milestone_count`)."""
    return list(
        Commitment.objects.filter(programme=programme)
        .select_related("axis")
        .annotate(milestone_count=Count("milestones"))
        .order_by("number", "pk")
    )


def commitment_get(programme: Programme, pk: object) -> Commitment | None:
    """One commitment of the programme, with the programme (and its collectivity)."""
    key = _pk(pk)
    if key is None:
        return None
    return (
        Commitment.objects.filter(programme=programme, pk=key)
        .select_related("programme__collectivity", "axis")
        .first()
    )


@dataclass
class MilestoneNode:
    """A milestone and its sub-milestones, for a nested list."""

    milestone: Milestone
    depth: int = 0
    children: list[MilestoneNode] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(MILESTONE_STATUS_LABELS[self.milestone.status])

    @property
    def is_leaf(self) -> bool:
        """Whether a report sets its progress (no sub-milestone that counts)."""
        return not any(not child.milestone.is_cancelled for child in self.children)


def milestone_tree(commitment: Commitment) -> list[MilestoneNode]:
    """The commitment's milestones as trees, in their order (one query)."""
    items = list(Milestone.objects.filter(commitment=commitment).order_by("order", "pk"))
    nodes = {m.pk: MilestoneNode(milestone=m) for m in items}
    roots: list[MilestoneNode] = []
    for m in items:
        parent = nodes.get(m.parent_id) if m.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[m.pk])

    def place(level: Sequence[MilestoneNode], depth: int) -> None:
        for node in level:
            node.depth = depth
            place(node.children, depth + 1)

    place(roots, 0)
    return roots


def milestone_flat(tree: Sequence[MilestoneNode]) -> list[MilestoneNode]:
    """The nodes of `tree` in reading order (a parent before its sub-milestones)."""
    flat: list[MilestoneNode] = []

    def walk(level: Sequence[MilestoneNode]) -> None:
        for node in level:
            flat.append(node)
            walk(node.children)

    walk(tree)
    return flat


def milestone_get(commitment: Commitment, pk: object) -> Milestone | None:
    key = _pk(pk)
    if key is None:
        return None
    return (
        Milestone.objects.filter(commitment=commitment, pk=key)
        .select_related("commitment__programme__collectivity")
        .first()
    )


def milestones_of(commitment: Commitment) -> QuerySet[Milestone]:
    """The commitment's milestones (for a form's choices)."""
    return Milestone.objects.filter(commitment=commitment).order_by("order", "pk")


def report_list(commitment: Commitment) -> list[ProgressReport]:
    """The commitment's progress reports, the latest first, with their milestone, who
    reported and their evidence."""
    return list(
        ProgressReport.objects.filter(commitment=commitment)
        .select_related("milestone", "reported_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"))
        )
        .order_by("-reported_at", "-pk")
    )


def indicator_list(commitment: Commitment) -> list[Indicator]:
    """The commitment's indicators with their values, oldest value first."""
    return list(
        Indicator.objects.filter(commitment=commitment)
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("measured_on", "pk"))
        )
        .order_by("order", "pk")
    )


def indicator_get(commitment: Commitment, pk: object) -> Indicator | None:
    key = _pk(pk)
    if key is None:
        return None
    return (
        Indicator.objects.filter(commitment=commitment, pk=key)
        .select_related("commitment__programme__collectivity")
        .first()
    )


def indicator_value_get(indicator: Indicator, pk: object) -> IndicatorValue | None:
    key = _pk(pk)
    if key is None:
        return None
    return IndicatorValue.objects.filter(indicator=indicator, pk=key).first()


@dataclass(frozen=True)
class AssessmentColumn:
    source: AssessmentSource
    items: list[Assessment]


def assessment_columns(commitment: Commitment) -> list[AssessmentColumn]:
    """The assessments of each source (committee, independent body), the latest first:
    shown side by side, they may disagree."""
    found = list(Assessment.objects.filter(commitment=commitment).order_by("-assessed_on", "-pk"))
    return [
        AssessmentColumn(source=source, items=[a for a in found if a.source == source.value])
        for source in AssessmentSource
    ]
