"""Forms of co-creation: the participant's proposal, comment and support, and the staff's
workshop, on-site proposal, moderation and board selection.

Forms give the field-by-field messages of bad input (too long, NUL characters, unknown
choices, ids of another programme); the services stay the judges and check everything
again. Choices (axes, workshops, proposals, commitments) are scoped to the programme of
the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.lib.bounds import whole_number
from infitah.lib.formerrors import service_errors as service_errors
from infitah.openplan.models import (
    COMMENT_MAX,
    NAME_MAX,
    PROPOSAL_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Axis,
    Commitment,
    Programme,
    Proposal,
    Workshop,
)
from infitah.openplan.services.cocreation import PARTICIPANTS_MAX, REASON_MAX
from infitah.openplan.workflow import ProposalKind, WorkshopMode

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
SUPPORT, UNSUPPORT = "support", "unsupport"


def _text(
    label: Any, *, required: bool = False, max_length: int = TEXT_MAX, rows: int = 5
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
    )


def _line(label: Any, *, required: bool = False, max_length: int = TITLE_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "dir": "ltr"}, format=DATETIME_FORMAT
        ),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )


def _axis_choices(axes: Iterable[Axis], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *((str(a.pk), a.title) for a in axes)]


def _is_id(value: Any) -> bool:
    """Whether `value` can be looked up as an id (lib/bounds: a number beyond the
    databases' integers is a server error, not a missing row)."""
    return whole_number(str(value), minimum=1) is not None


class IdChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of one row of a scoped queryset, by id; anything but an id in range is
    an invalid choice."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class IdsChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several rows of a scoped queryset, by id (as IdChoice)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if not _is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class AxisChoice(IdChoice):
    pass


class WorkshopChoice(IdChoice):
    pass


class CommitmentChoice(IdChoice):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.title}"


def _kind() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("You propose"), choices=ProposalKind.choices, widget=forms.RadioSelect
    )


# --- participants ----------------------------------------------------------------------


class ProposalForm(forms.Form):
    """A participant's problem or solution in a workshop (the axis only when the
    workshop has none)."""

    kind = _kind()
    # Not required here: the service says when one is needed (the programme has axes).
    axis = AxisChoice(
        label=_("Axis"),
        queryset=Axis.objects.none(),
        required=False,
        empty_label=_("Choose an axis"),
    )
    text = _text(_("Your proposal"), required=True, max_length=PROPOSAL_MAX, rows=5)

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if workshop.axis_id is not None:
            del self.fields["axis"]
        else:
            axes = self.fields["axis"]
            assert isinstance(axes, forms.ModelChoiceField)
            axes.queryset = workshop.programme.axes.order_by("order", "pk")


class CommentForm(forms.Form):
    text = _text(_("Your comment"), required=True, max_length=COMMENT_MAX, rows=3)


class SupportForm(forms.Form):
    value = forms.ChoiceField(choices=[(SUPPORT, SUPPORT), (UNSUPPORT, UNSUPPORT)])


# --- staff -----------------------------------------------------------------------------


