"""Reads of the legal calendar: holidays, legal limits, due dates and the duty inbox."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language

from infitah.deadlines.duty_kinds import duty_kind_get, duty_kinds_hidden_from
from infitah.deadlines.models import CalendarOverride, Deadline, LegalLimit, OverrideKind
from infitah.deadlines.workdays import Holiday, Step, compute_due_date, library_holidays
from infitah.territories.models import Collectivity

# (kind, date, new_date, name_ar, name_fr) of every override, in order of creation.
OverrideRow = tuple[str, date, date | None, str, str]


class UnknownLegalLimit(LookupError):
    """No LegalLimit has this code."""


def _apply_overrides(
    base: dict[date, Holiday], overrides: tuple[OverrideRow, ...], year: int
) -> dict[date, Holiday]:
    result = dict(base)
    for kind, day, new_day, name_ar, name_fr in overrides:
        if kind == OverrideKind.ADD and day.year == year:
            known = result.get(day)
            result[day] = Holiday(
                date=day,
                name_ar=name_ar or (known.name_ar if known else ""),
                name_fr=name_fr or (known.name_fr if known else ""),
                corrected=True,
            )
        elif kind == OverrideKind.REMOVE and day.year == year:
            result.pop(day, None)
        elif kind == OverrideKind.MOVE and new_day is not None:
            known = result.pop(day, None) if day.year == year else None
            if new_day.year == year:
                result[new_day] = Holiday(
                    date=new_day,
                    name_ar=name_ar or (known.name_ar if known else ""),
                    name_fr=name_fr or (known.name_fr if known else ""),
                    corrected=True,
                )
    return dict(sorted(result.items()))


class HolidayCalendar:
    """The public holidays of any year, library estimates corrected by the overrides.

    One instance stands for one exact list of overrides and is immutable; years are built
    on first use and kept.
    """

    def __init__(self, overrides: tuple[OverrideRow, ...]) -> None:
        self.overrides = overrides
        self._years: dict[int, dict[date, Holiday]] = {}

    def year(self, year: int) -> dict[date, Holiday]:
        if year not in self._years:
            self._years[year] = _apply_overrides(library_holidays(year), self.overrides, year)
        return self._years[year]

    def get(self, day: date, /) -> Holiday | None:
        return self.year(day.year).get(day)


# Per-process cache keyed by the full content of the override table (a handful of rows a
# year). Keying by content rather than by a max id or a counter stays correct across
# processes and after rolled-back inserts, whose ids SQLite reuses.
_CALENDARS: OrderedDict[tuple[OverrideRow, ...], HolidayCalendar] = OrderedDict()
_CALENDARS_LOCK = threading.Lock()
_CALENDARS_MAX = 8


def calendar_get() -> HolidayCalendar:
    """The current holiday calendar (one small query; the years are cached per process)."""
    rows = tuple(
        CalendarOverride.objects.order_by("created_at", "pk").values_list(
            "kind", "date", "new_date", "name_ar", "name_fr"
        )
    )
    with _CALENDARS_LOCK:
        found = _CALENDARS.get(rows)
        if found is None:
            found = _CALENDARS[rows] = HolidayCalendar(rows)
            while len(_CALENDARS) > _CALENDARS_MAX:
                _CALENDARS.popitem(last=False)
        else:
            _CALENDARS.move_to_end(rows)
        return found


def holiday_list(*, year: int, calendar: HolidayCalendar | None = None) -> list[Holiday]:
    """The public holidays of `year`, by date."""
    return list((calendar or calendar_get()).year(year).values())


def legal_limit_list() -> list[LegalLimit]:
    return list(LegalLimit.objects.order_by("code"))


def legal_limit_get(*, code: str) -> LegalLimit:
    """The legal limit `code`; UnknownLegalLimit if there is none."""
    found = LegalLimit.objects.filter(code=code).first()
    if found is None:
        raise UnknownLegalLimit(code)
    return found


@dataclass(frozen=True)
class DueDate:
    """A computed due date and how it was reached."""

    start: date
    limit: str
    duration: int
    unit: str
    due_date: date
    skipped_holidays: list[Holiday]
    legal_basis_ar: str
    legal_basis_fr: str
    steps: list[Step]
    # The limit's human name in the current language (`limit` is its code).
    limit_name: str = ""

    @property
    def legal_basis(self) -> str:
        if (get_language() or "ar").startswith("fr"):
            return self.legal_basis_fr
        return self.legal_basis_ar


def due_date_compute(
    *, start: date, limit: LegalLimit | str, calendar: HolidayCalendar | None = None
) -> DueDate:
    """The due date of the period `limit` starting on `start`.

    `limit` is a LegalLimit or its code (UnknownLegalLimit if unknown). Pass `calendar`
    (from `calendar_get()`) when computing many due dates at once.
    """
    if isinstance(limit, str):
        limit = legal_limit_get(code=limit)
    computed = compute_due_date(
        start=start,
        duration=limit.duration,
        unit=limit.unit,
        lookup=calendar or calendar_get(),
        counted_back=limit.counted_back,
    )
    return DueDate(
        start=start,
        limit=limit.code,
        duration=limit.duration,
        unit=limit.unit,
        due_date=computed.due_date,
        skipped_holidays=computed.skipped_holidays,
        legal_basis_ar=limit.legal_basis_ar,
        legal_basis_fr=limit.legal_basis_fr,
        steps=computed.steps,
        limit_name=limit.name,
    )


def override_list() -> list[CalendarOverride]:
    """Every calendar override, newest first, with its author."""
    return list(
        CalendarOverride.objects.select_related("created_by").order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Duty:
    """One open deadline as the staff inbox shows it."""

    deadline: Deadline
    is_overdue: bool
    days_left: int
    url: str | None
    kind_label: str | Promise
    # The duty in the current language (the stored label when its kind cannot tell).
    title: str = ""


def open_duty_list(
    *,
    collectivity: Collectivity,
    perms: Collection[str] | None = None,
    today: date | None = None,
) -> list[Duty]:
    """The open deadlines of `collectivity`, soonest due first.

    With `perms` (the viewer's permissions there), only the deadlines whose page the
    viewer may open. One query, plus one per kind of case shown for the titles.
    """
    today = today or timezone.localdate()
    queryset = Deadline.objects.open().for_collectivity(collectivity)
    if perms is not None:
        queryset = queryset.exclude(subject_type__in=duty_kinds_hidden_from(perms))
    deadlines = list(queryset.select_related("limit").order_by("due_date", "pk"))
    by_type: defaultdict[str, list[Deadline]] = defaultdict(list)
    for deadline in deadlines:
        # Same object as the caller's: the registered url functions need no query for it.
        deadline.collectivity = collectivity
        by_type[deadline.subject_type].append(deadline)
    titles: dict[int, str] = {}
    for subject_type, group in by_type.items():
        kind = duty_kind_get(subject_type)
        if kind is not None and kind.titles is not None:
            titles.update(kind.titles(group))
    duties = []
    for deadline in deadlines:
        kind = duty_kind_get(deadline.subject_type)
        duties.append(
            Duty(
                deadline=deadline,
                is_overdue=deadline.due_date < today,
                days_left=(deadline.due_date - today).days,
                url=kind.url(deadline) if kind else None,
                kind_label=kind.label if kind else "",
                title=titles.get(deadline.pk, deadline.label),
            )
        )
    return duties


def deadline_list_for_subject(*, subject_type: str, subject_id: str) -> list[Deadline]:
    """Every deadline (open or closed) about one case, oldest first."""
    return list(
        Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("limit")
        .order_by("start_date", "pk")
    )
