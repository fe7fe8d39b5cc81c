"""Random sequences of actions on complaints keep the invariants of the workflow.

Hypothesis drives complaints through every action, in any order, while the clock moves
by whole days. Refused steps (the table or a guard says no) must change nothing. After
every step:

- each complaint has exactly one current state, a value of the table;
- an open complaint has its answer clock open, and its acknowledge clock open until it
  is acknowledged; their due dates are those the legal calendar gives from their start
  and the complaint mirrors them (`acknowledge_by`, `answer_by`); after a reopening the
  open answer clock starts on `reopened_on`; any other complaint has no open clock;
- the case history explains the state: every event's `from_state` is the `to_state` of
  the one before, and the last one ends in the current state.
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

from infitah.accounts.models import User
from infitah.complaints import services
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import complaint_input
from infitah.complaints.workflow import OPEN, Outcome, Status
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.models import Deadline
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
# Most complaints are confirmed at once, so that the sequences reach the unit's steps.
CONFIRMED = st.sampled_from([True, True, True, False])
CONTACT = st.sampled_from(["email", "email", "phone", "both"])
ACK, ANSWER = "complaint.acknowledge", "complaint.answer"


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

        @invariant()
        def consistent(self) -> None:
            for complaint in Complaint.objects.filter(pk__in=self.ids):
                assert complaint.status in Status.values
                open_deadlines = {
                    d.limit.code: d
                    for d in Deadline.objects.open()
                    .filter(subject_type="complaints.complaint", subject_id=str(complaint.pk))
                    .select_related("limit")
                }
                count = (
                    Deadline.objects.open()
                    .filter(subject_type="complaints.complaint", subject_id=str(complaint.pk))
                    .count()
                )
                assert count == len(open_deadlines), "two open clocks of one kind"
                if complaint.status in OPEN:
                    expected = {ANSWER} if complaint.acknowledged_on else {ACK, ANSWER}
                    assert set(open_deadlines) == expected, (complaint.status, open_deadlines)
                    answer = open_deadlines[ANSWER]
                    assert answer.due_date == complaint.answer_by
                    if complaint.reopened_on is not None:
                        assert answer.start_date == complaint.reopened_on
                    else:
                        assert answer.start_date == complaint.received_on
                    if ACK in open_deadlines:
                        assert open_deadlines[ACK].due_date == complaint.acknowledge_by
                        assert open_deadlines[ACK].start_date == complaint.received_on
                else:
                    assert open_deadlines == {}, complaint.status
                for deadline in open_deadlines.values():
                    computed = due_date_compute(start=deadline.start_date, limit=deadline.limit)
                    assert deadline.due_date == computed.due_date
                if complaint.status == Status.MERGED:
                    assert complaint.merged_into_id is not None
                assert complaint.reopen_count <= 1
                events = list(
                    Event.objects.filter(
                        object_type="complaints.complaint", object_id=str(complaint.pk)
                    ).order_by("pk")
                )
                assert events, "a complaint without history"
                assert events[0].action == "complaints.submitted"
                assert events[0].to_state == Status.AWAITING_CONFIRMATION
                for before, after in itertools.pairwise(events):
                    assert after.from_state == before.to_state, (before.action, after.action)
                assert events[-1].to_state == complaint.status

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
