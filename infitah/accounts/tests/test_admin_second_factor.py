"""/django-admin/ is a staff page like the others: signed in through the throttled sign-in
page, and past TOTP when INFITAH_REQUIRE_2FA is on."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.test import Client

from infitah.accounts.models import User

PASSWORD = "test-password-123"


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(email="root@example.test", password=PASSWORD)


def _final(client: Client, url: str) -> tuple[int, str]:
    """Follow redirects; the last status and the address that answered it."""
    response = client.get(url, follow=True)
    path = response.redirect_chain[-1][0] if response.redirect_chain else url
    return response.status_code, path


@pytest.mark.django_db
def test_an_unverified_superuser_is_sent_to_the_second_factor(settings, superuser) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    client = Client()
    client.force_login(superuser)
    for url in ("/django-admin/", "/django-admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302
        status, path = _final(client, url)
        assert status == 200
        assert "/accounts/two-factor/" in path
        assert f"next={url}" in path or "next=" + url.replace("/", "%2F") in path


@pytest.mark.django_db
def test_a_verified_superuser_enters_the_admin(settings, superuser) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    client = Client()
    client.force_login(superuser)
    client.get("/fr/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=superuser)
    ok = client.post(
        "/fr/accounts/two-factor/",
        {"token": f"{totp(device.bin_key):06d}", "next": "/django-admin/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/accounts/user/").status_code == 200


@pytest.mark.django_db
def test_without_the_requirement_the_admin_opens_after_the_password(settings, superuser) -> None:
    settings.INFITAH_REQUIRE_2FA = False
    client = Client()
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_form_is_the_throttled_sign_in_page(settings, superuser) -> None:
    """The admin's own login form would bypass the sign-in throttle: it is not served."""
    settings.INFITAH_REQUIRE_2FA = False
    client = Client()
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    posted = client.post(
        "/django-admin/login/?next=/django-admin/",
        {"username": superuser.email, "password": PASSWORD},
    )
    assert posted.status_code == 302 and "/accounts/login/" in posted["Location"]
    assert client.get("/django-admin/").status_code == 302
    status, path = _final(client, "/django-admin/")
    assert status == 200 and "/accounts/login/" in path


@pytest.mark.django_db
def test_a_signed_in_non_staff_user_is_refused(settings, citizen) -> None:
    settings.INFITAH_REQUIRE_2FA = False
    client = Client()
    client.force_login(citizen)
    assert client.get("/django-admin/").status_code == 302
    assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403


@pytest.mark.django_db
def test_the_admin_login_never_sends_back_to_itself_or_away(settings, superuser) -> None:
    settings.INFITAH_REQUIRE_2FA = False
    client = Client()
    client.force_login(superuser)
    for target in ("/django-admin/login/", "https://evil.example/"):
        response = client.get("/django-admin/login/", {"next": target})
        assert response.status_code == 302 and response["Location"] == "/django-admin/"
