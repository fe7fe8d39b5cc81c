"""Forms of the legal calendar: the public calculator and the overrides page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.deadlines.models import LegalLimit, OverrideKind
from infitah.deadlines.services import MAX_YEAR, MIN_YEAR, calendar_override_check

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LimitChoiceField(forms.ModelChoiceField[LegalLimit]):
    """The legal time limits by name; the code stays the submitted value."""

    def label_from_instance(self, obj: LegalLimit) -> str:
        return f"{obj.name} ({obj.duration_label})"


class CalendarForm(forms.Form):
    """The public page's GET form: a year, and optionally a start date and a limit."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )
    start = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Enter a real date, as year-month-day (2026-03-16).")},
    )
    limit = LimitChoiceField(
        label=_("Legal time limit"),
        queryset=LegalLimit.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a legal time limit from the list.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_start = bool(str(self.data.get("start") or "").strip())
        has_limit = bool(str(self.data.get("limit") or "").strip())
        if has_start and not has_limit:
            self.add_error("limit", _("Choose a legal time limit to compute a due date."))
        if has_limit and not has_start:
            self.add_error("start", _("Give a start date to compute a due date."))
        start = data.get("start")
        if start is not None and not MIN_YEAR <= start.year <= MAX_YEAR:
            self.add_error("start", _("Choose a date between 1990 and 2100."))
        return data


class OverrideForm(forms.Form):
    """An official correction of the holiday calendar (network administrators)."""

    kind = forms.ChoiceField(label=_("Kind of correction"), choices=OverrideKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    new_date = forms.DateField(
        label=_("New date (when a holiday is moved)"), required=False, widget=DATE_WIDGET
    )
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Reason and official source"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reference = forms.CharField(
        label=_("Official reference (e.g. the communiqué's number)"),
        max_length=200,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            calendar_override_check(
                kind=data["kind"],
                date=data["date"],
                new_date=data.get("new_date"),
                name_ar=data.get("name_ar", ""),
                name_fr=data.get("name_fr", ""),
                reason=data.get("reason", ""),
                reference=data.get("reference", ""),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data
