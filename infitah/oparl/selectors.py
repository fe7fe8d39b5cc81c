"""Reads of the councils' public data, for the OParl API and /api/v1's council lists.

What is public (docs/oparl.md, "What is published"):

- a session from the moment it is convened (its agenda published): never a draft, and a
  cancelled session only if its agenda had been published;
- the public agenda items of such a session; their results, votes and decisions once
  it sat (held), its attendance once it sat (held, or adjourned for want of quorum),
  never the votes or presence of a deleted member;
- its public documents (on the session, or on a public item);
- its minutes once signed, as the signed PDF;
- terms, members, committees and their seats; advisory bodies, their members, meetings
  and documents; every referral, its opinion once the body adopted it (an opinion's own
  documents likewise), the council's answer once given.

A deleted row (`deleted`), or a row whose parent is deleted (a session of a deleted
term, an item of a deleted session), stays listed in the OParl API as a deleted object
(objects.py); /api/v1 leaves it out.

Every query set here is ordered by primary key (OParl's stable order) and carries
`oparl_modified`: the last change of the object *as published*, its embedded objects and
the parents its deletion depends on included (a new agenda item changes its meeting),
which the `modified_since` and `modified_until` filters read. The `collectivity` argument
scopes a set to one council; None gives every council's, to find an object by its id
(OParl ids are global).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Expression,
    F,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest

from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyMeeting,
    BodyMember,
    Referral,
)
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeSeat,
    Document,
    Member,
    Minutes,
    MinutesStatus,
    Presence,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import Status as SessionStatus
from infitah.territories.models import Collectivity

M = TypeVar("M", bound=Model)

# Sessions whose sitting voted: results, votes and decisions are public.
HELD = frozenset({SessionStatus.HELD, SessionStatus.SUMMARY_PUBLISHED})
# Sessions whose attendance was taken (an adjourned sitting lacked its quorum).
SAT = HELD | {SessionStatus.ADJOURNED}

# The referral states in which the body's opinion is adopted, hence public.
OPINION_PUBLIC = frozenset(
    {ReferralStatus.ADOPTED, ReferralStatus.TRANSMITTED, ReferralStatus.ANSWERED}
)


# ------------------------------------------------------------------ what may be shown


def session_visible(prefix: str = "") -> Q:
    """Sessions from convened on: not drafts, nor sessions cancelled before their agenda
    was published."""
    return ~Q(**{f"{prefix}status": SessionStatus.DRAFT}) & ~Q(
        **{f"{prefix}status": SessionStatus.CANCELLED, f"{prefix}agenda_published_at": None}
    )


def item_visible(prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_public": True}) & session_visible(f"{prefix}session__")


def document_visible() -> Q:
    """Public documents of a visible session, on the session or on a public item."""
    return (
        Q(is_public=True)
        & session_visible("session__")
        & (Q(item__isnull=True) | Q(item__is_public=True))
    )


def minutes_visible() -> Q:
    return Q(status=MinutesStatus.SIGNED) & ~Q(signed_pdf="") & session_visible("session__")


def body_document_visible() -> Q:
    """A body's documents; the text of an opinion only once the body adopted it."""
    return (
        Q(referral__isnull=True)
        | ~Q(kind=BodyDocumentKind.OPINION)
        | Q(referral__status__in=OPINION_PUBLIC)
    )


# ------------------------------------------------------------------ helpers


def _scoped(qs: QuerySet[M], field: str, collectivity: Collectivity | None) -> QuerySet[M]:
    return qs if collectivity is None else qs.filter(**{field: collectivity})


def _latest(
    model: type[Model], link: str, *, value: Any = None, where: Q | None = None
) -> Coalesce:
    """The latest `value` (default `modified_at`) of the `model` rows whose `link` is the
    outer row, or the outer row's own `modified_at` when there is none."""
    rows = model._default_manager.filter(**{link: OuterRef("pk")})
    if where is not None:
        rows = rows.filter(where)
    latest = (
        rows.order_by()
        .values(link)
        .annotate(m=Max(value if value is not None else "modified_at"))
        .values("m")[:1]
    )
    return Coalesce(Subquery(latest, output_field=DateTimeField()), F("modified_at"))


