"""The council session as a process of the case engine: its states, actions and table.

A session is convened (its agenda drafted by the secretariat), its agenda is published
before the sitting (the `agenda` clock, counted back from the sitting day), it is held
(attendance, votes, decisions), and the summary of its decisions is published within the
legal delay after it (the `summary` clock). A sitting without quorum is adjourned; the
next convocation is a new session that `follows` it (the second-convocation rule).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.accounts.permissions import Perm
from infitah.cases.workflow import StateTable, Step, cancels, meets, opens, staff


class SessionKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary session")
    EXTRAORDINARY = "extraordinary", _("Extraordinary session")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("council session status", "Agenda in preparation")
    CONVENED = "convened", pgettext_lazy("council session status", "Convened")
    ADJOURNED = "adjourned", pgettext_lazy("council session status", "Adjourned, no quorum")
    HELD = "held", pgettext_lazy("council session status", "Held")
    SUMMARY_PUBLISHED = (
        "summary_published",
        pgettext_lazy("council session status", "Decisions published"),
    )
    CANCELLED = "cancelled", pgettext_lazy("council session status", "Cancelled")


class Action(StrEnum):
    # Values name ledger events `council.<action>` forever.
    PUBLISH_AGENDA = "publish_agenda"
    # The sitting day of a session in preparation moved: its agenda notice runs again,
    # counted back from the new day (the former period is cancelled).
    RESCHEDULE = "reschedule"
    ADJOURN = "adjourn"
    HOLD = "hold"
    PUBLISH_SUMMARY = "publish_summary"
    CANCEL = "cancel"


CONVENED = "convened"  # the creating event: the secretariat opens a session

SECRETARIAT = staff(Perm.COUNCIL_MANAGE)

TABLE = StateTable(
    states=Status,
    creations={CONVENED: Step(frozenset(), Status.DRAFT, SECRETARIAT, (opens("agenda"),))},
    steps={
        Action.PUBLISH_AGENDA: Step(
            frozenset({Status.DRAFT}), Status.CONVENED, SECRETARIAT, (meets("agenda"),)
        ),
        Action.RESCHEDULE: Step(frozenset({Status.DRAFT}), None, SECRETARIAT, (opens("agenda"),)),
        Action.ADJOURN: Step(frozenset({Status.CONVENED}), Status.ADJOURNED, SECRETARIAT),
        Action.HOLD: Step(
            frozenset({Status.CONVENED}), Status.HELD, SECRETARIAT, (opens("summary"),)
        ),
        Action.PUBLISH_SUMMARY: Step(
            frozenset({Status.HELD}), Status.SUMMARY_PUBLISHED, SECRETARIAT, (meets("summary"),)
        ),
        Action.CANCEL: Step(
            frozenset({Status.DRAFT, Status.CONVENED}),
            Status.CANCELLED,
            SECRETARIAT,
            (cancels("agenda"),),
        ),
    },
    final={Status.SUMMARY_PUBLISHED, Status.CANCELLED, Status.ADJOURNED},
)
is_allowed = TABLE.is_allowed
target = TABLE.target
