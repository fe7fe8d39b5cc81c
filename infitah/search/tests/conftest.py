"""Fixtures of the search tests: an `index` helper over the real service."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import count

import pytest

from infitah.search.models import SearchEntry
from infitah.search.services import index_upsert
from infitah.territories.models import Collectivity, Kind

_ids = count(1)


@pytest.fixture
def other_region(db: None) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.REGION,
        slug="draa-tafilalet-test",
        name_ar="درعة تافيلالت",
        name_fr="Drâa-Tafilalet",
    )


@pytest.fixture
def index(collectivity_a: Collectivity) -> Callable[..., SearchEntry]:
    """index(title, body="", **fields): index one public entry (default: in commune A)."""

    def make(title: str, body: str = "", **fields: object) -> SearchEntry:
        n = next(_ids)
        values: dict[str, object] = {
            "object_type": "publication.document",
            "object_id": str(n),
            "collectivity": collectivity_a,
            "title": title,
            "body": body,
            "url": f"/ar/c/commune-a/documents/{n}/",
            "date": datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300),
            "category": "report",
            "file_type": "pdf",
            "language": "ar",
        }
        values.update(fields)
        return index_upsert(**values)  # type: ignore[arg-type]

    return make
