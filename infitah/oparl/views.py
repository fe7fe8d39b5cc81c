"""The OParl 1.1 API, /oparl/v1/ (docs/oparl.md): public, read-only JSON, no account.

- `system`, then `bodies` (the System's list of bodies), then each body and its lists;
- each object at its id (an absolute URL), lists paged with `?page=` (from 1), 100
  objects a page (`elementsPerPage` asks for fewer), with OParl's `pagination` and
  `links` (`next` on every page but the last), and the filters `created_since`,
  `created_until`, `modified_since`, `modified_until` (ISO 8601 date-times) and
  `omit_internal` (objects without their embedded objects);
- files at `file/<kind>/<id>/download`.

Errors are JSON too: 400 for a malformed parameter, 404 for an unknown object (a
deleted one is still answered, as deleted).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from infitah.lib.bounds import INT_MAX, whole_number
from infitah.oparl import objects, selectors
from infitah.oparl.sources import (
    BODY,
    BODY_LISTS,
    BODY_MEETING,
    BY_ID,
    COUNCIL,
    SESSION,
    Source,
)
from infitah.territories.models import Collectivity

PAGE_SIZE = 100
FILTERS = {
    "created_since": "created_at__gte",
    "created_until": "created_at__lte",
    "modified_since": "oparl_modified__gte",
    "modified_until": "oparl_modified__lte",
}
FALSE_TEXT = frozenset({"0", "false", "no", "off"})
# The language of the published texts and labels (objects.py).
CONTENT_LANGUAGE = "ar"


class BadQuery(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Query:
    page: int
    size: int
    since_until: dict[str, dt.datetime]
    omit_internal: bool


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )
    # OParl asks servers to let browser clients of any site read the data (CORS).
    response["Access-Control-Allow-Origin"] = "*"
    if status < 400:
        response["Content-Language"] = CONTENT_LANGUAGE
    return response


def _not_found() -> JsonResponse:
    return _json({"detail": _("There is no such object.")}, status=404)


def _moment(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 date-time (a date alone: its start); without an offset, Morocco's
    time. An unencoded "+" of the offset arrives as a space: read it as "+"."""
    value = raw.strip().replace(" ", "+")
    try:
        found = parse_datetime(value)
        if found is None:
            day = parse_date(value)
            if day is not None:
                found = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        found = None
    if found is None or not 1 <= found.year <= 9998:
        raise BadQuery(
            _("%(name)s must be an ISO 8601 date-time, e.g. 2026-02-01T00:00:00+01:00.")
            % {"name": name}
        )
    if timezone.is_naive(found):
        found = timezone.make_aware(found)
    return found


def _query(request: HttpRequest) -> Query:
    page = 1
    raw_page = request.GET.get("page")
    if raw_page is not None:
        parsed = whole_number(raw_page, minimum=1)
        if parsed is None:
            raise BadQuery(_("page must be a whole number from 1."))
        page = parsed
    size = PAGE_SIZE
    asked = whole_number(request.GET.get("elementsPerPage"), minimum=1)
    if asked is not None:  # a wish the server may refuse (OParl): at most PAGE_SIZE
        size = min(asked, PAGE_SIZE)
    since_until = {
        lookup: _moment(name, request.GET[name])
        for name, lookup in FILTERS.items()
        if request.GET.get(name)
    }
    omit = request.GET.get("omit_internal")
    return Query(
        page=page,
        size=size,
        since_until=since_until,
        omit_internal=omit is not None and omit.strip().lower() not in FALSE_TEXT,
    )


def _ctx(request: HttpRequest, query: Query | None = None) -> objects.Ctx:
    system_url = request.build_absolute_uri(reverse("oparl:system"))
    return objects.Ctx(
        base=system_url.removesuffix("system"),
        site=request.build_absolute_uri("/"),
        omit_internal=query.omit_internal if query is not None else False,
    )


def _link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _page(
    request: HttpRequest, query: Query, parts: Sequence[tuple[QuerySet[Any], Source]]
) -> JsonResponse:
    """One page of the concatenation of `parts` (each a query set and its source): one
    COUNT per part, then one query (and its prefetches) per part on the page."""
    ctx = _ctx(request, query)
    filtered = [(rows.filter(**query.since_until), source) for rows, source in parts]
    counts = [rows.count() for rows, _source in filtered]
    total = sum(counts)
    start = min((query.page - 1) * query.size, INT_MAX)
    end = start + query.size
    data: list[objects.Obj] = []
    offset = 0
    with translation.override(CONTENT_LANGUAGE):
        for (rows, source), count in zip(filtered, counts, strict=True):
            low, high = max(start - offset, 0), min(end - offset, count)
            if low < high:
                found = list(rows[low:high])
                source.attach(found)
                data.extend(source.build(ctx, row) for row in found)
            offset += count
    pages = max(1, math.ceil(total / query.size))
    links = {
        "first": _link(request, 1),
        "self": _link(request, query.page),
        "last": _link(request, pages),
    }
    if query.page > 1:
        links["prev"] = _link(request, min(query.page - 1, pages))
    if query.page < pages:
        links["next"] = _link(request, query.page + 1)
    return _json(
        {
            "data": data,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": query.size,
                "currentPage": query.page,
                "totalPages": pages,
            },
            "links": links,
        }
    )


