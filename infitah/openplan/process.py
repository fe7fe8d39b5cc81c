"""Programmes as a process of the case engine: the update and inception clocks.

- `update`: once adopted, the public page must be updated at least every
  `openplan.update` (a LegalLimit: 4 calendar months by default); each progress report
  meets the running period and opens the next;
- `inception`: an OGP Local plan submitted to OGP gets its inception assessment from
  the independent monitoring body within `openplan.inception` (2 months), counted from
  the day of the submission (`submitted_on`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, Process
from infitah.deadlines.models import Deadline
from infitah.openplan.models import Programme
from infitah.openplan.workflow import TABLE


def _submitted_day(case: Any, action: str, previous: Deadline | None, today: date) -> date:
    """The inception period runs from the day the plan was submitted to OGP, even when
    the submission is recorded later."""
    return case.submitted_on or today


PROCESS = Process(
    name="openplan",
    model=Programme,
    table=TABLE,
    refused=_("This programme is “%(status)s”: this action is not possible now."),
    citizen="public",
    clocks={
        "update": Clock(
            name="update",
            label=_("Update the public page of programme %(reference)s"),
            limit="openplan.update",
        ),
        "inception": Clock(
            name="inception",
            label=_("Inception assessment of programme %(reference)s"),
            limit="openplan.inception",
            start=_submitted_day,
        ),
    },
    closed_at_field="closed_at",
)
