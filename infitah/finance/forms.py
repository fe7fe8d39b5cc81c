"""Forms of the staff budget pages.

Forms give the field-by-field messages of bad input; the services stay the judges (they
check everything again) and their ValidationError goes back beside the fields
(`service_errors`). Choices (functions, commitments, advisory bodies, documents, lines)
are lists the view loaded once through the selectors, never a query per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.advisory.models import Body
from infitah.finance.importer import MAX_BYTES, MAX_ROWS
from infitah.finance.models import TITLE_MAX, BudgetItem, FunctionalClass
from infitah.finance.services.budget import NOTE_MAX, PEOPLE_MAX, YEAR_MAX, YEAR_MIN
from infitah.finance.workflow import Direction, GenderMarker, KeyDocument, Phase
from infitah.lib.casework import TEXT_MAX
from infitah.lib.formerrors import service_errors as service_errors
from infitah.openplan.models import Commitment
from infitah.publication.models import Document

Choices = list[tuple[Any, Any]]
NUMBER = {"dir": "ltr", "inputmode": "numeric"}


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


def _day(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a valid date (YYYY-MM-DD).")},
    )


def _line(label: Any, *, lang: str, max_length: int = TITLE_MAX) -> forms.CharField:
    attrs = {"dir": "rtl", "lang": "ar"} if lang == "ar" else {"dir": "ltr", "lang": "fr"}
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )


# --- budgets and imports ---------------------------------------------------------------------


class BudgetOpenForm(StaffForm):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class ImportForm(StaffForm):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        allow_empty_file=True,
        max_length=200,
        error_messages={"required": _("Choose the spreadsheet to import.")},
    )
    as_of = _day(
        _("Figures as of"),
        help_text=_("For an execution only: the day its figures stand at."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.fields["file"].help_text = _(
            "One line per row: direction, section, chapter, article, paragraph, line, "
            "label in Arabic, label in French, amount. At most %(rows)d rows and %(mb)d MB."
        ) % {"rows": MAX_ROWS, "mb": MAX_BYTES // (1024 * 1024)}


# --- tagging ---------------------------------------------------------------------------------


def function_choices(functions: Sequence[FunctionalClass]) -> Choices:
    return [("", _("— no function —")), *((f.pk, f"{f.code} {f.name}") for f in functions)]


def marker_choices() -> Choices:
    return [("", _("— not marked —")), *GenderMarker.choices]


def commitment_choices(commitments: Sequence[Commitment]) -> Choices:
    return [
        ("", _("— no commitment —")),
        *((c.pk, f"{c.programme.reference} · {c.number}. {c.title}"[:160]) for c in commitments),
    ]


class TagForm(StaffForm):
    """A line's function, gender marker (expenditure only) and commitment."""

    function = forms.ChoiceField(label=_("Function"), required=False)
    gender_marker = forms.ChoiceField(label=_("Gender marker"), required=False)
    commitment = forms.ChoiceField(label=_("Action-plan commitment"), required=False)

    def __init__(
        self,
        *args: Any,
        item: BudgetItem,
        functions: Sequence[FunctionalClass],
        commitments: Sequence[Commitment],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "function": item.function_id or "",
                "gender_marker": "" if item.gender_marker is None else item.gender_marker,
                "commitment": item.commitment_id or "",
            },
        )
        super().__init__(*args, **kwargs)
        self._choices("function", function_choices(functions))
        self._choices("commitment", commitment_choices(commitments))
        if item.direction == Direction.EXPENDITURE:
            self._choices("gender_marker", marker_choices())
        else:
            del self.fields["gender_marker"]

    def _choices(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class BulkTagForm(forms.Form):
    """The function and gender marker of each line of a page: fields `function-<id>`
    and `gender_marker-<id>` (expenditure lines only)."""

    def __init__(
        self,
        *args: Any,
        items: Sequence[BudgetItem],
        functions: Sequence[FunctionalClass],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        functions_offered = function_choices(functions)
        markers = marker_choices()
        self.items = list(items)
        for item in self.items:
            self.fields[f"function-{item.pk}"] = forms.ChoiceField(
                label=_("Function"),
                required=False,
                choices=functions_offered,
                initial=item.function_id or "",
            )
            if item.direction == Direction.EXPENDITURE:
                self.fields[f"gender_marker-{item.pk}"] = forms.ChoiceField(
                    label=_("Gender marker"),
                    required=False,
                    choices=markers,
                    initial="" if item.gender_marker is None else item.gender_marker,
                )

    def fields_of(self, item: BudgetItem) -> list[forms.BoundField]:
        names = (f"function-{item.pk}", f"gender_marker-{item.pk}")
        return [self[name] for name in names if name in self.fields]

    def changes(self) -> dict[int, dict[str, Any]]:
        """Line id -> the fields posted for it (the service writes only what changed)."""
        changes: dict[int, dict[str, Any]] = {}
        for item in self.items:
            values: dict[str, Any] = {}
            for name in ("function", "gender_marker"):
                key = f"{name}-{item.pk}"
                if key in self.fields:
                    values[name] = self.cleaned_data.get(key, "")
            changes[item.pk] = values
        return changes


# --- gender budgeting -------------------------------------------------------------------------


class IndicatorForm(StaffForm):
    name_ar = _line(_("Indicator in Arabic"), lang="ar")
    name_fr = _line(_("Indicator in French"), lang="fr")
    women = forms.IntegerField(
        label=_("Women and girls"),
        min_value=0,
        max_value=PEOPLE_MAX,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    men = forms.IntegerField(
        label=_("Men and boys"),
        min_value=0,
        max_value=PEOPLE_MAX,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    measured_on = _day(_("Measured on"))

    @staticmethod
    def initial_of(indicator: Any) -> dict[str, Any]:
        return {name: getattr(indicator, name) for name in IndicatorForm.base_fields}


class CommentForm(StaffForm):
    body = forms.ChoiceField(label=_("Advisory body"))
    item = forms.ChoiceField(label=_("About the line"), required=False)
    text = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        error_messages={"required": _("Write the comment.")},
    )

    def __init__(
        self, *args: Any, bodies: Sequence[Body], items: Sequence[BudgetItem], **kwargs: Any
    ) -> None:
        if bodies:
            kwargs.setdefault("initial", {"body": bodies[0].pk})
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        assert isinstance(body, forms.ChoiceField)
        body.choices = [(b.pk, f"{b.name} ({b.get_kind_display()})") for b in bodies]
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = [
            ("", _("— the budget as a whole —")),
            *((i.pk, f"{i.code} {i.label}"[:120]) for i in items),
        ]


class KeyDocumentForm(StaffForm):
    kind = forms.ChoiceField(label=_("Key document"), choices=KeyDocument.choices)
    document = forms.ChoiceField(label=_("Published document"))

    def __init__(self, *args: Any, documents: Sequence[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("— choose —")),
            *((d.pk, f"{d.date:%Y-%m-%d} · {d.title}"[:160]) for d in documents),
        ]
