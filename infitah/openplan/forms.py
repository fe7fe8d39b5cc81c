"""Forms of the programme's staff pages (core and monitoring).

Forms give the field-by-field messages of bad input; the services stay the judges (they
check everything again) and their ValidationError goes back beside the fields
(`service_errors`). Choices of axes and milestones are those of the page's programme
or commitment.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.lib.formerrors import service_errors as service_errors
from infitah.lib.uploads import upload_help_text
from infitah.openplan.models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    Axis,
    Commitment,
    Indicator,
    Milestone,
    Phase,
    Programme,
)
from infitah.openplan.services.monitoring import (
    INDICATOR_UNIT_MAX,
    MAX_FILES,
    VALUE_NOTE_MAX,
    url_check,
)
from infitah.openplan.workflow import (
    AssessmentSource,
    Completion,
    EarlyResults,
    Kind,
    Potential,
)

# Empty link rows offered on the report form (a phone shows them one under another).
LINK_ROWS = 3
PERCENT_WIDGET = {"dir": "ltr", "inputmode": "decimal"}


def _text(label: Any, *, max_length: int = TEXT_MAX, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
    )


def _line(
    label: Any, *, max_length: int = TITLE_MAX, required: bool = False, lang: str = ""
) -> forms.CharField:
    attrs = {"dir": "rtl", "lang": "ar"} if lang == "ar" else {"dir": "auto"}
    if lang == "fr":
        attrs = {"dir": "ltr", "lang": "fr"}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
    )


def _day(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )


def _number(
    label: Any,
    *,
    required: bool = False,
    max_digits: int = 16,
    min_value: int | None = None,
    max_value: int | None = None,
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=max_digits,
        decimal_places=2,
        min_value=min_value,
        max_value=max_value,
        widget=forms.TextInput(attrs=PERCENT_WIDGET),
    )


def _order() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Order"),
        required=False,
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"dir": "ltr"}),
    )


class StaffForm(forms.Form):
    """A form drawn in groups: `fieldsets` names (legend, field names) groups; fields in
    no group are drawn first, without a legend."""

    fieldsets: ClassVar[tuple[tuple[Any, tuple[str, ...]], ...]] = ()

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        grouped = {name for _legend, names in self.fieldsets for name in names}
        loose = [self[name] for name in self.fields if name not in grouped]
        sections: list[tuple[Any, list[forms.BoundField]]] = [("", loose)] if loose else []
        for legend, names in self.fieldsets:
            sections.append((legend, [self[name] for name in names if name in self.fields]))
        return sections


class DeleteForm(StaffForm):
    """A confirmation: nothing to fill in."""


# --- programme, phases, axes ----------------------------------------------------------


class ProgrammeForm(StaffForm):
    kind = forms.ChoiceField(label=_("Kind of programme"), choices=Kind.choices)
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    summary_ar = _text(_("Presentation in Arabic"), rows=5)
    summary_fr = _text(_("Presentation in French"), rows=5)
    starts_on = _day(_("Implementation starts on"), required=True)
    ends_on = _day(_("Implementation ends on"), required=True)
    independent_monitor = _line(_("Independent monitoring body"), max_length=NAME_MAX)

    @staticmethod
    def initial_of(programme: Programme) -> dict[str, Any]:
        return {name: getattr(programme, name) for name in ProgrammeForm.base_fields}


class PhaseForm(StaffForm):
    starts_on = _day(_("Starts on"), required=True)
    ends_on = _day(_("Ends on"))
    note_ar = _line(_("Note in Arabic"), lang="ar")
    note_fr = _line(_("Note in French"), lang="fr")

    @staticmethod
    def initial_of(phase: Phase | None) -> dict[str, Any]:
        if phase is None:
            return {}
        return {name: getattr(phase, name) for name in PhaseForm.base_fields}


class AxisForm(StaffForm):
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    order = _order()

    @staticmethod
    def initial_of(axis: Axis) -> dict[str, Any]:
        return {"title_ar": axis.title_ar, "title_fr": axis.title_fr, "order": axis.order}


# --- commitments and milestones --------------------------------------------------------


class AxisChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class CommitmentForm(StaffForm):
    """The fields of OGP's action-plan template."""

    axis = AxisChoice(label=_("Axis"), queryset=Axis.objects.none(), required=False)
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    problem_ar = _text(_("Public problem (Arabic)"))
    problem_fr = _text(_("Public problem (French)"))
    description_ar = _text(_("What the commitment is (Arabic)"))
    description_fr = _text(_("What the commitment is (French)"))
    solution_ar = _text(_("How it solves the problem (Arabic)"))
    solution_fr = _text(_("How it solves the problem (French)"))
    value_access = forms.BooleanField(label=_("Access to information"), required=False)
    value_participation = forms.BooleanField(label=_("Civic participation"), required=False)
    value_accountability = forms.BooleanField(label=_("Public accountability"), required=False)
    tag_technology = forms.BooleanField(label=_("Technology and innovation"), required=False)
    lead_unit = _line(_("Lead unit"), max_length=NAME_MAX)
    partners_government = _text(_("Government partners"), rows=2)
    partners_civil_society = _text(_("Civil society partners"), rows=2)
    budget = _number(_("Budget (MAD)"), max_digits=14, min_value=0)
    budget_line = _line(_("Budget line"), max_length=64)
    starts_on = _day(_("Starts on"))
    ends_on = _day(_("Ends on"))

    fieldsets = (
        (
            _("Relevance to OGP values"),
            ("value_access", "value_participation", "value_accountability", "tag_technology"),
        ),
        (
            _("Who carries it, and its means"),
            (
                "lead_unit",
                "partners_government",
                "partners_civil_society",
                "budget",
                "budget_line",
                "starts_on",
                "ends_on",
            ),
        ),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        axes = self.fields["axis"]
        assert isinstance(axes, forms.ModelChoiceField)
        axes.queryset = Axis.objects.filter(programme=programme).order_by("order", "pk")

    @staticmethod
    def initial_of(commitment: Commitment) -> dict[str, Any]:
        initial = {
            name: getattr(commitment, name) for name in CommitmentForm.base_fields if name != "axis"
        }
        initial["axis"] = commitment.axis_id
        return initial


class MilestoneChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class MilestoneForm(StaffForm):
    parent = MilestoneChoice(
        label=_("Part of the milestone"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("— none: a milestone of the commitment —"),
    )
    title_ar = _line(_("Title in Arabic"), lang="ar")
    title_fr = _line(_("Title in French"), lang="fr")
    starts_on = _day(_("Starts on"))
    ends_on = _day(_("Ends on"))
    weight = _number(_("Weight"), max_digits=7)
    order = _order()

    def __init__(
        self,
        *args: Any,
        commitment: Commitment,
        milestone: Milestone | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].help_text = _(
            "Leave empty to weigh it as the mean of its siblings' weights (equal weights "
            "when none is given)."
        )
        parents = self.fields["parent"]
        assert isinstance(parents, forms.ModelChoiceField)
        queryset = Milestone.objects.filter(commitment=commitment).order_by("order", "pk")
        if milestone is not None:
            queryset = queryset.exclude(pk=milestone.pk)
        parents.queryset = queryset

    @staticmethod
    def initial_of(milestone: Milestone) -> dict[str, Any]:
        initial = {
            name: getattr(milestone, name) for name in MilestoneForm.base_fields if name != "parent"
        }
        initial["parent"] = milestone.parent_id
        return initial


# --- monitoring ----------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by its content by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# Cancellation of the milestone in a report.
CANCEL_CHOICES = [
    ("", pgettext_lazy("milestone cancellation", "No change")),
    ("yes", _("Cancel the milestone")),
    ("no", _("Resume the cancelled milestone")),
]


class ReportForm(StaffForm):
    # The service's names of the fields named otherwise here.
    service_names: ClassVar[dict[str, str]] = {"files": "evidence"}

    milestone = MilestoneChoice(
        label=_("Milestone"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("— the commitment as a whole —"),
    )
    progress = _number(_("Progress of the milestone (%)"), max_digits=5, min_value=0, max_value=100)
    cancelled = forms.ChoiceField(label=_("Cancellation"), choices=CANCEL_CHOICES, required=False)
    note = _text(_("Report"), rows=6)
    unit = _line(_("Reported by the unit"), max_length=NAME_MAX)
    # Not `files`: a form's own attribute (its uploaded files).
    evidence = MultipleFileField(label=_("Evidence: documents and photos"), required=False)

    def __init__(self, *args: Any, commitment: Commitment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        milestones = self.fields["milestone"]
        assert isinstance(milestones, forms.ModelChoiceField)
        # A milestone with sub-milestones that count is not offered (the service says
        # why if one is posted anyway).
        milestones.queryset = (
            Milestone.objects.filter(commitment=commitment)
            .exclude(children__is_cancelled=False)
            .order_by("order", "pk")
        )
        several = _("Several files may be chosen at once (at most %(max)d).") % {"max": MAX_FILES}
        self.fields["evidence"].help_text = f"{several} {upload_help_text()}"
        for row in range(1, LINK_ROWS + 1):
            self.fields[f"link_title_{row}"] = _line(
                _("Title of link %(number)d") % {"number": row}
            )
            self.fields[f"link_url_{row}"] = forms.CharField(
                label=_("Address of link %(number)d") % {"number": row},
                required=False,
                max_length=URL_MAX,
                widget=forms.URLInput(attrs={"dir": "ltr"}),
            )

    fieldsets = (
        (
            _("Evidence: links"),
            tuple(
                f"link_{part}_{row}" for row in range(1, LINK_ROWS + 1) for part in ("title", "url")
            ),
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for row in range(1, LINK_ROWS + 1):
            title = cleaned.get(f"link_title_{row}", "")
            url, problem = url_check(cleaned.get(f"link_url_{row}", ""))
            if title and not url:
                problem = str(_("Enter a web address starting with http:// or https://."))
            if problem:
                self.add_error(f"link_url_{row}", problem)
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of `monitoring.report_submit` from the valid form."""
        data = self.cleaned_data
        links = [
            (data.get(f"link_title_{row}", ""), data[f"link_url_{row}"])
            for row in range(1, LINK_ROWS + 1)
            if data.get(f"link_url_{row}")
        ]
        cancelled = {"yes": True, "no": False}.get(data.get("cancelled") or "")
        return {
            "milestone": data.get("milestone"),
            "progress": data.get("progress"),
            "cancelled": cancelled,
            "note": data.get("note", ""),
            "unit": data.get("unit", ""),
            "files": data.get("evidence") or [],
            "links": links,
        }


class IndicatorForm(StaffForm):
    name_ar = _line(_("Name in Arabic"), lang="ar")
    name_fr = _line(_("Name in French"), lang="fr")
    unit = _line(_("Unit"), max_length=INDICATOR_UNIT_MAX)
    baseline = _number(_("Baseline"), required=True)
    baseline_on = _day(_("Baseline measured on"))
    target = _number(_("Target"), required=True)
    target_on = _day(_("Target date"))
    order = _order()

    @staticmethod
    def initial_of(indicator: Indicator) -> dict[str, Any]:
        return {name: getattr(indicator, name) for name in IndicatorForm.base_fields}


class IndicatorValueForm(StaffForm):
    measured_on = _day(_("Measured on"), required=True)
    value = _number(_("Value"), required=True)
    note = _line(_("Note"), max_length=VALUE_NOTE_MAX)
    source_url = forms.CharField(
        label=_("Source (web address)"),
        required=False,
        max_length=URL_MAX,
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )

    def clean_source_url(self) -> str:
        url, problem = url_check(self.cleaned_data.get("source_url", ""))
        if problem:
            raise ValidationError(problem)
        return url


TRISTATE = [
    ("", _("Not assessed")),
    ("yes", _("Yes")),
    ("no", _("No")),
]


def _optional(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Not assessed")), *choices]


class AssessmentForm(StaffForm):
    source = forms.ChoiceField(
        label=_("Assessed by"), choices=AssessmentSource.choices, widget=forms.RadioSelect
    )
    assessor = _line(_("Assessor"), max_length=NAME_MAX)
    assessed_on = _day(_("Assessed on"), required=True)
    completion = forms.ChoiceField(label=_("Completion"), choices=Completion.choices)
    is_verifiable = forms.ChoiceField(label=_("Verifiable"), choices=TRISTATE, required=False)
    has_open_government_lens = forms.ChoiceField(
        label=_("Open-government lens"), choices=TRISTATE, required=False
    )
    potential = forms.ChoiceField(
        label=_("Potential for results"), choices=_optional(Potential.choices), required=False
    )
    early_results = forms.ChoiceField(
        label=_("Did it open government?"),
        choices=_optional(EarlyResults.choices),
        required=False,
    )
    comment = _text(_("Comment"), rows=6)
