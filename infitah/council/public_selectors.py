"""Reads of the council's public pages (`public_views.py`).

What the public sees of a council, the one rule every function applies:

- a session is public once its agenda is published: never while its agenda is in
  preparation (`draft`), nor when it was cancelled before being published;
- deleted objects (session, term, member, item, document, seat) are never shown, nor
  what hangs on them (the votes of a deleted member, the documents of a deleted item);
- an agenda item or a document marked non-public is never shown (to members and staff
  only); a closed sitting shows no broadcast, recording or videoconference link;
- what the sitting did (attendance, results, votes, decisions) once it sat: held or,
  for attendance, adjourned for want of quorum.

Every function takes the collectivity and runs a fixed number of queries, whatever the
number of members, sessions, items, votes or documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet

from infitah.advisory.models import Referral
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    Committee,
    CommitteeSeat,
    Document,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Presence,
    SeatRole,
    Session,
    Term,
    Vote,
)
from infitah.council.selectors import item_opinions
from infitah.council.workflow import Status
from infitah.territories.models import Collectivity

# Sessions whose sitting voted: results, votes and decisions are public.
HELD = frozenset({Status.HELD, Status.SUMMARY_PUBLISHED})
# Sessions whose attendance was taken (an adjourned sitting lacked its quorum).
SAT = HELD | {Status.ADJOURNED}
# Never public: the agenda is in preparation, or the session was cancelled unpublished.
NOT_PUBLIC = Q(status=Status.DRAFT) | Q(status=Status.CANCELLED, agenda_published_at__isnull=True)

BUREAU_ORDER = {
    MemberRole.PRESIDENT: 0,
    MemberRole.VICE_PRESIDENT: 1,
    MemberRole.SECRETARY: 2,
    MemberRole.DEPUTY_SECRETARY: 3,
}
SEAT_ORDER = {SeatRole.CHAIR: 0, SeatRole.DEPUTY_CHAIR: 1, SeatRole.RAPPORTEUR: 2}
CHOICE_ORDER = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.NONE)
PRESENCE_ORDER = (Presence.PRESENT, Presence.EXCUSED, Presence.ABSENT)


def public_sessions(collectivity: Collectivity) -> QuerySet[Session]:
    """The sessions of `collectivity` the public may see (see the module docstring)."""
    return (
        Session.objects.filter(collectivity=collectivity, deleted=False, term__deleted=False)
        .exclude(NOT_PUBLIC)
        .order_by("-starts_at", "-pk")
    )


def session_is_public(session: Session) -> bool:
    """`public_sessions`' rule on one session whose term is loaded (no query)."""
    if session.deleted or session.term.deleted or session.status == Status.DRAFT:
        return False
    return not (session.status == Status.CANCELLED and session.agenda_published_at is None)


def item_is_public(item: AgendaItem) -> bool:
    """Whether the public session page shows `item` (its session and the session's term
    loaded: no query): a public item, not deleted, of a public session."""
    return item.is_public and not item.deleted and session_is_public(item.session)


def _public_items() -> QuerySet[AgendaItem]:
    return (
        AgendaItem.objects.filter(deleted=False, is_public=True)
        .select_related("rapporteur", "committee")
        .order_by("number", "pk")
    )


def _visible_documents() -> QuerySet[Document]:
    """Public, undeleted documents, of the session itself or of a public, undeleted item."""
    return Document.objects.filter(deleted=False, is_public=True).filter(
        Q(item__isnull=True) | Q(item__deleted=False, item__is_public=True)
    )


def _public_documents() -> QuerySet[Document]:
    """`_visible_documents` with the columns a list shows (not the storage path)."""
    return (
        _visible_documents()
        .only("pk", "session_id", "item_id", "kind", "title", "name", "content_type", "size")
        .order_by("pk")
    )


def safe_url(url: str) -> str:
    """`url` if it is a web address (http or https), else "": a link entered otherwise
    than through a form (a `javascript:` URL) is never drawn."""
    return url if url.lower().startswith(("https://", "http://")) else ""


# --------------------------------------------------------------------------- the council


@dataclass(frozen=True)
class CommitteeView:
    committee: Committee
    # Chair, deputy chair and rapporteur first, then the members.
    seats: list[CommitteeSeat]


@dataclass(frozen=True)
class CouncilOverview:
    term: Term | None
    # President, vice-presidents by rank, secretary, deputy secretary.
    bureau: list[Member] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    committees: list[CommitteeView] = field(default_factory=list)


def term_current(*, collectivity: Collectivity, today: dt.date) -> Term | None:
    """The council's term now: the latest one begun (one query)."""
    return (
        Term.objects.filter(collectivity=collectivity, deleted=False, start_date__lte=today)
        .order_by("-start_date", "-pk")
        .first()
    )


def _bureau_key(member: Member) -> tuple[int, int, int]:
    return (BUREAU_ORDER.get(MemberRole(member.role), 9), member.rank, member.pk)


