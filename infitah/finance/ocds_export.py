"""OCDS packages written as bytes, a piece at a time (docs/finance.md, "OCDS").

The API's pages and its yearly bulk files are written by the same generators:

- `release_package_stream(metadata=, releases=)`: a release package whose releases are
  the stored releases' JSON **as stored** (the database gives their text: nothing is
  parsed and dumped again), read with `.iterator(chunk_size=…)` — on PostgreSQL a
  server-side cursor — so that a year of 100,000 releases costs the memory of one chunk;
- `record_package_stream(metadata=, releases=)`: a record package, one record per
  process (its releases, date order, and the compiled release: `ocds.record_build`),
  from one pass over the releases in process order (read in chunks as well), each
  record written as soon as its process's releases are read.

The pieces are gathered into blocks of about `BLOCK` bytes before being yielded: a
streamed response writes each yielded piece to the socket, and 100,000 small writes
cost more than the JSON itself.

The selectors here take the collectivity: `release_list`, `record_process_list` (a page
of records), `record_release_list` (a year of records), `bulk_years`; and
`latest_release_date`. Every stored release is public: a release is
recorded when a step is published.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast

from infitah.finance.models import Process, Release
from infitah.finance.ocds import record_build
from infitah.territories.models import Collectivity

# Rows fetched per round trip (PostgreSQL: per FETCH of the server-side cursor).
CHUNK = 500
# Bytes gathered before a piece is yielded.
BLOCK = 64 * 1024


# --- selectors -----------------------------------------------------------------------------


def release_list(
    *,
    collectivity: Collectivity,
    year: int | None = None,
    since: dt.datetime | None = None,
    ocid: str | None = None,
) -> QuerySet[Release]:
    """The collectivity's releases in date order; of the processes of `year`, dated from
    `since` (inclusive), of the process `ocid`, when given."""
    releases = Release.objects.filter(collectivity=collectivity)
    if year is not None:
        releases = releases.filter(process__year=year)
    if since is not None:
        releases = releases.filter(date__gte=since)
    if ocid is not None:
        releases = releases.filter(process__ocid=ocid)
    return releases.order_by("date", "pk")


def record_process_list(
    *, collectivity: Collectivity, year: int | None = None, ocid: str | None = None
) -> QuerySet[Process]:
    """The collectivity's processes that have a release (oldest first), each with its
    releases in date order prefetched (`ordered_releases`) and only the columns a record
    reads."""
    has_release = Exists(Release.objects.filter(process=OuterRef("pk")))
    processes = Process.objects.filter(has_release, collectivity=collectivity)
    if year is not None:
        processes = processes.filter(year=year)
    if ocid is not None:
        processes = processes.filter(ocid=ocid)
    return (
        processes.only("pk", "ocid")
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "releases",
                queryset=Release.objects.order_by("date", "pk").only("process_id", "date", "data"),
                to_attr="ordered_releases",
            )
        )
    )


def record_release_list(*, collectivity: Collectivity, year: int) -> QuerySet[Release]:
    """The releases of the collectivity's processes of `year`, process by process (oldest
    first) in date order, each with its process's ocid: what a yearly record package
    reads, in one pass."""
    return (
        Release.objects.filter(collectivity=collectivity, process__year=year)
        .select_related("process")
        .only("process_id", "process__ocid", "date", "data")
        .order_by("process_id", "date", "pk")
    )


def bulk_years(*, collectivity: Collectivity) -> list[dict[str, int]]:
    """The years that have releases, newest first: year, processes, releases."""
    rows = (
        Release.objects.filter(collectivity=collectivity)
        .values("process__year")
        .annotate(processes=Count("process", distinct=True), releases=Count("pk"))
        .order_by("-process__year")
    )
    return [
        {"year": row["process__year"], "processes": row["processes"], "releases": row["releases"]}
        for row in rows
    ]


def release_page(
    releases: QuerySet[Release], *, offset: int, limit: int
) -> tuple[list[dt.datetime], list[str]]:
    """The dates and stored JSON texts of `limit` of `releases` from `offset` (one query)."""
    rows = list(
        releases.annotate(text=Cast("data", TextField())).values_list("date", "text")[
            offset : offset + limit
        ]
    )
    return [date for date, _text in rows], [text for _date, text in rows]


def latest_release_date(releases: QuerySet[Release]) -> dt.datetime | None:
    """The date of the latest of `releases` (a package's publishedDate: the last change
    of its contents)."""
    latest: dt.datetime | None = releases.order_by().aggregate(latest=Max("date"))["latest"]
    return latest


# --- writers -------------------------------------------------------------------------------


def package_stream(metadata: dict[str, Any], key: str, items: Iterable[str]) -> Iterator[bytes]:
    """A JSON object: `metadata`'s fields, then `key` holding the list of `items` (each
    one JSON text), in blocks of about BLOCK bytes."""
    head = json.dumps(metadata, ensure_ascii=False)
    block: list[str] = [head[:-1], ", " if metadata else "", json.dumps(key), ": ["]
    size = 0
    separator = ""
    for text in items:
        block.append(separator)
        block.append(text)
        separator = ","
        size += len(text)
        if size >= BLOCK:
            yield "".join(block).encode()
            block = []
            size = 0
    block.append("]}")
    yield "".join(block).encode()


def release_texts(releases: QuerySet[Release], *, chunk_size: int = CHUNK) -> Iterator[str]:
    """The stored JSON text of each release, read in chunks."""
    texts = releases.annotate(text=Cast("data", TextField())).values_list("text", flat=True)
    return texts.iterator(chunk_size=chunk_size)


def record_texts(processes: Iterable[Process]) -> Iterator[str]:
    """The JSON text of each process's record (processes from `record_process_list`)."""
    for process in processes:
        releases: list[Release] = process.ordered_releases  # type: ignore[attr-defined]
        yield json.dumps(record_build(process, releases), ensure_ascii=False)


def record_texts_of(releases: Iterable[Release]) -> Iterator[str]:
    """The JSON text of the record of each process of `releases` (in process order,
    then date order, their process loaded: `record_release_list`)."""
    for _process_id, group in groupby(releases, key=attrgetter("process_id")):
        own = list(group)
        yield json.dumps(record_build(own[0].process, own), ensure_ascii=False)


def release_package_stream(
    *, metadata: dict[str, Any], releases: QuerySet[Release], chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """The release package of `releases`, streamed (constant memory)."""
    return package_stream(metadata, "releases", release_texts(releases, chunk_size=chunk_size))


def record_package_stream(
    *, metadata: dict[str, Any], releases: QuerySet[Release], chunk_size: int = CHUNK
) -> Iterator[bytes]:
    """The record package of the processes of `releases` (from `record_release_list`),
    streamed: the releases are read in chunks, in process order, and each process's
    record is written once its releases are all read (constant memory)."""
    return package_stream(
        metadata, "records", record_texts_of(releases.iterator(chunk_size=chunk_size))
    )
