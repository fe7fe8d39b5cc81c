"""A legal time limit's duration is one plural-aware phrase ("1 working day", "20 working
days"), never a number beside a plural noun ("20 أيام" in Arabic, where 11 to 99 take the
singular)."""

from __future__ import annotations

import re

import pytest

from django.test import Client
from django.utils import translation

from infitah.deadlines.models import LegalLimit, UnitChoices


@pytest.mark.parametrize(
    ("duration", "unit", "label"),
    [
        (1, UnitChoices.WORKING_DAYS, "1 working day"),
        (20, UnitChoices.WORKING_DAYS, "20 working days"),
        (1, UnitChoices.CALENDAR_DAYS, "1 calendar day"),
        (60, UnitChoices.CALENDAR_DAYS, "60 calendar days"),
        (1, UnitChoices.CALENDAR_MONTHS, "1 calendar month"),
        (3, UnitChoices.CALENDAR_MONTHS, "3 calendar months"),
    ],
)
def test_duration_label_agrees_with_the_number(duration: int, unit: str, label: str) -> None:
    limit = LegalLimit(code="x", duration=duration, unit=unit)
    assert limit.duration_label == label


@pytest.mark.parametrize("n", [0, 1, 2, 3, 11, 100])
def test_arabic_duration_label_uses_the_plural_form_of_the_number(n: int) -> None:
    """The Arabic catalogue has six forms; the label picks one by the number (the form for
    n=20 is the one for 11 to 99, not the one for 3 to 10)."""
    limit = LegalLimit(code="x", duration=n, unit=UnitChoices.WORKING_DAYS)
    with translation.override("ar"):
        assert (
            translation.ngettext("%(n)s working day", "%(n)s working days", n) % {"n": n}
            == limit.duration_label
        )


@pytest.mark.django_db
def test_legal_calendar_page_shows_the_phrase_not_number_and_unit() -> None:
    limit = LegalLimit.objects.order_by("code").first()
    assert limit is not None
    LegalLimit.objects.filter(pk=limit.pk).update(duration=1, unit=UnitChoices.WORKING_DAYS)
    limit.refresh_from_db()
    html = Client().get("/fr/calendar/").content.decode()
    with translation.override("fr"):
        assert re.search(rf"<td[^>]*>{re.escape(limit.duration_label)}</td>", html)
        assert f"1 {limit.get_unit_display()}" not in html
