"""The openness index over the API (docs/openness.md).

- `GET /openness?kind=&region=`: the ranking of the latest month with scores:
  `{count, method_version, month, items: [{collectivity: {slug, name_ar, name_fr, kind,
  region}, score, rank, has_data}]}`, best first; collectivities without data last,
  unranked (`rank` null). `kind` and `region` (a region's slug) narrow the list, and the
  ranks are then among the collectivities listed.
- `GET /c/{slug}/openness`: a collectivity's latest score with its rank (all kinds) and
  its rank among the collectivities of its kind, its items with their evidence and
  advice, and its history month by month.

Every collectivity of the tree has a score, network member or not (with less data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.openness import selectors
from infitah.openness.models import Score
from infitah.territories.models import Collectivity, Kind
from infitah.territories.selectors import collectivity_get

router = Router(tags=["openness"])


class OpennessCollectivityOut(Schema):
    slug: str
    name_ar: str
    name_fr: str
    kind: str
    # The slug of the region it belongs to (a region's own slug for a region).
    region: str | None


class OpennessRankOut(Schema):
    collectivity: OpennessCollectivityOut
    score: float
    rank: int | None
    has_data: bool


class OpennessRankingOut(Schema):
    count: int
    method_version: int | None
    month: dt.date | None
    items: list[OpennessRankOut]


class OpennessRankingQuery(Schema):
    kind: Kind | None = None
    region: str | None = None


class OpennessItemOut(Schema):
    code: str
    weight: int
    fraction: float | None
    points: float | None
    max_points: float
    evidence: dict[str, Any]
    advice: list[str]


class OpennessHistoryOut(Schema):
    month: dt.date
    score: float
    has_data: bool
    method_version: int


class OpennessScoreOut(Schema):
    collectivity: OpennessCollectivityOut
    month: dt.date
    method_version: int
    score: float
    has_data: bool
    rank: int | None
    ranked: int
    peer_rank: int | None
    peer_count: int
    items: list[OpennessItemOut]
    history: list[OpennessHistoryOut]


def _collectivity(collectivity: Collectivity) -> dict[str, Any]:
    region: str | None = None
    if collectivity.kind == Kind.REGION:
        region = collectivity.slug
    elif collectivity.region is not None:
        region = collectivity.region.slug
    return {
        "slug": collectivity.slug,
        "name_ar": collectivity.name_ar,
        "name_fr": collectivity.name_fr,
        "kind": collectivity.kind,
        "region": region,
    }


def _region_or_400(slug: str) -> Collectivity:
    region = collectivity_get(slug=slug)
    if region is None or region.kind != Kind.REGION:
        raise ValidationError(
            [{"loc": ["query", "region"], "msg": "unknown region", "type": "unknown_region"}]
        )
    return region


@router.get(
    "/openness",
    response={200: OpennessRankingOut},
    url_name="openness_ranking",
    summary="The openness index: every collectivity's score, ranked",
    description=(
        "The latest month with scores (month null, and no item, before the first "
        "computation). score: 0–100, one decimal; rank: among the collectivities listed "
        "that have data, ties sharing a rank; a collectivity without data comes last "
        "with rank null ('no data', not a failure). kind: region, prefecture, province "
        "or commune; region: a region's slug (the region and the collectivities in it). "
        "method_version: the version of the method of the latest scores (the method "
        "page gives its weights)."
    ),
)
def openness_ranking(request: HttpRequest, filters: Query[OpennessRankingQuery]) -> Any:
    region = _region_or_400(filters.region) if filters.region else None
    rows = selectors.ranking(kind=filters.kind.value if filters.kind else None, region=region)
    method = selectors.current_method()
    versions = {row.method_version for row in rows}
    return {
        "count": len(rows),
        "method_version": max(versions) if versions else (method.version if method else None),
        "month": selectors.latest_month() if rows else None,
        "items": [
            {
                "collectivity": _collectivity(row.collectivity),
                "score": float(row.score),
                "rank": row.rank,
                "has_data": row.has_data,
            }
            for row in rows
        ],
    }


@router.get(
    "/c/{slug}/openness",
    response={200: OpennessScoreOut, 404: Any},
    url_name="openness_score",
    summary="A collectivity's openness score, its items and history",
    description=(
        "The latest score. rank: among all the collectivities with data that month "
        "(ranked: how many); peer_rank: among those of the same kind (peer_count: how "
        "many). items, in the method's order: weight, fraction 0–1 (null: nothing to "
        "judge, the item does not count), points earned of max_points (the points add "
        "up to the score), evidence (what was counted) and advice (codes of what would "
        "gain points, explained on the method page). history: every month's score, "
        "oldest first, with the method version that produced it."
    ),
)
def openness_score(request: HttpRequest, slug: str) -> Any:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or collectivity.is_network_space:
        raise HttpError(404, _("Unknown collectivity."))
    score: Score | None = selectors.score_get(collectivity)
    if score is None:
        raise HttpError(404, _("This collectivity has no openness score yet."))
    score.collectivity = collectivity
    overall = selectors.rank_get(score)
    peers = selectors.rank_get(score, same_kind=True)
    region = (
        Collectivity.objects.filter(pk=collectivity.region_id).only("slug").first()
        if collectivity.region_id is not None
        else None
    )
    collectivity.region = region
    return {
        "collectivity": _collectivity(collectivity),
        "month": score.month,
        "method_version": score.method.version,
        "score": float(score.score),
        "has_data": score.has_data,
        "rank": overall.rank,
        "ranked": overall.of,
        "peer_rank": peers.rank,
        "peer_count": peers.of,
        "items": score.items,
        "history": [
            {
                "month": row.month,
                "score": float(row.score),
                "has_data": row.has_data,
                "method_version": row.method_version,
            }
            for row in selectors.history(collectivity)
        ],
    }
