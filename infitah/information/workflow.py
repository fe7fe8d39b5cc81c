"""The life of an access-to-information request (law 31.13): the transition table.

    awaiting_confirmation ─confirm→ in_progress ─answer→ answered
          │ lapse, withdraw            │ ├─answer_partial→ partially_answered ─complain→ internal_complaint
          ▼                            │ ├─refuse→ refused ─complain→ internal_complaint
       lapsed / withdrawn              │ ├─transfer→ transferred
                                       │ ├─clarify→ clarification ─reply→ in_progress
                                       │ ├─extend→ in_progress (once, before expiry)
                                       │ └─complain (only once deemed refused)→ internal_complaint
    internal_complaint ─decide_complaint→ complaint_decided

Two legal clocks (infitah.cases): `answer` opens on confirmation (ati.answer, or
ati.urgent), is replaced once by an extension (ati.extension from the former due date),
is suspended by a clarification under the collectivity's "restart" rule (a new period
opens on the reply), met by an answer, a refusal or a transfer, cancelled by a withdrawal
or a complaint; `head` opens on the complaint (ati.head_answer), met by the decision.

"Deemed refused" is not a state: a request still in progress or awaiting a
clarification after its due date is deemed refused (`is_deemed_refused`), derived from
the due date and today, so it can never disagree with the calendar.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infitah.accounts.permissions import Perm
from infitah.cases.workflow import (
    CITIZEN,
    PROCESS,
    StateTable,
    Step,
    cancels,
    meets,
    opens,
    staff,
    suspends,
)


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


class ClarificationClock(models.TextChoices):
    """What the answer clock does while the officer waits for a clarification."""

    RUN = "run", _("Keeps running (the law provides no suspension)")
    RESTART = "restart", _("Starts again from the requester's reply")


def clock_restarts(request: object, settings: object) -> bool:
    """The collectivity restarts the answer period from the requester's clarification."""
    return getattr(settings, "clarification_clock", "") == ClarificationClock.RESTART


# The event that creates a request (its first in the case history).
FILED = "filed"
OPEN = frozenset({Status.IN_PROGRESS, Status.CLARIFICATION})
OFFICER = staff(Perm.INFORMATION_HANDLE)
# Decides internal complaints: the head of the collectivity.
HEAD = staff(Perm.INFORMATION_HEAD)
ANSWERED = (meets("answer"),)

# Two clocks: "answer" (ati.answer, ati.urgent, then once ati.extension) and "head" (the
# head's answer to an internal complaint, ati.head_answer). An extension keeps the state:
# it only replaces the answer period (once, before expiry: checked by the service).
TABLE = StateTable(
    states=Status,
    creations={FILED: Step(frozenset(), Status.AWAITING_CONFIRMATION, CITIZEN)},
    steps={
        Action.CONFIRM: Step(
            frozenset({Status.AWAITING_CONFIRMATION}),
            Status.IN_PROGRESS,
            CITIZEN,
            (opens("answer"),),
        ),
        Action.LAPSE: Step(frozenset({Status.AWAITING_CONFIRMATION}), Status.LAPSED, PROCESS),
        Action.WITHDRAW: Step(
            frozenset({Status.AWAITING_CONFIRMATION}) | OPEN,
            Status.WITHDRAWN,
            CITIZEN,
            (cancels("answer"),),
        ),
        # With the "restart" rule no period runs while the requester clarifies: no due
        # date, so the request cannot become deemed refused meanwhile.
        Action.CLARIFY: Step(
            frozenset({Status.IN_PROGRESS}),
            Status.CLARIFICATION,
            OFFICER,
            (suspends("answer", when=clock_restarts),),
        ),
        Action.REPLY: Step(
            frozenset({Status.CLARIFICATION}),
            Status.IN_PROGRESS,
            CITIZEN,
            (opens("answer", when=clock_restarts),),
        ),
        Action.EXTEND: Step(OPEN, None, OFFICER, (cancels("answer"), opens("answer"))),
        Action.ANSWER: Step(OPEN, Status.ANSWERED, OFFICER, ANSWERED),
        Action.ANSWER_PARTIAL: Step(OPEN, Status.PARTIALLY_ANSWERED, OFFICER, ANSWERED),
        Action.REFUSE: Step(OPEN, Status.REFUSED, OFFICER, ANSWERED),
        Action.TRANSFER: Step(OPEN, Status.TRANSFERRED, OFFICER, ANSWERED),
        # From an open state only once deemed refused (checked by the service): the
        # expired answer period closes unmet and the head's period opens.
        Action.COMPLAIN: Step(
            frozenset({Status.REFUSED, Status.PARTIALLY_ANSWERED}) | OPEN,
            Status.INTERNAL_COMPLAINT,
            CITIZEN,
            (cancels("answer"), opens("head")),
        ),
        Action.DECIDE_COMPLAINT: Step(
            frozenset({Status.INTERNAL_COMPLAINT}),
            Status.COMPLAINT_DECIDED,
            HEAD,
            (meets("head"),),
        ),
    },
    final={
        Status.ANSWERED,
        Status.TRANSFERRED,
        Status.WITHDRAWN,
        Status.LAPSED,
        Status.COMPLAINT_DECIDED,
    },
)
FINAL = TABLE.final
# States in which the request is not (or no longer) on the public register.
NOT_PUBLIC = frozenset({Status.AWAITING_CONFIRMATION, Status.LAPSED})

TRANSITIONS = TABLE.steps
is_allowed = TABLE.is_allowed
target = TABLE.target


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


# Not a step of the table: the requester who lost the link had a new one sent to the
# request's e-mail address (the old link is dead). The state does not change; the event
# (`information.link_renewed`) holds no personal data and is not on the public register.
LINK_RENEWED = "link_renewed"

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
    f"information.{LINK_RENEWED}": _("New follow-up link sent to the requester"),
}
