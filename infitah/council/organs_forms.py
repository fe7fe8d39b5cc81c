"""Forms of the council's organs pages. They read the input; the services
(`infitah.council.organs`) check the rules and act."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from infitah.council.models import NAME_MAX, Member, MemberRole, SeatRole, Term
from infitah.council.organs import (
    EMAIL_MAX,
    QUORUM_FREE_MAX,
    QUORUM_FREE_MIN,
    RANK_MAX,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _name(label: Any, *, required: bool) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=NAME_MAX)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, errors)
        elif name not in form.fields:
            form.add_error(None, errors)


class TermForm(forms.Form):
    name_ar = _name(_("Name in Arabic"), required=True)
    name_fr = _name(_("Name in French"), required=False)
    start_date = _date(_("Start date"))
    end_date = _date(_("End date (if known)"), required=False)


def term_choices(terms: Sequence[Term]) -> list[tuple[str, str]]:
    return [(str(term.pk), term.name) for term in terms]


class MemberForm(forms.Form):
    name_ar = _name(_("Name in Arabic"), required=True)
    name_fr = _name(_("Name in French"), required=False)
    role = forms.ChoiceField(label=_("Office"), choices=MemberRole.choices)
    rank = forms.IntegerField(
        label=_("Rank (vice-presidents: 1 for the first, 2 for the second…)"),
        required=False,
        min_value=1,
        max_value=RANK_MAX,
    )
    party = _name(_("Party (optional)"), required=False)
    started_on = _date(_("Mandate started on"))
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        max_length=EMAIL_MAX,
        help_text=_(
            "With an address, the member gets an account with the council-member role and "
            "receives the session documents on the platform."
        ),
    )


class MemberAddForm(MemberForm):
    field_order = ["term"]

    def __init__(self, *args: Any, terms: Sequence[Term], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"] = forms.ChoiceField(label=_("Term"), choices=term_choices(terms))
        self.order_fields(["term", *MemberForm.base_fields])


class MemberEndForm(forms.Form):
    ended_on = _date(_("Mandate ended on"))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I confirm"), required=True)


class CommitteeForm(forms.Form):
    name_ar = _name(_("Name in Arabic"), required=True)
    name_fr = _name(_("Name in French"), required=False)
    is_standing = forms.BooleanField(label=_("Standing committee"), required=False)


class CommitteeAddForm(CommitteeForm):
    def __init__(self, *args: Any, terms: Sequence[Term], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"] = forms.ChoiceField(label=_("Term"), choices=term_choices(terms))
        self.order_fields(["term", *CommitteeForm.base_fields])


class SeatForm(forms.Form):
    def __init__(self, *args: Any, members: Sequence[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ChoiceField(
            label=_("Member"), choices=[(str(m.pk), m.name) for m in members]
        )
        self.fields["role"] = forms.ChoiceField(
            label=_("Seat"), choices=SeatRole.choices, initial=SeatRole.MEMBER
        )


class SeatRemoveForm(forms.Form):
    seat = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    session_months = forms.TypedMultipleChoiceField(
        label=_("Months of the ordinary sessions"),
        choices=[(str(number), name) for number, name in MONTHS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to follow the law's months for this level."),
    )
    quorum_free_convocation = forms.IntegerField(
        label=_("Convocation from which the council deliberates with the members present"),
        min_value=QUORUM_FREE_MIN,
        max_value=QUORUM_FREE_MAX,
    )
