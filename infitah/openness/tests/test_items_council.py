"""The council item: agendas in time, decisions and signed minutes, opinions answered."""

from __future__ import annotations

import datetime as dt

import pytest

from infitah.council.workflow import Status as SessionStatus
from infitah.openness.items import compute_council
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _world(make: Make, a: Collectivity) -> None:
    # Agenda in time, decisions published, minutes signed.
    make.session(
        a,
        sitting=TODAY - 100 * DAY,
        agenda_due=TODAY - 110 * DAY,
        agenda_on=TODAY - 115 * DAY,
        summary_due=TODAY - 92 * DAY,
        summary_on=TODAY - 95 * DAY,
        minutes_signed=True,
    )
    # Agenda late, decisions not published past their period; the latest session held,
    # so its minutes are not judged yet (approved at the next session).
    make.session(
        a,
        sitting=TODAY - 30 * DAY,
        agenda_due=TODAY - 40 * DAY,
        agenda_on=TODAY - 35 * DAY,
        summary_due=TODAY - 22 * DAY,
    )
    # Cancelled, and long ago: not counted.
    make.session(
        a,
        sitting=TODAY - 5 * DAY,
        agenda_due=TODAY - 15 * DAY,
        held=False,
        status=SessionStatus.CANCELLED,
    )
    make.session(a, sitting=TODAY - 400 * DAY, agenda_due=TODAY - 410 * DAY)
    # Opinions: answered in time; past its period unanswered; not due yet.
    make.referral(
        a,
        transmitted_on=TODAY - 90 * DAY,
        answer_due=TODAY - 30 * DAY,
        answered_on=TODAY - 40 * DAY,
    )
    make.referral(a, transmitted_on=TODAY - 60 * DAY, answer_due=TODAY - 1 * DAY)
    make.referral(a, transmitted_on=TODAY - 10 * DAY, answer_due=TODAY + 50 * DAY)


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    _world(make, collectivity_a)
    make.referral(collectivity_b, transmitted_on=TODAY - 10 * DAY, answer_due=TODAY + 50 * DAY)
    results = compute_council(collectivity_ids=[collectivity_a.pk, collectivity_b.pk], today=TODAY)
    result = results[collectivity_a.pk]
    assert result.evidence == {
        "records": 5,
        "sessions": 2,
        "agendas_judged": 2,
        "agendas_met": 1,
        "decisions_judged": 2,
        "decisions_met": 1,
        "minutes_judged": 1,
        "minutes_met": 1,
        "opinions_judged": 2,
        "opinions_met": 1,
    }
    # 0.35 × 1/2 + 0.3 × 1/2 + 0.2 × 1 + 0.15 × 1/2
    assert result.fraction == pytest.approx(0.6, abs=1e-4)
    assert result.advice == [
        "council.publish_agendas_on_time",
        "council.publish_decisions",
        "council.answer_opinions",
    ]
    # No session in twelve months: 0, whatever the advisory bodies did.
    b = results[collectivity_b.pk]
    assert (b.fraction, b.evidence["records"], b.advice) == (0.0, 1, ["council.hold_sessions"])


def test_decisions_not_yet_due_are_not_judged(make: Make, collectivity_a: Collectivity) -> None:
    """A session held yesterday: its decisions are not late yet; only the parts that can
    be judged count."""
    make.session(
        collectivity_a,
        sitting=TODAY - 1 * DAY,
        agenda_due=TODAY - 11 * DAY,
        agenda_on=TODAY - 12 * DAY,
        summary_due=TODAY + 7 * DAY,
    )
    result = compute_council(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert result[collectivity_a.pk].evidence["decisions_judged"] == 0
    assert result[collectivity_a.pk].fraction == 1.0
