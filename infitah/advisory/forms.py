"""Forms of the advisory secretariat and the council secretariat.

Forms give the field-by-field messages of bad input; the services stay the judges (they
check everything again). Choices of bodies, sessions, agenda items, meetings and
referrals are scoped to the collectivity (or the body) of the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infitah.advisory.models import Body, BodyDocumentKind, BodyMeeting, BodyRole, Referral
from infitah.advisory.selectors import referral_agenda_item
from infitah.advisory.services import FIRST_YEAR, LONG_TEXT_MAX, REFERRAL_ORIGINS
from infitah.advisory.workflow import Answer, Origin
from infitah.council.models import NAME_MAX, TITLE_MAX, AgendaItem, Session
from infitah.lib.casework import TEXT_MAX
from infitah.lib.formerrors import service_errors as service_errors
from infitah.territories.models import Collectivity

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The most recent sessions offered in a choice: enough for a term, a short <select>.
RECENT_SESSIONS = 60


def _text(label: Any, *, required: bool = False, max_length: int = TEXT_MAX, rows: int = 5) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}),
    )


def _line(label: Any, *, required: bool = False, max_length: int = NAME_MAX) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


def _day(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
    )


class MeetingChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.starts_at:%Y-%m-%d} {obj.place}".strip()


class ReferralChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} — {obj.subject}"


class SessionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.starts_at:%Y-%m-%d} — {obj.title}"


class ItemChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.session.starts_at:%Y-%m-%d} — {obj}"


class BodyForm(forms.Form):
    name_ar = _line(_("Name in Arabic"), required=True)
    name_fr = _line(_("Name in French"))
    description_ar = _text(_("Description in Arabic"))
    description_fr = _text(_("Description in French"))
    established_on = _day(_("Set up on"))

    @staticmethod
    def initial_of(body: Body) -> dict[str, Any]:
        return {
            "name_ar": body.name_ar,
            "name_fr": body.name_fr,
            "description_ar": body.description_ar,
            "description_fr": body.description_fr,
            "established_on": body.established_on,
        }


class MemberForm(forms.Form):
    name_ar = _line(_("Name in Arabic"), required=True)
    name_fr = _line(_("Name in French"))
    organisation = _line(_("Association or organisation"))
    role = forms.ChoiceField(label=_("Role"), choices=BodyRole.choices, initial=BodyRole.MEMBER)
    started_on = _day(_("Member since"), required=True)
    user_email = forms.EmailField(
        label=_("E-mail of the member's account (optional)"),
        required=False,
        help_text=_("A member with an account receives the body's e-mails."),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )


class MemberEndForm(forms.Form):
    ended_on = _day(_("Seat ended on"), required=True)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "dir": "ltr"}, format=DATETIME_FORMAT
        ),
        error_messages={"invalid": _("Give a date and time such as 2026-05-31 18:00.")},
    )
    place = _line(_("Place"), max_length=TITLE_MAX)
    minutes = _text(_("Minutes"), max_length=LONG_TEXT_MAX, rows=8)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyDocumentKind.choices)
    title = _line(_("Title"), required=True, max_length=TITLE_MAX)
    year = forms.IntegerField(
        label=_("Year (annual report)"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=2100,
        widget=forms.NumberInput(attrs={"dir": "ltr"}),
    )
    meeting = MeetingChoice(
        label=_("Meeting (minutes)"), queryset=BodyMeeting.objects.none(), required=False
    )
    referral = ReferralChoice(
        label=_("Referral (opinion)"), queryset=Referral.objects.none(), required=False
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = self.fields["meeting"]
        referrals = self.fields["referral"]
        assert isinstance(meetings, forms.ModelChoiceField)
        assert isinstance(referrals, forms.ModelChoiceField)
        meetings.queryset = BodyMeeting.objects.filter(body=body, deleted=False).order_by(
            "-starts_at"
        )
        referrals.queryset = Referral.objects.filter(body=body, deleted=False).order_by("-pk")


class DeleteForm(forms.Form):
    reason = _text(_("Reason"), required=True, rows=3)


class MatterForm(forms.Form):
    """The matter of a referral, or of an opinion the body takes up on its own."""

    subject_ar = _line(_("Subject in Arabic"), required=True, max_length=TITLE_MAX)
    subject_fr = _line(_("Subject in French"), max_length=TITLE_MAX)
    question = _text(_("Matter on which the opinion is asked"), required=True)


class ReferralForm(MatterForm):
    body = forms.ModelChoiceField(label=_("Advisory body"), queryset=Body.objects.none())
    origin = forms.ChoiceField(
        label=_("Referred by"),
        choices=[(o.value, o.label) for o in Origin if o in REFERRAL_ORIGINS],
        widget=forms.RadioSelect,
        initial=Origin.COUNCIL,
    )
    session = SessionChoice(
        label=_("Session that decided it (a referral by the council)"),
        queryset=Session.objects.none(),
        required=False,
    )

    field_order = ["body", "origin", "session", "subject_ar", "subject_fr", "question"]

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = self.fields["body"]
        sessions = self.fields["session"]
        assert isinstance(bodies, forms.ModelChoiceField)
        assert isinstance(sessions, forms.ModelChoiceField)
        bodies.queryset = Body.objects.filter(collectivity=collectivity, deleted=False).order_by(
            "pk"
        )
        recent = list(
            Session.objects.filter(collectivity=collectivity, deleted=False)
            .order_by("-starts_at")
            .values_list("pk", flat=True)[:RECENT_SESSIONS]
        )
        sessions.queryset = Session.objects.filter(pk__in=recent).order_by("-starts_at")


class AdoptForm(forms.Form):
    opinion_ar = _text(_("Opinion (Arabic)"), max_length=LONG_TEXT_MAX, rows=10)
    opinion_fr = _text(_("Opinion (French)"), max_length=LONG_TEXT_MAX, rows=10)
    adopted_on = _day(_("Adopted by the body on"), required=True)
    file = forms.FileField(label=_("Signed opinion (optional)"), required=False)


class TransmitForm(forms.Form):
    """A button: nothing to fill in."""


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("The council's answer"), choices=Answer.choices, widget=forms.RadioSelect
    )
    answer_reasons_ar = _text(_("Reasons (Arabic)"), max_length=LONG_TEXT_MAX, rows=8)
    answer_reasons_fr = _text(_("Reasons (French)"), max_length=LONG_TEXT_MAX, rows=8)
    agenda_item = ItemChoice(
        label=_("Agenda item where the council considered it (optional)"),
        queryset=AgendaItem.objects.none(),
        required=False,
    )

    @staticmethod
    def initial_of(referral: Referral) -> dict[str, Any]:
        """The item of a live agenda that carries the opinion, proposed by default."""
        item = referral_agenda_item(referral)
        return {"agenda_item": item.pk} if item is not None else {}

    def __init__(self, *args: Any, collectivity: Collectivity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["agenda_item"]
        assert isinstance(items, forms.ModelChoiceField)
        recent = list(
            Session.objects.filter(collectivity=collectivity, deleted=False)
            .order_by("-starts_at")
            .values_list("pk", flat=True)[:RECENT_SESSIONS]
        )
        items.queryset = (
            AgendaItem.objects.filter(session__in=recent, deleted=False)
            .select_related("session")
            .order_by("-session__starts_at", "number")
        )


class WithdrawForm(forms.Form):
    reason = _text(_("Reason for the withdrawal"), required=True, rows=3)
