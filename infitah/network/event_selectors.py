"""Reads of the network's events: public lists and pages, the office's lists, the
attendance statistics, and what a person or a collectivity took part in.

Every function runs a fixed number of queries whatever the number of events or
registrants. The public reads never return a registrant's name or address: counts only
(`EventStats`, `Attendance`); the office's `registration_list` is the one exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from infitah.accounts.models import User
from infitah.lib.text import fold
from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    Event,
    EventDocument,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.territories.models import Collectivity, Kind

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
# Collectivities offered for one search of the registration form.
MATCHES_MAX = 20
# Rows of the include templates (a workspace, a member's page).
FOLLOWED_MAX = 50


def event_rows() -> QuerySet[Event]:
    """Every event."""
    return Event._default_manager.all()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# ----------------------------------------------------------------------- public pages


def event_list_public(
    *, kind: str | None = None, now: dt.datetime | None = None
) -> QuerySet[Event]:
    """Published (and cancelled) events, upcoming first (soonest first), then past ones
    (latest first); each with `n_workshops`. Without `kind`, the workshops of a
    gathering are left to their gathering's page."""
    now = now or timezone.now()
    qs = event_rows().filter(status__in=PUBLIC_STATUSES)
    qs = qs.filter(kind=kind) if kind else qs.filter(parent__isnull=True)
    return (
        qs.select_related("parent")
        .annotate(
            n_workshops=Count("children", filter=Q(children__status__in=PUBLIC_STATUSES)),
            is_past=Case(When(ends_at__lt=now, then=Value(1)), default=Value(0)),
            soon=Case(When(ends_at__gte=now, then=F("starts_at")), default=None),
            late=Case(When(ends_at__lt=now, then=F("starts_at")), default=None),
        )
        .order_by("is_past", "soon", F("late").desc(nulls_last=True), "-pk")
    )


def event_get_public(*, pk: int) -> Event | None:
    """A published (or cancelled) event with its gathering, or None."""
    return (
        event_rows()
        .filter(status__in=PUBLIC_STATUSES)
        .select_related("parent")
        .filter(pk=pk)
        .first()
    )


def event_children_public(*, event: Event) -> list[Event]:
    """The event's published workshops, in the order they take place."""
    return list(
        event_rows().filter(parent=event, status__in=PUBLIC_STATUSES).order_by("starts_at", "pk")
    )


def event_documents(*, event: Event) -> list[EventDocument]:
    return list(EventDocument.objects.filter(event=event).order_by("pk"))


def document_get(*, event: Event, pk: int) -> EventDocument | None:
    return EventDocument.objects.filter(event=event, pk=pk).first()


def collectivity_matches(*, query: str, limit: int = MATCHES_MAX) -> list[Collectivity]:
    """Collectivities of the territorial tree whose name holds every word of `query`
    (in Arabic or French), at most `limit`; none for an empty query."""
    query = query.replace("\x00", "").strip()[:100]
    if not fold(query).split():  # nothing to look for (empty, or punctuation only)
        return []
    return list(
        Collectivity.objects.territorial()
        .matching(query)
        .select_related("parent")
        .order_by("name_fr", "pk")[:limit]
    )


def collectivities_by_pk(pks: list[int]) -> list[Collectivity]:
    if not pks:
        return []
    return list(Collectivity.objects.territorial().filter(pk__in=pks).order_by("name_fr", "pk"))


# ------------------------------------------------------------------------- statistics


@dataclass
class Tally:
    """Registered and attended counts of one role, collectivity or region."""

    label: str
    registered: int = 0
    attended: int = 0
    key: str = ""


@dataclass
class EventStats:
    registered: int = 0
    attended: int = 0
    absent: int = 0
    unmarked: int = 0
    women_registered: int = 0
    women_attended: int = 0
    undisclosed_attended: int = 0
    by_role: list[Tally] = field(default_factory=list)
    by_collectivity: list[Tally] = field(default_factory=list)
    by_region: list[Tally] = field(default_factory=list)
    # Collectivities with at least one person present.
    collectivities_attended: int = 0

    @property
    def is_marked(self) -> bool:
        return self.attended + self.absent > 0

    @property
    def women_share_attended(self) -> float | None:
        return _share(self.women_attended, self.attended)

    @property
    def women_share_registered(self) -> float | None:
        return _share(self.women_registered, self.registered)

    @property
    def women_percent_attended(self) -> int | None:
        share = self.women_share_attended
        return None if share is None else round(share * 100)

    @property
    def women_percent_registered(self) -> int | None:
        share = self.women_share_registered
        return None if share is None else round(share * 100)


def _region_of(collectivity: Collectivity) -> Collectivity:
    if collectivity.kind == Kind.REGION or collectivity.region is None:
        return collectivity
    return collectivity.region