class WorkshopForm(forms.Form):
    axis = AxisChoice(
        label=_("Axis"),
        queryset=Axis.objects.none(),
        required=False,
        empty_label=_("Every axis"),
    )
    title_ar = _line(_("Title in Arabic"))
    title_fr = _line(_("Title in French"))
    description_ar = _text(_("Presentation in Arabic"))
    description_fr = _text(_("Presentation in French"))
    mode = forms.ChoiceField(label=_("Mode"), choices=WorkshopMode.choices)
    place = _line(_("Place"))
    held_at = _moment(_("Held at"))
    opens_at = _moment(_("Online contributions open at"))
    closes_at = _moment(_("Online contributions close at"))
    onsite_participants = forms.IntegerField(
        label=_("Participants on site"),
        required=False,
        min_value=0,
        max_value=PARTICIPANTS_MAX,
        widget=forms.NumberInput(attrs={"dir": "ltr"}),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        axes = self.fields["axis"]
        assert isinstance(axes, forms.ModelChoiceField)
        axes.queryset = programme.axes.order_by("order", "pk")

    def to_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("onsite_participants") is None:
            data["onsite_participants"] = 0
        return data

    @staticmethod
    def initial_of(workshop: Workshop) -> dict[str, Any]:
        def local(value: dt.datetime | None) -> dt.datetime | None:
            return timezone.localtime(value) if value is not None else None

        return {
            "axis": workshop.axis_id,
            "title_ar": workshop.title_ar,
            "title_fr": workshop.title_fr,
            "description_ar": workshop.description_ar,
            "description_fr": workshop.description_fr,
            "mode": workshop.mode,
            "place": workshop.place,
            "held_at": local(workshop.held_at),
            "opens_at": local(workshop.opens_at),
            "closes_at": local(workshop.closes_at),
            "onsite_participants": workshop.onsite_participants,
        }


class RecordForm(forms.Form):
    """A contribution made on site, recorded by the staff."""

    workshop = WorkshopChoice(label=_("Workshop"), queryset=Workshop.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ProposalKind.choices, widget=forms.RadioSelect
    )
    axis = AxisChoice(
        label=_("Axis (when the workshop is about every axis)"),
        queryset=Axis.objects.none(),
        required=False,
        empty_label=_("Choose an axis"),
    )
    text = _text(_("Text"), required=True, max_length=PROPOSAL_MAX, rows=5)
    author_label = _line(_("Said by (optional)"), max_length=NAME_MAX)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workshops = self.fields["workshop"]
        axes = self.fields["axis"]
        assert isinstance(workshops, forms.ModelChoiceField)
        assert isinstance(axes, forms.ModelChoiceField)
        workshops.queryset = Workshop.objects.filter(programme=programme).order_by(
            "-held_at", "-pk"
        )
        axes.queryset = programme.axes.order_by("order", "pk")


class ReasonForm(forms.Form):
    reason = _text(_("Reason (shown to the public)"), required=True, max_length=REASON_MAX, rows=2)


class SelectionForm(forms.Form):
    """The staff board: proposals ticked, and one action (a submit button's value)."""

    GROUP, COMMITMENT, LINK = "group", "commitment", "link"

    action = forms.ChoiceField(
        choices=[(GROUP, GROUP), (COMMITMENT, COMMITMENT), (LINK, LINK)],
        error_messages={
            "required": _("Choose an action."),
            "invalid_choice": _("Choose an action."),
        },
    )
    proposals = IdsChoice(
        label=_("Proposals"),
        queryset=Proposal.objects.none(),
        error_messages={
            "required": _("Tick the proposals."),
            "invalid_choice": _("Tick proposals of this programme."),
            "invalid_pk_value": _("Tick proposals of this programme."),
        },
    )
    under = IdChoice(
        label=_("Main proposal of the group"),
        queryset=Proposal.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a proposal of this programme.")},
    )
    title_ar = _line(_("Title of the commitment in Arabic"))
    title_fr = _line(_("Title of the commitment in French"))
    commitment = CommitmentChoice(
        label=_("Commitment"),
        queryset=Commitment.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a commitment of this programme.")},
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("proposals", "under"):
            found = self.fields[name]
            assert isinstance(found, forms.ModelChoiceField)
            found.queryset = Proposal.objects.filter(programme=programme)
        commitments = self.fields["commitment"]
        assert isinstance(commitments, forms.ModelChoiceField)
        commitments.queryset = Commitment.objects.filter(programme=programme).order_by("number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == self.GROUP and data.get("under") is None and "under" not in self.errors:
            self.add_error("under", _("Choose the main proposal of the group."))
        if (
            action == self.LINK
            and data.get("commitment") is None
            and "commitment" not in self.errors
        ):
            self.add_error("commitment", _("Choose the commitment."))
        return data
