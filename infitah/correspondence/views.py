"""Staff pages of the correspondence register, under /<lang>/staff/<slug>/correspondence/.

Every view is guarded by `staff_view(Perm.CORRESPONDENCE_REGISTER)` first, whatever the
method: anyone without that permission in the collectivity gets 404, for GET and POST
alike, before any other check (method, object, action).
"""

from __future__ import annotations

import csv
import inspect
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.correspondence import selectors, services
from infitah.correspondence.cases import (
    case_opener_allowed,
    case_opener_get,
    case_openers_for,
    case_type_list,
    case_url,
)
from infitah.correspondence.forms import (
    EntryForm,
    ExportForm,
    FilterForm,
    LinkForm,
    RouteForm,
    ServiceUnitCreateForm,
    ServiceUnitForm,
    SummaryForm,
)
from infitah.correspondence.models import Direction, Entry, ServiceUnit
from infitah.lib.csvsafe import csv_cell

PAGE_SIZE = 50
PERM = Perm.CORRESPONDENCE_REGISTER


def _form_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store, private"
    return response


def _entry_or_404(request: HttpRequest, year: int, number: int) -> Entry:
    found = selectors.entry_get(collectivity=_collectivity(request), year=year, number=number)
    if found is None:
        raise Http404
    return found


def _detail_url(entry: Entry) -> str:
    return reverse(
        "correspondence-staff:detail",
        kwargs={"slug": entry.collectivity.slug, "year": entry.year, "number": entry.number},
    )


# -------------------------------------------------------------------------------- list


@staff_view(PERM)
def staff_list(request: HttpRequest) -> HttpResponse:
    """The register, newest first, with filters; a constant number of queries."""
    collectivity = _collectivity(request)
    years = selectors.entry_years(collectivity=collectivity)
    filters = FilterForm(request.GET, collectivity=collectivity, years=years)
    rows = selectors.entry_list(collectivity=collectivity, **filters.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "correspondence/staff/list.html",
        {
            "collectivity": collectivity,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "export_form": ExportForm(initial={"from": date(today.year, 1, 1), "to": today}),
        },
    )


# ---------------------------------------------------------------------------- register


