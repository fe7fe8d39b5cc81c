"""Forms of the forum, meetings, documents, submission and candidacy pages. They read
the input and give the field-by-field messages of bad input; the services
(`services/forum.py`) stay the judges and check everything again. Choices of advisory
bodies and programmes are scoped to the page's collectivity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.advisory.models import Body as AdvisoryBody
from infitah.lib.formerrors import service_errors as service_errors
from infitah.lib.uploads import upload_help_text
from infitah.openplan.models import NAME_MAX, TEXT_MAX, TITLE_MAX, URL_MAX, Programme
from infitah.openplan.workflow import (
    Body,
    MeetingDocumentKind,
    MemberRole,
    ProgrammeDocumentKind,
    Sector,
)
from infitah.participation.models import Gender
from infitah.territories.models import Collectivity

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _line(label: Any, *, required: bool = False, max_length: int = NAME_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


def _text(label: Any, *, required: bool = False, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
    )


def _day(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
    )


class _FileForm(forms.Form):
    """A form with a `file` field that states the accepted types and size."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()


class ProgrammeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.title}"


class AdvisoryChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ConfirmForm(forms.Form):
    """A button: nothing to fill in."""


# --- members and meetings ------------------------------------------------------------------


class MemberForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    name = _line(_("Name"), required=True)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, initial=Gender.UNDISCLOSED, required=False
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    organisation = _line(_("Organisation"))
    advisory_body = AdvisoryChoice(
        label=_("Advisory body (for a delegate)"),
        queryset=AdvisoryBody.objects.none(),
        required=False,
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER, required=False
    )
    joined_on = _day(_("Joined on"))

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = self.fields["advisory_body"]
        assert isinstance(bodies, forms.ModelChoiceField)
        bodies.queryset = AdvisoryBody.objects.filter(
            collectivity=collectivity, deleted=False
        ).order_by("pk")


class MemberEndForm(forms.Form):
    left_on = _day(_("Left on"), required=True)


class MeetingForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    title_ar = _line(_("Title in Arabic"), max_length=TITLE_MAX)
    title_fr = _line(_("Title in French"), max_length=TITLE_MAX)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "dir": "ltr"}, format=DATETIME_FORMAT
        ),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )
    place = _line(_("Place"), max_length=TITLE_MAX)
    online_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        max_length=URL_MAX,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    summary_ar = _text(_("Summary of the minutes in Arabic"), rows=6)
    summary_fr = _text(_("Summary of the minutes in French"), rows=6)


class MeetingDocumentForm(_FileForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingDocumentKind.choices)
    title = _line(_("Title"), required=True, max_length=TITLE_MAX)

    field_order = ["kind", "title", "file"]


# --- the programme's documents, submission, inception ------------------------------------


class ProgrammeDocumentForm(_FileForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeDocumentKind.choices)
    title = _line(_("Title"), required=True, max_length=TITLE_MAX)
    dated = _day(_("Dated"), required=True)

    field_order = ["kind", "title", "dated", "file"]

    def __init__(self, *args: Any, kinds: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, v) for k, v in ProgrammeDocumentKind.choices if k in kinds]


class SubmitForm(forms.Form):
    submitted_on = _day(_("Submitted to OGP on"), required=True)
    file = forms.FileField(label=_("The action plan as submitted (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()


class InceptionForm(_FileForm):
    title = _line(_("Title"), required=True, max_length=TITLE_MAX)
    dated = _day(_("Dated"), required=True)

    field_order = ["title", "dated", "file"]


# --- candidacy ---------------------------------------------------------------------------


class CandidacyForm(forms.Form):
    term_ends_on = _day(_("The council's term ends on"))
    track_record = _text(
        _("Co-creation or open-government reform of the past 3 years"), required=True
    )
    track_record_programme = ProgrammeChoice(
        label=_("Earlier programme on the platform (optional)"),
        queryset=Programme.objects.none(),
        required=False,
    )
    ambition = _text(_("Ambition, capacity and resources"))

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["track_record_programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes


class LetterForm(_FileForm):
    author = _line(_("Author"), required=True)
    organisation = _line(_("Organisation"))
    is_from_head = forms.BooleanField(label=_("From the head of the collectivity"), required=False)
    received_on = _day(_("Received on"), required=True)

    field_order = ["author", "organisation", "is_from_head", "received_on", "file"]


class CandidacySubmitForm(forms.Form):
    submitted_on = _day(_("Submitted to OGP on"), required=True)


class AcceptForm(forms.Form):
    accepted_on = _day(_("Accepted by OGP on"), required=True)
    programme = ProgrammeChoice(
        label=_("OGP Local action plan (optional)"),
        queryset=Programme.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes


class LinkForm(forms.Form):
    programme = ProgrammeChoice(
        label=_("OGP Local action plan"),
        queryset=Programme.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes
