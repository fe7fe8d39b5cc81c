"""The dead letters: e-mails and SMS that failed every attempt, for the network admin.

One page, one tab per channel (`?channel=sms`), one re-send button per message and one
for all the dead letters of the channel shown.

Network administrators only (NetworkPerm.MAIL_MANAGE); everyone else gets 404, as on the
network's other pages: the page is network-wide, so a collectivity's staff would see
other collectivities' mail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import verified_login_required
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.notifications import selectors, services

PAGE_SIZE = 50


def _mail_manager(request: HttpRequest) -> User:
    """The signed-in network admin, or Http404."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, NetworkPerm.MAIL_MANAGE):
        raise Http404
    return user


@verified_login_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """The undeliverable e-mails (or SMS), newest first, with a re-send button each."""
    _mail_manager(request)
    channel = "sms" if request.GET.get("channel") == "sms" else "email"
    letters = selectors.dead_sms_list() if channel == "sms" else selectors.dead_letter_list()
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/dead_letters.html",
        {
            "page": page,
            "channel": channel,
            # The other tab's count (this one's is the paginator's).
            "other_count": selectors.dead_email_count()
            if channel == "sms"
            else selectors.dead_sms_count(),
        },
    )


@require_POST
@verified_login_required
def dead_letter_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _mail_manager(request)
    if selectors.email_get(pk=pk) is None:
        raise Http404
    try:
        services.email_resend(email_id=pk, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("The e-mail is queued again."))
    return redirect("notifications:dead-letter-list")


@require_POST
@verified_login_required
def dead_letter_resend_all(request: HttpRequest) -> HttpResponse:
    user = _mail_manager(request)
    try:
        count = services.emails_resend_dead(actor=user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request,
        ngettext("%(count)d e-mail is queued again.", "%(count)d e-mails are queued again.", count)
        % {"count": count},
    )
    return redirect("notifications:dead-letter-list")


@require_POST
@verified_login_required
def dead_sms_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _mail_manager(request)
    if selectors.sms_get(pk=pk) is None:
        raise Http404
    try:
        services.sms_resend(sms_id=pk, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("The SMS is queued again."))
    return redirect(_sms_tab())


@require_POST
@verified_login_required
def dead_sms_resend_all(request: HttpRequest) -> HttpResponse:
    user = _mail_manager(request)
    try:
        count = services.sms_resend_dead(actor=user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(
        request,
        ngettext("%(count)d SMS is queued again.", "%(count)d SMS are queued again.", count)
        % {"count": count},
    )
    return redirect(_sms_tab())


def _sms_tab() -> str:
    return reverse("notifications:dead-letter-list") + "?channel=sms"
