"""A whole legal process built with the engine alone, in this test module.

The "errand": a citizen asks the collectivity to review something; the staff must review
it within a legal period (the clock "review", 5 working days), or the citizen drops it.

    (opened) ──▶ open ─review (staff, meets the clock)──▶ reviewed
                  └──drop (citizen, cancels the clock)──▶ dropped

Three states, one clock, no process-specific copy of anything: the table, the process
and a few lines of service are all it takes (docs/cases.md).
"""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum
from io import StringIO
from typing import ClassVar

import pytest
import time_machine

from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, models
from django.forms import Form
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import Role
from infitah.accounts.permissions import Perm
from infitah.cases.api import api_act
from infitah.cases.services import (
    TransitionNotAllowed,
    case_created,
    case_transition,
    clocks_sweep,
)
from infitah.cases.views import PageAction, action_availability, action_post
from infitah.cases.workflow import (
    CITIZEN,
    Clock,
    ClockDate,
    Process,
    StateTable,
    Step,
    cancels,
    meets,
    opens,
    staff,
)
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event

# ------------------------------------------------------------------ the whole process


class ErrandStatus(models.TextChoices):
    OPEN = "open", "Open"
    REVIEWED = "reviewed", "Reviewed"
    DROPPED = "dropped", "Dropped"


class ErrandAction(StrEnum):
    REVIEW = "review"
    DROP = "drop"


class Errand(models.Model):
    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=20)
    status = models.CharField(max_length=16, choices=ErrandStatus.choices)
    review_deadline = models.ForeignKey(
        "deadlines.Deadline", null=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = ClockDate("review")

    # What django-stubs infers for the models of an installed app's models module.
    objects: ClassVar[models.Manager[Errand]]
    review_deadline_id: int | None

    class Meta:
        app_label = "cases"
        # Created by this module's fixture, never by a migration or the test database's
        # set-up (which would create it before the tables it points at).
        managed = False

    def __str__(self) -> str:
        return self.reference


TABLE = StateTable(
    states=ErrandStatus,
    creations={"opened": Step(frozenset(), ErrandStatus.OPEN, CITIZEN, (opens("review"),))},
    steps={
        ErrandAction.REVIEW: Step(
            frozenset({ErrandStatus.OPEN}),
            ErrandStatus.REVIEWED,
            staff(Perm.PUBLICATION_EDIT),
            (meets("review"),),
        ),
        ErrandAction.DROP: Step(
            frozenset({ErrandStatus.OPEN}), ErrandStatus.DROPPED, CITIZEN, (cancels("review"),)
        ),
    },
    final={ErrandStatus.REVIEWED, ErrandStatus.DROPPED},
)
TOY = Process(
    name="errands",
    model=Errand,
    table=TABLE,
    refused=_("This request is “%(status)s”: this action is not possible now."),
    citizen="citizen",
    clocks={
        "review": Clock(
            name="review",
            label="Review errand %(reference)s",
            limit="toy.review",
            expiry_event="review_overdue",
        )
    },
)


def errand_open(*, collectivity, reference: str) -> Errand:
    errand = Errand.objects.create(
        collectivity=collectivity, reference=reference, status=ErrandStatus.OPEN
    )
    return case_created(TOY, errand, "opened", actor=None)


def errand_review(*, errand: Errand, actor) -> Errand:
    return case_transition(TOY, errand, ErrandAction.REVIEW, actor=actor)


def errand_drop(*, errand: Errand) -> Errand:
    return case_transition(TOY, errand, ErrandAction.DROP, actor=None)


# ---------------------------------------------------------------------------- tests

START = date(2026, 3, 2)  # a Monday, no holiday in the next weeks


@pytest.fixture(scope="module")
def errand_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Errand)
    yield
    # Gone before any other test: its foreign keys would stop PostgreSQL from emptying
    # the tables it points at (the flush of transactional tests).
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Errand)


@pytest.fixture
def world(errand_table, db, collectivity_a):
    LegalLimit.objects.create(
        code="toy.review",
        duration=5,
        unit="working_days",
        legal_basis_ar="—",
        legal_basis_fr="Règlement de test",
    )
    with time_machine.travel(START, tick=False) as clock:
        yield clock


def period(errand: Errand) -> Deadline:
    """The current period of the errand's clock."""
    assert errand.review_deadline_id is not None
    return Deadline.objects.get(pk=errand.review_deadline_id)


def test_the_table_is_derived_not_written_twice():
    assert TABLE.is_allowed("open", "review") and not TABLE.is_allowed("reviewed", "review")
    assert TABLE.target("open", "drop") == "dropped"
    assert TABLE.actions_from("open", by="citizen") == ["drop"]
    with pytest.raises(ValueError, match="unknown states"):
        StateTable(
            states=ErrandStatus,
            creations={},
            steps={"x": Step(frozenset({"nowhere"}), ErrandStatus.OPEN, CITIZEN)},
        )
    with pytest.raises(ValueError, match="undeclared clocks"):
        Process(name="x", model=Errand, table=TABLE, refused="", citizen="c")


