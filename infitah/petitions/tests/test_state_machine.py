"""Random sequences of actions on petitions keep the invariants of the workflow.

Hypothesis drives petitions through every service, in any order, while the clock moves
by whole days (and the decision sweep runs) and the holiday calendar is corrected.
Petitions are entered online (a small threshold, met with paper signatures while
collecting) or registered on paper, lodged on a day up to four months back. Refused
steps (the table or a legal guard says no) must change nothing. After every step:

- each petition has exactly one current state, a value of the table;
- a lodged petition not yet decided (lodged, under review, accepted, scheduled) has
  exactly one open decision period, which the petition points at, which started on the
  lodging day and is due on the date the legal calendar gives for its start and limit;
  any other petition has none (a decided or rejected one keeps its met period, a
  withdrawn one its cancelled period if it was lodged);
- the case history explains the state: it starts with the creating event; every state
  event's `from_state` is the `to_state` of the one before; the expiry event
  (`petitions.decision_overdue`) keeps the state and is recorded once, with one e-mail
  to the agent and one to the bureau, only after the due date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.petitions import services, signatures
from infitah.petitions.models import Petition
from infitah.petitions.tests.conftest import (
    AGENT_EMAIL,
    holiday_add,
    petition_input,
    signature_input,
)
from infitah.petitions.workflow import Action, Status, is_allowed

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SUBJECT = "petitions.petition"
EXPIRY = "petitions.decision_overdue"
CREATIONS = {"petitions.drafted", "petitions.registered_paper"}
# Lodged and not yet decided: the decision period runs.
RUNNING = {Status.LODGED, Status.BUREAU_REVIEW, Status.ACCEPTED, Status.SCHEDULED}
CHECKLIST_OK = {"competence": True, "signatures": True, "documents": True}
# The bureau's steps towards the decision (one of them is allowed while the period runs).
BUREAU_STEPS = (Action.REVIEW, Action.ACCEPT, Action.SCHEDULE, Action.DECIDE)
# Which petition a step is tried on: (a number to choose with, whether to choose among
# those whose state allows the step).
Pick = tuple[int, bool]
PICK = st.tuples(st.integers(min_value=0, max_value=10_000), st.sampled_from([True, True, False]))
# Most agents confirm their e-mail at once, so that the sequences reach the later steps.
CONFIRMED = st.sampled_from([True, True, False])


def _snapshot(petition: Petition) -> tuple[object, ...]:
    """The petition's row, its history and its periods, to compare."""
    subject = {"subject_type": SUBJECT, "subject_id": str(petition.pk)}
    return (
        Petition.objects.filter(pk=petition.pk).values().get(),
        list(Event.objects.filter(object_type=SUBJECT, object_id=str(petition.pk)).values("pk")),
        list(Deadline.objects.filter(**subject).order_by("pk").values()),
        list(petition.signatures.order_by("pk").values("pk", "status")),
    )


