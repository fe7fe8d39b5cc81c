"""Invitations: who may invite whom to what, and every path of the link (unknown,
expired, used, revoked, wrong account, deactivated account, new account, existing
account), each grant in the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from infitah.accounts import selectors, services
from infitah.accounts.models import Invitation, Membership, NetworkRole, Role, User
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


def _url(secret: str, lang: str = "fr") -> str:
    return f"/{lang}/accounts/invitations/{secret}/"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADMIN)


def _invite(
    actor: User | None,
    collectivity: Collectivity | None,
    email: str = "New.Person@Example.test",
    roles: tuple[str, ...] = (Role.INFORMATION_OFFICER,),
    **extra: str,
) -> tuple[Invitation, str]:
    return services.invitation_create(
        actor=actor, email=email, collectivity=collectivity, roles=roles, **extra
    )


# --- Who may invite ---------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC), tick=False)
def test_network_admin_invites_a_collectivitys_admin_and_focal_point(
    network_admin: User, collectivity_a: Collectivity
) -> None:
    invitation, secret = _invite(
        network_admin,
        collectivity_a,
        roles=(Role.FOCAL_POINT, Role.ADMIN, Role.ADMIN),
        full_name="  Amina   Idrissi ",
        language="ar",
    )
    assert invitation.email == "new.person@example.test"  # normalised
    assert invitation.roles == [Role.FOCAL_POINT, Role.ADMIN]  # Role order, no repeat
    assert invitation.full_name == "Amina Idrissi"
    assert invitation.invited_by == network_admin
    assert invitation.expires_at == timezone.now() + timedelta(days=7)
    # Only the keyed digest is stored; the secret opens it.
    assert secret not in invitation.digest
    assert invitation.digest == selectors.invitation_token_digests(secret)[0]
    assert selectors.invitation_get(token=secret) == invitation
    event = Event.objects.get(action="invitation.created")
    assert event.actor == network_admin
    assert event.collectivity == collectivity_a
    assert event.data["email"] == "new.person@example.test"
    assert secret not in str(event.data)
    mail = OutboundEmail.objects.get(to="new.person@example.test")
    assert f"http://testserver/ar/accounts/invitations/{secret}/" in mail.body or (
        f"/ar/accounts/invitations/{secret}/" in mail.body
    )
    # The expiry date with the Moroccan month names, in the invitation's language.
    assert "14 دجنبر 2026" in mail.body
    assert collectivity_a.name_ar in mail.subject


@override_settings(INFITAH_INVITATION_DAYS=3)
def test_the_validity_is_a_setting(network_admin: User, collectivity_a: Collectivity) -> None:
    invitation, _secret = _invite(network_admin, collectivity_a)
    assert invitation.expires_at - invitation.created_at == timedelta(days=3)


def test_french_invitation_mail(network_admin: User, collectivity_a: Collectivity) -> None:
    invitation, secret = _invite(network_admin, collectivity_a, language="fr")
    mail = OutboundEmail.objects.get(to=invitation.email)
    assert f"/fr/accounts/invitations/{secret}/" in mail.body
    assert collectivity_a.name_fr in mail.subject


def test_collectivity_admin_invites_its_staff(admin_a: User, collectivity_a: Collectivity) -> None:
    invitation, _secret = _invite(admin_a, collectivity_a, roles=(Role.PUBLICATION_EDITOR,))
    assert invitation.collectivity == collectivity_a
    assert Event.objects.filter(action="invitation.created", actor=admin_a).exists()


def test_collectivity_admin_cannot_invite_to_another_collectivity(
    charlie: User, collectivity_a: Collectivity
) -> None:
    with pytest.raises(PermissionDenied):
        _invite(charlie, collectivity_a)
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_collectivity_admin_cannot_give_the_network_role(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    with pytest.raises(PermissionDenied):
        _invite(admin_a, collectivity_a, network_role=NetworkRole.NETWORK_ADMIN)
    with pytest.raises(PermissionDenied):
        _invite(admin_a, None, roles=(), network_role=NetworkRole.NETWORK_ADMIN)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_cannot_invite(
    role: str, staff_for: Callable[[str], User], collectivity_a: Collectivity
) -> None:
    with pytest.raises(PermissionDenied):
        _invite(staff_for(role), collectivity_a)


def test_citizen_cannot_invite(citizen: User, collectivity_a: Collectivity) -> None:
    with pytest.raises(PermissionDenied):
        _invite(citizen, collectivity_a)


def test_a_machine_invites_with_a_process_name(collectivity_a: Collectivity) -> None:
    with pytest.raises(ValueError, match="actor or a process"):
        _invite(None, collectivity_a)
    invitation, _secret = _invite(None, collectivity_a, process="network.membership")
    event = Event.objects.get(action="invitation.created")
    assert event.actor is None and event.process == "network.membership"
    assert invitation.invited_by is None


def test_network_admin_invites_to_the_network_space_and_a_network_admin(
    network_admin: User,
) -> None:
    space = network_space()
    invitation, _secret = _invite(network_admin, space, roles=(Role.FOCAL_POINT,))
    assert invitation.collectivity == space
    invitation, _secret = _invite(
        network_admin, None, roles=(), network_role=NetworkRole.NETWORK_ADMIN
    )
    assert invitation.collectivity is None
    assert invitation.network_role == NetworkRole.NETWORK_ADMIN


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"roles": ("mayor",)}, "roles"),
        ({"roles": ()}, "roles"),
        ({"network_role": "emperor"}, "network_role"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(
    kwargs: dict[str, object],
    field: str,
    network_admin: User,
    collectivity_a: Collectivity,
) -> None:
    params: dict[str, object] = {
        "actor": network_admin,
        "email": "someone@example.test",
        "collectivity": collectivity_a,
        "roles": (Role.ADMIN,),
    }
    params.update(kwargs)
    with pytest.raises(ValidationError) as info:
        services.invitation_create(**params)  # type: ignore[arg-type]
    assert field in info.value.message_dict
    assert not Invitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_roles_need_a_collectivity(network_admin: User) -> None:
    with pytest.raises(ValidationError):
        _invite(network_admin, None, roles=(Role.ADMIN,))


# --- The link ---------------------------------------------------------------------------


def test_unknown_link_is_404(db: None) -> None:
    response = Client().get(_url("no-such-token"))
    assert response.status_code == 404
    assert response.context["code"] == "unknown"


def test_expired_link_is_410_and_grants_nothing(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    invitation, secret = _invite(admin_a, collectivity_a)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert Client().get(_url(secret)).status_code == 410
        response = Client().post(
            _url(secret),
            {
                "full_name": "New",
                "password1": "a-long-pass-2026!",
                "password2": "a-long-pass-2026!",
            },
        )
        assert response.status_code == 410
        assert response.context["code"] == "expired"
        with pytest.raises(ValidationError) as info:
            services.invitation_signup(token=secret, full_name="N", password="a-long-pass-2026!")
        assert info.value.code == "expired"
    assert not User.objects.filter(email=invitation.email).exists()
    assert not Membership.objects.filter(role=Role.INFORMATION_OFFICER).exists()


def test_a_link_works_once(admin_a: User, collectivity_a: Collectivity, citizen: User) -> None:
    _invitation, secret = _invite(admin_a, collectivity_a, email=citizen.email)
    client = _signed_in(citizen)
    assert client.post(_url(secret)).status_code == 302
    assert Membership.objects.filter(user=citizen, role=Role.INFORMATION_OFFICER).exists()
    again = client.post(_url(secret))
    assert again.status_code == 410
    assert again.context["code"] == "used"
    with pytest.raises(ValidationError) as info:
        services.invitation_accept(token=secret, user=citizen)
    assert info.value.code == "used"
    assert Event.objects.filter(action="membership.granted").count() == 1


def test_revoked_link_is_410(admin_a: User, collectivity_a: Collectivity, citizen: User) -> None:
    invitation, secret = _invite(admin_a, collectivity_a, email=citizen.email)
    services.invitation_revoke(actor=admin_a, invitation=invitation)
    response = _signed_in(citizen).post(_url(secret))
    assert response.status_code == 410
    assert response.context["code"] == "revoked"
    assert not Membership.objects.filter(user=citizen).exists()
    revoked = Event.objects.get(action="invitation.revoked")
    assert revoked.actor == admin_a and revoked.collectivity == collectivity_a


def test_revoking_is_for_those_who_may_invite(
    admin_a: User, charlie: User, collectivity_a: Collectivity, network_admin: User
) -> None:
    invitation, _secret = _invite(admin_a, collectivity_a)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=charlie, invitation=invitation)
    services.invitation_revoke(actor=network_admin, invitation=invitation)
    services.invitation_revoke(actor=network_admin, invitation=invitation)  # idempotent
    assert Event.objects.filter(action="invitation.revoked").count() == 1


def test_an_accepted_invitation_cannot_be_revoked(
    admin_a: User, collectivity_a: Collectivity, citizen: User
) -> None:
    invitation, secret = _invite(admin_a, collectivity_a, email=citizen.email)
    services.invitation_accept(token=secret, user=citizen)
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=admin_a, invitation=invitation)


def test_wrong_account_signed_in_is_refused(
    admin_a: User, collectivity_a: Collectivity, citizen: User, charlie: User
) -> None:
    # An invitation to an existing account, opened while signed in as someone else.
    _invitation, secret = _invite(admin_a, collectivity_a, email=charlie.email)
    client = _signed_in(citizen)
    for method in ("get", "post"):
        response = getattr(client, method)(_url(secret))
        assert response.status_code == 403
        assert response.context["code"] == "wrong_account"
    # An invitation to a new address, opened while signed in.
    _invitation, fresh = _invite(admin_a, collectivity_a, email="fresh@example.test")
    assert client.post(_url(fresh)).status_code == 403
    with pytest.raises(ValidationError) as info:
        services.invitation_accept(token=secret, user=citizen)
    assert info.value.code == "wrong_account"
    assert not Membership.objects.filter(collectivity=collectivity_a, user=citizen).exists()
    assert not Membership.objects.filter(collectivity=collectivity_a, user=charlie).exists()
    assert not User.objects.filter(email="fresh@example.test").exists()


def test_deactivated_account_cannot_accept(
    admin_a: User, collectivity_a: Collectivity, citizen: User, network_admin: User
) -> None:
    _invitation, secret = _invite(admin_a, collectivity_a, email=citizen.email)
    services.account_deactivate(actor=network_admin, user=citizen)
    response = Client().get(_url(secret))
    assert response.status_code == 403
    assert response.context["code"] == "inactive"
    with pytest.raises(ValidationError) as info:
        services.invitation_accept(token=secret, user=citizen)
    assert info.value.code == "inactive"
    assert not Membership.objects.filter(user=citizen).exists()


def test_existing_account_signs_in_then_accepts(
    admin_a: User, collectivity_a: Collectivity, citizen: User
) -> None:
    invitation, secret = _invite(
        admin_a, collectivity_a, email="CITIZEN@example.test", roles=(Role.MONITOR, Role.ADMIN)
    )
    anonymous = Client().get(_url(secret))
    assert anonymous.status_code == 200
    page = anonymous.content.decode()
    assert "/fr/accounts/login/?next=" in page and secret in page
    client = _signed_in(citizen)
    form_page = client.get(_url(secret))
    assert form_page.status_code == 200
    assert form_page.context["account"] == citizen and "form" not in form_page.context
    response = client.post(_url(secret))
    assert response.status_code == 302
    assert response["Location"] == f"/fr/staff/{collectivity_a.slug}/"
    assert set(
        Membership.objects.filter(user=citizen, collectivity=collectivity_a).values_list(
            "role", flat=True
        )
    ) == {Role.MONITOR, Role.ADMIN}
    invitation.refresh_from_db()
    assert invitation.accepted_by == citizen and invitation.accepted_at is not None
    # The ledger reads "the inviter gave role R to the citizen, by this invitation".
    grants = Event.objects.filter(action="membership.granted", collectivity=collectivity_a)
    assert {e.to_state for e in grants} == {Role.MONITOR, Role.ADMIN}
    for event in grants:
        assert event.actor == admin_a
        assert event.process == "invitation"
        assert event.data == {"user": citizen.email, "invitation": invitation.pk}
    accepted = Event.objects.get(action="invitation.accepted")
    assert accepted.actor == citizen and accepted.collectivity == collectivity_a


def test_new_account_with_a_weak_password_gets_a_form_error(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    invitation, secret = _invite(admin_a, collectivity_a, full_name="Nadia")
    client = Client()
    page = client.get(_url(secret))
    assert page.status_code == 200 and 'value="Nadia"' in page.content.decode()
    for first, second in (("123", "123"), ("password", "password"), ("a-long-pass-2026!", "x")):
        response = client.post(
            _url(secret), {"full_name": "Nadia", "password1": first, "password2": second}
        )
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    assert not Membership.objects.filter(role=Role.INFORMATION_OFFICER).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending
    with pytest.raises(ValidationError) as info:
        services.invitation_signup(token=secret, full_name="Nadia", password="123")
    assert info.value.code == "password"


def test_new_account_signs_up_and_accepts(admin_a: User, collectivity_a: Collectivity) -> None:
    invitation, secret = _invite(admin_a, collectivity_a)
    client = Client()
    response = client.post(
        _url(secret),
        {
            "full_name": " Nadia  Amrani ",
            "password1": "a-long-pass-2026!",
            "password2": "a-long-pass-2026!",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/fr/staff/{collectivity_a.slug}/"
    user = User.objects.get(email="new.person@example.test")
    assert user.full_name == "Nadia Amrani"
    assert user.check_password("a-long-pass-2026!")
    assert Membership.objects.filter(
        user=user, collectivity=collectivity_a, role=Role.INFORMATION_OFFICER
    ).exists()
    # Signed in: the back office opens (2FA is off outside production).
    assert client.get(response["Location"]).status_code == 200
    assert Event.objects.filter(action="account.created", actor=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The same link cannot make a second account.
    assert Client().get(_url(secret)).status_code == 410


@override_settings(INFITAH_REQUIRE_2FA=True)
def test_new_staff_enrol_the_second_factor_first(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    _invitation, secret = _invite(admin_a, collectivity_a)
    client = Client()
    response = client.post(
        _url(secret),
        {"full_name": "Nadia", "password1": "a-long-pass-2026!", "password2": "a-long-pass-2026!"},
    )
    assert response.status_code == 302
    backoffice = client.get(response["Location"])
    assert backoffice.status_code == 302
    assert backoffice["Location"].startswith("/fr/accounts/two-factor/")
    enrol = client.get(backoffice["Location"])
    assert enrol.status_code == 200
    assert enrol.context["enrolling"] is True


def test_network_role_invitation_makes_a_network_admin(network_admin: User, citizen: User) -> None:
    invitation, secret = _invite(
        network_admin, None, email=citizen.email, roles=(), network_role=NetworkRole.NETWORK_ADMIN
    )
    response = _signed_in(citizen).post(_url(secret))
    assert response.status_code == 302 and response["Location"] == "/fr/accounts/"
    citizen.refresh_from_db()
    assert citizen.is_network_admin and citizen.is_staff
    event = Event.objects.get(action="account.network_role_granted")
    assert event.actor == network_admin and event.process == "invitation"
    assert event.to_state == NetworkRole.NETWORK_ADMIN
    assert event.data["invitation"] == invitation.pk


def test_an_inviter_who_lost_the_right_voids_the_invitation(
    admin_a: User, collectivity_a: Collectivity, citizen: User
) -> None:
    _invitation, secret = _invite(admin_a, collectivity_a, email=citizen.email)
    Membership.objects.filter(user=admin_a).delete()
    response = _signed_in(citizen).post(_url(secret))
    assert response.status_code == 410
    assert response.context["code"] == "void"
    assert not Membership.objects.filter(user=citizen).exists()


def test_resend_revokes_the_old_link(
    network_admin: User, collectivity_a: Collectivity, citizen: User
) -> None:
    old, old_secret = _invite(network_admin, collectivity_a, email=citizen.email, language="fr")
    new, new_secret = services.invitation_resend(actor=network_admin, invitation=old)
    old.refresh_from_db()
    assert old.is_revoked and new.is_pending
    assert new.roles == old.roles and new.language == "fr"
    assert OutboundEmail.objects.filter(to=citizen.email).count() == 2
    client = _signed_in(citizen)
    assert client.post(_url(old_secret)).status_code == 410
    assert client.post(_url(new_secret)).status_code == 302
