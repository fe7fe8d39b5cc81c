"""Petitions lodged on paper: opened from their correspondence register entry.

A petition handed in at the council president's office is registered in the
correspondence register, then opened from its entry (the page
`…/correspondence/<year>/<number>/open/petition/`): a member of the petitions bureau
types the petition's fields, prefilled from the entry, and the petition is lodged at
once on the day the council received it (the decision clock runs from then). The
signature lists are entered next, on the petition's page (form or CSV import).
Registered from `PetitionsConfig.ready()` (infitah/correspondence/cases.py describes the
contract).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.correspondence.cases import register_case_opener, register_case_type
from infitah.correspondence.models import Entry
from infitah.petitions import selectors, services
from infitah.petitions.models import (
    ADDRESS_MAX,
    NAME_MAX,
    PHONE_MAX,
    REQUEST_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Petition,
)
from infitah.petitions.workflow import PetitionerKind
from infitah.territories.models import Collectivity

PETITION = Petition._meta.label_lower


class PaperPetitionOpenForm(forms.Form):
    """The petition's fields as the bureau copies them from the paper petition."""

    lodged_on = forms.DateField(
        label=_("Received by the council on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    petitioner_kind = forms.ChoiceField(
        label=_("Petitioner"), choices=PetitionerKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=_("Text of the petition"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    request = forms.CharField(
        label=_("Point asked for the council's agenda"),
        max_length=REQUEST_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agent_name = forms.CharField(
        label=_("Full name of the agent or legal representative"), max_length=NAME_MAX
    )
    agent_cin = forms.CharField(
        label=_("Their ID number (CIN)"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    agent_email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    agent_phone = forms.CharField(label=_("Phone"), max_length=PHONE_MAX, required=False)
    agent_address = forms.CharField(
        label=_("Postal address"), max_length=ADDRESS_MAX, required=False
    )
    association_name = forms.CharField(label=_("Association"), max_length=NAME_MAX, required=False)
    association_founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    association_seat = forms.ChoiceField(
        label=_("Commune of its seat or branch"), required=False, choices=[]
    )
    association_good_standing = forms.BooleanField(
        label=_("The association declares it is in good standing with the law"), required=False
    )
    association_object = forms.CharField(
        label=_("Object of the association"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    association_object_related = forms.BooleanField(
        label=_("Its activity relates to the subject of the petition"), required=False
    )

    def __init__(self, *args: Any, collectivity: Collectivity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["association_seat"]
        assert isinstance(field, forms.ChoiceField)
        places = selectors.residence_choices(collectivity) if collectivity is not None else []
        field.choices = [("", "—"), *((c.slug, c.name) for c in places)]


def petition_input_of(data: dict[str, Any]) -> services.PetitionInput:
    """The service's input from a form's cleaned data."""
    return services.PetitionInput(
        petitioner_kind=str(data.get("petitioner_kind") or ""),
        title=str(data.get("title") or ""),
        text=str(data.get("text") or ""),
        request=str(data.get("request") or ""),
        agent_name=str(data.get("agent_name") or ""),
        agent_cin=str(data.get("agent_cin") or ""),
        agent_email=str(data.get("agent_email") or ""),
        agent_phone=str(data.get("agent_phone") or ""),
        agent_address=str(data.get("agent_address") or ""),
        association_name=str(data.get("association_name") or ""),
        association_founded_on=data.get("association_founded_on"),
        association_seat=str(data.get("association_seat") or ""),
        association_good_standing=bool(data.get("association_good_standing")),
        association_object=str(data.get("association_object") or ""),
        association_object_related=bool(data.get("association_object_related")),
    )


def _initial(entry: Entry) -> dict[str, Any]:
    return {
        "lodged_on": timezone.localdate(entry.registered_at),
        "petitioner_kind": PetitionerKind.CITIZENS,
        "title": entry.subject[:TITLE_MAX],
        "text": entry.summary,
        "agent_name": entry.correspondent[:NAME_MAX],
    }


def _open(entry: Entry, user: User, data: dict[str, Any]) -> tuple[str, str, str]:
    petition = services.petition_register_paper(
        collectivity=entry.collectivity,
        data=petition_input_of(data),
        actor=user,
        lodged_on=data.get("lodged_on"),
        entry=entry,
    )
    return PETITION, str(petition.pk), petition.reference


def _find(collectivity: Collectivity, reference: str) -> str | None:
    found = selectors.petition_get_by_reference(collectivity=collectivity, reference=reference)
    return str(found.pk) if found is not None else None


def _url(collectivity: Collectivity, case_id: str, reference: str) -> str:
    if not case_id.isdigit():
        return ""
    return reverse("petitions-staff:detail", kwargs={"slug": collectivity.slug, "pk": int(case_id)})


def register_petition_opener() -> None:
    register_case_type(PETITION, label=_("Petition"), find=_find, url=_url)
    register_case_opener(
        "petition",
        label=_("Open a petition lodged on paper"),
        form_class=PaperPetitionOpenForm,
        open=_open,
        initial=_initial,
        perm=Perm.PETITIONS_HANDLE,
        available=lambda collectivity: collectivity.is_network_member,
    )
