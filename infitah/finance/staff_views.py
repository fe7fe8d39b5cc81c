"""Staff pages of budgets, under /<lang>/staff/<slug>/finance/.

The finance unit (Perm.FINANCE_MANAGE) opens every page: the budgets by year, a year's
page (imports and their versions, the lines with their current amount per phase and the
bulk tagging form, the key documents, the equality body's comments), a line's page
(amounts in every version, tags, beneficiaries indicators). The advisory secretariat
(Perm.ADVISORY_MANAGE) opens only the page where the equality body comments on a year's
budget. Everyone else gets 404, as on every staff URL.

Every form posts to its own route: success redirects (with a message) to the page it
came from; bad input draws the form again with the errors (400). A refused import lists
the file's errors by row. No page needs JavaScript; lines are a list of cards, not a
wide table, on a 360 px phone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.finance import selectors
from infitah.finance.forms import (
    BudgetOpenForm,
    BulkTagForm,
    CommentForm,
    DeleteForm,
    ImportForm,
    IndicatorForm,
    KeyDocumentForm,
    TagForm,
    service_errors,
)
from infitah.finance.importer import MAX_ERRORS, column_names
from infitah.finance.models import Budget, BudgetItem, BudgetVersion, GenderIndicator
from infitah.finance.services import budget as services
from infitah.finance.workflow import Direction, KeyDocument, Phase, Section
from infitah.lib.casework import private

MANAGE = staff_view(Perm.FINANCE_MANAGE)
ADVISE = staff_view(Perm.ADVISORY_MANAGE)
SAVED = gettext_lazy("Saved.")
LINES_PER_PAGE = 50
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: a confirmation button), else None."""
    return request.POST if request.method == "POST" else None


def _budget(request: HttpRequest, year: object) -> Budget:
    found = selectors.budget_get(collectivity=_collectivity(request), year=year)
    if found is None:
        raise Http404
    return found


def _item(budget: Budget, pk: object) -> BudgetItem:
    found = selectors.item_get(budget, pk)
    if found is None:
        raise Http404
    return found


def _indicator(item: BudgetItem, pk: object) -> GenderIndicator:
    found = selectors.indicator_get(item, pk)
    if found is None:
        raise Http404
    return found


def _budget_url(budget: Budget, anchor: str = "", query: str = "") -> str:
    url = reverse(
        "finance-staff:budget", kwargs={"slug": budget.collectivity.slug, "year": budget.year}
    )
    return url + (f"?{query}" if query else "") + anchor


