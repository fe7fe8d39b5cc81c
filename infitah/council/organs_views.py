"""The council secretariat's pages of the council's organs, under
/<lang>/staff/<slug>/council/organs/: terms, members, committees and their seats, and the
council's settings. Every page needs Perm.COUNCIL_MANAGE in the collectivity (404 for
anyone else); objects are looked up within it (404 for another collectivity's)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_safe

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.council import organs
from infitah.council import organs_selectors as selectors
from infitah.council.models import Committee, Member, MemberRole, Term
from infitah.council.organs_forms import (
    CommitteeAddForm,
    CommitteeForm,
    ConfirmForm,
    MemberAddForm,
    MemberEndForm,
    MemberForm,
    SeatForm,
    SeatRemoveForm,
    SettingsForm,
    TermForm,
    add_service_errors,
)
from infitah.lib.bounds import whole_number
from infitah.territories.models import Collectivity

manage = staff_view(Perm.COUNCIL_MANAGE)
get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _organs_url(collectivity: Collectivity, term: Term | None = None) -> str:
    url = reverse("council-staff:organs", kwargs={"slug": collectivity.slug})
    return f"{url}?term={term.pk}" if term is not None else url


def _act(form: BaseForm, call: Callable[[], Any]) -> Any:
    """Run the service `call` for a valid `form`: its result, or None with the service's
    errors shown on the form."""
    if not form.is_valid():
        return None
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        raise Http404 from exc
    return None


def _month_names(months: Sequence[int]) -> str:
    """ "February, May, October" in the page's language (Arabic takes its own comma)."""
    return pgettext("list separator", ", ").join(str(MONTHS[month]) for month in months)


def _chosen_term(request: HttpRequest, terms: Sequence[Term]) -> Term | None:
    """The term named by ?term= (404 if it is not one of `terms`), else the current one."""
    raw = request.GET.get("term")
    if raw is None:
        return selectors.term_current(_collectivity(request), terms=list(terms))
    pk = whole_number(raw, minimum=1)
    found = next((term for term in terms if term.pk == pk), None)
    if found is None:
        raise Http404
    return found


# ---------------------------------------------------------------------- overview


@manage
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The council's terms, the members of one term (the current one by default), its
    committees with their seats, and the settings in force."""
    collectivity = _collectivity(request)
    terms = selectors.term_list(collectivity)
    term = _chosen_term(request, terms)
    members = selectors.member_list(term) if term is not None else []
    council_settings = selectors.council_settings_get(collectivity)
    return render(
        request,
        "council/organs/overview.html",
        {
            "collectivity": collectivity,
            "terms": terms,
            "term": term,
            "serving": [m for m in members if m.ended_on is None],
            "former": [m for m in members if m.ended_on is not None],
            "committees": selectors.committee_list(term) if term is not None else [],
            "council_settings": council_settings,
            "months": _month_names(
                organs.ordinary_months(collectivity, council_settings=council_settings)
            ),
        },
    )


# ------------------------------------------------------------------------- terms


@manage
@get_or_post
def term_new(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    form = TermForm(_data(request))
    if request.method == "POST":
        term = _act(
            form,
            lambda: organs.term_create(
                collectivity=collectivity, actor=_user(request), **form.cleaned_data
            ),
        )
        if term is not None:
            messages.success(request, _("The term is recorded."))
            return redirect(_organs_url(collectivity, term))
    return render(
        request,
        "council/organs/term_form.html",
        {"collectivity": collectivity, "form": form, "term": None},
        status=400 if request.method == "POST" else 200,
    )


@manage
@get_or_post
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity = _collectivity(request)
    term = selectors.term_get(collectivity, pk)
    if term is None:
        raise Http404
    initial = {name: getattr(term, name) for name in TermForm.base_fields}
    form = TermForm(_data(request), initial=initial)
    if request.method == "POST":
        done = _act(
            form,
            lambda: organs.term_update(term=term, actor=_user(request), **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect(_organs_url(collectivity, term))
    return render(
        request,
        "council/organs/term_form.html",
        {"collectivity": collectivity, "form": form, "term": term},
        status=400 if request.method == "POST" else 200,
    )


# ----------------------------------------------------------------------- members


def _member_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in MemberForm.base_fields if name != "term"}


@manage
@get_or_post
def member_new(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    terms = selectors.term_list(collectivity)
    term = _chosen_term(request, terms) if terms else None
    initial: dict[str, Any] = {"role": MemberRole.MEMBER}
    if term is not None:
        initial |= {"term": str(term.pk), "started_on": term.start_date}
    form = MemberAddForm(_data(request), terms=terms, initial=initial)
    if request.method == "POST" and terms:

        def add() -> Member:
            chosen = next(t for t in terms if str(t.pk) == form.cleaned_data["term"])
            return organs.member_add(
                term=chosen, actor=_user(request), **_member_values(form.cleaned_data)
            )

        member = _act(form, add)
        if member is not None:
            messages.success(request, _("The member is recorded."))
            return redirect(_organs_url(collectivity, member.term))
    return render(
        request,
        "council/organs/member_new.html",
        {"collectivity": collectivity, "form": form, "terms": terms, "term": term},
        status=400 if request.method == "POST" else 200,
    )


@manage
@get_or_post
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's record: correct it, end the mandate, or delete a record made by
    mistake (POST `action`: update, end or delete)."""
    collectivity = _collectivity(request)
    member = selectors.member_get(collectivity, pk)
    if member is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    initial = {name: getattr(member, name) for name in MemberForm.base_fields if name != "email"}
    initial["email"] = member.user.email if member.user is not None else ""
    initial["rank"] = member.rank or None
    form = MemberForm(_data(request) if action == "update" else None, initial=initial)
    end_form = MemberEndForm(_data(request) if action == "end" else None)
    delete_form = ConfirmForm(_data(request) if action == "delete" else None)
    user = _user(request)
    done: Any = None
    if action == "update":
        done = _act(
            form,
            lambda: organs.member_update(
                member=member, actor=user, **_member_values(form.cleaned_data)
            ),
        )
    elif action == "end":
        done = _act(
            end_form,
            lambda: organs.member_end(
                member=member, actor=user, ended_on=end_form.cleaned_data["ended_on"]
            ),
        )
    elif action == "delete":
        done = _act(delete_form, lambda: organs.member_delete(member=member, actor=user))
    if done is not None:
        messages.success(request, _("Saved."))
        if action == "delete":
            return redirect(_organs_url(collectivity, member.term))
        return redirect("council-staff:member-edit", slug=collectivity.slug, pk=member.pk)
    return render(
        request,
        "council/organs/member_edit.html",
        {
            "collectivity": collectivity,
            "member": member,
            "term": member.term,
            "form": form,
            "end_form": end_form,
            "delete_form": delete_form,
        },
        status=400 if request.method == "POST" else 200,
    )