def council_overview(*, collectivity: Collectivity, today: dt.date) -> CouncilOverview:
    """The current term, its bureau and members in office, and its committees with their
    seats (four queries; one when no term is recorded)."""
    term = term_current(collectivity=collectivity, today=today)
    if term is None:
        return CouncilOverview(term=None)
    # Members in office today: a member whose mandate ended keeps their page only.
    sitting = Member.objects.filter(term=term, deleted=False).exclude(ended_on__lt=today)
    members = sorted(sitting, key=_bureau_key)
    bureau = [m for m in members if m.role in BUREAU_ORDER]
    seats = (
        CommitteeSeat.objects.filter(deleted=False, member__deleted=False)
        .select_related("member")
        .order_by("pk")
    )
    committees = (
        Committee.objects.filter(term=term, deleted=False)
        .prefetch_related(Prefetch("seats", queryset=seats, to_attr="public_seats"))
        .order_by("pk")
    )
    views = [
        CommitteeView(
            committee=committee,
            seats=sorted(
                committee.public_seats,  # type: ignore[attr-defined]
                key=lambda s: (SEAT_ORDER.get(SeatRole(s.role), 9), s.pk),
            ),
        )
        for committee in committees
    ]
    return CouncilOverview(term=term, bureau=bureau, members=members, committees=views)


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class ItemAgenda:
    item: AgendaItem
    documents: list[Document]

    @property
    def rapporteur(self) -> Member | None:
        """The item's rapporteur, unless deleted."""
        member = self.item.rapporteur
        return member if member is not None and not member.deleted else None

    @property
    def committee(self) -> Committee | None:
        """The item's committee, unless deleted."""
        committee = self.item.committee
        return committee if committee is not None and not committee.deleted else None


@dataclass(frozen=True)
class SessionAgenda:
    """A session with its public agenda: its own documents and its items' documents."""

    session: Session
    documents: list[Document]
    items: list[ItemAgenda]


def _agenda(session: Session) -> SessionAgenda:
    """From a session fetched with `_with_agenda` (no query)."""
    items: list[AgendaItem] = session.public_items  # type: ignore[attr-defined]
    documents: list[Document] = session.public_documents  # type: ignore[attr-defined]
    by_item: dict[int | None, list[Document]] = defaultdict(list)
    for document in documents:
        by_item[document.item_id].append(document)
    return SessionAgenda(
        session=session,
        documents=by_item[None],
        items=[ItemAgenda(item=item, documents=by_item[item.pk]) for item in items],
    )


