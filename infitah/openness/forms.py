"""The network administrators' form of the openness index: new weights (a new version of
the method)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.openness.models import ITEMS
from infitah.openness.services import NOTE_MAX, WEIGHT_MAX


def weight_field_name(code: str) -> str:
    return f"weight_{code}"


class WeightsForm(forms.Form):
    """One whole-number weight per item of the index, and a note saying what changed
    and why (published on the method page). The form checks each value; the service
    (`method_create`) checks the whole (not all zero, not the weights in force) and its
    errors come back beside these fields (`service_names`)."""

    service_names = {code: weight_field_name(code) for code in ITEMS}

    note = forms.CharField(
        label=_("What changed and why"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what changed and why: the note is published.")},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        titles: Mapping[str, str],
        current: Mapping[str, int],
    ) -> None:
        super().__init__(data)
        self.current = {code: int(current.get(code, 0)) for code in ITEMS}
        weights: dict[str, forms.Field] = {}
        for code in ITEMS:
            weights[weight_field_name(code)] = forms.IntegerField(
                label=titles.get(code, code),
                min_value=0,
                max_value=WEIGHT_MAX,
                initial=self.current[code],
                error_messages={
                    "required": _("Give a weight (0 leaves the item out)."),
                    "invalid": _("Enter a whole number, such as 10."),
                    "min_value": _("A weight cannot be negative."),
                    "max_value": _("A weight is at most %(limit_value)s."),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
            )
        # The weights first, in the order of the index, then the note.
        self.fields = {**weights, "note": self.fields["note"]}

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[weight_field_name(code)] for code in ITEMS]

    def weights(self) -> dict[str, int]:
        """The weights entered, by item code (after validation)."""
        return {code: int(self.cleaned_data[weight_field_name(code)]) for code in ITEMS}
