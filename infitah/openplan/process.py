"""Programmes as a process of the case engine: the update and inception clocks.

- `update`: once adopted, the public page must be updated at least every
  `openplan.update` (a LegalLimit: 4 calendar months by default); each progress report
  meets the running period and opens the next;
- `inception`: an OGP Local plan submitted to OGP gets its inception assessment from
  the independent monitoring body within `openplan.inception` (2 months).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, Process
from infitah.openplan.models import Programme
from infitah.openplan.workflow import TABLE

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
        ),
    },
    closed_at_field="closed_at",
)
