"""The open-data item: at least one dataset, current for its declared frequency."""

from __future__ import annotations

import datetime as dt

import pytest

from infitah.opendata.models import Frequency
from infitah.openness.items import compute_opendata
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    a = collectivity_a
    make.dataset(a, frequency=Frequency.CONTINUOUS, modified=TODAY - 100 * DAY)  # live
    make.dataset(a, frequency=Frequency.MONTHLY, modified=TODAY - 10 * DAY)  # current
    make.dataset(a, frequency=Frequency.MONTHLY, modified=TODAY - 40 * DAY)  # out of date
    make.dataset(a, frequency=Frequency.ANNUAL, modified=TODAY - 300 * DAY)  # current
    make.dataset(a, frequency=Frequency.DAILY, modified=TODAY - 300 * DAY, active=False)
    # A network-wide dataset belongs to no collectivity.
    make.dataset(None, frequency=Frequency.MONTHLY, modified=TODAY - 400 * DAY)

    results = compute_opendata(collectivity_ids=None, today=TODAY)
    result = results[a.pk]
    assert result.evidence == {"records": 4, "datasets": 4, "current": 3}
    # 0.2 + 0.8 × 3/4
    assert result.fraction == pytest.approx(0.8)
    assert result.advice == ["opendata.update_datasets"]
    b = results[collectivity_b.pk]
    assert (b.fraction, b.advice) == (0.0, ["opendata.publish_dataset"])
