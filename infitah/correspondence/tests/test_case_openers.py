"""The registry of case openers and case types (infitah/correspondence/cases.py), as a
case app other than access to information (e.g. complaints) will use it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django import forms
from django.core.exceptions import ValidationError
from django.test import Client

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.correspondence import cases, services
from infitah.correspondence.models import Entry, EntryEvent, ServiceUnit
from infitah.ledger.models import Event

pytestmark = pytest.mark.django_db


class NoteForm(forms.Form):
    description = forms.CharField()
    refuse = forms.BooleanField(required=False)


def _open(entry: Entry, user: User, data: dict[str, Any]) -> tuple[str, str, str]:
    # A stand-in "case": a row written by the case app's own service.
    unit = ServiceUnit.objects.create(
        collectivity=entry.collectivity, name_fr=f"Case {data['description']}"
    )
    if data["refuse"]:
        raise ValidationError({"description": "The case app refuses."})
    return "tests.case", str(unit.pk), f"CASE-{unit.pk}"


@pytest.fixture
def test_opener() -> Iterator[None]:
    cases.register_case_opener(
        "test-case",
        label="Open a test case",
        form_class=NoteForm,
        open=_open,
        perm=Perm.COUNCIL_MANAGE,
    )
    cases.register_case_type(
        "tests.case",
        label="Test case",
        find=lambda collectivity, reference: reference.removeprefix("CASE-") or None,
        url=lambda collectivity, case_id, reference: f"/cases/{case_id}",
    )
    yield
    cases.unregister_case_opener("test-case")
    cases.unregister_case_type("tests.case")


def test_the_information_opener_is_registered_at_start_up():
    opener = cases.case_opener_get("information")
    assert opener is not None
    assert opener.perm == Perm.INFORMATION_HANDLE
    assert cases.case_type_get("information.informationrequest") is not None


def test_openers_are_offered_by_permission_and_availability(
    test_opener, collectivity_a, clerk_a, officer_a, accepting_a
):
    # The council secretary holds council.manage, not information.handle.
    assert [o.key for o in cases.case_openers_for(collectivity=collectivity_a, user=clerk_a)] == [
        "test-case"
    ]
    assert [o.key for o in cases.case_openers_for(collectivity=collectivity_a, user=officer_a)] == [
        "information"
    ]


def test_a_key_must_be_a_slug():
    with pytest.raises(ValueError):
        cases.register_case_opener("a b/c", label="x", form_class=NoteForm, open=_open)
    with pytest.raises(ValueError):
        cases.register_case_opener("", label="x", form_class=NoteForm, open=_open)


def test_the_default_initial_values_come_from_the_entry(test_opener, register):
    entry = register(summary="Texte de la lettre")
    opener = cases.case_opener_get("test-case")
    assert opener is not None
    initial = opener.initial_for(entry)
    assert initial["description"] == "Texte de la lettre"
    assert initial["subject"] == entry.subject


def test_opening_links_the_entry_in_one_transaction(test_opener, register, clerk_a):
    entry = register()
    opener = cases.case_opener_get("test-case")
    assert opener is not None
    services.entry_open_case(
        entry=entry, actor=clerk_a, opener=opener, data={"description": "1", "refuse": False}
    )
    entry.refresh_from_db()
    assert entry.case_type == "tests.case" and entry.case_reference.startswith("CASE-")
    assert cases.case_url(entry) == f"/cases/{entry.case_id}"
    assert Event.objects.for_object(entry).filter(action=EntryEvent.CASE_OPENED).count() == 1
    with pytest.raises(ValidationError):
        services.entry_open_case(
            entry=entry, actor=clerk_a, opener=opener, data={"description": "2", "refuse": False}
        )
    assert not ServiceUnit.objects.filter(name_fr="Case 2").exists()


def test_a_refusal_of_the_case_app_writes_nothing(test_opener, register, clerk_client):
    register()
    url = "/fr/staff/commune-a/correspondence/2026/1/open/test-case/"
    response = clerk_client.post(url, {"description": "refused", "refuse": "on"})
    assert response.status_code == 400
    assert "description" in response.context["form"].errors
    assert not ServiceUnit.objects.filter(name_fr="Case refused").exists()
    assert not Entry.objects.get().has_case
    ok = clerk_client.post(url, {"description": "fine"})
    assert ok.status_code == 302
    assert Entry.objects.get().case_type == "tests.case"


def test_an_opener_without_its_permission_is_404(test_opener, register, officer_a):
    register()
    client = Client()
    client.force_login(officer_a)  # an information officer does not manage the council
    url = "/fr/staff/commune-a/correspondence/2026/1/open/test-case/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"description": "x"}).status_code == 404


def test_unknown_case_types_show_no_link(register, clerk_a):
    entry = register()
    services.entry_link_case(
        entry=entry,
        actor=clerk_a,
        case_type="nothing.here",
        case_id="1",
        case_reference="P-1",
    )
    assert cases.case_url(entry) == ""
