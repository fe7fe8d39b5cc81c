"""Reads of co-creation: the board (axes → problems and solutions), the workshops, a
proposal with its duplicates, comments and trail, and the staff's board.

Every selector takes the collectivity or an object already scoped to it (a programme
found by `programme_get`), and costs the same number of queries whatever the number of
proposals, comments and supports: counts are subqueries, commitments are prefetched,
lists are paged by the views.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from infitah.openplan.models import (
    Axis,
    Commitment,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.workflow import ProposalKind, ProposalStatus
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

PUBLISHED = ProposalStatus.PUBLISHED
# The value of the `axis` filter for proposals filed under no axis.
NO_AXIS = "none"


def _count(queryset: QuerySet[Any], by: str, expression: Any = None) -> Coalesce:
    """A correlated COUNT over `queryset` (filtered on OuterRef), 0 when empty: one
    subquery per row of the outer query, in the same statement."""
    counted = (
        queryset.order_by()
        .values(by)
        .annotate(n=expression if expression is not None else Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _commitments() -> Prefetch[Any]:
    return Prefetch(
        "commitments",
        queryset=Commitment.objects.only(
            "pk", "number", "title_ar", "title_fr", "programme_id"
        ).order_by("number"),
    )


def annotated(queryset: QuerySet[Proposal], *, staff: bool = False) -> QuerySet[Proposal]:
    """Proposals with what a list shows of each: `n_supports` (its own), `n_group`
    (distinct supporters of it and of its published duplicates: the group's total, for
    a main proposal), `n_comments` (published), `n_duplicates` (published, or all for
    the staff), their workshop, axis, author and commitments."""
    duplicates = Proposal.objects.filter(duplicate_of=OuterRef("pk"))
    if not staff:
        duplicates = duplicates.filter(status=PUBLISHED)
    group = ProposalSupport.objects.filter(
        Q(proposal=OuterRef("pk"))
        | Q(proposal__duplicate_of=OuterRef("pk"), proposal__status=PUBLISHED)
    )
    return (
        queryset.select_related("workshop", "axis", "participant", "duplicate_of")
        .prefetch_related(_commitments())
        .annotate(
            n_supports=_count(ProposalSupport.objects.filter(proposal=OuterRef("pk")), "proposal"),
            n_group=_count(group, "proposal__programme", Count("participant", distinct=True)),
            n_comments=_count(
                ProposalComment.objects.filter(proposal=OuterRef("pk"), status=PUBLISHED),
                "proposal",
            ),
            n_duplicates=_count(duplicates, "duplicate_of"),
        )
    )


# --- programme, workshops ------------------------------------------------------------------


def programme_get(*, collectivity: Collectivity, pk: int, public: bool = True) -> Programme | None:
    """The programme `pk` of `collectivity`; for the public, only a programme the public
    sees (`ProgrammeQuerySet.public`)."""
    found = Programme.objects.filter(collectivity=collectivity, pk=pk)
    if public:
        found = found.public()
    return found.select_related("collectivity").first()


def axis_list(programme: Programme) -> list[Axis]:
    return list(programme.axes.order_by("order", "pk"))


def workshop_get(*, programme: Programme, pk: int) -> Workshop | None:
    """A workshop of `programme` (a crafted id of another programme's is None)."""
    found = Workshop.objects.filter(programme=programme, pk=pk).select_related("axis").first()
    if found is not None:
        found.programme = programme
    return found


def workshop_list(programme: Programme, *, staff: bool = False) -> QuerySet[Workshop]:
    """The programme's workshops, latest first, with `n_proposals` (published, or all for
    the staff)."""
    proposals = Proposal.objects.filter(workshop=OuterRef("pk"))
    if not staff:
        proposals = proposals.filter(status=PUBLISHED)
    return (
        Workshop.objects.filter(programme=programme)
        .select_related("axis")
        .annotate(n_proposals=_count(proposals, "workshop"))
        .order_by(F("held_at").desc(nulls_last=True), F("opens_at").desc(nulls_last=True), "-pk")
    )


def workshop_proposals(workshop: Workshop) -> QuerySet[Proposal]:
    """The workshop's published proposals, newest first."""
    return annotated(
        Proposal.objects.filter(workshop=workshop, status=PUBLISHED).order_by("-created_at", "-pk")
    )


# --- the board -------------------------------------------------------------------------


@dataclass
class Column:
    """The main proposals of one kind on one axis: the first ones and how many in all."""

    kind: str
    items: list[Proposal] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class AxisBlock:
    axis: Axis | None  # None: proposals filed under no axis
    problems: Column = field(default_factory=lambda: Column(ProposalKind.PROBLEM))
    solutions: Column = field(default_factory=lambda: Column(ProposalKind.SOLUTION))

    @property
    def key(self) -> str:
        return str(self.axis.pk) if self.axis is not None else NO_AXIS

    def column(self, kind: str) -> Column:
        return self.problems if kind == ProposalKind.PROBLEM else self.solutions


def _mains(programme: Programme) -> QuerySet[Proposal]:
    return Proposal.objects.filter(programme=programme, status=PUBLISHED, duplicate_of__isnull=True)


def board(programme: Programme, *, preview: int) -> list[AxisBlock]:
    """Per axis (then the proposals of no axis, if any): its problems and its solutions,
    the main proposals only (their duplicates folded in them), the `preview` most
    supported of each column and the column's total."""
    blocks = {axis.pk: AxisBlock(axis) for axis in axis_list(programme)}
    loose = AxisBlock(None)
    totals = _mains(programme).values("axis_id", "kind").annotate(n=Count("pk")).order_by()
    for row in totals:
        block = blocks.get(row["axis_id"], loose)
        block.column(row["kind"]).total += row["n"]
    ranked = annotated(_mains(programme)).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("axis_id"), F("kind")],
            order_by=[F("n_group").desc(), F("created_at").asc(), F("pk").asc()],
        )
    )
    for proposal in ranked.filter(rank__lte=preview).order_by("rank"):
        block = blocks.get(proposal.axis_id or 0, loose)
        block.column(proposal.kind).items.append(proposal)
    result = list(blocks.values())
    if loose.problems.total or loose.solutions.total:
        result.append(loose)
    return result


