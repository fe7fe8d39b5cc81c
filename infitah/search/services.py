"""Writes to the search index. Callers (e.g. `publication`) index an object when it is
published or changed, and remove it when it is withdrawn or deleted.

The index is plumbing, not a workflow: these services take no `actor` and write no
audit entry; the calling service does that for its own object.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from infitah.search.analyzer import analyze
from infitah.search.models import SearchEntry
from infitah.territories.models import Collectivity, Kind


@transaction.atomic
def index_upsert(
    *,
    object_type: str,
    object_id: str | int,
    collectivity: Collectivity,
    title: str,
    body: str,
    url: str,
    date: datetime.date,
    category: str,
    file_type: str,
    language: str,
    is_public: bool = True,
) -> SearchEntry:
    """Create or replace the entry of (`object_type`, `object_id`).

    `body` is the full extracted text (it is analyzed here, in Python; a long body costs
    about 1 s per MB). Only entries with `is_public` are ever returned by `search()`.
    Side effect: the full-text index follows (PostgreSQL generated column, SQLite
    triggers). The entry records the collectivity's region and province as they are
    now; if a commune moves, re-index its entries.
    """
    if isinstance(date, datetime.datetime):
        date = date.date()
    region_scope: int | None
    province_scope: int | None
    if collectivity.kind == Kind.REGION:
        region_scope, province_scope = collectivity.pk, None
    elif collectivity.kind == Kind.COMMUNE:
        region_scope, province_scope = collectivity.region_id, collectivity.parent_id
    else:
        region_scope, province_scope = collectivity.region_id, collectivity.pk
    entry, _created = SearchEntry.objects.update_or_create(
        object_type=object_type,
        object_id=str(object_id),
        defaults={
            "collectivity": collectivity,
            "title": title[:500],
            "body": body,
            "url": url[:500],
            "date": date,
            "year": date.year,
            "category": category,
            "file_type": file_type,
            "language": language,
            "title_lexemes": " ".join(analyze(title)),
            "lexemes": " ".join(analyze(body)),
            "region_scope_id": region_scope,
            "province_scope_id": province_scope,
            "is_public": is_public,
        },
    )
    return entry


@transaction.atomic
def index_remove(*, object_type: str, object_id: str | int) -> bool:
    """Remove the entry of (`object_type`, `object_id`) if any; True when one was removed."""
    deleted, _per_model = SearchEntry.objects.filter(
        object_type=object_type, object_id=str(object_id)
    ).delete()
    return deleted > 0
