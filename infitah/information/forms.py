"""Forms of access-to-information requests; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.cases.forms import MultipleFileField, text_field
from infitah.information.models import (
    ADDRESS_MAX,
    NAME_MAX,
    PHONE_MAX,
    SUBJECT_MAX,
    Delivery,
    IdType,
    InformationSettings,
    RequesterType,
)
from infitah.information.services import RequestInput, request_validate
from infitah.information.workflow import ComplaintDecision, RefusalReason
from infitah.lib.uploads import upload_help_text
from infitah.publication.models import Document
from infitah.territories.models import Collectivity


class RequestForm(forms.Form):
    """The request form of law 31.13 (the CDAI's form, as fields)."""

    requester_type = forms.ChoiceField(
        label=_("You are"), choices=RequesterType.choices, widget=forms.RadioSelect
    )
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX)
    id_type = forms.ChoiceField(
        label=_("Identity document"), choices=IdType.choices, widget=forms.RadioSelect
    )
    id_number = forms.CharField(
        label=_("Document number"),
        max_length=20,
        help_text=_("Encrypted; only the information officers see its last three characters."),
    )
    address = forms.CharField(label=_("Postal address"), max_length=ADDRESS_MAX)
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("You will receive a link to confirm it; the request is received then."),
        widget=forms.EmailInput,
    )
    phone = forms.CharField(
        label=_("Mobile phone number (optional)"),
        max_length=PHONE_MAX,
        required=False,
        help_text=_(
            "If you give it, you will also receive by SMS the receipt, each change of "
            "status and word of the answers, with the link to your request (never its "
            "content)."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "tel"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    description = text_field(_("Information requested"))
    urgent = forms.BooleanField(
        label=_("Urgent: the life, safety or freedom of persons is at stake"), required=False
    )
    urgency_reason = text_field(_("Why it is urgent"), required=False)
    delivery = forms.ChoiceField(
        label=_("How to receive the information"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )
    private = forms.BooleanField(
        label=_("Keep my request and its answer off the public register"), required=False
    )
    consent = forms.BooleanField(
        label=_("I have read how my personal data are processed (notice above)"),
        error_messages={"required": _("Tick the box to confirm you read the notice.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.request_input = request_validate(
                RequestInput(
                    requester_type=data.get("requester_type") or "",
                    first_name=data.get("first_name") or "",
                    last_name=data.get("last_name") or "",
                    id_type=data.get("id_type") or "",
                    id_number=data.get("id_number") or "",
                    address=data.get("address") or "",
                    email=data.get("email") or "",
                    phone=data.get("phone") or "",
                    subject=data.get("subject") or "",
                    description=data.get("description") or "",
                    urgent=bool(data.get("urgent")),
                    urgency_reason=data.get("urgency_reason") or "",
                    delivery=data.get("delivery") or "",
                    private=bool(data.get("private")),
                )
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


class RecoverForm(forms.Form):
    """A lost follow-up link: the reference and the e-mail address or phone number given
    with the request (compared in infitah/cases/recovery.py)."""

    reference = forms.CharField(
        label=_("Reference of your request"),
        help_text=_("As in your e-mails or on your receipt, e.g. ATI-2026-COM_0135-000123."),
        max_length=64,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    contact = forms.CharField(
        label=_("The e-mail address or phone number you gave"),
        max_length=254,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "email"}),
    )


class ExtendForm(forms.Form):
    reasons = text_field(_("Reasons for the extension (sent to the requester at once)"))


def _documents(collectivity: Collectivity) -> Any:
    return Document.objects.for_collectivity(collectivity).published().order_by("-date", "-pk")


class _DocumentMixin(forms.Form):
    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _documents(collectivity)


class AnswerForm(_DocumentMixin):
    text = text_field(_("Answer"))
    partial = forms.BooleanField(
        label=_("Partial answer (say in the text what is withheld and why)"), required=False
    )
    attachments = MultipleFileField(label=_("Files"), help_text=upload_help_text)
    document = forms.ModelChoiceField(
        label=_("Or a document already published"), queryset=Document.objects.none(), required=False
    )
    link = forms.URLField(
        label=_("Or a link"), required=False, max_length=500, assume_scheme="https"
    )
    personal = forms.BooleanField(
        label=_("The answer contains personal data: keep it off the public register"),
        required=False,
    )


class RefuseForm(_DocumentMixin):
    reasons = forms.MultipleChoiceField(
        label=_("Grounds for refusal"),
        choices=RefusalReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one ground for refusal.")},
    )
    reasoning = text_field(_("Reasoning (required by law)"))
    document = forms.ModelChoiceField(
        label=_("The published document (for “already published”)"),
        queryset=Document.objects.none(),
        required=False,
    )
    link = forms.URLField(
        label=_("Or its link"), required=False, max_length=500, assume_scheme="https"
    )


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("Competent collectivity"),
        queryset=Collectivity.objects.none(),
        to_field_name="slug",
    )
    note = text_field(_("Why it is transferred (sent to the requester)"))

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        accepting = InformationSettings.objects.exclude(cndp_authorisation="").values(
            "collectivity"
        )
        field.queryset = (
            Collectivity.objects.filter(pk__in=accepting)
            .exclude(pk=collectivity.pk)
            .order_by("name_fr")
        )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ComplaintDecision.choices, widget=forms.RadioSelect
    )
    text = text_field(_("Decision and reasons (sent to the requester)"))
    attachments = MultipleFileField(label=_("Files"), help_text=upload_help_text)


class SettingsForm(forms.ModelForm[InformationSettings]):
    class Meta:
        model = InformationSettings
        fields = [
            "cndp_authorisation",
            "desk_email",
            "desk_phone",
            "desk_address_ar",
            "desk_address_fr",
            "clarification_clock",
        ]
        widgets = {"clarification_clock": forms.RadioSelect}
