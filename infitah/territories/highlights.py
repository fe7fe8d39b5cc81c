"""What the home pages show, registered by the apps that own it.

Two registries, filled from the apps' `AppConfig.ready()` (territories imports no other
app; each app's `highlights.py` registers into it):

- **highlight sources**: what is new or open — documents published, consultations,
  surveys and labs open now, petitions collecting signatures. A source answers for a set
  of collectivities, or for the whole network (None), in bulk: a fixed number of queries
  whatever their number. It returns public items only, in the active language.
- **figure sources**: one domain's account (a `FigureGroup`: documents published, how
  requests were answered…) for one collectivity, or for the whole network (None).

The network home (`board_compute(None)`) and a collectivity's home (`board_compute(c)`)
draw both. Their HTML is cached per collectivity and language for `FRAGMENT_SECONDS`
(`cached_board`), and made stale at once when a watched model of that collectivity
changes (`watch`) or the "territories" pages are (infitah.lib.pagecache), so that a view
the page cache does not serve runs no query on a hit (docs/territories.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language

from infitah.lib.pagecache import version_key
from infitah.territories.models import Collectivity

# Sections of the home pages, and the order of their items.
PUBLICATIONS = "publications"
PARTICIPATION = "participation"
PETITIONS = "petitions"
SECTIONS = (PUBLICATIONS, PARTICIPATION, PETITIONS)
# Newest first, except what is open for participation: closing soonest first.
_NEWEST_FIRST = {PUBLICATIONS: True, PARTICIPATION: False, PETITIONS: True}

# How many items each section shows.
HOME_LIMITS = {PUBLICATIONS: 5, PARTICIPATION: 6, PETITIONS: 4}
COLLECTIVITY_LIMITS = {PUBLICATIONS: 5, PARTICIPATION: 8, PETITIONS: 5}

# The window of the answered-on-time figures.
WINDOW_DAYS = 365

# Seconds the HTML of a board is kept (per collectivity and language). A change of a
# watched model makes it stale at once; what no signal announces (a signature counted,
# a consultation closing at its hour) shows within this delay.
FRAGMENT_SECONDS = 60

Scope = Sequence[Collectivity] | models.QuerySet[Collectivity] | None


@dataclass(frozen=True)
class Item:
    """One thing a home page lists: a document, a consultation, a survey, a lab or a
    petition, with the collectivity it belongs to."""

    section: str
    kind: str  # "document", "consultation", "survey", "lab", "petition"
    kind_label: str
    title: str
    url: str
    collectivity_name: str
    collectivity_url: str
    # Publications: when published; participation: when it closes; petitions: since when
    # it collects signatures.
    at: dt.datetime
    detail: str = ""  # e.g. a document's category
    value: int | None = None  # petitions: confirmed signatures
    target: int | None = None  # petitions: signatures required

    @property
    def percent(self) -> int | None:
        if self.value is None or not self.target:
            return None
        return min(100, self.value * 100 // self.target)

    @property
    def days_left(self) -> int:
        """Participation: whole days until closing, counting a started day."""
        seconds = (self.at - timezone.now()).total_seconds()
        return max(0, -int(-seconds // 86_400))


@dataclass(frozen=True)
class Found:
    """A source's items (at most the limit asked for) and how many there are in all."""

    items: list[Item]
    total: int


@dataclass(frozen=True)
class HighlightSource:
    """`collect(scope, limit=…, now=…)`: the public items of `scope` (None: the whole
    network), newest (or, for participation, closing soonest) first, in a fixed number
    of queries."""

    key: str
    section: str
    collect: Callable[..., Found]
    order: int = 100


@dataclass(frozen=True)
class Figure:
    """One tile of a dashboard: a value (already formatted), what it counts, and an
    optional qualifier ("7 of 9 obligations published"; "latest on" + `date`) and link."""

    value: str
    label: str | Promise
    note: str = ""
    date: dt.date | None = None
    url: str = ""


@dataclass(frozen=True)
class Timeliness:
    """Cases received in the window and how they were answered against their legal time
    limit. `late` counts the cases answered after their due date and those whose due
    date passed unanswered; cases still within their time limit count in neither."""

    received: int
    answered: int
    on_time: int
    late: int
    median_days: float | None
    working_days: bool  # the unit of `median_days`: working or calendar days

    @property
    def due(self) -> int:
        """Cases whose time limit is over: answered, or past due."""
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> int | None:
        if not self.due:
            return None
        return round(self.on_time * 100 / self.due)

    @property
    def on_time_label(self) -> str:
        """The share answered on time, formatted ("" when none is due yet)."""
        rate = self.on_time_percent
        return "" if rate is None else percent(rate)

    @property
    def median_whole_days(self) -> int | None:
        """The median rounded to a whole day (half up), for display."""
        return None if self.median_days is None else int(self.median_days + 0.5)

    @property
    def has_cases(self) -> bool:
        return self.received > 0


