"""Reads of the opening programme's public pages (`public_views.py`).

What the public sees, the one rule every function applies: the programmes of network
members that were not abandoned (`Programme.objects.public()`), and under them what
their pages show: published proposals only, public council decisions only, evidence
files of milestones of the programme's own commitments.

Every function takes the collectivity (or an object already fetched under it) and runs
a fixed number of queries, whatever the number of programmes, commitments, milestones,
indicator values, reports or assessments (tests/test_public_pages.py counts them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from infitah.council.public_selectors import item_is_public
from infitah.deadlines.workdays import add_months
from infitah.openplan import charts
from infitah.openplan.models import (
    Assessment,
    Axis,
    Candidacy,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgrammeDocument,
    ProgressReport,
    Proposal,
    Version,
)
from infitah.openplan.workflow import (
    MILESTONE_STATUS_LABELS,
    PHASE_ORDER,
    AssessmentSource,
    EvidenceKind,
    PhaseKind,
    ProposalStatus,
    Status,
    current_phase,
)
from infitah.participation.consultations.models import Consultation
from infitah.participation.consultations.workflow import CommentStatus
from infitah.participation.consultations.workflow import Phase as ConsultationPhase
from infitah.territories.models import Collectivity

# A closed programme no longer needs updating: it is never flagged stale.
NEVER_STALE = frozenset({Status.CLOSED})
# The annotation of the network's programmes with their current phase's kind.
PHASE_FIELD = "current_phase_kind"
# Proposal texts are cut to this many characters on a commitment's page.
EXCERPT = 280

# Commitment columns the programme page shows (not the long OGP texts).
CARD_FIELDS = (
    "pk",
    "programme_id",
    "number",
    "axis_id",
    "title_ar",
    "title_fr",
    "progress",
    "value_access",
    "value_participation",
    "value_accountability",
    "tag_technology",
)


def safe_url(url: str) -> str:
    """`url` if it is a web address (http or https), else "": a link stored otherwise
    than through a form (a `javascript:` URL) is never drawn."""
    return url if url.lower().startswith(("https://", "http://")) else ""


# --------------------------------------------------------------------------- staleness


def stale_after(updated_at: dt.datetime) -> dt.date:
    """The last day the public page counts as up to date: INFITAH_OPENPLAN_STALE_MONTHS
    calendar months after its last update (10 January → 10 May with 4 months)."""
    return add_months(timezone.localdate(updated_at), settings.INFITAH_OPENPLAN_STALE_MONTHS)


def is_stale(programme: Programme, today: dt.date) -> bool:
    """Whether the public page of `programme` is older than the allowed months (a closed
    programme never is)."""
    if programme.status in NEVER_STALE:
        return False
    return today > stale_after(programme.public_updated_at)


# --------------------------------------------------------------------------- phases


@dataclass(frozen=True)
class TimelineStep:
    """One of the seven phases of the cycle, planned (`phase`) or not (None)."""

    kind: str
    label: str
    phase: Phase | None
    is_current: bool

    @property
    def note(self) -> str:
        """The phase's note in the page's language (else the other one)."""
        if self.phase is None:
            return ""
        ar, fr = self.phase.note_ar, self.phase.note_fr
        return (fr or ar) if (get_language() or "ar").startswith("fr") else (ar or fr)


def timeline(phases: Iterable[Phase], today: dt.date) -> list[TimelineStep]:
    """Every phase of the cycle in order, with its planned dates when it has some, the
    current one marked (`workflow.current_phase`)."""
    by_kind = {phase.kind: phase for phase in phases}
    current = current_phase(by_kind.values(), today)
    return [
        TimelineStep(
            kind=str(kind),
            label=str(kind.label),
            phase=by_kind.get(kind.value),
            is_current=kind.value == current,
        )
        for kind in PhaseKind
    ]


def phase_label(kind: str | None) -> str:
    return str(PhaseKind(kind).label) if kind in PhaseKind.values else ""


def current_phase_expression(today: dt.date) -> Subquery:
    """`workflow.current_phase` in SQL, for filtering and counting in the database: the
    kind of the programme's latest started phase that is still running, else of its
    latest started phase; NULL before the first one. Ties on the start date go to the
    later phase of the cycle, as in `current_phase`."""
    order = Case(
        *(When(kind=kind, then=V(index)) for kind, index in PHASE_ORDER.items()),
        default=V(-1),
        output_field=IntegerField(),
    )
    running = Case(
        When(Q(ends_on__isnull=True) | Q(ends_on__gte=today), then=V(1)),
        default=V(0),
        output_field=IntegerField(),
    )
    latest = (
        Phase.objects.filter(programme=OuterRef("pk"), starts_on__lte=today)
        .annotate(is_running=running, phase_order=order)
        .order_by("-is_running", "-starts_on", "-phase_order")
        .values("kind")[:1]
    )
    return Subquery(latest)


# --------------------------------------------------------------------------- lists


def _counted(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    return programmes.annotate(
        commitments_count=Count("commitments"),
        completed_count=Count("commitments", filter=Q(commitments__progress__gte=100)),
    )


@dataclass(frozen=True)
class ProgrammeCard:
    """A programme in a list, with what the lists show of it."""

    programme: Programme
    current_phase: str | None
    commitments_count: int
    completed_count: int
    is_stale: bool

    @property
    def current_phase_label(self) -> str:
        return phase_label(self.current_phase)

    @property
    def completed_share(self) -> Decimal:
        """The share of completed commitments, in percent (0 without commitments)."""
        if not self.commitments_count:
            return Decimal(0)
        return (Decimal(self.completed_count) * 100 / self.commitments_count).quantize(Decimal(1))


def programme_public_list(*, collectivity: Collectivity) -> QuerySet[Programme]:
    """The public programmes of `collectivity`, newest first, with their commitments
    counted and their phases (a queryset, for a paginator: two queries a page)."""
    return _counted(
        Programme.objects.public()
        .filter(collectivity=collectivity)
        .select_related("collectivity")
        .prefetch_related("phases")
        .order_by("-starts_on", "-pk")
    )


def programme_cards(programmes: Iterable[Programme], today: dt.date) -> list[ProgrammeCard]:
    """Cards of programmes fetched by `programme_public_list` (no query)."""
    return [
        ProgrammeCard(
            programme=programme,
            current_phase=current_phase(programme.phases.all(), today),
            commitments_count=programme.commitments_count,  # type: ignore[attr-defined]
            completed_count=programme.completed_count,  # type: ignore[attr-defined]
            is_stale=is_stale(programme, today),
        )
        for programme in programmes
    ]


# --------------------------------------------------------------------------- a programme


@dataclass(frozen=True)
class AxisGroup:
    """An axis of the programme (None: commitments on no axis) and its commitments."""

    axis: Axis | None
    commitments: list[Commitment]


@dataclass(frozen=True)
class VersionRecord:
    version: Version
    # Whether the council's decision is on its public session page.
    is_decision_public: bool


@dataclass(frozen=True)
class ProgrammeRecord:
    programme: Programme
    timeline: list[TimelineStep]
    current_phase: str | None
    groups: list[AxisGroup]
    commitments_count: int
    completed_count: int
    versions: list[VersionRecord]
    documents: list[ProgrammeDocument]
    candidacy: Candidacy | None
    consultation: Consultation | None
    is_stale: bool
    # The last day the page counts as up to date.
    fresh_until: dt.date

    @property
    def current_phase_label(self) -> str:
        return phase_label(self.current_phase)

    @property
    def updated_on(self) -> dt.date:
        return timezone.localdate(self.programme.public_updated_at)

    @property
    def is_synthesis_published(self) -> bool:
        return self.consultation is not None and self.consultation.is_synthesis_published

    @property
    def has_values(self) -> bool:
        return any(
            getattr(c, name)
            for group in self.groups
            for c in group.commitments
            for name in ("value_access", "value_participation", "value_accountability")
        )


def _candidacy(programme: Programme) -> Candidacy | None:
    """The OGP Local candidacy the programme came of (select_related: no query)."""
    try:
        candidacy: Candidacy = programme.candidacy
    except ObjectDoesNotExist:
        return None
    return candidacy if candidacy.collectivity_id == programme.collectivity_id else None


def _programme_query(collectivity: Collectivity) -> QuerySet[Programme]:
    return Programme.objects.public().filter(collectivity=collectivity)


def programme_public_get(
    *, collectivity: Collectivity, pk: int, today: dt.date | None = None
) -> ProgrammeRecord | None:
    """A public programme of `collectivity` with its timeline, its commitments by axis,
    its adopted versions and documents; None if not public or not the collectivity's
    (six queries)."""
    today = today or timezone.localdate()
    commitments = Commitment.objects.only(*CARD_FIELDS).order_by("number", "pk")
    versions = Version.objects.select_related("agenda_item__session__term").order_by("number")
    documents = ProgrammeDocument.objects.only(
        "pk", "programme_id", "kind", "title", "dated", "name", "content_type", "size"
    ).order_by("-dated", "-pk")
    programme = (
        _programme_query(collectivity)
        .select_related("collectivity", "consultation", "update_deadline", "candidacy")
        .prefetch_related(
            "phases",
            Prefetch("axes", queryset=Axis.objects.order_by("order", "pk")),
            Prefetch("commitments", queryset=commitments),
            Prefetch("versions", queryset=versions),
            Prefetch("documents", queryset=documents),
        )
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        return None
    phases = list(programme.phases.all())
    all_commitments = list(programme.commitments.all())
    by_axis: dict[int | None, list[Commitment]] = defaultdict(list)
    for commitment in all_commitments:
        by_axis[commitment.axis_id].append(commitment)
    groups = [
        AxisGroup(axis=axis, commitments=by_axis[axis.pk])
        for axis in programme.axes.all()
        if by_axis.get(axis.pk)
    ]
    known = {axis.pk for axis in programme.axes.all()}
    loose = [c for c in all_commitments if c.axis_id not in known]
    if loose:
        groups.append(AxisGroup(axis=None, commitments=loose))
    return ProgrammeRecord(
        programme=programme,
        timeline=timeline(phases, today),
        current_phase=current_phase(phases, today),
        groups=groups,
        commitments_count=len(all_commitments),
        completed_count=sum(1 for c in all_commitments if c.progress >= 100),
        versions=[
            VersionRecord(version=v, is_decision_public=item_is_public(v.agenda_item))
            for v in programme.versions.all()
        ],
        documents=list(programme.documents.all()),
        candidacy=_candidacy(programme),
        consultation=programme.consultation,
        is_stale=is_stale(programme, today),
        fresh_until=stale_after(programme.public_updated_at),
    )


def programme_public_by_pk(*, collectivity: Collectivity, pk: int) -> Programme | None:
    """A public programme of `collectivity`, alone (one query)."""
    return _programme_query(collectivity).select_related("collectivity").filter(pk=pk).first()


# --------------------------------------------------------------------------- a commitment


@dataclass(frozen=True)
class EvidenceLine:
    evidence: Evidence
    # A link's address when it is a web address (else "": the title alone is shown).
    url: str


@dataclass
class MilestoneNode:
    milestone: Milestone
    status: str
    status_label: str
    evidence: list[EvidenceLine]
    children: list[MilestoneNode] = field(default_factory=list)

    @property
    def is_cancelled(self) -> bool:
        return self.milestone.is_cancelled


@dataclass(frozen=True)
class ValueLine:
    value: IndicatorValue
    # Its source when it is a web address.
    source: str
    # The value and unit as the chart writes them ("12,5 %").
    text: str


@dataclass(frozen=True)
class IndicatorRecord:
    indicator: Indicator
    values: list[ValueLine]
    chart: SafeString

    @property
    def baseline_text(self) -> str:
        return charts.with_unit(self.indicator.baseline, self.indicator.unit)

    @property
    def target_text(self) -> str:
        return charts.with_unit(self.indicator.target, self.indicator.unit)


@dataclass(frozen=True)
class SourceAssessments:
    """The assessments of one source (monitoring committee or independent body): the
    latest first, then its history."""

    source: str
    label: str
    latest: Assessment | None
    history: list[Assessment]
    # Its latest completion is not the one the lead unit's reports give.
    differs_from_report: bool


@dataclass(frozen=True)
class ProposalLine:
    proposal: Proposal
    excerpt: str


@dataclass(frozen=True)
class CommitmentRecord:
    programme: Programme
    commitment: Commitment
    milestones: list[MilestoneNode]
    indicators: list[IndicatorRecord]
    reports: list[ProgressReport]
    assessments: list[SourceAssessments]
    proposals: list[ProposalLine]
    # Its section in the consultation on the draft: published comments, and the
    # collectivity's response once the synthesis is published after closing.
    section_comments: int | None
    section_response: str
    consultation: Consultation | None

    @property
    def do_assessments_disagree(self) -> bool:
        """Both sources assessed the commitment and their latest completions differ."""
        latest = [s.latest for s in self.assessments if s.latest is not None]
        return len(latest) == 2 and latest[0].completion != latest[1].completion

    @property
    def has_assessments(self) -> bool:
        return any(s.latest is not None for s in self.assessments)


def _milestone_tree(milestones: Sequence[Milestone]) -> list[MilestoneNode]:
    """Milestones (with their evidence prefetched) as nested nodes, in their order; one
    whose parent is not among them is a top-level one."""
    nodes = {
        m.pk: MilestoneNode(
            milestone=m,
            status=str(m.status),
            status_label=str(MILESTONE_STATUS_LABELS[m.status]),
            evidence=[
                EvidenceLine(evidence=e, url=safe_url(e.url) if e.kind == EvidenceKind.LINK else "")
                for e in m.evidence.all()
            ],
        )
        for m in milestones
    }
    roots: list[MilestoneNode] = []
    for m in sorted(milestones, key=lambda m: (m.order, m.pk)):
        parent = nodes.get(m.parent_id) if m.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[m.pk])
    return roots


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _assessments(rows: Iterable[Assessment], reported: str) -> list[SourceAssessments]:
    """Each source's assessments, newest first; `reported` is the completion the lead
    unit's reports give."""
    by_source: dict[str, list[Assessment]] = defaultdict(list)
    for row in sorted(rows, key=lambda a: (a.assessed_on, a.pk), reverse=True):
        by_source[row.source].append(row)
    sources = []
    for source in AssessmentSource:
        found = by_source[source]
        latest = found[0] if found else None
        sources.append(
            SourceAssessments(
                source=str(source),
                label=str(source.label),
                latest=latest,
                history=found[1:],
                differs_from_report=latest is not None and latest.completion != reported,
            )
        )
    return sources


