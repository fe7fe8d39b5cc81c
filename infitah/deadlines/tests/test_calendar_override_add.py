"""Official corrections of the calendar: validation, effect, history, recompute."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from infitah.accounts.models import User
from infitah.deadlines.models import CalendarOverride, DeadlineStatus
from infitah.deadlines.selectors import calendar_get, due_date_compute, holiday_list
from infitah.deadlines.services import calendar_override_add, deadline_close, deadline_open
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db

EID_1, EID_2 = date(2026, 5, 27), date(2026, 5, 28)


def add(actor: User, **kwargs: Any) -> CalendarOverride:
    kwargs.setdefault("reason", "Communiqué du ministère des Habous")
    return calendar_override_add(actor=actor, **kwargs)


def test_remove_an_estimated_holiday(network_admin):
    override = add(network_admin, kind="remove", date=EID_2)
    assert calendar_get().get(EID_2) is None
    assert EID_2 not in [h.date for h in holiday_list(year=2026)]
    assert due_date_compute(start=date(2026, 5, 25), limit="ati.urgent").due_date == date(
        2026, 5, 29
    )
    event = Event.objects.for_object(override).get()
    assert event.action == "calendar.override_added"
    assert event.actor == network_admin
    assert event.collectivity is None
    assert event.data["kind"] == "remove" and event.data["date"] == "2026-05-28"


def test_move_an_estimated_holiday_confirms_it_on_the_new_date(network_admin):
    add(network_admin, kind="move", date=EID_1, new_date=date(2026, 5, 29))
    calendar = calendar_get()
    assert calendar.get(EID_1) is None
    moved = calendar.get(date(2026, 5, 29))
    assert moved is not None
    assert moved.name_ar == "عيد الأضحى" and moved.name_fr == "Fête du sacrifice"
    assert moved.estimated is False and moved.corrected is True
    still_estimated = calendar.get(EID_2)
    assert still_estimated is not None and still_estimated.estimated


def test_add_an_exceptional_day_off(network_admin):
    add(
        network_admin,
        kind="add",
        date=date(2026, 6, 15),
        name_ar="عطلة استثنائية",
        name_fr="Congé exceptionnel",
    )
    holiday = calendar_get().get(date(2026, 6, 15))
    assert holiday is not None and holiday.corrected and not holiday.estimated
    assert holiday.name_fr == "Congé exceptionnel"


def test_add_on_an_estimated_holiday_confirms_it_with_its_names(network_admin):
    override = add(network_admin, kind="add", date=EID_1)
    holiday = calendar_get().get(EID_1)
    assert holiday is not None and not holiday.estimated and holiday.corrected
    assert holiday.name_fr == "Fête du sacrifice"
    assert override.name_ar == "عيد الأضحى"


def test_overrides_apply_in_order(network_admin):
    add(network_admin, kind="remove", date=EID_2)
    add(network_admin, kind="add", date=EID_2, name_ar="عيد الأضحى", name_fr="Fête du sacrifice")
    holiday = calendar_get().get(EID_2)
    assert holiday is not None and holiday.corrected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "remove", "date": date(2026, 6, 2)}, "date"),
        ({"kind": "move", "date": date(2026, 6, 2), "new_date": date(2026, 6, 3)}, "date"),
        ({"kind": "move", "date": EID_1}, "new_date"),
        ({"kind": "move", "date": EID_1, "new_date": EID_2}, "new_date"),
        ({"kind": "move", "date": EID_1, "new_date": EID_1}, "new_date"),
        ({"kind": "add", "date": date(2026, 6, 2)}, "name_ar"),
        ({"kind": "add", "date": date(2026, 7, 30), "name_ar": "x", "name_fr": "x"}, "date"),
        ({"kind": "remove", "date": EID_1, "new_date": date(2026, 6, 3)}, "new_date"),
        ({"kind": "remove", "date": EID_1, "reason": "  "}, "reason"),
        ({"kind": "explode", "date": EID_1}, "kind"),
        ({"kind": "remove", "date": date(1980, 1, 1)}, "date"),
    ],
)
def test_invalid_overrides_are_refused_with_a_message(network_admin, kwargs, field):
    with pytest.raises(ValidationError) as info:
        add(network_admin, **kwargs)
    assert field in info.value.message_dict
    assert all(message for message in info.value.message_dict[field])
    assert not CalendarOverride.objects.exists()


def test_only_calendar_managers_may_add(charlie, citizen, staff_a):
    for user in (charlie, citizen, staff_a):
        with pytest.raises(PermissionDenied):
            add(user, kind="remove", date=EID_2)
    assert not CalendarOverride.objects.exists()


def test_open_deadlines_in_the_window_are_recomputed_with_history(
    network_admin, collectivity_a, collectivity_b
):
    affected = deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_a,
        limit_code="ati.urgent",
        start=date(2026, 5, 25),
        label="ATI-1: urgent answer",
        process="test",
    )
    assert affected.due_date == date(2026, 6, 1)
    before_window = deadline_open(
        collectivity=collectivity_b,
        subject=collectivity_b,
        limit_code="ati.urgent",
        start=date(2026, 5, 28),
        label="ATI-2: urgent answer",
        process="test",
    )
    closed = deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_b,
        limit_code="ati.urgent",
        start=date(2026, 5, 25),
        label="ATI-3",
        process="test",
    )
    deadline_close(deadline=closed, status=DeadlineStatus.MET, process="test")

    override = add(network_admin, kind="remove", date=EID_2)

    affected.refresh_from_db()
    before_window.refresh_from_db()
    closed.refresh_from_db()
    assert affected.due_date == date(2026, 5, 29)
    assert before_window.due_date == date(2026, 6, 2)  # starts on the removed day: unchanged
    assert closed.due_date == date(2026, 6, 1)
    events = list(Event.objects.filter(action="deadline.recomputed"))
    assert len(events) == 1
    event = events[0]
    assert event.object_id == str(affected.pk)
    assert event.process == "calendar"
    assert event.collectivity == collectivity_a
    assert (event.from_state, event.to_state) == ("2026-06-01", "2026-05-29")
    assert f"#{override.pk}" in event.note


def test_adding_a_day_off_pushes_open_deadlines_later(network_admin, collectivity_a):
    deadline = deadline_open(
        collectivity=collectivity_a,
        subject=collectivity_a,
        limit_code="ati.answer",
        start=date(2026, 6, 1),
        label="ATI-4",
        process="test",
    )
    old_due = deadline.due_date
    add(network_admin, kind="add", date=date(2026, 6, 15), name_ar="عطلة", name_fr="Congé")
    deadline.refresh_from_db()
    assert deadline.due_date > old_due
    assert Event.objects.for_object(deadline).filter(action="deadline.recomputed").count() == 1
