"""Sign-in by e-mail; TOTP required for staff when INFITAH_REQUIRE_2FA is on."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.test import Client

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import User


@pytest.mark.django_db
def test_login_by_email(staff_a) -> None:
    client = Client()
    response = client.post(
        "/fr/accounts/login/", {"username": "STAFF-A@example.test", "password": "test-password-123"}
    )
    assert response.status_code == 302
    assert client.get("/fr/accounts/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_gives_a_translated_error(staff_a) -> None:
    response = Client().post(
        "/fr/accounts/login/", {"username": "staff-a@example.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "ne correspondent" in response.content.decode()


@pytest.mark.django_db
def test_production_refuses_development_passwords(settings) -> None:
    User.objects.create_user(email="demo@example.test", password=DEMO_PASSWORD)
    settings.IS_PRODUCTION = True
    response = Client().post(
        "/fr/accounts/login/", {"username": "demo@example.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200  # the form again, not a redirect
    settings.IS_PRODUCTION = False
    response = Client().post(
        "/fr/accounts/login/", {"username": "demo@example.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_must_enrol_and_pass_totp_when_required(settings, staff_a) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    client = Client()
    client.force_login(staff_a)
    response = client.get("/fr/staff/commune-a/")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/two-factor/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=staff_a, confirmed=False)
    bad = client.post(
        "/fr/accounts/two-factor/", {"token": "000000", "next": "/fr/staff/commune-a/"}
    )
    assert bad.status_code == 200 and "valide" in bad.content.decode()
    # django-otp throttles the next try for a second after a failure; a person waits.
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    token = f"{totp(device.bin_key):06d}"
    ok = client.post("/fr/accounts/two-factor/", {"token": token, "next": "/fr/staff/commune-a/"})
    assert ok.status_code == 302 and ok["Location"] == "/fr/staff/commune-a/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/fr/staff/commune-a/").status_code == 200


@pytest.mark.django_db
def test_totp_not_required_outside_production(settings, staff_a) -> None:
    settings.INFITAH_REQUIRE_2FA = False
    client = Client()
    client.force_login(staff_a)
    assert client.get("/fr/staff/commune-a/").status_code == 200


@pytest.mark.django_db
def test_open_redirect_is_refused(settings, staff_a) -> None:
    settings.INFITAH_REQUIRE_2FA = True
    client = Client()
    client.force_login(staff_a)
    client.get("/fr/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=staff_a)
    ok = client.post(
        "/fr/accounts/two-factor/",
        {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"},
    )
    assert ok["Location"] == "/"
