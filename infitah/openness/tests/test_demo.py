"""The demo's scores: every collectivity of the tree this month, and a history computed
by the index itself for the network's members; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from infitah.openness.demo import HISTORY_MONTHS, month_end, openness_demo
from infitah.openness.models import Score
from infitah.openness.tests.conftest import TODAY, Make
from infitah.openness.tests.test_pages import method_v1  # noqa: F401 - autouse fixture
from infitah.territories.models import Collectivity


def _scores() -> list[tuple[int, dt.date, Decimal, bool, Any]]:
    return list(
        Score.objects.order_by("collectivity_id", "month").values_list(
            "collectivity_id", "month", "score", "has_data", "items"
        )
    )


def test_month_end() -> None:
    assert month_end(dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)
    assert month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)


def test_demo_scores_the_tree_and_the_members_history(
    make: Make,
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    # A opened a consultation in April: the months before it have nothing to judge.
    make.consultation(collectivity_a, opens=dt.date(2026, 4, 10), closes=dt.date(2026, 5, 10))
    current, _history = openness_demo(today=TODAY, log=lambda line: None)
    assert current == 4
    this_month = dt.date(2026, 6, 1)
    assert set(
        Score.objects.filter(month=this_month).values_list("collectivity_id", flat=True)
    ) == {region.pk, prefecture.pk, collectivity_a.pk, collectivity_b.pk}
    history = dict(
        Score.objects.filter(collectivity=collectivity_a).values_list("month", "has_data")
    )
    assert len(history) == HISTORY_MONTHS + 1
    assert min(history) == dt.date(2025, 12, 1)
    assert [history[dt.date(2026, m, 1)] for m in (1, 2, 3, 4, 5, 6)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    # Not a member: this month only, and "no data" rather than a low score.
    b_scores = Score.objects.filter(collectivity=collectivity_b)
    assert b_scores.count() == 1 and not b_scores.get().has_data


def test_demo_is_idempotent(make: Make, collectivity_a: Collectivity) -> None:
    """This month's scores are recomputed (to the same figures), past ones kept."""
    today = timezone.localdate()
    make.consultation(
        collectivity_a,
        opens=today - dt.timedelta(days=60),
        closes=today - dt.timedelta(days=30),
    )
    openness_demo(log=lambda line: None)
    first = _scores()
    assert len(first) == 3 + HISTORY_MONTHS  # the tree (region, prefecture, A), A's history
    openness_demo(log=lambda line: None)
    assert _scores() == first
