"""A collectivity's team, for its administrators (Perm.MEMBERS_MANAGE): who holds which
roles, giving and taking them, invitations, and the audit trail of every change.

Everyone else gets 404 (staff_view), the network administrator included: the network
sees a collectivity's team on its own pages (network_views), without its back office.
"""

from __future__ import annotations

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
from infitah.accounts.decorators import staff_collectivity, staff_user, staff_view
from infitah.accounts.forms import InviteForm, MemberRolesForm, datetime_text
from infitah.accounts.models import Role
from infitah.accounts.permissions import Perm

AUDIT_PAGE_SIZE = 25


def _member_form(user_id: int, roles: list[str]) -> MemberRolesForm:
    return MemberRolesForm(prefix=f"m{user_id}", initial={"roles": roles})


def _team_render(
    request: HttpRequest,
    *,
    status: int = 200,
    invite_form: InviteForm | None = None,
    bound: tuple[int, MemberRolesForm] | None = None,
) -> HttpResponse:
    collectivity = staff_collectivity(request)
    members = [
        (
            member,
            bound[1]
            if bound is not None and bound[0] == member.user.pk
            else _member_form(member.user.pk, member.roles),
        )
        for member in selectors.team_member_list(collectivity=collectivity)
    ]
    page = Paginator(
        selectors.team_event_list(collectivity=collectivity), AUDIT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "collectivity": collectivity,
        "members": members,
        "invite_form": invite_form or InviteForm(),
        "invitations": list(
            selectors.invitation_list(
                collectivity=collectivity, status=selectors.InvitationStatus.PENDING
            )
        ),
        "page": page,
        "audit": selectors.audit_rows(page.object_list),
        "role_choices": Role.choices,
    }
    return render(request, "accounts/team/home.html", context, status=status)


@staff_view(Perm.MEMBERS_MANAGE)
def team_home(request: HttpRequest) -> HttpResponse:
    """The team: people and their roles, pending invitations, the audit trail."""
    return _team_render(request)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _team_render(request, status=400, invite_form=form)
    try:
        invitation, _secret = services.invitation_create(
            actor=staff_user(request),
            email=form.cleaned_data["email"],
            collectivity=staff_collectivity(request),
            roles=form.cleaned_data["roles"],
            full_name=form.cleaned_data["full_name"],
            language=get_language() or "",
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _team_render(request, status=400, invite_form=form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("The invitation is sent to %(email)s. It expires on %(date)s.")
        % {"email": invitation.email, "date": datetime_text(invitation.expires_at)},
    )
    return redirect("team:home", slug=staff_collectivity(request).slug)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def member_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """Set the roles of one person (the checked boxes replace their roles here)."""
    collectivity = staff_collectivity(request)
    member = selectors.team_member_get(collectivity=collectivity, user_id=user_id)
    if member is None:
        raise Http404
    form = MemberRolesForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        return _team_render(request, status=400, bound=(member.pk, form))
    try:
        given, taken = services.member_roles_set(
            actor=staff_user(request),
            collectivity=collectivity,
            user=member,
            roles=form.cleaned_data["roles"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _team_render(request, status=409, bound=(member.pk, form))
    except PermissionDenied:
        raise Http404 from None
    if not given and not taken:
        messages.info(request, _("Nothing changed."))
    else:
        messages.success(request, _("The roles of %(who)s are saved.") % {"who": member})
    return redirect("team:home", slug=collectivity.slug)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def member_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    """Take every role of one person here (the account and its history stay)."""
    collectivity = staff_collectivity(request)
    member = selectors.team_member_get(collectivity=collectivity, user_id=user_id)
    if member is None:
        raise Http404
    try:
        services.member_remove(actor=staff_user(request), collectivity=collectivity, user=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("team:home", slug=collectivity.slug)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("%(who)s no longer holds any role here.") % {"who": member})
    return redirect("team:home", slug=collectivity.slug)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity = staff_collectivity(request)
    invitation = selectors.invitation_for(pk=pk, collectivity=collectivity)
    if invitation is None:
        raise Http404
    try:
        services.invitation_revoke(actor=staff_user(request), invitation=invitation)
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
    return redirect("team:home", slug=collectivity.slug)