def _list(request: HttpRequest, parts: Sequence[tuple[QuerySet[Any], Source]]) -> JsonResponse:
    try:
        query = _query(request)
    except BadQuery as exc:
        return _json({"detail": exc.message}, status=400)
    return _page(request, query, parts)


def _one(request: HttpRequest, source: Source, row: Any) -> JsonResponse:
    try:
        query = _query(request)
    except BadQuery as exc:
        return _json({"detail": exc.message}, status=400)
    source.attach([row])
    with translation.override(CONTENT_LANGUAGE):
        return _json(source.build(_ctx(request, query), row))


# ------------------------------------------------------------------ views


@require_safe
def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("oparl:system"))


@require_safe
def system(request: HttpRequest) -> JsonResponse:
    with translation.override(CONTENT_LANGUAGE):
        return _json(objects.system(_ctx(request)))


@require_safe
def body_list(request: HttpRequest) -> JsonResponse:
    return _list(request, [(selectors.bodies(), BODY)])


@require_safe
def body_detail(request: HttpRequest, slug: str) -> JsonResponse:
    found = selectors.body_get(slug)
    if found is None:
        return _not_found()
    return _one(request, BODY, found)


def _parts(
    sources: Sequence[Source], collectivity: Collectivity
) -> list[tuple[QuerySet[Any], Source]]:
    return [(source.rows(collectivity), source) for source in sources]


@require_safe
def body_items(request: HttpRequest, slug: str, segment: str) -> JsonResponse:
    """One of a body's lists: organization, person, meeting, paper… (sources.BODY_LISTS)."""
    found = selectors.body_get(slug)
    if found is None:
        return _not_found()
    return _list(request, _parts(BODY_LISTS[segment], found))


@require_safe
def council_detail(request: HttpRequest, slug: str) -> JsonResponse:
    found = selectors.body_get(slug)
    if found is None:
        return _not_found()
    council = COUNCIL.rows(found).first()
    if council is None:
        return _not_found()
    return _one(request, COUNCIL, council)


@require_safe
def council_meetings(request: HttpRequest, slug: str) -> JsonResponse:
    found = selectors.body_get(slug)
    if found is None:
        return _not_found()
    return _list(request, _parts([SESSION], found))


def _pk(pk: int) -> int | None:
    return whole_number(pk, minimum=1)


@require_safe
def advisory_meetings(request: HttpRequest, pk: int) -> JsonResponse:
    number = _pk(pk)
    advisory_body = selectors.advisory_bodies(None).filter(pk=number).first() if number else None
    if advisory_body is None:
        return _not_found()
    rows = BODY_MEETING.rows(advisory_body.collectivity).filter(body=advisory_body)
    return _list(request, [(rows, BODY_MEETING)])


@require_safe
def detail(request: HttpRequest, pk: int, prefix: str) -> JsonResponse:
    """An object by its id: `prefix` names its source (sources.BY_ID)."""
    source = BY_ID[prefix]
    number = _pk(pk)
    row = source.rows(None).filter(pk=number).first() if number else None
    if row is None:
        return _not_found()
    return _one(request, source, row)


@require_safe
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """A published file itself, as an attachment of its recorded type (never sniffed)."""
    number = _pk(pk)
    if number is None:
        return _not_found()
    if kind == "council":
        document = selectors.documents(None).filter(pk=number).first()
        if document is None or objects.document_gone(document):
            return _not_found()
        field, name, content_type = document.file, document.name, document.content_type
    elif kind == "advisory":
        body_document = selectors.body_documents(None).filter(pk=number).first()
        if body_document is None or objects.body_document_gone(body_document):
            return _not_found()
        field, name = body_document.file, body_document.name
        content_type = body_document.content_type
    else:
        signed = selectors.minutes(None).filter(pk=number).first()
        if signed is None or objects.minutes_gone(signed):
            return _not_found()
        field, name = signed.signed_pdf, objects.minutes_file_name(signed)
        content_type = "application/pdf"
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        return _not_found()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Access-Control-Allow-Origin"] = "*"
    return response
