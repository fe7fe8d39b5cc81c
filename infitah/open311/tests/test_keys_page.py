"""The administrator's page of Open311 keys: issue (shown once, stored as a digest),
list, revoke; every other role and every other collectivity's admin gets 404."""

from __future__ import annotations

import re
from typing import Any

import pytest

from django.test import Client

from infitah.accounts.models import Role, User
from infitah.ledger.models import Event
from infitah.open311 import services
from infitah.open311.models import SenderKey
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

PAGE = "/fr/staff/commune-a/open311/"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_issue_shows_the_secret_once_and_keeps_a_digest(
    admin_a: User, collectivity_a: Collectivity
) -> None:
    client = _signed_in(admin_a)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"organisation": "Association Hay Salam"})
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    secret = re.search(r"o311_[A-Za-z0-9_-]{43}", response.content.decode())
    assert secret is not None
    key = SenderKey.objects.get()
    assert key.collectivity == collectivity_a and key.organisation == "Association Hay Salam"
    assert secret.group() not in (key.digest, key.prefix)
    assert key.prefix == secret.group()[:9]
    assert (
        services.sender_key_authenticate(secret=secret.group(), collectivity=collectivity_a) == key
    )
    again = client.get(PAGE).content.decode()
    assert secret.group() not in again and key.prefix in again
    event = Event.objects.get(action="open311_key.issued")
    assert event.collectivity == collectivity_a and secret.group() not in str(event.data)


def test_a_blank_or_long_name_is_refused(admin_a: User) -> None:
    client = _signed_in(admin_a)
    for name in ("", "   ", "x" * 201):
        assert client.post(PAGE, {"organisation": name}).status_code == 400
    assert not SenderKey.objects.exists()


def test_revoke(admin_a: User, key_a: tuple[SenderKey, str], collectivity_a: Collectivity) -> None:
    key, secret = key_a
    response = _signed_in(admin_a).post(f"{PAGE}{key.pk}/revoke/")
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert services.sender_key_authenticate(secret=secret, collectivity=collectivity_a) is None
    assert Event.objects.filter(action="open311_key.revoked").count() == 1
    _signed_in(admin_a).post(f"{PAGE}{key.pk}/revoke/")  # idempotent
    assert Event.objects.filter(action="open311_key.revoked").count() == 1


def test_other_roles_and_other_collectivities_get_404(
    staff_for: Any, charlie: User, key_a: tuple[SenderKey, str], collectivity_b: Collectivity
) -> None:
    key, _secret = key_a
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    for user in (officer, charlie):
        client = _signed_in(user)
        assert client.get(PAGE).status_code == 404
        assert client.post(PAGE, {"organisation": "Intrus"}).status_code == 404
        assert client.post(f"{PAGE}{key.pk}/revoke/").status_code == 404
    # Charlie's own page lists none of A's keys, and cannot revoke them from there.
    client = _signed_in(charlie)
    assert key.prefix not in client.get("/fr/staff/commune-b/open311/").content.decode()
    assert client.post(f"/fr/staff/commune-b/open311/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    assert SenderKey.objects.count() == 1
    assert Client().get(PAGE).status_code == 302  # signed out: to the sign-in page


def test_a_huge_key_id_is_404(admin_a: User) -> None:
    huge = "9" * 30
    client = _signed_in(admin_a)
    assert client.post(f"{PAGE}{huge}/revoke/").status_code == 404
