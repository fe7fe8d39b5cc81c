"""Reads of the correspondence register; every one takes the collectivity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from infitah.accounts.models import User
from infitah.correspondence.models import Entry, EntryEvent, ServiceUnit
from infitah.ledger.selectors import event_list
from infitah.lib.text import fold_tokens
from infitah.territories.models import Collectivity

# Words of the text filter that count (a longer query is cut: each word is a LIKE).
MAX_WORDS = 8
_NUMBER = re.compile(r"\s*(\d{4})\s*/\s*(\d{1,9})\s*")


def parse_number(text: str) -> tuple[int, int] | None:
    """(year, number) from "2026/000123" or "2026/123"; None for anything else."""
    found = _NUMBER.fullmatch(text or "")
    if found is None:
        return None
    year, number = int(found.group(1)), int(found.group(2))
    return (year, number) if number >= 1 else None


# ------------------------------------------------------------------------ service units


def service_unit_list(
    *, collectivity: Collectivity, active_only: bool = False
) -> list[ServiceUnit]:
    qs = ServiceUnit.objects.for_collectivity(collectivity.pk)
    if active_only:
        qs = qs.active()
    return list(qs.order_by("-is_active", "name_ar", "name_fr", "pk"))


def service_unit_get(*, collectivity: Collectivity, pk: int) -> ServiceUnit | None:
    """A unit of `collectivity`; None for another collectivity's."""
    return ServiceUnit.objects.for_collectivity(collectivity.pk).filter(pk=pk).first()


# ------------------------------------------------------------------------------ entries


def entry_list(
    *,
    collectivity: Collectivity,
    direction: str = "",
    year: int | None = None,
    service_id: int | None = None,
    text: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Entry]:
    """The register, newest first, filtered: a queryset for the paginator.

    One query a page (the service is joined); "newest first" walks the unique index
    (collectivity, year, number) backwards. `text` matches the subject or the
    correspondent (every word, spelling-insensitive: `infitah.lib.text.fold`), or is an
    entry number ("2026/000123", or "123" in any year); `start`
    and `end` bound the local date of registration, both included.
    """
    qs = Entry.objects.filter(collectivity=collectivity).select_related("service")
    if start is not None:
        qs = qs.filter(registered_at__gte=_day_start(start))
    if end is not None:
        qs = qs.filter(registered_at__lt=_day_start(end + timedelta(days=1)))
    if direction:
        qs = qs.filter(direction=direction)
    if year is not None:
        qs = qs.filter(year=year)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    text = text.strip().replace("\x00", "")
    tokens = fold_tokens(text)[:MAX_WORDS]
    if text:
        words = Q(pk__in=[])
        if tokens:
            words = Q()
            for token in tokens:
                words &= Q(search_key__contains=token)
        parsed = parse_number(text)
        if parsed is not None:
            words |= Q(year=parsed[0], number=parsed[1])
        elif text.isdigit() and len(text) <= 9:
            words |= Q(number=int(text))
        qs = qs.filter(words)
    return qs.order_by("-year", "-number")


def entry_years(*, collectivity: Collectivity) -> list[int]:
    """The years of the register, newest first (the list's year filter)."""
    return list(
        Entry.objects.filter(collectivity=collectivity)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def entry_get(*, collectivity: Collectivity, year: int, number: int) -> Entry | None:
    """The entry `year/number` of `collectivity`; None for another collectivity's."""
    return (
        Entry.objects.filter(collectivity=collectivity, year=year, number=number)
        .select_related("collectivity", "service", "in_reply_to", "registered_by")
        .first()
    )


def entry_get_by_number(*, collectivity: Collectivity, text: str) -> Entry | None:
    """The entry whose number is written `text` ("2026/000123"), in `collectivity`."""
    parsed = parse_number(text)
    if parsed is None:
        return None
    return entry_get(collectivity=collectivity, year=parsed[0], number=parsed[1])


def entry_replies(*, entry: Entry) -> list[Entry]:
    """The entries registered in reply to `entry`, oldest first."""
    return list(
        Entry.objects.filter(collectivity_id=entry.collectivity_id, in_reply_to=entry).order_by(
            "year", "number"
        )
    )


def entries_for_case(*, collectivity: Collectivity, case_type: str, case_id: str) -> list[Entry]:
    """The letters that belong to one case, oldest first (for the case app's pages)."""
    return list(
        Entry.objects.filter(
            collectivity=collectivity, case_type=case_type, case_id=case_id
        ).order_by("year", "number")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entry_range(*, collectivity: Collectivity, start: date, end: date) -> QuerySet[Entry]:
    """Entries registered from `start` to `end` inclusive (local dates), in register order."""
    return (
        Entry.objects.filter(
            collectivity=collectivity,
            registered_at__gte=_day_start(start),
            registered_at__lt=_day_start(end + timedelta(days=1)),
        )
        .select_related("service")
        .order_by("registered_at", "year", "number")
    )


EXPORT_COLUMNS = (
    "number",
    "direction",
    "registered_at",
    "letter_date",
    "channel",
    "correspondent",
    "subject",
    "service",
    "case_reference",
)


def entry_export_rows(
    *, collectivity: Collectivity, start: date, end: date
) -> Iterator[tuple[Any, ...]]:
    """The rows of the CSV export (EXPORT_COLUMNS), streamed from the database in chunks.

    Plain tuples, not model instances: an export of a year is tens of thousands of rows.
    """
    rows = (
        entry_range(collectivity=collectivity, start=start, end=end)
        .values_list(
            "year",
            "number",
            "direction",
            "registered_at",
            "letter_date",
            "channel",
            "correspondent",
            "subject",
            "service__name_ar",
            "service__name_fr",
            "case_reference",
        )
        .iterator(chunk_size=2000)
    )
    yield from rows


# ------------------------------------------------------------------------------ history


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: User | None
    process: str
    action: str
    label: str
    detail: str


def _detail(action: str, data: dict[str, Any]) -> str:
    if action == EntryEvent.REGISTERED:
        return str(data.get("number") or "")
    if action == EntryEvent.ROUTED:
        return str(data.get("to_name") or "—")
    if action in {EntryEvent.CASE_LINKED, EntryEvent.CASE_OPENED, EntryEvent.CASE_UNLINKED}:
        key = "from" if action == EntryEvent.CASE_UNLINKED else "to"
        case = data.get(key) or {}
        return str(case.get("reference") or case.get("id") or "") if isinstance(case, dict) else ""
    return ""


def entry_history(*, entry: Entry) -> list[HistoryRow]:
    """The entry's case history from the ledger, oldest first (one query)."""
    labels = dict(EntryEvent.choices)
    return [
        HistoryRow(
            at=event.at,
            actor=event.actor,
            process=event.process,
            action=event.action,
            label=str(labels.get(event.action, event.action)),
            detail=_detail(event.action, event.data or {}),
        )
        for event in event_list(obj=entry)
    ]
