"""Reads of participatory budgeting: a year's campaigns with their projects and totals,
one campaign for its public page, the choices of the staff forms, and the budgeted
investment expenditure that caps an envelope.

Every function takes the collectivity (or a budget or campaign already fetched under
it) and runs a fixed number of queries, whatever the number of campaigns or projects
(tests/test_participatory_pages.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Sum

from infitah.finance.budget_selectors import BUDGETED_PHASES, budgeted_of, latest_versions, rate
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    ParticipatoryBudget,
    ParticipatoryProject,
)
from infitah.finance.workflow import Direction, Section
from infitah.lib.bounds import whole_number
from infitah.participation.consultations.models import Consultation
from infitah.participation.surveys.models import Survey
from infitah.territories.models import Collectivity

YEAR_MIN, YEAR_MAX = 2000, 2100


def _pk(value: object) -> int | None:
    """A primary key from a URL or a form (None for anything else: no query, no 500)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value, minimum=1)
    return whole_number(str(value), minimum=1) if isinstance(value, str) else None


def investment_expenditure(budget: Budget) -> Decimal | None:
    """The budgeted investment expenditure of the budget: the sum of its investment
    expenditure lines in the latest amended version, else the latest approved, else the
    latest proposed; None when the budget has none of them (two queries)."""
    version = budgeted_of(
        latest_versions(BudgetVersion.objects.filter(budget=budget, phase__in=BUDGETED_PHASES))
    )
    if version is None:
        return None
    total = Amount.objects.filter(
        version=version,
        item__direction=Direction.EXPENDITURE,
        item__section=Section.INVESTMENT,
    ).aggregate(total=Sum("amount"))["total"]
    return (total or Decimal(0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Campaign:
    """A campaign with its projects (by votes) and its totals against the envelope."""

    campaign: ParticipatoryBudget
    projects: list[ParticipatoryProject]

    @property
    def retained(self) -> list[ParticipatoryProject]:
        return [project for project in self.projects if project.is_retained]

    @property
    def retained_total(self) -> Decimal:
        return sum((project.cost for project in self.retained), Decimal(0))

    @property
    def proposed_total(self) -> Decimal:
        return sum((project.cost for project in self.projects), Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return Decimal(self.campaign.envelope) - self.retained_total

    @property
    def retained_share(self) -> Decimal | None:
        """The retained total as a percentage of the envelope (None for an empty one)."""
        return rate(self.retained_total, Decimal(self.campaign.envelope))


def _projects() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "projects",
        queryset=ParticipatoryProject.objects.select_related("item").order_by("-votes", "pk"),
    )


def budget_get(*, collectivity: Collectivity, year: object) -> Budget | None:
    """The collectivity's budget of `year` (None for no such year, or a bad number)."""
    number = whole_number(year, minimum=YEAR_MIN, maximum=YEAR_MAX)
    if number is None:
        return None
    found = Budget.objects.filter(collectivity=collectivity, year=number).first()
    if found is not None:
        found.collectivity = collectivity
    return found


def campaign_list(*, budget: Budget) -> list[Campaign]:
    """The budget's campaigns, oldest first, each with its projects, their budget lines,
    its consultation and its survey (two queries)."""
    campaigns = (
        ParticipatoryBudget.objects.filter(budget=budget)
        .select_related("consultation", "survey")
        .prefetch_related(_projects())
        .order_by("pk")
    )
    for campaign in campaigns:
        campaign.budget = budget  # the caller's, with its collectivity
    return [Campaign(campaign=c, projects=list(c.projects.all())) for c in campaigns]


def campaign_get(*, budget: Budget, pk: object) -> ParticipatoryBudget | None:
    """A campaign of the budget (None for another budget's or a bad id)."""
    key = _pk(pk)
    if key is None:
        return None
    found = ParticipatoryBudget.objects.filter(budget=budget, pk=key).first()
    if found is not None:
        found.budget = budget
    return found


def project_get(*, campaign: ParticipatoryBudget, pk: object) -> ParticipatoryProject | None:
    """A project of the campaign (None for another campaign's or a bad id)."""
    key = _pk(pk)
    if key is None:
        return None
    found = ParticipatoryProject.objects.filter(campaign=campaign, pk=key).first()
    if found is not None:
        found.campaign = campaign
    return found


def campaign_public_get(*, collectivity: Collectivity, year: object, pk: object) -> Campaign | None:
    """A campaign of the collectivity's budget of `year`, with its projects by votes,
    their budget lines, its consultation and survey (two queries); None when there is no
    such campaign, or for a bad year or id."""
    number = whole_number(year, minimum=YEAR_MIN, maximum=YEAR_MAX)
    key = _pk(pk)
    if number is None or key is None:
        return None
    found = (
        ParticipatoryBudget.objects.filter(
            budget__collectivity=collectivity, budget__year=number, pk=key
        )
        .select_related("budget", "consultation", "survey")
        .prefetch_related(_projects())
        .first()
    )
    if found is None:
        return None
    found.budget.collectivity = collectivity
    return Campaign(campaign=found, projects=list(found.projects.all()))


def investment_lines(budget: Budget) -> list[BudgetItem]:
    """The budget's investment expenditure lines, by code: where a retained project may
    flow (one query)."""
    return list(
        BudgetItem.objects.filter(
            budget=budget, direction=Direction.EXPENDITURE, section=Section.INVESTMENT
        ).order_by("code")
    )


def consultation_choices(*, collectivity: Collectivity) -> list[Consultation]:
    """The collectivity's consultations, newest first (one query)."""
    return list(Consultation.objects.filter(collectivity=collectivity).order_by("-opens_at", "-pk"))


def survey_choices(*, collectivity: Collectivity) -> list[Survey]:
    """The collectivity's surveys (drafts too), newest first (one query)."""
    return list(Survey.objects.filter(collectivity=collectivity).order_by("-opens_at", "-pk"))
