"""The participation item: consultations held, syntheses published, labs and surveys."""

from __future__ import annotations

import datetime as dt

import pytest

from infitah.openness.items import compute_participation
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    a = collectivity_a
    make.consultation(
        a, opens=TODAY - 100 * DAY, closes=TODAY - 70 * DAY, synthesis_on=TODAY - 60 * DAY
    )
    make.consultation(a, opens=TODAY - 40 * DAY, closes=TODAY - 10 * DAY)
    # Opened before the window, closed in it, with its synthesis: counts as closed only.
    make.consultation(
        a, opens=TODAY - 380 * DAY, closes=TODAY - 300 * DAY, synthesis_on=TODAY - 290 * DAY
    )
    # Entirely before the window.
    make.consultation(a, opens=TODAY - 420 * DAY, closes=TODAY - 390 * DAY)
    make.lab(a, opens=TODAY - 50 * DAY)
    make.lab(a, opens=TODAY + 5 * DAY)  # not opened yet
    make.survey(a, opens=TODAY - 20 * DAY)
    make.survey(a, opens=TODAY - 20 * DAY, published=False)  # a draft

    results = compute_participation(collectivity_ids=[a.pk, collectivity_b.pk], today=TODAY)
    result = results[a.pk]
    assert result.evidence == {
        "records": 5,
        "consultations": 2,
        "consultations_closed": 3,
        "syntheses_published": 2,
        "labs": 1,
        "surveys": 1,
    }
    # 0.4 × 2/2 + 0.3 × 2/3 + 0.3 × 2/2
    assert result.fraction == pytest.approx(0.9, abs=1e-4)
    assert result.advice == ["participation.publish_syntheses"]
    nothing = results[collectivity_b.pk]
    assert (nothing.fraction, nothing.evidence["records"]) == (0.0, 0)
    assert nothing.advice == [
        "participation.hold_consultations",
        "participation.publish_syntheses",
        "participation.hold_labs_or_surveys",
    ]


def test_one_consultation_open_now(make: Make, collectivity_a: Collectivity) -> None:
    make.consultation(collectivity_a, opens=TODAY - 5 * DAY, closes=TODAY + 20 * DAY)
    result = compute_participation(collectivity_ids=[collectivity_a.pk], today=TODAY)
    # 0.4 × 1/2; no consultation closed yet, no synthesis to count.
    assert result[collectivity_a.pk].fraction == pytest.approx(0.2)
