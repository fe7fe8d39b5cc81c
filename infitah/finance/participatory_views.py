"""Participatory budgeting pages.

Staff, under /<lang>/staff/<slug>/finance/budgets/<year>/participatory/ (the finance
unit, Perm.FINANCE_MANAGE; 404 for anyone else): the year's campaigns with their
projects and totals against the envelope; forms to open or change a campaign, add,
change or remove a project, record votes from the survey, retain a project on an
investment line or release it. Every form posts to its own route: success redirects to
the year's page with a message, bad input draws the form again with its errors (400).

Public, under /<lang>/c/<slug>/finance/budgets/<year>/participatory/<pk>/: a campaign,
its envelope, its consultation and survey, its projects by votes, the retained ones
with their budget line, and the retained total against the envelope. Only network
members have it (404 otherwise). No JavaScript; lists and definition lists, no table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.finance import participatory_selectors as selectors
from infitah.finance.forms import DeleteForm, service_errors
from infitah.finance.models import Budget, ParticipatoryBudget, ParticipatoryProject
from infitah.finance.participatory_forms import CampaignForm, ProjectForm, RetainForm
from infitah.finance.services import participatory as services
from infitah.territories.selectors import network_collectivity_or_404

MANAGE = staff_view(Perm.FINANCE_MANAGE)
SAVED = gettext_lazy("Saved.")
TEMPLATES = "finance/participatory"


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: a confirmation button), else None."""
    return request.POST if request.method == "POST" else None


def _budget(request: HttpRequest, year: object) -> Budget:
    found = selectors.budget_get(collectivity=_collectivity(request), year=year)
    if found is None:
        raise Http404
    return found


def _campaign(request: HttpRequest, year: object, pk: object) -> ParticipatoryBudget:
    found = selectors.campaign_get(budget=_budget(request, year), pk=pk)
    if found is None:
        raise Http404
    return found


def _project(
    request: HttpRequest, year: object, pk: object, project: object
) -> ParticipatoryProject:
    found = selectors.project_get(campaign=_campaign(request, year, pk), pk=project)
    if found is None:
        raise Http404
    return found


def _year_url(budget: Budget, anchor: str = "") -> str:
    return (
        reverse(
            "finance-staff:participatory",
            kwargs={"slug": budget.collectivity.slug, "year": budget.year},
        )
        + anchor
    )


def _campaign_url(campaign: ParticipatoryBudget) -> str:
    return _year_url(campaign.budget, f"#campaign-{campaign.pk}")


