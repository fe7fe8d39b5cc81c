"""Opening programmes over the API (docs: the exchange formats, `openplan/exchange.py`).

- `GET /c/{slug}/programmes`: a collectivity's programmes (`offset`, `limit` ≤ 200),
  latest first: `{count, items: [{id, title, kind, phase, status, reference, progress,
  starts_on, ends_on, url}]}`;
- `GET /programmes/schema`: the JSON Schema (draft 2020-12) of a programme's export;
- `GET /programmes/{id}`: one programme, whole (phases, axes, commitments with their
  milestones and indicators, adopted versions), valid against that schema.

Only what the public pages show: programmes of the network's collectivities, not
abandoned (404 otherwise, as for an unknown id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.lib.bounds import Count, Id
from infitah.openplan import exchange
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["programmes"])

MAX_LIMIT = 200


class ProgrammeListItemOut(Schema):
    id: int
    title: str
    kind: str
    phase: str | None
    status: str
    reference: str
    progress: float
    starts_on: dt.date
    ends_on: dt.date
    url: str


class ProgrammeListOut(Schema):
    count: int
    items: list[ProgrammeListItemOut]


class ProgrammePageQuery(Schema):
    offset: Count = 0
    limit: Count = 50


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity


@router.get(
    "/c/{slug}/programmes",
    response={200: ProgrammeListOut, 404: Any},
    summary="A collectivity's opening programmes and action plans",
    description=(
        "Latest first; `offset` and `limit` (1 to 200) page through them. phase: the "
        "phase of the timeline today (null before the first); progress: 0–100; url: the "
        "public page."
    ),
)
def programme_list(request: HttpRequest, slug: str, page: Query[ProgrammePageQuery]) -> Any:
    programmes = exchange.programme_public_list(collectivity=_collectivity_or_404(slug))
    offset = page.offset
    limit = min(max(page.limit, 1), MAX_LIMIT)
    today = timezone.localdate()
    return {
        "count": programmes.count(),
        "items": [
            exchange.programme_summary(p, today) for p in programmes[offset : offset + limit]
        ],
    }


@router.get(
    "/programmes/schema",
    response={200: dict[str, Any]},
    summary="The JSON Schema of a programme's export",
    description="JSON Schema draft 2020-12: what `GET /programmes/{id}` answers.",
)
def programme_schema(request: HttpRequest) -> Any:
    return exchange.PROGRAMME_SCHEMA


@router.get(
    "/programmes/{pk}",
    response={200: exchange.ProgrammeExport, 404: Any},
    summary="A programme, whole",
    description=(
        "Its phases, axes, commitments (progress 0–100, completion, milestones as a "
        "tree with weight, status and progress, indicators with their values) and "
        "adopted versions with the council's decision; valid against "
        "`GET /programmes/schema`."
    ),
)
def programme_get(request: HttpRequest, pk: Id) -> Any:
    programme = exchange.programme_public_get(pk=pk)
    if programme is None:
        raise HttpError(404, _("Unknown programme."))
    return exchange.programme_export(programme)
