"""The OCDS API: release and record packages paged and filtered, the yearly bulk files
streamed, tenancy (another collectivity's processes never appear), 404 outside the
network, 400 on bad parameters, and queries that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.finance.models import Process, Release
from infitah.finance.ocds import ocid_for
from infitah.finance.tests import ocds_world
from infitah.finance.workflow import Category, Procedure
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

API = "/api/v1/c/commune-a/ocds"


@pytest.fixture
def collectivity_c(prefecture: Collectivity) -> Collectivity:
    """Another network member, with processes of its own."""
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="commune-c",
        name_ar="الدشيرة الجهادية",
        name_fr="Dcheira El Jihadia",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )


def _json(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    data: dict[str, Any] = json.loads(response.getvalue())
    return data


def _get(path: str) -> dict[str, Any]:
    return _json(Client().get(path))


def _process_of(collectivity: Collectivity, year: int, number: int) -> Process:
    process = Process.objects.create(
        collectivity=collectivity,
        ocid=ocid_for(collectivity, year, number),
        year=year,
        title_ar="صفقة السنة الماضية",
        category=Category.SERVICES,
        procedure=Procedure.NEGOTIATED,
        estimated_amount=Decimal("50000.00"),
    )
    ocds_world.step(process, ["planning"], dt.datetime(year, 12, 1, tzinfo=ocds_world.CASABLANCA))
    return process


# --- release packages --------------------------------------------------------------------


def test_a_release_package_pages_through_the_releases_in_date_order(
    collectivity_a: Collectivity,
) -> None:
    ocds_world.build_generated(collectivity_a, 10)  # 20 releases
    client = Client()
    response = client.get(f"{API}/releases?limit=8")
    first = _json(response)
    assert set(first) == {"uri", "version", "publishedDate", "publisher", "releases"}
    assert first["version"] == "1.1"
    assert first["uri"] == "http://testserver/api/v1/c/commune-a/ocds/releases?limit=8"
    assert len(first["releases"]) == 8
    assert response["Link"] == (
        '<http://testserver/api/v1/c/commune-a/ocds/releases?offset=8&limit=8>; rel="next"'
    )
    seen = [r["id"] for r in first["releases"]]
    following = client.get(f"{API}/releases?offset=8&limit=8")
    seen += [r["id"] for r in _json(following)["releases"]]
    last = client.get(f"{API}/releases?offset=16&limit=8")
    seen += [r["id"] for r in _json(last)["releases"]]
    assert "Link" not in last
    expected = list(
        Release.objects.filter(collectivity=collectivity_a)
        .order_by("date", "pk")
        .values_list("release_id", flat=True)
    )
    assert seen == expected
    assert len(expected) == 20


def test_published_date_is_the_latest_release_of_the_package(
    collectivity_a: Collectivity,
) -> None:
    ocds_world.build_stories(collectivity_a)
    package = _get(f"{API}/releases?limit=500")
    assert package["publishedDate"] == max(r["date"] for r in package["releases"])
    assert package["publishedDate"] == "2026-10-20T10:00:00+01:00"
    first = _get(f"{API}/releases?limit=1")
    assert first["publishedDate"] == first["releases"][0]["date"]


def test_limit_is_kept_within_bounds(collectivity_a: Collectivity) -> None:
    ocds_world.build_generated(collectivity_a, 2)
    assert len(_get(f"{API}/releases?limit=0")["releases"]) == 1
    response = Client().get(f"{API}/releases?limit=100000")
    assert len(_json(response)["releases"]) == 4
    assert "Link" not in response
    assert len(_get(f"{API}/records?limit=0")["records"]) == 1
    assert len(_get(f"{API}/records?limit=100000")["records"]) == 2


def test_since_keeps_the_releases_dated_from_then_on(collectivity_a: Collectivity) -> None:
    ocds_world.build_stories(collectivity_a)
    later = _get(f"{API}/releases?limit=500&since=2026-06-01T10:00:00%2B01:00")["releases"]
    assert [r["tag"] for r in later] == [
        ["contractAmendment"],  # amended, 1 June 10:00 (inclusive)
        ["contractAmendment"],  # completed
        ["implementation"],  # paid, 2 August
        ["implementation"],  # completed
        ["implementation"],  # Arabic-only
        ["contractTermination"],  # completed, 20 October
    ]
    # A date alone is its midnight in the site's time zone.
    assert len(_get(f"{API}/releases?limit=500&since=2026-06-02")["releases"]) == 4
    assert _get(f"{API}/releases?since=2027-01-01T00:00:00Z")["releases"] == []


def test_the_ocid_filter_keeps_one_process(collectivity_a: Collectivity) -> None:
    stories = ocds_world.build_stories(collectivity_a)
    ocid = stories["completed"].ocid
    releases = _get(f"{API}/releases?ocid={ocid}")["releases"]
    assert [r["id"] for r in releases] == [f"{ocid}-{n:05d}" for n in range(1, 8)]
    records = _get(f"{API}/records?ocid={ocid}")["records"]
    assert [r["ocid"] for r in records] == [ocid]
    assert _get(f"{API}/releases?ocid=ocds-infita-commune-a-1999-1")["releases"] == []
    assert _get(f"{API}/records?ocid=ocds-infita-commune-a-1999-1")["records"] == []


def test_an_empty_package_is_still_a_package(collectivity_a: Collectivity) -> None:
    package = _get(f"{API}/releases")
    assert package["releases"] == []
    assert dt.datetime.fromisoformat(package["publishedDate"]).tzinfo is not None
    assert _get(f"{API}/records")["records"] == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "offset=-1",
        "offset=2147483648",
        "limit=2147483648",
        "since=yesterday",
        "since=0001-01-01T00:00:00%2B14:00",
        "since=9999-12-31T23:59:59-14:00",
        "ocid=%00",
        "ocid=a%20b",
        "ocid=" + "x" * 129,
    ],
)
def test_bad_parameters_are_a_400_with_a_detail(collectivity_a: Collectivity, query: str) -> None:
    for kind in ("releases", "records"):
        if query.startswith("since") and kind == "records":
            continue
        response = Client().get(f"{API}/{kind}?{query}")
        assert response.status_code == 400, (kind, query, response.content)
        assert "detail" in response.json()
    assert not Release.objects.exists()


# --- record packages ---------------------------------------------------------------------


def test_a_record_package_pages_through_the_processes(collectivity_a: Collectivity) -> None:
    processes = ocds_world.build_generated(collectivity_a, 5)
    client = Client()
    response = client.get(f"{API}/records?limit=3")
    first = _json(response)
    assert set(first) == {"uri", "version", "publishedDate", "publisher", "records"}
    assert 'offset=3&limit=3>; rel="next"' in response["Link"]
    last = client.get(f"{API}/records?offset=3&limit=3")
    assert "Link" not in last
    records = first["records"] + _json(last)["records"]
    assert [r["ocid"] for r in records] == [p.ocid for p in processes]
    for record in records:
        assert record["releases"][0]["tag"] == ["planning"]
        assert len(record["releases"]) == 2
    assert first["publishedDate"] == max(
        release["date"] for record in first["records"] for release in record["releases"]
    )


# --- bulk files ---------------------------------------------------------------------------


def test_the_bulk_release_package_of_a_year_is_streamed(collectivity_a: Collectivity) -> None:
    ocds_world.build_generated(collectivity_a, 30)
    older = _process_of(collectivity_a, 2025, 1)
    response = Client().get(f"{API}/bulk/2026/releases.json")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    assert 'filename="commune-a-2026-releases.json"' in response["Content-Disposition"]
    package = _json(response)
    assert set(package) == {"uri", "version", "publishedDate", "publisher", "releases"}
    assert package["uri"] == "http://testserver/api/v1/c/commune-a/ocds/bulk/2026/releases.json"
    releases = package["releases"]
    assert len(releases) == 60
    assert older.ocid not in {r["ocid"] for r in releases}
    assert package["publishedDate"] == max(r["date"] for r in releases)
    dates = [dt.datetime.fromisoformat(r["date"]) for r in releases]
    assert dates == sorted(dates)
    previous = _get(f"{API}/bulk/2025/releases.json")["releases"]
    assert [r["ocid"] for r in previous] == [older.ocid]


def test_the_bulk_record_package_of_a_year_is_streamed(collectivity_a: Collectivity) -> None:
    stories = ocds_world.build_stories(collectivity_a)
    older = _process_of(collectivity_a, 2025, 1)
    response = Client().get(f"{API}/bulk/2026/records.json")
    assert isinstance(response, StreamingHttpResponse)
    package = _json(response)
    assert set(package) == {"uri", "version", "publishedDate", "publisher", "records"}
    assert [r["ocid"] for r in package["records"]] == [p.ocid for p in stories.values()]
    paged = _get(f"{API}/records?limit=100")["records"]
    assert package["records"] == [r for r in paged if r["ocid"] != older.ocid]


def test_the_bulk_index_lists_the_years(collectivity_a: Collectivity) -> None:
    ocds_world.build_generated(collectivity_a, 3)
    _process_of(collectivity_a, 2025, 1)
    index = _get(f"{API}/bulk")
    base = "http://testserver/api/v1/c/commune-a/ocds/bulk"
    assert index == {
        "years": [
            {
                "year": 2026,
                "processes": 3,
                "releases": 6,
                "releases_url": f"{base}/2026/releases.json",
                "records_url": f"{base}/2026/records.json",
            },
            {
                "year": 2025,
                "processes": 1,
                "releases": 1,
                "releases_url": f"{base}/2025/releases.json",
                "records_url": f"{base}/2025/records.json",
            },
        ]
    }
    for row in index["years"]:
        assert Client().get(row["releases_url"]).status_code == 200
        assert Client().get(row["records_url"]).status_code == 200


@pytest.mark.parametrize("year", ["2024", "1999", "2101", "99999999999999999999999", "0"])
def test_a_year_without_releases_is_a_404(collectivity_a: Collectivity, year: str) -> None:
    ocds_world.build_generated(collectivity_a, 1)
    for kind in ("releases", "records"):
        response = Client().get(f"{API}/bulk/{year}/{kind}.json")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_a_year_that_is_not_a_number_is_a_400(collectivity_a: Collectivity) -> None:
    response = Client().get(f"{API}/bulk/abc/releases.json")
    assert response.status_code == 400
    assert "detail" in response.json()


# --- tenancy -----------------------------------------------------------------------------


def test_another_collectivitys_processes_never_appear(
    collectivity_a: Collectivity, collectivity_c: Collectivity
) -> None:
    mine = ocds_world.build_generated(collectivity_a, 4)
    theirs = ocds_world.build_generated(collectivity_c, 3)
    mine_ocids = {p.ocid for p in mine}
    their_ocids = {p.ocid for p in theirs}
    assert not mine_ocids & their_ocids
    for slug, expected in (("commune-a", mine_ocids), ("commune-c", their_ocids)):
        base = f"/api/v1/c/{slug}/ocds"
        assert {r["ocid"] for r in _get(f"{base}/releases?limit=500")["releases"]} == expected
        assert {r["ocid"] for r in _get(f"{base}/records?limit=100")["records"]} == expected
        bulk = _get(f"{base}/bulk/2026/releases.json")["releases"]
        assert {r["ocid"] for r in bulk} == expected
        records = _get(f"{base}/bulk/2026/records.json")["records"]
        assert {r["ocid"] for r in records} == expected
        assert _get(f"{base}/bulk")["years"][0]["processes"] == len(expected)
    stranger = next(iter(their_ocids))
    assert _get(f"{API}/releases?ocid={stranger}")["releases"] == []
    assert _get(f"{API}/records?ocid={stranger}")["records"] == []


@pytest.mark.parametrize(
    "path",
    [
        "releases",
        "records",
        "bulk",
        "bulk/2026/releases.json",
        "bulk/2026/records.json",
    ],
)
def test_outside_the_network_everything_is_a_404(
    collectivity_a: Collectivity, collectivity_b: Collectivity, path: str
) -> None:
    """B is not a network member: its processes are not published, as an unknown
    collectivity's."""
    ocds_world.build_generated(collectivity_b, 2)
    for slug in ("commune-b", "nowhere", "commune-a%00"):
        response = Client().get(f"/api/v1/c/{slug}/ocds/{path}")
        assert response.status_code == 404, (slug, path)
        assert "detail" in response.json()


# --- queries -----------------------------------------------------------------------------


def _queries(path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _get(path)
    return len(captured)


PAGED = {
    f"{API}/releases?limit=500": 2,  # the collectivity, the page
    f"{API}/records?limit=100": 3,  # the collectivity, the processes, their releases
    f"{API}/bulk": 2,  # the collectivity, the years
    f"{API}/bulk/2026/releases.json": 3,  # the collectivity, the latest date, the releases
    f"{API}/bulk/2026/records.json": 3,  # the same, the releases with their process
}


def test_queries_do_not_grow_with_the_releases(collectivity_a: Collectivity) -> None:
    ocds_world.build_generated(collectivity_a, 5)
    small = {path: _queries(path) for path in PAGED}
    assert Release.objects.count() == 10
    ocds_world.build_generated(collectivity_a, 95, first=6)
    assert Release.objects.count() == 200
    large = {path: _queries(path) for path in PAGED}
    assert small == large == PAGED
    assert len(_get(f"{API}/releases?limit=500")["releases"]) == 200
    assert len(_get(f"{API}/records?limit=100")["records"]) == 100
