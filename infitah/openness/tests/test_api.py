"""The openness index over the API: the ranking and a collectivity's score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from django.test import Client

from infitah.openness.models import ITEMS, Method, Score
from infitah.openness.services import openness_compute
from infitah.territories.models import Collectivity, Kind

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MONTH = TODAY.replace(day=1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield


def _score(
    collectivity: Collectivity, score: str, *, has_data: bool = True, month: dt.date = MONTH
) -> Score:
    return Score.objects.create(
        collectivity=collectivity,
        month=month,
        method=Method.objects.current(),
        score=Decimal(score),
        has_data=has_data,
        items=[],
        computed_at=at(month),
    )


@pytest.fixture
def commune_c(prefecture: Collectivity) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="commune-c",
        name_ar="الدشيرة",
        name_fr="Dcheira",
        parent=prefecture,
        region=prefecture.region,
    )


@pytest.fixture
def elsewhere() -> Collectivity:
    """A region of its own with one province."""
    other = Collectivity.objects.create(
        kind=Kind.REGION, slug="oriental-test", name_ar="الشرق", name_fr="Oriental"
    )
    return Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="berkane-test",
        name_ar="بركان",
        name_fr="Berkane",
        parent=other,
        region=other,
    )


def test_the_ranking_shares_ranks_and_leaves_no_data_unranked(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    commune_c: Collectivity,
    region: Collectivity,
    prefecture: Collectivity,
) -> None:
    _score(collectivity_a, "60.5")
    _score(collectivity_b, "42.0")
    _score(commune_c, "60.5")
    _score(prefecture, "10.0")
    _score(region, "0.0", has_data=False)
    answer = Client().get("/api/v1/openness")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], body["method_version"], body["month"]) == (5, 1, "2026-06-01")
    rows = [
        (i["collectivity"]["slug"], i["score"], i["rank"], i["has_data"]) for i in body["items"]
    ]
    assert rows == [
        ("commune-a", 60.5, 1, True),
        ("commune-c", 60.5, 1, True),
        ("commune-b", 42.0, 3, True),
        ("inezgane-test", 10.0, 4, True),
        ("souss-massa-test", 0.0, None, False),
    ]
    assert body["items"][0]["collectivity"] == {
        "slug": "commune-a",
        "name_ar": "أيت ملول",
        "name_fr": "Aït Melloul",
        "kind": "commune",
        "region": "souss-massa-test",
    }
    # A region is in its own region.
    assert body["items"][-1]["collectivity"]["region"] == "souss-massa-test"


def test_filters_by_kind_and_region(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    region: Collectivity,
    elsewhere: Collectivity,
) -> None:
    _score(collectivity_a, "30.0")
    _score(collectivity_b, "50.0")
    _score(region, "20.0")
    _score(elsewhere, "90.0")
    body = Client().get("/api/v1/openness", {"kind": "commune"}).json()
    assert [(i["collectivity"]["slug"], i["rank"]) for i in body["items"]] == [
        ("commune-b", 1),
        ("commune-a", 2),
    ]
    body = Client().get("/api/v1/openness", {"region": "souss-massa-test"}).json()
    assert [i["collectivity"]["slug"] for i in body["items"]] == [
        "commune-b",
        "commune-a",
        "souss-massa-test",
    ]
    body = Client().get("/api/v1/openness", {"region": "oriental-test", "kind": "province"}).json()
    assert [(i["collectivity"]["slug"], i["rank"]) for i in body["items"]] == [("berkane-test", 1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "village"}, "kind"),
        ({"region": "nowhere"}, "region"),
        ({"region": "commune-a"}, "region"),  # not a region
        ({"region": "\x00"}, "region"),
    ],
)
def test_bad_filters_are_a_400(
    query: dict[str, str], field: str, collectivity_a: Collectivity
) -> None:
    answer = Client().get("/api/v1/openness", query)
    assert answer.status_code == 400
    assert [error["field"] for error in answer.json()["detail"]] == [field]


def test_before_any_computation(collectivity_a: Collectivity) -> None:
    body = Client().get("/api/v1/openness").json()
    assert body == {"count": 0, "method_version": 1, "month": None, "items": []}
    answer = Client().get("/api/v1/c/commune-a/openness")
    assert answer.status_code == 404
    assert "detail" in answer.json()


def test_unknown_collectivity_is_a_404(collectivity_a: Collectivity) -> None:
    assert Client().get("/api/v1/c/nowhere/openness").status_code == 404


def test_the_ranking_reads_a_fixed_number_of_queries(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    commune_c: Collectivity,
    django_assert_max_num_queries: Any,
) -> None:
    for collectivity in (collectivity_a, collectivity_b, commune_c):
        _score(collectivity, "10.0")
    with django_assert_max_num_queries(4):
        assert Client().get("/api/v1/openness").json()["count"] == 3


def test_a_collectivity_score_with_items_ranks_and_history(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    commune_c: Collectivity,
    prefecture: Collectivity,
    django_assert_max_num_queries: Any,
) -> None:
    make.document(collectivity_a, "communiques", date=TODAY - 3 * DAY, is_complete=True)
    make.consultation(collectivity_a, opens=TODAY - 5 * DAY, closes=TODAY + 20 * DAY)
    make.consultation(prefecture, opens=TODAY - 5 * DAY, closes=TODAY + 20 * DAY)
    make.consultation(commune_c, opens=TODAY - 5 * DAY, closes=TODAY + 20 * DAY)
    make.consultation(commune_c, opens=TODAY - 9 * DAY, closes=TODAY + 20 * DAY)
    _score(collectivity_a, "1.5", month=dt.date(2026, 4, 1))
    openness_compute()
    with django_assert_max_num_queries(8):
        answer = Client().get("/api/v1/c/commune-a/openness")
    assert answer.status_code == 200
    body = answer.json()
    stored = Score.objects.get(collectivity=collectivity_a, month=MONTH)
    assert body["collectivity"]["slug"] == "commune-a"
    assert (body["month"], body["method_version"], body["score"]) == (
        "2026-06-01",
        1,
        float(stored.score),
    )
    # C (two consultations) is first, A second; the prefecture is of another kind.
    assert (body["rank"], body["ranked"]) == (2, 3)
    assert (body["peer_rank"], body["peer_count"]) == (2, 2)
    assert body["has_data"] is True
    assert [item["code"] for item in body["items"]] == list(ITEMS)
    publication = body["items"][0]
    assert set(publication) == {
        "code",
        "weight",
        "fraction",
        "points",
        "max_points",
        "evidence",
        "advice",
    }
    assert publication["evidence"]["published"] == 1
    assert body["items"][1]["fraction"] is None  # no request to judge
    assert body["history"] == [
        {"month": "2026-04-01", "score": 1.5, "has_data": True, "method_version": 1},
        {
            "month": "2026-06-01",
            "score": float(stored.score),
            "has_data": True,
            "method_version": 1,
        },
    ]
    # B has no data: a score of 0, shown as such, not ranked.
    body = Client().get("/api/v1/c/commune-b/openness").json()
    assert (body["score"], body["has_data"], body["rank"], body["peer_rank"]) == (
        0.0,
        False,
        None,
        None,
    )


def test_every_collectivity_of_the_tree_has_its_score(
    collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    """Not only the network's members: B is not one."""
    assert not collectivity_b.is_network_member
    openness_compute()
    assert Client().get("/api/v1/c/commune-b/openness").status_code == 200
    assert Client().get("/api/v1/c/inezgane-test/openness").status_code == 200


def test_private_requests_count_but_nothing_of_them_is_shown(
    make: Make, collectivity_a: Collectivity, charlie: Any
) -> None:
    """A request kept off the public register counts in the statistics, as on the
    register's own page; the answer names no case, and is the same for anyone (a public
    answer: charlie, staff of B, sees what the anonymous visitor sees)."""
    request = make.request(
        collectivity_a,
        received_on=TODAY - 40 * DAY,
        due=TODAY - 10 * DAY,
        status="answered",
        answered_on=TODAY - 20 * DAY,
        working_days=14,
    )
    request.is_private = True
    request.save(update_fields=["is_private"])
    openness_compute()
    anonymous = Client().get("/api/v1/c/commune-a/openness")
    client = Client()
    client.force_login(charlie)
    assert client.get("/api/v1/c/commune-a/openness").content == anonymous.content
    body = anonymous.json()
    assert body["items"][1]["evidence"]["answered_on_time"] == 1
    assert request.reference not in anonymous.content.decode()
    assert "@" not in anonymous.content.decode()
