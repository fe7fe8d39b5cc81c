"""Council sessions as a process of the case engine: the agenda and summary clocks.

- `agenda`: the agenda must be published before the sitting. Its legal limit
  (`council.agenda_notice.<level>`) is counted back from the sitting day (LegalLimit
  `counted_back`), so the due date is that many days before it; publishing meets it.
- `summary`: the summary of the decisions must be published within the legal delay
  after the sitting (`council.summary.<level>`, 8 days by default, UNCONFIRMED).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, Process
from infitah.council.models import CouncilSettings, Session
from infitah.council.workflow import TABLE
from infitah.deadlines.models import Deadline
from infitah.territories.models import Kind


def level(collectivity: Any) -> str:
    """The level whose law applies: commune, province (prefectures too) or region."""
    if collectivity.kind == Kind.REGION:
        return "region"
    if collectivity.kind in (Kind.PREFECTURE, Kind.PROVINCE):
        return "province"
    return "commune"


def _agenda_limit(session: Session, action: str) -> str:
    return f"council.agenda_notice.{level(session.collectivity)}"


def _summary_limit(session: Session, action: str) -> str:
    return f"council.summary.{level(session.collectivity)}"


def _sitting_day(session: Any, action: str, previous: Deadline | None, today: date) -> date:
    return timezone.localdate(session.starts_at)


def _held_day(session: Any, action: str, previous: Deadline | None, today: date) -> date:
    return session.held_on or today


PROCESS = Process(
    name="council",
    model=Session,
    table=TABLE,
    refused=_("This session is “%(status)s”: this action is not possible now."),
    citizen="council",
    clocks={
        "agenda": Clock(
            name="agenda",
            label=_("Publish the agenda of session %(reference)s"),
            limit=_agenda_limit,
            start=_sitting_day,
        ),
        "summary": Clock(
            name="summary",
            label=_("Publish the decisions of session %(reference)s"),
            limit=_summary_limit,
            start=_held_day,
        ),
    },
    settings_model=CouncilSettings,
    closed_at_field="closed_at",
)
