"""Joining and confirming, end to end through the test client and through the services."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.test import Client

from infitah.notifications.models import OutboundEmail
from infitah.participation import services, tokens
from infitah.participation.models import Gender, Participant
from infitah.participation.selectors import SESSION_KEY
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

JOIN = "/{lang}/participation/join/"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "email": "Amina@Example.test",
        "display_name": "  Amina   B. ",
        "commune": "",
        "gender": "female",
        "consent": "on",
        "next": "",
    }
    data.update(overrides)
    return data


def _link(email: OutboundEmail) -> str:
    """The path and query of the confirmation link in an e-mail."""
    found = re.search(r"https?://\S+/participation/confirm/\S+", email.body)
    assert found is not None, email.body
    parts = urlsplit(found.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_join_page_renders_in_both_languages(client: Client, lang: str) -> None:
    response = client.get(JOIN.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    assert 'name="email"' in html and 'name="consent"' in html
    assert len(response.content) < 30_000
    assert "no-store" in response["Cache-Control"]


def test_join_creates_an_unverified_participant_and_queues_one_email(
    client: Client, collectivity_a: Collectivity
) -> None:
    response = client.post(JOIN.format(lang="fr"), _form(commune="aït melloul"))
    assert response.status_code == 200
    participant = Participant.objects.get()
    assert participant.email == "amina@example.test"
    assert participant.display_name == "Amina B."
    assert participant.commune == collectivity_a
    assert participant.gender == Gender.FEMALE
    assert participant.language == "fr"
    assert participant.verified_at is None
    email = OutboundEmail.objects.get()
    assert email.to == "amina@example.test"
    assert _link(email).startswith("/fr/participation/confirm/")
    assert SESSION_KEY not in client.session


def test_commune_by_slug_or_arabic_name(client: Client, collectivity_a: Collectivity) -> None:
    client.post(JOIN.format(lang="ar"), _form(commune="commune-a"))
    client.post(JOIN.format(lang="ar"), _form(email="b@example.test", commune="أيت ملول"))
    assert list(Participant.objects.values_list("commune", flat=True)) == [collectivity_a.pk] * 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", ""),
        ("email", "not-an-address"),
        ("email", "a" * 250 + "@example.test"),
        ("display_name", ""),
        ("display_name", "   "),
        ("display_name", "x" * 101),
        ("display_name", "Amina\x00"),
        ("commune", "Atlantis"),
        ("commune", "x" * 201),
        ("commune", "souss-massa-test"),  # a region, not a commune
        ("gender", "other"),
        ("consent", ""),
    ],
)
def test_bad_input_is_refused_per_field_and_changes_nothing(
    client: Client, region: Collectivity, field: str, value: str
) -> None:
    response = client.post(JOIN.format(lang="ar"), _form(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Participant.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_service_refuses_a_region_as_commune(region: Collectivity) -> None:
    with pytest.raises(ValidationError) as caught:
        services.participant_join(
            email="a@example.test",
            display_name="A",
            commune=region,
            gender="male",
            language="ar",
        )
    assert "commune" in caught.value.message_dict
    assert not Participant.objects.exists()


def test_joining_twice_in_a_few_minutes_sends_one_email(client: Client) -> None:
    client.post(JOIN.format(lang="ar"), _form())
    client.post(JOIN.format(lang="ar"), _form())
    assert Participant.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_stranger_cannot_change_a_verified_participant(
    client: Client, collectivity_a: Collectivity
) -> None:
    amina = make_participant(email="amina@example.test", display_name="Amina")
    response = client.post(JOIN.format(lang="ar"), _form(display_name="Impostor"))
    assert response.status_code == 200  # the same page: the address is not revealed
    amina.refresh_from_db()
    assert amina.display_name == "Amina"
    assert amina.gender == Gender.UNDISCLOSED


def test_confirm_get_shows_a_button_and_changes_nothing(client: Client) -> None:
    client.post(JOIN.format(lang="ar"), _form())
    link = _link(OutboundEmail.objects.get())
    response = client.get(link)
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert Participant.objects.get().verified_at is None
    assert SESSION_KEY not in client.session


def test_confirm_post_verifies_signs_in_and_goes_to_next(client: Client) -> None:
    client.post(JOIN.format(lang="ar"), _form(next="/ar/c/commune-a/surveys/"))
    link = _link(OutboundEmail.objects.get())
    assert "next=%2Far%2Fc%2Fcommune-a%2Fsurveys%2F" in link
    page = client.get(link)
    assert b'value="/ar/c/commune-a/surveys/"' in page.content
    response = client.post(link.split("?")[0], {"next": "/ar/c/commune-a/surveys/"})
    assert response.status_code == 302
    assert response["Location"] == "/ar/c/commune-a/surveys/"
    participant = Participant.objects.get()
    assert participant.verified_at is not None
    assert client.session[SESSION_KEY] == participant.pk


def test_confirm_without_next_goes_to_my_page(client: Client) -> None:
    client.post(JOIN.format(lang="fr"), _form())
    response = client.post(_link(OutboundEmail.objects.get()))
    assert response["Location"] == "/fr/participation/me/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_confirm_never_redirects_off_site(client: Client, next_url: str) -> None:
    client.post(JOIN.format(lang="ar"), _form(next=next_url))
    link = _link(OutboundEmail.objects.get()).split("?")[0]
    response = client.post(link, {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/ar/participation/me/"


def test_a_link_works_once(client: Client) -> None:
    client.post(JOIN.format(lang="ar"), _form())
    link = _link(OutboundEmail.objects.get())
    assert client.post(link).status_code == 302
    other = Client()
    response = other.post(link)
    assert response.status_code == 404
    assert SESSION_KEY not in other.session
    assert other.get(link).status_code == 404


def test_verified_participant_signs_in_again_and_the_new_profile_applies(
    client: Client, collectivity_a: Collectivity
) -> None:
    amina = make_participant(email="amina@example.test", display_name="Amina")
    client.post(JOIN.format(lang="fr"), _form(display_name="Amina B.", commune="commune-a"))
    response = client.post(_link(OutboundEmail.objects.get()))
    assert response.status_code == 302
    amina.refresh_from_db()
    assert amina.display_name == "Amina B."
    assert amina.commune == collectivity_a
    assert client.session[SESSION_KEY] == amina.pk


def test_an_expired_link_gets_a_404_page(client: Client) -> None:
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.post(JOIN.format(lang="ar"), _form())
    link = _link(OutboundEmail.objects.get())
    with time_machine.travel(start + dt.timedelta(days=7, minutes=1), tick=False):
        assert client.get(link).status_code == 404
        assert client.post(link).status_code == 404
    assert Participant.objects.get().verified_at is None
    with time_machine.travel(start + dt.timedelta(days=6), tick=False):
        assert client.post(link).status_code == 302


@pytest.mark.parametrize(
    "token", ["nonsense", "a:b:c", "x" * 2000, "eyJwIjoxfQ:1abc:AAAA", "%00", "..."]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_gets_a_translated_404_page(client: Client, token: str, method: str) -> None:
    response = getattr(client, method)(f"/fr/participation/confirm/{token}/")
    assert response.status_code == 404
    assert b'role="alert"' in response.content
    assert b'href="/fr/participation/join/' in response.content


def test_a_link_of_an_unknown_participant_gets_a_404(client: Client) -> None:
    ghost = Participant(pk=987_654, email="ghost@example.test")
    token = tokens.confirm_token_make(
        ghost, display_name="G", commune_id=None, gender="male", language="ar"
    )
    assert client.get(f"/ar/participation/confirm/{token}/").status_code == 404
    assert client.post(f"/ar/participation/confirm/{token}/").status_code == 404


def test_an_empty_post_shows_the_errors(client: Client) -> None:
    response = client.post(JOIN.format(lang="ar"), {})
    assert response.status_code == 400
    assert {"email", "display_name", "gender", "consent"} <= set(response.context["form"].errors)
    assert not Participant.objects.exists()
