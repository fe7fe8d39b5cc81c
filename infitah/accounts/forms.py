from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infitah.accounts import services
from infitah.accounts.models import Role, User
from infitah.accounts.selectors import InvitationStatus


def lock_end_text(until: datetime) -> str:
    """When a lock ends, as a person reads it: local time rounded up to the minute, with
    the date when it is not today."""
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return date_format(local, "TIME_FORMAT")
    return date_format(local, "DATETIME_FORMAT")


def datetime_text(when: datetime) -> str:
    """A moment as pages and messages write it, in local time (e.g. an expiry)."""
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


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


# --- Invitations and the team ------------------------------------------------------------


class InvitationSignupForm(forms.Form):
    """The account of an invited address: a name and a password (typed twice)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={"required": _("Enter your full name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        error_messages={"required": _("Choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        error_messages={"required": _("Type the password again.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(email=self.email, full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _role_choices(roles: list[str] | None = None) -> list[tuple[str, str | Promise]]:
    return [(value, label) for value, label in Role.choices if roles is None or value in roles]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class NetworkAdminInviteForm(forms.Form):
    """Invite a person by e-mail (as a network administrator, used as is)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address of the person to invite."),
            "invalid": _("Enter a valid e-mail address, such as name@example.ma."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Full name (optional)"), max_length=200, required=False)


class InviteForm(NetworkAdminInviteForm):
    """Invite a person to hold roles in a collectivity (the roles offered may be fewer)."""

    roles = RolesField(
        label=_("Roles"),
        choices=_role_choices,
        error_messages={"required": _("Choose at least one role.")},
    )

    def __init__(self, *args: Any, roles: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = _role_choices(roles)


class MemberRolesForm(forms.Form):
    """The roles one person holds in the collectivity (the checked set replaces them)."""

    roles = RolesField(label=_("Roles"), choices=_role_choices, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (InvitationStatus.PENDING, _("Pending")),
            (InvitationStatus.ACCEPTED, _("Accepted")),
            (InvitationStatus.EXPIRED, _("Expired")),
            (InvitationStatus.REVOKED, _("Withdrawn")),
        ],
    )
