"""Reads of the openness index: rankings, a collectivity's score and history, the
network's distribution. Every function runs a fixed number of queries, whatever the
number of collectivities.

Ranks: among the collectivities with data only (a collectivity with no data is shown as
"no data", not ranked last), by score, ties sharing a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Literal

from django.db.models import Count, Max, Q

from infitah.deadlines.workdays import add_months
from infitah.openness.models import Method, Score
from infitah.territories.models import TERRITORIAL_KINDS, Collectivity, Kind

# Score bands of the distribution: [0, 20), [20, 40), [40, 60), [60, 80), [80, 100].
BANDS: tuple[tuple[int, int], ...] = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


@dataclass(frozen=True)
class RankRow:
    collectivity: Collectivity
    score: Decimal
    # None for a collectivity without data (not ranked).
    rank: int | None
    has_data: bool
    method_version: int


@dataclass(frozen=True)
class PeerRank:
    """A collectivity's rank among the collectivities of its kind with data."""

    rank: int | None
    of: int


@dataclass(frozen=True)
class HistoryRow:
    month: dt.date
    score: Decimal
    has_data: bool
    method_version: int


@dataclass
class DistributionRow:
    """One group (a kind, or a region) of the distribution."""

    key: str
    label: str
    count: int = 0
    no_data: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    median: Decimal | None = None


@dataclass(frozen=True)
class Improvement:
    collectivity: Collectivity
    score: Decimal
    before: Decimal
    delta: Decimal


def latest_month() -> dt.date | None:
    """The latest month that has scores (one query)."""
    month: dt.date | None = Score.objects.aggregate(latest=Max("month"))["latest"]
    return month


def current_method() -> Method | None:
    return Method.objects.order_by("-version").first()


def ranks(scores: Sequence[tuple[Decimal, bool]]) -> list[int | None]:
    """Competition ranks (ties share a rank, the next rank skips) of `scores`, given
    best first; None for the rows without data."""
    result: list[int | None] = []
    position = 0
    previous: Decimal | None = None
    current = 0
    for score, has_data in scores:
        if not has_data:
            result.append(None)
            continue
        position += 1
        if score != previous:
            current, previous = position, score
        result.append(current)
    return result


def _ordered(scores: Iterable[Score]) -> list[Score]:
    """With data first, best score first, then by French name and id (stable)."""
    return sorted(
        scores,
        key=lambda s: (not s.has_data, -s.score, s.collectivity.name_fr, s.collectivity_id),
    )


def ranking(
    *,
    month: dt.date | None = None,
    kind: str | None = None,
    region: Collectivity | None = None,
) -> list[RankRow]:
    """The scores of `month` (default: the latest month with scores), of collectivities
    of `kind` and in `region` (the region itself included) when given, ranked among
    themselves (two queries)."""
    month = month or latest_month()
    if month is None:
        return []
    # Not the items' JSON (a few kB each): the ranking shows the scores only.
    scores = (
        Score.objects.filter(month=month)
        .select_related("collectivity__region", "method")
        .defer("items")
    )
    if kind:
        scores = scores.filter(collectivity__kind=kind)
    if region is not None:
        scores = scores.filter(Q(collectivity__region=region) | Q(collectivity=region))
    ordered = _ordered(scores)
    ranked = ranks([(s.score, s.has_data) for s in ordered])
    return [
        RankRow(
            collectivity=s.collectivity,
            score=s.score,
            rank=rank,
            has_data=s.has_data,
            method_version=s.method.version,
        )
        for s, rank in zip(ordered, ranked, strict=True)
    ]


def score_get(collectivity: Collectivity, month: dt.date | None = None) -> Score | None:
    """The collectivity's score of `month`, or its latest one (one query)."""
    scores = Score.objects.filter(collectivity=collectivity).select_related("method")
    if month is not None:
        return scores.filter(month=month).first()
    return scores.order_by("-month").first()


def rank_get(score: Score, *, same_kind: bool = False) -> PeerRank:
    """The rank of `score` among the month's scores with data (of the same kind of
    collectivity when `same_kind`), and how many there are (one query)."""
    peers = Score.objects.filter(month=score.month, has_data=True)
    if same_kind:
        peers = peers.filter(collectivity__kind=score.collectivity.kind)
    counts = peers.aggregate(of=Count("pk"), above=Count("pk", filter=Q(score__gt=score.score)))
    if not score.has_data:
        return PeerRank(rank=None, of=counts["of"])
    return PeerRank(rank=counts["above"] + 1, of=counts["of"])


def peer_rank(collectivity: Collectivity, month: dt.date) -> PeerRank:
    """The rank of `collectivity` among the collectivities of its kind with data in
    `month` (two queries)."""
    score = score_get(collectivity, month)
    if score is None:
        peers = Score.objects.filter(
            month=month, has_data=True, collectivity__kind=collectivity.kind
        ).count()
        return PeerRank(rank=None, of=peers)
    score.collectivity = collectivity
    return rank_get(score, same_kind=True)


