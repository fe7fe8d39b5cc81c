"""Forms of public consultations: they parse and show; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.participation.consultations.models import (
    COMMENT_MAX,
    REASON_NOTE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Consultation,
    Section,
)
from infitah.participation.consultations.services import ConsultationInput
from infitah.participation.consultations.workflow import Kind, Moderation, RejectionReason
from infitah.participation.forms import audience_field
from infitah.participation.models import Audience

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, errors)
        else:
            form.add_error(None, errors)


def _text(label: Any, *, required: bool = False, max_length: int = TEXT_MAX, rows: int = 6) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Draft under consultation"), choices=Kind.choices)
    title_ar = forms.CharField(label=_("Title in Arabic"), required=False, max_length=TITLE_MAX)
    title_fr = forms.CharField(label=_("Title in French"), required=False, max_length=TITLE_MAX)
    description_ar = _text(_("Presentation in Arabic"))
    description_fr = _text(_("Presentation in French"))
    opens_at = _when(_("Opens at"))
    closes_at = _when(_("Closes at"))
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=Moderation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, network: bool = False, **kwargs: Any) -> None:
        """`network`: a consultation of the network's own space, which chooses its
        audience (elsewhere the audience is the collectivity's public, not shown)."""
        super().__init__(*args, **kwargs)
        if network:
            self.fields["audience"] = audience_field()
            self.order_fields(["audience"])

    @classmethod
    def initial_of(cls, consultation: Consultation) -> dict[str, Any]:
        return {
            name: getattr(consultation, name)
            for name in (
                "audience",
                "kind",
                "title_ar",
                "title_fr",
                "description_ar",
                "description_fr",
                "opens_at",
                "closes_at",
                "moderation",
            )
        }

    def consultation_input(self) -> ConsultationInput:
        data = self.cleaned_data
        return ConsultationInput(
            kind=data["kind"],
            title_ar=data["title_ar"],
            title_fr=data["title_fr"],
            description_ar=data["description_ar"],
            description_fr=data["description_fr"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            moderation=data["moderation"],
            audience=data.get("audience", Audience.LOCAL),
        )


class SectionForm(forms.Form):
    order = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=999,
        required=False,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    title_ar = forms.CharField(label=_("Title in Arabic"), required=False, max_length=TITLE_MAX)
    title_fr = forms.CharField(label=_("Title in French"), required=False, max_length=TITLE_MAX)
    body_ar = _text(_("Text in Arabic"), rows=8)
    body_fr = _text(_("Text in French"), rows=8)

    @classmethod
    def initial_of(cls, section: Section) -> dict[str, Any]:
        return {
            "order": section.order,
            "title_ar": section.title_ar,
            "title_fr": section.title_fr,
            "body_ar": section.body_ar,
            "body_fr": section.body_fr,
        }


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        error_messages={"required": _("Write your comment.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class StanceForm(forms.Form):
    value = forms.ChoiceField(
        choices=[("support", "support"), ("oppose", "oppose"), ("withdraw", "withdraw")],
        error_messages={"required": _("Choose to support or to oppose.")},
    )


class ModerateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *RejectionReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note to the author (optional)"), required=False, max_length=REASON_NOTE_MAX
    )


class SynthesisForm(forms.Form):
    """The synthesis and one response per section (fields `response_ar_<id>` and
    `response_fr_<id>`)."""

    synthesis_ar = _text(_("Synthesis in Arabic"), rows=10)
    synthesis_fr = _text(_("Synthesis in French"), rows=10)

    def __init__(self, *args: Any, sections: list[Section], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        for s in sections:
            self.fields[f"response_ar_{s.pk}"] = _text(_("Response in Arabic"), rows=4)
            self.fields[f"response_fr_{s.pk}"] = _text(_("Response in French"), rows=4)

    @classmethod
    def initial_of(cls, consultation: Consultation, sections: list[Section]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "synthesis_ar": consultation.synthesis_ar,
            "synthesis_fr": consultation.synthesis_fr,
        }
        for s in sections:
            initial[f"response_ar_{s.pk}"] = s.response_ar
            initial[f"response_fr_{s.pk}"] = s.response_fr
        return initial

    def section_fields(self) -> list[tuple[Section, forms.BoundField, forms.BoundField]]:
        return [
            (s, self[f"response_ar_{s.pk}"], self[f"response_fr_{s.pk}"]) for s in self.sections
        ]

    def responses(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            s.pk: (data.get(f"response_ar_{s.pk}") or "", data.get(f"response_fr_{s.pk}") or "")
            for s in self.sections
        }
