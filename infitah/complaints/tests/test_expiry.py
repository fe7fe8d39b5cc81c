"""A legal period that passes unmet: the sweep records it once in the case history
(`complaints.acknowledge_overdue`, `complaints.answer_overdue`) and tells the complaints
unit once. The state does not change (the decree attaches no consequence), the citizen
gets no e-mail, nothing happens before the due date, nothing again on the next tick; the
due date is the Deadline's when the sweep runs (a calendar correction moves it)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.management import call_command
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.complaints import services
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, OFFICER_EMAIL, Submit
from infitah.complaints.workflow import Outcome, Status
from infitah.deadlines.selectors import due_date_compute
from infitah.deadlines.services import calendar_override_add
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
ACK, ANSWER = "complaint.acknowledge", "complaint.answer"
OVERDUE = ("complaints.acknowledge_overdue", "complaints.answer_overdue")
SECOND_OFFICER = "second-officer@example.test"
OFFICER_B = "officer-b@example.test"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officers(
    officer_a: User,
    staff_for: Callable[[str], User],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> list[User]:
    """Two complaints officers of A; an information officer of A and a complaints
    officer of B, who are not told."""
    second = User.objects.create_user(email=SECOND_OFFICER, password="x-12345678")
    Membership.objects.create(
        user=second, collectivity=collectivity_a, role=Role.COMPLAINTS_OFFICER
    )
    staff_for(Role.INFORMATION_OFFICER)
    other = User.objects.create_user(email=OFFICER_B, password="x-12345678")
    Membership.objects.create(user=other, collectivity=collectivity_b, role=Role.COMPLAINTS_OFFICER)
    return [officer_a, second]


def _on(clock: time_machine.Traveller, day: dt.date) -> None:
    clock.move_to(dt.datetime.combine(day, dt.time(10, 0), tzinfo=CASABLANCA))


def _due(start: dt.date, limit: str) -> dt.date:
    return due_date_compute(start=start, limit=limit).due_date


def _expiries(complaint: Complaint) -> list[Event]:
    return list(
        Event.objects.filter(
            object_type="complaints.complaint",
            object_id=str(complaint.pk),
            action__in=OVERDUE,
        ).order_by("pk")
    )


def _unit_stages(complaint: Complaint, to: str) -> list[str]:
    rows = OutboundEmail.objects.filter(to=to, key__startswith=f"complaint:{complaint.pk}:unit:")
    return [row.key.split(":")[3] for row in rows.order_by("pk")]


def _swept(**counts: int) -> dict[str, int]:
    return {"lapsed": 0, "acknowledge_overdue": 0, "answer_overdue": 0, **counts}


def test_an_unacknowledged_period_is_recorded_once_and_the_unit_told_once(
    submit: Submit, officers: list[User], clock: time_machine.Traveller
) -> None:
    complaint = submit()
    received = timezone.localdate()
    due = _due(received, ACK)
    assert complaint.acknowledge_by == due
    # On the due date itself the period still runs: nothing.
    _on(clock, due)
    assert services.complaints_sweep() == _swept()
    assert _expiries(complaint) == []
    emails = OutboundEmail.objects.count()
    to_citizen = OutboundEmail.objects.filter(to=CITIZEN_EMAIL).count()

    _on(clock, due + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(acknowledge_overdue=1)
    (event,) = _expiries(complaint)
    assert event.action == "complaints.acknowledge_overdue"
    assert (event.from_state, event.to_state) == (Status.RECEIVED, Status.RECEIVED)
    assert event.data == {"due_date": due.isoformat()}
    assert event.process == "complaints" and event.actor_id is None
    for officer in officers:
        assert _unit_stages(complaint, officer.email) == ["received", "acknowledge_overdue"]
    assert OutboundEmail.objects.count() == emails + len(officers)
    # Nobody else is told: not the citizen, not another role, not another collectivity.
    assert OutboundEmail.objects.filter(to=CITIZEN_EMAIL).count() == to_citizen
    assert not OutboundEmail.objects.filter(
        to__in=[OFFICER_B, f"{Role.INFORMATION_OFFICER}@example.test"]
    ).exists()
    mail = OutboundEmail.objects.get(to=OFFICER_EMAIL, key__contains=":acknowledge_overdue:")
    assert complaint.reference in mail.subject and complaint.reference in mail.body
    # The state is unchanged; the period stays open until the unit acts.
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    deadline = complaint.acknowledge_deadline
    assert deadline is not None and deadline.is_open and deadline.expiry_noted_at is not None

    # Again the same minute, and on the next days (the tick): nothing more.
    assert services.complaints_sweep() == _swept()
    _on(clock, due + dt.timedelta(days=2))
    call_command("tick", stdout=io.StringIO())
    assert services.complaints_sweep() == _swept()
    assert len(_expiries(complaint)) == 1
    assert OutboundEmail.objects.count() == emails + len(officers)

    # Acknowledged late: recorded as late; the history still explains the state.
    services.complaint_acknowledge(complaint=complaint, actor=officers[0])
    complaint.refresh_from_db()
    assert complaint.is_acknowledged_late is True
    assert complaint.status == Status.ACKNOWLEDGED


def test_an_unanswered_period_is_recorded_once(
    submit: Submit, officers: list[User], clock: time_machine.Traveller
) -> None:
    complaint = submit()
    services.complaint_acknowledge(complaint=complaint, actor=officers[0])
    due = _due(timezone.localdate(), ANSWER)
    _on(clock, due)
    assert services.complaints_sweep() == _swept()
    _on(clock, due + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(answer_overdue=1)
    assert services.complaints_sweep() == _swept()
    (event,) = _expiries(complaint)
    assert event.action == "complaints.answer_overdue"
    assert event.from_state == event.to_state == Status.ACKNOWLEDGED
    assert _unit_stages(complaint, OFFICER_EMAIL) == ["received", "answer_overdue"]


def test_a_period_met_in_time_is_never_recorded(
    submit: Submit, officers: list[User], clock: time_machine.Traveller, roads_a: object
) -> None:
    acknowledged, routed, answered = submit(), submit(), submit()
    services.complaint_acknowledge(complaint=acknowledged, actor=officers[0])
    services.complaint_route(complaint=routed, actor=officers[0], service=roads_a)  # type: ignore[arg-type]
    services.complaint_answer(
        complaint=answered, actor=officers[0], outcome=Outcome.POSITIVE, text="تم"
    )
    _on(clock, _due(MONDAY.date(), ACK) + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept()
    _on(clock, _due(MONDAY.date(), ANSWER) + dt.timedelta(days=1))
    # The answer periods of the two complaints not yet answered pass unmet.
    assert services.complaints_sweep() == _swept(answer_overdue=2)
    assert [e.action for e in _expiries(acknowledged)] == ["complaints.answer_overdue"]
    assert [e.action for e in _expiries(routed)] == ["complaints.answer_overdue"]
    assert _expiries(answered) == []


def test_a_merged_or_unconfirmed_complaint_has_no_period_to_pass(
    submit: Submit, officers: list[User], clock: time_machine.Traveller
) -> None:
    kept, duplicate = submit(), submit()
    services.complaint_merge(complaint=duplicate, actor=officers[0], into=kept)
    pending = submit(confirm=False)
    _on(clock, _due(MONDAY.date(), ACK) + dt.timedelta(days=1))
    assert services.complaints_sweep()["acknowledge_overdue"] == 1
    assert len(_expiries(kept)) == 1
    assert _expiries(duplicate) == [] and _expiries(pending) == []


def test_a_reopened_complaint_gets_a_new_answer_period_which_may_pass_again(
    submit: Submit, officers: list[User], clock: time_machine.Traveller
) -> None:
    complaint = submit()
    services.complaint_acknowledge(complaint=complaint, actor=officers[0])
    _on(clock, _due(MONDAY.date(), ANSWER) + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(answer_overdue=1)
    services.complaint_answer(
        complaint=complaint, actor=officers[0], outcome=Outcome.NEGATIVE, text="لا"
    )
    services.complaint_reopen(complaint=complaint, text="لم يُحل")
    complaint.refresh_from_db()
    reopened = timezone.localdate()
    assert complaint.answer_by == _due(reopened, ANSWER)
    _on(clock, _due(reopened, ANSWER) + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(answer_overdue=1)
    assert services.complaints_sweep() == _swept()
    events = _expiries(complaint)
    assert [e.action for e in events] == ["complaints.answer_overdue"] * 2
    assert events[1].data == {"due_date": _due(reopened, ANSWER).isoformat()}
    assert events[1].from_state == events[1].to_state == Status.IN_PROCESS
    # One e-mail to the unit per period that passed.
    stages = _unit_stages(complaint, OFFICER_EMAIL)
    assert stages.count("answer_overdue") == 2


def test_a_calendar_correction_moves_the_day_the_period_passes(
    submit: Submit, officers: list[User], clock: time_machine.Traveller
) -> None:
    complaint = submit()
    old_due = complaint.acknowledge_by
    assert old_due is not None
    # The evening before, the due day is declared a public holiday.
    _on(clock, old_due - dt.timedelta(days=1))
    calendar_override_add(
        actor=None,
        kind="add",
        date=old_due,
        name_ar="عطلة استثنائية",
        name_fr="Congé exceptionnel",
        reason="Communiqué",
    )
    complaint = Complaint.objects.select_related("acknowledge_deadline").get(pk=complaint.pk)
    new_due = complaint.acknowledge_by
    assert new_due is not None and new_due > old_due
    assert new_due == _due(MONDAY.date(), ACK)
    # The day after the old date: the period still runs, nothing is recorded.
    _on(clock, old_due + dt.timedelta(days=1))
    assert old_due + dt.timedelta(days=1) <= new_due
    assert services.complaints_sweep() == _swept()
    assert _expiries(complaint) == []
    # The day after the new date: recorded, once.
    _on(clock, new_due + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(acknowledge_overdue=1)
    (event,) = _expiries(complaint)
    assert event.data == {"due_date": new_due.isoformat()}


def test_another_collectivitys_periods_are_its_own(
    submit: Submit,
    officers: list[User],
    clock: time_machine.Traveller,
    collectivity_b: Collectivity,
) -> None:
    ComplaintSettings.objects.create(collectivity=collectivity_b)
    theirs = submit(collectivity=collectivity_b)
    _on(clock, _due(MONDAY.date(), ACK) + dt.timedelta(days=1))
    assert services.complaints_sweep() == _swept(acknowledge_overdue=1)
    assert len(_expiries(theirs)) == 1
    assert _unit_stages(theirs, OFFICER_B) == ["received", "acknowledge_overdue"]
    for officer in officers:
        assert _unit_stages(theirs, officer.email) == []
