"""The pure rules of the legal calendar: working days and how a period is counted.

Nothing here touches the database. Every function takes the holidays as a lookup
(anything with `.get(day)` returning a `Holiday` or None, e.g. a dict), so the rules can
be tested, and property-tested, without a database; `infitah.deadlines.selectors` builds
the real lookup from the `holidays` package and the official overrides.
"""

from __future__ import annotations

import calendar as std_calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

import holidays

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext

SATURDAY = 5
ONE_DAY = timedelta(days=1)


class Unit(StrEnum):
    """How a legal period is counted. Values are stored in LegalLimit.unit."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"


@dataclass(frozen=True)
class Holiday:
    """One public holiday (a day off) of the Moroccan administration."""

    date: date
    name_ar: str
    name_fr: str
    # Islamic holidays are computed by the library; Morocco fixes them by moon sighting.
    estimated: bool = False
    # Set, confirmed, moved or added by an official override (CalendarOverride).
    corrected: bool = False

    @property
    def name(self) -> str:
        """The name in the active language."""
        if (get_language() or "ar").startswith("fr"):
            return self.name_fr or self.name_ar
        return self.name_ar or self.name_fr


class HolidayLookup(Protocol):
    def get(self, day: date, /) -> Holiday | None: ...


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


def is_working_day(day: date, lookup: HolidayLookup) -> bool:
    """Monday to Friday, and not a public holiday."""
    return not is_weekend(day) and lookup.get(day) is None


def count_working_days(start: date, end: date, lookup: HolidayLookup) -> int:
    """How many working days lie in (start, end]: 0 when `end` is not after `start`."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working_day(day, lookup):
            count += 1
    return count


