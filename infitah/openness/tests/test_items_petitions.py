"""The petitions item: decided within the legal period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infitah.openness.items import compute_petitions
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity, region: Collectivity
) -> None:
    a = collectivity_a
    # Decided within its period.
    make.petition(a, lodged_on=TODAY - 100 * DAY, due=TODAY - 10 * DAY, decided_on=TODAY - 20 * DAY)
    # Rejected after it.
    make.petition(
        a, lodged_on=TODAY - 120 * DAY, due=TODAY - 30 * DAY, rejected_on=TODAY - 25 * DAY
    )
    # Lodged long ago and still waiting past its period: it still counts, late.
    make.petition(a, lodged_on=TODAY - 400 * DAY, due=TODAY - 300 * DAY)
    # Waiting within its period: not judged.
    make.petition(a, lodged_on=TODAY - 60 * DAY, due=TODAY + 30 * DAY)
    # Withdrawn (the period cancelled): not judged.
    make.petition(a, lodged_on=TODAY - 200 * DAY, due=TODAY - 110 * DAY, withdrawn=True)
    # Decided long ago: outside the window.
    make.petition(
        a, lodged_on=TODAY - 500 * DAY, due=TODAY - 410 * DAY, decided_on=TODAY - 420 * DAY
    )
    make.petition(collectivity_b, lodged_on=TODAY - 60 * DAY, due=TODAY + 30 * DAY)

    results = compute_petitions(collectivity_ids=[a.pk, collectivity_b.pk, region.pk], today=TODAY)
    assert results[a.pk].evidence == {"records": 5, "lodged": 5, "judged": 3, "decided_on_time": 1}
    assert results[a.pk].fraction == pytest.approx(1 / 3, abs=1e-4)
    assert results[a.pk].advice == ["petitions.decide_on_time"]
    assert results[collectivity_b.pk].fraction is None
    assert results[collectivity_b.pk].evidence["records"] == 1
    assert results[region.pk].fraction is None


def test_decided_on_the_last_day_is_on_time(make: Make, collectivity_a: Collectivity) -> None:
    make.petition(
        collectivity_a, lodged_on=TODAY - 90 * DAY, due=TODAY - 2 * DAY, decided_on=TODAY - 2 * DAY
    )
    result = compute_petitions(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert (result[collectivity_a.pk].fraction, result[collectivity_a.pk].advice) == (1.0, [])


def test_queries_do_not_grow_with_the_collectivities(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    for collectivity in (collectivity_a, collectivity_b):
        make.petition(collectivity, lodged_on=TODAY - 60 * DAY, due=TODAY - 1 * DAY)
    with django_assert_num_queries(2):
        compute_petitions(collectivity_ids=None, today=TODAY)
