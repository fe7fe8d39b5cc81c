"""Forms of the staff participatory budgeting pages.

The forms give the field-by-field messages of bad input; the services stay the judges
(envelope cap, same collectivity, investment lines, the retained total) and their
ValidationError goes back beside the fields (`service_errors`). Choices (consultations,
surveys, budget lines) are lists the view loaded once through the selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.finance.forms import NUMBER, StaffForm
from infitah.finance.models import (
    TITLE_MAX,
    BudgetItem,
    ParticipatoryBudget,
    ParticipatoryProject,
)
from infitah.participation.consultations.models import Consultation
from infitah.participation.surveys.models import Survey

AMOUNT = {"dir": "ltr", "inputmode": "decimal"}


def _title(label: Any, *, lang: str) -> forms.CharField:
    attrs = {"dir": "rtl", "lang": "ar"} if lang == "ar" else {"dir": "ltr", "lang": "fr"}
    return forms.CharField(
        label=label, required=False, max_length=TITLE_MAX, widget=forms.TextInput(attrs=attrs)
    )


def _amount(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs=AMOUNT),
    )


class CampaignForm(StaffForm):
    title_ar = _title(_("Title in Arabic"), lang="ar")
    title_fr = _title(_("Title in French"), lang="fr")
    envelope = _amount(
        _("Envelope (MAD)"),
        _("The share of the investment budget put to the citizens' votes."),
    )
    consultation = forms.ChoiceField(label=_("Consultation where citizens propose"), required=False)
    survey = forms.ChoiceField(label=_("Survey where citizens vote"), required=False)

    def __init__(
        self,
        *args: Any,
        consultations: Sequence[Consultation],
        surveys: Sequence[Survey],
        campaign: ParticipatoryBudget | None = None,
        **kwargs: Any,
    ) -> None:
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title_ar": campaign.title_ar,
                    "title_fr": campaign.title_fr,
                    "envelope": campaign.envelope,
                    "consultation": campaign.consultation_id or "",
                    "survey": campaign.survey_id or "",
                },
            )
        super().__init__(*args, **kwargs)
        consultation = self.fields["consultation"]
        assert isinstance(consultation, forms.ChoiceField)
        consultation.choices = [
            ("", _("— none —")),
            *((c.pk, f"{c.opens_at:%Y-%m-%d} · {c.title}"[:160]) for c in consultations),
        ]
        survey = self.fields["survey"]
        assert isinstance(survey, forms.ChoiceField)
        survey.choices = [
            ("", _("— none —")),
            *((s.pk, f"{s.opens_at:%Y-%m-%d} · {s.title}"[:160]) for s in surveys),
        ]


class ProjectForm(StaffForm):
    title_ar = _title(_("Title in Arabic"), lang="ar")
    title_fr = _title(_("Title in French"), lang="fr")
    cost = _amount(_("Cost (MAD)"))
    votes = forms.IntegerField(
        label=_("Votes"),
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text=_("As counted in the survey's results."),
        widget=forms.NumberInput(attrs=NUMBER),
    )

    @staticmethod
    def initial_of(project: ParticipatoryProject) -> dict[str, Any]:
        return {name: getattr(project, name) for name in ProjectForm.base_fields}


class RetainForm(StaffForm):
    item = forms.ChoiceField(
        label=_("Budget line"),
        help_text=_("An investment expenditure line of the year's budget."),
        error_messages={"required": _("Choose the budget line the project flows into.")},
    )

    def __init__(
        self,
        *args: Any,
        lines: Sequence[BudgetItem],
        project: ParticipatoryProject | None = None,
        **kwargs: Any,
    ) -> None:
        if project is not None and project.item_id:
            kwargs.setdefault("initial", {"item": project.item_id})
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("— choose —")),
            *((line.pk, f"{line.code} {line.label}"[:160]) for line in lines),
        ]
