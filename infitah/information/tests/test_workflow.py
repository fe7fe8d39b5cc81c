"""Every state × action pair of the table, allowed or refused, through the services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import time_machine

from django.utils import timezone

from infitah.deadlines.models import Deadline, LegalLimit
from infitah.information import services
from infitah.information.models import InformationRequest
from infitah.information.workflow import TRANSITIONS, Action, Status, is_allowed, target
from infitah.ledger.models import Event

EXPECTED = {
    # action: states it is allowed from
    Action.CONFIRM: {"awaiting_confirmation"},
    Action.LAPSE: {"awaiting_confirmation"},
    Action.WITHDRAW: {"awaiting_confirmation", "in_progress", "clarification"},
    Action.CLARIFY: {"in_progress"},
    Action.REPLY: {"clarification"},
    Action.EXTEND: {"in_progress", "clarification"},
    Action.ANSWER: {"in_progress", "clarification"},
    Action.ANSWER_PARTIAL: {"in_progress", "clarification"},
    Action.REFUSE: {"in_progress", "clarification"},
    Action.TRANSFER: {"in_progress", "clarification"},
    Action.COMPLAIN: {"refused", "partially_answered", "in_progress", "clarification"},
    Action.DECIDE_COMPLAINT: {"internal_complaint"},
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status.values, list(Action))))
def test_table(status, action):
    assert is_allowed(status, action) is (status in EXPECTED[action])


def test_every_action_is_in_the_table():
    assert set(TRANSITIONS) == set(Action)
    assert target("in_progress", Action.EXTEND) == "in_progress"
    assert not is_allowed("in_progress", "fly")


def _force(request: InformationRequest, status: str) -> InformationRequest:
    InformationRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()
    return request


def _due(request: InformationRequest, due: date) -> InformationRequest:
    """Give the forced request an open answer period due on `due` (its one source)."""
    deadline = Deadline.objects.create(
        collectivity=request.collectivity,
        limit=LegalLimit.objects.get(code="ati.answer"),
        start_date=min(due, timezone.localdate()),
        due_date=due,
        subject_type=InformationRequest._meta.label_lower,
        subject_id=str(request.pk),
        label=request.reference,
    )
    InformationRequest.objects.filter(pk=request.pk).update(answer_deadline=deadline)
    request.refresh_from_db()
    return request


def _call(action: Action, request, *, officer, head, collectivity_b):
    call = {
        Action.CONFIRM: lambda: services.request_confirm(request=request),
        Action.WITHDRAW: lambda: services.request_withdraw(request=request),
        Action.CLARIFY: lambda: services.request_clarify(request=request, actor=officer, text="?"),
        Action.REPLY: lambda: services.request_reply(request=request, text="précision"),
        Action.EXTEND: lambda: services.request_extend(request=request, actor=officer, reasons="r"),
        Action.ANSWER: lambda: services.request_answer(request=request, actor=officer, text="a"),
        Action.ANSWER_PARTIAL: lambda: services.request_answer(
            request=request, actor=officer, text="a", partial=True
        ),
        Action.REFUSE: lambda: services.request_refuse(
            request=request, actor=officer, reasons=["not_held"], reasoning="r"
        ),
        Action.TRANSFER: lambda: services.request_transfer(
            request=request, actor=officer, to=collectivity_b, note="n"
        ),
        Action.COMPLAIN: lambda: services.request_complain(request=request, text="c"),
        Action.DECIDE_COMPLAINT: lambda: services.request_decide_complaint(
            request=request, actor=head, decision="upheld", text="d"
        ),
    }
    return call.get(action)


ACTIONS_BY_SERVICE = [a for a in Action if a is not Action.LAPSE]


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", ACTIONS_BY_SERVICE)
def test_services_follow_the_table(
    status, action, file_request, officer_a, head_a, collectivity_b, accepting_b
):
    """A refused pair raises TransitionNotAllowed and changes nothing; an allowed pair
    (legal guards met) moves to the table's target and records one event for it."""
    request, _ = file_request(confirm=False)
    request = _force(request, status)
    if action is Action.COMPLAIN and status in {"in_progress", "clarification"}:
        # Only once deemed refused: put the due date in the past.
        request = _due(request, timezone.localdate() - timedelta(days=1))
    if action in {Action.COMPLAIN} and status in {"refused", "partially_answered"}:
        InformationRequest.objects.filter(pk=request.pk).update(answered_on=timezone.localdate())
        request.refresh_from_db()
    if action is Action.EXTEND:
        request = _due(request, timezone.localdate() + timedelta(days=3))
    events_before = Event.objects.count()
    call = _call(action, request, officer=officer_a, head=head_a, collectivity_b=collectivity_b)
    if status in EXPECTED[action]:
        call()
        request.refresh_from_db()
        assert request.status == target(status, action)
        assert Event.objects.filter(
            object_id=str(request.pk), action=f"information.{action.value}", from_state=status
        ).exists()
    else:
        with pytest.raises(services.TransitionNotAllowed):
            call()
        request.refresh_from_db()
        assert request.status == status
        assert Event.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
def test_lapse_follows_the_table(status, file_request):
    request, _ = file_request(confirm=False)
    request = _force(request, status)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        counts = services.requests_sweep()
    request.refresh_from_db()
    if status == Status.AWAITING_CONFIRMATION:
        assert counts["lapsed"] == 1
        assert request.status == Status.LAPSED
    else:
        assert counts["lapsed"] == 0
        assert request.status == status
