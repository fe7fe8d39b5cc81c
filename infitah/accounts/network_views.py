"""Accounts and invitations for network administrators (NetworkPerm.ACCOUNTS_MANAGE):
search accounts, an account's roles and audit trail, deactivation, the invitations of
every collectivity, and inviting a collectivity's administrator and focal point or a
network administrator.

Everyone else gets 404. A collectivity's team is shown here with names, e-mail
addresses and roles only: the network role gives no access to any case.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infitah.accounts import selectors, services
from infitah.accounts.decorators import View, verified_login_required
from infitah.accounts.forms import (
    InvitationFilterForm,
    InviteForm,
    NetworkAdminInviteForm,
    SearchForm,
    datetime_text,
)
from infitah.accounts.models import Invitation, NetworkRole, Role, User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 25
# What the network invites in a collectivity: its administrator and its focal point.
NETWORK_INVITED_ROLES = [Role.ADMIN.value, Role.FOCAL_POINT.value]


def _accounts_manager(request: HttpRequest) -> User:
    """The signed-in network administrator, or Http404."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, NetworkPerm.ACCOUNTS_MANAGE):
        raise Http404
    return user


def accounts_manager_view(view: View) -> View:
    """Signed in (second factor where required) with NetworkPerm.ACCOUNTS_MANAGE, or
    404 before anything else is looked at (the method included)."""

    @verified_login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _accounts_manager(request)
        return view(request, *args, **kwargs)

    return wrapped


def _invite_form(data: Any = None) -> InviteForm:
    return InviteForm(data, roles=NETWORK_INVITED_ROLES)


def _sent(request: HttpRequest, invitation: Invitation) -> None:
    messages.success(
        request,
        _("The invitation is sent to %(email)s. It expires on %(date)s.")
        % {"email": invitation.email, "date": datetime_text(invitation.expires_at)},
    )


@accounts_manager_view
def account_list(request: HttpRequest) -> HttpResponse:
    """Search accounts by e-mail address or name, with their roles."""
    _accounts_manager(request)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.account_list(query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/network/account_list.html",
        {"form": form, "query": query, "page": page},
    )


def _account_or_404(pk: int) -> User:
    account = selectors.account_get(pk=pk)
    if account is None:
        raise Http404
    return account


@accounts_manager_view
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An account: its roles in every collectivity, network role, state, audit trail."""
    manager = _accounts_manager(request)
    account = _account_or_404(pk)
    places: dict[int, tuple[Collectivity, list[str]]] = {}
    for membership in account.memberships.all():
        place = places.setdefault(membership.collectivity_id, (membership.collectivity, []))
        place[1].append(str(Role(membership.role).label))
    page = Paginator(selectors.account_event_list(user=account), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/network/account_detail.html",
        {
            "account": account,
            "places": list(places.values()),
            "is_self": account.pk == manager.pk,
            "page": page,
            "audit": selectors.audit_rows(page.object_list),
        },
    )


def _account_active_set(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    manager = _accounts_manager(request)
    account = _account_or_404(pk)
    try:
        if active:
            services.account_reactivate(actor=manager, user=account)
        else:
            services.account_deactivate(actor=manager, user=account)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        if active:
            messages.success(request, _("The account is active again."))
        else:
            messages.success(
                request,
                _(
                    "The account is deactivated: it can no longer sign in. Its roles and history stay."
                ),
            )
    return redirect("network-accounts:account-detail", pk=account.pk)


@accounts_manager_view
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_active_set(request, pk, active=False)


@accounts_manager_view
@require_POST
def account_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_active_set(request, pk, active=True)


@accounts_manager_view
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Every invitation, newest first, filtered by state."""
    _accounts_manager(request)
    form = InvitationFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.invitation_list(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/network/invitation_list.html",
        {
            "form": form,
            "status": status,
            "page": page,
            "role_choices": Role.choices,
        },
    )


def _invitation_or_404(pk: int) -> Invitation:
    invitation = selectors.invitation_for(pk=pk, collectivity=None)
    if invitation is None:
        raise Http404
    return invitation


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the collectivity's team page when the form came from there."""
    slug = request.POST.get("back_to", "")
    if slug and selectors.collectivity_get(slug=slug) is not None:
        return redirect("network-accounts:collectivity", slug=slug)
    return redirect("network-accounts:invitation-list")


@accounts_manager_view
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _accounts_manager(request)
    invitation = _invitation_or_404(pk)
    try:
        services.invitation_revoke(actor=manager, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return _back(request)


@accounts_manager_view
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation with the same address and roles; the old link stops working."""
    manager = _accounts_manager(request)
    invitation = _invitation_or_404(pk)
    try:
        new, _secret = services.invitation_resend(actor=manager, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        _sent(request, new)
    return _back(request)


@accounts_manager_view
def invite(request: HttpRequest) -> HttpResponse:
    """Find a collectivity by name to invite its administrator or focal point (GET
    search, then its team page), or invite a network administrator (POST)."""
    manager = _accounts_manager(request)
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    form = NetworkAdminInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _secret = services.invitation_create(
                    actor=manager,
                    email=form.cleaned_data["email"],
                    collectivity=None,
                    network_role=NetworkRole.NETWORK_ADMIN,
                    full_name=form.cleaned_data["full_name"],
                    language=get_language() or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                _sent(request, invitation)
                return redirect("network-accounts:invitation-list")
        status = 400
    return render(
        request,
        "accounts/network/invite.html",
        {
            "search": search,
            "query": query,
            "results": selectors.collectivity_search(query=query),
            "space": network_space(),
            "form": form,
        },
        status=status,
    )


@accounts_manager_view
def collectivity_team(request: HttpRequest, slug: str) -> HttpResponse:
    """A collectivity's team as the network sees it (names, addresses, roles: never a
    case), its pending invitations, and the invitation of its administrator or focal
    point (POST)."""
    manager = _accounts_manager(request)
    collectivity = selectors.collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    form = _invite_form(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _secret = services.invitation_create(
                    actor=manager,
                    email=form.cleaned_data["email"],
                    collectivity=collectivity,
                    roles=form.cleaned_data["roles"],
                    full_name=form.cleaned_data["full_name"],
                    language=get_language() or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                _sent(request, invitation)
                return redirect("network-accounts:collectivity", slug=collectivity.slug)
        status = 400
    return render(
        request,
        "accounts/network/collectivity.html",
        {
            "collectivity": collectivity,
            "members": selectors.team_member_list(collectivity=collectivity),
            "invitations": list(
                selectors.invitation_list(
                    collectivity=collectivity, status=selectors.InvitationStatus.PENDING
                )
            ),
            "form": form,
            "role_choices": Role.choices,
        },
        status=status,
    )
