"""Referrals to an advisory body and its opinions, as a process of the case engine.

A referral (إحالة) comes from the council or its president, with a period for the
opinion (the `opinion` clock); a body may also take up a matter on its own initiative
(a self-initiated opinion, no clock). The body adopts its opinion and transmits it; the
council must then answer it — adopted, partly adopted or not adopted, with its reasons —
within the `answer` clock (comply or explain). The answer is public.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.accounts.permissions import Perm
from infitah.cases.workflow import StateTable, Step, cancels, meets, opens, staff


class Origin(models.TextChoices):
    COUNCIL = "council", _("Referred by the council")
    PRESIDENT = "president", _("Referred by the president")
    SELF = "self", _("On the body's own initiative")


class Status(models.TextChoices):
    REFERRED = "referred", pgettext_lazy("referral status", "Referred, opinion awaited")
    DRAFTING = "drafting", pgettext_lazy("referral status", "Opinion in preparation")
    ADOPTED = "adopted", pgettext_lazy("referral status", "Opinion adopted by the body")
    TRANSMITTED = "transmitted", pgettext_lazy("referral status", "Transmitted, answer awaited")
    ANSWERED = "answered", pgettext_lazy("referral status", "Answered by the council")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "Withdrawn")


class Answer(models.TextChoices):
    ADOPTED = "adopted", pgettext_lazy("council answer", "Adopted")
    PARTLY = "partly", pgettext_lazy("council answer", "Partly adopted")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("council answer", "Not adopted")


class Action(StrEnum):
    # Values name ledger events `advisory.<action>` forever.
    ADOPT = "adopt"
    TRANSMIT = "transmit"
    ANSWER = "answer"
    WITHDRAW = "withdraw"


REFERRED = "referred"  # creating event: the council or its president refers a matter
INITIATED = "initiated"  # creating event: the body takes a matter up itself

COUNCIL = staff(Perm.COUNCIL_MANAGE)
BODY = staff(Perm.ADVISORY_MANAGE)

TABLE = StateTable(
    states=Status,
    creations={
        REFERRED: Step(frozenset(), Status.REFERRED, COUNCIL, (opens("opinion"),)),
        INITIATED: Step(frozenset(), Status.DRAFTING, BODY),
    },
    steps={
        Action.ADOPT: Step(
            frozenset({Status.REFERRED, Status.DRAFTING}), Status.ADOPTED, BODY, (meets("opinion"),)
        ),
        Action.TRANSMIT: Step(
            frozenset({Status.ADOPTED}), Status.TRANSMITTED, BODY, (opens("answer"),)
        ),
        Action.ANSWER: Step(
            frozenset({Status.TRANSMITTED}), Status.ANSWERED, COUNCIL, (meets("answer"),)
        ),
        Action.WITHDRAW: Step(
            frozenset({Status.REFERRED}), Status.WITHDRAWN, COUNCIL, (cancels("opinion"),)
        ),
    },
    final={Status.ANSWERED, Status.WITHDRAWN},
)
is_allowed = TABLE.is_allowed
target = TABLE.target
