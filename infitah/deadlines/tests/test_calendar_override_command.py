"""`manage.py calendar_override`: an official correction from the command line.

The same service as the network administrators' page: the correction is recorded, every
open deadline in its window recomputed with its ledger event; bad input gets a clear error
and changes nothing.
"""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from infitah.deadlines.models import CalendarOverride, Deadline
from infitah.deadlines.selectors import calendar_get
from infitah.deadlines.services import deadline_open
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db

EID_1, EID_2 = date(2026, 5, 27), date(2026, 5, 28)


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar_override", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def urgent(collectivity_a) -> Deadline:
    """An open period of 3 working days from 25 May 2026, due on 1 June (27-28 May are
    the estimated Eid al-Adha)."""
    deadline = deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_a,
        limit_code="ati.urgent",
        start=date(2026, 5, 25),
        label="ATI-1: urgent answer",
        process="test",
    )
    assert deadline.due_date == date(2026, 6, 1)
    return deadline


def test_moving_eid_recomputes_open_deadlines_and_records_who_and_why(urgent):
    out = run(
        "move",
        "2026-05-28",
        "--to",
        "2026-06-01",
        "--reason",
        "Eid al-Adha: the second day is on Monday",
        "--reference",
        "Communiqué 14/2026",
        "--language",
        "fr",
    )
    override = CalendarOverride.objects.get()
    assert (override.kind, override.date, override.new_date) == ("move", EID_2, date(2026, 6, 1))
    assert override.reference == "Communiqué 14/2026"
    assert override.created_by is None
    assert calendar_get().get(date(2026, 6, 1)) is not None
    urgent.refresh_from_db()
    # 26 May, 28 May (now a working day), 29 May: three working days.
    assert urgent.due_date == date(2026, 5, 29)
    added = Event.objects.for_object(override).get()
    assert added.actor is None and added.process == "command_line"
    assert added.data["reference"] == "Communiqué 14/2026"
    moved = Event.objects.for_object(urgent).get(action="deadline.recomputed")
    assert (moved.from_state, moved.to_state) == ("2026-06-01", "2026-05-29")
    assert f"#{override.pk}" in out
    assert "2026-06-01 → 2026-05-29  ATI-1: urgent answer" in out


def test_a_network_administrator_may_sign_the_correction(urgent, network_admin):
    run("remove", "2026-05-28", "--reason", "Annulé", "--by", network_admin.email)
    assert CalendarOverride.objects.get().created_by == network_admin


def test_dry_run_shows_the_changes_and_records_nothing(urgent):
    events = Event.objects.count()
    out = run("remove", "2026-05-28", "--reason", "Annulé", "--dry-run", "--language", "fr")
    assert "2026-06-01 → 2026-05-29" in out
    assert not CalendarOverride.objects.exists()
    urgent.refresh_from_db()
    assert urgent.due_date == date(2026, 6, 1)
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["move", "2026-05-28", "--reason", "r"], "--to"),
        (["move", "28/05/2026", "--to", "2026-05-29", "--reason", "r"], "DATE"),
        (["move", "2026-05-28", "--to", "demain", "--reason", "r"], "--to"),
        (["remove", "2026-05-28", "--to", "2026-05-29", "--reason", "r"], "--to"),
        (["remove", "2026-06-02", "--reason", "r"], "DATE"),
        (["add", "2026-06-02", "--reason", "r"], "--name-ar"),
        (["remove", "2026-05-28", "--reason", "   "], "--reason"),
        (["remove", "2026-05-28", "--reason", "r", "--reference", "x" * 201], "--reference"),
        (["remove", "2026-05-28", "--reason", "r", "--by", "nobody@example.test"], "--by"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(urgent, args, option):
    events = Event.objects.count()
    with pytest.raises(CommandError) as info:
        run(*args, "--language", "fr")
    assert info.value.args[0].startswith(option) or f"\n{option}:" in info.value.args[0]
    assert not CalendarOverride.objects.exists()
    assert Event.objects.count() == events
    urgent.refresh_from_db()
    assert urgent.due_date == date(2026, 6, 1)


def test_errors_are_in_the_chosen_language(urgent):
    with pytest.raises(CommandError) as french:
        run("move", "2026-05-28", "--reason", "r", "--language", "fr")
    assert "Indiquez la date à laquelle le jour férié est reporté." in str(french.value)
    with pytest.raises(CommandError) as arabic:
        run("move", "2026-05-28", "--reason", "r", "--language", "ar")
    assert "Indiquez" not in str(arabic.value)


def test_a_staff_member_is_not_a_network_administrator(urgent, staff_a):
    with pytest.raises(CommandError):
        run("remove", "2026-05-28", "--reason", "r", "--by", staff_a.email)
    assert not CalendarOverride.objects.exists()
