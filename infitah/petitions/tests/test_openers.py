"""A petition lodged on paper is opened from its correspondence register entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.correspondence import cases
from infitah.correspondence.services import entry_register
from infitah.deadlines.duty_kinds import duty_kind_get
from infitah.deadlines.models import Deadline
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status
from infitah.territories.modules import modules_for


@pytest.fixture
def clerk_bureau(staff_for) -> User:
    """A council secretary (who registers letters) who also sits in the petitions bureau."""
    user = staff_for(Role.COUNCIL_SECRETARY)
    collectivity = Membership.objects.get(user=user).collectivity
    Membership.objects.create(user=user, collectivity=collectivity, role=Role.PETITIONS_BUREAU)
    return user


@pytest.fixture
def entry(collectivity_a, clerk_bureau):
    return entry_register(
        collectivity=collectivity_a,
        actor=clerk_bureau,
        direction="incoming",
        correspondent="Association Al Amal",
        subject="Pétition: espace vert du quartier Al Massira",
        channel="paper",
        summary="Les habitants demandent un espace vert.",
    )


def _url(entry) -> str:
    return f"/fr/staff/commune-a/correspondence/{entry.year}/{entry.number}/open/petition/"


def _form(**overrides: Any) -> dict[str, Any]:
    values = {
        "lodged_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "petitioner_kind": "citizens",
        "title": "Espace vert",
        "text": "Les habitants demandent un espace vert.",
        "request": "Inscrire l'espace vert à l'ordre du jour.",
        "agent_name": "Amina El Idrissi",
        "agent_cin": "JB445566",
        "agent_address": "12 rue des Roses",
    }
    values.update(overrides)
    return values


def test_the_opener_is_prefilled_and_lodges_the_petition(entry, clerk_bureau):
    client = Client()
    client.force_login(clerk_bureau)
    page = client.get(_url(entry))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pétition: espace vert du quartier Al Massira" in html
    assert 'value="commune-a"' in html  # the seat's choices: the commune
    refused = client.post(_url(entry), _form(agent_cin="123"))
    assert refused.status_code in (200, 400)
    assert not Petition.objects.exists()
    opened = client.post(_url(entry), _form())
    assert opened.status_code == 302
    petition = Petition.objects.get()
    assert (petition.status, petition.channel) == (Status.LODGED, "paper")
    assert petition.lodged_on == timezone.localdate() - timedelta(days=2)
    entry.refresh_from_db()
    assert entry.case_type == "petitions.petition"
    assert entry.case_reference == petition.reference
    assert cases.case_url(entry) == f"/fr/staff/commune-a/petitions/{petition.pk}/"
    deadline = Deadline.objects.get(subject_type="petitions.petition")
    assert deadline.start_date == petition.lodged_on
    assert duty_kind_get("petitions.petition").url(deadline).endswith(f"/petitions/{petition.pk}/")


def test_case_type_finds_by_reference_within_the_collectivity(
    entry, clerk_bureau, collectivity_a, collectivity_b
):
    client = Client()
    client.force_login(clerk_bureau)
    client.post(_url(entry), _form())
    petition = Petition.objects.get()
    kind = cases.case_type_get("petitions.petition")
    assert kind.find(collectivity_a, petition.reference) == str(petition.pk)
    assert kind.find(collectivity_b, petition.reference) is None
    assert kind.find(collectivity_a, "PET-0000-x-000000") is None


def test_the_opener_needs_the_petitions_role(entry, staff_for, charlie):
    clerk = staff_for(Role.INFORMATION_OFFICER)  # may register letters, not petitions
    client = Client()
    client.force_login(clerk)
    assert client.get(_url(entry)).status_code == 404
    client.force_login(charlie)
    assert client.get(_url(entry)).status_code == 404
    assert client.post(_url(entry), _form()).status_code == 404
    assert not Petition.objects.exists()


def test_the_module_is_listed_for_network_members(collectivity_a, collectivity_b):
    keys = [module.key for module, _url in modules_for(collectivity_a)]
    assert "petitions" in keys
    assert "petitions" not in [module.key for module, _url in modules_for(collectivity_b)]