def test_opening_starts_the_clock_and_the_history(world, collectivity_a):
    errand = errand_open(collectivity=collectivity_a, reference="E-1")
    expected = due_date_compute(start=START, limit="toy.review").due_date
    assert errand.due_date == expected == date(2026, 3, 9)
    deadline = period(errand)
    assert deadline.is_open and deadline.label == "Review errand E-1"
    event = Event.objects.for_object(errand).get()
    assert (event.action, event.process, event.to_state) == ("errands.opened", "citizen", "open")


def test_the_staff_reviews_and_the_clock_is_met(world, collectivity_a, staff_for):
    errand = errand_open(collectivity=collectivity_a, reference="E-2")
    editor = staff_for(Role.PUBLICATION_EDITOR)
    errand = errand_review(errand=errand, actor=editor)
    assert errand.status == "reviewed"
    assert period(errand).status == DeadlineStatus.MET
    events = list(Event.objects.for_object(errand).order_by("pk"))
    assert [e.action for e in events] == ["errands.opened", "errands.review"]
    for before, after in itertools.pairwise(events):
        assert after.from_state == before.to_state
    with pytest.raises(TransitionNotAllowed, match="Reviewed"):
        errand_review(errand=errand, actor=editor)


def test_who_may_act_comes_from_the_table(world, collectivity_a, charlie, staff_for):
    errand = errand_open(collectivity=collectivity_a, reference="E-3")
    for outsider in (charlie, staff_for(Role.COMPLAINTS_OFFICER)):
        with pytest.raises(PermissionDenied):
            errand_review(errand=errand, actor=outsider)
    errand.refresh_from_db()
    assert errand.status == "open" and Event.objects.for_object(errand).count() == 1
    errand = errand_drop(errand=errand)
    assert period(errand).status == DeadlineStatus.CANCELLED
    assert errand.due_date == date(2026, 3, 9)  # a cancelled period keeps its last due date


def test_a_calendar_correction_moves_the_due_date_and_the_sweep_follows(
    world, collectivity_a, network_admin
):
    errand = errand_open(collectivity=collectivity_a, reference="E-4")
    world.move_to(date(2026, 3, 8))
    call_command(
        "calendar_override",
        "add",
        "2026-03-09",
        "--name-ar",
        "عطلة",
        "--name-fr",
        "Congé",
        "--reason",
        "Décision du chef du gouvernement",
        stdout=StringIO(),
    )
    errand = Errand.objects.get(pk=errand.pk)
    assert errand.due_date == date(2026, 3, 10)
    world.move_to(date(2026, 3, 10))
    assert clocks_sweep(processes=[TOY])["errands"]["expired"] == {"review": 0}
    world.move_to(date(2026, 3, 11))
    assert clocks_sweep(processes=[TOY])["errands"]["expired"] == {"review": 1}
    assert clocks_sweep(processes=[TOY])["errands"]["expired"] == {"review": 0}
    overdue = Event.objects.for_object(errand).get(action="errands.review_overdue")
    assert overdue.from_state == overdue.to_state == "open"
    assert overdue.data == {"due_date": "2026-03-10"}


ACTIONS = {
    "review": PageAction(
        form=lambda case, data, files: Form(data),
        call=lambda case, user, form: errand_review(errand=case, actor=user),
        step=ErrandAction.REVIEW,
    )
}


def _post(user, errand: Errand, name: str) -> HttpResponse:
    request = RequestFactory().post("/", {})
    request.user = user
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return action_post(
        request,
        process=TOY,
        case=errand,
        name=name,
        actions=ACTIONS,
        render=lambda status, bound: HttpResponse(status=status),
        done="Done.",
        next_url="/errands/",
    )


def test_one_page_action_pattern(world, collectivity_a, staff_for, charlie):
    errand = errand_open(collectivity=collectivity_a, reference="E-5")
    editor = staff_for(Role.PUBLICATION_EDITOR)
    assert action_availability(TOY, ACTIONS, errand, editor) == {"review": True}
    with pytest.raises(PermissionDenied):
        _post(charlie, errand, "review")
    assert _post(editor, errand, "review").status_code == 302
    errand.refresh_from_db()
    assert action_availability(TOY, ACTIONS, errand, editor) == {"review": False}
    assert _post(editor, errand, "review").status_code == 409


def test_one_api_action_pattern(world, collectivity_a, staff_for, charlie):
    errand = errand_open(collectivity=collectivity_a, reference="E-6")
    editor = staff_for(Role.PUBLICATION_EDITOR)

    def act(user, action: str):
        request = RequestFactory().post("/")
        request.auth = user  # type: ignore[attr-defined]
        return api_act(
            request,
            case=errand,
            action=action,
            actions={"review": lambda case, user, data: errand_review(errand=case, actor=user)},
            payload=None,
            out=lambda case: {"status": case.status},
            forbidden="Forbidden.",
            unknown="Unknown action.",
        )

    assert act(charlie, "review").status_code == 403
    assert act(editor, "review") == {"status": "reviewed"}
    refused = act(editor, "review")
    assert refused.status_code == 409 and "Reviewed" in refused.value["detail"][0]["message"]
