"""The life of an access-to-information request (law 31.13): the transition table.

    awaiting_confirmation ─confirm→ in_progress ─answer→ answered
          │ lapse, withdraw            │ ├─answer_partial→ partially_answered ─complain→ internal_complaint
          ▼                            │ ├─refuse→ refused ─complain→ internal_complaint
       lapsed / withdrawn              │ ├─transfer→ transferred
                                       │ ├─clarify→ clarification ─reply→ in_progress
                                       │ ├─extend→ in_progress (once, before expiry)
                                       │ └─complain (only once deemed refused)→ internal_complaint
    internal_complaint ─decide_complaint→ complaint_decided

"Deemed refused" is not a state: a request still in progress or awaiting a
clarification after its due date is deemed refused (`is_deemed_refused`), derived from
the due date and today, so it can never disagree with the calendar.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting e-mail confirmation")
    IN_PROGRESS = "in_progress", _("In progress")
    CLARIFICATION = "clarification", _("Clarification requested")
    ANSWERED = "answered", _("Answered")
    PARTIALLY_ANSWERED = "partially_answered", _("Partly answered")
    REFUSED = "refused", _("Refused")
    TRANSFERRED = "transferred", _("Transferred to the competent collectivity")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")
    LAPSED = "lapsed", _("Lapsed: e-mail never confirmed")
    INTERNAL_COMPLAINT = "internal_complaint", _("Complaint to the head of the collectivity")
    COMPLAINT_DECIDED = "complaint_decided", _("Complaint decided by the head")


class Action(StrEnum):
    CONFIRM = "confirm"
    LAPSE = "lapse"
    WITHDRAW = "withdraw"
    CLARIFY = "clarify"
    REPLY = "reply"
    EXTEND = "extend"
    ANSWER = "answer"
    ANSWER_PARTIAL = "answer_partial"
    REFUSE = "refuse"
    TRANSFER = "transfer"
    COMPLAIN = "complain"
    DECIDE_COMPLAINT = "decide_complaint"


class Side(StrEnum):
    """Who may take an action: the requester, an officer, the head, or the platform."""

    REQUESTER = "requester"
    OFFICER = "officer"
    HEAD = "head"
    PROCESS = "process"


OPEN = frozenset({Status.IN_PROGRESS, Status.CLARIFICATION})

# action → (states it may be taken from, state it leads to, who takes it). An extension
# keeps the state: it only moves the due date (once, before expiry: checked by the service).
TRANSITIONS: dict[Action, tuple[frozenset[str], str | None, Side]] = {
    Action.CONFIRM: (frozenset({Status.AWAITING_CONFIRMATION}), Status.IN_PROGRESS, Side.REQUESTER),
    Action.LAPSE: (frozenset({Status.AWAITING_CONFIRMATION}), Status.LAPSED, Side.PROCESS),
    Action.WITHDRAW: (
        frozenset({Status.AWAITING_CONFIRMATION}) | OPEN,
        Status.WITHDRAWN,
        Side.REQUESTER,
    ),
    Action.CLARIFY: (frozenset({Status.IN_PROGRESS}), Status.CLARIFICATION, Side.OFFICER),
    Action.REPLY: (frozenset({Status.CLARIFICATION}), Status.IN_PROGRESS, Side.REQUESTER),
    Action.EXTEND: (OPEN, None, Side.OFFICER),
    Action.ANSWER: (OPEN, Status.ANSWERED, Side.OFFICER),
    Action.ANSWER_PARTIAL: (OPEN, Status.PARTIALLY_ANSWERED, Side.OFFICER),
    Action.REFUSE: (OPEN, Status.REFUSED, Side.OFFICER),
    Action.TRANSFER: (OPEN, Status.TRANSFERRED, Side.OFFICER),
    # From an open state only once deemed refused (checked by the service).
    Action.COMPLAIN: (
        frozenset({Status.REFUSED, Status.PARTIALLY_ANSWERED}) | OPEN,
        Status.INTERNAL_COMPLAINT,
        Side.REQUESTER,
    ),
    Action.DECIDE_COMPLAINT: (
        frozenset({Status.INTERNAL_COMPLAINT}),
        Status.COMPLAINT_DECIDED,
        Side.HEAD,
    ),
}

FINAL = frozenset(
    {Status.ANSWERED, Status.TRANSFERRED, Status.WITHDRAWN, Status.LAPSED, Status.COMPLAINT_DECIDED}
)
# States in which the request is not (or no longer) on the public register.
NOT_PUBLIC = frozenset({Status.AWAITING_CONFIRMATION, Status.LAPSED})


def is_allowed(status: str, action: Action | str) -> bool:
    """Whether the table lets `action` be taken from `status` (guards aside)."""
    try:
        sources = TRANSITIONS[Action(action)][0]
    except (KeyError, ValueError):
        return False
    return status in sources


def target(status: str, action: Action) -> str:
    """The state `action` leads to from `status` (an extension keeps the state)."""
    to = TRANSITIONS[action][1]
    return status if to is None else to


class RefusalReason(models.TextChoices):
    """Grounds for refusal: the art. 7 exceptions, then the other grounds of the CDAI."""

    NATIONAL_DEFENCE = "art7_national_defence", _("National defence (art. 7)")
    STATE_SECURITY = (
        "art7_state_security",
        _("Internal and external security of the State (art. 7)"),
    )
    PRIVATE_LIFE = "art7_private_life", _("Private life and personal data (art. 7)")
    FUNDAMENTAL_RIGHTS = "art7_fundamental_rights", _("Fundamental rights and freedoms (art. 7)")
    COUNCIL_DELIBERATIONS = (
        "art7_council_deliberations",
        _("Deliberations of the Council of Ministers or the Government Council (art. 7)"),
    )
    FOREIGN_RELATIONS = (
        "art7_foreign_relations",
        _("Relations with another State or an international organisation (art. 7)"),
    )
    ECONOMIC_POLICY = (
        "art7_economic_policy",
        _("Monetary, economic and financial policy of the State (art. 7)"),
    )
    POLICY_IN_PREPARATION = (
        "art7_policy_in_preparation",
        _("Public policy under preparation not requiring consultation (art. 7)"),
    )
    JUDICIAL_PROCEEDINGS = "art7_judicial", _("Judicial proceedings (art. 7)")
    ADMINISTRATIVE_INQUIRIES = (
        "art7_inquiries",
        _("Administrative inquiries and investigations (art. 7)"),
    )
    INTELLECTUAL_PROPERTY = (
        "art7_intellectual_property",
        _("Industrial property and copyright (art. 7)"),
    )
    COMPETITION = "art7_competition", _("Fair competition (art. 7)")
    SOURCES = "art7_sources", _("Sources of information (art. 7)")
    WHISTLEBLOWERS = (
        "art7_whistleblowers",
        _("Rights of victims, witnesses, experts and whistle-blowers (art. 7)"),
    )
    CLASSIFIED = "art7_classified", _("Information classified secret by law (art. 7)")
    NOT_HELD = "not_held", _("The information is not held")
    ALREADY_PUBLISHED = "already_published", _("The information is already published")
    REPEATED = "repeated", _("Repeated request in the same year")
    UNCLEAR = "unclear", _("The request is unclear")
    UNDER_PREPARATION = "under_preparation", _("The information is being prepared")
    ARCHIVES = "archives", _("The information is held by the Archives du Maroc")


class Outcome(models.TextChoices):
    """How the collectivity disposed of the request (kept when a complaint follows)."""

    ANSWERED = "answered", _("Information given")
    PARTLY_ANSWERED = "partly_answered", _("Information partly given")
    REFUSED = "refused", _("Refused")
    TRANSFERRED = "transferred", _("Transferred")


class ComplaintDecision(models.TextChoices):
    UPHELD = "upheld", _("Complaint upheld: the information is to be given")
    PARTLY_UPHELD = "partly_upheld", _("Complaint partly upheld")
    REJECTED = "rejected", _("Complaint rejected: the answer stands")


class ClarificationClock(models.TextChoices):
    """What the answer clock does while the officer waits for a clarification."""

    RUN = "run", _("Keeps running (the law provides no suspension)")
    RESTART = "restart", _("Starts again from the requester's reply")


# How the case history names each event of a request (pages, PDFs).
EVENT_LABELS: dict[str, Promise] = {
    "information.filed": _("Request filed"),
    "information.confirm": _("E-mail address confirmed: request received"),
    "information.lapse": _("Lapsed: e-mail address never confirmed"),
    "information.withdraw": _("Withdrawn by the requester"),
    "information.clarify": _("Clarification requested"),
    "information.reply": _("Clarification given"),
    "information.extend": _("Time limit extended"),
    "information.answer": _("Answer given"),
    "information.answer_partial": _("Partial answer given"),
    "information.refuse": _("Request refused"),
    "information.transfer": _("Request transferred"),
    "information.complain": _("Complaint to the head of the collectivity"),
    "information.decide_complaint": _("Complaint decided by the head"),
    "information.deemed_refused": _("No answer by the due date: deemed refused"),
}
