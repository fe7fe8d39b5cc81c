"""/api/v1/calendar/: public holidays, legal time limits and due dates."""

from __future__ import annotations

import re
from datetime import date

from ninja import Router, Schema, Status

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.deadlines import selectors
from infitah.deadlines.services import MAX_YEAR, MIN_YEAR
from infitah.deadlines.workdays import Holiday
from infitah.lib.openapi import ErrorOut

router = Router(tags=["calendar"])

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class HolidayOut(Schema):
    date: date
    name_ar: str
    name_fr: str
    estimated: bool
    corrected: bool


class HolidayListOut(Schema):
    count: int
    items: list[HolidayOut]


class DueDateOut(Schema):
    start: date
    limit: str
    due_date: date
    skipped_holidays: list[HolidayOut]
    legal_basis_ar: str
    legal_basis_fr: str
    explanation: list[str]


class LimitOut(Schema):
    code: str
    duration: int
    unit: str
    legal_basis_ar: str
    legal_basis_fr: str


class LimitListOut(Schema):
    count: int
    items: list[LimitOut]


def _holiday_out(h: Holiday) -> HolidayOut:
    return HolidayOut(
        date=h.date,
        name_ar=h.name_ar,
        name_fr=h.name_fr,
        estimated=h.estimated,
        corrected=h.corrected,
    )


def _parse_year(raw: str | None) -> int | None:
    value = (raw or "").strip()
    if not re.fullmatch(r"\d{4}", value):
        return None
    year = int(value)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _parse_date(raw: str | None) -> date | None:
    value = (raw or "").strip()
    if not ISO_DATE.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _error(message: str) -> Status[ErrorOut]:
    return Status(400, ErrorOut(detail=message))


@router.get("/holidays", response={200: HolidayListOut, 400: ErrorOut})
def holidays(
    request: HttpRequest, year: str | None = None
) -> Status[HolidayListOut] | Status[ErrorOut]:
    """The public holidays of `year` (estimated Islamic dates corrected by official overrides)."""
    parsed = _parse_year(year)
    if parsed is None:
        return _error(_("Give a year between 1990 and 2100, e.g. ?year=2026."))
    items = [_holiday_out(h) for h in selectors.holiday_list(year=parsed)]
    return Status(200, HolidayListOut(count=len(items), items=items))


@router.get("/due-date", response={200: DueDateOut, 400: ErrorOut})
def due_date(
    request: HttpRequest, start: str | None = None, limit: str | None = None
) -> Status[DueDateOut] | Status[ErrorOut]:
    """When the legal period `limit` starting on `start` (YYYY-MM-DD) ends, and why."""
    parsed = _parse_date(start)
    if parsed is None:
        return _error(
            _("Give a real start date between 1990 and 2100 as YYYY-MM-DD, e.g. ?start=2026-03-16.")
        )
    if not limit:
        return _error(_("Give a legal time limit code, e.g. ?limit=ati.answer."))
    try:
        due = selectors.due_date_compute(start=parsed, limit=limit)
    except selectors.UnknownLegalLimit:
        return _error(
            _("Unknown legal time limit “%(code)s”; see /api/v1/calendar/limits.")
            % {"code": limit[:64]}
        )
    out = DueDateOut(
        start=due.start,
        limit=due.limit,
        due_date=due.due_date,
        skipped_holidays=[_holiday_out(h) for h in due.skipped_holidays],
        legal_basis_ar=due.legal_basis_ar,
        legal_basis_fr=due.legal_basis_fr,
        explanation=[step.message for step in due.steps],
    )
    return Status(200, out)


@router.get("/limits", response=LimitListOut)
def limits(request: HttpRequest) -> LimitListOut:
    """Every legal time limit: code, duration, unit and legal basis."""
    items = [
        LimitOut(
            code=item.code,
            duration=item.duration,
            unit=item.unit,
            legal_basis_ar=item.legal_basis_ar,
            legal_basis_fr=item.legal_basis_fr,
        )
        for item in selectors.legal_limit_list()
    ]
    return LimitListOut(count=len(items), items=items)
