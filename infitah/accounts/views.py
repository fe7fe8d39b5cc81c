"""Sign-in, password reset, the personal workspace (the collectivities one acts for),
invitations, TOTP two-factor authentication and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts import selectors, services
from infitah.accounts.decorators import needs_second_factor, verified_login_required
from infitah.accounts.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    InvitationSignupForm,
    PasswordResetRequestForm,
    TokenForm,
    lock_end_text,
    retry_after_seconds,
)
from infitah.accounts.models import ApiToken, Invitation, Role, User

# The client's address behind the trusted reverse proxies, as the signature limits read it.
from infitah.network.event_selectors import trainings_followed
from infitah.petitions.integrity import client_ip


def _refused(response: HttpResponse, until: datetime | None) -> HttpResponse:
    """429 with Retry-After when the form was refused by a throttle lock."""
    if until is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after_seconds(until))
    return response


class LoginView(auth_views.LoginView):
    """Sign-in, throttled per account and per client address (accounts/throttle.py)."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["address"] = client_ip(self.request)
        return kwargs

    def form_invalid(self, form: EmailAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        return _refused(super().form_invalid(form), form.locked_until)


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link by e-mail; the same answer whether or not the account exists."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = services.password_reset_request(
            email=form.cleaned_data["email"],
            address=client_ip(request),
            language=get_language() or settings.LANGUAGE_CODE,
        )
        if until is None:
            return redirect("accounts:password-reset-sent")
        form.add_error(
            None,
            ValidationError(
                _("Too many requests from your connection. Try again after %(time)s."),
                code="locked",
                params={"time": lock_end_text(until)},
            ),
        )
        return _refused(render(request, "accounts/password_reset.html", {"form": form}), until)
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of the e-mail: Django moves the token from the address to the session,
    checks it (it works once, until PASSWORD_RESET_TIMEOUT) and asks for a new password;
    the service sets it. The user is not signed in: the second factor still follows the
    sign-in."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False

    def get_user(self, uidb64: str) -> User | None:  # type: ignore[override]
        user = super().get_user(uidb64)
        return user if isinstance(user, User) and user.is_active else None

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        try:
            services.password_reset_complete(
                user=cast(User, form.user), password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error("new_password2", error)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


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
            # Where the user acts: a role in several collectivities gives several back
            # offices, and the person picks the one they act for.
            "acting_for": selectors.acting_for_list(user=request.user),  # type: ignore[arg-type]
            "has_device": TOTPDevice.objects.devices_for_user(
                request.user, confirmed=True
            ).exists(),
            "trainings_followed": trainings_followed(request.user),  # type: ignore[arg-type]
        },
    )


# The status of an invitation page that cannot be used, by the reason's code.
_INVITATION_STATUS = {
    "unknown": 404,
    "used": 410,
    "revoked": 410,
    "expired": 410,
    "inactive": 403,
    "wrong_account": 403,
    "void": 410,
    "account_exists": 409,
}


def _invitation_refused(
    request: HttpRequest, code: str, invitation: Invitation | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"code": code, "invitation": invitation},
        status=_INVITATION_STATUS.get(code, 400),
    )


def _invitation_code(invitation: Invitation | None) -> str:
    """Why `invitation` cannot be accepted any more ("" when it can)."""
    if invitation is None:
        return "unknown"
    if invitation.is_accepted:
        return "used"
    if invitation.is_revoked:
        return "revoked"
    if invitation.is_expired:
        return "expired"
    return ""


def _invitation_done(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """After acceptance: the collectivity's back office (which asks for the second
    factor first where it is required), or the workspace for a network role alone."""
    messages.success(request, _("Welcome: the invitation is accepted."))
    if invitation.collectivity is not None and invitation.roles:
        return redirect("backoffice:home", slug=invitation.collectivity.slug)
    return redirect("accounts:home")


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation e-mail.

    Unusable (unknown 404, used/revoked/expired 410): a page that says so, nothing
    granted. For an existing account: sign in first, then a button accepts; another
    account signed in, or a deactivated one, is refused (403). For a new address: a
    form creates the account, signs it in and accepts. `never_cache`: the address holds
    the secret.
    """
    found = selectors.invitation_get(token=token)
    code = _invitation_code(found)
    if found is None or code:
        return _invitation_refused(request, code, found)
    account = selectors.account_by_email(email=found.email)
    signed_in = request.user if isinstance(request.user, User) else None
    if account is not None and not account.is_active:
        return _invitation_refused(request, "inactive", found)
    if signed_in is not None and (account is None or signed_in.pk != account.pk):
        return _invitation_refused(request, "wrong_account", found)
    context: dict[str, Any] = {
        "invitation": found,
        "invitation_roles": [Role(r).label for r in found.roles if r in Role.values],
        "account": account,
    }
    if account is not None and signed_in is None:
        context["login_url"] = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation.html", context)
    if account is not None and signed_in is not None:
        if request.method == "POST":
            try:
                accepted = services.invitation_accept(token=token, user=signed_in)
            except ValidationError as error:
                return _invitation_refused(request, error.code or "", found)
            return _invitation_done(request, accepted)
        return render(request, "accounts/invitation.html", context)
    form = InvitationSignupForm(
        request.POST or None, email=found.email, initial={"full_name": found.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_signup(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            if error.code in {"password", "full_name"}:
                form.add_error("password1" if error.code == "password" else "full_name", error)
            else:
                return _invitation_refused(request, error.code or "", found)
        else:
            auth_login(request, user, backend="infitah.accounts.backends.EmailBackend")
            found.refresh_from_db()
            return _invitation_done(request, found)
    context["form"] = form
    return render(
        request,
        "accounts/invitation.html",
        context,
        status=400 if request.method == "POST" else 200,
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
    locked_until = None
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        attempt = services.totp_verify(user=cast(User, user), device=device, token=token)
        locked_until = attempt.locked_until
        if attempt.user is not None:
            if enrolling:
                services.totp_device_confirm(device=device, actor=user)  # type: ignore[arg-type]
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication passed."))
            return redirect(_safe_next(request, "/"))
        if locked_until is not None:
            form.add_error(
                None,
                ValidationError(
                    _("Too many wrong codes. For your security, try again after %(time)s."),
                    code="locked",
                    params={"time": lock_end_text(locked_until)},
                ),
            )
        else:
            form.add_error(
                "token", _("This code is not valid. Check your device's clock and try again.")
            )
    response = render(
        request,
        "accounts/otp.html",
        {"form": form, "enrolling": enrolling, "device": device, "next": _safe_next(request, "")},
    )
    return _refused(response, locked_until)


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
