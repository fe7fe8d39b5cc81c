"""The life of a complaint, observation or suggestion (decree 2.17.265): the table.

    awaiting_confirmation ─confirm→ received ─acknowledge→ acknowledged ─route→ in_process
          │ lapse                     │                       │              │ ask_info ⇄ reply
          ▼                           └──────── answer ───────┴──────────────┴→ answered
        lapsed                                                                   │ rate → rated
                                             answered / rated ─reopen (once, in the window)→ in_process
                                             answered ─close→ closed; rated ─close→ closed
    any open state ─merge→ merged (into another complaint, whose answer reaches every citizen)

Two legal clocks (infitah.cases) run from receipt: `acknowledge` (complaint.acknowledge),
met by the acknowledgement, a routing, a question to the citizen or the answer;
`answer` (complaint.answer), met by the answer, opened again by a reopening; a merge
cancels both. A period that passes unmet is recorded once (`acknowledge_overdue`,
`answer_overdue`) and the complaints unit is told; the state does not change.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.accounts.permissions import Perm
from infitah.cases.workflow import CITIZEN, PROCESS, StateTable, Step, cancels, meets, opens, staff


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    OBSERVATION = "observation", _("Observation")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting e-mail confirmation")
    LAPSED = "lapsed", _("Lapsed: e-mail never confirmed")
    # "Received" alone is the reception date's column header ("Reçue le"): a context.
    RECEIVED = "received", pgettext_lazy("complaint status", "Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROCESS = "in_process", _("Being handled")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ANSWERED = "answered", _("Answered")
    RATED = "rated", _("Answered and rated")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    MERGED = "merged", _("Merged with a similar complaint")


class Action(StrEnum):
    CONFIRM = "confirm"
    LAPSE = "lapse"
    ACKNOWLEDGE = "acknowledge"
    ROUTE = "route"
    ASK_INFO = "ask_info"
    REPLY = "reply"
    ANSWER = "answer"
    RATE = "rate"
    REOPEN = "reopen"
    CLOSE = "close"
    MERGE = "merge"


# The event that creates a complaint (its first in the case history).
SUBMITTED = "submitted"
OPEN = frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS, Status.INFO_REQUESTED})
HANDLED = frozenset({Status.ANSWERED, Status.RATED})
UNIT = staff(Perm.COMPLAINTS_HANDLE)
# Routing or asking the citizen acknowledges receipt too, when not yet done: meeting an
# acknowledge period already closed changes nothing.
ACKNOWLEDGES = (meets("acknowledge"),)

TABLE = StateTable(
    states=Status,
    creations={SUBMITTED: Step(frozenset(), Status.AWAITING_CONFIRMATION, CITIZEN)},
    steps={
        Action.CONFIRM: Step(
            frozenset({Status.AWAITING_CONFIRMATION}),
            Status.RECEIVED,
            CITIZEN,
            (opens("acknowledge"), opens("answer")),
        ),
        Action.LAPSE: Step(frozenset({Status.AWAITING_CONFIRMATION}), Status.LAPSED, PROCESS),
        Action.ACKNOWLEDGE: Step(
            frozenset({Status.RECEIVED}), Status.ACKNOWLEDGED, UNIT, ACKNOWLEDGES
        ),
        Action.ROUTE: Step(
            frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS}),
            Status.IN_PROCESS,
            UNIT,
            ACKNOWLEDGES,
        ),
        # The answer period runs on while the citizen is asked: the decree provides no
        # suspension.
        Action.ASK_INFO: Step(
            frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS}),
            Status.INFO_REQUESTED,
            UNIT,
            ACKNOWLEDGES,
        ),
        Action.REPLY: Step(frozenset({Status.INFO_REQUESTED}), Status.IN_PROCESS, CITIZEN),
        Action.ANSWER: Step(OPEN, Status.ANSWERED, UNIT, (meets("acknowledge"), meets("answer"))),
        Action.RATE: Step(frozenset({Status.ANSWERED}), Status.RATED, CITIZEN),
        # Once, within the collectivity's window after the answer (the service's guard).
        Action.REOPEN: Step(HANDLED, Status.IN_PROCESS, CITIZEN, (opens("answer"),)),
        Action.CLOSE: Step(HANDLED, Status.CLOSED, UNIT),
        Action.MERGE: Step(OPEN, Status.MERGED, UNIT, (cancels("acknowledge"), cancels("answer"))),
    },
    final={Status.LAPSED, Status.CLOSED, Status.MERGED},
)
FINAL = TABLE.final
NOT_PUBLIC = frozenset({Status.AWAITING_CONFIRMATION, Status.LAPSED})

TRANSITIONS = TABLE.steps
is_allowed = TABLE.is_allowed
target = TABLE.target


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Positive: the problem is solved or the suggestion taken up")
    NEGATIVE = "negative", _("Negative: the request cannot be met")
    NOT_COMPETENT = "not_competent", _("Not competent: another body is")


# Not a step of the table: the citizen who lost the link had a new one sent to the
# complaint's e-mail address (the old link is dead). The state does not change; the
# event (`complaints.link_renewed`) holds no personal data and is never public.
LINK_RENEWED = "link_renewed"

# How the case history names each event of a complaint (pages, API).
EVENT_LABELS: dict[str, Promise] = {
    "complaints.submitted": _("Submitted"),
    "complaints.confirm": _("E-mail confirmed: received"),
    "complaints.lapse": _("Lapsed: e-mail never confirmed"),
    "complaints.acknowledge": _("Receipt acknowledged"),
    "complaints.route": _("Routed to a service"),
    "complaints.ask_info": _("More information requested"),
    "complaints.reply": _("Information given by the citizen"),
    "complaints.answer": _("Answered"),
    "complaints.rate": _("Satisfaction rated"),
    "complaints.reopen": _("Reopened by the citizen"),
    "complaints.close": pgettext_lazy("complaint status", "Closed"),
    "complaints.merge": _("Merged with a similar complaint"),
    "complaints.acknowledge_overdue": _("Receipt not acknowledged by the due date"),
    "complaints.answer_overdue": _("Not answered by the due date"),
    f"complaints.{LINK_RENEWED}": _("New follow-up link sent to the citizen"),
}
