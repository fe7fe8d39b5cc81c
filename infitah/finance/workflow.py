"""The vocabularies of budgets and procurement.

A budget is read by phase (`Phase`): the proposed budget, the approved one, amended ones
(supplementary budgets), and the execution, imported again during the year. Every import
of a phase is a new `BudgetVersion`; the current figures of a phase are those of its
latest version.

A procurement process follows its stages (`Stage`): planned (an item of the forecast
programme), tender, award, contract, implementation (payments), with amendments of the
contract; it may be cancelled or unsuccessful. Each recorded step is an OCDS release
(`infitah/finance/ocds.py`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    """Open Fiscal Data Package's budget phases."""

    PROPOSED = "proposed", pgettext_lazy("budget phase", "Proposed")
    APPROVED = "approved", pgettext_lazy("budget phase", "Approved")
    AMENDED = "amended", pgettext_lazy("budget phase", "Amended")
    EXECUTED = "executed", pgettext_lazy("budget phase", "Executed")


class Direction(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    EXPENDITURE = "expenditure", _("Expenditure")


class Section(models.TextChoices):
    """The two parts of a collectivity's budget."""

    OPERATING = "operating", _("Operating")
    INVESTMENT = "investment", _("Investment")


class GenderMarker(models.IntegerChoices):
    """The gender marker of an expenditure (OECD DAC style, as Morocco's gender-responsive
    budgeting uses it)."""

    NOT_TARGETED = 0, _("0 — not targeted")
    SIGNIFICANT = 1, _("1 — significant objective")
    PRINCIPAL = 2, _("2 — principal objective")


class KeyDocument(models.TextChoices):
    """The Open Budget Survey's eight key budget documents."""

    PRE_BUDGET = "pre_budget", _("Pre-budget statement")
    PROPOSAL = "proposal", _("Budget proposal")
    ENACTED = "enacted", _("Enacted budget")
    CITIZENS = "citizens", _("Citizens budget")
    IN_YEAR = "in_year", _("In-year reports")
    MID_YEAR = "mid_year", _("Mid-year review")
    YEAR_END = "year_end", _("Year-end report")
    AUDIT = "audit", _("Audit report")


class Procedure(models.TextChoices):
    """Moroccan public procurement procedures (decree 2.22.431) and their OCDS method."""

    OPEN_TENDER = "open_tender", _("Open call for tenders (appel d'offres ouvert)")
    RESTRICTED_TENDER = "restricted_tender", _("Restricted call for tenders")
    CONTEST = "contest", _("Design contest (concours)")
    NEGOTIATED = "negotiated", _("Negotiated procedure")
    PURCHASE_ORDER = "purchase_order", _("Purchase order (bon de commande)")


# OCDS procurementMethod (closed codelist) for each procedure.
OCDS_METHOD = {
    Procedure.OPEN_TENDER: "open",
    Procedure.RESTRICTED_TENDER: "selective",
    Procedure.CONTEST: "selective",
    Procedure.NEGOTIATED: "limited",
    Procedure.PURCHASE_ORDER: "direct",
}


class Category(models.TextChoices):
    """OCDS mainProcurementCategory (closed codelist)."""

    GOODS = "goods", _("Goods")
    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")


class Stage(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("procurement stage", "Planned")
    TENDER = "tender", pgettext_lazy("procurement stage", "Tender")
    AWARDED = "awarded", pgettext_lazy("procurement stage", "Awarded")
    CONTRACTED = "contracted", pgettext_lazy("procurement stage", "Contract signed")
    IMPLEMENTATION = "implementation", pgettext_lazy("procurement stage", "In implementation")
    COMPLETED = "completed", pgettext_lazy("procurement stage", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("procurement stage", "Cancelled")
    UNSUCCESSFUL = "unsuccessful", pgettext_lazy("procurement stage", "Unsuccessful")


# The stages from which each step may be taken (the services check it).
STEP_FROM: dict[str, frozenset[str]] = {
    "tender": frozenset({Stage.PLANNED}),
    "award": frozenset({Stage.TENDER}),
    "contract": frozenset({Stage.AWARDED}),
    "amend": frozenset({Stage.CONTRACTED, Stage.IMPLEMENTATION}),
    "pay": frozenset({Stage.CONTRACTED, Stage.IMPLEMENTATION}),
    "complete": frozenset({Stage.CONTRACTED, Stage.IMPLEMENTATION}),
    "cancel": frozenset({Stage.PLANNED, Stage.TENDER}),
    "unsuccessful": frozenset({Stage.TENDER}),
}


class Quarter(models.IntegerChoices):
    Q1 = 1, _("First quarter")
    Q2 = 2, _("Second quarter")
    Q3 = 3, _("Third quarter")
    Q4 = 4, _("Fourth quarter")