def commitment_public_get(
    *, programme: Programme, number: int, now: dt.datetime | None = None
) -> CommitmentRecord | None:
    """Commitment `number` of a public programme (fetched under its collectivity) with
    its milestones and evidence, indicators and values (with their charts), the lead
    unit's reports, both sources' assessments and the co-creation trail; None if the
    programme has no such commitment (eight queries)."""
    now = now or timezone.now()
    evidence = Evidence.objects.only(
        "pk", "milestone_id", "kind", "title", "url", "name", "content_type", "size", "created_at"
    ).order_by("created_at", "pk")
    milestones = Milestone.objects.prefetch_related(
        Prefetch("evidence", queryset=evidence)
    ).order_by("order", "pk")
    indicators = Indicator.objects.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("measured_on", "pk"))
    ).order_by("order", "pk")
    reports = ProgressReport.objects.select_related("milestone").order_by("-reported_at", "-pk")
    proposals = (
        Proposal.objects.filter(status=ProposalStatus.PUBLISHED)
        .only("pk", "programme_id", "kind", "text", "created_at")
        .order_by("created_at", "pk")
    )
    commitment = (
        Commitment.objects.filter(programme=programme, number=number)
        .select_related("axis", "section__consultation")
        .annotate(
            published_comments=Count(
                "section__comments", filter=Q(section__comments__status=CommentStatus.PUBLISHED)
            )
        )
        .prefetch_related(
            Prefetch("milestones", queryset=milestones),
            Prefetch("indicators", queryset=indicators),
            Prefetch("reports", queryset=reports),
            Prefetch("assessments", queryset=Assessment.objects.order_by("pk")),
            Prefetch("proposals", queryset=proposals),
        )
        .first()
    )
    if commitment is None:
        return None
    commitment.programme = programme
    section = commitment.section
    consultation = section.consultation if section is not None else None
    # A section of another collectivity's consultation is never shown.
    if consultation is not None and consultation.collectivity_id != programme.collectivity_id:
        section, consultation = None, None
    response = ""
    if (
        section is not None
        and consultation is not None
        and consultation.phase(now) == ConsultationPhase.CLOSED
        and consultation.is_synthesis_published
    ):
        response = section.response
    indicator_records = []
    for indicator in commitment.indicators.all():
        values = list(indicator.values.all())
        indicator_records.append(
            IndicatorRecord(
                indicator=indicator,
                values=[
                    ValueLine(
                        value=v,
                        source=safe_url(v.source_url),
                        text=charts.with_unit(v.value, indicator.unit),
                    )
                    for v in values
                ],
                chart=charts.indicator_chart(indicator, values),
            )
        )
    return CommitmentRecord(
        programme=programme,
        commitment=commitment,
        milestones=_milestone_tree(list(commitment.milestones.all())),
        indicators=indicator_records,
        reports=list(commitment.reports.all()),
        assessments=_assessments(commitment.assessments.all(), commitment.completion),
        proposals=[
            ProposalLine(proposal=p, excerpt=_excerpt(p.text))
            for p in commitment.proposals.all()
            if p.programme_id == programme.pk
        ],
        section_comments=(
            commitment.published_comments  # type: ignore[attr-defined]
            if section is not None
            else None
        ),
        section_response=response,
        consultation=consultation,
    )


