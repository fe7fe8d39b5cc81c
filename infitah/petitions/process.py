"""Petitions to territorial councils as a process of the case engine: the decision clock.

The state table is in `workflow.py`; this module adds what the engine needs to run it:
the legal limit of the decision clock (`petition.decision.<level>`, by the level of the
petition's council), the day it runs from (the lodging day: for a petition lodged on
paper, the day the council received it, which may be in the past), and what happens when
the period passes unmet: the event `petitions.decision_overdue`, recorded once, and an
e-mail to the bureau and to the agent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, Process
from infitah.deadlines.models import Deadline
from infitah.petitions import notify
from infitah.petitions.models import Petition, PetitionSettings
from infitah.petitions.workflow import TABLE

DECISION_LIMIT = "petition.decision.{level}"


def decision_limit(petition: Petition, action: str) -> str:
    """The legal limit of the council's decision: 2 months for regions and
    prefectures/provinces, 3 for communes (LegalLimit rows, data)."""
    return DECISION_LIMIT.format(level=petition.level)


def _lodging_day(petition: Any, action: str, previous: Deadline | None, today: date) -> date:
    # The lodging step and the paper registration set `lodged_on` before the clock opens.
    return petition.lodged_on or today


def _tell_overdue(petition: Petition, deadline: Deadline) -> None:
    notify.bureau(petition, "decision_overdue")
    notify.agent(petition, "decision_overdue")


PROCESS = Process(
    name="petitions",
    model=Petition,
    table=TABLE,
    refused=_("This petition is “%(status)s”: this action is not possible now."),
    citizen="agent",
    clocks={
        "decision": Clock(
            name="decision",
            label=_("Decide on petition %(reference)s"),
            limit=decision_limit,
            start=_lodging_day,
            expiry_event="decision_overdue",
            after_expiry=_tell_overdue,
        ),
    },
    settings_model=PetitionSettings,
    closed_at_field="closed_at",
)
