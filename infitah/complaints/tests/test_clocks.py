"""The two legal clocks of decree 2.17.265: acknowledge within 15 days, answer within 60
(calendar days, moved to the next working day: the LegalLimit data), as Deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.utils import timezone

from infitah.accounts.models import User
from infitah.complaints import services
from infitah.complaints.models import Complaint
from infitah.complaints.tests.conftest import Submit
from infitah.complaints.workflow import Outcome
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.deadlines.selectors import due_date_compute, open_duty_list
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
ACK, ANSWER = "complaint.acknowledge", "complaint.answer"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _deadlines(complaint: Complaint) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_type="complaints.complaint", subject_id=str(complaint.pk))
        .select_related("limit")
        .order_by("pk")
    )


def _open(complaint: Complaint) -> dict[str, Deadline]:
    return {d.limit.code: d for d in _deadlines(complaint) if d.is_open}


def _due(start: dt.date, limit: str) -> dt.date:
    return due_date_compute(start=start, limit=limit).due_date


def test_the_limits_are_calendar_days_of_the_decree() -> None:
    limits = {limit.code: limit for limit in LegalLimit.objects.filter(code__in=[ACK, ANSWER])}
    assert (limits[ACK].duration, limits[ACK].unit) == (15, "calendar_days")
    assert (limits[ANSWER].duration, limits[ANSWER].unit) == (60, "calendar_days")


def test_receipt_opens_both_clocks(submit: Submit, clock: time_machine.Traveller) -> None:
    complaint = submit(confirm=False)
    assert _deadlines(complaint) == []
    assert complaint.acknowledge_by is None and complaint.answer_by is None
    clock.shift(dt.timedelta(days=2))  # confirmed on Wednesday
    services.complaint_confirm(complaint=complaint)
    complaint.refresh_from_db()
    received = timezone.localdate()
    assert complaint.received_on == received == dt.date(2026, 3, 4)
    deadlines = _open(complaint)
    assert set(deadlines) == {ACK, ANSWER}
    for code, mirror in ((ACK, complaint.acknowledge_by), (ANSWER, complaint.answer_by)):
        assert deadlines[code].start_date == received
        assert deadlines[code].due_date == _due(received, code) == mirror
        assert deadlines[code].collectivity_id == complaint.collectivity_id
    # Calendar days, moved to a working day when they end on a day off.
    assert complaint.acknowledge_by is not None and complaint.answer_by is not None
    assert complaint.acknowledge_by >= received + dt.timedelta(days=15)
    assert complaint.answer_by >= received + dt.timedelta(days=60)
    assert complaint.acknowledge_by.weekday() < 5 and complaint.answer_by.weekday() < 5


def test_a_phone_only_complaint_is_received_at_once(
    submit: Submit, clock: time_machine.Traveller
) -> None:
    complaint = submit(confirm=False, email="", phone="0612345678")
    assert complaint.received_on == timezone.localdate()
    assert set(_open(complaint)) == {ACK, ANSWER}


def test_a_due_date_on_a_weekend_moves_to_monday(submit: Submit) -> None:
    # Received Friday 6 March 2026: 15 days later is Saturday 21 March.
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, 0, tzinfo=CASABLANCA), tick=False):
        complaint = submit()
    assert complaint.acknowledge_by == _due(dt.date(2026, 3, 6), ACK)
    assert complaint.acknowledge_by is not None
    assert complaint.acknowledge_by > dt.date(2026, 3, 21)
    assert complaint.acknowledge_by.weekday() < 5


@pytest.mark.parametrize("late", [False, True])
def test_acknowledging_closes_the_acknowledge_clock(
    submit: Submit, officer_a: User, clock: time_machine.Traveller, late: bool
) -> None:
    complaint = submit()
    assert complaint.acknowledge_by is not None
    days = (complaint.acknowledge_by - timezone.localdate()).days + (1 if late else 0)
    clock.shift(dt.timedelta(days=days))
    services.complaint_acknowledge(complaint=complaint, actor=officer_a)
    complaint.refresh_from_db()
    assert complaint.acknowledged_on == timezone.localdate()
    assert complaint.is_acknowledged_late is late
    ack = next(d for d in _deadlines(complaint) if d.limit.code == ACK)
    assert ack.status == DeadlineStatus.MET
    assert set(_open(complaint)) == {ANSWER}


@pytest.mark.parametrize("how", ["route", "ask_info"])
def test_routing_or_asking_acknowledges_too(
    submit: Submit, officer_a: User, roads_a: object, how: str
) -> None:
    complaint = submit()
    if how == "route":
        services.complaint_route(complaint=complaint, actor=officer_a, service=roads_a)  # type: ignore[arg-type]
    else:
        services.complaint_ask_info(complaint=complaint, actor=officer_a, text="أين؟")
    complaint.refresh_from_db()
    assert complaint.acknowledged_on == timezone.localdate()
    assert set(_open(complaint)) == {ANSWER}


@pytest.mark.parametrize("late", [False, True])
def test_answering_closes_both_clocks(
    submit: Submit, officer_a: User, clock: time_machine.Traveller, late: bool
) -> None:
    complaint = submit()
    received = timezone.localdate()
    assert complaint.answer_by is not None
    days = (complaint.answer_by - received).days + (1 if late else 0)
    clock.shift(dt.timedelta(days=days))
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome=Outcome.POSITIVE, text="تم"
    )
    complaint.refresh_from_db()
    assert _open(complaint) == {}
    assert {d.status for d in _deadlines(complaint)} == {DeadlineStatus.MET}
    assert complaint.answered_on == timezone.localdate()
    assert complaint.answer_days == days
    assert complaint.is_answered_late is late
    # Never acknowledged on its own: the answer acknowledges, late after 15 days.
    assert complaint.acknowledged_on == complaint.answered_on
    assert complaint.is_acknowledged_late is True


def test_reopening_restarts_the_answer_clock_from_the_reopening_day(
    submit: Submit, officer_a: User, clock: time_machine.Traveller
) -> None:
    complaint = submit()
    first_answer_by = complaint.answer_by
    clock.shift(dt.timedelta(days=20))
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome=Outcome.NEGATIVE, text="لا"
    )
    clock.shift(dt.timedelta(days=10))
    services.complaint_reopen(complaint=complaint, text="الجواب لا يحل المشكلة")
    complaint.refresh_from_db()
    reopened = timezone.localdate()
    assert complaint.reopened_on == reopened == dt.date(2026, 4, 1)
    deadlines = _open(complaint)
    assert set(deadlines) == {ANSWER}
    assert deadlines[ANSWER].start_date == reopened
    assert deadlines[ANSWER].due_date == _due(reopened, ANSWER) == complaint.answer_by
    assert complaint.answer_by != first_answer_by
    # The first answer clock stays closed as met; the acknowledge clock is not reopened.
    codes = [(d.limit.code, d.status) for d in _deadlines(complaint)]
    assert codes.count((ANSWER, DeadlineStatus.MET)) == 1
    assert codes.count((ACK, DeadlineStatus.MET)) == 1
    # The second answer is measured from the reopening.
    clock.shift(dt.timedelta(days=7))
    services.complaint_answer(
        complaint=complaint, actor=officer_a, outcome=Outcome.POSITIVE, text="أُصلح"
    )
    complaint.refresh_from_db()
    assert (complaint.answer_days, complaint.is_answered_late) == (7, False)
    assert _open(complaint) == {}


def test_merged_complaints_clocks_are_cancelled(submit: Submit, officer_a: User) -> None:
    kept, duplicate = submit(), submit()
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    assert _open(duplicate) == {}
    assert {d.status for d in _deadlines(duplicate)} == {DeadlineStatus.CANCELLED}
    assert set(_open(kept)) == {ACK, ANSWER}


def test_the_staff_inbox_lists_the_clocks_soonest_first(
    submit: Submit,
    officer_a: User,
    clock: time_machine.Traveller,
    collectivity_a: Collectivity,
) -> None:
    first = submit()
    clock.shift(dt.timedelta(days=3))
    second = submit()
    services.complaint_acknowledge(complaint=first, actor=officer_a)
    duties = open_duty_list(collectivity=collectivity_a)
    rows = [(d.deadline.subject_id, d.deadline.limit.code) for d in duties]
    assert rows == [
        (str(second.pk), ACK),
        (str(first.pk), ANSWER),
        (str(second.pk), ANSWER),
    ]
    assert [d.deadline.due_date for d in duties] == sorted(d.deadline.due_date for d in duties)
    assert all(d.url and str(d.kind_label) for d in duties)
    assert all(not d.is_overdue for d in duties)
    clock.shift(dt.timedelta(days=20))
    overdue = [d for d in open_duty_list(collectivity=collectivity_a) if d.is_overdue]
    assert [(d.deadline.subject_id, d.deadline.limit.code) for d in overdue] == [
        (str(second.pk), ACK)
    ]