def column_proposals(programme: Programme, *, axis: Axis | None, kind: str) -> QuerySet[Proposal]:
    """Every main proposal of one column of the board (paged by the view), the most
    supported first."""
    found = _mains(programme).filter(kind=kind)
    found = found.filter(axis=axis) if axis is not None else found.filter(axis__isnull=True)
    return annotated(found).order_by(F("n_group").desc(), "created_at", "pk")


@dataclass
class Totals:
    problems: int
    solutions: int
    supports: int
    commitments: int


def totals(programme: Programme) -> Totals:
    """What the co-creation gathered: published problems and solutions (duplicates
    included), supports, and the commitments drawn from proposals."""
    counts = Proposal.objects.filter(programme=programme, status=PUBLISHED).aggregate(
        problems=Count("pk", filter=Q(kind=ProposalKind.PROBLEM)),
        solutions=Count("pk", filter=Q(kind=ProposalKind.SOLUTION)),
    )
    return Totals(
        problems=counts["problems"],
        solutions=counts["solutions"],
        supports=ProposalSupport.objects.filter(
            proposal__programme=programme, proposal__status=PUBLISHED
        ).count(),
        commitments=Commitment.objects.filter(programme=programme, proposals__isnull=False)
        .distinct()
        .count(),
    )


# --- one proposal ----------------------------------------------------------------------


def proposal_get(*, programme: Programme, pk: int, staff: bool = False) -> Proposal | None:
    """The proposal `pk` of `programme` (hidden ones too: the page says so), with the
    counts of `annotated`."""
    found = annotated(Proposal.objects.filter(programme=programme, pk=pk), staff=staff).first()
    if found is not None:
        found.programme = programme
    return found


