"""Staff procurement pages, under /<lang>/staff/<slug>/finance/procurement/
(Perm.FINANCE_MANAGE in the collectivity of the URL; 404 for anybody else):

- `procurement`: a year's forecast programme (add, edit, remove items; publish it), the
  processes of the year with their stage, and a process outside the programme;
- `process`: a process — its stage, call for tenders, awards, contracts, amendments,
  payments, documents, the OCDS releases recorded (tag, date), and the forms of the
  steps its stage allows, each posting to its own route (`process-step`,
  `contract-step`).

Every form posts to its own route: success redirects to the page it came from with a
message; bad input draws the form again with the errors beside the fields and summed up
above it (400); a step the stage no longer allows sends back to the process with the
reason. No JavaScript; lists, not wide tables (360 px).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.finance import procurement_selectors as selectors
from infitah.finance.models import Contract, PlannedItem, Process, ProcurementPlan
from infitah.finance.procurement_forms import (
    AmendmentForm,
    AwardForm,
    ConfirmForm,
    ContractForm,
    DocumentForm,
    PaymentForm,
    PlannedItemForm,
    ProcessForm,
    ReasonForm,
    TenderForm,
    service_errors,
)
from infitah.finance.procurement_views import record_url, stored_file_response, year_or_404
from infitah.finance.services import procurement
from infitah.finance.workflow import STEP_FROM, Stage
from infitah.lib.casework import private
from infitah.territories.models import Collectivity

MANAGE = staff_view(Perm.FINANCE_MANAGE)
TEMPLATES = "finance/procurement"
PROCESSES_PAGE_SIZE = 50
SAVED = gettext_lazy("Saved.")


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: a confirmation button), else None."""
    return request.POST if request.method == "POST" else None


def _year_url(collectivity: Collectivity, year: int, anchor: str = "") -> str:
    url = reverse("finance-staff:procurement", kwargs={"slug": collectivity.slug, "year": year})
    return url + anchor


def _process_url(process: Process, anchor: str = "") -> str:
    url = reverse(
        "finance-staff:process", kwargs={"slug": process.collectivity.slug, "pk": process.pk}
    )
    return url + anchor


def _process(request: HttpRequest, pk: int) -> Process:
    found = selectors.process_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _plan(request: HttpRequest, year: int) -> ProcurementPlan:
    found = selectors.plan_get(collectivity=_collectivity(request), year=year_or_404(year))
    if found is None:
        raise Http404
    return found