@pytest.mark.django_db
def test_random_sequences_keep_the_invariants(collectivity_a, low_threshold, bureau_a):
    signers = itertools.count(1)
    bureau_email = bureau_a.email

    def schedule(petition: Petition, days: int = 10) -> object:
        return services.petition_schedule(
            petition=petition,
            actor=bureau_a,
            session_date=timezone.localdate() + dt.timedelta(days=days),
            session_title="Session ordinaire",
        )

    def decide(petition: Petition) -> object:
        return services.petition_decide(petition=petition, actor=bureau_a, decision_ar="قرر المجلس")

    # The bureau's next step from each state, towards the decision.
    next_step: dict[str, Callable[[Petition], object]] = {
        Status.LODGED: lambda p: services.petition_review_start(petition=p, actor=bureau_a),
        Status.BUREAU_REVIEW: lambda p: services.petition_accept(
            petition=p, actor=bureau_a, checklist=CHECKLIST_OK
        ),
        Status.ACCEPTED: schedule,
        Status.SCHEDULED: decide,
    }

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.traveller = time_machine.travel(START, tick=False)
            self.clock = self.traveller.start()
            self.ids: set[int] = set()
            # The day of the last sweep, and the last period that existed then.
            self.swept: tuple[dt.date, int] | None = None

        def teardown(self) -> None:
            self.traveller.stop()

        def _attempt(self, call: Callable[[], object], petition: Petition | None = None) -> None:
            """Take a step; a refused step changes nothing of `petition`."""
            before = _snapshot(petition) if petition is not None else None
            try:
                call()
            except (services.TransitionNotAllowed, ValidationError):
                if petition is not None:
                    assert _snapshot(petition) == before

        def _pick(self, pick: Pick, *actions: str) -> Petition:
            """A petition: mostly one whose state allows one of `actions` (when there is
            one), so that sequences reach the later steps; else any (refusals)."""
            choice, fitting = pick
            rows = sorted(Petition.objects.filter(pk__in=self.ids).values_list("pk", "status"))
            found = [pk for pk, status in rows if any(is_allowed(status, a) for a in actions)]
            candidates = found if fitting and found else [pk for pk, _status in rows]
            return Petition.objects.get(pk=candidates[choice % len(candidates)])

        @initialize(confirmed=CONFIRMED)
        def first(self, confirmed):
            self._draft(confirmed)

        @rule(confirmed=CONFIRMED)
        def draft(self, confirmed):
            self._draft(confirmed)

        def _draft(self, confirmed: bool) -> None:
            petition, _token = services.petition_draft(
                collectivity=collectivity_a, data=petition_input(), language="fr"
            )
            if confirmed:
                services.petition_confirm_agent(petition=petition)
            self.ids.add(petition.pk)

        @rule(days_ago=st.integers(min_value=0, max_value=120))
        def register_paper(self, days_ago):
            petition = services.petition_register_paper(
                collectivity=collectivity_a,
                data=petition_input(),
                actor=bureau_a,
                lodged_on=timezone.localdate() - dt.timedelta(days=days_ago),
            )
            self.ids.add(petition.pk)

        @rule(pick=PICK)
        def confirm(self, pick):
            self._try(
                pick,
                Action.CONFIRM_AGENT,
                lambda p: services.petition_confirm_agent(petition=p),
            )

        def _sign(self, petition: Petition, n: int) -> None:
            # Paper signatures, counted at once (while collecting; refused after).
            for _ in range(n):
                self._attempt(
                    lambda: signatures.signature_paper_add(
                        petition=petition,
                        actor=bureau_a,
                        data=signature_input(next(signers), email=""),
                    ),
                    petition,
                )

        @rule(pick=PICK, n=st.integers(min_value=1, max_value=2))
        def sign(self, pick, n):
            self._sign(self._pick(pick, Action.LODGE), n)

        @rule(pick=PICK, signed_enough=st.booleans())
        def lodge(self, pick, signed_enough):
            petition = self._pick(pick, Action.LODGE)
            if signed_enough:
                self._sign(petition, low_threshold.threshold_override)
            self._attempt(lambda: services.petition_lodge(petition=petition), petition)

        def _try(self, pick: Pick, action: str, call: Callable[[Petition], object]) -> None:
            petition = self._pick(pick, action)
            self._attempt(lambda: call(petition), petition)

        @rule(pick=PICK)
        def review(self, pick):
            self._try(
                pick,
                Action.REVIEW,
                lambda p: services.petition_review_start(petition=p, actor=bureau_a),
            )

        @rule(pick=PICK, complete=st.sampled_from([True, True, False]))
        def accept(self, pick, complete):
            checklist = CHECKLIST_OK if complete else {"competence": True}
            self._try(
                pick,
                Action.ACCEPT,
                lambda p: services.petition_accept(petition=p, actor=bureau_a, checklist=checklist),
            )

        @rule(pick=PICK, day=st.integers(min_value=1, max_value=60))
        def schedule(self, pick, day):
            self._try(pick, Action.SCHEDULE, lambda p: schedule(p, day))

        @rule(pick=PICK)
        def decide(self, pick):
            self._try(pick, Action.DECIDE, decide)

        @rule(pick=PICK)
        def reject(self, pick):
            self._try(
                pick,
                Action.REJECT,
                lambda p: services.petition_reject(
                    petition=p, actor=bureau_a, reasons="Hors compétence."
                ),
            )

        @rule(pick=PICK, by_the_bureau=st.booleans())
        def withdraw(self, pick, by_the_bureau):
            actor = bureau_a if by_the_bureau else None
            self._try(
                pick,
                Action.WITHDRAW,
                lambda p: services.petition_withdraw(petition=p, actor=actor),
            )

        @rule(pick=PICK)
        def bureau_moves_on(self, pick):
            """The bureau takes the next step of a lodged petition, towards the decision
            (the rules above take each step alone, on any petition)."""
            petition = self._pick(pick, *BUREAU_STEPS)
            self._attempt(
                lambda: next_step.get(petition.status, next_step[Status.LODGED])(petition),
                petition,
            )

        @rule(pick=PICK)
        def holiday_on_the_due_date(self, pick):
            """The ministry declares a coming due date a holiday: the period ends later."""
            due = self._pick(pick, *BUREAU_STEPS).decision_due
            if due is not None and due >= timezone.localdate():
                self._attempt(lambda: holiday_add(due))

        @rule(days=st.integers(min_value=1, max_value=40))
        def time_passes(self, days):
            self.clock.shift(dt.timedelta(days=days))
            services.petitions_decisions_sweep()
            last = Deadline.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.swept = (timezone.localdate(), last or 0)

        @invariant()
        def consistent(self):
            today = timezone.localdate()
            for petition in Petition.objects.filter(pk__in=self.ids).select_related(
                "decision_deadline__limit"
            ):
                self._one_state_and_its_clock(petition)
                self._history(petition, today)

        def _one_state_and_its_clock(self, petition: Petition) -> None:
            assert petition.status in Status.values
            open_periods = list(
                Deadline.objects.open()
                .filter(subject_type=SUBJECT, subject_id=str(petition.pk))
                .select_related("limit")
            )
            current = petition.decision_deadline
            if petition.status in RUNNING:
                assert [d.pk for d in open_periods] == [petition.decision_deadline_id]
                assert current is not None
                assert current.limit.code == "petition.decision.commune"
                assert current.start_date == petition.lodged_on
                expected = due_date_compute(start=current.start_date, limit=current.limit)
                assert current.due_date == expected.due_date == petition.decision_due
            else:
                assert open_periods == []
                if petition.status in {Status.DRAFT, Status.COLLECTING}:
                    assert current is None
                elif petition.status in {Status.DELIBERATED, Status.REJECTED}:
                    assert current is not None and current.status == DeadlineStatus.MET
                elif petition.status == Status.WITHDRAWN:
                    assert current is None or current.status == DeadlineStatus.CANCELLED
                    assert (current is None) == (petition.lodged_on is None)

        def _history(self, petition: Petition, today: dt.date) -> None:
            events = list(
                Event.objects.filter(object_type=SUBJECT, object_id=str(petition.pk))
                .exclude(to_state="")
                .order_by("pk")
            )
            assert events, "a petition without history"
            assert events[0].action in CREATIONS and events[0].from_state == ""
            for before, after in itertools.pairwise(events):
                assert after.from_state == before.to_state, (before.action, after.action)
                if after.action == EXPIRY:
                    assert after.to_state == after.from_state
            assert events[-1].to_state == petition.status
            expiries = [e for e in events if e.action == EXPIRY]
            period = petition.decision_deadline
            noted = period is not None and period.expiry_noted_at is not None
            assert len(expiries) == (1 if noted else 0)
            agent = OutboundEmail.objects.filter(
                to=AGENT_EMAIL, key__startswith=f"petition:{petition.pk}:agent:decision_overdue:"
            )
            bureau = OutboundEmail.objects.filter(
                to=bureau_email,
                key__startswith=f"petition:{petition.pk}:bureau:decision_overdue:",
            )
            assert (agent.count(), bureau.count()) == ((1, 1) if noted else (0, 0))
            if noted:
                assert period is not None
                (expiry,) = expiries
                # Recorded only once the due date has passed, with the date it passed.
                assert timezone.localdate(expiry.at) > period.due_date
                assert expiry.data["due_date"] == period.due_date.isoformat()
            elif period is not None and period.is_open and self.swept is not None:
                # A period that was past due when the last sweep ran has been noted.
                day, last = self.swept
                assert not (period.pk <= last and period.due_date < day)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