@dataclass(frozen=True)
class FigureGroup:
    """One domain's account on a dashboard. `figures` empty and no cases: `empty` says
    so in a sentence. `headline` is the one figure the network home puts in its strip."""

    key: str
    title: str | Promise
    figures: list[Figure] = field(default_factory=list)
    timeliness: Timeliness | None = None
    empty: str | Promise = ""
    url: str = ""
    url_label: str | Promise = ""
    headline: Figure | None = None
    order: int = 100

    @property
    def is_empty(self) -> bool:
        return not self.figures and (self.timeliness is None or not self.timeliness.has_cases)


@dataclass(frozen=True)
class FigureSource:
    """`compute(collectivity, today)`: the group of `collectivity` (None: the whole
    network), or None when the domain has nothing to say about it."""

    key: str
    compute: Callable[[Collectivity | None, dt.date], FigureGroup | None]
    order: int = 100


_sources: dict[str, HighlightSource] = {}
_figures: dict[str, FigureSource] = {}


def register_highlights(source: HighlightSource) -> None:
    if source.section not in SECTIONS:
        raise ValueError(f"unknown section {source.section!r}")
    _sources[source.key] = source


def register_figures(source: FigureSource) -> None:
    _figures[source.key] = source


def unregister(key: str) -> None:
    _sources.pop(key, None)
    _figures.pop(key, None)


# --- The boards --------------------------------------------------------------------------


@dataclass
class Section:
    items: list[Item] = field(default_factory=list)
    total: int = 0


@dataclass
class Board:
    """What a home page shows of one collectivity, or of the whole network (None)."""

    collectivity: Collectivity | None
    sections: dict[str, Section]
    groups: list[FigureGroup]

    @property
    def publications(self) -> Section:
        return self.sections[PUBLICATIONS]

    @property
    def participation(self) -> Section:
        return self.sections[PARTICIPATION]

    @property
    def petitions(self) -> Section:
        return self.sections[PETITIONS]

    @property
    def headlines(self) -> list[Figure]:
        return [g.headline for g in self.groups if g.headline is not None]

    @property
    def timeliness(self) -> list[FigureGroup]:
        """The groups that account for answers in a legal time limit."""
        return [g for g in self.groups if g.timeliness is not None]

    @property
    def is_empty(self) -> bool:
        """Nothing published, received or open: the page says so instead of zeros."""
        return all(not s.total for s in self.sections.values()) and all(
            g.is_empty for g in self.groups
        )


def board_compute(
    collectivity: Collectivity | None,
    *,
    limits: dict[str, int] | None = None,
    now: dt.datetime | None = None,
) -> Board:
    """Every registered source and figure for `collectivity` (None: the network).

    The number of queries depends on the registered sources only, never on the number
    of collectivities or items.
    """
    now = now or timezone.now()
    limits = limits or (HOME_LIMITS if collectivity is None else COLLECTIVITY_LIMITS)
    scope: Scope = None if collectivity is None else [collectivity]
    sections = {name: Section() for name in SECTIONS}
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        found = source.collect(scope, limit=limits[source.section], now=now)
        section = sections[source.section]
        section.items.extend(found.items)
        section.total += found.total
    for name, section in sections.items():
        section.items.sort(key=lambda i: i.at, reverse=_NEWEST_FIRST[name])
        del section.items[limits[name] :]
    today = timezone.localdate(now)
    groups = [
        group
        for source in sorted(_figures.values(), key=lambda s: (s.order, s.key))
        if (group := source.compute(collectivity, today)) is not None
    ]
    groups.sort(key=lambda g: (g.order, g.key))
    return Board(collectivity=collectivity, sections=sections, groups=groups)


# --- Helpers for the sources -------------------------------------------------------------


def scope_filter(
    queryset: models.QuerySet[Any], scope: Scope, *, through: str = "collectivity"
) -> Any:
    """`queryset` limited to the collectivities of `scope` (None: left whole)."""
    if scope is None:
        return queryset
    return queryset.filter(**{f"{through}__in": scope})


def window_start(today: dt.date) -> dt.date:
    """The first day of the answered-on-time window ending `today`."""
    return today - dt.timedelta(days=WINDOW_DAYS)


