"""Forms of the adoption page: they parse and show; the rules live in
`services/adoption.py` and `exchange.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext_lazy as _

from infitah.council.models import AgendaItem, Session
from infitah.openplan.exchange import MAX_BYTES
from infitah.openplan.models import TEXT_MAX
from infitah.openplan.services.adoption import decision_date
from infitah.participation.consultations.workflow import Moderation

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )


def _note(label: Any, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ConsultForm(forms.Form):
    opens_at = _when(_("Opens at"))
    closes_at = _when(_("Closes at"))
    moderation = forms.ChoiceField(
        label=_("Moderation"),
        choices=Moderation.choices,
        initial=Moderation.PRE,
        widget=forms.RadioSelect,
    )


def item_label(item: AgendaItem) -> str:
    """A decision as the adoption form shows it: session, date, item, votes."""
    return str(
        _(
            "%(session)s, %(date)s — item %(number)d: %(title)s (for %(for)d, against "
            "%(against)d, abstentions %(abstain)d)"
        )
    ) % {
        "session": item.session.reference,
        "date": date_filter(decision_date(item), "DATE_FORMAT"),
        "number": item.number,
        "title": item.title,
        "for": item.votes_for,
        "against": item.votes_against,
        "abstain": item.votes_abstain,
    }


class DecisionForm(forms.Form):
    """The council's decision (among `items`) and what it adopted or changed."""

    agenda_item = forms.TypedChoiceField(
        label=_("The council's decision"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the decisions listed.")},
    )

    def __init__(
        self, *args: Any, items: Sequence[AgendaItem], note_required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.decisions = {item.pk: item for item in items}
        field = cast(forms.TypedChoiceField, self.fields["agenda_item"])
        field.choices = [(pk, item_label(i)) for pk, i in self.decisions.items()]
        self.fields["note"] = _note(
            _("What changed") if note_required else _("Note (optional)"), required=note_required
        )

    def chosen(self) -> AgendaItem:
        return self.decisions[self.cleaned_data["agenda_item"]]


class NoteForm(forms.Form):
    note = _note(_("Note (optional)"))


class AbandonForm(forms.Form):
    reason = _note(_("Why the programme is abandoned"), required=True)


class ScheduleForm(forms.Form):
    session = forms.TypedChoiceField(
        label=_("Council session"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the sessions listed.")},
    )

    def __init__(self, *args: Any, sessions: Sequence[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {s.pk: s for s in sessions}
        cast(forms.TypedChoiceField, self.fields["session"]).choices = [
            (pk, f"{s.reference} — {s.title} ({date_filter(s.starts_at, 'DATE_FORMAT')})")
            for pk, s in self.sessions.items()
        ]

    def chosen(self) -> Session:
        return self.sessions[self.cleaned_data["session"]]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("In the layout of the export: UTF-8, one line per commitment or milestone."),
        error_messages={"required": _("Choose the CSV file to import.")},
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        upload.seek(0)
        content: bytes = upload.read(MAX_BYTES + 1)
        return content
