"""Personal API tokens: created, listed and revoked through the pages; the staff API
authenticates with them (`Authorization: Bearer …`).

This module is also the URL conf of the API test: a throwaway NinjaAPI whose one router
requires `StaffToken`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import re

import pytest
import time_machine
from ninja import NinjaAPI, Router

from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import ApiToken, User
from infitah.accounts.services import (
    API_TOKEN_MAX_LIVE,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from infitah.ledger.models import Event

SECRET_RE = re.compile(r"inf_[A-Za-z0-9_-]{43}")
PAGE = "/fr/accounts/tokens/"

# --- the throwaway API of the last tests ------------------------------------------------

_router = Router(auth=StaffToken())


@_router.get("/whoami")
def whoami(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {"email": user.email, "auth": request.auth.email, "verified": user.is_verified()}  # type: ignore[attr-defined]


_api = NinjaAPI(urls_namespace="test_tokens_api")
_api.add_router("/staff", _router)

urlpatterns = [path("api/test/", _api.urls)]
URLS = "infitah.accounts.tests.test_api_tokens"


# --- helpers ------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _row_text(token: ApiToken) -> str:
    return json.dumps(model_to_dict(token), default=str)


def _events_text() -> str:
    return json.dumps(
        [
            [e.action, e.object_type, e.object_id, e.from_state, e.to_state, e.note, e.data]
            for e in Event.objects.all()
        ],
        default=str,
    )


# --- pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_creates_a_token_and_sees_its_secret_once(staff_a) -> None:
    client = _client(staff_a)
    response = client.post(PAGE, {"name": "Export des dossiers"})
    assert response.status_code == 200  # rendered, not redirected: the secret is in no URL
    assert "no-store" in response["Cache-Control"]
    secrets_shown = SECRET_RE.findall(response.content.decode())
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]

    token = ApiToken.objects.get(user=staff_a)
    assert token.name == "Export des dossiers"
    assert token.prefix == secret[:8]
    assert token.digest != hashlib.sha256(secret.encode()).hexdigest()
    assert len(token.digest) == 64
    assert secret not in _row_text(token)
    event = Event.objects.for_object(token).get()
    assert event.action == "api_token.created"
    assert event.actor == staff_a
    assert secret not in _events_text()
    assert secret not in json.dumps(dict(client.session.items()), default=str)

    page = client.get(PAGE)
    content = page.content.decode()
    assert secret not in content
    assert f"{token.prefix}…" in content
    assert "Export des dossiers" in content
    assert api_token_authenticate(secret) == staff_a


@pytest.mark.django_db
def test_the_workspace_links_to_the_tokens_page(staff_a) -> None:
    assert PAGE in _client(staff_a).get("/fr/accounts/").content.decode()


@pytest.mark.django_db
def test_the_page_lists_only_ones_own_tokens(staff_a, charlie) -> None:
    api_token_create(user=staff_a, name="Mine")
    api_token_create(user=charlie, name="Charlie's")
    content = _client(staff_a).get(PAGE).content.decode()
    assert "Mine" in content
    assert "Charlie" not in content


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_whatever_the_number_of_tokens(staff_a) -> None:
    client = _client(staff_a)
    api_token_create(user=staff_a, name="one")
    with CaptureQueriesContext(connection) as one:
        assert client.get(PAGE).status_code == 200
    for i in range(5):
        token, secret = api_token_create(user=staff_a, name=f"more {i}")
        api_token_authenticate(secret)
    api_token_revoke(user=staff_a, token_id=token.pk)
    with CaptureQueriesContext(connection) as six:
        assert client.get(PAGE).status_code == 200
    assert len(six) == len(one)


@pytest.mark.django_db
def test_staff_revokes_a_token_through_the_page(staff_a) -> None:
    token, secret = api_token_create(user=staff_a, name="Old script")
    client = _client(staff_a)
    assert client.get(f"{PAGE}{token.pk}/revoke/").status_code == 405
    response = client.post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == PAGE
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_live
    assert [e.action for e in Event.objects.for_object(token)] == [
        "api_token.created",
        "api_token.revoked",
    ]
    assert secret not in _events_text()
    assert api_token_authenticate(secret) is None
    # Revoking again changes nothing and records nothing.
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 302
    assert Event.objects.for_object(token).count() == 2
    # The page shows it revoked, without a revoke button.
    content = client.get(PAGE).content.decode()
    assert f"{PAGE}{token.pk}/revoke/" not in content


@pytest.mark.django_db
def test_one_cannot_revoke_another_users_token(staff_a, charlie) -> None:
    token, secret = api_token_create(user=staff_a, name="A's")
    response = _client(charlie).post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 404
    assert _client(charlie).post(f"{PAGE}999999/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_live
    assert api_token_authenticate(secret) == staff_a
    with pytest.raises(ApiToken.DoesNotExist):
        api_token_revoke(user=charlie, token_id=token.pk)


@pytest.mark.django_db
def test_a_citizen_without_membership_cannot_create_a_token(citizen) -> None:
    client = _client(citizen)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.context["can_create"] is False
    assert 'name="name"' not in page.content.decode()
    response = client.post(PAGE, {"name": "sneaky"})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        api_token_create(user=citizen, name="sneaky")
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_pages_need_a_signed_in_and_verified_user(settings, staff_a) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(f"{PAGE}1/revoke/").status_code == 302
    settings.INFITAH_REQUIRE_2FA = True
    response = _client(staff_a).post(PAGE, {"name": "no second factor"})
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_bad_name_is_a_form_error(staff_a, name) -> None:
    response = _client(staff_a).post(PAGE, {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not SECRET_RE.search(response.content.decode())
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError) as error:
        api_token_create(user=staff_a, name=name)
    assert "name" in error.value.message_dict


@pytest.mark.django_db
def test_at_most_twenty_live_tokens(staff_a) -> None:
    tokens = [api_token_create(user=staff_a, name=f"t{i}")[0] for i in range(API_TOKEN_MAX_LIVE)]
    with pytest.raises(ValidationError):
        api_token_create(user=staff_a, name="one too many")
    response = _client(staff_a).post(PAGE, {"name": "one too many"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert ApiToken.objects.count() == API_TOKEN_MAX_LIVE
    # Revoked and expired tokens do not count.
    api_token_revoke(user=staff_a, token_id=tokens[0].pk)
    ApiToken.objects.filter(pk=tokens[1].pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    api_token_create(user=staff_a, name="replacement 1")
    api_token_create(user=staff_a, name="replacement 2")
    with pytest.raises(ValidationError):
        api_token_create(user=staff_a, name="one too many")


# --- authentication -----------------------------------------------------------------------


@pytest.mark.django_db
def test_authenticate_touches_last_used_at_at_most_once_a_minute(staff_a) -> None:
    start = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token, secret = api_token_create(user=staff_a, name="script")
        assert token.last_used_at is None
        assert api_token_authenticate(secret) == staff_a
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert api_token_authenticate(secret) == staff_a
        assert len(queries) == 1  # the lookup, no write
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.shift(dt.timedelta(seconds=31))
        assert api_token_authenticate(secret) == staff_a
        token.refresh_from_db()
        assert token.last_used_at == start + dt.timedelta(seconds=61)


@pytest.mark.django_db
def test_revoked_expired_and_inactive_users_tokens_are_refused(staff_a, charlie) -> None:
    revoked, revoked_secret = api_token_create(user=staff_a, name="revoked")
    api_token_revoke(user=staff_a, token_id=revoked.pk)
    assert api_token_authenticate(revoked_secret) is None

    soon = timezone.now() + dt.timedelta(hours=1)
    _expiring, expiring_secret = api_token_create(user=staff_a, name="expiring", expires_at=soon)
    assert api_token_authenticate(expiring_secret) == staff_a
    with time_machine.travel(soon + dt.timedelta(seconds=1)):
        assert api_token_authenticate(expiring_secret) is None

    _token, charlie_secret = api_token_create(user=charlie, name="charlie")
    assert api_token_authenticate(charlie_secret) == charlie
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    assert api_token_authenticate(charlie_secret) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "secret",
    ["", "inf_", "nope", "inf_" + "A" * 43, "inf_" + "A" * 5000, "\x00inf_"],
)
def test_unknown_secrets_are_refused(staff_a, secret) -> None:
    api_token_create(user=staff_a, name="real")
    assert api_token_authenticate(secret) is None


@pytest.mark.django_db
def test_a_token_minted_under_another_secret_key_is_refused(staff_a) -> None:
    """A token created on a development machine (another SECRET_KEY) gives nothing in
    production, even if its row travelled with a copy of the database."""
    with override_settings(SECRET_KEY="development-" + "k" * 50):
        _dev_token, dev_secret = api_token_create(user=staff_a, name="from development")
        assert api_token_authenticate(dev_secret) == staff_a
    assert api_token_authenticate(dev_secret) is None
    _token, secret = api_token_create(user=staff_a, name="production")
    assert api_token_authenticate(secret) == staff_a
    with override_settings(SECRET_KEY="development-" + "k" * 50):
        assert api_token_authenticate(secret) is None


@pytest.mark.django_db
def test_tokens_survive_a_key_rotation_through_the_fallbacks(settings, staff_a) -> None:
    old_key = settings.SECRET_KEY
    _token, secret = api_token_create(user=staff_a, name="before rotation")
    with override_settings(SECRET_KEY="rotated-" + "r" * 50, SECRET_KEY_FALLBACKS=[old_key]):
        assert api_token_authenticate(secret) == staff_a
    with override_settings(SECRET_KEY="rotated-" + "r" * 50, SECRET_KEY_FALLBACKS=[]):
        assert api_token_authenticate(secret) is None


@pytest.mark.django_db
def test_the_migration_keeps_existing_tokens_working_under_the_current_key(staff_a) -> None:
    """Rows of the unkeyed era held the bare SHA-256 of the secret; the data migration
    binds them to the SECRET_KEY in force when it runs."""
    migration = importlib.import_module("infitah.accounts.migrations.0004_api_token_keyed_digest")
    secret = "inf_" + "Z" * 43
    legacy = ApiToken.objects.create(
        user=staff_a,
        name="legacy",
        prefix=secret[:8],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
    )
    assert api_token_authenticate(secret) is None  # unkeyed: no longer accepted as is
    migration.digests_bind_to_secret_key(apps, None)
    assert api_token_authenticate(secret) == staff_a
    with override_settings(SECRET_KEY="another-" + "a" * 50):
        assert api_token_authenticate(secret) is None
    # Going back revokes them: the old code could not match the keyed digests.
    migration.tokens_revoke(apps, None)
    legacy.refresh_from_db()
    assert legacy.is_revoked


@pytest.mark.django_db
def test_an_expiry_in_the_past_is_refused(staff_a) -> None:
    with pytest.raises(ValidationError):
        api_token_create(
            user=staff_a, name="late", expires_at=timezone.now() - dt.timedelta(days=1)
        )


# --- a router that requires StaffToken ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_the_staff_api_answers_401_without_a_valid_token(staff_a) -> None:
    token, secret = api_token_create(user=staff_a, name="api")
    client = Client()
    url = "/api/test/staff/whoami"

    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer inf_wrong"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Token {secret}"}).status_code == 401
    assert client.get(url, headers={"Authorization": secret}).status_code == 401

    ok = client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200
    assert ok.json() == {"email": staff_a.email, "auth": staff_a.email, "verified": True}

    api_token_revoke(user=staff_a, token_id=token.pk)
    assert client.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_the_token_not_the_session_decides_who_acts(staff_a, charlie) -> None:
    _token, secret = api_token_create(user=staff_a, name="api")
    client = _client(charlie)  # a session of someone else is ignored
    url = "/api/test/staff/whoami"
    assert client.get(url).status_code == 401
    ok = client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and ok.json()["email"] == staff_a.email
