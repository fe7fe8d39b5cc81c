"""Forms of the network's membership pages: they validate; the services act."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.network.membership_services import (
    DELIBERATION_MAX_BYTES,
    NOTE_MAX,
    ApplicationInput,
    deliberation_check,
)
from infitah.network.models import ChangeKind

MOTIVATION_MAX = 5_000
CHARTER_BODY_MAX = 50_000
# A phone number as people write it: digits, spaces, + - . ( ) and at most 32 characters.
_PHONE = re.compile(r"^[0-9+\-.() ]{6,32}$")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _phone(value: str) -> str:
    value = " ".join(value.split())
    if value and not _PHONE.match(value):
        raise ValidationError(
            _("Write the phone number with digits (spaces, +, - and parentheses allowed).")
        )
    return value


class ApplicationForm(forms.Form):
    """The public application form (no account needed)."""

    collectivity = forms.SlugField(widget=forms.HiddenInput, max_length=120)
    charter_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision_date = forms.DateField(
        label=_("Date of the council's decision to join"),
        widget=_date_widget(),
        help_text=_("The session at which the council decided to join the network."),
    )
    decision_reference = forms.CharField(
        label=_("Reference of the decision"),
        max_length=100,
        help_text=_("The number of the deliberation, as written on it."),
    )
    deliberation = forms.FileField(
        label=_("The council's deliberation (PDF)"),
        help_text=_("A PDF file of at most %(size)d MB.")
        % {"size": DELIBERATION_MAX_BYTES // 2**20},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    charter_accepted = forms.BooleanField(
        label=_("The council accepts the network's charter, in the version shown above."),
        error_messages={"required": _("The network's charter must be accepted to apply.")},
    )
    focal_point_name = forms.CharField(label=_("Focal point's name"), max_length=200)
    focal_point_email = forms.EmailField(label=_("Focal point's e-mail address"))
    focal_point_phone = forms.CharField(
        label=_("Focal point's phone"), max_length=32, required=False
    )
    publish_email = forms.BooleanField(
        label=_(
            "The focal point agrees that this e-mail address be published on the network's pages."
        ),
        required=False,
    )
    publish_phone = forms.BooleanField(
        label=_(
            "The focal point agrees that this phone number be published on the network's pages."
        ),
        required=False,
    )
    admin_name = forms.CharField(
        label=_("Name of the collectivity's administrator on Infitah"),
        max_length=200,
        required=False,
        help_text=_("Optional: invited to manage the collectivity's team once it is a member."),
    )
    admin_email = forms.EmailField(label=_("Administrator's e-mail address"), required=False)
    applicant_name = forms.CharField(label=_("Your name"), max_length=200)
    applicant_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The network writes to you at this address about the application."),
    )
    applicant_function = forms.CharField(
        label=_("Your function in the collectivity"), max_length=200
    )
    motivation = forms.CharField(
        label=_("Why does the collectivity join? (optional)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MOTIVATION_MAX,
        required=False,
    )

    def clean_decision_date(self) -> Any:
        value = self.cleaned_data["decision_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The council's decision cannot be dated in the future."))
        return value

    def clean_focal_point_phone(self) -> str:
        return _phone(self.cleaned_data["focal_point_phone"])

    def clean_deliberation(self) -> Any:
        upload = self.cleaned_data["deliberation"]
        try:
            deliberation_check(upload, name=str(upload.name or ""))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["deliberation"]) from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("admin_name")
            and not data.get("admin_email")
            and "admin_email" not in self.errors
        ):
            self.add_error(
                "admin_email", _("Give the administrator's e-mail address, or leave both empty.")
            )
        if data.get("publish_phone") and not data.get("focal_point_phone"):
            self.add_error("focal_point_phone", _("Give the phone number to publish."))
        return data

    def application_input(self) -> ApplicationInput:
        d = self.cleaned_data
        return ApplicationInput(
            decision_date=d["decision_date"],
            decision_reference=d["decision_reference"],
            charter_version=d["charter_version"],
            focal_point_name=d["focal_point_name"],
            focal_point_email=d["focal_point_email"].lower(),
            focal_point_phone=d["focal_point_phone"],
            publish_email=d["publish_email"],
            publish_phone=d["publish_phone"],
            applicant_name=d["applicant_name"],
            applicant_email=d["applicant_email"].lower(),
            applicant_function=d["applicant_function"],
            admin_name=d["admin_name"],
            admin_email=(d["admin_email"] or "").lower(),
            motivation=d["motivation"],
        )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Why the application is rejected (sent to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX,
        error_messages={"required": _("Say why the application is rejected.")},
    )


class MemberChangeForm(forms.Form):
    """Suspend, reinstate, or record that a member left."""

    change = forms.ChoiceField(
        label=_("Change of membership"),
        choices=[
            (ChangeKind.SUSPENDED, _("Suspend")),
            (ChangeKind.REINSTATED, _("Reinstate")),
            (ChangeKind.LEFT, _("Record that it left the network")),
        ],
    )
    on = forms.DateField(label=_("Date"), widget=_date_widget())
    note = forms.CharField(
        label=_("Note (the reason, the council's decision…)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
        required=False,
    )

    def clean_on(self) -> Any:
        value = self.cleaned_data["on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class ContactForm(forms.Form):
    """The focal point's contact published on the member's pages."""

    name = forms.CharField(label=_("Focal point's name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Published e-mail address"), required=False)
    phone = forms.CharField(label=_("Published phone"), max_length=32, required=False)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])


class CharterForm(forms.Form):
    title_ar = forms.CharField(label=_("Title in Arabic"), max_length=300)
    title_fr = forms.CharField(label=_("Title in French"), max_length=300)
    body_ar = forms.CharField(
        label=_("Text in Arabic"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=CHARTER_BODY_MAX,
    )
    body_fr = forms.CharField(
        label=_("Text in French"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=CHARTER_BODY_MAX,
    )


class InviteApplyForm(forms.Form):
    collectivity = forms.SlugField(widget=forms.HiddenInput, max_length=120)
    email = forms.EmailField(label=_("E-mail address to send the invitation to"))
    language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        # The staff's languages: an invitation leads to staff pages, which a partial
        # language (Tamazight) does not cover.
        choices=[
            (code, name)
            for code, name in settings.LANGUAGES
            if code not in settings.INFITAH_PARTIAL_LANGUAGES
        ],
        initial="ar",
    )
