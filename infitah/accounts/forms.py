from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from infitah.accounts import services


def lock_end_text(until: datetime) -> str:
    """When a lock ends, as a person reads it: local time rounded up to the minute, with
    the date when it is not today."""
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return date_format(local, "TIME_FORMAT")
    return date_format(local, "DATETIME_FORMAT")


def retry_after_seconds(until: datetime) -> int:
    """The Retry-After of a refusal until `until` (at least one second)."""
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail, throttled (services.login_attempt): after too many failures the
    form refuses, with the error code "locked", even the right password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("This e-mail address and password do not match an account."),
        "inactive": _("This account is inactive."),
        "locked": _(
            "Too many failed sign-in attempts for this account or from your connection. "
            "For your security, try again after %(time)s."
        ),
    }

    def __init__(
        self,
        request: HttpRequest | None = None,
        *args: Any,
        address: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request, *args, **kwargs)
        # The client's address (the view knows how to find it behind a proxy).
        self.address = address
        self.locked_until: datetime | None = None

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            attempt = services.login_attempt(email=email, password=password, address=self.address)
            if attempt.locked_until is not None:
                self.locked_until = attempt.locked_until
                raise ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"time": lock_end_text(attempt.locked_until)},
                )
            if attempt.user is None:
                raise self.get_invalid_login_error()
            self.user_cache = attempt.user
            self.confirm_login_allowed(attempt.user)
        return self.cleaned_data


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of your account"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address of your account."),
            "invalid": _("Enter a valid e-mail address, such as name@example.ma."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"),
        help_text=_("What it is for, e.g. “case-management export”."),
        max_length=100,
        error_messages={"required": _("Give the token a name.")},
    )