def _item(plan: ProcurementPlan, pk: int) -> PlannedItem:
    found = selectors.planned_item_get(plan=plan, pk=pk)
    if found is None:
        raise Http404
    return found


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[Form], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    done: str | Promise = SAVED,
    then: Callable[[Any], str] | None = None,
    process: Process | None = None,
    year: int | None = None,
    multipart: bool = False,
    intro: str | Promise = "",
    danger: bool = False,
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(form)` (the service); its
    ValidationError goes beside the fields (400); success redirects to `then(result)`,
    else to `back`, with the message `done`."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = call(form)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, str(done))
                return redirect(then(result) if then is not None else back)
    return private(
        render(
            request,
            f"{TEMPLATES}/staff_form.html",
            {
                "collectivity": _collectivity(request),
                "process": process,
                "year": year if year is not None else (process.year if process else None),
                "form": form,
                "title": title,
                "button": button,
                "back": back,
                "multipart": multipart,
                "action": request.path,
                "intro": intro,
                "danger": danger,
            },
            status=status,
        )
    )


def _choices(collectivity: Collectivity, year: int) -> dict[str, Any]:
    return {
        "lines": selectors.budget_line_choices(collectivity=collectivity, year=year),
        "commitments": selectors.commitment_choices(collectivity=collectivity),
    }


# --- the year ---------------------------------------------------------------------------------


@MANAGE
@require_GET
def procurement_page(request: HttpRequest, year: int) -> HttpResponse:
    collectivity = _collectivity(request)
    year = year_or_404(year)
    plan = selectors.plan_get(collectivity=collectivity, year=year)
    items = list(selectors.planned_item_list(plan=plan)) if plan is not None else []
    processes = Paginator(
        selectors.process_list(collectivity=collectivity, year=year), PROCESSES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return private(
        render(
            request,
            f"{TEMPLATES}/staff_year.html",
            {
                "collectivity": collectivity,
                "year": year,
                "plan": plan,
                "items": items,
                "processes": processes,
                "years": selectors.procurement_years(collectivity=collectivity, public=False),
                "previous_year": year - 1,
                "next_year": year + 1,
                "is_public": collectivity.is_network_member,
            },
        )
    )


@MANAGE
def item_add(request: HttpRequest, year: int) -> HttpResponse:
    collectivity = _collectivity(request)
    year = year_or_404(year)
    return _form_page(
        request,
        PlannedItemForm(_posted(request), **_choices(collectivity, year)),
        lambda form: procurement.planned_item_add(
            collectivity=collectivity, actor=_user(request), year=year, data=form.cleaned_data
        ),
        title=_("Add an item to the forecast programme %(year)d") % {"year": year},
        button=gettext_lazy("Add the item"),
        back=_year_url(collectivity, year, "#plan"),
        done=gettext_lazy("The item is added to the forecast programme."),
        year=year,
        intro=gettext_lazy(
            "Once the programme is published, an item added gets its procurement process "
            "at once, and the public page shows the day it was added."
        ),
    )


@MANAGE
def item_edit(request: HttpRequest, year: int, item: int) -> HttpResponse:
    plan = _plan(request, year)
    found = _item(plan, item)
    return _form_page(
        request,
        PlannedItemForm(
            _posted(request),
            initial=PlannedItemForm.initial_of(found),
            **_choices(plan.collectivity, plan.year),
        ),
        lambda form: procurement.planned_item_save(
            plan=plan, actor=_user(request), data=form.cleaned_data, item=found
        ),
        title=_("Item %(number)d of the forecast programme") % {"number": found.number},
        button=gettext_lazy("Save"),
        back=_year_url(plan.collectivity, plan.year, "#plan"),
        year=plan.year,
        intro=gettext_lazy(
            "While its process is planned, the process follows the item; once the call "
            "for tenders is out, the item no longer changes."
        ),
    )


@MANAGE
def item_delete(request: HttpRequest, year: int, item: int) -> HttpResponse:
    plan = _plan(request, year)
    found = _item(plan, item)
    return _form_page(
        request,
        ConfirmForm(_posted(request)),
        lambda form: procurement.planned_item_delete(item=found, actor=_user(request)),
        title=_("Remove item %(number)d: %(object)s")
        % {"number": found.number, "object": found.object},
        button=gettext_lazy("Remove the item"),
        back=_year_url(plan.collectivity, plan.year, "#plan"),
        done=gettext_lazy("The item is removed."),
        year=plan.year,
        intro=gettext_lazy(
            "Only an item of a programme not yet published can be removed: after the "
            "publication, its process is cancelled instead."
        ),
        danger=True,
    )


@MANAGE
def plan_publish(request: HttpRequest, year: int) -> HttpResponse:
    plan = _plan(request, year)
    return _form_page(
        request,
        ConfirmForm(_posted(request)),
        lambda form: procurement.plan_publish(plan=plan, actor=_user(request)),
        title=_("Publish the forecast programme %(year)d") % {"year": plan.year},
        button=gettext_lazy("Publish the programme"),
        back=_year_url(plan.collectivity, plan.year),
        done=gettext_lazy(
            "The forecast programme is published: each item is now a procurement process."
        ),
        year=plan.year,
        intro=gettext_lazy(
            "Each item becomes a procurement process with its identifier (ocid) and its "
            "first OCDS release; the public page shows the programme. Items can still be "
            "added afterwards, each addition dated."
        ),
    )


@MANAGE
def process_create(request: HttpRequest, year: int) -> HttpResponse:
    collectivity = _collectivity(request)
    year = year_or_404(year)
    return _form_page(
        request,
        ProcessForm(_posted(request), **_choices(collectivity, year)),
        lambda form: procurement.process_create(
            collectivity=collectivity,
            actor=_user(request),
            data={**form.cleaned_data, "year": year},
        ),
        title=_("A process outside the forecast programme %(year)d") % {"year": year},
        button=gettext_lazy("Create the process"),
        back=_year_url(collectivity, year, "#processes"),
        done=gettext_lazy("The process is created."),
        then=_process_url,
        year=year,
        intro=gettext_lazy(
            "A purchase order or a need the programme did not foresee. Give the call for "
            "tenders' details if it is already out: the process then starts at the tender."
        ),
    )


# --- a process ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A step of a process: its form, the service it calls, the stages it is taken from."""

    title: Promise
    button: Promise
    done: Promise
    stages: frozenset[str]
    form: Callable[[Process, Any, Any, str], Form]
    call: Callable[[Process, User, Form], object]
    multipart: bool = False
    danger: bool = False
    # Beyond the stage: whether the step has something to work on.
    ready: Callable[[Process], bool] = lambda process: True


def _contract_form(process: Process, data: Any, files: Any, auto_id: str) -> ContractForm:
    return ContractForm(
        data, awards=selectors.awards_without_contract(process=process), auto_id=auto_id
    )


STEPS: dict[str, Step] = {
    "tender": Step(
        title=gettext_lazy("Publish the call for tenders"),
        button=gettext_lazy("Record the call for tenders"),
        done=gettext_lazy("The call for tenders is recorded."),
        stages=STEP_FROM["tender"],
        form=lambda p, data, files, auto_id: TenderForm(
            data,
            initial={"estimated_amount": p.estimated_amount, "description": p.description},
            auto_id=auto_id,
        ),
        call=lambda p, user, form: procurement.tender_publish(
            process=p, actor=user, data=form.cleaned_data
        ),
    ),
    "tender-update": Step(
        title=gettext_lazy("Update the call for tenders"),
        button=gettext_lazy("Save the update"),
        done=gettext_lazy("The call for tenders is updated."),
        stages=procurement.TENDER_UPDATE_FROM,
        form=lambda p, data, files, auto_id: TenderForm(
            data, initial=TenderForm.initial_of(p), auto_id=auto_id
        ),
        call=lambda p, user, form: procurement.tender_update(
            process=p, actor=user, data=form.cleaned_data
        ),
    ),
    "award": Step(
        title=gettext_lazy("Record an award"),
        button=gettext_lazy("Record the award"),
        done=gettext_lazy("The award is recorded."),
        stages=procurement.AWARD_FROM,
        form=lambda p, data, files, auto_id: AwardForm(data, auto_id=auto_id),
        call=lambda p, user, form: procurement.award_record(
            process=p, actor=user, data=form.cleaned_data
        ),
    ),
    "contract": Step(
        title=gettext_lazy("Record a signed contract"),
        button=gettext_lazy("Record the contract"),
        done=gettext_lazy("The contract is recorded."),
        stages=procurement.CONTRACT_FROM,
        form=_contract_form,
        call=lambda p, user, form: procurement.contract_sign(
            process=p,
            actor=user,
            award=form.chosen(),  # type: ignore[attr-defined]
            data=form.cleaned_data,
        ),
        ready=lambda p: bool(selectors.awards_without_contract(process=p)),
    ),
    "complete": Step(
        title=gettext_lazy("Close the process as completed"),
        button=gettext_lazy("Close as completed"),
        done=gettext_lazy("The process is completed."),
        stages=STEP_FROM["complete"],
        form=lambda p, data, files, auto_id: ConfirmForm(data, auto_id=auto_id),
        call=lambda p, user, form: procurement.process_complete(process=p, actor=user),
    ),
    "unsuccessful": Step(
        title=gettext_lazy("Declare the call for tenders unsuccessful"),
        button=gettext_lazy("Declare it unsuccessful"),
        done=gettext_lazy("The call for tenders is declared unsuccessful."),
        stages=STEP_FROM["unsuccessful"],
        form=lambda p, data, files, auto_id: ReasonForm(data, auto_id=auto_id),
        call=lambda p, user, form: procurement.process_unsuccessful(
            process=p, actor=user, reason=form.cleaned_data["reason"]
        ),
        danger=True,
    ),
    "cancel": Step(
        title=gettext_lazy("Cancel the process"),
        button=gettext_lazy("Cancel the process"),
        done=gettext_lazy("The process is cancelled."),
        stages=STEP_FROM["cancel"],
        form=lambda p, data, files, auto_id: ReasonForm(data, auto_id=auto_id),
        call=lambda p, user, form: procurement.process_cancel(
            process=p, actor=user, reason=form.cleaned_data["reason"]
        ),
        danger=True,
    ),
    "document": Step(
        title=gettext_lazy("Publish a document"),
        button=gettext_lazy("Publish the document"),
        done=gettext_lazy("The document is published."),
        stages=frozenset(Stage.values),
        form=lambda p, data, files, auto_id: DocumentForm(data, files, auto_id=auto_id),
        call=lambda p, user, form: procurement.process_document_add(
            process=p,
            actor=user,
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
        ),
        multipart=True,
    ),
}


@dataclass(frozen=True)
class ContractStep:
    title: Promise
    button: Promise
    done: Promise
    stages: frozenset[str]
    form: Callable[[Any, str], Form]
    call: Callable[[Contract, User, Form], object]


CONTRACT_STEPS: dict[str, ContractStep] = {
    "pay": ContractStep(
        title=gettext_lazy("Record a payment"),
        button=gettext_lazy("Record the payment"),
        done=gettext_lazy("The payment is recorded."),
        stages=STEP_FROM["pay"],
        form=lambda data, auto_id: PaymentForm(data, auto_id=auto_id),
        call=lambda c, user, form: procurement.payment_record(
            contract=c, actor=user, data=form.cleaned_data
        ),
    ),
    "amend": ContractStep(
        title=gettext_lazy("Record an amendment"),
        button=gettext_lazy("Record the amendment"),
        done=gettext_lazy("The amendment is recorded."),
        stages=STEP_FROM["amend"],
        form=lambda data, auto_id: AmendmentForm(data, auto_id=auto_id),
        call=lambda c, user, form: procurement.contract_amend(
            contract=c, actor=user, data=form.cleaned_data
        ),
    ),
}


@dataclass(frozen=True)
class StepForm:
    """A step's form as the process page draws it, posting to the step's route."""

    title: Promise
    button: Promise
    action: str
    form: Form
    multipart: bool = False
    danger: bool = False


def _auto_id(step: str, contract: Contract | None = None) -> str:
    return f"id_{step.replace('-', '_')}{contract.pk if contract else ''}_%s"


def _not_now(request: HttpRequest, process: Process) -> HttpResponse:
    messages.error(
        request,
        _("This step cannot be taken while the process is “%(stage)s”.")
        % {"stage": Stage(process.stage).label},
    )
    return redirect(_process_url(process))


@MANAGE
@require_GET
def process_page(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity = _collectivity(request)
    detail = selectors.process_detail(collectivity=collectivity, pk=pk, with_releases=True)
    if detail is None:
        raise Http404
    process = detail.process
    for row in detail.contracts:
        row.forms = [
            StepForm(
                title=step.title,
                button=step.button,
                action=reverse(
                    "finance-staff:contract-step",
                    kwargs={
                        "slug": collectivity.slug,
                        "pk": process.pk,
                        "contract": row.contract.pk,
                        "step": name,
                    },
                ),
                form=step.form(None, _auto_id(name, row.contract)),
            )
            for name, step in CONTRACT_STEPS.items()
            if process.stage in step.stages
        ]
    step_forms = [
        StepForm(
            title=step.title,
            button=step.button,
            action=reverse(
                "finance-staff:process-step",
                kwargs={"slug": collectivity.slug, "pk": process.pk, "step": name},
            ),
            form=step.form(process, None, None, _auto_id(name)),
            multipart=step.multipart,
            danger=step.danger,
        )
        for name, step in STEPS.items()
        if process.stage in step.stages and step.ready(process)
    ]
    return private(
        render(
            request,
            f"{TEMPLATES}/staff_process.html",
            {
                "collectivity": collectivity,
                "detail": detail,
                "process": process,
                "year": process.year,
                "steps": step_forms,
                "record_url": record_url(collectivity.slug, process.ocid),
                "is_public": collectivity.is_network_member,
            },
        )
    )


@MANAGE
def process_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    process = _process(request, pk)
    spec = STEPS.get(step)
    if spec is None:
        raise Http404
    if process.stage not in spec.stages or not spec.ready(process):
        return _not_now(request, process)
    files = request.FILES if request.method == "POST" else None
    return _form_page(
        request,
        spec.form(process, _posted(request), files, _auto_id(step)),
        lambda form: spec.call(process, _user(request), form),
        title=spec.title,
        button=spec.button,
        back=_process_url(process),
        done=spec.done,
        process=process,
        multipart=spec.multipart,
        danger=spec.danger,
    )


@MANAGE
def contract_step(request: HttpRequest, pk: int, contract: int, step: str) -> HttpResponse:
    process = _process(request, pk)
    found = selectors.contract_get(process=process, pk=contract)
    spec = CONTRACT_STEPS.get(step)
    if found is None or spec is None:
        raise Http404
    if process.stage not in spec.stages:
        return _not_now(request, process)
    return _form_page(
        request,
        spec.form(_posted(request), _auto_id(step, found)),
        lambda form: spec.call(found, _user(request), form),
        title=_("%(step)s — contract %(reference)s")
        % {"step": spec.title, "reference": found.reference},
        button=spec.button,
        back=_process_url(process, "#contracts"),
        done=spec.done,
        process=process,
    )


@MANAGE
@require_GET
def process_document(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    """A document of the process, for staff (whether or not the collectivity's pages are
    public)."""
    document = selectors.document_get(process=_process(request, pk), pk=doc)
    if document is None:
        raise Http404
    return private(stored_file_response(document))  # type: ignore[return-value]
