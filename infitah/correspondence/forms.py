"""Forms of the correspondence register; the rules themselves live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from infitah.correspondence import selectors
from infitah.correspondence.cases import case_type_get, case_type_list
from infitah.correspondence.models import (
    CASE_REFERENCE_MAX,
    CORRESPONDENT_MAX,
    SUBJECT_MAX,
    SUMMARY_MAX,
    UNIT_NAME_MAX,
    Channel,
    Direction,
    Entry,
    ServiceUnit,
)
from infitah.information.forms import RequestForm
from infitah.lib.uploads import upload_help_text
from infitah.territories.models import Collectivity

NUMBER_HELP = _("As written on the register, e.g. 2026/000123.")


class _UnitChoiceField(forms.ModelChoiceField[ServiceUnit]):
    def label_from_instance(self, obj: ServiceUnit) -> str:
        return obj.name if obj.is_active else f"{obj.name} ({_('inactive')})"


def _units(collectivity: Collectivity, *, active_only: bool) -> Any:
    qs = ServiceUnit.objects.for_collectivity(collectivity.pk)
    return (qs.active() if active_only else qs).order_by("name_ar", "name_fr", "pk")


class EntryForm(forms.Form):
    """Register a letter (incoming or outgoing)."""

    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    correspondent = forms.CharField(
        label=_("Correspondent"),
        max_length=CORRESPONDENT_MAX,
        help_text=_("The sender of an incoming letter, the recipient of an outgoing one."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    letter_date = forms.DateField(
        label=_("Date on the letter"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    service = _UnitChoiceField(
        label=_("Route to the service"),
        queryset=ServiceUnit.objects.none(),
        required=False,
        empty_label=_("— not yet —"),
    )
    in_reply_to = forms.CharField(
        label=_("In reply to the entry"), required=False, max_length=20, help_text=NUMBER_HELP
    )
    attachment = forms.FileField(
        label=_("Scanned letter"), required=False, help_text=lazy(upload_help_text, str)()
    )

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collectivity = collectivity
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(collectivity, active_only=True)

    def clean_in_reply_to(self) -> Entry | None:
        text = (self.cleaned_data.get("in_reply_to") or "").strip()
        if not text:
            return None
        found = selectors.entry_get_by_number(collectivity=self.collectivity, text=text)
        if found is None:
            raise ValidationError(_("No entry of this register has this number."))
        return found


class FilterForm(forms.Form):
    """The list's filters (GET); an invalid filter is ignored, never an error page."""

    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("All")), *Direction.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    service = _UnitChoiceField(
        label=_("Service"),
        queryset=ServiceUnit.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    q = forms.CharField(label=_("Subject, correspondent or number"), required=False, max_length=200)

    def __init__(self, *args: Any, collectivity: Collectivity, years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", _("All")), *((y, str(y)) for y in years)]
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        service.queryset = _units(collectivity, active_only=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters, as keyword arguments of `selectors.entry_list`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        unit = data.get("service")
        return {
            "direction": data.get("direction") or "",
            "year": data.get("year"),
            "service_id": unit.pk if unit is not None else None,
            "text": data.get("q") or "",
        }


class RouteForm(forms.Form):
    service = _UnitChoiceField(
        label=_("Service"),
        queryset=ServiceUnit.objects.none(),
        required=False,
        empty_label=_("— no service —"),
    )

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _units(collectivity, active_only=True)


class LinkForm(forms.Form):
    """Link an entry to an existing case of the collectivity, by type and reference."""

    case_type = forms.ChoiceField(label=_("Type of case"), choices=[])
    reference = forms.CharField(label=_("Reference of the case"), max_length=CASE_REFERENCE_MAX)

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collectivity = collectivity
        field = self.fields["case_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t.case_type, t.label) for t in case_type_list()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = case_type_get(data.get("case_type") or "")
        reference = (data.get("reference") or "").strip()
        if kind is None or not reference:
            return data
        case_id = kind.find(self.collectivity, reference)
        if case_id is None:
            self.add_error(
                "reference", _("No case of this type has this reference in this collectivity.")
            )
        else:
            data["case_id"] = case_id
            data["reference"] = reference
        return data


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ServiceUnitCreateForm(forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=UNIT_NAME_MAX, required=False)
    name_fr = forms.CharField(label=_("Name in French"), max_length=UNIT_NAME_MAX, required=False)


class ServiceUnitForm(ServiceUnitCreateForm):
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ExportForm(forms.Form):
    """The date range of the CSV export: `?from=YYYY-MM-DD&to=YYYY-MM-DD`, inclusive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added here, under their URL names.
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": _("Give a date as YYYY-MM-DD."),
                    "invalid": _("Give a date as YYYY-MM-DD, e.g. 2026-01-31."),
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("to", _("The end of the range comes before its start."))
        return data


class PaperInformationRequestForm(RequestForm):
    """The request form of law 31.13, for a request received on paper and registered.

    The requester does not tick the data-protection notice on the screen: the officer
    confirms instead that the requester signed the paper form, which carries it.
    """

    signed = forms.BooleanField(
        label=_("The requester signed the paper form"),
        error_messages={"required": _("Tick the box once you have checked the signature.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["consent"]
        # The address is not confirmed by a link here: the request is received at once.
        self.fields["email"].help_text = _(
            "The requester's receipt and the notices of the request are sent there."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        request_input = getattr(self, "request_input", None)
        if request_input is not None and not self.errors:
            # What the opener gives to information.services.request_file.
            data["request_input"] = request_input
        return data