def _or_own(field: str) -> Coalesce:
    """A nullable parent's `modified_at`, or the row's own."""
    return Coalesce(F(field), F("modified_at"))


def _modified(*parts: Expression | F) -> Greatest:
    return Greatest(F("modified_at"), *parts, output_field=DateTimeField())


def _pair(first: str, second: str) -> Greatest:
    return Greatest(F(first), F(second), output_field=DateTimeField())


# ------------------------------------------------------------------ bodies


def bodies() -> QuerySet[Collectivity]:
    """The OParl bodies: every collectivity with a council term or an advisory body
    (deleted ones count: their deletion must stay visible), never the network's own
    space (not a territory, it has no council). A body embeds its terms."""
    has_term = Term.objects.filter(collectivity=OuterRef("pk"))
    has_advisory_body = Body.objects.filter(collectivity=OuterRef("pk"))
    latest_term = (
        Term.objects.filter(collectivity=OuterRef("pk"))
        .order_by()
        .values("collectivity")
        .annotate(m=Max("modified_at"))
        .values("m")[:1]
    )
    return (
        Collectivity.objects.territorial()
        .filter(Exists(has_term) | Exists(has_advisory_body))
        .annotate(
            oparl_modified=Greatest(
                F("updated_at"),
                Coalesce(Subquery(latest_term, output_field=DateTimeField()), F("updated_at")),
                output_field=DateTimeField(),
            )
        )
        .prefetch_related(terms_prefetch())
        .order_by("pk")
    )


def body_get(slug: str) -> Collectivity | None:
    if "\x00" in slug:  # PostgreSQL refuses NUL in text: no such body, not an error
        return None
    return bodies().filter(slug=slug).first()


def terms_prefetch() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "council_terms",
        queryset=terms(None).filter(deleted=False),
        to_attr="oparl_terms",
    )


# ------------------------------------------------------------------ council


def terms(collectivity: Collectivity | None) -> QuerySet[Term]:
    qs = Term.objects.select_related("collectivity").annotate(oparl_modified=F("modified_at"))
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def councils(collectivity: Collectivity) -> QuerySet[Collectivity]:
    """The council as an organization: one row, the collectivity, with its members."""
    latest = (
        Member.objects.filter(collectivity=OuterRef("pk"))
        .order_by()
        .values("collectivity")
        .annotate(m=Max("modified_at"))
        .values("m")[:1]
    )
    current = Member.objects.filter(deleted=False, term__deleted=False).order_by("pk")
    return (
        bodies()
        .filter(pk=collectivity.pk)
        .annotate(
            oparl_modified=Greatest(
                F("oparl_modified"),
                Coalesce(Subquery(latest, output_field=DateTimeField()), F("updated_at")),
                output_field=DateTimeField(),
            )
        )
        .prefetch_related(
            Prefetch(
                "council_members",
                queryset=current.only("pk", "collectivity"),
                to_attr="oparl_members",
            )
        )
    )


def _seats_of_members() -> QuerySet[CommitteeSeat]:
    return CommitteeSeat.objects.select_related(
        "committee", "committee__term", "member", "member__term"
    ).order_by("pk")


