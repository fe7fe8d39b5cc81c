"""The forms every process shares: a text to the other side, and files to attach.

Each is checked again by the service it feeds (`infitah.cases.services`): the form gives
the field-by-field messages of bad input; the service stays the judge.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.lib.casework import TEXT_MAX


def text_field(label: Any, *, required: bool = True, max_length: int = TEXT_MAX) -> forms.CharField:
    """A free text of a citizen or an officer (a question, an answer, reasons)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class TextForm(forms.Form):
    """One text, with the label of the action it serves (a clarification, a complaint…)."""

    text = text_field(_("Text"))

    def __init__(self, *args: Any, label: Any = None, required: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["text"].label = label
        self.fields["text"].required = required


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []
