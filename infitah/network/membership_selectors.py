"""Reads of the network's membership: the charter, the members (public list, counts,
composition over time, a collectivity's panel), applications and the signed invitation
to apply. Every function runs a fixed number of queries whatever the number of members.

Who is a member is `Collectivity.is_network_member`, the flag every public page reads;
`Member` adds the status (active or suspended; a suspended member keeps the flag and its
public pages, marked suspended) and the focal point's public contact. A collectivity
flagged before membership was recorded (no `Member` row) still counts, with its
`joined_network_on`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infitah.lib.text import fold
from infitah.network.models import (
    Application,
    ApplicationStatus,
    ChangeKind,
    Charter,
    Member,
    MemberChange,
    MemberStatus,
)
from infitah.territories.models import Collectivity, Kind

# The network's first cohort (domain.md §8): the date of members flagged without one.
NETWORK_START = dt.date(2022, 10, 21)

# The signed invitation to apply (django.core.signing), valid this long.
APPLY_INVITATION_SALT = "infitah.network.apply-invitation"
APPLY_INVITATION_MAX_AGE = dt.timedelta(days=30)

# The name search of the application form shows at most this many collectivities.
CANDIDATES_MAX = 20


@dataclass(frozen=True)
class KindGroup:
    key: str
    label: Promise
    kinds: tuple[str, ...]


# How the network counts its members (domain.md §8): regions, prefecture and province
# councils ("provincial councils"), communes.
KIND_GROUPS: tuple[KindGroup, ...] = (
    KindGroup("regions", _("Regions"), (Kind.REGION,)),
    KindGroup(
        "provincial", _("Prefecture and province councils"), (Kind.PREFECTURE, Kind.PROVINCE)
    ),
    KindGroup("communes", _("Communes"), (Kind.COMMUNE,)),
)
GROUP_OF_KIND: dict[str, str] = {kind: g.key for g in KIND_GROUPS for kind in g.kinds}


# --- The charter ----------------------------------------------------------------------


def charter_current() -> Charter | None:
    """The charter in force: the latest published version (None on a fresh install)."""
    return Charter.objects.order_by("-version").first()


def charter_next_version() -> int:
    """The number the next published version will take."""
    latest = charter_current()
    return (latest.version if latest is not None else 0) + 1


def charter_list() -> list[Charter]:
    """Every version, latest first."""
    return list(Charter.objects.order_by("-version"))


# --- Members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """A member as the lists show it."""

    collectivity: Collectivity
    region: Collectivity | None
    joined_on: dt.date | None
    status: str
    member: Member | None

    @property
    def kind(self) -> str:
        return self.collectivity.kind

    @property
    def is_suspended(self) -> bool:
        return self.status == MemberStatus.SUSPENDED

    @property
    def group(self) -> str:
        return GROUP_OF_KIND.get(self.kind, "")


def region_of(collectivity: Collectivity) -> Collectivity | None:
    """A collectivity's region; a region's is itself."""
    if collectivity.kind == Kind.REGION:
        return collectivity
    return collectivity.region


def member_rows() -> list[MemberRow]:
    """Every member of the network (active or suspended), in the order they joined.

    One query: the flagged collectivities with their region and `Member` row.
    """
    rows = []
    collectivities = (
        Collectivity.objects.territorial()
        .network_members()
        .select_related("region", "network_member")
        .order_by("joined_network_on", "name_fr", "pk")
    )
    for c in collectivities:
        member: Member | None = getattr(c, "network_member", None)
        joined = member.joined_on if member is not None else c.joined_network_on
        status = member.status if member is not None else MemberStatus.ACTIVE
        if status == MemberStatus.LEFT:  # the flag wins: shown as a member
            status = MemberStatus.ACTIVE
        rows.append(
            MemberRow(
                collectivity=c, region=region_of(c), joined_on=joined, status=status, member=member
            )
        )
    rows.sort(
        key=lambda r: (r.joined_on or NETWORK_START, fold(r.collectivity.name), r.collectivity.pk)
    )
    return rows


def member_rows_filter(
    rows: Iterable[MemberRow], *, kind: str = "", region: Collectivity | None = None
) -> list[MemberRow]:
    """`rows` of one kind (a Kind value) and one region (no query)."""
    return [
        r
        for r in rows
        if (not kind or r.kind == kind)
        and (region is None or (r.region and r.region.pk == region.pk))
    ]


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    key: str = ""


def counts_by_group(rows: Sequence[MemberRow]) -> list[Count]:
    """Members per kind group (regions, provincial councils, communes)."""
    counter = Counter(r.group for r in rows)
    return [Count(label=str(g.label), count=counter[g.key], key=g.key) for g in KIND_GROUPS]


def counts_by_region(rows: Sequence[MemberRow], regions: Sequence[Collectivity]) -> list[Count]:
    """Members per region (every region listed, members or not)."""
    counter = Counter(r.region.pk for r in rows if r.region is not None)
    return [Count(label=reg.name, count=counter[reg.pk], key=reg.slug) for reg in regions]


def region_list() -> list[Collectivity]:
    """The regions, for the filters and the counts."""
    return list(Collectivity.objects.regions().order_by("code", "name_fr", "pk"))


@dataclass(frozen=True)
class CompositionPoint:
    """The network's composition on one day."""

    on: dt.date
    regions: int
    provincial: int
    communes: int
    is_today: bool = False

    @property
    def total(self) -> int:
        return self.regions + self.provincial + self.communes


def composition(*, today: dt.date | None = None) -> list[CompositionPoint]:
    """Members per kind group at the end of each year since the first member joined,
    then today; from the history (joined: +1, left: -1), and for members without a
    recorded joining, from the date they joined. Two queries."""
    today = today or timezone.localdate()
    steps: list[tuple[dt.date, str, int]] = []
    for on, kind, ckind in (
        MemberChange.objects.filter(kind__in=[ChangeKind.JOINED, ChangeKind.LEFT])
        .exclude(collectivity__kind=Kind.NETWORK)
        .values_list("on", "kind", "collectivity__kind")
    ):
        group = GROUP_OF_KIND.get(ckind)
        if group:
            steps.append((on, group, 1 if kind == ChangeKind.JOINED else -1))
    joined = MemberChange.objects.filter(collectivity=OuterRef("pk"), kind=ChangeKind.JOINED)
    for ckind, member_joined, flag_joined in (
        Collectivity.objects.territorial()
        .network_members()
        .filter(~Exists(joined))
        .values_list("kind", "network_member__joined_on", "joined_network_on")
    ):
        group = GROUP_OF_KIND.get(ckind)
        if group:
            steps.append((member_joined or flag_joined or NETWORK_START, group, 1))
    if not steps:
        return []
    steps.sort()
    days = [dt.date(year, 12, 31) for year in range(steps[0][0].year, today.year)]
    days = [d for d in days if d < today]
    points: list[CompositionPoint] = []
    for day in [*days, today]:
        totals = Counter[str]()
        for on, group, delta in steps:
            if on <= day:
                totals[group] += delta
        points.append(
            CompositionPoint(
                on=day,
                regions=max(totals["regions"], 0),
                provincial=max(totals["provincial"], 0),
                communes=max(totals["communes"], 0),
                is_today=day == today,
            )
        )
    return points


