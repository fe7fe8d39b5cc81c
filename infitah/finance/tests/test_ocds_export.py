"""The streaming writers of OCDS packages: valid JSON in blocks, lazy, the stored release
text passed through, a year of records from one pass over its releases, memory that does
not grow with the number of releases."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.finance import ocds_export
from infitah.finance.models import Process, Release
from infitah.finance.ocds import ocid_for, package_metadata
from infitah.finance.tests import ocds_world
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

METADATA = package_metadata(uri="https://example.test/ocds.json", published=timezone.now())


def _parse(pieces: list[bytes]) -> dict[str, Any]:
    package: dict[str, Any] = json.loads(b"".join(pieces))
    return package


def test_an_empty_list_is_a_valid_package() -> None:
    assert _parse(list(ocds_export.package_stream(METADATA, "releases", []))) == {
        **METADATA,
        "releases": [],
    }
    assert _parse(list(ocds_export.package_stream({}, "records", []))) == {"records": []}


def test_items_are_gathered_into_blocks() -> None:
    item = json.dumps({"id": "x" * 1000, "title": "أشغال"}, ensure_ascii=False)
    pieces = list(ocds_export.package_stream(METADATA, "releases", [item] * 500))
    assert len(pieces) == 8  # 500 kB in blocks of 64 kB, the last one shorter
    assert all(len(p) < ocds_export.BLOCK + 3 * len(item) for p in pieces)
    package = _parse(pieces)
    assert len(package["releases"]) == 500
    assert package["releases"][0]["title"] == "أشغال"


def test_the_stream_is_lazy_and_passes_the_stored_releases_through(
    collectivity_a: Collectivity,
) -> None:
    ocds_world.build_stories(collectivity_a)
    releases = ocds_export.release_list(collectivity=collectivity_a, year=2026)
    with CaptureQueriesContext(connection) as captured:
        stream = ocds_export.release_package_stream(metadata=METADATA, releases=releases)
    assert len(captured) == 0
    package = _parse(list(stream))
    stored = list(Release.objects.order_by("date", "pk").values_list("data", flat=True))
    assert package["releases"] == stored


def test_a_year_of_records_is_written_from_one_pass(collectivity_a: Collectivity) -> None:
    processes = ocds_world.build_generated(collectivity_a, 7)
    releases = ocds_export.record_release_list(collectivity=collectivity_a, year=2026)
    with CaptureQueriesContext(connection) as captured:
        package = _parse(
            list(
                ocds_export.record_package_stream(
                    metadata=METADATA, releases=releases, chunk_size=3
                )
            )
        )
    assert len(captured) == 1  # one cursor, read 3 releases at a time
    assert [r["ocid"] for r in package["records"]] == [p.ocid for p in processes]
    assert all(len(r["releases"]) == 2 for r in package["records"])
    paged = ocds_export.record_process_list(collectivity=collectivity_a, year=2026)
    assert package["records"] == [json.loads(t) for t in ocds_export.record_texts(paged)]


def _peak(collectivity: Collectivity, kind: str) -> int:
    if kind == "releases":
        stream = ocds_export.release_package_stream(
            metadata=METADATA,
            releases=ocds_export.release_list(collectivity=collectivity),
            chunk_size=50,
        )
    else:
        stream = ocds_export.record_package_stream(
            metadata=METADATA,
            releases=ocds_export.record_release_list(collectivity=collectivity, year=2026),
            chunk_size=50,
        )
    tracemalloc.start()
    try:
        written = sum(len(piece) for piece in stream)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert written > 0
    return peak


def test_memory_does_not_grow_with_the_releases(collectivity_a: Collectivity) -> None:
    """Ten times the releases (four a process), about the same peak: one chunk, one
    process and one block at a time (bench/ocds_bulk.py measures it at 100,000)."""
    template = ocds_world.build_stories(collectivity_a)["completed"]
    data = Release.objects.filter(process=template).order_by("-date")[0].data

    def grow(total: int) -> None:
        first = Process.objects.count() + 1
        processes = Process.objects.bulk_create(
            Process(
                collectivity=collectivity_a,
                ocid=ocid_for(collectivity_a, 2026, 100 + n),
                year=2026,
                title_fr=template.title_fr,
                category=template.category,
                procedure=template.procedure,
                estimated_amount=template.estimated_amount,
            )
            for n in range(first, first + (total - Release.objects.count() + 3) // 4)
        )
        Release.objects.bulk_create(
            Release(
                process=process,
                collectivity=collectivity_a,
                release_id=f"{process.ocid}-{n:05d}",
                date=timezone.now(),
                tags=["implementation"],
                data={**data, "ocid": process.ocid, "id": f"{process.ocid}-{n:05d}"},
            )
            for process in processes
            for n in range(1, 5)
        )

    grow(200)
    assert 200 <= Release.objects.count() < 204
    small = {kind: _peak(collectivity_a, kind) for kind in ("releases", "records")}
    grow(2000)
    assert 2000 <= Release.objects.count() < 2004
    large = {kind: _peak(collectivity_a, kind) for kind in ("releases", "records")}
    for kind in small:
        assert large[kind] < 1.5 * small[kind], (kind, small, large)