def history(collectivity: Collectivity) -> list[HistoryRow]:
    """The collectivity's scores month by month, oldest first (one query)."""
    return [
        HistoryRow(month=month, score=score, has_data=has_data, method_version=version)
        for month, score, has_data, version in Score.objects.filter(collectivity=collectivity)
        .order_by("month")
        .values_list("month", "score", "has_data", "method__version")
    ]


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return Decimal(median(values)).quantize(Decimal("0.1"))


def _band(score: Decimal) -> int:
    for index, (_low, high) in enumerate(BANDS):
        if score < high:
            return index
    return len(BANDS) - 1


def distribution(month: dt.date, by: Literal["kind", "region"] = "kind") -> list[DistributionRow]:
    """The scores of `month` per kind (in the tree's order) or per region (by French
    name): how many, how many without data, how many with data in each of BANDS, the
    median of those with data (two queries)."""
    rows = Score.objects.filter(month=month).values_list(
        "collectivity_id", "collectivity__kind", "collectivity__region_id", "score", "has_data"
    )
    groups: dict[str, DistributionRow] = {}
    values: dict[str, list[Decimal]] = defaultdict(list)
    if by == "kind":
        for kind in TERRITORIAL_KINDS:
            groups[kind] = DistributionRow(key=kind, label=str(Kind(kind).label))
    else:
        regions = Collectivity.objects.regions().order_by("name_fr", "pk")
        for region in regions:
            groups[str(region.pk)] = DistributionRow(key=region.slug, label=region.name)
    for collectivity_id, collectivity_kind, region_id, score, has_data in rows:
        if by == "kind":
            key = str(collectivity_kind)
        else:
            key = str(collectivity_id if collectivity_kind == Kind.REGION else region_id)
        group = groups.get(key)
        if group is None:
            continue
        group.count += 1
        if not has_data:
            group.no_data += 1
            continue
        group.bands[_band(score)] += 1
        values[key].append(score)
    for key, group in groups.items():
        group.median = _median(values[key])
    return list(groups.values())


def monthly_medians(
    *, kind: str | None = None, region: Collectivity | None = None
) -> list[tuple[dt.date, Decimal | None, int]]:
    """For every month that has scores: (month, median of the scores with data of the
    collectivities of `kind` / in `region` (the region included), how many), oldest
    first; a month where none of them has data gives (month, None, 0) (two queries)."""
    scores = Score.objects.filter(has_data=True)
    if kind:
        scores = scores.filter(collectivity__kind=kind)
    if region is not None:
        scores = scores.filter(Q(collectivity__region=region) | Q(collectivity=region))
    by_month: dict[dt.date, list[Decimal]] = {
        month: [] for month in Score.objects.values_list("month", flat=True).distinct().order_by()
    }
    for month, score in scores.values_list("month", "score").order_by():
        by_month.setdefault(month, []).append(score)
    return [(month, _median(values), len(values)) for month, values in sorted(by_month.items())]


def method_list() -> list[Method]:
    """Every version of the method, newest first (one query)."""
    return list(Method.objects.order_by("-version"))


def month_methods(month: dt.date) -> dict[int, int]:
    """How many scores of `month` each method version produced, by version (one query)."""
    return dict(
        Score.objects.filter(month=month)
        .values_list("method__version")
        .annotate(n=Count("pk"))
        .order_by("method__version")
    )


def region_medians(month: dt.date) -> dict[int, Decimal | None]:
    """The median score (with data) of each region's collectivities, the region itself
    included, by region id; None for a region without any (two queries)."""
    medians: dict[int, list[Decimal]] = {
        pk: [] for pk in Collectivity.objects.regions().values_list("pk", flat=True)
    }
    for collectivity_id, kind, region_id, score in Score.objects.filter(
        month=month, has_data=True
    ).values_list("collectivity_id", "collectivity__kind", "collectivity__region_id", "score"):
        key = collectivity_id if kind == Kind.REGION else region_id
        if key in medians:
            medians[key].append(score)
    return {pk: _median(values) for pk, values in medians.items()}


def most_improved(month: dt.date, months_back: int = 3, limit: int = 10) -> list[Improvement]:
    """The collectivities whose score rose most from `months_back` months before `month`
    to `month` (both with data), best first; ties by French name (two queries)."""
    before_month = add_months(month, -months_back)
    before = dict(
        Score.objects.filter(month=before_month, has_data=True).values_list(
            "collectivity_id", "score"
        )
    )
    if not before:
        return []
    found = [
        Improvement(
            collectivity=s.collectivity,
            score=s.score,
            before=before[s.collectivity_id],
            delta=s.score - before[s.collectivity_id],
        )
        for s in Score.objects.filter(month=month, has_data=True, collectivity_id__in=list(before))
        .select_related("collectivity")
        .defer("items")
        if s.score > before[s.collectivity_id]
    ]
    found.sort(key=lambda i: (-i.delta, i.collectivity.name_fr, i.collectivity.pk))
    return found[:limit]