def members_api_list(
    *, kind: str = "", region: Collectivity | None = None
) -> QuerySet[Collectivity]:
    """The members for the API, filtered, in the order they joined (with their region
    and `Member` row: one query per page)."""
    qs = (
        Collectivity.objects.territorial()
        .network_members()
        .select_related("region", "network_member")
        .order_by(F("joined_network_on").asc(nulls_first=True), "name_fr", "pk")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(Q(region=region) | Q(pk=region.pk))
    return qs


def region_get(slug: str) -> Collectivity | None:
    return Collectivity.objects.regions().filter(slug=slug).first()


# --- A collectivity's panel ---------------------------------------------------------------


@dataclass
class MemberPanel:
    """What a collectivity's public page shows of its membership."""

    collectivity: Collectivity
    status: str
    joined_on: dt.date | None
    member: Member | None
    history: list[MemberChange] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.collectivity.is_network_member

    @property
    def is_suspended(self) -> bool:
        return self.is_member and self.status == MemberStatus.SUSPENDED

    @property
    def has_left(self) -> bool:
        return not self.is_member

    @property
    def status_label(self) -> str:
        if self.has_left:
            return str(MemberStatus.LEFT.label)
        return str(MemberStatus(self.status).label)

    @property
    def contact(self) -> dict[str, str] | None:
        return public_contact(self.member)


def public_contact(member: Member | None) -> dict[str, str] | None:
    """The focal point's contact the member agreed to publish: {name, email, phone}, or
    None when there is nothing to show. Never the addresses of the application."""
    if member is None:
        return None
    email = member.focal_point_public_email
    phone = member.focal_point_public_phone
    if not (email or phone):
        return None
    return {"name": member.focal_point_name, "email": email, "phone": phone}


def member_panel(collectivity: Collectivity) -> MemberPanel | None:
    """The membership of `collectivity` for its public page: None if it never was a
    member. Two queries."""
    if collectivity.kind == Kind.NETWORK:
        return None
    member = Member.objects.filter(collectivity=collectivity).first()
    if member is None and not collectivity.is_network_member:
        return None
    history = list(
        MemberChange.objects.filter(collectivity=collectivity).order_by("on", "recorded_at", "pk")
    )
    status: str = MemberStatus.ACTIVE
    joined: dt.date | None = collectivity.joined_network_on
    if member is not None:
        status, joined = member.status, member.joined_on
    return MemberPanel(
        collectivity=collectivity, status=status, joined_on=joined, member=member, history=history
    )


# --- The office: members ------------------------------------------------------------------


def office_member_get(slug: str) -> MemberPanel | None:
    """A member, a former member or a flagged collectivity, for the office page."""
    collectivity = (
        Collectivity.objects.territorial().filter(slug=slug).select_related("region").first()
    )
    if collectivity is None:
        return None
    return member_panel(collectivity)


def office_member_search(query: str, *, limit: int = CANDIDATES_MAX) -> list[Collectivity]:
    """Members and former members whose name matches `query`."""
    has_member = Member.objects.filter(collectivity=OuterRef("pk"))
    return list(
        Collectivity.objects.territorial()
        .filter(Q(is_network_member=True) | Q(Exists(has_member)))
        .matching(query)
        .order_by("name_fr", "pk")[:limit]
    )


# --- Applications ----------------------------------------------------------------------


def candidate_search(query: str, *, limit: int = CANDIDATES_MAX) -> list[Collectivity]:
    """Territorial collectivities matching `query` that are not members (they may apply)."""
    return list(
        Collectivity.objects.territorial()
        .filter(is_network_member=False)
        .matching(query)
        .select_related("parent")
        .order_by("kind", "name_fr", "pk")[:limit]
    )


def candidate_get(slug: str) -> Collectivity | None:
    """A territorial collectivity by slug (member or not: the form says which)."""
    return Collectivity.objects.territorial().filter(slug=slug).select_related("parent").first()


def application_pending_exists(collectivity: Collectivity) -> bool:
    return Application.objects.filter(
        collectivity=collectivity, status=ApplicationStatus.PENDING
    ).exists()


def application_list() -> QuerySet[Application]:
    """Every application, pending first (oldest first: first come, first decided), then
    the decided ones (latest first)."""
    return (
        Application.objects.select_related("collectivity", "collectivity__region", "charter")
        .annotate(
            pending_first=Case(
                When(status=ApplicationStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-decided_at", "submitted_at", "pk")
    )


def application_get(pk: int) -> Application | None:
    return (
        Application.objects.select_related(
            "collectivity", "collectivity__region", "charter", "decided_by", "applicant"
        )
        .filter(pk=pk)
        .first()
    )


def application_consents(application: Application) -> dict[str, bool]:
    """Whether the focal point agreed to publish their e-mail and phone, as submitted."""
    return {
        "publish_email": application.focal_point_publish_email,
        "publish_phone": application.focal_point_publish_phone,
    }


# --- The signed invitation to apply ---------------------------------------------------------


@dataclass(frozen=True)
class ApplyInvitation:
    collectivity: Collectivity
    email: str


def apply_invitation_read(token: str) -> ApplyInvitation | None:
    """The invitation a signed link carries, or None if it is tampered with, expired, or
    names a collectivity that is gone."""
    try:
        data = signing.loads(token, salt=APPLY_INVITATION_SALT, max_age=APPLY_INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk, email = data.get("c"), data.get("e")
    if not isinstance(pk, int) or not isinstance(email, str):
        return None
    collectivity = Collectivity.objects.territorial().filter(pk=pk).first()
    if collectivity is None:
        return None
    return ApplyInvitation(collectivity=collectivity, email=email)