def proposals_of(programme: Programme, pks: Iterable[int]) -> list[Proposal]:
    """The proposals of `programme` among `pks` (others are left out)."""
    found = list(Proposal.objects.filter(programme=programme, pk__in=list(pks)).order_by("pk"))
    for proposal in found:
        proposal.programme = programme
    return found


def duplicates_of(proposal: Proposal, *, staff: bool = False) -> QuerySet[Proposal]:
    """The proposals grouped under `proposal` (published ones for the public)."""
    found = Proposal.objects.filter(duplicate_of=proposal)
    if not staff:
        found = found.filter(status=PUBLISHED)
    return found.select_related("participant", "workshop").order_by("created_at", "pk")


def trail(proposal: Proposal) -> list[Commitment]:
    """The commitments the proposal became: its own links and its main proposal's."""
    pks = [proposal.pk]
    if proposal.duplicate_of_id is not None:
        pks.append(proposal.duplicate_of_id)
    return list(
        Commitment.objects.filter(programme_id=proposal.programme_id, proposals__in=pks)
        .distinct()
        .only("pk", "number", "title_ar", "title_fr", "programme_id")
        .order_by("number")
    )


def comment_list(proposal: Proposal, *, staff: bool = False) -> QuerySet[ProposalComment]:
    """The proposal's comments, oldest first (published ones for the public)."""
    found = ProposalComment.objects.filter(proposal=proposal)
    if not staff:
        found = found.filter(status=PUBLISHED)
    return found.select_related("participant").order_by("created_at", "pk")


def comment_get(*, proposal: Proposal, pk: int) -> ProposalComment | None:
    found = ProposalComment.objects.filter(proposal=proposal, pk=pk).first()
    if found is not None:
        found.proposal = proposal
    return found


def supported_by(participant: Participant | None, proposals: Iterable[Proposal]) -> set[int]:
    """The pks of `proposals` that `participant` supports (one query; none signed in:
    no query)."""
    pks = [p.pk for p in proposals]
    if participant is None or not pks:
        return set()
    return set(
        ProposalSupport.objects.filter(participant=participant, proposal__in=pks).values_list(
            "proposal_id", flat=True
        )
    )


# --- staff -----------------------------------------------------------------------------

STAFF_STATES = ("all", ProposalStatus.PUBLISHED.value, ProposalStatus.HIDDEN.value)


def staff_proposals(
    programme: Programme, *, axis: str = "", kind: str = "", state: str = "all"
) -> QuerySet[Proposal]:
    """Every proposal of the programme for the staff's board, by axis, kind, then main
    proposals followed by their duplicates; filtered by `axis` (a pk or NO_AXIS), `kind`
    and `state` (STAFF_STATES)."""
    found = Proposal.objects.filter(programme=programme)
    if axis == NO_AXIS:
        found = found.filter(axis__isnull=True)
    elif axis.isascii() and axis.isdigit() and len(axis) < 10:
        found = found.filter(axis_id=int(axis))
    if kind in ProposalKind.values:
        found = found.filter(kind=kind)
    if state in (ProposalStatus.PUBLISHED, ProposalStatus.HIDDEN):
        found = found.filter(status=state)
    return annotated(found, staff=True).order_by(
        F("axis__order").asc(nulls_last=True),
        "axis_id",
        "kind",
        Coalesce("duplicate_of_id", "pk"),
        F("duplicate_of_id").asc(nulls_first=True),
        "pk",
    )


def commitment_list(programme: Programme) -> list[Commitment]:
    """The programme's commitments (to link proposals to), by number."""
    return list(
        Commitment.objects.filter(programme=programme)
        .only("pk", "number", "title_ar", "title_fr", "programme_id")
        .order_by("number")
    )


def commitment_get(*, programme: Programme, pk: int) -> Commitment | None:
    found = Commitment.objects.filter(programme=programme, pk=pk).first()
    if found is not None:
        found.programme = programme
    return found
