"""Complaints, observations and suggestions (decree 2.17.265) as a process of the case
engine: its two clocks.

The state table is in `workflow.py`; this module adds what the engine needs to run it:
which legal limit each clock counts, and what happens when a period passes unmet. The
decree attaches no consequence to a late acknowledgement or answer, so the state does
not change: the expiry is recorded once in the case history
(`complaints.acknowledge_overdue`, `complaints.answer_overdue`) and the complaints unit
is told once.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import Clock, ExpiryNotice, Process
from infitah.complaints import notify
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.workflow import TABLE
from infitah.deadlines.models import Deadline

ACK_LIMIT = "complaint.acknowledge"
ANSWER_LIMIT = "complaint.answer"


def _tell_unit(stage: str) -> ExpiryNotice:
    """The complaints unit's e-mail of `stage`, sent once a period has passed unmet."""

    def tell(complaint: Complaint, deadline: Deadline) -> None:
        notify.unit(complaint, stage)

    return tell


PROCESS = Process(
    name="complaints",
    model=Complaint,
    table=TABLE,
    refused=_("This complaint is “%(status)s”: this action is not possible now."),
    citizen="citizen",
    clocks={
        "acknowledge": Clock(
            name="acknowledge",
            label=_("Acknowledge complaint %(reference)s"),
            limit=ACK_LIMIT,
            expiry_event="acknowledge_overdue",
            after_expiry=_tell_unit("acknowledge_overdue"),
        ),
        "answer": Clock(
            name="answer",
            label=_("Answer complaint %(reference)s"),
            limit=ANSWER_LIMIT,
            expiry_event="answer_overdue",
            after_expiry=_tell_unit("answer_overdue"),
        ),
    },
    settings_model=ComplaintSettings,
)
