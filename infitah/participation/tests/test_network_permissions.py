"""The network administrator runs the network's own consultations, surveys and labs
(accounts.permissions.permissions_in's special case), and nothing else anywhere."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.accounts.models import Membership, Role, User
from infitah.accounts.permissions import NETWORK_SPACE_PERMISSIONS, Perm, permissions_in
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["", "consultations/", "consultations/new/", "surveys/", "surveys/new/", "labs/"]


def test_the_network_admin_runs_participation_in_the_network_space_only(
    network_admin: User, space: Collectivity, collectivity_a: Collectivity
) -> None:
    assert permissions_in(network_admin, space) == NETWORK_SPACE_PERMISSIONS
    assert {
        Perm.STAFF_ACCESS,
        Perm.INBOX_VIEW,
        Perm.PARTICIPATION_MANAGE,
    } == NETWORK_SPACE_PERMISSIONS
    assert permissions_in(network_admin, collectivity_a) == frozenset()


def test_an_inactive_network_admin_gets_nothing(network_admin: User, space: Collectivity) -> None:
    network_admin.is_active = False
    network_admin.save(update_fields=["is_active"])
    assert permissions_in(network_admin, space) == frozenset()


def test_other_people_get_nothing_in_the_network_space(
    staff_a: User, charlie: User, citizen: User, space: Collectivity
) -> None:
    for user in (staff_a, charlie, citizen):
        assert permissions_in(user, space) == frozenset()


def test_a_role_held_in_the_network_space_works(space: Collectivity, citizen: User) -> None:
    """Invited network staff hold their roles there through memberships."""
    Membership.objects.create(user=citizen, collectivity=space, role=Role.FOCAL_POINT)
    assert Perm.PARTICIPATION_MANAGE in permissions_in(citizen, space)
    assert Perm.PRACTICES_PUBLISH in permissions_in(citizen, space)


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_the_network_admin_opens_the_staff_pages_of_the_network_space(
    admin_client: Client, space: Collectivity, page: str
) -> None:
    response = admin_client.get(f"/fr/staff/{space.slug}/{page}")
    assert response.status_code == 200, page


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_others_get_404_on_the_network_space(
    staff_a: User, charlie: User, citizen: User, space: Collectivity, page: str
) -> None:
    for user in (staff_a, charlie, citizen):
        client = Client()
        client.force_login(user)
        assert client.get(f"/fr/staff/{space.slug}/{page}").status_code == 404, (user, page)


def test_the_network_admin_gets_404_in_a_collectivity(
    admin_client: Client, collectivity_a: Collectivity
) -> None:
    for page in STAFF_PAGES:
        response = admin_client.get(f"/fr/staff/{collectivity_a.slug}/{page}")
        assert response.status_code == 404, page
