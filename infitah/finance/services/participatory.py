"""Participatory budgeting: a share of a year's investment budget (the envelope) put to
citizens' proposals (a consultation) and votes (a survey) of the participation module;
the retained projects flow into investment expenditure lines of the budget.

Every service takes keyword arguments and an `actor`, checks Perm.FINANCE_MANAGE in the
budget's collectivity (PermissionDenied), validates (ValidationError with a message per
field, nothing written) and runs in one transaction, recording a ledger event
(`finance.participatory_*`) about the campaign.

The rules:
- an envelope is at least 0 and, once the budget has a budgeted version (amended, else
  approved, else proposed), at most its investment expenditure; never below the cost
  of the projects already retained;
- the consultation and the survey are the same collectivity's;
- a retained project flows into an investment expenditure line of the same budget, and
  the retained projects' total cost stays within the envelope. The campaign's row is
  locked while the total is checked, so that two officers retaining at once cannot
  overshoot it together.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.finance.models import (
    TITLE_MAX,
    Budget,
    BudgetItem,
    ParticipatoryBudget,
    ParticipatoryProject,
)
from infitah.finance.participatory_selectors import investment_expenditure
from infitah.finance.services.budget import PAGES, require
from infitah.finance.workflow import Direction, Section
from infitah.ledger.services import event_record
from infitah.lib.bounds import whole_number
from infitah.lib.cleaning import Errors, clean_decimal, clean_pair, raise_errors
from infitah.lib.pagecache import bump
from infitah.participation.consultations.models import Consultation
from infitah.participation.surveys.models import Survey
from infitah.participation.surveys.selectors import survey_results
from infitah.territories.models import Collectivity

ZERO = Decimal(0)
CENT = Decimal("0.01")


def _mad(amount: Decimal) -> str:
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


def _record(campaign: ParticipatoryBudget, action: str, actor: User, **data: Any) -> None:
    budget = campaign.budget
    event_record(
        obj=campaign,
        action=f"finance.participatory_{action}",
        actor=actor,
        collectivity=budget.collectivity,
        data={"year": budget.year, "budget": budget.pk, **data},
    )
    transaction.on_commit(lambda: bump(PAGES))


def _key(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value, minimum=1)
    return whole_number(value.strip(), minimum=1) if isinstance(value, str) else None


def _consultation(errors: Errors, collectivity: Collectivity, raw: object) -> Consultation | None:
    if raw in (None, ""):
        return None
    key = raw.pk if isinstance(raw, Consultation) else _key(raw)
    found = Consultation.objects.filter(collectivity=collectivity, pk=key).first() if key else None
    if found is None:
        errors["consultation"] = _("Choose a consultation of this collectivity.")
    return found


def _survey(errors: Errors, collectivity: Collectivity, raw: object) -> Survey | None:
    if raw in (None, ""):
        return None
    key = raw.pk if isinstance(raw, Survey) else _key(raw)
    found = Survey.objects.filter(collectivity=collectivity, pk=key).first() if key else None
    if found is None:
        errors["survey"] = _("Choose a survey of this collectivity.")
    return found


def _retained_total(campaign: ParticipatoryBudget, *, without: int | None = None) -> Decimal:
    projects = ParticipatoryProject.objects.filter(campaign=campaign, is_retained=True)
    if without is not None:
        projects = projects.exclude(pk=without)
    return projects.aggregate(total=Sum("cost"))["total"] or ZERO


def _locked(campaign: ParticipatoryBudget) -> ParticipatoryBudget:
    """The campaign's row locked until the transaction ends (retained totals are
    checked under it), with the caller's budget."""
    locked = ParticipatoryBudget.objects.select_for_update().get(pk=campaign.pk)
    locked.budget = campaign.budget
    return locked


def _overshoot(campaign: ParticipatoryBudget, total: Decimal) -> str:
    return _(
        "The retained projects would cost %(total)s MAD, %(over)s MAD more than the "
        "envelope of %(envelope)s MAD."
    ) % {
        "total": _mad(total),
        "over": _mad(total - Decimal(campaign.envelope)),
        "envelope": _mad(Decimal(campaign.envelope)),
    }


# --- campaigns ------------------------------------------------------------------------------


