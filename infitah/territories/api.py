"""/api/v1/collectivities: the collectivity tree, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.lib.bounds import Page
from infitah.territories import selectors
from infitah.territories.models import TERRITORIAL_KINDS, Collectivity

router = Router(tags=["collectivities"])

MAX_PAGE_SIZE = 2000


class CollectivityOut(Schema):
    slug: str
    kind: str
    name_ar: str
    name_fr: str
    parent: str | None
    population: int | None
    is_network_member: bool


class CollectivityList(Schema):
    count: int
    items: list[CollectivityOut]


def _out(c: Collectivity) -> CollectivityOut:
    return CollectivityOut(
        slug=c.slug,
        kind=c.kind,
        name_ar=c.name_ar,
        name_fr=c.name_fr,
        parent=c.parent.slug if c.parent_id and c.parent else None,
        population=c.population,
        is_network_member=c.is_network_member,
    )


@router.get(
    "",
    response={200: CollectivityList, 400: Any, 404: Any},
    summary="List collectivities",
)
def collectivity_list(
    request: HttpRequest,
    kind: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    page: Page = 1,
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE,
) -> CollectivityList:
    """All matching collectivities; `count` is the total, `items` one page (all by default).
    The network's own space is not a collectivity of the tree: never listed."""
    if kind and kind not in TERRITORIAL_KINDS:
        raise HttpError(400, _("Unknown kind: use region, prefecture, province or commune."))
    parent_obj = None
    if parent:
        parent_obj = selectors.collectivity_get(slug=parent)
        if parent_obj is None or parent_obj.is_network_space:
            raise HttpError(404, _("Unknown parent collectivity."))
    qs = selectors.collectivity_list(kind=kind, parent=parent_obj, query=(q or "")[:200])
    total = qs.count()
    start = (page - 1) * page_size
    return CollectivityList(count=total, items=[_out(c) for c in qs[start : start + page_size]])


@router.get("/{slug}", response={200: CollectivityOut, 404: Any}, summary="One collectivity")
def collectivity_detail(request: HttpRequest, slug: str) -> CollectivityOut:
    collectivity = selectors.collectivity_get(slug=slug)
    if collectivity is None or collectivity.is_network_space:
        raise HttpError(404, _("Unknown collectivity."))
    return _out(collectivity)