def median_of(values: Iterable[int | None]) -> float | None:
    found = [v for v in values if v is not None]
    return median(found) if found else None


def timeliness_of(
    cases: models.QuerySet[Any],
    *,
    today: dt.date,
    open_statuses: Iterable[str],
    days_field: str,
    working_days: bool,
    also_late: Q | None = None,
) -> Timeliness:
    """How the `cases` (received in the window) were answered (two queries at most).

    A case model of the case engine has `answered_on`, `is_answered_late`, `status` and
    the `answer_deadline` of its answer clock. Late: answered after the due date, or
    still open past it (or matching `also_late`, e.g. deemed refused) without an answer.
    """
    unanswered = Q(answered_on__isnull=True)
    past_due = Q(status__in=list(open_statuses), answer_deadline__due_date__lt=today)
    if also_late is not None:
        past_due |= also_late
    totals = cases.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=~unanswered),
        on_time=Count("pk", filter=~unanswered & Q(is_answered_late=False)),
        late=Count("pk", filter=(~unanswered & Q(is_answered_late=True)) | (unanswered & past_due)),
    )
    answered = int(totals["answered"] or 0)
    days = (
        median_of(cases.filter(~unanswered).values_list(days_field, flat=True))
        if answered
        else None
    )
    return Timeliness(
        received=int(totals["received"] or 0),
        answered=answered,
        on_time=int(totals["on_time"] or 0),
        late=int(totals["late"] or 0),
        median_days=days,
        working_days=working_days,
    )


def count(n: int) -> str:
    """A whole number as the active language groups it."""
    return number_format(n, force_grouping=True)


def percent(n: int) -> str:
    """`n` per cent as the active language writes it: "87 %" in French (a narrow
    no-break space), "87%" in Arabic, where a sign set apart from its number would move
    to the other side of it in right-to-left text."""
    if (get_language() or "ar").startswith("fr"):
        return f"{n}\u202f%"
    return f"{n}%"


# --- Cached pages -------------------------------------------------------------------------

NETWORK = "network"  # where the network home's board is cached; a collectivity's: its slug

T = TypeVar("T")


def _version_key(where: str) -> str:
    return f"hl:ver:{where}"


# The version of the page cache's "territories" namespace: what makes the collectivity
# pages stale there (a collectivity, a membership or a module changed, a dataset
# published) makes the boards stale too.
PAGES_VERSION_KEY = version_key("territories")


def cached_board(where: str, name: str, build: Callable[[], T | None]) -> T | None:
    """What `build()` makes for `where` (NETWORK, or a collectivity's slug) in the active
    language, from the cache while it is current: one cache round trip and no query on
    a hit. `build` returns what depends on nothing but the collectivity and the language
    (rendered, escaped HTML); None is returned as is and not kept."""
    version_key_ = _version_key(where)
    key = f"hl:page:{name}:{where}:{get_language()}"
    found = cache.get_many([version_key_, PAGES_VERSION_KEY, key])
    version = found.get(version_key_)
    if version is None:
        version = 1
        cache.add(version_key_, version, None)
    stamp = (version, found.get(PAGES_VERSION_KEY, 1))
    hit = found.get(key)
    if hit is not None and hit[0] == stamp:
        return cast(T, hit[1])
    value = build()
    if value is not None:
        cache.set(key, (stamp, value), FRAGMENT_SECONDS)
    return value


def _bump(key: str) -> None:
    if not cache.add(key, 2, None):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 2, None)


def changed(collectivity_id: int | None) -> None:
    """Make the cached boards of `collectivity_id` and of the network stale (one query:
    the collectivity's slug, under which its page is cached)."""
    if collectivity_id is not None:
        slug = Collectivity.objects.filter(pk=collectivity_id).values_list("slug", flat=True)
        for found in slug[:1]:
            _bump(_version_key(found))
    _bump(_version_key(NETWORK))


def watch(model: type[models.Model], *, field_name: str = "collectivity_id") -> None:
    """Make the boards stale when a row of `model` is saved or deleted (after the commit:
    a page built meanwhile from the old rows would otherwise be kept). Cache invalidation
    is the one use of signals the house style allows."""

    def on_change(instance: models.Model, **kwargs: object) -> None:
        collectivity_id = getattr(instance, field_name, None)
        transaction.on_commit(lambda: changed(collectivity_id))

    uid = f"highlights-{model._meta.label_lower}"
    post_save.connect(on_change, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(on_change, sender=model, dispatch_uid=f"{uid}-d", weak=False)
