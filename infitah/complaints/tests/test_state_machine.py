"""Random sequences of actions on complaints keep the invariants of the workflow.

Hypothesis drives complaints through every action of the case engine, in any order,
while the clock moves by whole days (each move runs the sweep) and the ministry announces
holidays. Refused steps (the table or a guard says no) must change nothing. After every
step:

- each complaint has exactly one current state, a value of the table;
- an open complaint has its answer period open, and its acknowledge period open until it
  is acknowledged; any other complaint has no open period; each open period is the one
  the complaint points at (`acknowledge_deadline`, `answer_deadline`), its due date is the
  one the legal calendar gives from its start and limit (after any holiday announced),
  and the complaint reads it (`acknowledge_by`, `answer_by`); after a reopening the open
  answer period starts on `reopened_on`; a complaint points at the latest period of each
  clock, and at none before receipt;
- a period past its due date and still open has been noted once, after its due date:
  one expiry event per noted period, and one e-mail of it to the complaints officer;
- the case history explains the state: each state event's `from_state` is the `to_state`
  of the one before, and the last one ends in the current state; expiry events
  (`acknowledge_overdue`, `answer_overdue`) keep the state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.complaints import services
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import OFFICER_EMAIL, complaint_input
from infitah.complaints.workflow import OPEN, Outcome, Status
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.models import Deadline
from infitah.deadlines.selectors import due_date_compute
from infitah.deadlines.services import calendar_override_add
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
# Most complaints are confirmed at once, so that the sequences reach the unit's steps.
CONFIRMED = st.sampled_from([True, True, True, False])
CONTACT = st.sampled_from(["email", "email", "phone", "both"])
ACK, ANSWER = "complaint.acknowledge", "complaint.answer"
# The expiry event of each clock's limit, and the stage of the unit's e-mail.
EXPIRY = {ACK: "acknowledge_overdue", ANSWER: "answer_overdue"}


@pytest.mark.django_db
def test_random_sequences_keep_the_invariants(
    collectivity_a: Collectivity,
    complaint_settings_a: ComplaintSettings,
    roads_a: ServiceUnit,
    officer_a: User,
) -> None:
    class Machine(RuleBasedStateMachine):
        complaints = Bundle("complaints")

        def __init__(self) -> None:
            super().__init__()
            self.traveller = time_machine.travel(START, tick=False)
            self.clock = self.traveller.start()
            self.ids: set[int] = set()

        def teardown(self) -> None:
            self.traveller.stop()

        def _attempt(self, call: Callable[[], object]) -> None:
            with contextlib.suppress(services.TransitionNotAllowed, ValidationError):
                call()

        @initialize(target=complaints, confirmed=CONFIRMED, contact=CONTACT)
        def first(self, confirmed: bool, contact: str) -> int:
            return self._submit(confirmed, contact)

        @rule(target=complaints, confirmed=CONFIRMED, contact=CONTACT)
        def submit(self, confirmed: bool, contact: str) -> int:
            return self._submit(confirmed, contact)

        def _submit(self, confirmed: bool, contact: str) -> int:
            values: dict[str, Any] = {
                "email": "" if contact == "phone" else "amina@example.test",
                "phone": "" if contact == "email" else "0612345678",
            }
            complaint, _token = services.complaint_submit(
                collectivity=collectivity_a, data=complaint_input(**values)
            )
            if confirmed:
                self._attempt(lambda: services.complaint_confirm(complaint=complaint))
            self.ids.add(complaint.pk)
            return complaint.pk

        def _get(self, pk: int) -> Complaint:
            return Complaint.objects.get(pk=pk)

        @rule(pk=complaints)
        def confirm(self, pk: int) -> None:
            self._attempt(lambda: services.complaint_confirm(complaint=self._get(pk)))

        @rule(pk=complaints)
        def acknowledge(self, pk: int) -> None:
            self._attempt(
                lambda: services.complaint_acknowledge(complaint=self._get(pk), actor=officer_a)
            )

        @rule(pk=complaints)
        def route(self, pk: int) -> None:
            self._attempt(
                lambda: services.complaint_route(
                    complaint=self._get(pk), actor=officer_a, service=roads_a
                )
            )

        @rule(pk=complaints)
        def ask_info(self, pk: int) -> None:
            self._attempt(
                lambda: services.complaint_ask_info(
                    complaint=self._get(pk), actor=officer_a, text="أين بالضبط؟"
                )
            )

        @rule(pk=complaints)
        def reply(self, pk: int) -> None:
            self._attempt(lambda: services.complaint_reply(complaint=self._get(pk), text="هنا"))

        @rule(pk=complaints, outcome=st.sampled_from(Outcome.values))
        def answer(self, pk: int, outcome: str) -> None:
            self._attempt(
                lambda: services.complaint_answer(
                    complaint=self._get(pk),
                    actor=officer_a,
                    outcome=outcome,
                    text="الجواب",
                    competent_body="الوكالة" if outcome == Outcome.NOT_COMPETENT else "",
                )
            )

        @rule(pk=complaints, satisfaction=st.integers(min_value=1, max_value=5))
        def rate(self, pk: int, satisfaction: int) -> None:
            self._attempt(
                lambda: services.complaint_rate(complaint=self._get(pk), satisfaction=satisfaction)
            )

        @rule(pk=complaints)
        def reopen(self, pk: int) -> None:
            self._attempt(lambda: services.complaint_reopen(complaint=self._get(pk), text="لا"))

        @rule(pk=complaints)
        def close(self, pk: int) -> None:
            self._attempt(
                lambda: services.complaint_close(complaint=self._get(pk), actor=officer_a)
            )

        @rule(pk=complaints, into=complaints)
        def merge(self, pk: int, into: int) -> None:
            self._attempt(
                lambda: services.complaint_merge(
                    complaint=self._get(pk), actor=officer_a, into=self._get(into)
                )
            )

        @rule(days=st.integers(min_value=1, max_value=20))
        def time_passes(self, days: int) -> None:
            self.clock.shift(dt.timedelta(days=days))
            services.complaints_sweep()

        @rule(ahead=st.integers(min_value=0, max_value=40))
        def holiday_announced(self, ahead: int) -> None:
            # An official correction: a day off in the coming weeks (the service refuses a
            # day that already is a holiday; nothing must change then either).
            day = timezone.localdate() + dt.timedelta(days=ahead)
            with contextlib.suppress(ValidationError):
                calendar_override_add(
                    actor=None,
                    kind="add",
                    date=day,
                    name_ar="عطلة",
                    name_fr="Congé",
                    reason="Communiqué",
                )

        @invariant()
        def consistent(self) -> None:
            today = timezone.localdate()
            for complaint in Complaint.objects.filter(pk__in=self.ids).select_related(
                "acknowledge_deadline", "answer_deadline"
            ):
                assert complaint.status in Status.values
                deadlines = list(
                    Deadline.objects.filter(
                        subject_type="complaints.complaint", subject_id=str(complaint.pk)
                    )
                    .select_related("limit")
                    .order_by("pk")
                )
                self._periods(complaint, deadlines)
                self._expiries(complaint, deadlines, today)
                if complaint.status == Status.MERGED:
                    assert complaint.merged_into_id is not None
                assert complaint.reopen_count <= 1
                self._history(complaint)

        def _periods(self, complaint: Complaint, deadlines: list[Deadline]) -> None:
            open_deadlines = {d.limit.code: d for d in deadlines if d.is_open}
            assert len(open_deadlines) == sum(d.is_open for d in deadlines), (
                "two open periods of one clock"
            )
            if complaint.status in OPEN:
                expected = {ANSWER} if complaint.acknowledged_on else {ACK, ANSWER}
                assert set(open_deadlines) == expected, (complaint.status, open_deadlines)
                answer = open_deadlines[ANSWER]
                assert complaint.answer_deadline_id == answer.pk
                assert answer.due_date == complaint.answer_by
                if complaint.reopened_on is not None:
                    assert answer.start_date == complaint.reopened_on
                else:
                    assert answer.start_date == complaint.received_on
                if ACK in open_deadlines:
                    assert complaint.acknowledge_deadline_id == open_deadlines[ACK].pk
                    assert open_deadlines[ACK].due_date == complaint.acknowledge_by
                    assert open_deadlines[ACK].start_date == complaint.received_on
            else:
                assert open_deadlines == {}, complaint.status
            for deadline in open_deadlines.values():
                computed = due_date_compute(start=deadline.start_date, limit=deadline.limit)
                assert deadline.due_date == computed.due_date
            # The complaint points at the latest period of each clock (closed ones too:
            # their last due date stays readable), and at none before its receipt.
            latest = {d.limit.code: d.pk for d in deadlines}
            assert complaint.acknowledge_deadline_id == latest.get(ACK)
            assert complaint.answer_deadline_id == latest.get(ANSWER)
            if complaint.received_on is None:
                assert deadlines == []

        def _expiries(
            self, complaint: Complaint, deadlines: list[Deadline], today: dt.date
        ) -> None:
            for deadline in deadlines:
                if deadline.is_open and deadline.due_date < today:
                    # The sweep runs after every move of the clock.
                    assert deadline.expiry_noted_at is not None, deadline
                if deadline.expiry_noted_at is not None:
                    noted_on = timezone.localdate(deadline.expiry_noted_at)
                    assert noted_on > deadline.due_date, "noted before its due date"
            for code, stage in EXPIRY.items():
                noted = [
                    d.due_date.isoformat()
                    for d in deadlines
                    if d.limit.code == code and d.expiry_noted_at is not None
                ]
                recorded = Event.objects.filter(
                    object_type="complaints.complaint",
                    object_id=str(complaint.pk),
                    action=f"complaints.{stage}",
                ).order_by("pk")
                assert [e.data["due_date"] for e in recorded] == noted, (code, noted)
                emails = OutboundEmail.objects.filter(
                    to=OFFICER_EMAIL, key__startswith=f"complaint:{complaint.pk}:unit:{stage}:"
                )
                assert emails.count() == len(noted), (stage, noted)

        def _history(self, complaint: Complaint) -> None:
            events = list(
                Event.objects.filter(
                    object_type="complaints.complaint", object_id=str(complaint.pk)
                ).order_by("pk")
            )
            assert events, "a complaint without history"
            assert events[0].action == "complaints.submitted"
            assert events[0].to_state == Status.AWAITING_CONFIRMATION
            expiries = {f"complaints.{stage}" for stage in EXPIRY.values()}
            state_events = [e for e in events if e.action not in expiries]
            for before, after in itertools.pairwise(state_events):
                assert after.from_state == before.to_state, (before.action, after.action)
            assert state_events[-1].to_state == complaint.status
            for before, after in itertools.pairwise(events):
                if after.action in expiries:
                    assert after.from_state == after.to_state == before.to_state, after.action

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
