"""The public legal calendar and the network administrators' overrides page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.decorators import verified_login_required
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.deadlines import selectors, services
from infitah.deadlines.forms import CalendarForm, OverrideForm
from infitah.deadlines.services import PAGE_CACHE_NAMESPACE
from infitah.lib.pagecache import cached_public_page


@cached_public_page(PAGE_CACHE_NAMESPACE)
def calendar(request: HttpRequest) -> HttpResponse:
    """The year's holidays and, given a start date and a limit, the explained due date."""
    form = CalendarForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or timezone.localdate().year
    calendar = selectors.calendar_get()
    due = None
    if data.get("start") and data.get("limit") and not form.errors:
        due = selectors.due_date_compute(
            start=data["start"], limit=data["limit"], calendar=calendar
        )
    return render(
        request,
        "deadlines/calendar.html",
        {
            "form": form,
            "year": year,
            "holidays": selectors.holiday_list(year=year, calendar=calendar),
            "due": due,
            "limits": selectors.legal_limit_list(),
        },
    )


@verified_login_required
def override_add(request: HttpRequest) -> HttpResponse:
    """Add an official calendar correction: network administrators only (404 for others)."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, NetworkPerm.CALENDAR_MANAGE):
        raise Http404
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_override_add(
                actor=user,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                new_date=form.cleaned_data.get("new_date"),
                name_ar=form.cleaned_data.get("name_ar", ""),
                name_fr=form.cleaned_data.get("name_fr", ""),
                reason=form.cleaned_data["reason"],
                reference=form.cleaned_data.get("reference", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The correction is recorded; open deadlines were recomputed.")
            )
            return redirect("deadlines:override-add")
    return render(
        request,
        "deadlines/overrides.html",
        {"form": form, "overrides": selectors.override_list()},
    )