def evidence_public_get(*, programme: Programme, pk: int) -> Evidence | None:
    """A document or photo given as evidence on a commitment of `programme` (a public
    programme fetched under its collectivity); None for a link or another programme's
    (one query)."""
    return (
        Evidence.objects.filter(pk=pk, milestone__commitment__programme=programme)
        .exclude(kind=EvidenceKind.LINK)
        .exclude(file="")
        .first()
    )


# --------------------------------------------------------------------------- the network


@dataclass(frozen=True)
class NetworkFilters:
    """Validated filters of the network page ("" or None: not filtered)."""

    kind: str = ""
    phase: str = ""
    region: Collectivity | None = None


@dataclass(frozen=True)
class PhaseCount:
    kind: str  # "" for programmes before their first phase
    label: str
    count: int


def network_regions() -> list[Collectivity]:
    """The regions, for the region filter (one query)."""
    key = "name_fr" if (get_language() or "ar").startswith("fr") else "name_ar"
    return list(
        Collectivity.objects.regions().only("pk", "slug", "name_ar", "name_fr").order_by(key)
    )


def _network_base(filters: NetworkFilters, today: dt.date) -> QuerySet[Programme]:
    programmes = Programme.objects.public().annotate(
        **{PHASE_FIELD: current_phase_expression(today)}
    )
    if filters.kind:
        programmes = programmes.filter(kind=filters.kind)
    if filters.region is not None:
        programmes = programmes.filter(
            Q(collectivity__region=filters.region) | Q(collectivity=filters.region)
        )
    return programmes


