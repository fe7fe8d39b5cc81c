"""Forms of the council secretariat's session pages. They give field-by-field messages of
bad input; the services (`services.py`) check everything again and stay the judges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.council.models import (
    TITLE_MAX,
    URL_MAX,
    AgendaItem,
    Choice,
    Committee,
    DocumentKind,
    ItemResult,
    Member,
    Presence,
    Session,
)
from infitah.council.services import (
    DECISION_NUMBER_MAX,
    REASON_MAX,
    UPLOAD_KINDS,
    ItemInput,
    SessionInput,
    member_field,
)
from infitah.council.workflow import SessionKind
from infitah.lib.casework import TEXT_MAX
from infitah.lib.uploads import upload_help_text

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "dir": "ltr"}, format=DATETIME_FORMAT
        ),
    )


def _line(label: Any, max_length: int, *, required: bool = False, **attrs: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
    )


def _url(label: Any) -> Any:
    return forms.CharField(
        label=label,
        required=False,
        max_length=URL_MAX,
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )


def _textarea(label: Any, *, max_length: int = TEXT_MAX, rows: int = 5, **attrs: Any) -> Any:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


def _lock(form: forms.Form, editable: Iterable[str] | None) -> None:
    """Fields that can no longer change are shown, disabled (their values are kept)."""
    if editable is None:
        return
    allowed = set(editable)
    for name, field in form.fields.items():
        if name not in allowed:
            field.disabled = True


class EmptyForm(forms.Form):
    """An action that takes nothing but the button (publish the agenda, remove)."""


class SessionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of session"), choices=SessionKind.choices, widget=forms.RadioSelect
    )
    title_ar = _line(_("Title in Arabic"), TITLE_MAX, dir="rtl", lang="ar")
    title_fr = _line(_("Title in French"), TITLE_MAX, dir="ltr", lang="fr")
    starts_at = _datetime(_("Day and time of the sitting"))
    ends_at = _datetime(_("Planned end (optional)"), required=False)
    place = _line(_("Place"), TITLE_MAX)
    video_url = _url(_("Videoconference link"))
    is_public = forms.BooleanField(label=_("Public sitting"), required=False, initial=True)
    broadcast_url = _url(_("Live broadcast link"))
    recording_url = _url(_("Recording link"))

    def __init__(self, *args: Any, editable: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _lock(self, editable)

    @classmethod
    def initial_of(cls, session: Session) -> dict[str, Any]:
        return {name: getattr(session, name) for name in cls.base_fields}

    def to_input(self) -> SessionInput:
        data = self.cleaned_data
        return SessionInput(
            kind=data["kind"],
            title_ar=data["title_ar"],
            title_fr=data["title_fr"],
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
            place=data["place"],
            video_url=data["video_url"],
            is_public=bool(data["is_public"]),
            broadcast_url=data["broadcast_url"],
            recording_url=data["recording_url"],
        )


class ItemForm(forms.Form):
    title_ar = _line(_("Title in Arabic"), TITLE_MAX, dir="rtl", lang="ar")
    title_fr = _line(_("Title in French"), TITLE_MAX, dir="ltr", lang="fr")
    description = _textarea(_("Description"), rows=4)
    rapporteur = forms.ModelChoiceField(
        label=_("Rapporteur"), queryset=Member.objects.none(), required=False
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"), queryset=Committee.objects.none(), required=False
    )
    committee_report = _textarea(_("Committee report"), rows=4)
    is_public = forms.BooleanField(label=_("Discussed in public"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        session: Session,
        editable: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        rapporteur = self.fields["rapporteur"]
        assert isinstance(rapporteur, forms.ModelChoiceField)
        rapporteur.queryset = Member.objects.filter(term_id=session.term_id, deleted=False)
        committee = self.fields["committee"]
        assert isinstance(committee, forms.ModelChoiceField)
        committee.queryset = Committee.objects.filter(term_id=session.term_id, deleted=False)
        _lock(self, editable)

    @classmethod
    def initial_of(cls, item: AgendaItem) -> dict[str, Any]:
        return {name: getattr(item, name) for name in cls.base_fields}

    def to_input(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            title_ar=data["title_ar"],
            title_fr=data["title_fr"],
            description=data["description"],
            rapporteur=data["rapporteur"],
            committee=data["committee"],
            committee_report=data["committee_report"],
            is_public=bool(data["is_public"]),
        )


class ReorderForm(forms.Form):
    """A position for each item of the agenda (1 is the first)."""

    def __init__(self, *args: Any, items: Sequence[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=str(item.title),
                min_value=1,
                max_value=max(len(self.items), 1),
                initial=item.number,
                widget=forms.NumberInput(attrs={"dir": "ltr"}),
            )

    def order(self) -> list[int]:
        """The item ids by their new positions (ties keep the former order)."""
        positions = {
            item.pk: (self.cleaned_data[f"item_{item.pk}"], item.number) for item in self.items
        }
        return sorted(positions, key=lambda pk: positions[pk])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(f"item_{item.pk}") for item in self.items]
        if None not in given and len(set(given)) != len(given):
            raise forms.ValidationError(_("Give each item of the agenda a different position."))
        return data


class _OriginForm(forms.Form):
    """Choose what to put on the agenda among `candidates` (a petition, an opinion), in
    the field `field`; each candidate is labelled by `label_of`."""

    field: ClassVar[str]

    def __init__(self, *args: Any, candidates: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields[self.field]
        assert isinstance(choice, forms.TypedChoiceField)
        choice.choices = [(c.pk, self.label_of(c)) for c in candidates]

    @staticmethod
    def label_of(candidate: Any) -> str:
        raise NotImplementedError


class PetitionItemForm(_OriginForm):
    field = "petition"
    petition = forms.TypedChoiceField(label=_("Petition"), coerce=int, choices=())

    def __init__(self, *args: Any, petitions: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, candidates=petitions, **kwargs)

    @staticmethod
    def label_of(candidate: Any) -> str:
        title = str(candidate.title)
        return f"{candidate.reference} — {title}" if candidate.reference else title


class OpinionItemForm(_OriginForm):
    field = "referral"
    referral = forms.TypedChoiceField(label=_("Opinion"), coerce=int, choices=())

    def __init__(self, *args: Any, referrals: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, candidates=referrals, **kwargs)

    @staticmethod
    def label_of(candidate: Any) -> str:
        return f"{candidate.reference} — {candidate.subject} ({candidate.body.name})"


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[(value, label) for value, label in DocumentKind.choices if value in UPLOAD_KINDS],
    )
    title = _line(_("Title (optional: the file's name)"), TITLE_MAX)
    item = forms.TypedChoiceField(
        label=_("Agenda item"), coerce=int, required=False, empty_value=None
    )
    is_public = forms.BooleanField(
        label=_("Public once the agenda is published"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        items: Sequence[AgendaItem] = (),
        item: AgendaItem | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help_text()
        if item is not None:
            del self.fields["item"]
        else:
            field = self.fields["item"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", pgettext_lazy("document of", "The whole session"))] + [
                (i.pk, str(i)) for i in items
            ]
        self.item_choices = {i.pk: i for i in items}
        self.fixed_item = item

    def chosen_item(self) -> AgendaItem | None:
        if self.fixed_item is not None:
            return self.fixed_item
        pk = self.cleaned_data.get("item")
        return self.item_choices.get(pk) if pk is not None else None


def _choices_form(
    form: forms.Form,
    members: Sequence[Member],
    choices: Sequence[tuple[str, Any]],
    initial: Mapping[int, str],
) -> None:
    for member in members:
        form.fields[member_field(member.pk)] = forms.ChoiceField(
            label=str(member),
            choices=choices,
            widget=forms.RadioSelect,
            initial=initial.get(member.pk),
        )


class AttendanceForm(forms.Form):
    """Present, excused or absent: one group of choices per member in office."""

    def __init__(
        self,
        *args: Any,
        members: Sequence[Member],
        initial_presences: Mapping[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        _choices_form(self, self.members, Presence.choices, initial_presences)

    def presences(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[member_field(m.pk)] for m in self.members}


class VoteForm(forms.Form):
    """For, against, abstain or did not vote: one group of choices per member present
    (the others did not vote)."""

    def __init__(
        self,
        *args: Any,
        members: Sequence[Member],
        initial_votes: Mapping[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        _choices_form(self, self.members, Choice.choices, initial_votes)

    def votes(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[member_field(m.pk)] for m in self.members}


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", _("The result of the vote")),
            (ItemResult.POSTPONED, ItemResult.POSTPONED.label),
            (ItemResult.WITHDRAWN, ItemResult.WITHDRAWN.label),
            (ItemResult.NOTED, ItemResult.NOTED.label),
        ],
    )
    deliberation = _textarea(_("Summary of the deliberation"))
    decision_ar = _textarea(_("Decision, in Arabic"), dir="rtl", lang="ar")
    decision_fr = _textarea(_("Decision, in French"), dir="ltr", lang="fr")
    decision_number = _line(
        _("Decision number (optional: numbered automatically)"), DECISION_NUMBER_MAX, dir="ltr"
    )

    @classmethod
    def initial_of(cls, item: AgendaItem) -> dict[str, Any]:
        outcome = (
            item.result if item.result not in (ItemResult.ADOPTED, ItemResult.REJECTED) else ""
        )
        return {
            "outcome": outcome,
            "deliberation": item.deliberation,
            "decision_ar": item.decision_ar,
            "decision_fr": item.decision_fr,
            "decision_number": item.decision_number,
        }


class HoldForm(forms.Form):
    held_on = forms.DateField(
        label=_("Day the sitting was held"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
    )


class SummaryForm(forms.Form):
    summary_ar = _textarea(_("Summary of the decisions, in Arabic"), rows=8, dir="rtl", lang="ar")
    summary_fr = _textarea(_("Summary of the decisions, in French"), rows=8, dir="ltr", lang="fr")


class CancelForm(forms.Form):
    reason = _textarea(_("Reason for the cancellation"), max_length=REASON_MAX, rows=3)


class AdjournForm(forms.Form):
    note = _textarea(_("Note (optional)"), max_length=REASON_MAX, rows=3)


class ReconveneForm(forms.Form):
    starts_at = _datetime(_("Day and time of the new sitting"))
    place = _line(_("Place"), TITLE_MAX)
    video_url = _url(_("Videoconference link"))
