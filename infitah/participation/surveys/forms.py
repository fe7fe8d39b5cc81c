"""Forms of surveys; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from infitah.participation.forms import audience_field
from infitah.participation.surveys.models import (
    ANSWER_TEXT_MAX,
    DESCRIPTION_MAX,
    OPTION_MAX,
    QUESTION_MAX,
    SCALE_LABEL_MAX,
    TITLE_MAX,
    Kind,
    Question,
    Survey,
)
from infitah.participation.surveys.services import QuestionInput, SurveyInput

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]


def _datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SurveyForm(forms.Form):
    title_ar = forms.CharField(label=_("Title in Arabic"), required=False, max_length=TITLE_MAX)
    title_fr = forms.CharField(label=_("Title in French"), required=False, max_length=TITLE_MAX)
    description_ar = forms.CharField(
        label=_("Description in Arabic"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_fr = forms.CharField(
        label=_("Description in French"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opens_at = _datetime(_("Opens on"))
    closes_at = _datetime(_("Closes on"))
    show_results_while_open = forms.BooleanField(
        label=_("Show the results while the survey is open"), required=False
    )

    def __init__(self, *args: Any, network: bool = False, **kwargs: Any) -> None:
        """`network`: a survey of the network's own space, which chooses its audience
        (elsewhere the audience is the collectivity's public, not shown)."""
        super().__init__(*args, **kwargs)
        if network:
            self.fields["audience"] = audience_field()

    @staticmethod
    def initial_of(survey: Survey) -> dict[str, Any]:
        return {
            name: getattr(survey, name)
            for name in (
                "audience",
                "title_ar",
                "title_fr",
                "description_ar",
                "description_fr",
                "opens_at",
                "closes_at",
                "show_results_while_open",
            )
        }

    def survey_input(self) -> SurveyInput:
        return SurveyInput(**self.cleaned_data)


def options_parse(text: str) -> list[tuple[str, str]]:
    """One option per line, "Arabic | French" (a line without "|" is one language)."""
    pairs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        ar, _sep, fr = line.partition("|")
        pairs.append((ar.strip(), fr.strip()))
    return pairs


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    text_ar = forms.CharField(
        label=_("Question in Arabic"), required=False, max_length=QUESTION_MAX
    )
    text_fr = forms.CharField(
        label=_("Question in French"), required=False, max_length=QUESTION_MAX
    )
    is_required = forms.BooleanField(label=_("An answer is required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=0)
    options = forms.CharField(
        label=_("Options (choices only)"),
        required=False,
        max_length=(OPTION_MAX * 2 + 5) * 20,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: Arabic | French"),
    )
    low_label_ar = forms.CharField(
        label=_("Lowest value, label in Arabic (scales only)"),
        required=False,
        max_length=SCALE_LABEL_MAX,
    )
    low_label_fr = forms.CharField(
        label=_("Lowest value, label in French (scales only)"),
        required=False,
        max_length=SCALE_LABEL_MAX,
    )
    high_label_ar = forms.CharField(
        label=_("Highest value, label in Arabic (scales only)"),
        required=False,
        max_length=SCALE_LABEL_MAX,
    )
    high_label_fr = forms.CharField(
        label=_("Highest value, label in French (scales only)"),
        required=False,
        max_length=SCALE_LABEL_MAX,
    )

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(question, name)
            for name in (
                "kind",
                "text_ar",
                "text_fr",
                "is_required",
                "order",
                "low_label_ar",
                "low_label_fr",
                "high_label_ar",
                "high_label_fr",
            )
        }
        initial["options"] = "\n".join(
            f"{o.label_ar} | {o.label_fr}" for o in question.options.all()
        )
        return initial

    def question_input(self) -> QuestionInput:
        data = dict(self.cleaned_data)
        data["options"] = options_parse(data.get("options") or "")
        return QuestionInput(**data)


class ResponseForm(forms.Form):
    """The survey's questions as fields "q<id>". Every field is optional here: the
    service decides what is required and valid (the same rules for the API)."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question: Question) -> forms.Field:
        label = question.text
        if question.kind == Kind.SINGLE:
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=[(str(o.pk), o.label) for o in question.options.all()],
                widget=forms.RadioSelect,
            )
        if question.kind == Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(str(o.pk), o.label) for o in question.options.all()],
                widget=forms.CheckboxSelectMultiple,
            )
        if question.is_scale:
            values = list(question.scale)
            choices = []
            for value in values:
                text = str(value)
                if value == values[0] and question.low_label:
                    text = f"{value} — {question.low_label}"
                elif value == values[-1] and question.high_label:
                    text = f"{value} — {question.high_label}"
                choices.append((str(value), text))
            return forms.ChoiceField(
                label=label, required=False, choices=choices, widget=forms.RadioSelect
            )
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": ANSWER_TEXT_MAX}),
        )

    def bound_fields(self) -> list[tuple[Question, forms.BoundField]]:
        return [(q, self[f"q{q.pk}"]) for q in self.questions]


def answers_of(data: QueryDict, questions: list[Question]) -> dict[int, list[str]]:
    """What a form sent, question by question, unvalidated (the service checks)."""
    return {q.pk: data.getlist(f"q{q.pk}") for q in questions}
