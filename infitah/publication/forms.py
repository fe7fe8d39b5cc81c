"""Forms of the publication: the staff upload, new-version and withdrawal forms, and the
public list's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.lib.uploads import UploadField, upload_help_text
from infitah.publication.models import Category, Language

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a real date, as year-month-day (2026-03-16).")}


class _DocumentFields(forms.Form):
    title_ar = forms.CharField(label=_("Title in Arabic"), max_length=300, required=False)
    title_fr = forms.CharField(label=_("Title in French"), max_length=300, required=False)
    date = forms.DateField(
        label=_("Date of the document"), widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    period_start = forms.DateField(
        label=_("Period covered: from"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    period_end = forms.DateField(
        label=_("Period covered: to"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    is_complete = forms.BooleanField(
        label=_("The document is complete"),
        required=False,
        help_text=_("Tick only if nothing the category asks for is missing."),
    )
    upload = UploadField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = upload_help_text()
        self.fields["title_ar"].widget.attrs.update({"lang": "ar", "dir": "rtl"})
        self.fields["title_fr"].widget.attrs.update({"lang": "fr", "dir": "ltr"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_ar") or "").strip() and not (data.get("title_fr") or "").strip():
            self.add_error("title_ar", _("Give a title in Arabic or in French (or both)."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data


class DocumentForm(_DocumentFields):
    """Publish a new document."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    field_order = ["category", "title_ar", "title_fr", "date"]

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Category.objects.filter(pk__in=[c.pk for c in categories]).order_by(
            "order", "code"
        )


class VersionForm(_DocumentFields):
    """Publish a new version: the fields start from the current version's values."""


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal (public)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class FilterForm(forms.Form):
    """The public list's GET filter."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a year from the list.")},
    )

    def __init__(
        self, *args: Any, categories: list[Category], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Category.objects.filter(pk__in=[c.pk for c in categories])
        # Choices without a query at render time: the categories are already loaded.
        field.choices = [("", _("All categories"))] + [(c.code, c.name) for c in categories]  # type: ignore[assignment]
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]
