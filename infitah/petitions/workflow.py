"""The life of a petition to a territorial council (organic laws 111.14, 112.14, 113.14).

    draft ─confirm_agent→ collecting ─lodge→ lodged ─review→ bureau_review ─accept→ accepted
                                  (register_paper: created lodged)      │            │ schedule
                                                                        │ reject     ▼
                                                                        ▼        scheduled ─decide→ deliberated
                                                                     rejected     (reschedule: scheduled → scheduled)
    draft | collecting | lodged | bureau_review ─withdraw→ withdrawn

"In committee" (the referral to the standing committees before deliberation) is folded
into `scheduled`: the council module will record the committee stage when it exists.

One clock runs from lodging: `petition.decision.<level>` (2 calendar months for regions
and prefectures/provinces, 3 for communes), closed by the decision or the rejection.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class Side(StrEnum):
    AGENT = "agent"
    BUREAU = "bureau"
    PROCESS = "process"


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

# action → (states it may be taken from, state it leads to, who)
TRANSITIONS: dict[Action, tuple[frozenset[str], str, Side]] = {
    Action.CONFIRM_AGENT: (frozenset({Status.DRAFT}), Status.COLLECTING, Side.AGENT),
    # Online lodging by the agent; a paper petition is created already lodged.
    Action.LODGE: (frozenset({Status.COLLECTING}), Status.LODGED, Side.AGENT),
    Action.REVIEW: (frozenset({Status.LODGED}), Status.BUREAU_REVIEW, Side.BUREAU),
    Action.ACCEPT: (frozenset({Status.BUREAU_REVIEW}), Status.ACCEPTED, Side.BUREAU),
    # A scheduled petition may be moved to another session (the session was postponed).
    Action.SCHEDULE: (
        frozenset({Status.ACCEPTED, Status.SCHEDULED}),
        Status.SCHEDULED,
        Side.BUREAU,
    ),
    Action.DECIDE: (frozenset({Status.SCHEDULED}), Status.DELIBERATED, Side.BUREAU),
    Action.REJECT: (frozenset({Status.BUREAU_REVIEW}), Status.REJECTED, Side.BUREAU),
    Action.WITHDRAW: (WITHDRAWABLE, Status.WITHDRAWN, Side.AGENT),
}

FINAL = frozenset({Status.DELIBERATED, Status.REJECTED, Status.WITHDRAWN})
# Shown to the public (lists, API, pages): everything but a draft.
PUBLIC = frozenset(Status.values) - {Status.DRAFT}
# The council has received it: a reference, a receipt and a running decision clock.
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


class TransitionNotAllowed(Exception):
    """The petition's state (or a guard) does not allow this action now (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_allowed(status: str, action: Action | str) -> bool:
    try:
        sources = TRANSITIONS[Action(action)][0]
    except (KeyError, ValueError):
        return False
    return status in sources


def target(action: Action) -> str:
    return TRANSITIONS[action][1]


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
    "petitions.signatures_imported": _("Paper signatures imported"),
    "petitions.signature_paper_added": _("Paper signature entered"),
    "petitions.signatures_invalidated": _("Signatures invalidated"),
    "petitions.signatures_purged": _("Signatures deleted after the retention period"),
}
