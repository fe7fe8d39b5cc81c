"""The guard of every staff view: signed in, second factor when required, role in place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, staff_collectivity_or_404
from infitah.territories.models import Collectivity

View = Callable[..., HttpResponse]


def needs_second_factor(user: User) -> bool:
    return bool(settings.INFITAH_REQUIRE_2FA) and not user.is_verified()  # type: ignore[attr-defined]


def verified_login_required(view: View) -> View:
    """Signed in, and past TOTP when INFITAH_REQUIRE_2FA is on (production)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(request.user):  # type: ignore[arg-type]
            return redirect(f"{_otp_url()}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapped


def staff_view(perm: Perm = Perm.STAFF_ACCESS) -> Callable[[View], View]:
    """A view under /<lang>/staff/<slug>/: resolves `request.collectivity` or 404."""

    def decorator(view: View) -> View:
        @verified_login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            request.collectivity = staff_collectivity_or_404(request.user, slug, perm)  # type: ignore[arg-type,attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_user(request: HttpRequest) -> User:
    """The signed-in user of a `staff_view` request."""
    return request.user  # type: ignore[return-value]


def staff_collectivity(request: HttpRequest) -> Collectivity:
    """The collectivity `staff_view` resolved for this request (the staff member's)."""
    return request.collectivity  # type: ignore[attr-defined,no-any-return]


def _otp_url() -> str:
    return reverse("accounts:otp")
