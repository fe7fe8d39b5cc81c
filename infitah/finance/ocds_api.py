"""Procurement in the Open Contracting Data Standard 1.1.5, over the API (docs/finance.md,
"OCDS"). Each operation answers an OCDS package as the standard defines it; 404 for a
collectivity that is not a network member.

- `GET /c/{slug}/ocds/releases`: a release package of the collectivity's releases in date
  order; `offset` and `limit` (1 to 500, default 100) page through them, `since` keeps the
  releases dated from then on (inclusive), `ocid` those of one process;
- `GET /c/{slug}/ocds/records`: a record package, one record per process (its releases
  and its compiled release), oldest process first; `offset`, `limit` (1 to 100, default
  20), `ocid`;
- `GET /c/{slug}/ocds/bulk`: the years that have releases, with their bulk files;
- `GET /c/{slug}/ocds/bulk/{year}/releases.json`: the release package of every release of
  the processes of `year`, streamed (constant memory, whatever the size);
- `GET /c/{slug}/ocds/bulk/{year}/records.json`: their record package, streamed.

A page that is not the last says where the next one is in a `Link: <…>; rel="next"`
header (the package itself holds only the standard's fields). A package's
`publishedDate` is the date of its latest release (the last change of its contents), or
now for an empty one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import StringConstraints

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.finance import ocds_export
from infitah.finance.ocds import package_metadata
from infitah.lib.bounds import Count
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["procurement (OCDS)"])

RELEASES_MAX = 500
RECORDS_MAX = 100
# The years a bulk file may be asked for (as budgets: finance_budget_year_range).
YEARS = range(2000, 2101)
JSON = "application/json"

Ocid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,128}$")]


class PublisherOut(Schema):
    name: str


class ReleasePackageOut(Schema):
    """An OCDS release package (release-package-schema.json of OCDS 1.1.5)."""

    uri: str
    version: str
    # The standard's field names.
    publishedDate: str
    publisher: PublisherOut
    releases: list[dict[str, Any]]


class RecordPackageOut(Schema):
    """An OCDS record package (record-package-schema.json of OCDS 1.1.5)."""

    uri: str
    version: str
    publishedDate: str
    publisher: PublisherOut
    records: list[dict[str, Any]]


class BulkYearOut(Schema):
    year: int
    processes: int
    releases: int
    releases_url: str
    records_url: str


class BulkListOut(Schema):
    years: list[BulkYearOut]


class ReleaseQuery(Schema):
    offset: Count = 0
    limit: Count = 100
    since: dt.datetime | None = Field(None, description="Releases dated from then on.")
    ocid: Ocid | None = None


class RecordQuery(Schema):
    offset: Count = 0
    limit: Count = 20
    ocid: Ocid | None = None


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity


def _aware(moment: dt.datetime) -> dt.datetime:
    """`moment` with a time zone (the site's when it has none), within the range the
    databases store; a 400 otherwise."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment.astimezone(dt.UTC)
    except OverflowError:
        raise HttpError(400, _("This date is out of range.")) from None
    return moment


def _metadata(request: HttpRequest, latest: dt.datetime | None) -> dict[str, Any]:
    return package_metadata(uri=request.build_absolute_uri(), published=latest or timezone.now())


def _page_response(
    request: HttpRequest, content: bytes, *, more: bool, offset: int, limit: int
) -> HttpResponse:
    response = HttpResponse(content, content_type=JSON)
    if more:
        query = request.GET.copy()
        query.pop("offset", None)
        query.pop("limit", None)
        query["offset"] = str(offset + limit)
        query["limit"] = str(limit)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        response["Link"] = f'<{following}>; rel="next"'
    return response


@router.get(
    "/c/{slug}/ocds/releases",
    response={200: ReleasePackageOut, 404: Any},
    summary="A collectivity's procurement releases (OCDS release package)",
    description=(
        "Every step of every procurement process (planning, tender, award, contract, "
        "amendment, payment, cancellation) as an OCDS 1.1.5 release, in date order. "
        "`offset` and `limit` (1 to 500) page through them; `since` (a date-time) keeps "
        "those dated from then on; `ocid` those of one process. The next page is in the "
        '`Link` header (rel="next").'
    ),
)
def release_package(request: HttpRequest, slug: str, query: Query[ReleaseQuery]) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    limit = min(max(query.limit, 1), RELEASES_MAX)
    releases = ocds_export.release_list(
        collectivity=collectivity,
        since=_aware(query.since) if query.since is not None else None,
        ocid=query.ocid,
    )
    dates, texts = ocds_export.release_page(releases, offset=query.offset, limit=limit + 1)
    content = b"".join(
        ocds_export.package_stream(
            _metadata(request, max(dates[:limit], default=None)), "releases", texts[:limit]
        )
    )
    return _page_response(
        request, content, more=len(texts) > limit, offset=query.offset, limit=limit
    )


@router.get(
    "/c/{slug}/ocds/records",
    response={200: RecordPackageOut, 404: Any},
    summary="A collectivity's procurement records (OCDS record package)",
    description=(
        "One OCDS 1.1.5 record per procurement process: its releases in date order and "
        "its compiled release (the process as it stands). Oldest process first; `offset` "
        "and `limit` (1 to 100) page through them, `ocid` keeps one process. The next "
        'page is in the `Link` header (rel="next").'
    ),
)
def record_package(request: HttpRequest, slug: str, query: Query[RecordQuery]) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    limit = min(max(query.limit, 1), RECORDS_MAX)
    processes = ocds_export.record_process_list(collectivity=collectivity, ocid=query.ocid)
    page = list(processes[query.offset : query.offset + limit + 1])
    latest = max(
        (r.date for p in page[:limit] for r in p.ordered_releases),  # type: ignore[attr-defined]
        default=None,
    )
    content = b"".join(
        ocds_export.package_stream(
            _metadata(request, latest), "records", ocds_export.record_texts(page[:limit])
        )
    )
    return _page_response(
        request, content, more=len(page) > limit, offset=query.offset, limit=limit
    )


@router.get(
    "/c/{slug}/ocds/bulk",
    response={200: BulkListOut, 404: Any},
    summary="The yearly bulk files of a collectivity's procurement (OCDS)",
    description=(
        "The years whose processes have releases, newest first, with the number of "
        "processes and releases and the URLs of the year's release package and record "
        "package."
    ),
)
def bulk_list(request: HttpRequest, slug: str) -> Any:
    collectivity = _collectivity_or_404(slug)

    def url(kind: str, year: int) -> str:
        path = reverse(f"api:ocds_bulk_{kind}", kwargs={"slug": slug, "year": year})
        return request.build_absolute_uri(path)

    return {
        "years": [
            {
                **row,
                "releases_url": url("releases", row["year"]),
                "records_url": url("records", row["year"]),
            }
            for row in ocds_export.bulk_years(collectivity=collectivity)
        ]
    }


def _bulk_year(slug: str, year: int) -> tuple[Collectivity, dt.datetime]:
    collectivity = _collectivity_or_404(slug)
    latest = None
    if year in YEARS:
        latest = ocds_export.latest_release_date(
            ocds_export.release_list(collectivity=collectivity, year=year)
        )
    if latest is None:
        raise HttpError(404, _("No procurement release for this year."))
    return collectivity, latest


def _streamed(request: HttpRequest, stream: Any, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=JSON)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@router.get(
    "/c/{slug}/ocds/bulk/{year}/releases.json",
    response={200: ReleasePackageOut, 404: Any},
    url_name="ocds_bulk_releases",
    summary="Every procurement release of a year (OCDS bulk release package)",
    description=(
        "One release package holding every release of the processes of `year`, in date "
        "order, streamed as it is read (constant memory whatever the size). 404 for a "
        "year without releases."
    ),
)
def bulk_releases(request: HttpRequest, slug: str, year: int) -> StreamingHttpResponse:
    collectivity, latest = _bulk_year(slug, year)
    stream = ocds_export.release_package_stream(
        metadata=_metadata(request, latest),
        releases=ocds_export.release_list(collectivity=collectivity, year=year),
    )
    return _streamed(request, stream, f"{slug}-{year}-releases.json")


@router.get(
    "/c/{slug}/ocds/bulk/{year}/records.json",
    response={200: RecordPackageOut, 404: Any},
    url_name="ocds_bulk_records",
    summary="Every procurement record of a year (OCDS bulk record package)",
    description=(
        "One record package holding the record of every process of `year` that has "
        "releases, streamed as it is read (constant memory whatever the size). 404 for "
        "a year without releases."
    ),
)
def bulk_records(request: HttpRequest, slug: str, year: int) -> StreamingHttpResponse:
    collectivity, latest = _bulk_year(slug, year)
    stream = ocds_export.record_package_stream(
        metadata=_metadata(request, latest),
        releases=ocds_export.record_release_list(collectivity=collectivity, year=year),
    )
    return _streamed(request, stream, f"{slug}-{year}-records.json")