@transaction.atomic
def participatory_save(
    *,
    budget: Budget,
    actor: User,
    data: Mapping[str, Any],
    campaign: ParticipatoryBudget | None = None,
) -> ParticipatoryBudget:
    """Open (or, given `campaign`, change) a participatory budget of the year: `title_ar`
    / `title_fr` (one at least), `envelope` (MAD), `consultation` where citizens
    propose and `survey` where they vote (both optional: an object or its id).

    Preconditions: Perm.FINANCE_MANAGE; the campaign one of the budget's; an envelope
    of at least 0, at most the budgeted investment expenditure when the budget has a
    budgeted version, and not below the cost of the projects already retained; a
    consultation and a survey of the budget's collectivity (ValidationError per field;
    nothing written).
    Side effects: ledger event `finance.participatory_saved`.
    """
    collectivity = budget.collectivity
    require(actor, collectivity)
    if campaign is not None and campaign.budget_id != budget.pk:
        raise ValidationError(_("This participatory budget is not one of this budget's."))
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    envelope = clean_decimal(errors, data, "envelope", required=True, minimum=ZERO)
    consultation = _consultation(errors, collectivity, data.get("consultation"))
    survey = _survey(errors, collectivity, data.get("survey"))
    target = _locked(campaign) if campaign is not None else ParticipatoryBudget(budget=budget)
    if envelope is not None:
        cap = investment_expenditure(budget)
        retained = _retained_total(target) if campaign is not None else ZERO
        if cap is not None and envelope > cap:
            errors["envelope"] = _(
                "The envelope cannot exceed the budget's investment expenditure (%(cap)s MAD)."
            ) % {"cap": _mad(cap)}
        elif envelope < retained:
            errors["envelope"] = _(
                "The projects already retained cost %(total)s MAD: the envelope cannot be smaller."
            ) % {"total": _mad(retained)}
    raise_errors(errors)
    assert envelope is not None  # required, checked above
    target.title_ar, target.title_fr = title_ar, title_fr
    target.envelope = envelope
    target.consultation, target.survey = consultation, survey
    target.save()
    _record(
        target,
        "saved",
        actor,
        envelope=str(envelope),
        consultation=consultation.pk if consultation else None,
        survey=survey.pk if survey else None,
        created=campaign is None,
    )
    return target


# --- projects -------------------------------------------------------------------------------


@transaction.atomic
def project_save(
    *,
    campaign: ParticipatoryBudget,
    actor: User,
    data: Mapping[str, Any],
    project: ParticipatoryProject | None = None,
) -> ParticipatoryProject:
    """Add (or, given `project`, change) a citizens' project of the campaign:
    `title_ar` / `title_fr` (one at least), `cost` (MAD, at least 0), `votes` (a whole
    number, 0 when not given: the staff record them from the survey's results).

    Preconditions: Perm.FINANCE_MANAGE; the project one of the campaign's; valid fields;
    a retained project's new cost keeps the retained total within the envelope
    (ValidationError per field; nothing written).
    Side effects: ledger event `finance.participatory_project_saved`.
    """
    require(actor, campaign.budget.collectivity)
    if project is not None and project.campaign_id != campaign.pk:
        raise ValidationError(_("This project is not one of this participatory budget's."))
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    cost = clean_decimal(errors, data, "cost", required=True, minimum=ZERO)
    raw_votes = data.get("votes")
    votes: int | None = 0
    if raw_votes not in (None, ""):
        votes = whole_number(raw_votes.strip() if isinstance(raw_votes, str) else raw_votes)
        if votes is None:
            errors["votes"] = _("Enter a whole number of votes, 0 or more.")
    locked = _locked(campaign)
    if project is not None and project.is_retained and cost is not None:
        total = _retained_total(locked, without=project.pk) + cost
        if total > locked.envelope:
            errors["cost"] = _overshoot(locked, total)
    raise_errors(errors)
    assert cost is not None and votes is not None  # checked above
    target = project or ParticipatoryProject(campaign=locked)
    target.title_ar, target.title_fr = title_ar, title_fr
    target.cost, target.votes = cost, votes
    target.save()
    _record(
        locked,
        "project_saved",
        actor,
        project=target.pk,
        cost=str(cost),
        votes=votes,
        created=project is None,
    )
    return target


@transaction.atomic
def project_delete(*, project: ParticipatoryProject, actor: User) -> None:
    """Remove a project (retained or not). Preconditions: Perm.FINANCE_MANAGE.
    Side effects: ledger event `finance.participatory_project_deleted`."""
    campaign = project.campaign
    require(actor, campaign.budget.collectivity)
    key, retained = project.pk, project.is_retained
    project.delete()
    _record(campaign, "project_deleted", actor, project=key, was_retained=retained)


