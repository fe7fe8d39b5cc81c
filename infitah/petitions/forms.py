"""Forms of petitions: they shape the input; the rules live in services and signatures.

Every form leaves the checks with a translated, per-field reason to the services
(`petition_validate`, `signature_validate`, …) and shows their ValidationError on the
field it names (`add_service_errors`): one source of truth for the page and the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from infitah.petitions.models import (
    ADDRESS_MAX,
    BASIS_MAX,
    CNDP_MAX,
    NAME_MAX,
    PHONE_MAX,
    REASONS_MAX,
    REQUEST_MAX,
    TEXT_MAX,
    TITLE_MAX,
)
from infitah.petitions.services import SESSION_MAX, PetitionInput, petition_validate
from infitah.petitions.signatures import SignatureInput
from infitah.petitions.thresholds import DEFAULT_MIN_YEARS, DEFAULT_SHARE_PERCENT
from infitah.petitions.workflow import CHECKLIST, Interest, PetitionerKind
from infitah.territories.models import Collectivity


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, errors)
        else:
            form.add_error(None, errors)


def _textarea(label: Any, max_length: int, *, required: bool = False, rows: int = 5) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label: Any, max_length: int, *, required: bool = False, **attrs: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _ltr(**extra: Any) -> dict[str, Any]:
    return {"dir": "ltr", **extra}


def place_choices(
    places: Iterable[Collectivity], groups: dict[int, str] | None = None
) -> list[Any]:
    """Choices of a <select> of places by slug. With `groups` (prefecture/province pk →
    name, for a region), communes are grouped under their prefecture or province."""
    places = list(places)
    if not groups:
        return [(p.slug, p.name) for p in places]
    grouped: dict[int, list[tuple[str, str]]] = {}
    plain: list[Any] = []
    for place in places:
        if place.parent_id in groups:
            grouped.setdefault(place.parent_id, []).append((place.slug, place.name))
        else:
            plain.append((place.slug, place.name))
    ordered = sorted(grouped.items(), key=lambda item: groups[item[0]])
    return plain + [(groups[parent_id], options) for parent_id, options in ordered]


class DraftForm(forms.Form):
    """A petition entered online by its agent, or by an association's legal representative."""

    petitioner_kind = forms.ChoiceField(
        label=_("Who petitions"),
        choices=PetitionerKind.choices,
        initial=PetitionerKind.CITIZENS,
        widget=forms.RadioSelect,
    )
    title = _line(_("Title of the petition"), TITLE_MAX)
    text = _textarea(_("Text of the petition"), TEXT_MAX, rows=8)
    request = _textarea(
        _("Point to put on the council's agenda (within its competence)"), REQUEST_MAX, rows=3
    )
    agent_name = _line(_("Full name"), NAME_MAX, autocomplete="name")
    agent_cin = _line(
        _("National identity card number (CIN)"), 40, **_ltr(autocomplete="off", size=12)
    )
    agent_email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("We send you a link to confirm it: the petition opens to signatures then."),
        widget=forms.EmailInput(attrs=_ltr(autocomplete="email")),
    )
    agent_phone = _line(_("Phone"), PHONE_MAX, type="tel", autocomplete="tel", dir="ltr")
    agent_address = _line(_("Postal address"), ADDRESS_MAX, autocomplete="street-address")
    association_name = _line(_("Name of the association"), NAME_MAX)
    association_founded_on = forms.CharField(
        label=_("Date the association was constituted"),
        required=False,
        max_length=32,
        widget=forms.DateInput(attrs=_ltr(type="date")),
    )
    association_seat = forms.ChoiceField(
        label=_("Commune of its seat or of one of its branches"), required=False, choices=()
    )
    association_good_standing = forms.BooleanField(
        label=_(
            "The association is in good standing with the law and runs according to "
            "democratic principles and its statutes"
        ),
        required=False,
    )
    association_object = _textarea(_("Object of the association (as in its statutes)"), TEXT_MAX)
    association_object_related = forms.BooleanField(
        label=_("The association's activity relates to the subject of this petition"),
        required=False,
    )

    AGENT_FIELDS = ("agent_name", "agent_cin", "agent_email", "agent_phone", "agent_address")
    ASSOCIATION_FIELDS = (
        "association_name",
        "association_founded_on",
        "association_seat",
        "association_good_standing",
        "association_object",
        "association_object_related",
    )

    # Checked the service's way: online, the agent's e-mail opens the petition.
    paper = False

    def __init__(
        self, *args: Any, collectivity: Collectivity, seats: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.collectivity = collectivity
        self.petition_input: PetitionInput | None = None
        seat = self.fields["association_seat"]
        assert isinstance(seat, forms.ChoiceField)
        seat.choices = [("", "—"), *(seats or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        petition_input = petition_input_of(data)
        try:
            petition_validate(collectivity=self.collectivity, data=petition_input, paper=self.paper)
        except ValidationError as exc:
            add_service_errors(self, exc)
        else:
            self.petition_input = petition_input
        return data


def petition_input_of(data: dict[str, Any]) -> PetitionInput:
    """The service's input from a petition form's cleaned data."""
    return PetitionInput(
        petitioner_kind=data.get("petitioner_kind") or "",
        title=data.get("title") or "",
        text=data.get("text") or "",
        request=data.get("request") or "",
        agent_name=data.get("agent_name") or "",
        agent_cin=data.get("agent_cin") or "",
        agent_email=data.get("agent_email") or "",
        agent_phone=data.get("agent_phone") or "",
        agent_address=data.get("agent_address") or "",
        association_name=data.get("association_name") or "",
        association_founded_on=data.get("association_founded_on") or None,
        association_seat=data.get("association_seat") or "",
        association_good_standing=bool(data.get("association_good_standing")),
        association_object=data.get("association_object") or "",
        association_object_related=bool(data.get("association_object_related")),
    )


class PaperPetitionForm(DraftForm):
    """A petition lodged on paper, registered by the bureau: the agent's e-mail is
    optional (an e-mail, a phone or an address will do), and the date the council
    received it starts the decision clock."""

    paper = True

    lodged_on = forms.DateField(
        label=_("Date the council received it"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs=_ltr(type="date"), format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent_email"].help_text = ""


class SignForm(forms.Form):
    """A signature: online by the signatory, or from a paper list by the bureau."""

    full_name = _line(_("Full name"), NAME_MAX, autocomplete="name")
    cin = _line(_("National identity card number (CIN)"), 40, **_ltr(autocomplete="off", size=12))
    residence = forms.ChoiceField(
        label=_("Commune where you live or carry on your activity"), required=False, choices=()
    )
    interest = forms.ChoiceField(
        label=_("Your interest in the territory"),
        choices=Interest.choices,
        initial=Interest.RESIDENT,
        widget=forms.RadioSelect,
    )
    electoral_declaration = forms.BooleanField(
        label=_("I declare that I am registered on the general electoral lists"), required=False
    )
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("We send you a link: your signature counts once you confirm it."),
        widget=forms.EmailInput(attrs=_ltr(autocomplete="email")),
    )

    def __init__(
        self,
        *args: Any,
        places: list[Any] | None = None,
        paper: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = places or []
        residence = self.fields["residence"]
        assert isinstance(residence, forms.ChoiceField)
        # One place (a commune's own petition): fixed, nothing to choose.
        single = len(choices) == 1 and not isinstance(choices[0][1], list)
        residence.choices = choices if single else [("", "—"), *choices]
        if paper:
            self.fields["email"].help_text = ""
            self.fields["email"].label = _("E-mail address (optional)")
            self.fields["full_name"].label = _("Full name of the signatory")
            self.fields["residence"].label = _("Commune of residence or activity")
            self.fields["interest"].label = _("Interest in the territory")
            self.fields["electoral_declaration"].label = _(
                "The signatory declared being registered on the general electoral lists"
            )

    @property
    def signature_input(self) -> SignatureInput:
        data = self.cleaned_data
        return SignatureInput(
            full_name=data.get("full_name") or "",
            cin=data.get("cin") or "",
            residence=data.get("residence") or "",
            interest=data.get("interest") or Interest.RESIDENT,
            email=data.get("email") or "",
            electoral_declaration=bool(data.get("electoral_declaration")),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of the paper signatures"),
        help_text=_(
            "UTF-8, comma or semicolon separated, with the columns full_name, cin, residence "
            "(the commune's identifier), interest (resident or activity) and "
            "electoral_declaration (yes or no)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _checklist_fields() -> dict[str, forms.BooleanField]:
    return {
        key: forms.BooleanField(label=str(label), required=False)
        for key, label in CHECKLIST.items()
    }


class ChecklistMixin(forms.Form):
    """The admissibility checklist (one box per condition)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checks = _checklist_fields()
        # The checklist first, then the form's own fields.
        self.fields = {**checks, **{k: v for k, v in self.fields.items() if k not in checks}}

    @property
    def checklist(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(key)) for key in CHECKLIST}

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in CHECKLIST]


class AcceptForm(ChecklistMixin):
    note = _textarea(_("Note of the bureau (optional)"), REASONS_MAX, rows=3)
    # Shown only when the confirmed signatures are below the threshold (the service
    # checks them).
    confirm_below_threshold = forms.BooleanField(
        label=_("I accept it although it has fewer signatures than the threshold"),
        required=False,
    )
    below_threshold_reason = _textarea(
        _("Reason for accepting it below the threshold (recorded in the history)"),
        REASONS_MAX,
        rows=2,
    )

    def __init__(self, *args: Any, below_threshold: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not below_threshold:
            del self.fields["confirm_below_threshold"]
            del self.fields["below_threshold_reason"]


class RejectForm(ChecklistMixin):
    reasons = _textarea(_("Reasons for the rejection (sent to the agent)"), REASONS_MAX)


class ScheduleForm(forms.Form):
    session_date = forms.DateField(
        label=_("Date of the session"),
        widget=forms.DateInput(attrs=_ltr(type="date"), format="%Y-%m-%d"),
    )
    session_title = _line(_("Session"), SESSION_MAX, required=True)


class DecideForm(forms.Form):
    decision_ar = _textarea(_("Decision of the council, in Arabic"), TEXT_MAX)
    decision_fr = _textarea(_("Decision of the council, in French"), TEXT_MAX)


class InvalidateForm(forms.Form):
    """Bulk invalidation: every criterion given must match (IP, time window, domain)."""

    by_ip = _line(_("IP address"), 64, dir="ltr")
    window_from = forms.DateTimeField(
        label=_("Signed from"),
        required=False,
        widget=forms.DateTimeInput(attrs=_ltr(type="datetime-local"), format="%Y-%m-%dT%H:%M"),
    )
    window_to = forms.DateTimeField(
        label=_("Signed before"),
        required=False,
        widget=forms.DateTimeInput(attrs=_ltr(type="datetime-local"), format="%Y-%m-%dT%H:%M"),
    )
    domain = _line(_("E-mail domain"), 253, dir="ltr")
    reason = _textarea(_("Reason (kept with the record)"), 2000, required=True, rows=3)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("window_from"), data.get("window_to")
        if (start is None) != (end is None) and "window_from" not in self.errors:
            self.add_error(
                "window_to" if end is None else "window_from",
                _("Give both ends of the time window, or neither."),
            )
        return data

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        start, end = self.cleaned_data.get("window_from"), self.cleaned_data.get("window_to")
        return (start, end) if start is not None and end is not None else None


class IntegritySettingsForm(forms.Form):
    ip_limit_per_hour = forms.IntegerField(
        label=_("Signatures per hour from one IP address, per petition"),
        min_value=1,
        max_value=1_000_000,
    )
    domain_limit_per_hour = forms.IntegerField(
        label=_("Signatures per hour from one e-mail domain, per petition"),
        min_value=1,
        max_value=1_000_000,
    )
    disposable_domains = forms.CharField(
        label=_("Refused e-mail domains (one per line)"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs=_ltr(rows=10)),
    )
    enabled = forms.BooleanField(label=_("Checks enabled"), required=False)


def _number(label: Any, *, required: bool = True, help_text: Any = "") -> Any:
    # The ranges are the service's (petition_settings_save): one source of truth.
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=_ltr(inputmode="numeric")),
    )


class PetitionSettingsForm(forms.Form):
    """A collectivity's petition settings, as the bureau edits them (checked and saved by
    `services.petition_settings_save`)."""

    threshold_override = _number(
        _("Signatures required by the council (override)"),
        required=False,
        help_text=_(
            "Leave empty to apply the law's figure. Only where the council publishes "
            "another figure; give its basis below."
        ),
    )
    threshold_basis = forms.CharField(
        label=_("Basis of the override"),
        required=False,
        max_length=BASIS_MAX,
        help_text=_("Where the figure comes from, e.g. “600 — Souss-Massa council page”."),
    )
    province_share_percent = _number(_("Minimum share from each prefecture or province (%)"))
    association_min_years = _number(_("Years an association must have existed (more than)"))
    retention_days = _number(
        _("Days the signatures are kept after the petition is closed"),
        help_text=_("Then they are deleted; the counts stay on the petition."),
    )
    cndp_authorisation = forms.CharField(
        label=_("CNDP authorisation number"),
        required=False,
        max_length=CNDP_MAX,
        help_text=_(
            "Reference of the CNDP prior authorisation to process signatories' data (law "
            "09-08); shown to signatories beside the signing form."
        ),
        widget=forms.TextInput(attrs=_ltr(autocomplete="off")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The law's figures from thresholds.py, not copied into the text.
        self.fields["province_share_percent"].help_text = _(
            "Regions only. The law's figure: %(n)d."
        ) % {"n": DEFAULT_SHARE_PERCENT}
        self.fields["association_min_years"].help_text = _("The law's figure: %(n)d.") % {
            "n": DEFAULT_MIN_YEARS
        }
