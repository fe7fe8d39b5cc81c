"""The complaints item: acknowledged and answered in the decree's periods, satisfaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from infitah.accounts.models import Role, User
from infitah.complaints.selectors import statistics
from infitah.complaints.services import (
    ComplaintInput,
    complaint_acknowledge,
    complaint_answer,
    complaint_confirm,
    complaint_rate,
    complaint_submit,
)
from infitah.openness.items import compute_complaints
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _world(make: Make, a: Collectivity) -> None:
    # Acknowledged and answered on time, rated 4.
    make.complaint(
        a,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY + 20 * DAY,
        answered_on=TODAY - 20 * DAY,
        satisfaction=4,
    )
    # Acknowledged late, answered late, rated 2.
    make.complaint(
        a,
        received_on=TODAY - 70 * DAY,
        ack_due=TODAY - 55 * DAY,
        acknowledged_on=TODAY - 30 * DAY,
        ack_late=True,
        answer_due=TODAY - 10 * DAY,
        answered_on=TODAY - 5 * DAY,
        answer_late=True,
        satisfaction=2,
    )
    # Not acknowledged by its due date: judged late; its answer is not due yet.
    make.complaint(
        a, received_on=TODAY - 20 * DAY, ack_due=TODAY - 5 * DAY, answer_due=TODAY + 40 * DAY
    )
    # Received three days ago: nothing due yet.
    make.complaint(
        a, received_on=TODAY - 3 * DAY, ack_due=TODAY + 12 * DAY, answer_due=TODAY + 57 * DAY
    )
    # Merged into another: its periods were cancelled, nothing to judge.
    make.complaint(
        a,
        received_on=TODAY - 30 * DAY,
        ack_due=TODAY - 15 * DAY,
        answer_due=TODAY + 30 * DAY,
        merged=True,
    )


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity, region: Collectivity
) -> None:
    _world(make, collectivity_a)
    make.complaint(
        collectivity_b,
        received_on=TODAY - 3 * DAY,
        ack_due=TODAY + 12 * DAY,
        answer_due=TODAY + 57 * DAY,
    )
    results = compute_complaints(
        collectivity_ids=[collectivity_a.pk, collectivity_b.pk, region.pk], today=TODAY
    )
    result = results[collectivity_a.pk]
    assert result.evidence == {
        "records": 5,
        "received": 5,
        "acknowledgements_judged": 3,
        "acknowledged_on_time": 1,
        "answers_judged": 2,
        "answered_on_time": 1,
        "rated": 2,
        "satisfaction_average": 3.0,
    }
    # 0.3 × 1/3 + 0.5 × 1/2 + 0.2 × 3/5
    assert result.fraction == pytest.approx(0.1 + 0.25 + 0.12, abs=1e-4)
    assert result.advice == [
        "complaints.acknowledge_on_time",
        "complaints.answer_on_time",
        "complaints.improve_satisfaction",
    ]
    assert results[collectivity_b.pk].fraction is None
    assert results[region.pk].fraction is None
    assert results[region.pk].evidence["records"] == 0


def test_without_ratings_satisfaction_drops_out(make: Make, collectivity_a: Collectivity) -> None:
    make.complaint(
        collectivity_a,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY + 20 * DAY,
        answered_on=TODAY - 20 * DAY,
    )
    make.complaint(
        collectivity_a,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY - 1 * DAY,
    )
    result = compute_complaints(collectivity_ids=[collectivity_a.pk], today=TODAY)
    # (0.3 × 2/2 + 0.5 × 1/2) / 0.8
    assert result[collectivity_a.pk].fraction == pytest.approx(0.55 / 0.8, abs=1e-4)


def test_grouped_equals_the_public_statistics(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    _world(make, collectivity_a)
    make.complaint(
        collectivity_b,
        received_on=TODAY - 50 * DAY,
        ack_due=TODAY - 35 * DAY,
        acknowledged_on=TODAY - 34 * DAY,
        ack_late=True,
        answer_due=TODAY + 10 * DAY,
        answered_on=TODAY - 30 * DAY,
        satisfaction=5,
    )
    results = compute_complaints(collectivity_ids=None, today=TODAY)
    for collectivity in (collectivity_a, collectivity_b):
        stats = statistics(collectivity=collectivity)
        evidence = results[collectivity.pk].evidence
        assert evidence["received"] == stats.received
        assert evidence["acknowledged_on_time"] == stats.acknowledged_on_time
        assert evidence["answered_on_time"] == stats.answered_on_time
        assert evidence["rated"] == stats.rated
        assert evidence["satisfaction_average"] == stats.satisfaction_average


def test_a_complaint_handled_through_the_services(
    collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> None:
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    data = ComplaintInput(
        kind="complaint",
        category="",
        description="الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا.",
        name="Amina",
        email="amina@example.test",
        phone="",
        address="",
        latitude="",
        longitude="",
        chikaya_reference="",
    )
    with time_machine.travel(at(TODAY - 60 * DAY), tick=False):
        complaint, _token = complaint_submit(collectivity=collectivity_a, data=data)
        complaint = complaint_confirm(complaint=complaint)
    # Acknowledged after 20 days (late: 15), answered within 60.
    with time_machine.travel(at(TODAY - 40 * DAY), tick=False):
        complaint = complaint_acknowledge(complaint=complaint, actor=officer)
    with time_machine.travel(at(TODAY - 30 * DAY), tick=False):
        complaint = complaint_answer(
            complaint=complaint, actor=officer, outcome="positive", text="C'est réparé."
        )
        complaint_rate(complaint=complaint, satisfaction=5)
    result = compute_complaints(collectivity_ids=[collectivity_a.pk], today=TODAY)
    evidence = result[collectivity_a.pk].evidence
    assert (evidence["acknowledgements_judged"], evidence["acknowledged_on_time"]) == (1, 0)
    assert (evidence["answers_judged"], evidence["answered_on_time"]) == (1, 1)
    # 0.3 × 0 + 0.5 × 1 + 0.2 × 5/5
    assert result[collectivity_a.pk].fraction == pytest.approx(0.7)
