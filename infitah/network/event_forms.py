"""Forms of the network's events: they parse and show; the rules live in
event_services (which checks everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import User
from infitah.lib.bounds import whole_number
from infitah.lib.casework import TEXT_MAX
from infitah.network import event_selectors as selectors
from infitah.network.event_services import (
    CAPACITY_MAX,
    DOCUMENT_TYPES,
    EMAIL_MAX,
    NAME_MAX,
    PLACE_MAX,
    URL_MAX,
    EventInput,
    RegistrationInput,
)
from infitah.network.models import (
    TITLE_MAX,
    AttendeeGender,
    AttendeeRole,
    Event,
    EventDocumentKind,
    EventKind,
)
from infitah.territories.models import Collectivity

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def _when(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )


def _text(label: Any, *, rows: int = 8) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label: Any, max_length: int, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    parent = forms.TypedChoiceField(
        label=_("Part of the gathering"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a workshop of a yearly gathering."),
    )
    title_ar = _line(_("Title in Arabic"), TITLE_MAX, dir="rtl", lang="ar")
    title_fr = _line(_("Title in French"), TITLE_MAX, dir="ltr", lang="fr")
    description_ar = _text(_("Programme in Arabic"))
    description_fr = _text(_("Programme in French"))
    place_ar = _line(_("Place in Arabic"), PLACE_MAX, dir="rtl", lang="ar")
    place_fr = _line(_("Place in French"), PLACE_MAX, dir="ltr", lang="fr")
    online_url = _line(_("Online link"), URL_MAX, dir="ltr", inputmode="url")
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=CAPACITY_MAX,
        help_text=_("Leave empty for no limit."),
        widget=forms.NumberInput(attrs={"size": 6}),
    )
    registration_open = forms.BooleanField(label=_("Registration open"), required=False)
    registration_closes_at = _when(_("Registration closes at"), required=False)

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gatherings = selectors.gathering_choices(exclude=event)
        field = self.fields["parent"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("None")), *((g.pk, str(g)) for g in gatherings)]

    @classmethod
    def initial_of(cls, event: Event) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != "parent"]
        initial = {name: getattr(event, name) for name in names}
        initial["parent"] = event.parent_id or ""
        return initial

    def event_input(self) -> EventInput:
        data = self.cleaned_data
        return EventInput(
            kind=data["kind"],
            parent_id=data["parent"],
            title_ar=data["title_ar"],
            title_fr=data["title_fr"],
            description_ar=data["description_ar"],
            description_fr=data["description_fr"],
            place_ar=data["place_ar"],
            place_fr=data["place_fr"],
            online_url=data["online_url"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            capacity=data["capacity"],
            registration_open=data["registration_open"],
            registration_closes_at=data["registration_closes_at"],
        )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the registrants (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    report_ar = _text(_("Report in Arabic"), rows=14)
    report_fr = _text(_("Report in French"), rows=14)
    publish = forms.BooleanField(label=_("Publish the report on the event's page"), required=False)

    @classmethod
    def initial_of(cls, event: Event) -> dict[str, Any]:
        return {
            "report_ar": event.report_ar,
            "report_fr": event.report_fr,
            "publish": event.report_published_at is not None,
        }


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventDocumentKind.choices)
    title_ar = _line(_("Title in Arabic"), TITLE_MAX, dir="rtl", lang="ar")
    title_fr = _line(_("Title in French"), TITLE_MAX, dir="ltr", lang="fr")
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to publish."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(DOCUMENT_TYPES))}
        ),
    )


class SearchForm(forms.Form):
    """The search of a collectivity by its name (GET ?q=), before registering."""

    q = forms.CharField(
        label=_("Find your collectivity by its name"), required=False, max_length=100
    )


NONE = ""


class RegistrationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=NAME_MAX)
    email = forms.EmailField(label=_("E-mail address"), max_length=EMAIL_MAX)
    role = forms.ChoiceField(
        label=_("You take part as"),
        choices=[("", _("Choose…")), *AttendeeRole.choices],
        error_messages={"required": _("Choose the capacity in which you take part.")},
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional, counted anonymously)"),
        choices=AttendeeGender.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    q = forms.CharField(
        label=_("Find your collectivity by its name"), required=False, max_length=100
    )
    collectivity = forms.TypedChoiceField(
        label=_("Your collectivity"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose your collectivity from the list found, or none.")
        },
    )

    def __init__(
        self,
        *args: Any,
        user: User | None = None,
        matches: list[Collectivity] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            email = self.fields["email"]
            email.disabled = True
            email.help_text = _("The address of your account.")
            self.initial.setdefault("full_name", user.full_name)
            self.initial["email"] = user.email
        self.initial.setdefault("gender", AttendeeGender.UNDISCLOSED)
        found = list(matches or [])
        # The collectivity chosen earlier stays offered even if the search changed.
        chosen = whole_number(self.data.get("collectivity")) if self.is_bound else None
        if chosen is not None and all(c.pk != chosen for c in found):
            found = selectors.collectivities_by_pk([chosen]) + found
        field = self.fields["collectivity"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (NONE, _("None (a partner, an institution, a citizen…)")),
            *((c.pk, f"{c.name} ({c.get_kind_display()})") for c in found),
        ]
        self.matches = found

    def registration_input(self) -> RegistrationInput:
        data = self.cleaned_data
        return RegistrationInput(
            full_name=data["full_name"],
            email=self.user.email if self.user is not None else data["email"],
            role=data["role"],
            gender=data["gender"] or AttendeeGender.UNDISCLOSED,
            collectivity_id=data["collectivity"],
        )
