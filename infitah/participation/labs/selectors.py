"""Reads of collective-intelligence labs, always scoped to a collectivity or a lab.

Routing (`statement_next`): among the lab's approved statements the participant has not
voted on, those with the fewest votes (all participants together) come first; ties are
broken by `routing_key`, a SHA-256 of the lab's seed, the participant and the statement,
so each participant walks the tied statements in an order of their own (votes spread
over the statements) that stays the same on every page load.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from infitah.participation.breakdown import Breakdown, breakdown_compute
from infitah.participation.labs.models import (
    Lab,
    LabReport,
    Statement,
    StatementStatus,
    Vote,
    Voter,
)
from infitah.participation.models import Audience, Participant
from infitah.territories.models import Collectivity, Kind


def _count_of(queryset: QuerySet[Statement] | QuerySet[Voter]) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (filtered on lab=OuterRef("pk")), 0 if none:
    two subqueries instead of one join of statements × voters."""
    counted = queryset.order_by().values("lab").annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_counts(labs: QuerySet[Lab]) -> QuerySet[Lab]:
    return labs.annotate(
        statement_count=_count_of(
            Statement.objects.filter(lab=OuterRef("pk"), status=StatementStatus.APPROVED)
        ),
        voter_count=_count_of(Voter.objects.filter(lab=OuterRef("pk"))),
    )


def lab_list(*, collectivity: Collectivity, public: bool = True) -> list[Lab]:
    """The collectivity's labs, newest first, with `statement_count` (approved) and
    `voter_count`; the public sees only those already opened (one query)."""
    labs = Lab.objects.for_collectivity(collectivity.pk)
    if public:
        labs = labs.published()
    return list(_with_counts(labs).order_by("-opens_at", "-pk"))


def lab_get(*, collectivity: Collectivity, pk: int, public: bool = True) -> Lab | None:
    labs = Lab.objects.for_collectivity(collectivity.pk).select_related("collectivity")
    if public:
        labs = labs.published()
    return _with_counts(labs).filter(pk=pk).first()


def lab_public_get(*, pk: int) -> Lab | None:
    """An opened lab of a network member or of the network's own space (the API's
    /labs/{id})."""
    return (
        _with_counts(Lab.objects.published())
        .select_related("collectivity")
        .filter(Q(collectivity__is_network_member=True) | Q(collectivity__kind=Kind.NETWORK))
        .filter(pk=pk)
        .first()
    )


def statement_list(*, lab: Lab) -> list[Statement]:
    """Approved statements, each with `agree`, `disagree`, `passed` counts (one query)."""
    return list(
        Statement.objects.approved()
        .filter(lab=lab)
        .annotate(
            agree=Count("votes", filter=Q(votes__value=1)),
            disagree=Count("votes", filter=Q(votes__value=-1)),
            passed=Count("votes", filter=Q(votes__value=0)),
        )
        .order_by("pk")
    )


def staff_statement_list(*, lab: Lab) -> list[Statement]:
    """Every statement of the lab with its author and `vote_count` (one query)."""
    return list(
        Statement.objects.filter(lab=lab)
        .select_related("author")
        .annotate(vote_count=Count("votes"))
        .order_by("pk")
    )


def moderation_queue(*, lab: Lab) -> list[Statement]:
    """Participants' statements awaiting a decision, oldest first, with their author."""
    return list(Statement.objects.pending().filter(lab=lab).select_related("author").order_by("pk"))


def participant_statements(*, lab: Lab, participant: Participant) -> list[Statement]:
    """The statements the participant wrote in the lab, with their moderation status."""
    return list(Statement.objects.filter(lab=lab, author=participant).order_by("pk"))


def pending_count(*, collectivity: Collectivity) -> dict[int, int]:
    """Pending statements per lab of the collectivity (one query)."""
    rows = (
        Statement.objects.pending()
        .filter(lab__collectivity=collectivity)
        .order_by()
        .values("lab")
        .annotate(c=Count("pk"))
        .values_list("lab", "c")
    )
    return dict(rows)


def routing_key(*, seed: int, participant_id: int, statement_id: int) -> str:
    return hashlib.sha256(f"{seed}:{participant_id}:{statement_id}".encode()).hexdigest()


def statement_next(*, lab: Lab, participant: Participant) -> Statement | None:
    """The next statement to put to `participant` (see the module's docstring); None
    when they have voted on every approved statement. One query."""
    candidates = list(
        Statement.objects.approved()
        .filter(lab=lab)
        .exclude(
            pk__in=Vote.objects.filter(lab=lab, participant=participant).values("statement_id")
        )
        .annotate(vote_count=Count("votes"))
        .only("pk", "text", "lab_id")
    )
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda s: (
            s.vote_count,  # type: ignore[attr-defined]
            routing_key(seed=lab.seed, participant_id=participant.pk, statement_id=s.pk),
        ),
    )


@dataclass(frozen=True)
class Progress:
    voted: int
    total: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.voted)


def participant_progress(*, lab: Lab, participant: Participant) -> Progress:
    """How many approved statements the participant has voted on, out of how many."""
    counts = (
        Statement.objects.approved()
        .filter(lab=lab)
        .aggregate(
            total=Count("pk", distinct=True),
            voted=Count("pk", filter=Q(votes__participant=participant), distinct=True),
        )
    )
    return Progress(voted=counts["voted"], total=counts["total"])


def participant_vote_on(*, participant: Participant, statement: Statement) -> int | None:
    return (
        Vote.objects.filter(statement=statement, participant=participant)
        .values_list("value", flat=True)
        .first()
    )


def report_latest(*, lab: Lab) -> LabReport | None:
    """The report covering the most recent revision of the lab."""
    return LabReport.objects.filter(lab=lab).order_by("-revision", "-computed_at", "-pk").first()


def export_votes(*, lab: Lab) -> list[tuple[int, int, int]]:
    """(voter number, statement id, vote) on the lab's approved statements, by voter then
    statement. Participants appear only as their number in the lab, and no time is given
    (times would let someone match votes with who was online when)."""
    numbers = dict(Voter.objects.filter(lab=lab).values_list("participant_id", "number"))
    rows = (
        Vote.objects.filter(lab=lab, statement__status=StatementStatus.APPROVED)
        .order_by()
        .values_list("participant_id", "statement_id", "value")
    )
    return sorted((numbers[p], s, v) for p, s, v in rows if p in numbers)


def lab_breakdown(*, lab: Lab) -> Breakdown | None:
    """For a lab of the network (a network audience): the votes and statements of
    participants, and the participants, by region and by kind of collectivity
    (`participation.breakdown`); None for a collectivity's own lab. At most five
    queries."""
    if lab.audience == Audience.LOCAL:
        return None
    contributions: dict[int, int] = {}
    for participant_id, n in (
        Vote.objects.filter(lab=lab)
        .order_by()
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values_list("participant_id", "n")
    ):
        contributions[participant_id] = contributions.get(participant_id, 0) + n
    for participant_id, n in (
        Statement.objects.filter(lab=lab, author__isnull=False)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    ):
        contributions[participant_id] = contributions.get(participant_id, 0) + n
    return breakdown_compute(audience=lab.audience, contributions=contributions)
