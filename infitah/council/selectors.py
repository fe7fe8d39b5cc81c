"""Reads of council sessions: the secretariat's lists and pages, the members' documents.

Every read takes the collectivity; lists load what they show with `select_related` /
`prefetch_related`, so that a page costs the same number of queries with 10 or 200
items, members or documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from infitah.accounts.models import User
from infitah.advisory.models import Referral
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Committee,
    Document,
    Member,
    MemberRole,
    Presence,
    Receipt,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import Status
from infitah.petitions.models import Petition
from infitah.petitions.selectors import petition_get, petition_staff_list
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.territories.models import Collectivity

# A petition the bureau accepted may be put on an agenda (or moved to another session).
PETITION_STATES = frozenset({PetitionStatus.ACCEPTED, PetitionStatus.SCHEDULED})
# A session whose items still count as "on an agenda" (a cancelled or adjourned one's no
# longer do: the petition may go to another session).
LIVE_STATES = frozenset({Status.DRAFT, Status.CONVENED, Status.HELD, Status.SUMMARY_PUBLISHED})
# The states in which the sitting is over or never took place.
PAST_STATES = frozenset({Status.HELD, Status.SUMMARY_PUBLISHED, Status.CANCELLED, Status.ADJOURNED})


def live_items() -> QuerySet[AgendaItem]:
    """The items on a live agenda: a petition or an opinion they carry is "on an agenda"
    (an item of a cancelled or adjourned session no longer counts)."""
    return AgendaItem.objects.filter(
        deleted=False, session__deleted=False, session__status__in=LIVE_STATES
    )


def item_is_live(item: AgendaItem) -> bool:
    """`live_items`' rule on one item whose session is loaded (no query)."""
    session = item.session
    return not item.deleted and not session.deleted and session.status in LIVE_STATES


def item_opinions(*, public: bool = False) -> Prefetch[Any]:
    """The opinions an item carries (`item.origin_opinions`, oldest first), with their
    bodies: an advisory body's opinion put on the agenda (or considered at this item).
    `public`: only those the advisory pages show (neither they nor their body deleted)."""
    found = Referral.objects.filter(deleted=False)
    if public:
        found = found.filter(body__deleted=False)
    return Prefetch(
        "opinions", queryset=found.select_related("body").order_by("pk"), to_attr="origin_opinions"
    )


def _whole(pk: int | str) -> int | None:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) <= 12 else None


