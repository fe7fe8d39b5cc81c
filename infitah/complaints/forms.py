"""Forms of complaints, observations and suggestions; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.cases.forms import MultipleFileField, text_field
from infitah.complaints.models import (
    ADDRESS_MAX,
    CHIKAYA_MAX,
    NAME_MAX,
    PHONE_MAX,
    POSTAL_MAX,
    Category,
    ComplaintSettings,
)
from infitah.complaints.selectors import category_list
from infitah.complaints.services import ComplaintInput, complaint_validate
from infitah.complaints.workflow import Kind, Outcome, Status
from infitah.correspondence.models import ServiceUnit
from infitah.lib.uploads import upload_help_text
from infitah.territories.models import Collectivity

# Field names of the services' ValidationErrors that a form shows under another name.
FIELD_ALIASES = {"files": "attachments"}


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = FIELD_ALIASES.get(name, name)
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, errors)
        else:
            form.add_error(None, errors)


def complaint_input_of(data: dict[str, Any]) -> ComplaintInput:
    """The service's input from a submission form's cleaned data."""
    return ComplaintInput(
        kind=data.get("kind") or "",
        category=data.get("category") or "",
        description=data.get("description") or "",
        name=data.get("name") or "",
        email=data.get("email") or "",
        phone=data.get("phone") or "",
        address=data.get("address") or "",
        latitude=data.get("latitude") or "",
        longitude=data.get("longitude") or "",
        chikaya_reference=data.get("chikaya_reference") or "",
        postal_address=data.get("postal_address") or "",
    )


def _coordinate(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr", "size": 12}),
    )


class SubmitForm(forms.Form):
    """A complaint, an observation or a suggestion (decree 2.17.265)."""

    paper = False  # a letter registered by staff: a postal address is contact enough

    kind = forms.ChoiceField(label=_("You send"), choices=Kind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    description = text_field(_("Description"))
    address = forms.CharField(
        label=_("Place (address or landmark)"), required=False, max_length=ADDRESS_MAX
    )
    latitude = _coordinate(_("Latitude"))
    longitude = _coordinate(_("Longitude"))
    attachments = MultipleFileField(label=_("Photos or documents"), help_text=upload_help_text)
    name = forms.CharField(label=_("Your name"), max_length=NAME_MAX)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("You will receive a link to confirm it; your message is received then."),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=PHONE_MAX,
        help_text=_("An e-mail address or a phone number is needed, to tell you of the answer."),
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "tel"}),
    )
    chikaya_reference = forms.CharField(
        label=_("Reference of the same complaint on chikaya.ma (if any)"),
        required=False,
        max_length=CHIKAYA_MAX,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    consent = forms.BooleanField(
        label=_("I have read how my personal data are processed (notice above)"),
        error_messages={"required": _("Tick the box to confirm you read the notice.")},
    )

    def __init__(self, *args: Any, collectivity: Collectivity | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.collectivity = collectivity
        self.complaint_input: ComplaintInput | None = None
        field = self.fields.get("category")
        if isinstance(field, forms.ChoiceField):
            if collectivity is None:
                del self.fields["category"]
            else:
                categories = category_list(collectivity=collectivity)
                if categories:
                    field.choices = [("", "—")] + [(str(c.pk), c.name) for c in categories]
                else:
                    del self.fields["category"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        complaint_input = complaint_input_of(data)
        if self.collectivity is None:
            # Without a collectivity (the paper form) the service validates on submission.
            self.complaint_input = complaint_input
            return data
        try:
            complaint_validate(
                collectivity=self.collectivity, data=complaint_input, paper=self.paper
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        else:
            self.complaint_input = complaint_input
        return data


class PaperComplaintForm(SubmitForm):
    """The submission form for a complaint received on paper and registered in the
    correspondence register: no notice to tick (the citizen signed the letter); the
    register's page gives it the collectivity, so the officer can choose the category.
    A postal address may be the sender's only contact (the answer then goes by post)."""

    paper = True
    postal_address = forms.CharField(
        label=_("Postal address of the sender"),
        required=False,
        max_length=POSTAL_MAX,
        help_text=_(
            "Enough on its own when the letter gives neither an e-mail address nor a phone "
            "number: the answer is then sent by post."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, collectivity: Collectivity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, collectivity=collectivity, **kwargs)
        del self.fields["consent"]


class RateForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Your satisfaction, from 1 (not satisfied) to 5 (fully satisfied)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


def _units(collectivity: Collectivity) -> Any:
    return ServiceUnit.objects.for_collectivity(collectivity.pk).active()


class RouteForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=ServiceUnit.objects.none())

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(collectivity)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    text = text_field(_("Answer (visible to the public if published)"))
    competent_body = forms.CharField(
        label=_("Competent body (when not competent)"), required=False, max_length=300
    )
    publish = forms.BooleanField(
        label=_("Publish the answer in the anonymised public list"), required=False
    )


class RecoverForm(forms.Form):
    """A lost follow-up link: the reference and a contact detail given with the message."""

    reference = forms.CharField(
        label=_("Reference of your message"),
        help_text=_("As in your e-mails or on your receipt, e.g. CMP-2026-COM_0135-000123."),
        max_length=64,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    contact = forms.CharField(
        label=_("The e-mail address or phone number you gave"),
        max_length=254,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Reference of the complaint to merge this one into"),
        max_length=64,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )


class SettingsForm(forms.ModelForm[ComplaintSettings]):
    class Meta:
        model = ComplaintSettings
        fields = ["complaints_unit", "reopen_days", "publish_answered"]

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["complaints_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(collectivity)
        reopen = self.fields["reopen_days"]
        assert isinstance(reopen, forms.IntegerField)
        reopen.min_value, reopen.max_value = 1, 365
        reopen.validators.clear()
        reopen.widget.attrs.update({"min": 1, "max": 365})

    def clean_reopen_days(self) -> int:
        value = self.cleaned_data["reopen_days"]
        if value is None or not 1 <= value <= 365:
            raise ValidationError(_("Give a number of days from 1 to 365."))
        return int(value)


class CategoryForm(forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), required=False, max_length=200)
    name_fr = forms.CharField(label=_("Name in French"), required=False, max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service it is routed to (else the complaints unit)"),
        queryset=ServiceUnit.objects.none(),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Offered to citizens"), required=False, initial=True)

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(collectivity)

    @classmethod
    def initial_of(cls, category: Category) -> dict[str, Any]:
        return {
            "name_ar": category.name_ar,
            "name_fr": category.name_fr,
            "service": category.service_id,
            "is_active": category.is_active,
        }


class ExplanationForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    text_ar = text_field(_("Explanation in Arabic"), required=False)
    text_fr = text_field(_("Explanation in French"), required=False)
