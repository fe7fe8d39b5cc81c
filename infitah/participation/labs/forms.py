"""Forms of labs: they validate input; the services act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.participation.forms import audience_field
from infitah.participation.labs.models import (
    DESCRIPTION_MAX,
    QUESTION_MAX,
    REASON_MAX,
    STATEMENT_MAX,
    Lab,
    VoteValue,
)
from infitah.participation.labs.services import SEED_BATCH_MAX, LabInput
from infitah.participation.models import Audience

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown ones: the form)."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


class LabForm(forms.Form):
    question_ar = forms.CharField(label=_("Question in Arabic"), max_length=QUESTION_MAX)
    question_fr = forms.CharField(
        label=_("Question in French"), max_length=QUESTION_MAX, required=False
    )
    description_ar = forms.CharField(
        label=_("Description in Arabic"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_fr = forms.CharField(
        label=_("Description in French"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=_DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=_DateTimeInput())
    moderate_statements = forms.BooleanField(
        label=_("Moderate participants' statements (shown only once approved)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, network: bool = False, **kwargs: Any) -> None:
        """`network`: a lab of the network's own space, which chooses its audience
        (elsewhere the audience is the collectivity's public, not shown)."""
        super().__init__(*args, **kwargs)
        if network:
            self.fields["audience"] = audience_field()
            self.order_fields(["audience"])

    @staticmethod
    def initial_of(lab: Lab) -> dict[str, Any]:
        return {
            "audience": lab.audience,
            "question_ar": lab.question_ar,
            "question_fr": lab.question_fr,
            "description_ar": lab.description_ar,
            "description_fr": lab.description_fr,
            "opens_at": lab.opens_at,
            "closes_at": lab.closes_at,
            "moderate_statements": lab.moderate_statements,
        }

    def to_input(self) -> LabInput:
        data = self.cleaned_data
        return LabInput(
            question_ar=data["question_ar"],
            question_fr=data["question_fr"],
            description_ar=data["description_ar"],
            description_fr=data["description_fr"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            moderate_statements=data["moderate_statements"],
            audience=data.get("audience", Audience.LOCAL),
        )


class SeedForm(forms.Form):
    texts = forms.CharField(
        label=_("Statements, one per line"),
        help_text=_("Each statement is at most 280 characters."),
        max_length=SEED_BATCH_MAX * (STATEMENT_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def lines(self) -> list[str]:
        return [line for line in self.cleaned_data["texts"].splitlines() if line.strip()]


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        help_text=_("A short sentence others can agree or disagree with (at most 280 characters)."),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX}),
    )


class VoteForm(forms.Form):
    statement = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    vote = forms.TypedChoiceField(choices=[(str(v.value), v.label) for v in VoteValue], coerce=int)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason of the rejection"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"size": 40}),
    )