# The council's order: the president, the vice-presidents by rank, the secretary, the
# deputy secretary, then the members by name.
_OFFICE_ORDER = Case(
    When(role=MemberRole.PRESIDENT, then=Value(0)),
    When(role=MemberRole.VICE_PRESIDENT, then=Value(1)),
    When(role=MemberRole.SECRETARY, then=Value(2)),
    When(role=MemberRole.DEPUTY_SECRETARY, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def members_in_office(term: Term, day: date) -> QuerySet[Member]:
    """The members of `term` whose mandate runs on `day`, in the council's order."""
    return (
        Member.objects.filter(term=term, deleted=False, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("user")
        .annotate(office=_OFFICE_ORDER)
        .order_by("office", "rank", "name_ar", "pk")
    )


def members_reached(term: Term, day: date) -> list[Member]:
    """The members in office on `day` who have an active account: those the session's
    documents are distributed to."""
    return [m for m in members_in_office(term, day) if m.user is not None and m.user.is_active]


def committees_of(term: Term) -> QuerySet[Committee]:
    return Committee.objects.filter(term=term, deleted=False).order_by("pk")


def _staff_sessions(collectivity: Collectivity) -> QuerySet[Session]:
    return (
        Session.objects.filter(collectivity=collectivity, deleted=False)
        .select_related("term", "agenda_deadline", "summary_deadline")
        .annotate(item_count=Count("items", filter=Q(items__deleted=False)))
    )


def _ahead(today: date) -> Q:
    """Draft or convened, sitting `today` (local day) or later."""
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    return Q(status__in=(Status.DRAFT, Status.CONVENED), starts_at__gte=midnight)


def sessions_upcoming(*, collectivity: Collectivity, today: date) -> list[Session]:
    """The sessions of `collectivity` in preparation or convened that sit `today` or
    later, soonest first, with their clocks loaded and the number of their agenda items
    (`item_count`)."""
    return list(_staff_sessions(collectivity).filter(_ahead(today)).order_by("starts_at", "pk"))


def sessions_past(*, collectivity: Collectivity, today: date) -> QuerySet[Session]:
    """Every other session of `collectivity` (held, closed, cancelled, or whose day has
    passed), latest sitting first, loaded as `sessions_upcoming`: to be paged."""
    return _staff_sessions(collectivity).exclude(_ahead(today)).order_by("-starts_at", "-pk")


def session_get(*, collectivity: Collectivity, pk: int | str) -> Session | None:
    """A session of `collectivity` for its secretariat (any state), or None."""
    number = _whole(pk)
    if number is None:
        return None
    return (
        Session.objects.filter(collectivity=collectivity, pk=number, deleted=False)
        .select_related("collectivity", "term", "follows", "agenda_deadline", "summary_deadline")
        .first()
    )


def session_followers(session: Session) -> list[Session]:
    """The sessions convened again after `session` was adjourned."""
    return list(session.followed_by.filter(deleted=False).order_by("pk"))


def items_of(session: Session, *, origins: bool = False) -> list[AgendaItem]:
    """The live items of the agenda, in order, with rapporteur, committee and petition;
    with `origins`, also the opinions they carry (`item_opinions`: one query more)."""
    items = session.items.filter(deleted=False).select_related(
        "rapporteur", "committee", "petition"
    )
    if origins:
        items = items.prefetch_related(item_opinions())
    return list(items.order_by("number", "pk"))


def item_get(*, session: Session, pk: int | str) -> AgendaItem | None:
    number = _whole(pk)
    if number is None:
        return None
    return (
        session.items.filter(pk=number, deleted=False)
        .select_related("rapporteur", "committee", "petition")
        .prefetch_related(item_opinions())
        .first()
    )


def documents_of(session: Session, *, item: AgendaItem | None = None) -> list[Document]:
    """The session's live documents (of one item if given), each with its receipts and
    their members: the distribution record."""
    found = session.documents.filter(deleted=False)
    if item is not None:
        found = found.filter(item=item)
    return list(
        found.select_related("item")
        .prefetch_related(
            Prefetch("receipts", queryset=Receipt.objects.select_related("member").order_by("pk"))
        )
        .order_by("item__number", "pk")
    )


def document_get(*, session: Session, pk: int | str) -> Document | None:
    number = _whole(pk)
    if number is None:
        return None
    return session.documents.filter(pk=number, deleted=False).first()


def attendance_of(session: Session) -> dict[int, str]:
    """{member id: presence} as recorded for the sitting."""
    return dict(Attendance.objects.filter(session=session).values_list("member_id", "presence"))


def votes_of(item: AgendaItem) -> dict[int, str]:
    """{member id: choice} as recorded for the item."""
    return dict(Vote.objects.filter(item=item).values_list("member_id", "choice"))


@dataclass(frozen=True)
class AttendanceCount:
    in_office: int
    present: int
    excused: int
    absent: int

    @property
    def recorded(self) -> bool:
        return self.present + self.excused + self.absent > 0


def attendance_count(session: Session, members: int) -> AttendanceCount:
    counts = dict(
        Attendance.objects.filter(session=session)
        .values_list("presence")
        .annotate(n=Count("pk"))
        .values_list("presence", "n")
    )
    return AttendanceCount(
        in_office=members,
        present=counts.get(Presence.PRESENT, 0),
        excused=counts.get(Presence.EXCUSED, 0),
        absent=counts.get(Presence.ABSENT, 0),
    )


def petitions_to_add(*, session: Session) -> list[Petition]:
    """The petitions of the session's collectivity the bureau accepted (or scheduled) and
    that no live session's agenda carries yet: the secretariat may add them."""
    on_agenda = set(
        live_items()
        .filter(petition__isnull=False, session__collectivity=session.collectivity)
        .values_list("petition_id", flat=True)
    )
    return [
        p
        for p in petition_staff_list(collectivity=session.collectivity, state="open")
        if p.status in PETITION_STATES and p.pk not in on_agenda
    ]


def petition_candidate(*, session: Session, pk: int | str) -> Petition | None:
    """A petition of the session's collectivity (any state), or None."""
    return petition_get(collectivity=session.collectivity, pk=pk)


@dataclass
class MemberSession:
    """One session's documents distributed to a member (their page)."""

    session: Session
    receipts: list[Receipt] = field(default_factory=list)


def my_documents(*, collectivity: Collectivity, user: User) -> list[MemberSession]:
    """The documents distributed to `user`'s seats in `collectivity`, by session (latest
    sitting first), each with its receipt (sent, first opened, openings)."""
    receipts = (
        Receipt.objects.filter(
            member__user=user,
            member__collectivity=collectivity,
            document__deleted=False,
            document__session__deleted=False,
        )
        .select_related("document__session", "document__item", "member")
        .order_by("-document__session__starts_at", "document__session_id", "document_id")
    )
    found: dict[int, MemberSession] = {}
    for receipt in receipts:
        session = receipt.document.session
        found.setdefault(session.pk, MemberSession(session=session)).receipts.append(receipt)
    return list(found.values())


def my_receipt(*, collectivity: Collectivity, user: User, pk: int | str) -> Receipt | None:
    """`user`'s receipt `pk` in `collectivity` (None for anybody else's)."""
    number = _whole(pk)
    if number is None:
        return None
    return (
        Receipt.objects.filter(
            pk=number,
            member__user=user,
            member__collectivity=collectivity,
            document__deleted=False,
            document__session__deleted=False,
        )
        .select_related("document__session", "member")
        .first()
    )