def network_programmes(
    *, filters: NetworkFilters, today: dt.date | None = None
) -> QuerySet[Programme]:
    """Every public programme of the network matching `filters`, by collectivity name
    (in the page's language) then newest first, with its current phase
    (`current_phase_kind`) and its commitments counted (a queryset, for a paginator:
    two queries a page)."""
    today = today or timezone.localdate()
    programmes = _network_base(filters, today)
    if filters.phase:
        programmes = programmes.filter(**{PHASE_FIELD: filters.phase})
    name = (
        "collectivity__name_fr"
        if (get_language() or "ar").startswith("fr")
        else ("collectivity__name_ar")
    )
    return _counted(programmes.select_related("collectivity").order_by(name, "-starts_on", "-pk"))


def network_cards(programmes: Iterable[Programme], today: dt.date) -> list[ProgrammeCard]:
    """Cards of programmes fetched by `network_programmes` (no query)."""
    return [
        ProgrammeCard(
            programme=programme,
            current_phase=programme.current_phase_kind,  # type: ignore[attr-defined]
            commitments_count=programme.commitments_count,  # type: ignore[attr-defined]
            completed_count=programme.completed_count,  # type: ignore[attr-defined]
            is_stale=is_stale(programme, today),
        )
        for programme in programmes
    ]


def network_phase_summary(
    *, filters: NetworkFilters, today: dt.date | None = None
) -> list[PhaseCount]:
    """How many programmes matching the kind and region filters are in each phase (the
    phase filter aside, so that each count is what choosing that phase shows), in the
    cycle's order; the programmes before their first phase last (one query)."""
    today = today or timezone.localdate()
    rows = _network_base(filters, today).order_by().values(PHASE_FIELD).annotate(n=Count("pk"))
    counts: dict[Any, int] = {row[PHASE_FIELD]: row["n"] for row in rows}
    summary = [
        PhaseCount(kind=str(kind), label=str(kind.label), count=counts.get(kind.value, 0))
        for kind in PhaseKind
    ]
    summary.append(PhaseCount(kind="", label="", count=counts.get(None, 0)))
    return summary
