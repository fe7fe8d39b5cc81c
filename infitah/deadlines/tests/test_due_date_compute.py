"""Due dates of the seeded legal limits, with real Moroccan holidays."""

from __future__ import annotations

from datetime import date

import pytest

from infitah.deadlines.models import LegalLimit
from infitah.deadlines.selectors import UnknownLegalLimit, due_date_compute, legal_limit_list

pytestmark = pytest.mark.django_db


def test_the_seeded_limits_are_data():
    limits = {limit.code: limit for limit in legal_limit_list()}
    assert {
        "ati.answer",
        "ati.extension",
        "ati.urgent",
        "ati.internal_complaint",
        "ati.head_answer",
        "ati.cdai_complaint",
        "complaint.acknowledge",
        "complaint.answer",
        "petition.decision.region",
        "petition.decision.province",
        "petition.decision.commune",
    } <= set(limits)
    assert (limits["ati.answer"].duration, limits["ati.answer"].unit) == (20, "working_days")
    assert (limits["complaint.answer"].duration, limits["complaint.answer"].unit) == (
        60,
        "calendar_days",
    )
    assert limits["petition.decision.commune"].unit == "calendar_months"
    assert "31.13" in limits["ati.answer"].legal_basis_ar
    assert "31.13" in limits["ati.answer"].legal_basis_fr
    assert "113.14" in limits["petition.decision.commune"].legal_basis_fr


def test_start_just_before_throne_day():
    # Wednesday 29 July 2026; Throne Day is Thursday 30 July.
    due = due_date_compute(start=date(2026, 7, 29), limit="ati.urgent")
    assert due.due_date == date(2026, 8, 4)
    assert [(h.date, h.name_fr) for h in due.skipped_holidays] == [
        (date(2026, 7, 30), "Fête du Trône")
    ]
    assert due.limit == "ati.urgent"
    assert "31.13" in due.legal_basis_fr


def test_around_eid_al_adha_2026_the_estimated_days_are_skipped():
    due = due_date_compute(start=date(2026, 5, 25), limit="ati.urgent")
    assert due.due_date == date(2026, 6, 1)
    assert [h.date for h in due.skipped_holidays] == [date(2026, 5, 27), date(2026, 5, 28)]
    assert all(h.estimated for h in due.skipped_holidays)


def test_green_march_and_independence_day_are_skipped():
    due = due_date_compute(start=date(2026, 11, 2), limit="ati.answer")
    assert due.due_date == date(2026, 12, 2)
    assert [h.date for h in due.skipped_holidays] == [date(2026, 11, 6), date(2026, 11, 18)]


def test_eid_al_fitr_on_a_weekday_is_skipped_but_not_the_one_on_saturday():
    due = due_date_compute(start=date(2026, 3, 16), limit="ati.answer")
    assert due.due_date == date(2026, 4, 14)
    assert [h.date for h in due.skipped_holidays] == [date(2026, 3, 20)]


def test_working_days_cross_the_new_year():
    due = due_date_compute(start=date(2026, 12, 20), limit="ati.answer")
    assert due.due_date == date(2027, 1, 20)
    assert [h.date for h in due.skipped_holidays] == [
        date(2027, 1, 1),
        date(2027, 1, 11),
        date(2027, 1, 14),
    ]


def test_calendar_days_ending_on_saturday_move_to_monday():
    due = due_date_compute(start=date(2026, 4, 3), limit="complaint.acknowledge")
    assert due.due_date == date(2026, 4, 20)
    assert due.skipped_holidays == []


def test_calendar_days_ending_on_green_march_move_to_the_next_working_day():
    due = due_date_compute(start=date(2026, 10, 22), limit="complaint.acknowledge")
    assert due.due_date == date(2026, 11, 9)
    assert [h.date for h in due.skipped_holidays] == [date(2026, 11, 6)]


def test_months_clamp_to_the_end_of_february_then_move_off_the_weekend():
    # 31 Dec 2025 + 2 months = Saturday 28 Feb 2026 -> Monday 2 March.
    due = due_date_compute(start=date(2025, 12, 31), limit="petition.decision.region")
    assert due.due_date == date(2026, 3, 2)
    # 31 Dec 2027 + 2 months = Tuesday 29 Feb 2028 (leap year), a working day.
    due = due_date_compute(start=date(2027, 12, 31), limit="petition.decision.province")
    assert due.due_date == date(2028, 2, 29)
    # 30 Nov 2025 + 3 months = 28 Feb 2026 (Saturday) -> 2 March.
    due = due_date_compute(start=date(2025, 11, 30), limit="petition.decision.commune")
    assert due.due_date == date(2026, 3, 2)


def test_a_limit_object_and_its_code_give_the_same_result():
    limit = LegalLimit.objects.get(code="complaint.answer")
    assert (
        due_date_compute(start=date(2026, 1, 5), limit=limit).due_date
        == due_date_compute(start=date(2026, 1, 5), limit="complaint.answer").due_date
    )


def test_the_durations_come_from_the_table():
    LegalLimit.objects.filter(code="ati.answer").update(duration=1)
    assert due_date_compute(start=date(2026, 3, 16), limit="ati.answer").due_date == date(
        2026, 3, 17
    )


def test_unknown_limit_raises():
    with pytest.raises(UnknownLegalLimit):
        due_date_compute(start=date(2026, 3, 16), limit="nope")


def test_explanation_steps_name_each_holiday(settings):
    from django.utils import translation

    due = due_date_compute(start=date(2026, 7, 29), limit="ati.urgent")
    with translation.override("fr"):
        messages = [step.message for step in due.steps]
    assert any("Fête du Trône" in m for m in messages)
    assert any("samedi" in m for m in messages)  # weekends, in French
