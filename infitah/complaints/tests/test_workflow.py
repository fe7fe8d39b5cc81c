"""Every state × action pair of the table, allowed or refused, through the services; and
the guards the table cannot express (reopening once in the window, the competent body,
merging)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.complaints import services
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import Submit
from infitah.complaints.workflow import TRANSITIONS, Action, Outcome, Status, is_allowed, target
from infitah.correspondence.models import ServiceUnit
from infitah.ledger.models import Event

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)

OPEN = {"received", "acknowledged", "in_process", "info_requested"}
EXPECTED: dict[Action, set[str]] = {
    # action: states it is allowed from
    Action.CONFIRM: {"awaiting_confirmation"},
    Action.LAPSE: {"awaiting_confirmation"},
    Action.ACKNOWLEDGE: {"received"},
    Action.ROUTE: {"received", "acknowledged", "in_process"},
    Action.ASK_INFO: {"received", "acknowledged", "in_process"},
    Action.REPLY: {"info_requested"},
    Action.ANSWER: OPEN,
    Action.RATE: {"answered"},
    Action.REOPEN: {"answered", "rated"},
    Action.CLOSE: {"answered", "rated"},
    Action.MERGE: OPEN,
}
TARGETS = {
    Action.CONFIRM: "received",
    Action.LAPSE: "lapsed",
    Action.ACKNOWLEDGE: "acknowledged",
    Action.ROUTE: "in_process",
    Action.ASK_INFO: "info_requested",
    Action.REPLY: "in_process",
    Action.ANSWER: "answered",
    Action.RATE: "rated",
    Action.REOPEN: "in_process",
    Action.CLOSE: "closed",
    Action.MERGE: "merged",
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status.values, list(Action))))
def test_table(status: str, action: Action) -> None:
    assert is_allowed(status, action) is (status in EXPECTED[action])
    if status in EXPECTED[action]:
        assert target(status, action) == TARGETS[action]


def test_every_action_is_in_the_table() -> None:
    assert set(TRANSITIONS) == set(Action) == set(EXPECTED)
    assert not is_allowed("received", "fly")


def _force(complaint: Complaint, status: str, **fields: Any) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(status=status, **fields)
    complaint.refresh_from_db()
    return complaint


def _call(
    action: Action, complaint: Complaint, *, officer: User, unit: ServiceUnit, into: Complaint
) -> Callable[[], object]:
    return {
        Action.CONFIRM: lambda: services.complaint_confirm(complaint=complaint),
        Action.ACKNOWLEDGE: lambda: services.complaint_acknowledge(
            complaint=complaint, actor=officer
        ),
        Action.ROUTE: lambda: services.complaint_route(
            complaint=complaint, actor=officer, service=unit
        ),
        Action.ASK_INFO: lambda: services.complaint_ask_info(
            complaint=complaint, actor=officer, text="أين بالضبط؟"
        ),
        Action.REPLY: lambda: services.complaint_reply(complaint=complaint, text="قرب المسجد"),
        Action.ANSWER: lambda: services.complaint_answer(
            complaint=complaint, actor=officer, outcome=Outcome.POSITIVE, text="تم الإصلاح"
        ),
        Action.RATE: lambda: services.complaint_rate(complaint=complaint, satisfaction=4),
        Action.REOPEN: lambda: services.complaint_reopen(complaint=complaint, text="لم يُصلح"),
        Action.CLOSE: lambda: services.complaint_close(complaint=complaint, actor=officer),
        Action.MERGE: lambda: services.complaint_merge(
            complaint=complaint, actor=officer, into=into
        ),
    }[action]


ACTIONS_BY_SERVICE = [a for a in Action if a is not Action.LAPSE]


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", ACTIONS_BY_SERVICE)
def test_services_follow_the_table(
    status: str, action: Action, submit: Submit, officer_a: User, roads_a: ServiceUnit
) -> None:
    """A refused pair raises TransitionNotAllowed and changes nothing; an allowed pair
    (guards met) moves to the table's target and records one event for it."""
    into = submit(description="شكاية أخرى")
    complaint = submit(confirm=False)
    today = timezone.localdate()
    # The fields a complaint in `status` has (received, answered today…).
    fields: dict[str, Any] = {}
    if status not in {"awaiting_confirmation", "lapsed"}:
        fields["received_on"] = today
    if status in {"answered", "rated", "closed"}:
        fields["answered_on"] = today
    complaint = _force(complaint, status, **fields)
    events_before = Event.objects.count()
    call = _call(action, complaint, officer=officer_a, unit=roads_a, into=into)
    if status in EXPECTED[action]:
        call()
        complaint.refresh_from_db()
        assert complaint.status == target(status, action) == TARGETS[action]
        assert Event.objects.filter(
            object_type="complaints.complaint",
            object_id=str(complaint.pk),
            action=f"complaints.{action.value}",
            from_state=status,
            to_state=TARGETS[action],
        ).exists()
    else:
        with pytest.raises(services.TransitionNotAllowed):
            call()
        complaint.refresh_from_db()
        assert complaint.status == status
        assert Event.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
