"""Random sequences of actions on requests keep the invariants of the workflow.

Hypothesis drives requests through every action, in any order, while the clock moves
by whole days. Refused steps (the table or a legal guard says no) must change nothing.
After every step:

- each request has exactly one current state, a value of the table;
- an open request has exactly one open deadline, whose due date is the one the legal
  calendar gives for its period (the calendar is corrected at random along the way), and
  at which the request points (its due date is read from it, never copied); a request
  under internal complaint has exactly the head's deadline open; any other request has
  none;
- a request is deemed refused only once its due date, as the calendar now gives it, has
  passed;
- the case history explains the state: the latest state-bearing event ends in it, and
  every event's `from_state` is the `to_state` of the one before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable

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

from infitah.deadlines.models import Deadline
from infitah.deadlines.selectors import due_date_compute
from infitah.deadlines.services import calendar_override_add
from infitah.information import services
from infitah.information.models import InformationRequest
from infitah.information.tests.conftest import request_input
from infitah.information.workflow import OPEN, Status
from infitah.ledger.models import Event

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
STATE_EVENTS_EXCLUDED = {"information.deemed_refused"}
# Most requests are confirmed at once, so that the sequences reach the officers' steps.
CONFIRMED = st.sampled_from([True, True, True, False])


@pytest.mark.django_db
def test_random_sequences_keep_the_invariants(
    collectivity_a, accepting_a, collectivity_b, accepting_b, officer_a, head_a
):
    class Machine(RuleBasedStateMachine):
        requests = Bundle("requests")

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

        @initialize(target=requests, urgent=st.booleans(), confirmed=CONFIRMED)
        def first(self, urgent, confirmed):
            return self._file(urgent, confirmed)

        @rule(target=requests, urgent=st.booleans(), confirmed=CONFIRMED)
        def file(self, urgent, confirmed):
            return self._file(urgent, confirmed)

        def _file(self, urgent: bool, confirmed: bool) -> int:
            request, _ = services.request_file(
                collectivity=collectivity_a,
                data=request_input(urgent=urgent, urgency_reason="risque" if urgent else ""),
            )
            if confirmed:
                services.request_confirm(request=request)
            self.ids.add(request.pk)
            return request.pk

        def _get(self, pk: int) -> InformationRequest:
            return InformationRequest.objects.get(pk=pk)

        @rule(pk=requests)
        def confirm(self, pk):
            self._attempt(lambda: services.request_confirm(request=self._get(pk)))

        @rule(pk=requests)
        def clarify(self, pk):
            self._attempt(
                lambda: services.request_clarify(request=self._get(pk), actor=officer_a, text="?")
            )

        @rule(pk=requests)
        def reply(self, pk):
            self._attempt(lambda: services.request_reply(request=self._get(pk), text="voilà"))

        @rule(pk=requests)
        def extend(self, pk):
            self._attempt(
                lambda: services.request_extend(
                    request=self._get(pk), actor=officer_a, reasons="volume"
                )
            )

        @rule(pk=requests, partial=st.booleans())
        def answer(self, pk, partial):
            self._attempt(
                lambda: services.request_answer(
                    request=self._get(pk), actor=officer_a, text="réponse", partial=partial
                )
            )

        @rule(pk=requests, reasons=st.lists(st.sampled_from(["not_held", "unclear"]), min_size=1))
        def refuse(self, pk, reasons):
            self._attempt(
                lambda: services.request_refuse(
                    request=self._get(pk), actor=officer_a, reasons=reasons, reasoning="motifs"
                )
            )

        @rule(pk=requests)
        def transfer(self, pk):
            self._attempt(
                lambda: services.request_transfer(
                    request=self._get(pk), actor=officer_a, to=collectivity_b, note="compétence"
                )
            )

        @rule(pk=requests)
        def withdraw(self, pk):
            self._attempt(lambda: services.request_withdraw(request=self._get(pk)))

        @rule(pk=requests)
        def complain(self, pk):
            self._attempt(lambda: services.request_complain(request=self._get(pk), text="plainte"))

        @rule(pk=requests, decision=st.sampled_from(["upheld", "rejected"]))
        def decide(self, pk, decision):
            self._attempt(
                lambda: services.request_decide_complaint(
                    request=self._get(pk), actor=head_a, decision=decision, text="décision"
                )
            )

        @rule(days=st.integers(min_value=1, max_value=15))
        def time_passes(self, days):
            self.clock.shift(dt.timedelta(days=days))
            services.requests_sweep()

        @rule(ahead=st.integers(min_value=0, max_value=40))
        def holiday_announced(self, ahead):
            # An official correction: a day off in the coming weeks (the service refuses a
            # day that already is a holiday; the state must then not change either).
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
        def consistent(self):
            today = timezone.localdate()
            for request in InformationRequest.objects.filter(pk__in=self.ids):
                assert request.status in Status.values
                open_deadlines = list(
                    Deadline.objects.open()
                    .filter(
                        subject_type="information.informationrequest", subject_id=str(request.pk)
                    )
                    .select_related("limit")
                )
                if request.status in OPEN:
                    assert len(open_deadlines) == 1, (request.status, open_deadlines)
                    deadline = open_deadlines[0]
                    assert request.answer_deadline_id == deadline.pk
                    assert deadline.due_date == request.due_date
                    assert deadline.limit.code in {
                        "ati.answer",
                        "ati.urgent",
                        "ati.extension",
                        "ati.urgent_extension",
                    }
                elif request.status == Status.INTERNAL_COMPLAINT:
                    assert [d.limit.code for d in open_deadlines] == ["ati.head_answer"]
                    assert request.head_deadline_id == open_deadlines[0].pk
                    assert open_deadlines[0].due_date == request.complaint_due_date
                else:
                    assert open_deadlines == []
                for deadline in open_deadlines:
                    expected = due_date_compute(start=deadline.start_date, limit=deadline.limit)
                    assert deadline.due_date == expected.due_date
                if request.is_deemed_refused(today):
                    assert request.due_date is not None and request.due_date < today
                if request.deemed_refused_on is not None:
                    assert request.deemed_refused_on <= today
                events = list(
                    Event.objects.filter(
                        object_type="information.informationrequest", object_id=str(request.pk)
                    )
                    .exclude(action__in=STATE_EVENTS_EXCLUDED)
                    .order_by("pk")
                )
                assert events, "a request without history"
                assert events[0].action == "information.filed"
                for before, after in itertools.pairwise(events):
                    assert after.from_state == before.to_state, (before.action, after.action)
                assert events[-1].to_state == request.status

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