def _with_agenda(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.prefetch_related(
        Prefetch("items", queryset=_public_items(), to_attr="public_items"),
        Prefetch("documents", queryset=_public_documents(), to_attr="public_documents"),
    )


def upcoming_sessions(*, collectivity: Collectivity) -> list[SessionAgenda]:
    """Convened sessions (agenda published, not yet held), soonest first, with their
    public agendas and documents (three queries)."""
    sessions = (
        public_sessions(collectivity).filter(status=Status.CONVENED).order_by("starts_at", "pk")
    )
    return [_agenda(session) for session in _with_agenda(sessions)]


def past_sessions(*, collectivity: Collectivity) -> QuerySet[Session]:
    """Sessions that sat, were adjourned or cancelled after their agenda was published,
    newest first (a queryset, for a paginator)."""
    return public_sessions(collectivity).exclude(status=Status.CONVENED)


@dataclass(frozen=True)
class Group:
    """Members grouped by how they voted, or by their presence."""

    value: str
    label: str
    members: list[Member]

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class ItemRecord:
    item: AgendaItem
    documents: list[Document]
    # One group per choice (for, against, abstain, did not vote); empty without a
    # roll-call vote (a show of hands: only the counts of the item).
    votes: list[Group]
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def rapporteur(self) -> Member | None:
        """The item's rapporteur, unless deleted."""
        member = self.item.rapporteur
        return member if member is not None and not member.deleted else None

    @property
    def committee(self) -> Committee | None:
        """The item's committee, unless deleted."""
        committee = self.item.committee
        return committee if committee is not None and not committee.deleted else None

    @property
    def opinions(self) -> list[Referral]:
        """The advisory bodies' opinions the item carries (their public pages exist)."""
        found: list[Referral] = getattr(self.item, "origin_opinions", [])
        return found


@dataclass(frozen=True)
class SessionRecord:
    session: Session
    documents: list[Document]
    items: list[ItemRecord]
    # Present, excused, absent; empty when no attendance was taken.
    attendance: list[Group]
    is_held: bool
    has_sat: bool
    is_summary_published: bool
    minutes: Minutes | None  # the signed minutes, else None


def _groups(rows: list[tuple[str, Member]], order: Sequence[Choice | Presence]) -> list[Group]:
    if not rows:
        return []
    by_value: dict[str, list[Member]] = defaultdict(list)
    for value, member in rows:
        by_value[value].append(member)
    return [Group(value=str(v), label=str(v.label), members=by_value[v]) for v in order]


def _item_record(item: AgendaItem, documents: list[Document]) -> ItemRecord:
    votes: list[Vote] = item.public_votes  # type: ignore[attr-defined]
    groups = _groups([(v.choice, v.member) for v in votes], CHOICE_ORDER)
    if groups:
        counts = {g.value: g.count for g in groups}
        return ItemRecord(
            item=item,
            documents=documents,
            votes=groups,
            votes_for=counts[Choice.FOR],
            votes_against=counts[Choice.AGAINST],
            votes_abstain=counts[Choice.ABSTAIN],
        )
    return ItemRecord(
        item=item,
        documents=documents,
        votes=[],
        votes_for=item.votes_for,
        votes_against=item.votes_against,
        votes_abstain=item.votes_abstain,
    )


def _signed_minutes(session: Session) -> Minutes | None:
    try:
        minutes = session.minutes
    except ObjectDoesNotExist:
        return None
    if minutes.deleted or minutes.status != MinutesStatus.SIGNED:
        return None
    return minutes


def session_record(*, collectivity: Collectivity, pk: int) -> SessionRecord | None:
    """One public session of `collectivity` with its agenda, its documents, its
    attendance and, once held, its votes and decisions, and where each item comes from;
    None if not public (six queries)."""
    votes = (
        Vote.objects.filter(member__deleted=False).select_related("member").order_by("member_id")
    )
    # Where each item comes from: a petition (its public page), an opinion.
    items = (
        _public_items()
        .select_related("petition")
        .prefetch_related(
            Prefetch("votes", queryset=votes, to_attr="public_votes"), item_opinions(public=True)
        )
    )
    session = (
        public_sessions(collectivity)
        .select_related("term", "minutes")
        .prefetch_related(
            Prefetch("items", queryset=items, to_attr="public_items"),
            Prefetch("documents", queryset=_public_documents(), to_attr="public_documents"),
        )
        .filter(pk=pk)
        .first()
    )
    if session is None:
        return None
    agenda = _agenda(session)
    has_sat = session.status in SAT
    is_held = session.status in HELD
    attendance: list[Group] = []
    if has_sat:
        rows = (
            Attendance.objects.filter(session=session, member__deleted=False)
            .select_related("member")
            .order_by("member_id")
        )
        attendance = _groups([(a.presence, a.member) for a in rows], PRESENCE_ORDER)
    return SessionRecord(
        session=session,
        documents=agenda.documents,
        items=[_item_record(a.item, a.documents) for a in agenda.items],
        attendance=attendance,
        is_held=is_held,
        has_sat=has_sat,
        is_summary_published=(
            session.status == Status.SUMMARY_PUBLISHED or session.summary_published_at is not None
        )
        and is_held,
        minutes=_signed_minutes(session),
    )


def document_public_get(*, collectivity: Collectivity, pk: int) -> Document | None:
    """A public document of a public session of `collectivity`, or None (one query)."""
    return (
        _visible_documents()
        .filter(pk=pk, session__in=public_sessions(collectivity).order_by())
        .first()
    )


def decision_list(*, collectivity: Collectivity) -> QuerySet[AgendaItem]:
    """The public items of held sessions with a result or a decision, newest session
    first (a queryset, for a paginator)."""
    return (
        AgendaItem.objects.filter(
            deleted=False,
            is_public=True,
            session__in=public_sessions(collectivity).filter(status__in=HELD).order_by(),
        )
        .exclude(result="", decision_ar="", decision_fr="")
        .select_related("session")
        .order_by("-session__starts_at", "-session_id", "number", "pk")
    )


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberRecord:
    member: Member
    seats: list[CommitteeSeat]
    # Newest session first.
    attendance: list[Attendance]
    present: int
    excused: int
    absent: int
    # Newest session first, then by item number.
    votes: list[Vote]


def member_record(*, collectivity: Collectivity, pk: int) -> MemberRecord | None:
    """A member of `collectivity`'s council with their committees, their attendance at
    the public sessions that sat and their votes on public items; None if unknown or
    deleted (four queries)."""
    member = (
        Member.objects.filter(collectivity=collectivity, pk=pk, deleted=False, term__deleted=False)
        .select_related("term")
        .first()
    )
    if member is None:
        return None
    seats = list(
        CommitteeSeat.objects.filter(member=member, deleted=False, committee__deleted=False)
        .select_related("committee")
        .order_by("committee_id", "pk")
    )
    sat = public_sessions(collectivity).filter(status__in=SAT).order_by()
    attendance = list(
        Attendance.objects.filter(member=member, session__in=sat)
        .select_related("session")
        .order_by("-session__starts_at", "-session_id")
    )
    held = public_sessions(collectivity).filter(status__in=HELD).order_by()
    votes = list(
        Vote.objects.filter(
            member=member, item__deleted=False, item__is_public=True, item__session__in=held
        )
        .select_related("item", "item__session")
        .order_by("-item__session__starts_at", "-item__session_id", "item__number", "item_id")
    )
    presences = [a.presence for a in attendance]
    return MemberRecord(
        member=member,
        seats=seats,
        attendance=attendance,
        present=presences.count(Presence.PRESENT),
        excused=presences.count(Presence.EXCUSED),
        absent=presences.count(Presence.ABSENT),
        votes=votes,
    )
