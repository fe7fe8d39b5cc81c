"""Tracked deadlines: open, close, the inbox and the sweep."""

from __future__ import annotations

from datetime import date

import pytest

from django.core.exceptions import ValidationError

from infitah.deadlines.duty_kinds import register_duty_kind, unregister_duty_kind
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import UnknownLegalLimit, deadline_list_for_subject, open_duty_list
from infitah.deadlines.services import (
    deadline_close,
    deadline_close_for_subject,
    deadline_open,
    deadlines_sweep,
)
from infitah.deadlines.tests.factories import deadline_make
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty_kind():
    register_duty_kind(
        "tests.subject",
        url=lambda d: f"/staff/{d.collectivity.slug}/cases/{d.subject_id}/",
        label="Test case",
    )
    yield
    unregister_duty_kind("tests.subject")


def test_deadline_open_computes_the_due_date_and_records_it(collectivity_a, staff_a):
    deadline = deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_a,
        limit_code="ati.answer",
        start=date(2026, 11, 2),
        label="ATI-2026-0001: answer",
        actor=staff_a,
    )
    assert deadline.due_date == date(2026, 12, 2)
    assert deadline.subject_type == "territories.collectivity"
    assert deadline.subject_id == str(collectivity_a.pk)
    assert deadline.status == DeadlineStatus.OPEN
    event = Event.objects.for_object(deadline).get()
    assert event.action == "deadline.opened" and event.actor == staff_a
    assert event.collectivity == collectivity_a and event.to_state == "2026-12-02"


def test_deadline_open_with_an_unknown_limit_fails(collectivity_a):
    with pytest.raises(UnknownLegalLimit):
        deadline_open(
            collectivity=collectivity_a,
            subject=collectivity_a,
            limit_code="nope",
            start=date(2026, 1, 5),
            label="x",
        )


def test_deadline_close_once(collectivity_a):
    deadline = deadline_make(collectivity=collectivity_a)
    deadline_close(deadline=deadline, status="cancelled", process="test")
    deadline.refresh_from_db()
    assert deadline.status == "cancelled" and deadline.closed_at is not None
    event = Event.objects.for_object(deadline).get()
    assert (event.from_state, event.to_state) == ("open", "cancelled")
    with pytest.raises(ValidationError):
        deadline_close(deadline=deadline, process="test")
    with pytest.raises(ValidationError):
        deadline_close(deadline=deadline_make(collectivity=collectivity_a), status="open")


def test_deadline_close_for_subject(collectivity_a):
    deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_a,
        limit_code="ati.answer",
        start=date(2026, 1, 5),
        label="x",
    )
    assert deadline_close_for_subject(subject=collectivity_a, limit_code="ati.urgent") == 0
    assert deadline_close_for_subject(subject=collectivity_a) == 1
    assert [
        d.status
        for d in deadline_list_for_subject(
            subject_type="territories.collectivity", subject_id=str(collectivity_a.pk)
        )
    ] == ["met"]


def test_open_duty_list_soonest_first_with_overdue_and_url(
    collectivity_a, collectivity_b, duty_kind
):
    today = date(2026, 6, 10)
    late = deadline_make(collectivity=collectivity_a, due=date(2026, 6, 1), subject_id="1")
    soon = deadline_make(collectivity=collectivity_a, due=date(2026, 6, 12), subject_id="2")
    done = deadline_make(collectivity=collectivity_a, due=date(2026, 6, 2), subject_id="3")
    deadline_close(deadline=done, process="test")
    deadline_make(collectivity=collectivity_b, due=date(2026, 6, 5), subject_id="4")

    duties = open_duty_list(collectivity=collectivity_a, today=today)

    assert [d.deadline.pk for d in duties] == [late.pk, soon.pk]
    assert duties[0].is_overdue and duties[0].days_left == -9
    assert not duties[1].is_overdue and duties[1].days_left == 2
    assert duties[0].url == "/staff/commune-a/cases/1/"
    assert duties[0].kind_label == "Test case"


def test_open_duty_list_of_charlie_collectivity_does_not_show_a(collectivity_a, collectivity_b):
    deadline_make(collectivity=collectivity_a)
    assert open_duty_list(collectivity=collectivity_b) == []


def test_unregistered_subject_types_have_no_url(collectivity_a):
    deadline_make(collectivity=collectivity_a)
    [duty] = open_duty_list(collectivity=collectivity_a)
    assert duty.url is None


@pytest.mark.parametrize("count", [3, 30])
def test_open_duty_list_runs_one_query(collectivity_a, duty_kind, django_assert_num_queries, count):
    Deadline.objects.bulk_create(
        deadline_make(collectivity=collectivity_a, subject_id=str(i), save=False)
        for i in range(count)
    )
    with django_assert_num_queries(1):
        duties = open_duty_list(collectivity=collectivity_a)
        assert all(d.url for d in duties)
    assert len(duties) == count


def test_sweep_counts_open_and_overdue(collectivity_a, collectivity_b):
    deadline_make(collectivity=collectivity_a, due=date(2026, 6, 1))
    deadline_make(collectivity=collectivity_b, due=date(2026, 6, 20))
    closed = deadline_make(collectivity=collectivity_a, due=date(2026, 5, 1))
    deadline_close(deadline=closed, process="test")
    assert deadlines_sweep(today=date(2026, 6, 10)) == {"open": 2, "overdue": 1}
    assert deadlines_sweep(today=date(2026, 5, 1)) == {"open": 2, "overdue": 0}
