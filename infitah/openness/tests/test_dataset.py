"""The openness index as a network-wide open-data source: the latest month's score of
every collectivity, ranked, with each item's fraction; downloadable as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.opendata.sources import dataset_name, registry
from infitah.opendata.sync import datasets_sync
from infitah.openness.dataset import COLUMNS, openness_rows, openness_temporal
from infitah.openness.models import ITEMS
from infitah.openness.tests.test_pages import (  # method_v1: the autouse fixture
    EVIDENCE,
    communes,
    method_v1,  # noqa: F401
    put_score,
)
from infitah.territories.models import Collectivity


def test_the_source_is_network_wide() -> None:
    source = registry()["openness"]
    assert source.network and source.frequency == "MONTHLY"
    assert dataset_name(None, source.key) == "network-openness"
    assert [c.name for c in source.columns][-len(ITEMS) :] == list(ITEMS)


def test_no_scores_no_rows(db: None) -> None:
    assert list(openness_rows(None)) == []
    assert openness_temporal(None) == (None, None)


def test_rows_are_the_latest_month_ranked_with_item_fractions(
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    put_score(collectivity_a, "62.5")
    put_score(collectivity_b, None)
    put_score(region, "62.5")
    put_score(prefecture, "45")
    put_score(collectivity_a, "10", month=dt.date(2026, 3, 1))
    rows = list(openness_rows(None))
    assert [set(row) for row in rows] == [{c.name for c in COLUMNS}] * 4
    assert [(row["collectivity"], row["rank"], row["score"], row["has_data"]) for row in rows] == [
        ("commune-a", 1, Decimal("62.5"), True),
        ("souss-massa-test", 1, Decimal("62.5"), True),
        ("inezgane-test", 3, Decimal("45.0"), True),
        ("commune-b", None, Decimal("0.0"), False),
    ]
    first = rows[0]
    assert first["month"] == dt.date(2026, 6, 1) and first["method_version"] == 1
    assert first["kind"] == "commune" and first["region"] == "souss-massa-test"
    assert rows[1]["region"] == "souss-massa-test"  # a region is its own region
    assert first["name_ar"] == "أيت ملول" and first["name_fr"] == "Aït Melloul"
    for code in ITEMS:
        assert first[code] == EVIDENCE[code].fraction
    assert first["complaints"] is None  # nothing to judge
    assert openness_temporal(None) == (dt.date(2026, 3, 1), dt.date(2026, 6, 30))


def test_rows_take_a_fixed_number_of_queries(prefecture: Collectivity) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(openness_rows(None))
        return len(captured)

    for commune in communes(prefecture, 3):
        put_score(commune, "50")
    few = count()
    for commune in communes(prefecture, 30, start=100):
        put_score(commune, "20")
    assert count() == few <= 4


def test_the_csv_download(client: Client, collectivity_a: Collectivity) -> None:
    put_score(collectivity_a, "62.5")
    datasets_sync()
    response = client.get("/data/network-openness.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 1  # only A has a score
    a = next(row for row in table if row["collectivity"] == "commune-a")
    assert a["rank"] == "1" and a["score"] == "62.5" and a["has_data"] == "true"
    assert a["publication"] == "0.5" and a["complaints"] == ""
