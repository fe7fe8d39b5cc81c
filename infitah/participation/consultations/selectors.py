"""Reads of public consultations: lists with their counts, a consultation's sections and
published comments, a participant's own contributions, the moderation queue, the report.

Every list is read in a fixed number of queries whatever its size (counts are
subqueries, comments and replies come in one query).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from infitah.participation.breakdown import Breakdown, breakdown_compute
from infitah.participation.consultations.models import (
    Comment,
    Consultation,
    Section,
    Stance,
    localised,
)
from infitah.participation.consultations.workflow import CommentStatus, StanceValue
from infitah.participation.models import Audience, Gender, Participant
from infitah.territories.models import Collectivity

MODERATION_FILTERS = {
    "pending": Q(status=CommentStatus.PENDING),
    "published": Q(status=CommentStatus.PUBLISHED),
    "rejected": Q(status=CommentStatus.REJECTED),
    "hidden": Q(status=CommentStatus.HIDDEN),
    "all": Q(),
}
QUEUE_LIMIT = 200


def _count(queryset: QuerySet[Comment] | QuerySet[Stance], outer: str) -> Coalesce:
    """A correlated COUNT of `queryset` rows whose `outer` column is the outer row's pk."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def consultation_list(*, collectivity: Collectivity) -> list[Consultation]:
    """The collectivity's consultations, newest first, with `n_sections` and
    `n_comments` (published) (1 query)."""
    return list(
        Consultation.objects.filter(collectivity=collectivity)
        .annotate(
            n_sections=_count(Section.objects.all(), "consultation"),  # type: ignore[arg-type]
            n_comments=_count(Comment.objects.published(), "consultation"),
        )
        .order_by("-opens_at", "-pk")
    )


def staff_consultation_list(*, collectivity: Collectivity) -> list[Consultation]:
    """As `consultation_list`, plus `n_pending` (comments awaiting moderation) and
    `n_received` (every comment) (1 query)."""
    return list(
        Consultation.objects.filter(collectivity=collectivity)
        .annotate(
            n_sections=_count(Section.objects.all(), "consultation"),  # type: ignore[arg-type]
            n_comments=_count(Comment.objects.published(), "consultation"),
            n_pending=_count(Comment.objects.filter(status=CommentStatus.PENDING), "consultation"),
            n_received=_count(Comment.objects.all(), "consultation"),
        )
        .order_by("-opens_at", "-pk")
    )


def consultation_get(*, collectivity: Collectivity, pk: int) -> Consultation | None:
    return (
        Consultation.objects.filter(collectivity=collectivity, pk=pk)
        .select_related("collectivity")
        .first()
    )


def public_consultation_get(*, pk: int) -> Consultation | None:
    """A consultation of a network member, for the API (no collectivity in its URL)."""
    return Consultation.objects.public().filter(pk=pk).select_related("collectivity").first()


def section_list(*, consultation: Consultation) -> list[Section]:
    """The sections in order, with `n_comments` (published, replies included),
    `n_supports` and `n_opposes` (1 query)."""
    return list(
        Section.objects.filter(consultation=consultation)
        .annotate(
            n_comments=_count(Comment.objects.published(), "section"),
            n_supports=_count(Stance.objects.filter(value=StanceValue.SUPPORT), "section"),
            n_opposes=_count(Stance.objects.filter(value=StanceValue.OPPOSE), "section"),
        )
        .order_by("order", "pk")
    )


def section_get(*, consultation: Consultation, pk: int) -> Section | None:
    found = Section.objects.filter(consultation=consultation, pk=pk).first()
    if found is not None:
        found.consultation = consultation  # the caller's, with its collectivity
    return found


@dataclass
class Thread:
    """A published comment and its published replies."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def _threads(comments: list[Comment]) -> dict[int, list[Thread]]:
    by_section: dict[int, list[Thread]] = defaultdict(list)
    top: dict[int, Thread] = {}
    for c in comments:
        if c.parent_id is None:
            top[c.pk] = Thread(c)
            by_section[c.section_id].append(top[c.pk])
    for c in comments:
        if c.parent_id is not None and c.parent_id in top:
            top[c.parent_id].replies.append(c)
    return by_section


def published_threads(
    *, consultation: Consultation, section: Section | None = None
) -> dict[int, list[Thread]]:
    """Published comments by section id, oldest first, each with its published replies;
    a reply to a comment that is not (or no longer) published is left out (1 query)."""
    qs = Comment.objects.published().filter(consultation=consultation)
    if section is not None:
        qs = qs.filter(section=section)
    return _threads(list(qs.select_related("participant").order_by("created_at", "pk")))


def participant_pending(
    *, consultation: Consultation, participant: Participant | None
) -> dict[int, list[Comment]]:
    """The participant's own comments that the public does not see (awaiting moderation,
    rejected, hidden), by section id: only they see them, with the moderator's reason."""
    if participant is None:
        return {}
    found: dict[int, list[Comment]] = defaultdict(list)
    for c in (
        Comment.objects.filter(consultation=consultation, participant=participant)
        .exclude(status=CommentStatus.PUBLISHED)
        .order_by("created_at", "pk")
    ):
        found[c.section_id].append(c)
    return found