def test_lapse_follows_the_table(status: str, submit: Submit) -> None:
    complaint = _force(submit(confirm=False), status)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        counts = services.complaints_sweep()
    complaint.refresh_from_db()
    if status == Status.AWAITING_CONFIRMATION:
        assert counts == {"lapsed": 1, "acknowledge_overdue": 0, "answer_overdue": 0}
        assert complaint.status == Status.LAPSED
    else:
        assert counts == {"lapsed": 0, "acknowledge_overdue": 0, "answer_overdue": 0}
        assert complaint.status == status


# ------------------------------------------------------------------------ reopening


def _answered(submit: Submit, officer: User) -> Complaint:
    complaint = submit()
    services.complaint_answer(
        complaint=complaint, actor=officer, outcome=Outcome.NEGATIVE, text="لا يمكن"
    )
    complaint.refresh_from_db()
    return complaint


@pytest.mark.django_db
@pytest.mark.parametrize("rated", [False, True])
def test_reopen_within_the_window_then_never_again(
    submit: Submit, officer_a: User, rated: bool
) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        complaint = _answered(submit, officer_a)
        if rated:
            services.complaint_rate(complaint=complaint, satisfaction=1)
        clock.shift(dt.timedelta(days=30))  # the last day of the window (reopen_days=30)
        assert services.reopen_until(complaint) == timezone.localdate()
        services.complaint_reopen(complaint=complaint, text="لم يتغير شيء")
        complaint.refresh_from_db()
        assert complaint.status == Status.IN_PROCESS
        assert (complaint.reopen_count, complaint.reopened_on) == (1, timezone.localdate())
        services.complaint_answer(
            complaint=complaint, actor=officer_a, outcome=Outcome.POSITIVE, text="أُصلح"
        )
        complaint.refresh_from_db()
        assert services.reopen_until(complaint) is None
        events = Event.objects.count()
        with pytest.raises(services.TransitionNotAllowed):
            services.complaint_reopen(complaint=complaint, text="مرة أخرى")
        complaint.refresh_from_db()
        assert (complaint.status, complaint.reopen_count) == (Status.ANSWERED, 1)
        assert Event.objects.count() == events


@pytest.mark.django_db
def test_reopen_after_the_window_is_refused(submit: Submit, officer_a: User) -> None:
    with time_machine.travel(MONDAY, tick=False) as clock:
        complaint = _answered(submit, officer_a)
        clock.shift(dt.timedelta(days=31))
        with pytest.raises(services.TransitionNotAllowed):
            services.complaint_reopen(complaint=complaint, text="متأخر")
        complaint.refresh_from_db()
        assert (complaint.status, complaint.reopen_count) == (Status.ANSWERED, 0)


@pytest.mark.django_db
def test_reopen_window_is_the_collectivitys(
    submit: Submit, officer_a: User, complaint_settings_a: ComplaintSettings
) -> None:
    complaint_settings_a.reopen_days = 5
    complaint_settings_a.save()
    with time_machine.travel(MONDAY, tick=False) as clock:
        complaint = _answered(submit, officer_a)
        clock.shift(dt.timedelta(days=6))
        with pytest.raises(services.TransitionNotAllowed):
            services.complaint_reopen(complaint=complaint, text="متأخر")


@pytest.mark.django_db
def test_reopen_needs_a_reason(submit: Submit, officer_a: User) -> None:
    complaint = _answered(submit, officer_a)
    with pytest.raises(ValidationError):
        services.complaint_reopen(complaint=complaint, text="   ")
    complaint.refresh_from_db()
    assert complaint.status == Status.ANSWERED


# ------------------------------------------------------------------------ the answer


