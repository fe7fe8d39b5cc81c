"""Demo scores of the openness index: every collectivity of the tree for the current
month, and a history of the past HISTORY_MONTHS months for the network's members.

Nothing is invented: each past month is computed by the index itself
(`openness_compute`) as of the last day of that month, from the data the demo holds,
with the method in force. Idempotent: a past month's score is only created where
missing (the index never rewrites history) and the current month's is recomputed to the
same figures from the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from infitah.deadlines.workdays import add_months
from infitah.openness.services import month_of, openness_compute
from infitah.territories.models import Collectivity

HISTORY_MONTHS = 6


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return add_months(month_of(month), 1) - dt.timedelta(days=1)


def openness_demo(
    *, today: dt.date | None = None, log: Callable[[str], object] = print
) -> tuple[int, int]:
    """Compute the scores of the month of `today` (default: today) for every
    collectivity, and of each of the HISTORY_MONTHS months before it for the network's
    members; returns (collectivities computed this month, member-months of history)."""
    today = today or timezone.localdate()
    members = list(
        Collectivity.objects.network_members().order_by("pk").values_list("pk", flat=True)
    )
    history = 0
    for back in range(HISTORY_MONTHS, 0, -1):
        day = month_end(add_months(month_of(today), -back))
        history += openness_compute(collectivity_ids=members, today=day)
    current = openness_compute(today=today)
    log(
        f"openness demo: {current} collectivities scored for {today:%Y-%m}, "
        f"{len(members)} members with {HISTORY_MONTHS} months of history"
    )
    return current, history