def participant_stances(
    *, consultation: Consultation, participant: Participant | None
) -> dict[int, str]:
    """The participant's stance on each section they took one on (section id → value)."""
    if participant is None:
        return {}
    return dict(
        Stance.objects.filter(consultation=consultation, participant=participant).values_list(
            "section_id", "value"
        )
    )


def moderation_queue(*, consultation: Consultation, state: str = "pending") -> list[Comment]:
    """The consultation's comments in `state` (MODERATION_FILTERS), oldest first, with
    their section, author and the comment they answer (1 query)."""
    return list(
        Comment.objects.filter(consultation=consultation)
        .filter(MODERATION_FILTERS.get(state, MODERATION_FILTERS["pending"]))
        .select_related("section", "participant", "parent", "moderated_by")
        .order_by("created_at", "pk")[:QUEUE_LIMIT]
    )


def comment_get(*, consultation: Consultation, pk: int) -> Comment | None:
    return (
        Comment.objects.filter(consultation=consultation, pk=pk)
        .select_related("section", "consultation__collectivity")
        .first()
    )


# ------------------------------------------------------------------------------ report


@dataclass(frozen=True)
class SectionRow:
    id: int
    order: int
    title: str
    received: int
    published: int
    supports: int
    opposes: int
    participants: int


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    participants: int


@dataclass(frozen=True)
class Report:
    consultation: Consultation
    sections: list[SectionRow]
    by_commune: list[CountRow]
    by_gender: list[CountRow]
    participants: int
    received: int
    published: int
    pending: int
    supports: int
    opposes: int


def consultation_report(*, consultation: Consultation) -> Report:
    """Counts per section (comments received and published, supports, opposes, distinct
    participants) and the participants — anyone who commented or took a stance — by
    declared commune and declared gender. Aggregates only, never a person (5 queries)."""
    sections = section_list(consultation=consultation)
    received: Counter[int] = Counter()
    pending = 0
    for section_id, status in Comment.objects.filter(consultation=consultation).values_list(
        "section_id", "status"
    ):
        received[section_id] += 1
        pending += status == CommentStatus.PENDING
    people: dict[int, set[int]] = defaultdict(set)
    for model in (Comment, Stance):
        pairs = (
            model.objects.filter(consultation=consultation)  # type: ignore[attr-defined]
            .values_list("section_id", "participant_id")
            .distinct()
        )
        for section_id, participant_id in pairs:
            people[section_id].add(participant_id)
    everyone = set().union(*people.values()) if people else set()
    rows = [
        SectionRow(
            id=s.pk,
            order=s.order,
            title=s.title,
            received=received.get(s.pk, 0),
            published=s.n_comments,  # type: ignore[attr-defined]
            supports=s.n_supports,  # type: ignore[attr-defined]
            opposes=s.n_opposes,  # type: ignore[attr-defined]
            participants=len(people.get(s.pk, ())),
        )
        for s in sections
    ]
    by_commune: list[CountRow] = []
    by_gender_found: dict[str, int] = {}
    if everyone:
        taking_part = Participant.objects.filter(pk__in=everyone)
        communes = (
            taking_part.values("commune__slug", "commune__name_ar", "commune__name_fr")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in communes:
            slug = row["commune__slug"]
            label = (
                localised(row["commune__name_ar"] or "", row["commune__name_fr"] or "")
                if slug
                else _("Not declared")
            )
            by_commune.append(CountRow(key=slug or "", label=label, participants=row["n"]))
        # Most participants first; "not declared" after the communes of the same count.
        by_commune.sort(key=lambda r: (-r.participants, r.key == "", r.label))
        by_gender_found = dict(
            taking_part.order_by()
            .values("gender")
            .annotate(n=Count("pk"))
            .values_list("gender", "n")
        )
    by_gender = [
        CountRow(key=value, label=str(label), participants=by_gender_found.get(value, 0))
        for value, label in Gender.choices
    ]
    return Report(
        consultation=consultation,
        sections=rows,
        by_commune=by_commune,
        by_gender=by_gender,
        participants=len(everyone),
        received=sum(r.received for r in rows),
        published=sum(r.published for r in rows),
        pending=pending,
        supports=sum(r.supports for r in rows),
        opposes=sum(r.opposes for r in rows),
    )


def consultation_breakdown(*, consultation: Consultation) -> Breakdown | None:
    """For a consultation of the network (a network audience): the comments and stances
    received and the distinct participants by region and by kind of collectivity
    (`participation.breakdown`); None for a collectivity's own consultation. At most
    five queries."""
    if consultation.audience == Audience.LOCAL:
        return None
    contributions: Counter[int] = Counter()
    for model in (Comment, Stance):
        for participant_id, n in (
            model.objects.filter(consultation=consultation)  # type: ignore[attr-defined]
            .order_by()
            .values("participant_id")
            .annotate(n=Count("pk"))
            .values_list("participant_id", "n")
        ):
            contributions[participant_id] += n
    return breakdown_compute(audience=consultation.audience, contributions=contributions)
