"""The opening programme as a process of the case engine, and its vocabularies.

A programme (a REMACTO opening programme or an OGP Local action plan) is a case:

    drafting ─consult→ consulting ─adopt→ adopted ─evaluate→ evaluating ─close→ closed
        └──────────────adopt──────────────┘   │ amend (a new version, same state)
    drafting / consulting ─abandon→ abandoned  │ report (a progress report: the public
                                               │ page is up to date again)

- `adopt` needs a council decision (an agenda item adopted in session): it freezes the
  programme as version 1; `amend` freezes a later version with its own decision.
- the `update` clock: once adopted, the public page must be updated at least every
  `openplan.update` (4 months for OGP Local, a LegalLimit: data); each progress report
  meets the running period and opens the next one.
- the `inception` clock: an OGP Local plan submitted to OGP (`submit`) must get its
  inception assessment from the independent monitoring body within `openplan.inception`
  (2 months); recording it (`inception`) meets the clock.

The public timeline shows the phases (`PhaseKind`) with their planned dates; the state
above is the legal state of the programme, not the phase.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.accounts.permissions import Perm
from infitah.cases.workflow import StateTable, Step, cancels, meets, opens, staff


class Kind(models.TextChoices):
    REMACTO = "remacto", _("Opening programme (REMACTO)")
    OGP_LOCAL = "ogp_local", _("OGP Local action plan")


class Status(models.TextChoices):
    DRAFTING = "drafting", pgettext_lazy("programme status", "In co-creation")
    CONSULTING = "consulting", pgettext_lazy("programme status", "Draft under consultation")
    ADOPTED = "adopted", pgettext_lazy("programme status", "Adopted, in implementation")
    EVALUATING = "evaluating", pgettext_lazy("programme status", "In evaluation")
    CLOSED = "closed", pgettext_lazy("programme status", "Closed")
    ABANDONED = "abandoned", pgettext_lazy("programme status", "Abandoned")


class PhaseKind(models.TextChoices):
    """The phases of a cycle, in order (the network's method, domain.md §8)."""

    AWARENESS = "awareness", pgettext_lazy("programme phase", "Awareness")
    COCREATION = "cocreation", pgettext_lazy("programme phase", "Co-creation")
    DRAFTING = "drafting", pgettext_lazy("programme phase", "Drafting")
    CONSULTATION = "consultation", pgettext_lazy("programme phase", "Consultation")
    ADOPTION = "adoption", pgettext_lazy("programme phase", "Adoption")
    IMPLEMENTATION = "implementation", pgettext_lazy("programme phase", "Implementation")
    EVALUATION = "evaluation", pgettext_lazy("programme phase", "Evaluation")


PHASE_ORDER: dict[str, int] = {value: index for index, value in enumerate(PhaseKind.values)}


class Action(StrEnum):
    # Values name ledger events `openplan.<action>` forever.
    CONSULT = "consult"
    ADOPT = "adopt"
    AMEND = "amend"
    REPORT = "report"
    SUBMIT = "submit"
    INCEPTION = "inception"
    EVALUATE = "evaluate"
    CLOSE = "close"
    ABANDON = "abandon"


CREATED = "created"  # creating event

FOCAL = staff(Perm.OPENPLAN_MANAGE)
MONITOR = staff(Perm.OPENPLAN_ASSESS)

_BEFORE = frozenset({Status.DRAFTING, Status.CONSULTING})
_LIVE = frozenset({Status.ADOPTED, Status.EVALUATING})
_OPEN = _BEFORE | _LIVE

TABLE = StateTable(
    states=Status,
    creations={CREATED: Step(frozenset(), Status.DRAFTING, FOCAL)},
    steps={
        Action.CONSULT: Step(frozenset({Status.DRAFTING}), Status.CONSULTING, FOCAL),
        Action.ADOPT: Step(_BEFORE, Status.ADOPTED, FOCAL, (opens("update"),)),
        Action.AMEND: Step(_LIVE, None, FOCAL),
        Action.REPORT: Step(_LIVE, None, FOCAL, (meets("update"), opens("update"))),
        Action.SUBMIT: Step(_OPEN, None, FOCAL, (opens("inception"),)),
        Action.INCEPTION: Step(_OPEN, None, MONITOR, (meets("inception"),)),
        Action.EVALUATE: Step(frozenset({Status.ADOPTED}), Status.EVALUATING, FOCAL),
        Action.CLOSE: Step(_LIVE, Status.CLOSED, FOCAL, (cancels("update"), cancels("inception"))),
        Action.ABANDON: Step(_BEFORE, Status.ABANDONED, FOCAL, (cancels("inception"),)),
    },
    final={Status.CLOSED, Status.ABANDONED},
)
is_allowed = TABLE.is_allowed
target = TABLE.target


class Body(models.TextChoices):
    """The programme's bodies: the multi-stakeholder forum (OGP Local) and the monitoring
    committee of elected members and civil society (REMACTO)."""

    FORUM = "forum", _("Multi-stakeholder forum")
    COMMITTEE = "committee", _("Monitoring committee")


class Sector(models.TextChoices):
    ELECTED = "elected", _("Elected member")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ADVISORY = "advisory", _("Advisory body delegate")
    ADMINISTRATION = "administration", _("Administration")
    EXPERT = "expert", _("Expert or academic")


class MemberRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", pgettext_lazy("body role", "Member")


class MeetingDocumentKind(models.TextChoices):
    PREPARATORY = "preparatory", _("Shared before the meeting")
    MINUTES = "minutes", _("Minutes")


class WorkshopMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("On site and online")


class ProposalKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    SOLUTION = "solution", _("Proposed solution")


class ProposalStatus(models.TextChoices):
    PUBLISHED = "published", pgettext_lazy("proposal status", "Published")
    HIDDEN = "hidden", pgettext_lazy("proposal status", "Hidden by the moderator")


class MilestoneStatus(StrEnum):
    """Derived from a milestone's progress and its cancellation (never stored)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.NOT_STARTED: pgettext_lazy("milestone status", "Not started"),
    MilestoneStatus.IN_PROGRESS: pgettext_lazy("milestone status", "In progress"),
    MilestoneStatus.COMPLETED: pgettext_lazy("milestone status", "Completed"),
    MilestoneStatus.CANCELLED: pgettext_lazy("milestone status", "Cancelled"),
}


class Completion(models.TextChoices):
    """OGP's completion levels, for a commitment's status and for assessments."""

    NOT_STARTED = "not_started", pgettext_lazy("completion", "Not started")
    LIMITED = "limited", pgettext_lazy("completion", "Limited")
    SUBSTANTIAL = "substantial", pgettext_lazy("completion", "Substantial")
    COMPLETED = "completed", pgettext_lazy("completion", "Completed")


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")
    PHOTO = "photo", _("Photo")


class AssessmentSource(models.TextChoices):
    """Who assesses: recorded separately, both shown (they may disagree)."""

    COMMITTEE = "committee", _("Monitoring committee")
    INDEPENDENT = "independent", _("Independent monitoring body")


class Potential(models.TextChoices):
    """OGP's "potential for results" of a commitment as designed."""

    UNCLEAR = "unclear", pgettext_lazy("potential", "Unclear")
    MODEST = "modest", pgettext_lazy("potential", "Modest")
    SUBSTANTIAL = "substantial", pgettext_lazy("potential", "Substantial")


class EarlyResults(models.TextChoices):
    """ "Did it open government?" (OGP's early results of an implemented commitment)."""

    WORSENED = "worsened", pgettext_lazy("early results", "Worsened")
    DID_NOT_CHANGE = "did_not_change", pgettext_lazy("early results", "Did not change")
    MARGINAL = "marginal", pgettext_lazy("early results", "Marginal")
    MAJOR = "major", pgettext_lazy("early results", "Major")
    OUTSTANDING = "outstanding", pgettext_lazy("early results", "Outstanding")


class ProgrammeDocumentKind(models.TextChoices):
    INCEPTION = "inception", _("Inception assessment")
    FINAL = "final", _("Final assessment")
    ACTION_PLAN = "action_plan", _("Action plan as submitted")
    OTHER = "other", _("Other document")


def current_phase(phases: Iterable[Any], today: date) -> str | None:
    """The phase of the timeline `today` falls in (`kind` of a phase with `starts_on` and
    `ends_on`): the latest started one whose end, if any, has not passed; else the latest
    started one (the cycle is between phases); None before the first one."""
    started = sorted(
        (p for p in phases if p.starts_on <= today),
        key=lambda p: (p.starts_on, PHASE_ORDER[p.kind]),
    )
    running = [p for p in started if p.ends_on is None or p.ends_on >= today]
    chosen = running or started
    return str(chosen[-1].kind) if chosen else None