@pytest.mark.django_db
def test_not_competent_names_the_competent_body(submit: Submit, officer_a: User) -> None:
    complaint = submit()
    with pytest.raises(ValidationError) as error:
        services.complaint_answer(
            complaint=complaint, actor=officer_a, outcome=Outcome.NOT_COMPETENT, text="ليس لنا"
        )
    assert "competent_body" in error.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    services.complaint_answer(
        complaint=complaint,
        actor=officer_a,
        outcome=Outcome.NOT_COMPETENT,
        text="الطريق الوطنية من اختصاص وزارة التجهيز",
        competent_body="المديرية الإقليمية للتجهيز",
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == (Status.ANSWERED, Outcome.NOT_COMPETENT)
    assert complaint.competent_body == "المديرية الإقليمية للتجهيز"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "text"), [("", "جواب"), ("maybe", "جواب"), (Outcome.POSITIVE, "  ")]
)
def test_answer_needs_an_outcome_and_a_text(
    submit: Submit, officer_a: User, outcome: str, text: str
) -> None:
    complaint = submit()
    with pytest.raises(ValidationError):
        services.complaint_answer(complaint=complaint, actor=officer_a, outcome=outcome, text=text)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


@pytest.mark.django_db
@pytest.mark.parametrize("satisfaction", [0, 6, -1])
def test_rating_is_one_to_five(submit: Submit, officer_a: User, satisfaction: int) -> None:
    complaint = _answered(submit, officer_a)
    with pytest.raises(ValidationError):
        services.complaint_rate(complaint=complaint, satisfaction=satisfaction)


@pytest.mark.django_db
def test_route_only_to_an_active_unit_of_the_collectivity(
    submit: Submit, officer_a: User, roads_a: ServiceUnit, collectivity_b: Any
) -> None:
    complaint = submit()
    other = ServiceUnit.objects.create(collectivity=collectivity_b, name_fr="Voirie B")
    roads_a.is_active = False
    roads_a.save()
    for service in (other, roads_a):
        with pytest.raises(ValidationError):
            services.complaint_route(complaint=complaint, actor=officer_a, service=service)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


# ------------------------------------------------------------------------ merging


@pytest.mark.django_db
def test_merge_rules(
    submit: Submit, officer_a: User, collectivity_b: Any, complaint_settings_a: Any
) -> None:
    first = submit()
    second = submit()
    # Not into itself, not into another collectivity's complaint.
    ComplaintSettings.objects.create(collectivity=collectivity_b)
    elsewhere = submit(collectivity=collectivity_b)
    for into in (first, elsewhere):
        with pytest.raises(ValidationError):
            services.complaint_merge(complaint=first, actor=officer_a, into=into)
    # Not into a complaint that is merged, closed, lapsed or unconfirmed.
    merged = submit()
    services.complaint_merge(complaint=merged, actor=officer_a, into=second)
    merged.refresh_from_db()
    assert (merged.status, merged.merged_into_id) == (Status.MERGED, second.pk)
    closed = _answered(submit, officer_a)
    services.complaint_close(complaint=closed, actor=officer_a)
    closed.refresh_from_db()
    unconfirmed = submit(confirm=False)
    for into in (merged, closed, unconfirmed):
        with pytest.raises(ValidationError):
            services.complaint_merge(complaint=first, actor=officer_a, into=into)
    first.refresh_from_db()
    assert first.status == Status.RECEIVED
    # Into an answered complaint: allowed (its citizen is told of the answer).
    answered = _answered(submit, officer_a)
    services.complaint_merge(complaint=first, actor=officer_a, into=answered)
    first.refresh_from_db()
    assert (first.status, first.merged_into_id) == (Status.MERGED, answered.pk)


@pytest.mark.parametrize(
    ("language", "closed", "filter_heading"),
    [("fr", "Clôturée", "Clôturées"), ("ar", "مغلقة", "مغلقة")],
)
def test_the_status_of_one_closed_complaint_agrees_in_number(
    language: str, closed: str, filter_heading: str
) -> None:
    """One complaint is "Clôturée"; the staff list's filter of several stays plural."""
    from django.utils import translation

    from infitah.complaints.workflow import EVENT_LABELS

    with translation.override(language):
        assert str(Status.CLOSED.label) == closed
        assert str(EVENT_LABELS["complaints.close"]) == closed
        assert translation.gettext("Closed") == filter_heading
