"""The generated files of a dataset (docs/opendata.md), built from the live rows of its
source when downloaded, and the views that serve them (no language prefix):

- `/data/<name>.csv`: RFC 4180 CSV, UTF-8 **with a byte-order mark** (Excel opens the
  Arabic text correctly; `frictionless validate` with `"encoding": "utf-8"` reads the
  header without the mark, as do Python's `utf-8-sig`, pandas and LibreOffice), CRLF
  line ends, a header line of the column names (`Source.columns`, stable English
  names), an empty cell for "no value", dates ISO 8601, date-times in UTC
  (`2026-03-16T09:30:00Z`), booleans `true`/`false`, text cells that a spreadsheet would
  run as a formula prefixed with an apostrophe (`infitah.lib.csvsafe`);
- `/data/<name>.json`: `{"dataset": name, "license": url, "count": n, "rows": [...]}`,
  each row an object keyed by the column names, in the CSV's order, with the same values
  typed (numbers, booleans, null);
- `/data/<name>/datapackage.json`: the Tabular Data Package descriptor (Frictionless
  Data v1): the dataset's name, id, titles, licence, keywords and one resource whose
  `path` is the CSV's absolute URL, with the Table Schema of the source's columns.

Unknown, inactive and uploaded datasets answer 404 (an upload's file is the document's
own download). The CSV and JSON carry a strong ETag computed from the rows themselves
(the digest `datasets_sync` stores), so that `If-None-Match` answers 304 without a body.
Every file may be read by a script on another site (`Access-Control-Allow-Origin: *`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import translation
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from infitah.lib.csvsafe import csv_cell
from infitah.opendata.models import Dataset
from infitah.opendata.selectors import dataset_get_generated
from infitah.opendata.sources import Column, Row, Source

CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"
# The descriptor is a JSON document; its `profile` says it is a Tabular Data Package.
# "application/json" is what CKAN, DCAT-AP's IANA list and every client know (the
# Frictionless "application/vnd.datapackage+json" is not registered with IANA).
DATAPACKAGE_MEDIA_TYPE = "application/json"
BOM = "\ufeff"
# Lines written per chunk of the streamed CSV and JSON.
CHUNK_ROWS = 500
# A download is never sniffed nor run by the browser; any site may read it.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Access-Control-Allow-Origin": "*",
}


# ------------------------------------------------------------------------------ values


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(value: Any) -> Any:
    """A JSON-ready, exact form of one cell, for the digest (Decimal as its text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def json_value(value: Any) -> Any:
    """One cell in the JSON file: numbers stay numbers, dates become ISO 8601 text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_value(column: Column, value: Any) -> str | int | float:
    """One cell in the CSV, by the column's Table Schema type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # Written by us from a number: never a formula, so not csv_cell (which would
        # quote the minus sign).
        return f"{value:f}"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_cell(str(value))


def rows_digest(columns: Sequence[Column], rows: Iterable[Row]) -> str:
    """SHA-256 of the canonical JSON of the column names and the rows (one JSON array
    per row, in column order): what moves a dataset's `metadata_modified`."""
    digest = hashlib.sha256()
    names = [c.name for c in columns]
    digest.update(json.dumps(names, ensure_ascii=False, separators=(",", ":")).encode())
    for row in rows:
        cells = [canonical(row.get(name)) for name in names]
        digest.update(b"\n")
        digest.update(json.dumps(cells, ensure_ascii=False, separators=(",", ":")).encode())
    return digest.hexdigest()


# ------------------------------------------------------------------------------- files


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text in chunks: the byte-order mark and header line first."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow([c.name for c in columns])
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([csv_value(c, row.get(c.name)) for c in columns]))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _license_url(license_id: str) -> str:
    found = settings.INFITAH_OPENDATA_LICENSES.get(license_id) or {}
    return str(found.get("url", ""))


def json_chunks(
    *, name: str, license_id: str, columns: Sequence[Column], rows: Sequence[Row]
) -> Iterator[str]:
    """The JSON file in chunks (`rows` is a sequence: its count comes first)."""
    head = {"dataset": name, "license": _license_url(license_id), "count": len(rows)}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    parts: list[str] = []
    for index, row in enumerate(rows):
        item = {c.name: json_value(row.get(c.name)) for c in columns}
        parts.append(("," if index else "") + json.dumps(item, ensure_ascii=False))
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("]}")
    yield "".join(parts)