def _item_url(item: BudgetItem, anchor: str = "") -> str:
    budget = item.budget
    url = reverse(
        "finance-staff:budget-item",
        kwargs={"slug": budget.collectivity.slug, "year": budget.year, "item": item.pk},
    )
    return url + anchor


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[Any], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    budget: Budget | None = None,
    item: BudgetItem | None = None,
    done: str | Promise = SAVED,
    then: Callable[[Any], str] | None = None,
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
    return render(
        request,
        "finance/staff/budget/form.html",
        {
            "collectivity": _collectivity(request),
            "budget": budget,
            "item": item,
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


# --------------------------------------------------------------------------------- home


@MANAGE
def home(request: HttpRequest) -> HttpResponse:
    """The collectivity's budgets by year with their versions per phase; a year to open."""
    collectivity = _collectivity(request)
    return render(
        request,
        "finance/staff/budget/home.html",
        {
            "collectivity": collectivity,
            "budgets": selectors.budget_list(collectivity=collectivity),
            "form": BudgetOpenForm(),
        },
    )


@MANAGE
def budget_open(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    return _form_page(
        request,
        BudgetOpenForm(_posted(request)),
        lambda form: services.budget_get_or_create(
            collectivity=collectivity, actor=_user(request), year=form.cleaned_data["year"]
        ),
        title=gettext_lazy("Open a year's budget"),
        button=gettext_lazy("Open the budget"),
        back=reverse("finance-staff:home", kwargs={"slug": collectivity.slug}),
        done=gettext_lazy("The budget is open: import its spreadsheets."),
        then=_budget_url,
    )


# ------------------------------------------------------------------------------- a year


def _lines_page(request: HttpRequest, budget: Budget) -> tuple[Page[Any], selectors.LineFilter]:
    filters = selectors.line_filter(request.GET)
    paginator = Paginator(selectors.item_query(budget, filters), LINES_PER_PAGE)
    return paginator.get_page(request.GET.get("page")), filters


def _budget_page(
    request: HttpRequest,
    budget: Budget,
    *,
    tag_form: BulkTagForm | None = None,
    page: Page[Any] | None = None,
    filters: selectors.LineFilter | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = selectors.version_list(budget)
    current = selectors.current_versions(versions)
    if page is None or filters is None:
        page, filters = _lines_page(request, budget)
    items = list(page.object_list)
    functions = selectors.function_list()
    if tag_form is None:
        tag_form = BulkTagForm(items=items, functions=functions)
    query = filters.query()
    rows = selectors.line_rows(items, current)
    return render(
        request,
        "finance/staff/budget/budget.html",
        {
            "collectivity": budget.collectivity,
            "budget": budget,
            "phases": selectors.by_phase(versions),
            "phase_labels": [phase.label for phase in Phase],
            "counts": selectors.tag_counts(budget),
            "page": page,
            "lines": [(row, tag_form.fields_of(row.item)) for row in rows],
            "tag_form": tag_form,
            "error_forms": [tag_form],
            "filters": filters,
            "query": urlencode(query),
            "tag_action": reverse(
                "finance-staff:budget-tag",
                kwargs={"slug": budget.collectivity.slug, "year": budget.year},
            )
            + "?"
            + urlencode({**query, "page": page.number}),
            "directions": Direction.choices,
            "sections": Section.choices,
            "import_form": ImportForm(),
            "key_documents": selectors.key_documents(budget),
            "comments": selectors.comment_list(budget),
            "can_comment": has_perm(_user(request), Perm.ADVISORY_MANAGE, budget.collectivity),
        },
        status=status,
    )


@MANAGE
def budget(request: HttpRequest, year: int) -> HttpResponse:
    return _budget_page(request, _budget(request, year))


@MANAGE
def budget_tag(request: HttpRequest, year: int) -> HttpResponse:
    """The bulk tagging form of a page of lines (its filters and page in the query)."""
    found = _budget(request, year)
    page, filters = _lines_page(request, found)
    back = _budget_url(found, "#lines", urlencode({**filters.query(), "page": page.number}))
    if request.method != "POST":
        return redirect(back)
    items = list(page.object_list)
    form = BulkTagForm(request.POST, items=items, functions=selectors.function_list())
    if form.is_valid():
        try:
            count = services.items_tag(budget=found, actor=_user(request), changes=form.changes())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Lines tagged: %(count)d.") % {"count": count})
            return redirect(back)
    return _budget_page(request, found, tag_form=form, page=page, filters=filters, status=400)


@MANAGE
def budget_import(request: HttpRequest, year: int) -> HttpResponse:
    """Import a spreadsheet as the next version of a phase; a refused file's errors are
    listed by row (400)."""
    found = _budget(request, year)
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    problems: list[Any] = []
    truncated = False
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.budget_import(
                    budget=found,
                    actor=_user(request),
                    phase=data["phase"],
                    file=data["file"],
                    as_of=data["as_of"],
                    note=data["note"],
                )
            except services.BudgetImportError as exc:
                service_errors(form, exc)
                problems, truncated = exc.problems, exc.truncated
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(phase)s, version %(number)d, imported: %(lines)d line.",
                        "%(phase)s, version %(number)d, imported: %(lines)d lines.",
                        version.line_count,
                    )
                    % {
                        "phase": version.get_phase_display(),
                        "number": version.number,
                        "lines": version.line_count,
                    },
                )
                return redirect(_budget_url(found, "#versions"))
    return render(
        request,
        "finance/staff/budget/import.html",
        {
            "collectivity": found.collectivity,
            "budget": found,
            "form": form,
            "problems": problems,
            "truncated": truncated,
            "max_errors": MAX_ERRORS,
            "columns": column_names(),
            "action": request.path,
        },
        status=status,
    )


@MANAGE
def version_file(request: HttpRequest, year: int, version: int) -> HttpResponse:
    """The spreadsheet of a version, as imported (downloaded, never shown inline)."""
    found: BudgetVersion | None = selectors.version_get(_budget(request, year), version)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type or "application/octet-stream",
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return private(response)  # type: ignore[return-value]


# ------------------------------------------------------------------------------- a line


@MANAGE
def budget_item(request: HttpRequest, year: int, item: int) -> HttpResponse:
    """A line: its amount in every version, its tags, beneficiaries and comments."""
    found = _item(_budget(request, year), item)
    return render(
        request,
        "finance/staff/budget/item.html",
        {
            "collectivity": found.budget.collectivity,
            "budget": found.budget,
            "item": found,
            "amounts": selectors.item_amounts(found),
            "indicators": selectors.indicator_list(found),
            "comments": selectors.comment_list(found.budget, item=found),
            "is_expenditure": found.direction == Direction.EXPENDITURE,
        },
    )


@MANAGE
def item_tag(request: HttpRequest, year: int, item: int) -> HttpResponse:
    found = _item(_budget(request, year), item)
    form = TagForm(
        _posted(request),
        item=found,
        functions=selectors.function_list(),
        commitments=selectors.commitment_choices(collectivity=found.budget.collectivity),
    )
    return _form_page(
        request,
        form,
        lambda form: services.item_tag(
            item=found,
            actor=_user(request),
            function=form.cleaned_data.get("function"),
            gender_marker=form.cleaned_data.get("gender_marker"),
            commitment=form.cleaned_data.get("commitment"),
        ),
        title=_("Tag the line %(code)s") % {"code": found.code},
        button=gettext_lazy("Save"),
        back=_item_url(found),
        budget=found.budget,
        item=found,
    )


@MANAGE
def indicator_add(request: HttpRequest, year: int, item: int) -> HttpResponse:
    found = _item(_budget(request, year), item)
    if found.direction != Direction.EXPENDITURE:
        raise Http404
    return _form_page(
        request,
        IndicatorForm(_posted(request)),
        lambda form: services.gender_indicator_save(
            item=found, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("Add a beneficiaries indicator"),
        button=gettext_lazy("Add the indicator"),
        back=_item_url(found, "#beneficiaries"),
        budget=found.budget,
        item=found,
    )


@MANAGE
def indicator_edit(request: HttpRequest, year: int, item: int, indicator: int) -> HttpResponse:
    found = _item(_budget(request, year), item)
    measure = _indicator(found, indicator)
    return _form_page(
        request,
        IndicatorForm(_posted(request), initial=IndicatorForm.initial_of(measure)),
        lambda form: services.gender_indicator_save(
            item=found, actor=_user(request), data=form.cleaned_data, indicator=measure
        ),
        title=_("Indicator: %(name)s") % {"name": measure.name},
        button=gettext_lazy("Save"),
        back=_item_url(found, "#beneficiaries"),
        budget=found.budget,
        item=found,
    )


@MANAGE
def indicator_delete(request: HttpRequest, year: int, item: int, indicator: int) -> HttpResponse:
    found = _item(_budget(request, year), item)
    measure = _indicator(found, indicator)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: services.gender_indicator_delete(indicator=measure, actor=_user(request)),
        title=_("Remove the indicator “%(name)s”") % {"name": measure.name},
        button=gettext_lazy("Remove the indicator"),
        back=_item_url(found, "#beneficiaries"),
        done=gettext_lazy("The indicator is removed."),
        budget=found.budget,
        item=found,
        danger=True,
    )


# ------------------------------------------------------------- comments, key documents


@ADVISE
def comment(request: HttpRequest, year: int) -> HttpResponse:
    """The equality advisory body's comments on a year's budget, and the form to post
    one (the advisory secretariat writes it for the body)."""
    found = _budget(request, year)
    collectivity = found.collectivity
    bodies = selectors.body_choices(collectivity=collectivity)
    form = CommentForm(_posted(request), bodies=bodies, items=selectors.expenditure_items(found))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.gender_comment_post(
                    budget=found,
                    actor=_user(request),
                    body=data["body"],
                    text=data["text"],
                    item=data.get("item") or None,
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The comment is posted."))
                return redirect(request.path + "#comments")
    return render(
        request,
        "finance/staff/budget/comments.html",
        {
            "collectivity": collectivity,
            "budget": found,
            "form": form,
            "bodies": bodies,
            "comments": selectors.comment_list(found),
            "can_manage": has_perm(_user(request), Perm.FINANCE_MANAGE, collectivity),
            "action": request.path,
        },
        status=status,
    )


@MANAGE
def document_link(request: HttpRequest, year: int) -> HttpResponse:
    found = _budget(request, year)
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in KeyDocument.values else {}
    return _form_page(
        request,
        KeyDocumentForm(
            _posted(request),
            initial=initial,
            documents=selectors.document_choices(collectivity=found.collectivity, year=found.year),
        ),
        lambda form: services.key_document_link(
            budget=found,
            actor=_user(request),
            kind=form.cleaned_data["kind"],
            document=form.cleaned_data["document"],
        ),
        title=gettext_lazy("Link a key budget document"),
        button=gettext_lazy("Link the document"),
        back=_budget_url(found, "#documents"),
        budget=found,
        intro=gettext_lazy(
            "Publish the document in the publication module first; then say here which "
            "of the eight key documents it is."
        ),
    )


@MANAGE
def document_unlink(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    found = _budget(request, year)
    if kind not in KeyDocument.values:
        raise Http404
    label = KeyDocument(kind).label
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: services.key_document_unlink(budget=found, actor=_user(request), kind=kind),
        title=_("Unlink the “%(kind)s”") % {"kind": label},
        button=gettext_lazy("Unlink"),
        back=_budget_url(found, "#documents"),
        done=gettext_lazy("The document is unlinked (it stays published)."),
        budget=found,
        danger=True,
    )
