"""/api/v1/search: full-text search of everything the collectivities published."""

from __future__ import annotations

import datetime
import re
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.lib.bounds import Count, Page
from infitah.search import selectors
from infitah.territories.selectors import collectivity_get

router = Router(tags=["search"])

PAGE_SIZE = 20
MAX_PAGE = 10_000
# Codes (category, file type) and slugs are short ASCII words; anything else is refused
# before it reaches the database (NUL bytes included).
CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
SLUG_RE = re.compile(r"[A-Za-z0-9_-]{1,120}")


class SearchItemOut(Schema):
    id: str
    object_type: str
    title: str
    collectivity: str
    category: str
    date: datetime.date
    url: str
    snippet: str
    score: float


class SearchOut(Schema):
    count: int
    count_is_capped: bool
    page: int
    page_size: int
    items: list[SearchItemOut]


@router.get("", response={200: SearchOut, 400: Any, 404: Any}, summary="Search published documents")
def search(
    request: HttpRequest,
    q: str = "",
    collectivity: str = "",
    category: str = "",
    year: Count | None = None,
    file_type: str = "",
    page: Page = 1,
) -> SearchOut:
    """Entries matching every word of `q` (spelling-, case- and accent-insensitive, light
    stemming), best first, 20 a page. `collectivity` (a slug) includes the collectivities
    under it. `snippet` is HTML: escaped text with the matched words in `<mark>`. `count`
    is exact up to 1000; beyond, `count_is_capped` is true and only the newest 1000
    matches are ranked."""
    if not 1 <= page <= MAX_PAGE:
        raise HttpError(400, _("The page must be a number from 1 to 10000."))
    if year is not None and not 1 <= year <= 9999:
        raise HttpError(400, _("The year must be a number from 1 to 9999."))
    for value in (category, file_type):
        if value and not CODE_RE.fullmatch(value):
            raise HttpError(400, _("Unknown category or file type."))
    scope = None
    if collectivity:
        scope = collectivity_get(slug=collectivity) if SLUG_RE.fullmatch(collectivity) else None
        # The network's own space is not a territory with collectivities under it.
        if scope is None or scope.is_network_space:
            raise HttpError(404, _("Unknown collectivity."))
    result = selectors.search(
        query=q,
        collectivity=scope,
        category=category,
        year=year,
        file_type=file_type,
        page=page,
        page_size=PAGE_SIZE,
    )
    return SearchOut(
        count=result.count,
        count_is_capped=result.count_is_capped,
        page=result.page,
        page_size=result.page_size,
        items=[
            SearchItemOut(
                id=hit.id,
                object_type=hit.object_type,
                title=hit.title,
                collectivity=hit.collectivity_slug,
                category=hit.category,
                date=hit.date,
                url=hit.url,
                snippet=str(hit.snippet),
                score=hit.score,
            )
            for hit in result.items
        ],
    )
