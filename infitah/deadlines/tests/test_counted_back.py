"""Notices counted back from a day (LegalLimit.counted_back): the council's agenda is due
10 days before the sitting, and a day off never shortens the notice — the due date moves
to the working day before, never after. A calendar correction inside the notice window
moves the open deadline's due date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from django.utils import translation

from infitah.accounts.models import User
from infitah.deadlines.models import CalendarOverride, Deadline, LegalLimit
from infitah.deadlines.selectors import due_date_compute
from infitah.deadlines.services import calendar_override_add, deadline_close, deadline_open
from infitah.deadlines.workdays import (
    Holiday,
    Step,
    Unit,
    compute_due_date,
    is_working_day,
    library_holidays,
)
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

AGENDA = "council.agenda_notice.commune"


def _holidays(*days: date) -> dict[date, Holiday]:
    return {day: Holiday(date=day, name_ar="عطلة", name_fr="Congé") for day in days}


# ------------------------------------------------------------------ the pure rules


def test_calendar_days_counted_back_from_a_working_landing_day():
    # Monday 15 June 2026: 10 days before is Friday 5 June, a working day.
    computed = compute_due_date(
        start=date(2026, 6, 15), duration=10, unit=Unit.CALENDAR_DAYS, lookup={}, counted_back=True
    )
    assert computed.due_date == date(2026, 6, 5)
    assert computed.skipped_holidays == []


def test_calendar_days_landing_on_a_weekend_move_earlier():
    # Wednesday 18 March 2026: 10 days before is Sunday 8 March → Friday 6 March, not
    # Monday 9 March (that would shorten the notice).
    computed = compute_due_date(
        start=date(2026, 3, 18), duration=10, unit=Unit.CALENDAR_DAYS, lookup={}, counted_back=True
    )
    assert computed.due_date == date(2026, 3, 6)
    kinds = [step.kind for step in computed.steps]
    assert kinds == ["start", "rule", "landed", "moved", "weekends", "result"]
    assert all(step.back for step in computed.steps if step.kind in {"start", "rule", "moved"})


def test_calendar_days_landing_on_holidays_move_earlier_past_each_of_them():
    # Thursday 20 and Friday 21 August are days off: 10 days before Monday 31 August is
    # Friday 21 → Wednesday 19.
    lookup = _holidays(date(2026, 8, 20), date(2026, 8, 21))
    computed = compute_due_date(
        start=date(2026, 8, 31),
        duration=10,
        unit=Unit.CALENDAR_DAYS,
        lookup=lookup,
        counted_back=True,
    )
    assert computed.due_date == date(2026, 8, 19)
    assert [h.date for h in computed.skipped_holidays] == [date(2026, 8, 21), date(2026, 8, 20)]


def test_working_days_count_back_and_skip_holidays():
    # Back from Monday 22 June: Fri 19, Thu 18, Wed 17, (Tue 16 off), Mon 15, Fri 12.
    lookup = _holidays(date(2026, 6, 16))
    computed = compute_due_date(
        start=date(2026, 6, 22),
        duration=5,
        unit=Unit.WORKING_DAYS,
        lookup=lookup,
        counted_back=True,
    )
    assert computed.due_date == date(2026, 6, 12)
    assert [h.date for h in computed.skipped_holidays] == [date(2026, 6, 16)]
    forward = compute_due_date(
        start=date(2026, 6, 22), duration=5, unit=Unit.WORKING_DAYS, lookup=lookup
    )
    assert forward.due_date == date(2026, 6, 29)


def test_calendar_months_counted_back_clamp_and_move_earlier():
    # 31 March back one month is 28 February 2026 (a Saturday) → Friday 27 February.
    computed = compute_due_date(
        start=date(2026, 3, 31), duration=1, unit=Unit.CALENDAR_MONTHS, lookup={}, counted_back=True
    )
    assert computed.due_date == date(2026, 2, 27)


@pytest.mark.parametrize("unit", [Unit.CALENDAR_DAYS, Unit.WORKING_DAYS])
def test_every_start_of_a_year_gives_a_working_day_and_a_full_notice(unit: Unit):
    lookup = {**library_holidays(2025), **library_holidays(2026)}
    for offset in range(365):
        start = date(2026, 1, 1) + timedelta(days=offset)
        due = compute_due_date(
            start=start, duration=10, unit=unit, lookup=lookup, counted_back=True
        ).due_date
        assert is_working_day(due, lookup), start
        assert due <= start - timedelta(days=10), start
        if unit == Unit.CALENDAR_DAYS:
            # Only days off lie between the due date and the day 10 days before.
            between = [due + timedelta(days=n) for n in range(1, (start - due).days - 9)]
            assert not any(is_working_day(day, lookup) for day in between), start
        else:
            days = [due + timedelta(days=n) for n in range((start - due).days)]
            assert sum(is_working_day(day, lookup) for day in days) == 10, start


def test_the_explanation_of_a_notice_says_it_is_counted_back():
    steps = compute_due_date(
        start=date(2026, 3, 18), duration=10, unit=Unit.CALENDAR_DAYS, lookup={}, counted_back=True
    ).steps
    for language in ("ar", "fr", "en"):
        with translation.override(language):
            for step in steps:
                if step.kind in {"start", "rule", "landed", "moved"}:
                    forward = Step(step.kind, day=step.day, count=step.count, unit=step.unit)
                    assert step.message != forward.message, (language, step.kind)
                    assert step.message


# ----------------------------------------------------------- the seeded legal limits


@pytest.mark.django_db
def test_the_agenda_notices_are_counted_back_limits():
    for level in ("commune", "province", "region"):
        limit = LegalLimit.objects.get(code=f"council.agenda_notice.{level}")
        assert limit.counted_back and (limit.duration, limit.unit) == (10, "calendar_days")
        summary = LegalLimit.objects.get(code=f"council.summary.{level}")
        assert not summary.counted_back


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sitting", "due"),
    [
        (date(2026, 6, 15), date(2026, 6, 5)),  # 10 days before: a working Friday
        (date(2026, 3, 18), date(2026, 3, 6)),  # Sunday 8 March → Friday 6
        (date(2026, 8, 24), date(2026, 8, 13)),  # Friday 14 August is a holiday → Thursday
        (date(2026, 8, 31), date(2026, 8, 19)),  # Thursday 20 and Friday 21 are holidays
    ],
)
def test_agenda_notice_is_10_calendar_days_before_the_sitting(sitting: date, due: date):
    computed = due_date_compute(start=sitting, limit=AGENDA)
    assert computed.due_date == due
    assert computed.due_date <= sitting - timedelta(days=10)
    assert "113.14" in computed.legal_basis_fr


# ------------------------------------------------------- corrections of the calendar


def _notice(collectivity: Collectivity, sitting: date, code: str = AGENDA) -> Deadline:
    return deadline_open(
        collectivity=collectivity,
        subject=collectivity,
        limit_code=code,
        start=sitting,
        label="Agenda",
        process="tests",
    )


def _override(actor: User, **kwargs: Any) -> CalendarOverride:
    kwargs.setdefault("reason", "Communiqué du ministère de l'Intérieur")
    return calendar_override_add(actor=actor, **kwargs)


def _day_off(actor: User, day: date) -> CalendarOverride:
    return _override(actor, kind="add", date=day, name_ar="عطلة استثنائية", name_fr="Congé")


@pytest.mark.django_db
def test_a_day_off_on_the_due_date_moves_the_open_notice_earlier(network_admin, collectivity_a):
    deadline = _notice(collectivity_a, date(2026, 6, 15))
    assert deadline.due_date == date(2026, 6, 5)
    override = _day_off(network_admin, date(2026, 6, 5))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 6, 4)
    event = Event.objects.for_object(deadline).get(action="deadline.recomputed")
    assert (event.from_state, event.to_state) == ("2026-06-05", "2026-06-04")
    assert event.data == {"override_id": override.pk}


@pytest.mark.django_db
def test_removing_the_holiday_that_moved_a_notice_gives_it_back(network_admin, collectivity_a):
    deadline = _notice(collectivity_a, date(2026, 8, 24))
    assert deadline.due_date == date(2026, 8, 13)
    _override(network_admin, kind="remove", date=date(2026, 8, 14))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 8, 14)


@pytest.mark.django_db
def test_days_off_that_cannot_change_a_notice_leave_it(network_admin, collectivity_a):
    deadline = _notice(collectivity_a, date(2026, 6, 15))
    # After the landing day, in the notice window: a calendar-day notice does not care.
    _day_off(network_admin, date(2026, 6, 10))
    # After the sitting, and long before the notice.
    _day_off(network_admin, date(2026, 6, 17))
    _day_off(network_admin, date(2026, 5, 4))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 6, 5)
    assert not Event.objects.for_object(deadline).filter(action="deadline.recomputed").exists()


@pytest.mark.django_db
def test_a_working_day_notice_follows_a_day_off_inside_its_window(network_admin, collectivity_a):
    LegalLimit.objects.create(
        code="test.notice.working",
        duration=5,
        unit="working_days",
        counted_back=True,
        legal_basis_ar="نص",
        legal_basis_fr="Texte",
    )
    deadline = _notice(collectivity_a, date(2026, 6, 22), code="test.notice.working")
    # 16 June (estimated New Year of the Hegira) is off: Fri 19, Thu 18, Wed 17, Mon 15, Fri 12.
    assert deadline.due_date == date(2026, 6, 12)
    _day_off(network_admin, date(2026, 6, 18))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 6, 11)
    # The estimated holiday is moved out of the window: one more working day inside it.
    _override(network_admin, kind="move", date=date(2026, 6, 16), new_date=date(2026, 6, 26))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 6, 12)


@pytest.mark.django_db
def test_a_closed_notice_is_not_recomputed(network_admin, collectivity_a):
    deadline = _notice(collectivity_a, date(2026, 6, 15))
    deadline_close(deadline=deadline, process="tests")
    _day_off(network_admin, date(2026, 6, 5))
    deadline.refresh_from_db()
    assert deadline.due_date == date(2026, 6, 5)