def members(collectivity: Collectivity | None) -> QuerySet[Member]:
    """Members: OParl Persons, and their seats in the council: Memberships."""
    seats = _seats_of_members().filter(deleted=False, committee__deleted=False)
    qs = (
        Member.objects.select_related("term", "collectivity")
        .annotate(
            oparl_modified=_modified(
                F("term__modified_at"),
                _latest(
                    CommitteeSeat, "member", value=_pair("modified_at", "committee__modified_at")
                ),
            )
        )
        .prefetch_related(Prefetch("committee_seats", queryset=seats, to_attr="oparl_seats"))
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def council_memberships(collectivity: Collectivity | None) -> QuerySet[Member]:
    qs = Member.objects.select_related("term", "collectivity").annotate(
        oparl_modified=_modified(F("term__modified_at"))
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def committees(collectivity: Collectivity | None) -> QuerySet[Committee]:
    seats = CommitteeSeat.objects.filter(deleted=False, member__deleted=False).order_by("pk")
    qs = (
        Committee.objects.select_related("term", "collectivity")
        .annotate(
            oparl_modified=_modified(
                F("term__modified_at"),
                _latest(
                    CommitteeSeat, "committee", value=_pair("modified_at", "member__modified_at")
                ),
            )
        )
        .prefetch_related(
            Prefetch("seats", queryset=seats.only("pk", "committee"), to_attr="oparl_seats")
        )
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def committee_seats(collectivity: Collectivity | None) -> QuerySet[CommitteeSeat]:
    qs = _seats_of_members().annotate(
        oparl_modified=_modified(
            F("committee__modified_at"),
            F("committee__term__modified_at"),
            F("member__modified_at"),
            F("member__term__modified_at"),
        )
    )
    return _scoped(qs, "committee__collectivity", collectivity)


def _document_modified() -> Greatest:
    return _modified(
        F("session__modified_at"), F("session__term__modified_at"), _or_own("item__modified_at")
    )


def _embedded_documents() -> QuerySet[Document]:
    return (
        Document.objects.filter(document_visible(), deleted=False)
        .select_related("session", "session__term", "item")
        .annotate(oparl_modified=_document_modified())
        .order_by("pk")
    )


def _item_order() -> Coalesce:
    """An item's place among its meeting's published items, from 0 (OParl `order`)."""
    before = (
        AgendaItem.objects.filter(session=OuterRef("session"), is_public=True, deleted=False)
        .filter(
            Q(number__lt=OuterRef("number")) | Q(number=OuterRef("number"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("session")
        .annotate(c=Count("pk"))
        .values("c")[:1]
    )
    return Coalesce(Subquery(before), 0)


def _items() -> QuerySet[AgendaItem]:
    opinions = Referral.objects.filter(deleted=False, body__deleted=False).order_by("pk")
    return (
        AgendaItem.objects.select_related("session", "session__term", "session__collectivity")
        .annotate(
            oparl_order=_item_order(),
            oparl_modified=_modified(
                F("session__modified_at"),
                F("session__term__modified_at"),
                _latest(Document, "item"),
            ),
        )
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=_embedded_documents().filter(item__isnull=False),
                to_attr="oparl_documents",
            ),
            Prefetch(
                "opinions",
                queryset=opinions.only("pk", "agenda_item"),
                to_attr="oparl_opinions",
            ),
        )
    )


def votes_attach(items: list[AgendaItem]) -> None:
    """Each item's votes as (member id, choice), in one query for all `items`, to
    `oparl_votes`: plain tuples, since a meeting page may carry thousands of votes."""
    by_item: dict[int, list[tuple[int, str]]] = {item.pk: [] for item in items}
    if by_item:
        rows = (
            Vote.objects.filter(item_id__in=by_item, member__deleted=False)
            .order_by("item_id", "member_id")
            .values_list("item_id", "member_id", "choice")
        )
        for item_id, member_id, choice in rows:
            by_item[item_id].append((member_id, choice))
    for item in items:
        item.oparl_votes = by_item[item.pk]  # type: ignore[attr-defined]


def agenda_items_attach(items: list[AgendaItem]) -> None:
    votes_attach(items)


def sessions_attach(sessions: list[Session]) -> None:
    """The members present (ids) to `oparl_present` and their items' votes, in two
    queries for all `sessions`."""
    present: dict[int, list[int]] = {session.pk: [] for session in sessions}
    if present:
        rows = (
            Attendance.objects.filter(
                session_id__in=present, presence=Presence.PRESENT, member__deleted=False
            )
            .order_by("session_id", "member_id")
            .values_list("session_id", "member_id")
        )
        for session_id, member_id in rows:
            present[session_id].append(member_id)
    for session in sessions:
        session.oparl_present = present[session.pk]  # type: ignore[attr-defined]
    votes_attach([item for session in sessions for item in session.oparl_items])  # type: ignore[attr-defined]


def agenda_items(collectivity: Collectivity | None) -> QuerySet[AgendaItem]:
    qs = _items().filter(item_visible())
    return _scoped(qs, "session__collectivity", collectivity).order_by("pk")


def sessions(collectivity: Collectivity | None) -> QuerySet[Session]:
    """Published sessions (OParl Meetings), with their items, files and attendance."""
    embedded_items = _items().filter(is_public=True, deleted=False).order_by("number", "pk")
    qs = (
        Session.objects.filter(session_visible())
        .select_related("collectivity", "term", "minutes", "follows")
        .annotate(
            oparl_modified=_modified(
                F("term__modified_at"),
                _latest(AgendaItem, "session"),
                _latest(Document, "session"),
                _or_own("minutes__modified_at"),
            )
        )
        .prefetch_related(
            Prefetch("items", queryset=embedded_items, to_attr="oparl_items"),
            Prefetch(
                "documents",
                queryset=_embedded_documents().filter(item__isnull=True),
                to_attr="oparl_documents",
            ),
        )
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def session_locations(collectivity: Collectivity | None) -> QuerySet[Session]:
    qs = (
        Session.objects.filter(session_visible())
        .exclude(place="")
        .select_related("collectivity", "term")
        .annotate(oparl_modified=_modified(F("term__modified_at")))
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def documents(collectivity: Collectivity | None) -> QuerySet[Document]:
    qs = (
        Document.objects.filter(document_visible())
        .select_related("session", "session__term", "item")
        .annotate(oparl_modified=_document_modified())
    )
    return _scoped(qs, "session__collectivity", collectivity).order_by("pk")


def minutes(collectivity: Collectivity | None) -> QuerySet[Minutes]:
    qs = (
        Minutes.objects.filter(minutes_visible())
        .select_related("session", "session__term")
        .annotate(
            oparl_modified=_modified(F("session__modified_at"), F("session__term__modified_at"))
        )
    )
    return _scoped(qs, "session__collectivity", collectivity).order_by("pk")


# ------------------------------------------------------------------ advisory bodies


def advisory_bodies(collectivity: Collectivity | None) -> QuerySet[Body]:
    current = BodyMember.objects.filter(deleted=False).order_by("pk")
    qs = (
        Body.objects.select_related("collectivity")
        .annotate(oparl_modified=_modified(_latest(BodyMember, "body")))
        .prefetch_related(
            Prefetch("members", queryset=current.only("pk", "body"), to_attr="oparl_members")
        )
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def body_members(collectivity: Collectivity | None) -> QuerySet[BodyMember]:
    qs = BodyMember.objects.select_related("body", "body__collectivity").annotate(
        oparl_modified=_modified(F("body__modified_at"))
    )
    return _scoped(qs, "body__collectivity", collectivity).order_by("pk")


def _body_document_modified() -> Greatest:
    return _modified(
        F("body__modified_at"), _or_own("meeting__modified_at"), _or_own("referral__modified_at")
    )


def _embedded_body_documents() -> QuerySet[BodyDocument]:
    return (
        BodyDocument.objects.filter(body_document_visible(), deleted=False)
        .select_related("body", "meeting", "referral")
        .annotate(oparl_modified=_body_document_modified())
        .order_by("pk")
    )


def body_meetings(collectivity: Collectivity | None) -> QuerySet[BodyMeeting]:
    qs = (
        BodyMeeting.objects.select_related("body", "body__collectivity")
        .annotate(
            oparl_modified=_modified(F("body__modified_at"), _latest(BodyDocument, "meeting"))
        )
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=_embedded_body_documents(),
                to_attr="oparl_documents",
            )
        )
    )
    return _scoped(qs, "body__collectivity", collectivity).order_by("pk")


def body_meeting_locations(collectivity: Collectivity | None) -> QuerySet[BodyMeeting]:
    qs = (
        BodyMeeting.objects.exclude(place="")
        .select_related("body", "body__collectivity")
        .annotate(oparl_modified=_modified(F("body__modified_at")))
    )
    return _scoped(qs, "body__collectivity", collectivity).order_by("pk")


def body_documents(collectivity: Collectivity | None) -> QuerySet[BodyDocument]:
    qs = (
        BodyDocument.objects.filter(body_document_visible())
        .select_related("body", "meeting", "referral")
        .annotate(oparl_modified=_body_document_modified())
    )
    return _scoped(qs, "body__collectivity", collectivity).order_by("pk")


def referrals(collectivity: Collectivity | None) -> QuerySet[Referral]:
    """Referrals and self-initiated opinions: OParl Papers."""
    qs = (
        Referral.objects.select_related(
            "collectivity",
            "body",
            "agenda_item",
            "agenda_item__session",
            "agenda_item__session__term",
            "session",
        )
        .annotate(
            oparl_modified=_modified(
                F("body__modified_at"),
                _or_own("agenda_item__modified_at"),
                _latest(BodyDocument, "referral"),
            )
        )
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=_embedded_body_documents(),
                to_attr="oparl_documents",
            )
        )
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def advisory_consultations(collectivity: Collectivity | None) -> QuerySet[Referral]:
    """The body's consultation on each referral."""
    qs = Referral.objects.select_related("collectivity", "body").annotate(
        oparl_modified=_modified(F("body__modified_at"))
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


def council_consultations(collectivity: Collectivity | None) -> QuerySet[Referral]:
    """The council's consultation of an opinion, at a published agenda item."""
    qs = (
        Referral.objects.filter(item_visible("agenda_item__"))
        .select_related(
            "collectivity",
            "body",
            "agenda_item",
            "agenda_item__session",
            "agenda_item__session__term",
        )
        .annotate(
            oparl_modified=_modified(
                F("body__modified_at"),
                F("agenda_item__modified_at"),
                F("agenda_item__session__modified_at"),
                F("agenda_item__session__term__modified_at"),
            )
        )
    )
    return _scoped(qs, "collectivity", collectivity).order_by("pk")


# ------------------------------------------------------------------ /api/v1 lists


def api_sessions(collectivity: Collectivity) -> QuerySet[Session]:
    """Published sessions, newest first, with their public items (none deleted)."""
    items = AgendaItem.objects.filter(is_public=True, deleted=False).order_by("number", "pk")
    return (
        Session.objects.filter(
            session_visible(), collectivity=collectivity, deleted=False, term__deleted=False
        )
        .prefetch_related(Prefetch("items", queryset=items, to_attr="api_items"))
        .order_by("-starts_at", "-pk")
    )


def api_members(collectivity: Collectivity) -> QuerySet[Member]:
    seats = (
        CommitteeSeat.objects.filter(deleted=False, committee__deleted=False)
        .select_related("committee")
        .order_by("pk")
    )
    return (
        Member.objects.filter(collectivity=collectivity, deleted=False, term__deleted=False)
        .select_related("term")
        .prefetch_related(Prefetch("committee_seats", queryset=seats, to_attr="api_seats"))
        .order_by("-term__start_date", "pk")
    )


def api_bodies(collectivity: Collectivity) -> QuerySet[Body]:
    current = BodyMember.objects.filter(deleted=False).order_by("pk")
    return (
        Body.objects.filter(collectivity=collectivity, deleted=False)
        .prefetch_related(Prefetch("members", queryset=current, to_attr="api_members"))
        .order_by("pk")
    )


def api_referrals(collectivity: Collectivity) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(collectivity=collectivity, deleted=False, body__deleted=False)
        .select_related("body")
        .order_by("-created_at", "-pk")
    )
