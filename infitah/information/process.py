"""Access to information (law 31.13) as a process of the case engine: its two clocks.

The state table is in `workflow.py`; this module adds what the engine needs to run it:
which legal limit each clock counts and from when, what happens when the answer period
passes unmet (the request is deemed refused: recorded once, the requester told of the
right to complain), and the officers' reminders before a due date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, Process
from infitah.deadlines.models import Deadline
from infitah.information import notify
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.workflow import TABLE, Action


def answer_limit(request: InformationRequest, action: str) -> str:
    """The period of the answer clock: the first one, or the single extension."""
    if action == Action.EXTEND:
        return "ati.urgent_extension" if request.is_urgent else "ati.extension"
    return "ati.urgent" if request.is_urgent else "ati.answer"


def _answer_start(request: Any, action: str, previous: Deadline | None, today: date) -> date:
    # An extension runs on from the former due date; any other period from today.
    if action == Action.EXTEND and previous is not None:
        return previous.due_date
    return today


def _deemed_refused(request: InformationRequest, deadline: Deadline) -> dict[str, Any] | None:
    # Once per request: a later period (after a clarification under "restart") that also
    # runs out changes nothing more.
    if request.deemed_refused_on is not None:
        return None
    return {"deemed_refused_on": deadline.due_date + timedelta(days=1)}


def _tell_requester(request: InformationRequest, deadline: Deadline) -> None:
    notify.requester(request, "deemed_refused")


def _remind(request: InformationRequest, deadline: Deadline, days: int, left: int) -> int:
    return notify.reminder(request, deadline=deadline, days=days, left=left)


PROCESS = Process(
    name="information",
    model=InformationRequest,
    table=TABLE,
    refused=_("This request is “%(status)s”: this action is not possible now."),
    citizen="requester",
    clocks={
        "answer": Clock(
            name="answer",
            label=_("Answer request %(reference)s"),
            limit=answer_limit,
            start=_answer_start,
            expiry_event="deemed_refused",
            on_expiry=_deemed_refused,
            after_expiry=_tell_requester,
            on_reminder=_remind,
        ),
        "head": Clock(
            name="head",
            label=_("Head's answer to the complaint on %(reference)s"),
            limit="ati.head_answer",
            on_reminder=_remind,
        ),
    },
    settings_model=InformationSettings,
    reminder_days=lambda: settings.INFITAH_ATI_REMINDER_WORKING_DAYS,
)