def encoded_size(chunks: Iterable[str]) -> int:
    return sum(len(chunk.encode("utf-8")) for chunk in chunks)


def _both(fr: str, ar: str) -> str:
    return " / ".join(text for text in (fr, ar) if text)


def descriptor(*, dataset: Dataset, source: Source, csv_url: str, homepage: str) -> dict[str, Any]:
    """The Tabular Data Package of `dataset`: one resource, the CSV at `csv_url`
    (absolute), described by the source's columns."""
    found = settings.INFITAH_OPENDATA_LICENSES.get(dataset.license_id) or {}
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "id": str(dataset.id),
        "title": _both(dataset.title_fr, dataset.title_ar),
        "description": "\n\n".join(
            text for text in (dataset.description_fr, dataset.description_ar) if text
        ),
        "homepage": homepage,
        "created": _utc(dataset.metadata_created),
        "licenses": [
            {
                "name": dataset.license_id,
                "path": str(found.get("url", "")),
                "title": str(found.get("title", dataset.license_id)),
            }
        ],
        "keywords": [tag.name for tag in dataset.tags.all()],
        "resources": [
            {
                "name": source.key,
                "title": _both(dataset.title_fr, dataset.title_ar),
                "path": csv_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": CSV_MEDIA_TYPE,
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
                "schema": {
                    "fields": [
                        {
                            "name": c.name,
                            "type": c.type,
                            "title": _both(c.title_fr, c.title_ar),
                        }
                        for c in source.columns
                    ],
                    "missingValues": [""],
                },
            }
        ],
    }
    return package


# ------------------------------------------------------------------------------- views


def file_urls(name: str) -> dict[str, str]:
    """The paths of a generated dataset's files on this site, by format."""
    return {
        "CSV": reverse("opendata-files:csv", kwargs={"name": name}),
        "JSON": reverse("opendata-files:json", kwargs={"name": name}),
        "datapackage": reverse("opendata-files:datapackage", kwargs={"name": name}),
    }


def _generated_or_404(name: str) -> tuple[Dataset, Source]:
    found = dataset_get_generated(name=name)
    if found is None:
        raise Http404
    return found


def _finish(response: HttpResponseBase, filename: str, *, inline: bool = False) -> None:
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    for header, value in FILE_HEADERS.items():
        response[header] = value


def _not_modified(request: HttpRequest, etag: str) -> HttpResponseNotModified | None:
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in wanted or "*" in wanted:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        for header, value in FILE_HEADERS.items():
            response[header] = value
        return response
    return None


def _live(dataset: Dataset, source: Source) -> tuple[list[Row], str]:
    rows = list(source.rows(dataset.collectivity))
    return rows, rows_digest(source.columns, rows)


@require_safe
def dataset_csv(request: HttpRequest, name: str) -> HttpResponseBase:
    dataset, source = _generated_or_404(name)
    rows, digest = _live(dataset, source)
    etag = f'"{digest[:40]}-csv"'
    unchanged = _not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(source.columns, rows)),
        content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
    )
    response["ETag"] = etag
    _finish(response, f"{dataset.name}.csv")
    return response


@require_safe
def dataset_json(request: HttpRequest, name: str) -> HttpResponseBase:
    dataset, source = _generated_or_404(name)
    rows, digest = _live(dataset, source)
    etag = f'"{digest[:40]}-json"'
    unchanged = _not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    chunks = json_chunks(
        name=dataset.name, license_id=dataset.license_id, columns=source.columns, rows=rows
    )
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=JSON_MEDIA_TYPE
    )
    response["ETag"] = etag
    _finish(response, f"{dataset.name}.json")
    return response


@require_safe
def dataset_datapackage(request: HttpRequest, name: str) -> HttpResponse:
    dataset, source = _generated_or_404(name)
    if not source.datapackage:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        homepage = reverse("opendata:dataset", kwargs={"name": dataset.name})
    found = descriptor(
        dataset=dataset,
        source=source,
        csv_url=request.build_absolute_uri(file_urls(dataset.name)["CSV"]),
        homepage=request.build_absolute_uri(homepage),
    )
    response = JsonResponse(found, json_dumps_params={"ensure_ascii": False, "indent": 2})
    _finish(response, "datapackage.json", inline=True)
    return response
