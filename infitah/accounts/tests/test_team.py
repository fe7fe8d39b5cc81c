"""A collectivity's team page: roles given and taken (each in the ledger), removal,
invitations, the audit trail, and every role boundary (404 for anyone but the
collectivity's administrators)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from infitah.accounts import services
from infitah.accounts.models import Invitation, Membership, NetworkRole, Role, User
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

TEAM = "/fr/staff/commune-a/team/"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_a(staff_for: Callable[[str], User]) -> User:
    user = staff_for(Role.ADMIN)
    user.full_name = "Admin A"
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


def _label(role: Role) -> str:
    with translation.override("fr"):
        return str(role.label)


def _audit_lines(page: str) -> list[str]:
    """The lines of the audit trail (after its heading)."""
    trail = page.split('id="audit"', 1)[1]
    return re.findall(r"<li><time.*?</li>", trail, flags=re.S)


def _roles(user: User, collectivity: Collectivity) -> set[str]:
    return set(
        Membership.objects.filter(user=user, collectivity=collectivity).values_list(
            "role", flat=True
        )
    )


# --- Who sees the team page ------------------------------------------------------------


def test_the_administrator_sees_the_team(
    admin_a: User, editor: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(admin_a).get(TEAM)
    assert response.status_code == 200
    page = response.content.decode()
    assert editor.email in page and "Admin A" in page
    assert _label(Role.PUBLICATION_EDITOR) in page
    assert f'name="m{editor.pk}-roles"' in page
    assert {member.user for member, _form in response.context["members"]} == {admin_a, editor}


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_every_other_role_gets_404(
    role: str, staff_for: Callable[[str], User], collectivity_a: Collectivity
) -> None:
    client = _signed_in(staff_for(role))
    assert client.get(TEAM).status_code == 404
    assert client.post(TEAM + "invite/", {"email": "x@example.test"}).status_code == 404


def test_outsiders_get_404(
    charlie: User, citizen: User, network_admin: User, editor: User, collectivity_a: Collectivity
) -> None:
    for outsider in (charlie, citizen, network_admin):
        client = _signed_in(outsider)
        assert client.get(TEAM).status_code == 404
        response = client.post(
            f"{TEAM}members/{editor.pk}/roles/", {f"m{editor.pk}-roles": [Role.ADMIN]}
        )
        assert response.status_code == 404
    assert _roles(editor, collectivity_a) == {Role.PUBLICATION_EDITOR}


def test_anonymous_is_sent_to_sign_in(collectivity_a: Collectivity) -> None:
    response = Client().get(TEAM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Giving and taking roles ----------------------------------------------------------


def test_admin_gives_and_takes_roles(
    admin_a: User, editor: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(admin_a)
    response = client.post(
        f"{TEAM}members/{editor.pk}/roles/",
        {f"m{editor.pk}-roles": [Role.MONITOR, Role.FINANCE_OFFICER]},
    )
    assert response.status_code == 302
    assert _roles(editor, collectivity_a) == {Role.MONITOR, Role.FINANCE_OFFICER}
    granted = Event.objects.filter(action="membership.granted", collectivity=collectivity_a)
    revoked = Event.objects.filter(action="membership.revoked", collectivity=collectivity_a)
    assert {(e.actor_id, e.to_state, e.data["user"]) for e in granted} == {
        (admin_a.pk, Role.MONITOR, editor.email),
        (admin_a.pk, Role.FINANCE_OFFICER, editor.email),
    }
    assert [(e.actor_id, e.from_state) for e in revoked] == [(admin_a.pk, Role.PUBLICATION_EDITOR)]
    # The audit trail shows who gave which role to whom.
    lines = _audit_lines(client.get(TEAM).content.decode())
    assert any(
        "Admin A" in line and _label(Role.MONITOR) in line and editor.email in line
        for line in lines
    )
    assert any(
        "Admin A" in line and _label(Role.PUBLICATION_EDITOR) in line and editor.email in line
        for line in lines
    )


def test_unknown_role_is_a_form_error(
    admin_a: User, editor: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(admin_a).post(
        f"{TEAM}members/{editor.pk}/roles/", {f"m{editor.pk}-roles": ["mayor"]}
    )
    assert response.status_code == 400
    assert _roles(editor, collectivity_a) == {Role.PUBLICATION_EDITOR}


def test_admin_cannot_take_their_own_last_admin_role(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(admin_a)
    response = client.post(
        f"{TEAM}members/{admin_a.pk}/roles/", {f"m{admin_a.pk}-roles": [Role.MONITOR]}
    )
    assert response.status_code == 409
    assert [member.user for member, form in response.context["members"] if form.errors] == [admin_a]
    assert _roles(admin_a, collectivity_a) == {Role.ADMIN}
    response = client.post(f"{TEAM}members/{admin_a.pk}/remove/")
    assert response.status_code == 302
    assert _roles(admin_a, collectivity_a) == {Role.ADMIN}
    assert not Event.objects.filter(action="membership.revoked").exists()


def test_with_another_admin_one_may_step_down(
    admin_a: User, staff_for: Callable[[str], User], collectivity_a: Collectivity
) -> None:
    other = User.objects.create_user(email="other-admin@example.test", password="x")
    Membership.objects.create(user=other, collectivity=collectivity_a, role=Role.ADMIN)
    given, taken = services.member_roles_set(
        actor=admin_a, collectivity=collectivity_a, user=admin_a, roles=[Role.FOCAL_POINT]
    )
    assert given == [Role.FOCAL_POINT] and taken == [Role.ADMIN]


def test_a_deactivated_admin_does_not_count(
    admin_a: User, network_admin: User, collectivity_a: Collectivity
) -> None:
    other = User.objects.create_user(email="other-admin@example.test", password="x")
    Membership.objects.create(user=other, collectivity=collectivity_a, role=Role.ADMIN)
    services.account_deactivate(actor=network_admin, user=other)
    with pytest.raises(ValidationError):
        services.member_roles_set(
            actor=admin_a, collectivity=collectivity_a, user=admin_a, roles=[]
        )


def test_remove_from_the_team_keeps_the_account(
    admin_a: User, editor: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(admin_a).post(f"{TEAM}members/{editor.pk}/remove/")
    assert response.status_code == 302
    assert _roles(editor, collectivity_a) == set()
    assert User.objects.filter(pk=editor.pk, is_active=True).exists()
    event = Event.objects.get(action="membership.revoked")
    assert event.actor == admin_a and event.data["user"] == editor.email


def test_the_service_refuses_other_collectivities_and_non_members(
    admin_a: User, charlie: User, citizen: User, collectivity_a: Collectivity, collectivity_b
) -> None:
    with pytest.raises(PermissionDenied):
        services.member_roles_set(
            actor=admin_a, collectivity=collectivity_b, user=charlie, roles=[Role.MONITOR]
        )
    with pytest.raises(PermissionDenied):
        services.member_roles_set(
            actor=charlie, collectivity=collectivity_a, user=admin_a, roles=[]
        )
    with pytest.raises(ValidationError):
        services.member_roles_set(
            actor=admin_a, collectivity=collectivity_a, user=citizen, roles=[Role.MONITOR]
        )
    assert _roles(charlie, collectivity_b) == {Role.ADMIN}
    assert not Membership.objects.filter(user=citizen).exists()


def test_ids_of_another_collectivity_are_404(
    admin_a: User, charlie: User, citizen: User, network_admin: User, collectivity_b
) -> None:
    theirs, _secret = services.invitation_create(
        actor=network_admin,
        email="b-staff@example.test",
        collectivity=collectivity_b,
        roles=[Role.MONITOR],
    )
    client = _signed_in(admin_a)
    for user in (charlie, citizen):
        assert client.post(f"{TEAM}members/{user.pk}/roles/").status_code == 404
        assert client.post(f"{TEAM}members/{user.pk}/remove/").status_code == 404
    assert client.post(f"{TEAM}invitations/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_pending
    assert _roles(charlie, collectivity_b) == {Role.ADMIN}


# --- Invitations from the team page ---------------------------------------------------


def test_invite_and_revoke_from_the_team_page(admin_a: User, collectivity_a: Collectivity) -> None:
    client = _signed_in(admin_a)
    response = client.post(
        TEAM + "invite/",
        {"email": "New@Example.test", "full_name": "Nouha", "roles": [Role.COMPLAINTS_OFFICER]},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.test"
    assert invitation.collectivity == collectivity_a
    assert invitation.roles == [Role.COMPLAINTS_OFFICER]
    assert invitation.network_role == ""
    page = client.get(TEAM)
    assert page.context["invitations"] == [invitation]
    assert f"{TEAM}invitations/{invitation.pk}/revoke/" in page.content.decode()
    assert client.post(f"{TEAM}invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.is_revoked and invitation.revoked_by == admin_a
    assert client.get(TEAM).context["invitations"] == []


@pytest.mark.parametrize(
    "data",
    [
        {"email": "", "roles": [Role.MONITOR]},
        {"email": "not-an-address", "roles": [Role.MONITOR]},
        {"email": "x@example.test"},
        {"email": "x@example.test", "roles": ["mayor"]},
    ],
)
def test_bad_invitation_is_a_form_error(
    data: dict[str, object], admin_a: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(admin_a).post(TEAM + "invite/", data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_team_page_cannot_give_the_network_role(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(admin_a).post(
        TEAM + "invite/",
        {"email": "x@example.test", "roles": [Role.MONITOR], "network_role": "network_admin"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().network_role == ""
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=admin_a,
            email="y@example.test",
            collectivity=collectivity_a,
            roles=[Role.MONITOR],
            network_role=NetworkRole.NETWORK_ADMIN,
        )


# --- Query counts -----------------------------------------------------------------------


def _team_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TEAM).status_code == 200
    return len(queries)


def test_team_page_query_count_is_constant(
    admin_a: User, network_admin: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(admin_a)

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            user = User.objects.create_user(email=f"member{i}@example.test", password="x")
            services.membership_grant(
                user=user, collectivity=collectivity_a, role=Role.MONITOR, actor=admin_a
            )
            services.membership_grant(
                user=user, collectivity=collectivity_a, role=Role.FOCAL_POINT, actor=admin_a
            )
            services.invitation_create(
                actor=network_admin,
                email=f"invited{i}@example.test",
                collectivity=collectivity_a,
                roles=[Role.MONITOR],
            )

    grow(0, 2)
    small = _team_queries(client)
    grow(2, 12)
    assert _team_queries(client) == small


# --- The back office and the workspace ------------------------------------------------


def test_back_office_links_to_the_team_for_administrators_only(
    admin_a: User, editor: User, collectivity_a: Collectivity
) -> None:
    assert TEAM in _signed_in(admin_a).get("/fr/staff/commune-a/").content.decode()
    assert TEAM not in _signed_in(editor).get("/fr/staff/commune-a/").content.decode()


def test_acting_for_several_collectivities(
    admin_a: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    client = _signed_in(admin_a)
    home = client.get("/fr/staff/commune-a/").content.decode()
    assert 'href="/fr/accounts/"' not in home.split("<main", 1)[1]
    Membership.objects.create(user=admin_a, collectivity=collectivity_b, role=Role.MONITOR)
    home = client.get("/fr/staff/commune-a/").content.decode()
    assert 'href="/fr/accounts/"' in home.split("<main", 1)[1]
    workspace = client.get("/fr/accounts/").content.decode()
    assert 'href="/fr/staff/commune-a/"' in workspace
    assert 'href="/fr/staff/commune-b/"' in workspace
    assert _label(Role.MONITOR) in workspace
