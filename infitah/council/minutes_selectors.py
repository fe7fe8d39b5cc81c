"""Reads of the minutes (محضر): the secretariat's page, the public download and check,
and everything the minutes' PDF shows, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Presence,
    Session,
    Vote,
)
from infitah.council.workflow import Status
from infitah.territories.models import Collectivity

# A session whose minutes may be written: it was held (and perhaps its decisions published).
MINUTES_STATES = frozenset({Status.HELD, Status.SUMMARY_PUBLISHED})


def minutes_session_get(*, collectivity: Collectivity, pk: int) -> Session | None:
    """The collectivity's session `pk` (not deleted) with its term and minutes, or None."""
    return (
        Session.objects.select_related("term", "minutes")
        .filter(collectivity=collectivity, pk=pk, deleted=False)
        .first()
    )


def minutes_signed_get(*, collectivity: Collectivity, session_pk: int) -> Minutes | None:
    """The signed minutes of the collectivity's public session `session_pk`, or None (not
    signed, another collectivity's session, a deleted one, or a sitting held in camera)."""
    return (
        Minutes.objects.select_related("session", "session__collectivity")
        .filter(
            session__pk=session_pk,
            session__collectivity=collectivity,
            session__deleted=False,
            session__is_public=True,
            status=MinutesStatus.SIGNED,
        )
        .exclude(signed_pdf="")
        .first()
    )


def minutes_signers_get(*, session: Session) -> dict[str, Member | None]:
    """The president and the secretary of the session's term: those in office on the day
    of the sitting, else those whose mandate has not ended (one query)."""
    day = session.held_on or timezone.localdate(session.starts_at)
    seats = (
        Member.objects.filter(
            term_id=session.term_id,
            deleted=False,
            role__in=[MemberRole.PRESIDENT, MemberRole.SECRETARY],
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by("started_on", "pk")
    )
    found: dict[str, Member | None] = {MemberRole.PRESIDENT: None, MemberRole.SECRETARY: None}
    for member in seats:
        # In order of start: the last one in office on the day wins; failing that, the
        # first one to start after it.
        if member.started_on <= day or found[member.role] is None:
            found[member.role] = member
    return found


@dataclass
class ItemRecord:
    """An agenda item with the members who voted each way (choices in a fixed order,
    those no member chose left out), for the minutes' PDF."""

    item: AgendaItem
    votes: list[tuple[Choice, list[Member]]] = field(default_factory=list)


@dataclass
class MinutesRecord:
    """Everything the minutes' PDF shows of a session: the members present, excused
    and absent (in that order, possibly empty), and the items."""

    session: Session
    attendance: list[tuple[Presence, list[Member]]]
    items: list[ItemRecord]
    held_on: date


def minutes_record_get(*, session: Session) -> MinutesRecord:
    """The session's attendance (by presence) and items (with their rapporteur, committee
    and votes by choice), in 3 queries whatever their number."""
    attendance: dict[str, list[Member]] = {p: [] for p in Presence.values}
    rows = (
        Attendance.objects.filter(session=session).select_related("member").order_by("member__pk")
    )
    for row in rows:
        attendance.setdefault(row.presence, []).append(row.member)
    items = (
        AgendaItem.objects.filter(session=session, deleted=False)
        .select_related("rapporteur", "committee")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("member").order_by("member__pk"),
            )
        )
        .order_by("number", "pk")
    )
    records = []
    for item in items:
        by_choice: dict[str, list[Member]] = {c: [] for c in Choice.values}
        for vote in item.votes.all():
            if vote.choice in by_choice:
                by_choice[vote.choice].append(vote.member)
        votes = [(choice, by_choice[choice]) for choice in Choice if by_choice[choice]]
        records.append(ItemRecord(item=item, votes=votes))
    return MinutesRecord(
        session=session,
        attendance=[(presence, attendance[presence]) for presence in Presence],
        items=records,
        held_on=session.held_on or timezone.localdate(session.starts_at),
    )
