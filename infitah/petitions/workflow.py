"""The life of a petition to a territorial council (organic laws 111.14, 112.14, 113.14).

    draft ─confirm_agent→ collecting ─lodge→ lodged ─review→ bureau_review ─accept→ accepted
                                  (register_paper: created lodged)      │            │ schedule
                                                                        │ reject     ▼
                                                                        ▼        scheduled ─decide→ deliberated
                                                                     rejected     (reschedule: scheduled → scheduled)
    draft | collecting | lodged | bureau_review ─withdraw→ withdrawn
    clock `decision`: opened by lodge and register_paper, met by decide and reject,
                      cancelled by withdraw; past due unmet → decision_overdue (once)

"In committee" (the referral to the standing committees before deliberation) is folded
into `scheduled`: the council module will record the committee stage when it exists.

One legal clock (infitah.cases), `decision`, runs from the lodging day (for a paper
petition, the day the council received it) for `petition.decision.<level>` (2 calendar
months for regions and prefectures/provinces, 3 for communes); a withdrawal before
lodging has no period to cancel. When the period passes unmet, the engine's sweep
records `petitions.decision_overdue` once and tells the bureau and the agent.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.accounts.permissions import Perm
from infitah.cases.services import TransitionNotAllowed as TransitionNotAllowed
from infitah.cases.workflow import CITIZEN, StateTable, Step, cancels, meets, opens, staff


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft: the agent's e-mail is not yet confirmed")
    COLLECTING = "collecting", _("Collecting signatures")
    LODGED = "lodged", _("Lodged with the council president")
    BUREAU_REVIEW = "bureau_review", _("Under review by the council bureau")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("On the agenda of a council session")
    DELIBERATED = "deliberated", _("Deliberated by the council")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(StrEnum):
    CONFIRM_AGENT = "confirm_agent"
    LODGE = "lodge"
    REVIEW = "review"
    ACCEPT = "accept"
    SCHEDULE = "schedule"
    DECIDE = "decide"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class PetitionerKind(models.TextChoices):
    CITIZENS = "citizens", _("Citizens, represented by an agent")
    ASSOCIATION = "association", _("An association, represented by its legal representative")


class Level(models.TextChoices):
    """The three levels of the organic laws; prefectures and provinces share one."""

    REGION = "region", _("Region")
    PROVINCE = "province", _("Prefecture or province")
    COMMUNE = "commune", _("Commune")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("On paper")


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting e-mail confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("signature status", "Confirmed")
    INVALIDATED = "invalidated", _("Invalidated by the bureau")
    LAPSED = "lapsed", _("Lapsed: never confirmed")


class Interest(models.TextChoices):
    RESIDENT = "resident", _("I live in the territory")
    ACTIVITY = (
        "activity",
        _("I carry on an economic, commercial or professional activity in the territory"),
    )


# Withdrawal: by the agent until the bureau has decided on admissibility.
WITHDRAWABLE = frozenset({Status.DRAFT, Status.COLLECTING, Status.LODGED, Status.BUREAU_REVIEW})

# The events that create a petition (its first in the case history): entered online by
# the agent, or registered by the bureau from a petition lodged on paper.
DRAFTED = "drafted"
REGISTERED_PAPER = "registered_paper"
# The council's petitions bureau. The agent's steps are the citizen's: taken from the
# private link (or, for a withdrawal, by the bureau on the agent's written request: the
# service checks that the bureau acts).
BUREAU = staff(Perm.PETITIONS_HANDLE)
DECIDED = (meets("decision"),)

# One clock, "decision" (petition.decision.<level>): opened at lodging, met by the
# decision or the rejection, cancelled by a withdrawal.
TABLE = StateTable(
    states=Status,
    creations={
        DRAFTED: Step(frozenset(), Status.DRAFT, CITIZEN),
        # A paper petition is created already lodged, even below the threshold.
        REGISTERED_PAPER: Step(frozenset(), Status.LODGED, BUREAU, (opens("decision"),)),
    },
    steps={
        Action.CONFIRM_AGENT: Step(frozenset({Status.DRAFT}), Status.COLLECTING, CITIZEN),
        # Online lodging by the agent, once the threshold is met (checked by the service).
        Action.LODGE: Step(
            frozenset({Status.COLLECTING}), Status.LODGED, CITIZEN, (opens("decision"),)
        ),
        Action.REVIEW: Step(frozenset({Status.LODGED}), Status.BUREAU_REVIEW, BUREAU),
        Action.ACCEPT: Step(frozenset({Status.BUREAU_REVIEW}), Status.ACCEPTED, BUREAU),
        # A scheduled petition may be moved to another session (the session was postponed).
        Action.SCHEDULE: Step(
            frozenset({Status.ACCEPTED, Status.SCHEDULED}), Status.SCHEDULED, BUREAU
        ),
        Action.DECIDE: Step(frozenset({Status.SCHEDULED}), Status.DELIBERATED, BUREAU, DECIDED),
        Action.REJECT: Step(frozenset({Status.BUREAU_REVIEW}), Status.REJECTED, BUREAU, DECIDED),
        Action.WITHDRAW: Step(WITHDRAWABLE, Status.WITHDRAWN, CITIZEN, (cancels("decision"),)),
    },
    final={Status.DELIBERATED, Status.REJECTED, Status.WITHDRAWN},
)
TRANSITIONS = TABLE.steps
FINAL = TABLE.final
# Shown to the public (lists, API, pages): everything but a draft.
PUBLIC = frozenset(Status.values) - {Status.DRAFT}
# The council has received it: a reference, a receipt and a decision clock.
LODGED_STATES = frozenset(
    {
        Status.LODGED,
        Status.BUREAU_REVIEW,
        Status.ACCEPTED,
        Status.SCHEDULED,
        Status.DELIBERATED,
        Status.REJECTED,
    }
)

is_allowed = TABLE.is_allowed


def target(action: Action | str) -> str:
    """The state `action` leads to (every step of a petition changes it, or, for a
    rescheduling, sets it again)."""
    to = TABLE.steps[str(action)].target
    if to is None:
        raise ValueError(f"{action} keeps the state")
    return to


# The admissibility checklist the bureau records (BUREAU_REVIEW → ACCEPTED | REJECTED).
CHECKLIST: dict[str, Promise] = {
    "competence": _("The request is within the council's competence"),
    "signatures": _("Enough valid signatures (with the per-province spread for a region)"),
    "association": _("The association meets the legal conditions (if any)"),
    "documents": _("The supporting documents are complete"),
}


EVENT_LABELS = {
    "petitions.drafted": _("Entered by the agent"),
    "petitions.confirm_agent": _("Agent's e-mail confirmed: open for signatures"),
    "petitions.lodge": _("Lodged with the council president"),
    "petitions.registered_paper": _("Registered on paper by the bureau"),
    "petitions.review": _("Taken up by the council bureau"),
    "petitions.accept": _("Accepted"),
    "petitions.schedule": _("Placed on the agenda of a session"),
    "petitions.decide": _("Deliberated: decision published"),
    "petitions.reject": _("Rejected, with reasons"),
    "petitions.withdraw": _("Withdrawn"),
    "petitions.decision_overdue": _("Time limit to decide passed without a decision"),
    "petitions.signatures_imported": _("Paper signatures imported"),
    "petitions.signature_paper_added": _("Paper signature entered"),
    "petitions.signatures_invalidated": _("Signatures invalidated"),
    "petitions.signatures_purged": _("Signatures deleted after the retention period"),
}
