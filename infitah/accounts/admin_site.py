"""The Django admin (/django-admin/) guarded like every staff page.

`admin.site` is an instance of `VerifiedAdminSite` (see `VerifiedAdminConfig`), so every
`@admin.register` lands here. Entering needs, beyond Django's `is_active` and `is_staff`,
the second factor when INFITAH_REQUIRE_2FA is on. The admin's own login form is never
served: it would check passwords outside the sign-in throttle (accounts/throttle.py).
Its login address sends a visitor to the sign-in page, a signed-in staff member without a
verified device to the TOTP page, and anyone else signed in gets 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from infitah.accounts.decorators import needs_second_factor


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not needs_second_factor(request.user)  # type: ignore[arg-type]

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        login_path = reverse("admin:login", current_app=self.name)
        if target.startswith(login_path) or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        target = target or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(target, reverse("accounts:login"))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if needs_second_factor(user):  # type: ignore[arg-type]
            return HttpResponseRedirect(
                f"{reverse('accounts:otp')}?{urlencode({REDIRECT_FIELD_NAME: target})}"
            )
        return HttpResponseRedirect(target)