def _project_url(project: ParticipatoryProject) -> str:
    return _year_url(project.campaign.budget, f"#project-{project.pk}")


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[Any], object],
    *,
    budget: Budget,
    title: str | Promise,
    button: str | Promise,
    back: str,
    done: str | Promise | Callable[[Any], str] = SAVED,
    then: Callable[[Any], str] | None = None,
    intro: str | Promise = "",
    danger: bool = False,
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(form)` (the service); its
    ValidationError goes beside the fields (400); success redirects to `then(result)`,
    else to `back`, with the message `done` (or `done(result)`)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = call(form)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, done(result) if callable(done) else str(done))
                return redirect(then(result) if then is not None else back)
    return render(
        request,
        f"{TEMPLATES}/staff_form.html",
        {
            "collectivity": budget.collectivity,
            "budget": budget,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "action": request.get_full_path(),
            "intro": intro,
            "danger": danger,
        },
        status=status,
    )


# --------------------------------------------------------------------------------- staff


@MANAGE
def staff_participatory(request: HttpRequest, year: int) -> HttpResponse:
    """The year's campaigns, each with its projects by votes and its totals."""
    budget = _budget(request, year)
    return render(
        request,
        f"{TEMPLATES}/staff_year.html",
        {
            "collectivity": budget.collectivity,
            "budget": budget,
            "campaigns": selectors.campaign_list(budget=budget),
            "cap": selectors.investment_expenditure(budget),
        },
    )


def _campaign_form(
    request: HttpRequest, budget: Budget, campaign: ParticipatoryBudget | None = None
) -> CampaignForm:
    collectivity = budget.collectivity
    return CampaignForm(
        _posted(request),
        consultations=selectors.consultation_choices(collectivity=collectivity),
        surveys=selectors.survey_choices(collectivity=collectivity),
        campaign=campaign,
    )


@MANAGE
def campaign_add(request: HttpRequest, year: int) -> HttpResponse:
    budget = _budget(request, year)
    return _form_page(
        request,
        _campaign_form(request, budget),
        lambda form: services.participatory_save(
            budget=budget, actor=_user(request), data=form.cleaned_data
        ),
        budget=budget,
        title=gettext_lazy("Open a participatory budget"),
        button=gettext_lazy("Open it"),
        back=_year_url(budget),
        then=_campaign_url,
        intro=gettext_lazy(
            "Citizens propose projects in the consultation and vote in the survey; the "
            "retained projects flow into investment lines of the budget."
        ),
    )


@MANAGE
def campaign_edit(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, year, pk)
    budget = campaign.budget
    return _form_page(
        request,
        _campaign_form(request, budget, campaign),
        lambda form: services.participatory_save(
            budget=budget, actor=_user(request), data=form.cleaned_data, campaign=campaign
        ),
        budget=budget,
        title=_("Participatory budget: %(title)s") % {"title": campaign.title},
        button=gettext_lazy("Save"),
        back=_campaign_url(campaign),
        then=_campaign_url,
    )


@MANAGE
def votes_record(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Record the projects' votes from the campaign's survey (a confirmation)."""
    campaign = _campaign(request, year, pk)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: services.project_votes_from_survey(campaign=campaign, actor=_user(request)),
        budget=campaign.budget,
        title=_("Record the votes of the survey: %(title)s") % {"title": campaign.title},
        button=gettext_lazy("Record the votes"),
        back=_campaign_url(campaign),
        done=lambda count: (
            ngettext(
                "Votes recorded for %(count)d project.",
                "Votes recorded for %(count)d projects.",
                count,
            )
            % {"count": count}
        ),
        intro=gettext_lazy(
            "Each project receives the answers counted for the survey options whose label "
            "is its title (in Arabic or in French); a project no option names keeps its "
            "votes."
        ),
    )


@MANAGE
def project_add(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, year, pk)
    return _form_page(
        request,
        ProjectForm(_posted(request)),
        lambda form: services.project_save(
            campaign=campaign, actor=_user(request), data=form.cleaned_data
        ),
        budget=campaign.budget,
        title=_("Add a project to “%(title)s”") % {"title": campaign.title},
        button=gettext_lazy("Add the project"),
        back=_campaign_url(campaign),
        then=_project_url,
    )


@MANAGE
def project_edit(request: HttpRequest, year: int, pk: int, project: int) -> HttpResponse:
    found = _project(request, year, pk, project)
    return _form_page(
        request,
        ProjectForm(_posted(request), initial=ProjectForm.initial_of(found)),
        lambda form: services.project_save(
            campaign=found.campaign, actor=_user(request), data=form.cleaned_data, project=found
        ),
        budget=found.campaign.budget,
        title=_("Project: %(title)s") % {"title": found.title},
        button=gettext_lazy("Save"),
        back=_project_url(found),
        then=_project_url,
    )


@MANAGE
def project_delete(request: HttpRequest, year: int, pk: int, project: int) -> HttpResponse:
    found = _project(request, year, pk, project)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: services.project_delete(project=found, actor=_user(request)),
        budget=found.campaign.budget,
        title=_("Remove the project “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Remove the project"),
        back=_campaign_url(found.campaign),
        done=gettext_lazy("The project is removed."),
        danger=True,
    )


@MANAGE
def project_retain(request: HttpRequest, year: int, pk: int, project: int) -> HttpResponse:
    found = _project(request, year, pk, project)
    budget = found.campaign.budget
    return _form_page(
        request,
        RetainForm(_posted(request), lines=selectors.investment_lines(budget), project=found),
        lambda form: services.project_retain(
            project=found, actor=_user(request), item=form.cleaned_data["item"]
        ),
        budget=budget,
        title=_("Retain the project “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Retain the project"),
        back=_project_url(found),
        done=gettext_lazy("The project is retained."),
        then=_project_url,
    )


@MANAGE
def project_release(request: HttpRequest, year: int, pk: int, project: int) -> HttpResponse:
    found = _project(request, year, pk, project)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: services.project_release(project=found, actor=_user(request)),
        budget=found.campaign.budget,
        title=_("Release the project “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Release the project"),
        back=_project_url(found),
        done=gettext_lazy("The project is no longer retained."),
        then=_project_url,
        intro=gettext_lazy("The project stays in the list, without its budget line."),
        danger=True,
    )


# -------------------------------------------------------------------------------- public


@require_GET
def participatory(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """A campaign: its envelope, consultation and survey, projects by votes, the
    retained ones with their budget line, the retained total against the envelope."""
    collectivity = network_collectivity_or_404(slug)
    page = selectors.campaign_public_get(collectivity=collectivity, year=year, pk=pk)
    if page is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/public.html",
        {
            "collectivity": collectivity,
            "budget": page.campaign.budget,
            "page": page,
            "campaign": page.campaign,
        },
    )
