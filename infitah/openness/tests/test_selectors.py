"""The reads of the dashboard's progress and of the method page: the median month by
month, the versions of the method and the versions behind a month's scores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest

from django.apps import apps as django_apps
from django.utils import timezone

from infitah.openness.models import DEFAULT_WEIGHTS, Method, Score
from infitah.openness.selectors import method_list, month_methods, monthly_medians
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

MARCH, APRIL, JUNE = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def method_v1(db: None) -> Method:
    """Version 1 of the method as its migration seeds it: a transactional test of
    another module may have emptied the table when it ended."""
    import_module("infitah.openness.migrations.0002_method_v1").seed(django_apps, None)
    return Method.objects.get(version=1)


def put(
    collectivity: Collectivity, month: dt.date, score: str | None, method: Method | None = None
) -> Score:
    """`collectivity`'s score of `month` (None: no data)."""
    return Score.objects.create(
        collectivity=collectivity,
        month=month,
        method=method or Method.objects.current(),
        score=Decimal(score or 0),
        has_data=score is not None,
        items=[],
        computed_at=timezone.now(),
    )


def other_region() -> tuple[Collectivity, Collectivity]:
    """Another region and one of its communes."""
    region = Collectivity.objects.create(
        kind=Kind.REGION, slug="oriental-test", name_ar="الشرق", name_fr="Oriental"
    )
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="oujda-test",
        name_ar="وجدة",
        name_fr="Oujda",
        parent=region,
        region=region,
    )
    return region, commune


@pytest.fixture
def scores(
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> tuple[Collectivity, Collectivity]:
    """March: A 40, B none. April: B none only. June: A 62.5, B none, the region 30, the
    prefecture 45.5, and in another region a commune at 80."""
    put(collectivity_a, MARCH, "40")
    put(collectivity_b, MARCH, None)
    put(collectivity_b, APRIL, None)
    put(collectivity_a, JUNE, "62.5")
    put(collectivity_b, JUNE, None)
    put(region, JUNE, "30")
    put(prefecture, JUNE, "45.5")
    oriental, oujda = other_region()
    put(oujda, JUNE, "80")
    return oriental, oujda


def test_monthly_medians_of_every_month_with_scores(
    scores: tuple[Collectivity, Collectivity], region: Collectivity
) -> None:
    oriental, _oujda = scores
    assert monthly_medians() == [
        (MARCH, Decimal("40.0"), 1),
        # A month whose scores all lack data still has its column, empty.
        (APRIL, None, 0),
        # 30, 45.5, 62.5, 80
        (JUNE, Decimal("54.0"), 4),
    ]
    assert monthly_medians(kind=Kind.COMMUNE) == [
        (MARCH, Decimal("40.0"), 1),
        (APRIL, None, 0),
        (JUNE, Decimal("71.2"), 2),  # median(62.5, 80) = 71.25, rounded to a tenth
    ]
    # A region: its collectivities and itself.
    assert monthly_medians(region=region) == [
        (MARCH, Decimal("40.0"), 1),
        (APRIL, None, 0),
        (JUNE, Decimal("45.5"), 3),
    ]
    assert monthly_medians(kind=Kind.REGION, region=region) == [
        (MARCH, None, 0),
        (APRIL, None, 0),
        (JUNE, Decimal("30.0"), 1),
    ]
    assert monthly_medians(region=oriental) == [
        (MARCH, None, 0),
        (APRIL, None, 0),
        (JUNE, Decimal("80.0"), 1),
    ]


def test_monthly_medians_without_scores() -> None:
    assert monthly_medians() == []


def test_monthly_medians_queries_do_not_grow(
    scores: tuple[Collectivity, Collectivity],
    prefecture: Collectivity,
    region: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(2):
        small = monthly_medians(region=region)
    for i in range(30):
        commune = Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=f"c-{i}",
            name_ar=f"ج {i}",
            name_fr=f"C {i}",
            parent=prefecture,
            region=region,
        )
        for month in (MARCH, APRIL, JUNE):
            put(commune, month, str(i))
    with django_assert_num_queries(2):
        big = monthly_medians(region=region)
    assert [row[2] for row in big] == [n + 30 for n in (row[2] for row in small)]


def test_method_list_newest_first(method_v1: Method) -> None:
    v2 = Method.objects.create(
        version=2,
        weights=DEFAULT_WEIGHTS | {"opendata": 10},
        note="more open data",
        created_at=timezone.now(),
    )
    assert method_list() == [v2, method_v1]


def test_month_methods_counts_the_scores_of_each_version(
    method_v1: Method,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    region: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    v2 = Method.objects.create(
        version=2,
        weights=DEFAULT_WEIGHTS | {"opendata": 10},
        note="more open data",
        created_at=timezone.now(),
    )
    put(collectivity_a, JUNE, "50", method=v2)
    put(collectivity_b, JUNE, None, method=method_v1)
    put(region, JUNE, "20", method=v2)
    put(collectivity_a, MARCH, "10", method=method_v1)
    with django_assert_num_queries(1):
        assert month_methods(JUNE) == {1: 1, 2: 2}
    assert month_methods(MARCH) == {1: 1}
    assert month_methods(APRIL) == {}
