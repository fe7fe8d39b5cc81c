"""The programme item: an adopted programme, commitments on track, an up-to-date page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infitah.openness.items import compute_programme
from infitah.openplan.workflow import Status
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hand_computed_fraction(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    prefecture: Collectivity,
    region: Collectivity,
) -> None:
    # An older programme, closed two years ago, gives way to the adopted one.
    make.programme(
        collectivity_a,
        status=Status.CLOSED,
        updated_on=TODAY - 800 * DAY,
        starts_on=dt.date(2023, 1, 1),
        closed_on=TODAY - 700 * DAY,
    )
    programme = make.programme(collectivity_a, updated_on=TODAY - 30 * DAY)
    make.commitment(programme, progress=100, ends_on=TODAY - 50 * DAY)  # done: on track
    make.commitment(  # a milestone past its end unfinished: off track
        programme, progress=40, milestones=((50, TODAY - 10 * DAY, False), (0, None, False))
    )
    make.commitment(  # its late milestone is cancelled: on track
        programme,
        progress=20,
        milestones=((0, TODAY - 10 * DAY, True), (40, TODAY + 60 * DAY, False)),
    )
    make.commitment(programme, progress=10, ends_on=TODAY - 5 * DAY)  # past its end: off track
    # B only drafts one: 0.
    make.programme(collectivity_b, status=Status.DRAFTING, updated_on=TODAY)
    # The prefecture's adopted programme is stale (4 months), with no commitment.
    make.programme(prefecture, updated_on=TODAY - 200 * DAY)
    # The region's programme closed a month ago: in force for the year, never stale.
    make.programme(
        region, status=Status.CLOSED, updated_on=TODAY - 200 * DAY, closed_on=TODAY - 30 * DAY
    )
    results = compute_programme(
        collectivity_ids=[collectivity_a.pk, collectivity_b.pk, prefecture.pk, region.pk],
        today=TODAY,
    )
    a = results[collectivity_a.pk]
    # 0.4 + 0.4 × 2/4 + 0.2
    assert a.fraction == pytest.approx(0.8)
    assert (a.evidence["records"], a.evidence["commitments"], a.evidence["on_track"]) == (2, 4, 2)
    assert a.evidence["programme"] == programme.pk
    assert a.advice == ["programme.keep_on_track"]
    b = results[collectivity_b.pk]
    assert (b.fraction, b.evidence["records"], b.advice) == (0.0, 1, ["programme.adopt"])
    assert results[prefecture.pk].fraction == pytest.approx(0.4)
    assert results[prefecture.pk].advice == ["programme.keep_on_track", "programme.update_page"]
    assert results[region.pk].fraction == pytest.approx(0.6)


def test_the_stale_months_are_a_setting(
    make: Make, collectivity_a: Collectivity, settings: Any
) -> None:
    make.programme(collectivity_a, updated_on=TODAY - 70 * DAY)
    settings.INFITAH_OPENPLAN_STALE_MONTHS = 2
    stale = compute_programme(collectivity_ids=[collectivity_a.pk], today=TODAY)
    settings.INFITAH_OPENPLAN_STALE_MONTHS = 4
    fresh = compute_programme(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert stale[collectivity_a.pk].evidence["is_up_to_date"] == 0
    assert fresh[collectivity_a.pk].evidence["is_up_to_date"] == 1