def event_stats(*, event: Event) -> EventStats:
    """Counts of the event's active registrations: registered, present, absent, not
    marked; women (of the registered and of those present); by capacity, collectivity
    and region. Two queries."""
    rows = (
        Registration.objects.filter(event=event, cancelled_at__isnull=True)
        .values_list("role", "gender", "collectivity_id", "attended")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stats = EventStats()
    roles = {role: Tally(label=str(role.label), key=role.value) for role in AttendeeRole}
    places: dict[int | None, Tally] = {}
    for role, gender, collectivity_id, attended, n in rows:
        stats.registered += n
        women = n if gender == AttendeeGender.FEMALE else 0
        stats.women_registered += women
        tally = roles.get(role) or roles[AttendeeRole.OTHER]
        tally.registered += n
        place = places.setdefault(collectivity_id, Tally(label=""))
        place.registered += n
        if attended is True:
            stats.attended += n
            stats.women_attended += women
            if gender == AttendeeGender.UNDISCLOSED:
                stats.undisclosed_attended += n
            tally.attended += n
            place.attended += n
        elif attended is False:
            stats.absent += n
        else:
            stats.unmarked += n
    stats.by_role = list(roles.values())
    found = Collectivity.objects.select_related("region").filter(
        pk__in=[pk for pk in places if pk is not None]
    )
    regions: dict[int | None, Tally] = {}
    for collectivity in found:
        place = places[collectivity.pk]
        place.label, place.key = collectivity.name, collectivity.slug
        region = _region_of(collectivity)
        total = regions.setdefault(region.pk, Tally(label=region.name, key=region.slug))
        total.registered += place.registered
        total.attended += place.attended
    if None in places:
        regions[None] = Tally(
            label="",
            registered=places[None].registered,
            attended=places[None].attended,
        )
    stats.collectivities_attended = sum(
        1 for pk, place in places.items() if pk is not None and place.attended
    )
    order = lambda t: (-t.attended, -t.registered, t.label)  # noqa: E731
    stats.by_collectivity = sorted((t for t in places.values() if t.key), key=order)
    if None in places:
        stats.by_collectivity.append(places[None])
    stats.by_region = sorted((t for pk, t in regions.items() if pk is not None), key=order)
    if None in regions:
        stats.by_region.append(regions[None])
    return stats


@dataclass
class Attendance:
    """What the API publishes of an event's attendance: counts only."""

    attended: int = 0
    women: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    marked: bool = False

    @property
    def women_share(self) -> float | None:
        return _share(self.women, self.attended)


def attendance_of(event_ids: list[int]) -> dict[int, Attendance]:
    """{event id: Attendance} of the given events (those with marked attendance only).
    One query."""
    if not event_ids:
        return {}
    rows = (
        Registration.objects.filter(
            event_id__in=event_ids, cancelled_at__isnull=True, attended__isnull=False
        )
        .values_list("event_id", "role", "gender", "attended")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[int, Attendance] = {}
    for event_id, role, gender, attended, n in rows:
        item = found.setdefault(
            event_id, Attendance(by_role={role.value: 0 for role in AttendeeRole}, marked=True)
        )
        if attended:
            item.attended += n
            item.by_role[role if role in item.by_role else AttendeeRole.OTHER.value] += n
            if gender == AttendeeGender.FEMALE:
                item.women += n
    return found


def registration_counts(event_ids: list[int]) -> dict[int, int]:
    """{event id: active registrations}. One query."""
    if not event_ids:
        return {}
    rows = (
        Registration.objects.filter(event_id__in=event_ids, cancelled_at__isnull=True)
        .values_list("event_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


# ----------------------------------------------------------------------------- the API


def event_list_api(
    *, kind: str | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> QuerySet[Event]:
    """Published (and cancelled) events, latest first; `since`: those ending on or after
    that day; `until`: those starting on or before it (Morocco's calendar days)."""
    qs = event_rows().filter(status__in=PUBLIC_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    if since is not None:
        qs = qs.filter(ends_at__date__gte=since)
    if until is not None:
        qs = qs.filter(starts_at__date__lte=until)
    return qs.order_by("-starts_at", "-pk")


# --------------------------------------------------------------------------- the office


def office_event_list() -> QuerySet[Event]:
    """Every event, drafts included, latest first, with `n_registered` and
    `n_attended`."""
    active = Q(registrations__cancelled_at__isnull=True)
    return (
        event_rows()
        .select_related("parent")
        .annotate(
            n_registered=Count("registrations", filter=active),
            n_attended=Count("registrations", filter=active & Q(registrations__attended=True)),
        )
        .order_by("-starts_at", "-pk")
    )


def office_event_get(*, pk: int) -> Event | None:
    return event_rows().select_related("parent").filter(pk=pk).first()


def office_children(*, event: Event) -> list[Event]:
    return list(event_rows().filter(parent=event).order_by("starts_at", "pk"))


def gathering_choices(*, exclude: Event | None = None) -> list[Event]:
    """The gatherings a workshop may belong to (not cancelled), latest first."""
    qs = event_rows().filter(kind=EventKind.GATHERING).exclude(status=EventStatus.CANCELLED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("-starts_at", "-pk"))


def registration_list(*, event: Event) -> list[Registration]:
    """The event's active registrations with their collectivity, in the order they came
    (the office only: names and addresses)."""
    return list(
        Registration.objects.filter(event=event, cancelled_at__isnull=True)
        .select_related("collectivity")
        .order_by("registered_at", "pk")
    )


# ------------------------------------------------------- what people took part in


def trainings_followed(user: User) -> list[Registration]:
    """The published events `user` attended (registered with their account or with
    their account's address), newest first, each registration with its event."""
    if not user.is_authenticated:
        return []
    return list(
        Registration.objects.filter(
            Q(user=user) | Q(email=user.email.lower()),
            attended=True,
            cancelled_at__isnull=True,
            event__status__in=PUBLIC_STATUSES,
        )
        .select_related("event")
        .order_by("-event__starts_at", "-pk")[:FOLLOWED_MAX]
    )


def events_of(collectivity: Collectivity) -> list[Event]:
    """The published events where people of `collectivity` were present, newest first,
    each with `n_attended` (how many of them)."""
    return list(
        event_rows()
        .filter(status__in=PUBLIC_STATUSES)
        .filter(
            registrations__collectivity=collectivity,
            registrations__attended=True,
            registrations__cancelled_at__isnull=True,
        )
        .annotate(n_attended=Count("registrations", output_field=IntegerField()))
        .order_by("-starts_at", "-pk")[:FOLLOWED_MAX]
    )
