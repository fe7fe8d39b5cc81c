"""The network administrator's accounts pages: search, an account's roles and audit
trail, deactivation, invitations (filter, withdraw, send again), inviting a
collectivity's administrator or a network administrator. 404 for everyone else, and
never a case's data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts import services
from infitah.accounts.models import Invitation, Membership, NetworkRole, Role, User
from infitah.ledger.models import Event
from infitah.ledger.services import event_record
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db

BASE = "/fr/network/office/accounts/"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(account: User, invitation: Invitation, collectivity: Collectivity) -> list[str]:
    return [
        BASE,
        f"{BASE}{account.pk}/",
        f"{BASE}{account.pk}/deactivate/",
        f"{BASE}{account.pk}/reactivate/",
        f"{BASE}invitations/",
        f"{BASE}invitations/{invitation.pk}/revoke/",
        f"{BASE}invitations/{invitation.pk}/resend/",
        f"{BASE}invite/",
        f"{BASE}c/{collectivity.slug}/",
    ]


def test_everyone_but_the_network_admin_gets_404(
    staff_a: User,
    charlie: User,
    citizen: User,
    network_admin: User,
    collectivity_a: Collectivity,
) -> None:
    invitation, _secret = services.invitation_create(
        actor=network_admin,
        email="someone@example.test",
        collectivity=collectivity_a,
        roles=[Role.ADMIN],
    )
    for outsider in (staff_a, charlie, citizen):
        client = _signed_in(outsider)
        for url in _urls(citizen, invitation, collectivity_a):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (outsider, url, method)
    citizen.refresh_from_db()
    assert citizen.is_active
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Invitation.objects.count() == 1
    anonymous = Client().get(BASE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_network_admin_opens_every_page(
    network_admin: User, staff_a: User, collectivity_a: Collectivity
) -> None:
    invitation, _secret = services.invitation_create(
        actor=network_admin,
        email="someone@example.test",
        collectivity=collectivity_a,
        roles=[Role.ADMIN],
    )
    client = _signed_in(network_admin)
    for url in _urls(staff_a, invitation, collectivity_a):
        if url.endswith(("/deactivate/", "/reactivate/", "/revoke/", "/resend/")):
            continue
        assert client.get(url).status_code == 200, url


def test_network_admin_gets_404_in_a_collectivitys_back_office(
    network_admin: User, staff_a: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(network_admin)
    for url in ("/fr/staff/commune-a/", "/fr/staff/commune-a/team/"):
        assert client.get(url).status_code == 404


# --- Search ----------------------------------------------------------------------------


def test_search_by_email_or_name(
    network_admin: User, staff_a: User, charlie: User, citizen: User
) -> None:
    client = _signed_in(network_admin)
    by_mail = client.get(BASE, {"q": "CHARLIE@"})
    assert list(by_mail.context["page"]) == [charlie]
    by_name = client.get(BASE, {"q": "staff a"})
    assert list(by_name.context["page"]) == [staff_a]
    everyone = client.get(BASE)
    assert set(everyone.context["page"]) == {network_admin, staff_a, charlie, citizen}


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_list_pages_have_a_constant_query_count(
    network_admin: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    client = _signed_in(network_admin)

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            user = User.objects.create_user(email=f"user{i}@example.test", password="x")
            for collectivity in (collectivity_a, collectivity_b):
                Membership.objects.create(user=user, collectivity=collectivity, role=Role.MONITOR)
            invitation, _secret = services.invitation_create(
                actor=network_admin,
                email=f"invited{i}@example.test",
                collectivity=collectivity_a if i % 2 else collectivity_b,
                roles=[Role.FOCAL_POINT],
            )
            if i % 3 == 0:
                services.invitation_revoke(actor=network_admin, invitation=invitation)

    grow(0, 2)
    counts = [
        _queries(client, BASE),
        _queries(client, BASE, {"q": "user"}),
        _queries(client, f"{BASE}invitations/"),
        _queries(client, f"{BASE}invitations/", {"status": "pending"}),
        _queries(client, f"{BASE}c/{collectivity_a.slug}/"),
    ]
    grow(2, 12)
    assert [
        _queries(client, BASE),
        _queries(client, BASE, {"q": "user"}),
        _queries(client, f"{BASE}invitations/"),
        _queries(client, f"{BASE}invitations/", {"status": "pending"}),
        _queries(client, f"{BASE}c/{collectivity_a.slug}/"),
    ] == counts


# --- An account ---------------------------------------------------------------------------


def test_account_page_shows_roles_everywhere_and_its_audit_trail(
    network_admin: User,
    staff_for: Callable[[str], User],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    person = staff_for(Role.MONITOR)
    services.membership_grant(
        user=person, collectivity=collectivity_b, role=Role.FOCAL_POINT, actor=network_admin
    )
    # A case event that happens to name the person: never shown on the network's pages.
    event_record(
        obj=collectivity_a,
        action="complaint.answered",
        actor=person,
        collectivity=collectivity_a,
        note="SECRET CASE TEXT",
        data={"user": person.email, "subject": "SECRET CASE SUBJECT"},
    )
    response = _signed_in(network_admin).get(f"{BASE}{person.pk}/")
    page = response.content.decode()
    places = {c.slug: labels for c, labels in response.context["places"]}
    assert set(places) == {collectivity_a.slug, collectivity_b.slug}
    assert [row.action for row in response.context["audit"]] == ["membership.granted"]
    assert "SECRET CASE" not in page


def test_deactivate_and_reactivate(
    network_admin: User, staff_a: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(network_admin)
    roles_before = set(Membership.objects.filter(user=staff_a).values_list("role", flat=True))
    assert client.post(f"{BASE}{staff_a.pk}/deactivate/").status_code == 302
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    # Memberships and history stay.
    assert set(Membership.objects.filter(user=staff_a).values_list("role", flat=True)) == (
        roles_before
    )
    event = Event.objects.get(action="account.deactivated")
    assert event.actor == network_admin and event.object_id == str(staff_a.pk)
    # A deactivated account is signed out and cannot sign in.
    staff_client = Client()
    staff_client.force_login(staff_a)
    assert staff_client.get("/fr/staff/commune-a/").status_code == 302
    login = Client().post(
        "/fr/accounts/login/", {"username": staff_a.email, "password": "test-password-123"}
    )
    assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated
    # The audit trail of the account shows it.
    detail = client.get(f"{BASE}{staff_a.pk}/")
    assert "account.deactivated" in [row.action for row in detail.context["audit"]]
    assert client.post(f"{BASE}{staff_a.pk}/reactivate/").status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.is_active
    assert Event.objects.filter(action="account.reactivated", actor=network_admin).exists()


def test_cannot_deactivate_yourself(network_admin: User) -> None:
    client = _signed_in(network_admin)
    assert client.post(f"{BASE}{network_admin.pk}/deactivate/").status_code == 302
    network_admin.refresh_from_db()
    assert network_admin.is_active
    with pytest.raises(ValidationError):
        services.account_deactivate(actor=network_admin, user=network_admin)
    assert not Event.objects.filter(action="account.deactivated").exists()


def test_only_the_network_admin_deactivates(staff_a: User, citizen: User) -> None:
    with pytest.raises(PermissionDenied):
        services.account_deactivate(actor=staff_a, user=citizen)
    citizen.refresh_from_db()
    assert citizen.is_active


def test_unknown_account_is_404(network_admin: User) -> None:
    client = _signed_in(network_admin)
    assert client.get(f"{BASE}999999/").status_code == 404
    assert client.post(f"{BASE}999999/deactivate/").status_code == 404


# --- Invitations ------------------------------------------------------------------------


def test_invitation_list_filters_by_state(
    network_admin: User, collectivity_a: Collectivity, citizen: User
) -> None:
    def invite(email: str) -> tuple[Invitation, str]:
        return services.invitation_create(
            actor=network_admin, email=email, collectivity=collectivity_a, roles=[Role.ADMIN]
        )

    pending, _s = invite("pending@example.test")
    accepted, accepted_secret = invite(citizen.email)
    services.invitation_accept(token=accepted_secret, user=citizen)
    revoked, _s = invite("revoked@example.test")
    services.invitation_revoke(actor=network_admin, invitation=revoked)
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        expired, _s = invite("expired@example.test")
    client = _signed_in(network_admin)
    for status, expected in (
        ("pending", [pending]),
        ("accepted", [accepted]),
        ("revoked", [revoked]),
        ("expired", [expired]),
        ("", [revoked, accepted, pending, expired]),
    ):
        response = client.get(f"{BASE}invitations/", {"status": status})
        assert list(response.context["page"]) == expected, status


def test_withdraw_and_send_again(network_admin: User, collectivity_a: Collectivity) -> None:
    invitation, _secret = services.invitation_create(
        actor=network_admin,
        email="someone@example.test",
        collectivity=collectivity_a,
        roles=[Role.ADMIN],
    )
    client = _signed_in(network_admin)
    assert client.post(f"{BASE}invitations/{invitation.pk}/resend/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.is_revoked
    fresh = Invitation.objects.exclude(pk=invitation.pk).get()
    assert fresh.is_pending and fresh.roles == [Role.ADMIN]
    assert OutboundEmail.objects.filter(to="someone@example.test").count() == 2
    response = client.post(
        f"{BASE}invitations/{fresh.pk}/revoke/", {"back_to": collectivity_a.slug}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}c/{collectivity_a.slug}/"
    fresh.refresh_from_db()
    assert fresh.is_revoked and fresh.revoked_by == network_admin
    assert client.post(f"{BASE}invitations/999999/revoke/").status_code == 404


def test_find_a_collectivity_and_invite_its_admin_and_focal_point(
    network_admin: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    client = _signed_in(network_admin)
    found = client.get(f"{BASE}invite/", {"q": "melloul"})
    assert collectivity_a in found.context["results"]
    assert collectivity_b not in found.context["results"]
    assert f"{BASE}c/{collectivity_a.slug}/" in found.content.decode()
    response = client.post(
        f"{BASE}c/{collectivity_a.slug}/",
        {"email": "Maire@Example.test", "roles": [Role.ADMIN, Role.FOCAL_POINT]},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.collectivity == collectivity_a
    assert invitation.roles == [Role.FOCAL_POINT, Role.ADMIN]
    assert invitation.email == "maire@example.test"
    # The network invites the administrator and the focal point only.
    refused = client.post(
        f"{BASE}c/{collectivity_a.slug}/", {"email": "x@example.test", "roles": [Role.MONITOR]}
    )
    assert refused.status_code == 400
    assert Invitation.objects.count() == 1


def test_invite_to_the_network_space(network_admin: User) -> None:
    client = _signed_in(network_admin)
    page = client.get(f"{BASE}invite/")
    space = network_space()
    assert page.context["space"] == space
    response = client.post(
        f"{BASE}c/{space.slug}/", {"email": "staff@example.test", "roles": [Role.FOCAL_POINT]}
    )
    assert response.status_code == 302
    assert Invitation.objects.get().collectivity == space


def test_invite_a_network_administrator(network_admin: User) -> None:
    client = _signed_in(network_admin)
    response = client.post(f"{BASE}invite/", {"email": "Second@Example.test"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.network_role == NetworkRole.NETWORK_ADMIN
    assert invitation.collectivity is None
    bad = client.post(f"{BASE}invite/", {"email": "nope"})
    assert bad.status_code == 400
    assert Invitation.objects.count() == 1


def test_collectivity_team_as_the_network_sees_it(
    network_admin: User, staff_a: User, collectivity_a: Collectivity
) -> None:
    response = _signed_in(network_admin).get(f"{BASE}c/{collectivity_a.slug}/")
    assert response.status_code == 200
    members = response.context["members"]
    assert [m.user for m in members] == [staff_a]
    assert set(members[0].roles) == set(Role.values)
    assert staff_a.email in response.content.decode()
    # Names, addresses and roles: no link into the collectivity's back office.
    assert "/fr/staff/" not in response.content.decode().split("<main", 1)[1]
    assert _signed_in(network_admin).get(f"{BASE}c/no-such-place/").status_code == 404
