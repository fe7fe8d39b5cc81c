"""The life of a complaint, observation or suggestion (decree 2.17.265): the table.

    awaiting_confirmation ─confirm→ received ─acknowledge→ acknowledged ─route→ in_process
          │ lapse                     │                       │              │ ask_info ⇄ reply
          ▼                           └──────── answer ───────┴──────────────┴→ answered
        lapsed                                                                   │ rate → rated
                                             answered / rated ─reopen (once, in the window)→ in_process
                                             answered ─close→ closed; rated ─close→ closed
    any open state ─merge→ merged (into another complaint, whose answer reaches every citizen)

Two clocks run from receipt: `complaint.acknowledge` (closed by the acknowledgement) and
`complaint.answer` (closed by the answer; a reopening starts a new one).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    OBSERVATION = "observation", _("Observation")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting e-mail confirmation")
    LAPSED = "lapsed", _("Lapsed: e-mail never confirmed")
    RECEIVED = "received", _("Received")
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


class Side(StrEnum):
    CITIZEN = "citizen"
    UNIT = "unit"
    PROCESS = "process"


OPEN = frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS, Status.INFO_REQUESTED})
HANDLED = frozenset({Status.ANSWERED, Status.RATED})

# action → (states it may be taken from, state it leads to (None: unchanged), who)
TRANSITIONS: dict[Action, tuple[frozenset[str], str | None, Side]] = {
    Action.CONFIRM: (frozenset({Status.AWAITING_CONFIRMATION}), Status.RECEIVED, Side.CITIZEN),
    Action.LAPSE: (frozenset({Status.AWAITING_CONFIRMATION}), Status.LAPSED, Side.PROCESS),
    Action.ACKNOWLEDGE: (frozenset({Status.RECEIVED}), Status.ACKNOWLEDGED, Side.UNIT),
    # Routing to a service acknowledges too, when not yet done.
    Action.ROUTE: (
        frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS}),
        Status.IN_PROCESS,
        Side.UNIT,
    ),
    Action.ASK_INFO: (
        frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROCESS}),
        Status.INFO_REQUESTED,
        Side.UNIT,
    ),
    Action.REPLY: (frozenset({Status.INFO_REQUESTED}), Status.IN_PROCESS, Side.CITIZEN),
    Action.ANSWER: (OPEN, Status.ANSWERED, Side.UNIT),
    Action.RATE: (frozenset({Status.ANSWERED}), Status.RATED, Side.CITIZEN),
    # Once, within the collectivity's window after the answer (checked by the service).
    Action.REOPEN: (HANDLED, Status.IN_PROCESS, Side.CITIZEN),
    Action.CLOSE: (HANDLED, Status.CLOSED, Side.UNIT),
    Action.MERGE: (OPEN, Status.MERGED, Side.UNIT),
}

FINAL = frozenset({Status.LAPSED, Status.CLOSED, Status.MERGED})
NOT_PUBLIC = frozenset({Status.AWAITING_CONFIRMATION, Status.LAPSED})


def is_allowed(status: str, action: Action | str) -> bool:
    try:
        sources = TRANSITIONS[Action(action)][0]
    except (KeyError, ValueError):
        return False
    return status in sources


def target(status: str, action: Action) -> str:
    to = TRANSITIONS[action][1]
    return status if to is None else to


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Positive: the problem is solved or the suggestion taken up")
    NEGATIVE = "negative", _("Negative: the request cannot be met")
    NOT_COMPETENT = "not_competent", _("Not competent: another body is")


EVENT_LABELS = {
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
}