@transaction.atomic
def project_retain(
    *, project: ParticipatoryProject, actor: User, item: BudgetItem | int | str | None
) -> ParticipatoryProject:
    """Retain a project: it flows into `item`, an investment expenditure line of the
    campaign's budget (an object or its id). A retained project may be given another
    line this way.

    Preconditions: Perm.FINANCE_MANAGE; such a line (ValidationError on `item`); the
    retained projects' total cost, this one's included, within the envelope
    (ValidationError on `cost` naming the overshoot); nothing written on error.
    Side effects: ledger event `finance.participatory_project_retained`.
    """
    campaign = project.campaign
    budget = campaign.budget
    require(actor, budget.collectivity)
    key = item.pk if isinstance(item, BudgetItem) else _key(item)
    line = BudgetItem.objects.filter(budget=budget, pk=key).first() if key else None
    if line is None:
        raise ValidationError({"item": _("Choose a line of this year's budget.")})
    if line.direction != Direction.EXPENDITURE or line.section != Section.INVESTMENT:
        raise ValidationError({"item": _("Choose an investment expenditure line.")})
    locked = _locked(campaign)
    total = _retained_total(locked, without=project.pk) + project.cost
    if total > locked.envelope:
        raise ValidationError({"cost": _overshoot(locked, total)})
    project.is_retained, project.item = True, line
    project.save(update_fields=["is_retained", "item"])
    _record(
        locked,
        "project_retained",
        actor,
        project=project.pk,
        item=line.pk,
        code=line.code,
        cost=str(Decimal(project.cost).quantize(CENT)),
    )
    return project


@transaction.atomic
def project_release(*, project: ParticipatoryProject, actor: User) -> ParticipatoryProject:
    """A retained project is no longer retained (nor on a budget line).
    Preconditions: Perm.FINANCE_MANAGE. Side effects: ledger event
    `finance.participatory_project_released` (none when it was not retained)."""
    campaign = project.campaign
    require(actor, campaign.budget.collectivity)
    if not project.is_retained and project.item_id is None:
        return project
    previous = project.item_id
    project.is_retained, project.item = False, None
    project.save(update_fields=["is_retained", "item"])
    _record(campaign, "project_released", actor, project=project.pk, item=previous)
    return project


def _same(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


@transaction.atomic
def project_votes_from_survey(*, campaign: ParticipatoryBudget, actor: User) -> int:
    """Record each project's votes from the campaign's survey: the answers counted for
    the options of its choice questions whose label is the project's title (in Arabic
    or in French, case aside); a project no option names keeps its votes. Returns the
    number of projects whose votes were recorded.

    Preconditions: Perm.FINANCE_MANAGE; the campaign has a survey of its collectivity
    (ValidationError on `survey`).
    Side effects: ledger event `finance.participatory_votes_recorded`.
    """
    collectivity = campaign.budget.collectivity
    require(actor, collectivity)
    survey = (
        Survey.objects.filter(collectivity=collectivity, pk=campaign.survey_id).first()
        if campaign.survey_id
        else None
    )
    if survey is None:
        raise ValidationError({"survey": _("Choose first the survey where citizens vote.")})
    results = survey_results(survey=survey)
    counts: list[tuple[str, str, int]] = []
    for result in results.questions:
        if not result.question.is_choice:
            continue
        options = {option.pk: option for option in result.question.options.all()}
        for bar in result.bars:
            option = options.get(bar.option_id or 0)
            if option is not None:
                counts.append((option.label_ar, option.label_fr, bar.count))
    locked = _locked(campaign)
    changed: list[ParticipatoryProject] = []
    matched = 0
    for project in ParticipatoryProject.objects.filter(campaign=locked):
        found = [
            n for ar, fr, n in counts if _same(project.title_ar, ar) or _same(project.title_fr, fr)
        ]
        if not found:
            continue
        matched += 1
        if project.votes != sum(found):
            project.votes = sum(found)
            changed.append(project)
    ParticipatoryProject.objects.bulk_update(changed, ["votes"])
    _record(
        locked,
        "votes_recorded",
        actor,
        survey=survey.pk,
        respondents=results.respondents,
        projects=matched,
    )
    return matched
