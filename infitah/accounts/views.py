"""Sign-in, the personal workspace, TOTP two-factor authentication and API tokens."""

from __future__ import annotations

from typing import cast

from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts import services
from infitah.accounts.decorators import needs_second_factor, verified_login_required
from infitah.accounts.forms import ApiTokenForm, EmailAuthenticationForm, TokenForm
from infitah.accounts.models import ApiToken, User
from infitah.accounts.permissions import staff_collectivities


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's workspace: the collectivities where they hold a role."""
    if needs_second_factor(request.user):  # type: ignore[arg-type]
        return redirect("accounts:otp")
    return render(
        request,
        "accounts/home.html",
        {
            "collectivities": staff_collectivities(request.user),  # type: ignore[arg-type]
            "has_device": TOTPDevice.objects.devices_for_user(
                request.user, confirmed=True
            ).exists(),
        },
    )


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Second factor: enrol a TOTP device if there is none, otherwise check a code."""
    user = request.user
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = services.totp_device_pending(user=user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        if device.verify_token(token):
            if enrolling:
                services.totp_device_confirm(device=device, actor=user)  # type: ignore[arg-type]
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication passed."))
            return redirect(_safe_next(request, "/"))
        form.add_error(
            "token", _("This code is not valid. Check your device's clock and try again.")
        )
    return render(
        request,
        "accounts/otp.html",
        {"form": form, "enrolling": enrolling, "device": device, "next": _safe_next(request, "")},
    )


@never_cache
@verified_login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens: list, create (the secret is shown once), revoke.

    The new secret is rendered in the response to the POST that creates it, never put in
    a URL or the session; `never_cache` keeps it out of caches.
    """
    user = cast(User, request.user)
    can_create = user.memberships.exists()
    form = ApiTokenForm()
    created: ApiToken | None = None
    secret = ""
    if request.method == "POST":
        if not can_create:
            messages.error(request, _("Only staff of a collectivity can create API tokens."))
            return redirect("accounts:tokens")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                created, secret = services.api_token_create(
                    user=user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "can_create": can_create,
            "created": created,
            "secret": secret,
            "tokens": list(user.api_tokens.order_by("-created_at", "-pk")),
        },
    )


@require_POST
@verified_login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; someone else's token is a 404."""
    try:
        token = services.api_token_revoke(user=cast(User, request.user), token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("The token “%(name)s” is revoked: it no longer gives access to the API.")
        % {"name": token.name},
    )
    return redirect("accounts:tokens")
