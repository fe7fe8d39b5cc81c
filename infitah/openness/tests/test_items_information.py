"""The access-to-information item: answered on time, median delay, deemed refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from infitah.accounts.models import Role, User
from infitah.information.models import InformationSettings
from infitah.information.selectors import statistics
from infitah.information.services import RequestInput, request_answer, request_file
from infitah.information.workflow import Status
from infitah.openness.items import compute_information
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity, region: Collectivity
) -> None:
    a = collectivity_a
    # Answered on time in 8 working days.
    make.request(
        a,
        received_on=TODAY - 30 * DAY,
        due=TODAY - 2 * DAY,
        status=Status.ANSWERED,
        answered_on=TODAY - 20 * DAY,
        working_days=8,
    )
    # Answered late, 30 working days.
    make.request(
        a,
        received_on=TODAY - 60 * DAY,
        due=TODAY - 32 * DAY,
        status=Status.ANSWERED,
        answered_on=TODAY - 20 * DAY,
        late=True,
        working_days=30,
    )
    # Deemed refused, then answered late in 12 working days: judged once, deemed, late.
    make.request(
        a,
        received_on=TODAY - 80 * DAY,
        due=TODAY - 52 * DAY,
        status=Status.ANSWERED,
        answered_on=TODAY - 40 * DAY,
        late=True,
        deemed_on=TODAY - 51 * DAY,
        working_days=12,
    )
    # Open past its due date: deemed refused (derived from the dates).
    make.request(a, received_on=TODAY - 40 * DAY, due=TODAY - 5 * DAY)
    # Open, not yet due: not judged.
    make.request(a, received_on=TODAY - 3 * DAY, due=TODAY + 20 * DAY)
    # Received more than twelve months ago: outside the window.
    make.request(
        a,
        received_on=TODAY - 400 * DAY,
        due=TODAY - 370 * DAY,
        status=Status.ANSWERED,
        answered_on=TODAY - 380 * DAY,
        working_days=2,
    )
    make.request(collectivity_b, received_on=TODAY - 3 * DAY, due=TODAY + 20 * DAY)

    results = compute_information(
        collectivity_ids=[a.pk, collectivity_b.pk, region.pk], today=TODAY
    )
    result = results[a.pk]
    assert result.evidence == {
        "records": 5,
        "received": 5,
        "judged": 4,
        "answered_on_time": 1,
        "deemed_refused": 2,
        "median_working_days": 12.0,
        "legal_limit_days": 20,
    }
    # 0.6 × 1/4 + 0.2 × (1 − 12/20) + 0.2 × (1 − 2/4)
    assert result.fraction == pytest.approx(0.15 + 0.08 + 0.1)
    assert result.advice == [
        "information.answer_on_time",
        "information.answer_faster",
        "information.avoid_deemed_refusals",
    ]
    # Nothing to judge yet, or nothing at all: not measured.
    assert results[collectivity_b.pk].fraction is None
    assert results[collectivity_b.pk].evidence["records"] == 1
    assert results[region.pk].fraction is None
    assert results[region.pk].evidence["records"] == 0


def test_all_on_time_and_fast_is_full_marks(make: Make, collectivity_a: Collectivity) -> None:
    make.request(
        collectivity_a,
        received_on=TODAY - 10 * DAY,
        due=TODAY + 10 * DAY,
        status=Status.ANSWERED,
        answered_on=TODAY - 10 * DAY,
        working_days=0,
    )
    result = compute_information(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert (result[collectivity_a.pk].fraction, result[collectivity_a.pk].advice) == (1.0, [])


def test_grouped_equals_the_public_statistics(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    for collectivity, shift in ((collectivity_a, 0), (collectivity_b, 7)):
        for n in range(5):
            make.request(
                collectivity,
                received_on=TODAY - (40 + n + shift) * DAY,
                due=TODAY - (10 + n - shift) * DAY,
                status=Status.ANSWERED if n % 2 else Status.IN_PROGRESS,
                answered_on=TODAY - (12 + n) * DAY if n % 2 else None,
                late=n == 3,
                working_days=5 + n + shift if n % 2 else None,
            )
    results = compute_information(collectivity_ids=None, today=TODAY)
    for collectivity in (collectivity_a, collectivity_b):
        stats = statistics(collectivity=collectivity, today=TODAY)
        evidence = results[collectivity.pk].evidence
        assert evidence["received"] == stats.received
        assert evidence["answered_on_time"] == stats.answered_on_time
        assert evidence["deemed_refused"] == stats.deemed_refused
        assert evidence["median_working_days"] == stats.median_working_days


def test_a_request_answered_through_the_services(
    collectivity_a: Collectivity, staff_for: Callable[[str], User], settings: Any
) -> None:
    InformationSettings.objects.create(collectivity=collectivity_a, cndp_authorisation="A-1")
    officer = staff_for(Role.INFORMATION_OFFICER)
    data = RequestInput(
        requester_type="citizen",
        first_name="Fatima",
        last_name="Zahra",
        id_type="cin",
        id_number="ZX987654",
        address="12 rue des Orangers",
        email="fatima@example.test",
        subject="ميزانية الجماعة",
        description="أطلب نسخة من ميزانية الجماعة.",
        urgent=False,
        urgency_reason="",
        delivery="email",
        private=False,
    )
    with time_machine.travel(at(TODAY - 20 * DAY), tick=False):
        request, _token = request_file(
            collectivity=collectivity_a, data=data, actor=officer, email_confirmed=True
        )
    with time_machine.travel(at(TODAY - 15 * DAY), tick=False):
        request_answer(request=request, actor=officer, text="La voici.")
    result = compute_information(collectivity_ids=[collectivity_a.pk], today=TODAY)
    evidence = result[collectivity_a.pk].evidence
    assert (evidence["judged"], evidence["answered_on_time"], evidence["deemed_refused"]) == (
        1,
        1,
        0,
    )
    fraction = result[collectivity_a.pk].fraction
    assert fraction is not None
    assert fraction > 0.8
