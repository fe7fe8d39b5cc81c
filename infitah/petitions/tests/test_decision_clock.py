"""The decision clock on the case engine: its period is read from its Deadline (a calendar
correction moves it), and a period that passes unmet is recorded once as
`petitions.decision_overdue`, with one e-mail to the agent and one to the bureau."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine

from django.apps import apps
from django.utils import timezone

from infitah.accounts.models import User
from infitah.cases.workflow import process_for
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import due_date_compute
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.petitions import services
from infitah.petitions.models import Petition
from infitah.petitions.process import PROCESS
from infitah.petitions.tests.conftest import (
    AGENT_EMAIL,
    MakePetition,
    holiday_add,
    petition_input,
)
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

# A Monday: the commune's three months end on a working day (2026-06-02, a Tuesday).
LODGED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
SUBJECT = "petitions.petition"
EXPIRY = "petitions.decision_overdue"


def _on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def _expiries(petition: Petition) -> list[Event]:
    return list(Event.objects.filter(object_id=str(petition.pk), action=EXPIRY).order_by("pk"))


def _overdue_mails(petition: Petition) -> list[tuple[str, str]]:
    return list(
        OutboundEmail.objects.filter(key__contains=f"petition:{petition.pk}:")
        .filter(key__contains=":decision_overdue:")
        .order_by("key")
        .values_list("to", "key")
    )


def test_the_process_is_registered_for_the_sweeps() -> None:
    assert process_for("petitions.petition") is PROCESS


def test_lodging_points_at_the_period_and_reads_its_due_date(
    make_petition: MakePetition,
) -> None:
    with time_machine.travel(LODGED, tick=False):
        petition = make_petition(Status.LODGED)
    period = Deadline.objects.get(subject_type=SUBJECT, subject_id=str(petition.pk))
    assert petition.decision_deadline_id == period.pk
    assert period.start_date == petition.lodged_on == LODGED.date()
    assert period.label == f"Decide on petition {petition.reference}"
    assert petition.decision_due == period.due_date == dt.date(2026, 6, 2)
    # No copy: the due date is the Deadline's.
    assert "decision_due" not in {f.name for f in Petition._meta.get_fields()}


def test_a_period_that_passes_unmet_is_recorded_once_and_told_once(
    make_petition: MakePetition, bureau_a: User
) -> None:
    with time_machine.travel(LODGED, tick=False):
        petition = make_petition(Status.BUREAU_REVIEW)
    due = petition.decision_due
    assert due is not None
    with time_machine.travel(_on(due), tick=False):
        # On the due date itself the council still has time.
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    assert _expiries(petition) == [] and _overdue_mails(petition) == []
    with time_machine.travel(_on(due + dt.timedelta(days=1)), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 1}
        # The next tick, and the one after, change nothing.
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    with time_machine.travel(_on(due + dt.timedelta(days=30)), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    (event,) = _expiries(petition)
    assert (event.from_state, event.to_state) == (Status.BUREAU_REVIEW, Status.BUREAU_REVIEW)
    assert event.process == "petitions" and event.actor is None
    assert event.data == {"due_date": due.isoformat()}
    count = Event.objects.filter(object_type=SUBJECT, object_id=str(petition.pk)).count()
    assert _overdue_mails(petition) == [
        (AGENT_EMAIL, f"petition:{petition.pk}:agent:decision_overdue:{count}"),
        (
            bureau_a.email,
            f"petition:{petition.pk}:bureau:decision_overdue:{count}:{bureau_a.email}",
        ),
    ]
    agent_mail = OutboundEmail.objects.get(to=AGENT_EMAIL, key__contains=":decision_overdue:")
    assert petition.reference in agent_mail.subject and "/petitions/manage/" in agent_mail.body
    bureau_mail = OutboundEmail.objects.get(to=bureau_a.email, key__contains=":decision_overdue:")
    assert f"/petitions/{petition.pk}/" in bureau_mail.body
    # The period stays open: the council must still decide; the state did not change.
    petition.refresh_from_db()
    assert petition.status == Status.BUREAU_REVIEW
    assert petition.decision_deadline is not None and petition.decision_deadline.is_open
    # A late decision still meets it, and nothing more is recorded.
    with time_machine.travel(_on(due + dt.timedelta(days=31)), tick=False):
        services.petition_reject(petition=petition, actor=bureau_a, reasons="Hors compétence.")
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    petition.refresh_from_db()
    assert petition.decision_deadline is not None
    assert petition.decision_deadline.status == DeadlineStatus.MET
    assert len(_expiries(petition)) == 1


def test_decided_and_withdrawn_petitions_are_never_overdue(make_petition: MakePetition) -> None:
    with time_machine.travel(LODGED, tick=False):
        decided = make_petition(Status.DELIBERATED)
        withdrawn = services.petition_withdraw(petition=make_petition(Status.LODGED))
        collecting = make_petition(Status.COLLECTING)
    with time_machine.travel(LODGED + dt.timedelta(days=200), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    for petition in (decided, withdrawn, collecting):
        assert _expiries(petition) == [] and _overdue_mails(petition) == []


def test_a_paper_petition_lodged_long_ago_runs_from_its_lodging_day(
    collectivity_a: Collectivity, bureau_a: User
) -> None:
    received = timezone.localdate() - dt.timedelta(days=100)
    petition = services.petition_register_paper(
        collectivity=collectivity_a,
        data=petition_input(agent_email=""),
        actor=bureau_a,
        lodged_on=received,
    )
    period = petition.decision_deadline
    assert period is not None and period.start_date == received
    expected = due_date_compute(start=received, limit=period.limit).due_date
    assert petition.decision_due == expected < timezone.localdate()
    # Already overdue when registered: the next tick records it; no agent's e-mail to send.
    assert services.petitions_decisions_sweep() == {"decision_overdue": 1}
    assert [to for to, _key in _overdue_mails(petition)] == [bureau_a.email]


def test_a_calendar_correction_moves_the_due_date_and_the_sweep_follows(
    make_petition: MakePetition,
) -> None:
    with time_machine.travel(LODGED, tick=False):
        petition = make_petition(Status.LODGED)
        due = petition.decision_due
        assert due == dt.date(2026, 6, 2)
        # The ministry declares the due date a holiday: the period ends the next working day.
        holiday_add(due)
    moved = Petition.objects.select_related("decision_deadline").get(pk=petition.pk).decision_due
    assert moved == dt.date(2026, 6, 3)
    with time_machine.travel(_on(dt.date(2026, 6, 3)), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    with time_machine.travel(_on(dt.date(2026, 6, 4)), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 1}
    assert _expiries(petition)[0].data == {"due_date": "2026-06-03"}


def test_the_backfill_points_each_petition_at_its_latest_period_and_notes_old_expiries(
    make_petition: MakePetition,
) -> None:
    migration = importlib.import_module(
        "infitah.petitions.migrations.0004_backfill_decision_deadline"
    )
    with time_machine.travel(LODGED, tick=False):
        old = make_petition(Status.LODGED)
        withdrawn = services.petition_withdraw(petition=make_petition(Status.LODGED))
        draft = make_petition(Status.DRAFT)
    with time_machine.travel(LODGED + dt.timedelta(days=60), tick=False):
        fresh = make_petition(Status.LODGED)
        first = fresh.decision_deadline
        assert first is not None
        # A second period of the same petition (data entered by hand): the latest counts.
        second = Deadline.objects.create(
            collectivity=first.collectivity,
            limit=first.limit,
            start_date=first.start_date,
            due_date=first.due_date,
            subject_type=SUBJECT,
            subject_id=str(fresh.pk),
            label=first.label,
        )
    # As before the migration: nothing points at the periods.
    Petition.objects.update(decision_deadline=None)
    with time_machine.travel(LODGED + dt.timedelta(days=120), tick=False):
        migration.forwards(apps, None)
    found = {p.pk: p for p in Petition.objects.select_related("decision_deadline")}
    assert found[fresh.pk].decision_deadline_id == second.pk
    for petition in (old, withdrawn):
        only = Deadline.objects.get(subject_type=SUBJECT, subject_id=str(petition.pk))
        assert found[petition.pk].decision_deadline_id == only.pk
    assert found[draft.pk].decision_deadline_id is None
    # The old petition's period was past due at migration time: noted, so that deploying
    # sends no e-mail about it; the fresh one is not due yet; a closed one is untouched.
    old_period = found[old.pk].decision_deadline
    assert old_period is not None and old_period.expiry_noted_at is not None
    for petition in (withdrawn, fresh):
        period = found[petition.pk].decision_deadline
        assert period is not None and period.expiry_noted_at is None
    with time_machine.travel(LODGED + dt.timedelta(days=120), tick=False):
        assert services.petitions_decisions_sweep() == {"decision_overdue": 0}
    assert _expiries(found[old.pk]) == [] and _overdue_mails(found[old.pk]) == []