# -------------------------------------------------------------------- committees


@manage
@get_or_post
def committee_new(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    terms = selectors.term_list(collectivity)
    term = _chosen_term(request, terms) if terms else None
    initial: dict[str, Any] = {"is_standing": True}
    if term is not None:
        initial["term"] = str(term.pk)
    form = CommitteeAddForm(_data(request), terms=terms, initial=initial)
    if request.method == "POST" and terms:

        def create() -> Committee:
            data = form.cleaned_data
            chosen = next(t for t in terms if str(t.pk) == data["term"])
            return organs.committee_create(
                term=chosen,
                actor=_user(request),
                name_ar=data["name_ar"],
                name_fr=data["name_fr"],
                is_standing=data["is_standing"],
            )

        committee = _act(form, create)
        if committee is not None:
            messages.success(request, _("The committee is recorded."))
            return redirect("council-staff:committee-edit", slug=collectivity.slug, pk=committee.pk)
    return render(
        request,
        "council/organs/committee_new.html",
        {"collectivity": collectivity, "form": form, "terms": terms, "term": term},
        status=400 if request.method == "POST" else 200,
    )


@manage
@get_or_post
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee: correct it, give or change seats, remove a seat, or delete it (POST
    `action`: update, seat_set, seat_remove or delete)."""
    collectivity = _collectivity(request)
    committee = selectors.committee_get(collectivity, pk)
    if committee is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    members = selectors.member_list(committee.term, serving_only=True)
    initial = {name: getattr(committee, name) for name in CommitteeForm.base_fields}
    form = CommitteeForm(_data(request) if action == "update" else None, initial=initial)
    seat_form = SeatForm(_data(request) if action == "seat_set" else None, members=members)
    remove_form = SeatRemoveForm(_data(request) if action == "seat_remove" else None)
    delete_form = ConfirmForm(_data(request) if action == "delete" else None)
    user = _user(request)
    done: Any = None
    if action == "update":
        done = _act(
            form,
            lambda: organs.committee_update(committee=committee, actor=user, **form.cleaned_data),
        )
    elif action == "seat_set":

        def seat() -> Any:
            chosen = next(m for m in members if str(m.pk) == seat_form.cleaned_data["member"])
            return organs.seat_set(
                committee=committee, member=chosen, actor=user, role=seat_form.cleaned_data["role"]
            )

        done = _act(seat_form, seat)
    elif action == "seat_remove":
        if not remove_form.is_valid():
            raise Http404
        found = selectors.seat_get(committee, remove_form.cleaned_data["seat"])
        if found is None:
            raise Http404
        done = _act(remove_form, lambda: organs.seat_remove(seat=found, actor=user))
    elif action == "delete":
        done = _act(delete_form, lambda: organs.committee_delete(committee=committee, actor=user))
    if done is not None:
        messages.success(request, _("Saved."))
        if action == "delete":
            return redirect(_organs_url(collectivity, committee.term))
        return redirect("council-staff:committee-edit", slug=collectivity.slug, pk=committee.pk)
    return render(
        request,
        "council/organs/committee_edit.html",
        {
            "collectivity": collectivity,
            "committee": committee,
            "term": committee.term,
            "form": form,
            "seat_form": seat_form,
            "delete_form": delete_form,
            "has_members": bool(members),
        },
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------- settings


@manage
@get_or_post
def settings_edit(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    current = selectors.council_settings_get(collectivity)
    own = organs.months_parse(current.session_months) if current.session_months else None
    initial = {
        "session_months": [str(month) for month in own or []],
        "quorum_free_convocation": current.quorum_free_convocation,
    }
    form = SettingsForm(_data(request), initial=initial)
    if request.method == "POST":
        done = _act(
            form,
            lambda: organs.council_settings_save(
                collectivity=collectivity, actor=_user(request), **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("council-staff:organs-settings", slug=collectivity.slug)
    return render(
        request,
        "council/organs/settings.html",
        {
            "collectivity": collectivity,
            "form": form,
            "months": _month_names(organs.ordinary_months(collectivity, council_settings=current)),
            "law_months": _month_names(organs.law_months(collectivity)),
        },
        status=400 if request.method == "POST" else 200,
    )