def add_months(day: date, months: int) -> date:
    """`day` plus `months` months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = std_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _fmt(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@dataclass(frozen=True)
class Step:
    """One line of the explanation of a due date, rendered in the active language."""

    kind: str  # start | rule | weekends | holiday | landed | moved | result
    day: date | None = None
    count: int = 0
    unit: str = ""
    holiday: Holiday | None = None
    # A notice counted back from the start day (LegalLimit.counted_back).
    back: bool = False

    @property
    def message(self) -> str:
        if self.back and self.kind in {"start", "rule", "landed", "moved"}:
            return self._message_back()
        day = _fmt(self.day) if self.day else ""
        if self.kind == "start":
            return gettext("Start date: %(day)s. Counting starts the next day.") % {"day": day}
        if self.kind == "rule":
            if self.unit == Unit.WORKING_DAYS:
                return ngettext(
                    "The period is %(n)d working day: Monday to Friday, public holidays excluded.",
                    "The period is %(n)d working days: Monday to Friday, public holidays excluded.",
                    self.count,
                ) % {"n": self.count}
            if self.unit == Unit.CALENDAR_DAYS:
                return ngettext(
                    "The period is %(n)d calendar day; if it ends on a non-working day, "
                    "it moves to the next working day.",
                    "The period is %(n)d calendar days; if it ends on a non-working day, "
                    "it moves to the next working day.",
                    self.count,
                ) % {"n": self.count}
            return ngettext(
                "The period is %(n)d calendar month (same day of the month, or the last day "
                "of a shorter month); if it ends on a non-working day, it moves to the next "
                "working day.",
                "The period is %(n)d calendar months (same day of the month, or the last day "
                "of a shorter month); if it ends on a non-working day, it moves to the next "
                "working day.",
                self.count,
            ) % {"n": self.count}
        if self.kind == "weekends":
            return ngettext(
                "%(n)d Saturday or Sunday skipped.",
                "%(n)d Saturdays and Sundays skipped.",
                self.count,
            ) % {"n": self.count}
        if self.kind == "holiday" and self.holiday is not None:
            text = gettext("Public holiday skipped: %(day)s, %(name)s.") % {
                "day": day,
                "name": self.holiday.name,
            }
            if self.holiday.estimated:
                text += " " + gettext("(estimated date)")
            return text
        if self.kind == "landed":
            return gettext("The period ends on %(day)s.") % {"day": day}
        if self.kind == "moved":
            return gettext(
                "%(day)s is not a working day: the deadline moves to the next working day."
            ) % {"day": day}
        return gettext("Due date: %(day)s.") % {"day": day}

    def _message_back(self) -> str:
        """The explanation of a notice: counted back, moved to the working day before."""
        day = _fmt(self.day) if self.day else ""
        if self.kind == "start":
            return gettext(
                "Start date: %(day)s. The notice is counted back from the day before."
            ) % {"day": day}
        if self.kind == "landed":
            return gettext("Counted back, the notice period reaches %(day)s.") % {"day": day}
        if self.kind == "moved":
            return gettext(
                "%(day)s is not a working day: the deadline moves to the working day before."
            ) % {"day": day}
        if self.unit == Unit.WORKING_DAYS:
            return ngettext(
                "The notice is %(n)d working day before the start date: Monday to Friday, "
                "public holidays excluded.",
                "The notice is %(n)d working days before the start date: Monday to Friday, "
                "public holidays excluded.",
                self.count,
            ) % {"n": self.count}
        if self.unit == Unit.CALENDAR_DAYS:
            return ngettext(
                "The notice is %(n)d calendar day before the start date; if it ends on a "
                "non-working day, it moves to the working day before.",
                "The notice is %(n)d calendar days before the start date; if it ends on a "
                "non-working day, it moves to the working day before.",
                self.count,
            ) % {"n": self.count}
        return ngettext(
            "The notice is %(n)d calendar month before the start date (same day of the "
            "month, or the last day of a shorter month); if it ends on a non-working day, "
            "it moves to the working day before.",
            "The notice is %(n)d calendar months before the start date (same day of the "
            "month, or the last day of a shorter month); if it ends on a non-working day, "
            "it moves to the working day before.",
            self.count,
        ) % {"n": self.count}


@dataclass(frozen=True)
class Computation:
    due_date: date
    skipped_holidays: list[Holiday]
    steps: list[Step]


def _next_working_day(
    day: date, lookup: HolidayLookup, step: timedelta = ONE_DAY
) -> tuple[date, list[Holiday], int]:
    """The first working day on or after `day` (on or before it when `step` is negative),
    the weekday holidays and weekend days passed."""
    skipped: list[Holiday] = []
    weekends = 0
    while not is_working_day(day, lookup):
        if is_weekend(day):
            weekends += 1
        else:
            holiday = lookup.get(day)
            assert holiday is not None
            skipped.append(holiday)
        day += step
    return day, skipped, weekends


def compute_due_date(
    *,
    start: date,
    duration: int,
    unit: Unit | str,
    lookup: HolidayLookup,
    counted_back: bool = False,
) -> Computation:
    """When a period of `duration` `unit` that starts on `start` ends.

    Counting starts the day after `start`. A period in working days ends on its
    `duration`-th working day after `start`; a period in calendar days or months that
    ends on a non-working day moves to the next working day.

    A period `counted_back` is a notice: the duty must be done `duration` `unit` before
    `start` (e.g. an agenda published 10 days before the sitting). Counting goes back
    from the day before `start`, and a day that is not a working day moves to the
    working day before it, never after (the notice is never shortened).
    """
    if duration <= 0:
        raise ValueError("A legal period lasts at least one unit.")
    sign = -1 if counted_back else 1
    back = counted_back
    steps = [
        Step("start", day=start, back=back),
        Step("rule", count=duration, unit=str(unit), back=back),
    ]
    skipped: list[Holiday] = []
    weekends = 0
    if unit == Unit.WORKING_DAYS:
        day, counted = start, 0
        while counted < duration:
            day += sign * ONE_DAY
            if is_weekend(day):
                weekends += 1
            elif (holiday := lookup.get(day)) is not None:
                skipped.append(holiday)
            else:
                counted += 1
        due = day
    else:
        if unit == Unit.CALENDAR_DAYS:
            landed = start + timedelta(days=sign * duration)
        elif unit == Unit.CALENDAR_MONTHS:
            landed = add_months(start, sign * duration)
        else:
            raise ValueError(f"Unknown unit {unit!r}.")
        steps.append(Step("landed", day=landed, back=back))
        due, skipped, weekends = _next_working_day(landed, lookup, sign * ONE_DAY)
        if due != landed:
            steps.append(Step("moved", day=landed, back=back))
    if weekends:
        steps.append(Step("weekends", count=weekends))
    steps.extend(Step("holiday", day=h.date, holiday=h) for h in skipped)
    steps.append(Step("result", day=due))
    return Computation(due_date=due, skipped_holidays=skipped, steps=steps)


# The library reports an estimated Islamic date by adding a marker to the name; asking
# for the names with and without the marker tells which dates are estimated.
@lru_cache(maxsize=256)
def library_holidays(year: int) -> dict[date, Holiday]:
    """The public holidays of `year` per the `holidays` package (no overrides)."""

    def names(language: str, show_estimated: bool) -> dict[date, str]:
        found = holidays.country_holidays(
            "MA", years=year, language=language, islamic_show_estimated=show_estimated
        )
        return {day: str(name) for day, name in found.items()}

    ar, fr = names("ar", False), names("fr", False)
    ar_marked = names("ar", True)
    return {
        day: Holiday(
            date=day,
            name_ar=ar[day],
            name_fr=fr.get(day, ar[day]),
            estimated=ar_marked.get(day, ar[day]) != ar[day],
        )
        for day in sorted(ar)
    }