@staff_view(PERM)
def staff_register(request: HttpRequest) -> HttpResponse:
    """Register a letter; `?direction=outgoing&in_reply_to=2026/000123` prefills the form."""
    collectivity = _collectivity(request)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, collectivity=collectivity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.entry_register(
                    collectivity=collectivity,
                    actor=_user(request),
                    direction=data["direction"],
                    correspondent=data["correspondent"],
                    subject=data["subject"],
                    channel=data["channel"],
                    letter_date=data["letter_date"],
                    summary=data["summary"],
                    service=data["service"],
                    attachment=data["attachment"],
                    in_reply_to=data["in_reply_to"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Registered under the number %(number)s.") % {"number": entry.display_number},
                )
                return redirect(_detail_url(entry))
    else:
        direction = request.GET.get("direction", "")
        initial = {
            "direction": direction if direction in Direction.values else Direction.INCOMING,
            "in_reply_to": request.GET.get("in_reply_to", "")[:20],
        }
        form = EntryForm(initial=initial, collectivity=collectivity)
    return render(
        request,
        "correspondence/staff/register.html",
        {"collectivity": collectivity, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------ detail


def _detail_forms(entry: Entry, **bound: Form) -> dict[str, Form]:
    collectivity = entry.collectivity
    return {
        "route": bound.get("route")
        or RouteForm(
            collectivity=collectivity, initial={"service": entry.service_id}, auto_id="id_route_%s"
        ),
        "link": bound.get("link") or LinkForm(collectivity=collectivity, auto_id="id_link_%s"),
        "summary": bound.get("summary")
        or SummaryForm(initial={"summary": entry.summary}, auto_id="id_summary_%s"),
    }


def _detail_render(
    request: HttpRequest, entry: Entry, *, status: int = 200, **bound: Form
) -> HttpResponse:
    collectivity = entry.collectivity
    return render(
        request,
        "correspondence/staff/detail.html",
        {
            "collectivity": collectivity,
            "entry": entry,
            "case_url": case_url(entry),
            "openers": []
            if entry.has_case
            else case_openers_for(collectivity=collectivity, user=_user(request)),
            "can_link": bool(case_type_list()),
            "replies": selectors.entry_replies(entry=entry),
            "history": selectors.entry_history(entry=entry),
            "forms": _detail_forms(entry, **bound),
        },
        status=status,
    )


@staff_view(PERM)
def staff_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    return _detail_render(request, _entry_or_404(request, year, number))


def _act(request: HttpRequest, entry: Entry, action: str) -> tuple[Form, Callable[[], Any]] | None:
    """The bound form of `action` and the service call it leads to (None: unknown)."""
    user = _user(request)
    collectivity = entry.collectivity
    data = request.POST
    if action == "route":
        route = RouteForm(data, collectivity=collectivity, auto_id="id_route_%s")
        return route, lambda: services.entry_route(
            entry=entry, actor=user, service=route.cleaned_data["service"]
        )
    if action == "link":
        link = LinkForm(data, collectivity=collectivity, auto_id="id_link_%s")
        return link, lambda: services.entry_link_case(
            entry=entry,
            actor=user,
            case_type=link.cleaned_data["case_type"],
            case_id=link.cleaned_data["case_id"],
            case_reference=link.cleaned_data["reference"],
        )
    if action == "unlink":
        return Form(data), lambda: services.entry_link_case(
            entry=entry, actor=user, case_type="", case_id="", case_reference=""
        )
    if action == "summary":
        summary = SummaryForm(data, auto_id="id_summary_%s")
        return summary, lambda: services.entry_summary_edit(
            entry=entry, actor=user, summary=summary.cleaned_data["summary"]
        )
    return None


@staff_view(PERM)
def staff_action(request: HttpRequest, year: int, number: int, action: str) -> HttpResponse:
    """Route, link to a case, unlink, correct the summary (POST)."""
    entry = _entry_or_404(request, year, number)
    acting = _act(request, entry, action)
    if acting is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form, call = acting
    if form.is_valid():
        try:
            call()
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(entry))
    entry.refresh_from_db()
    return _detail_render(request, entry, status=400, **{action: form})


@staff_view(PERM)
def staff_open_case(request: HttpRequest, year: int, number: int, key: str) -> HttpResponse:
    """Open a case from the entry with a registered opener (infitah/correspondence/cases.py)."""
    entry = _entry_or_404(request, year, number)
    collectivity = entry.collectivity
    opener = case_opener_get(key)
    if opener is None or not case_opener_allowed(
        opener, collectivity=collectivity, user=_user(request)
    ):
        raise Http404
    # A form that knows its collectivity (e.g. the complaint's categories) is given it.
    form_kwargs: dict[str, Any] = (
        {"collectivity": collectivity}
        if "collectivity" in inspect.signature(opener.form_class.__init__).parameters
        else {}
    )
    if request.method == "POST":
        form = opener.form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                services.entry_open_case(
                    entry=entry, actor=_user(request), opener=opener, data=form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Case %(reference)s opened from the entry %(number)s.")
                    % {"reference": entry.case_reference, "number": entry.display_number},
                )
                return redirect(_detail_url(entry))
    else:
        form = opener.form_class(initial=opener.initial_for(entry), **form_kwargs)
    return render(
        request,
        "correspondence/staff/open_case.html",
        {"collectivity": collectivity, "entry": entry, "opener": opener, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_view(PERM)  # type: ignore[arg-type]  # staff_view is typed for HttpResponse
def staff_attachment(request: HttpRequest, year: int, number: int) -> HttpResponseBase:
    """The scanned letter, downloaded (never shown inline)."""
    entry = _entry_or_404(request, year, number)
    if not entry.attachment:
        raise Http404
    return _private(
        FileResponse(
            entry.attachment.open("rb"),
            as_attachment=True,
            filename=entry.attachment_name or entry.display_number.replace("/", "-"),
            content_type=entry.attachment_content_type or "application/octet-stream",
        )
    )


# ------------------------------------------------------------------------ service units


def _units_render(
    request: HttpRequest,
    *,
    create: Form | None = None,
    edited: tuple[int, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    collectivity = _collectivity(request)
    units = selectors.service_unit_list(collectivity=collectivity)
    rows: list[tuple[ServiceUnit, Form]] = []
    for unit in units:
        if edited is not None and edited[0] == unit.pk:
            rows.append((unit, edited[1]))
        else:
            initial = {
                "name_ar": unit.name_ar,
                "name_fr": unit.name_fr,
                "is_active": unit.is_active,
            }
            rows.append((unit, ServiceUnitForm(initial=initial, auto_id=f"id_unit{unit.pk}_%s")))
    return render(
        request,
        "correspondence/staff/units.html",
        {
            "collectivity": collectivity,
            "rows": rows,
            "create": create or ServiceUnitCreateForm(auto_id="id_new_%s"),
        },
        status=status,
    )


@staff_view(PERM)
def staff_units(request: HttpRequest) -> HttpResponse:
    """The collectivity's service units; POST creates one."""
    if request.method != "POST":
        return _units_render(request)
    collectivity = _collectivity(request)
    form = ServiceUnitCreateForm(request.POST, auto_id="id_new_%s")
    if form.is_valid():
        try:
            services.service_unit_create(
                collectivity=collectivity,
                actor=_user(request),
                name_ar=form.cleaned_data["name_ar"],
                name_fr=form.cleaned_data["name_fr"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("correspondence-staff:units", slug=collectivity.slug)
    return _units_render(request, create=form, status=400)


@staff_view(PERM)
def staff_unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a unit or make it (in)active (POST)."""
    collectivity = _collectivity(request)
    unit = selectors.service_unit_get(collectivity=collectivity, pk=pk)
    if unit is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ServiceUnitForm(request.POST, auto_id=f"id_unit{unit.pk}_%s")
    if form.is_valid():
        try:
            services.service_unit_update(
                unit=unit,
                actor=_user(request),
                name_ar=form.cleaned_data["name_ar"],
                name_fr=form.cleaned_data["name_fr"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("correspondence-staff:units", slug=collectivity.slug)
    return _units_render(request, edited=(unit.pk, form), status=400)


# -------------------------------------------------------------------------- CSV export


class _Echo:
    """A file-like object whose `write` returns the line: csv.writer without a buffer."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str | int | float:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return csv_cell(value)


def _csv_lines(rows: Iterable[tuple[Any, ...]], *, french: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The BOM tells Excel the file is UTF-8 (otherwise it reads Arabic as Windows-1252).
    yield "\ufeff" + str(writer.writerow(selectors.EXPORT_COLUMNS))
    chunk: list[str] = []
    for (
        year,
        number,
        direction,
        registered_at,
        letter_date,
        channel,
        correspondent,
        subject,
        unit_ar,
        unit_fr,
        case_reference,
    ) in rows:
        unit = (unit_fr or unit_ar) if french else (unit_ar or unit_fr)
        chunk.append(
            str(
                writer.writerow(
                    [
                        _cell(f"{year}/{number:06d}"),
                        _cell(direction),
                        _cell(registered_at),
                        _cell(letter_date),
                        _cell(channel),
                        _cell(correspondent),
                        _cell(subject),
                        _cell(unit),
                        _cell(case_reference),
                    ]
                )
            )
        )
        if len(chunk) >= 500:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


@staff_view(PERM)  # type: ignore[arg-type]  # staff_view is typed for HttpResponse
def staff_export(request: HttpRequest) -> HttpResponseBase:
    """The entries registered in a date range as CSV (UTF-8 with BOM), streamed.

    `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both inclusive, in the collectivity's local dates;
    a missing or malformed date, or an end before the start, is a 400 page.
    """
    collectivity = _collectivity(request)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "correspondence/staff/export_error.html",
            {"collectivity": collectivity, "form": form},
            status=400,
        )
    start, end = form.cleaned_data["from"], form.cleaned_data["to"]
    rows = selectors.entry_export_rows(collectivity=collectivity, start=start, end=end)
    french = (translation.get_language() or "").startswith("fr")
    response = StreamingHttpResponse(
        _csv_lines(rows, french=french), content_type="text/csv; charset=utf-8"
    )
    name = f"correspondence-{collectivity.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)
