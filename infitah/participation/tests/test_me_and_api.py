"""The participant's page, leaving, the access helpers and the API token."""

from __future__ import annotations

import pytest

from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from infitah.participation import selectors
from infitah.participation.access import ParticipantBearer, participant_required
from infitah.participation.models import Participant
from infitah.participation.selectors import SESSION_KEY
from infitah.participation.testing import api_headers, login_participant, make_participant

pytestmark = pytest.mark.django_db

ME = "/{lang}/participation/me/"


def test_my_page_needs_a_participant(client: Client) -> None:
    response = client.get(ME.format(lang="fr"))
    assert response.status_code == 302
    assert response["Location"] == "/fr/participation/join/?next=%2Ffr%2Fparticipation%2Fme%2F"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_my_page_shows_the_profile_and_the_api_token(
    participant_client: Client, participant: Participant, lang: str
) -> None:
    response = participant_client.get(ME.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert participant.email in html
    assert selectors.participant_api_token(participant) in html
    assert "no-store" in response["Cache-Control"]


def test_an_unverified_participant_is_not_signed_in(client: Client) -> None:
    pending = Participant.objects.create(email="p@example.test", display_name="P")
    login_participant(client, pending)
    assert client.get(ME.format(lang="ar")).status_code == 302


def test_leave_forgets_the_participant_and_needs_a_post(
    participant_client: Client, participant: Participant
) -> None:
    assert participant_client.get("/ar/participation/leave/").status_code == 405
    response = participant_client.post("/ar/participation/leave/")
    assert response.status_code == 302
    assert SESSION_KEY not in participant_client.session
    assert participant_client.get(ME.format(lang="ar")).status_code == 302
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_join_page_of_a_signed_in_participant_links_to_their_page(
    participant_client: Client,
) -> None:
    response = participant_client.get("/ar/participation/join/?next=/ar/")
    assert b'href="/ar/participation/me/"' in response.content
    assert b'href="/ar/"' in response.content


def _request(session_value: object) -> HttpRequest:
    request = RequestFactory().get("/ar/somewhere/?x=1")
    request.session = SessionStore()
    if session_value is not None:
        request.session[SESSION_KEY] = session_value
    return request


@pytest.mark.parametrize("value", [None, "1", 10**12, True, [1]])
def test_odd_session_values_mean_no_participant(value: object) -> None:
    assert selectors.participant_from_request(_request(value)) is None


def test_participant_required_sets_request_participant(participant: Participant) -> None:
    seen: list[Participant] = []

    @participant_required
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.participant)  # type: ignore[attr-defined]
        return HttpResponse("ok")

    assert view(_request(participant.pk)).status_code == 200
    assert seen == [participant]
    redirected = view(_request(None))
    assert redirected.status_code == 302
    assert redirected["Location"].endswith("?next=%2Far%2Fsomewhere%2F%3Fx%3D1")


def test_api_me_with_the_token(client: Client, collectivity_a: object) -> None:
    amina = make_participant(email="amina@example.test", commune=collectivity_a)  # type: ignore[arg-type]
    response = client.get("/api/v1/participants/me", headers=api_headers(amina))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == amina.pk
    assert body["commune"] == "commune-a"
    assert "email" not in body


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nonsense", "Bearer a:b:c", "Basic x"])
def test_api_me_without_a_valid_token_is_401(client: Client, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    assert client.get("/api/v1/participants/me", headers=headers).status_code == 401


def test_api_token_of_an_unverified_participant_is_refused(client: Client) -> None:
    pending = Participant.objects.create(email="p@example.test", display_name="P")
    response = client.get("/api/v1/participants/me", headers=api_headers(pending))
    assert response.status_code == 401
    assert ParticipantBearer().authenticate(HttpRequest(), "x") is None


def test_api_token_of_another_salt_is_refused(participant: Participant) -> None:
    from django.core import signing

    forged = signing.dumps({"p": participant.pk}, salt="other")
    assert selectors.participant_from_api_token(forged) is None
    assert (
        selectors.participant_from_api_token(selectors.participant_api_token(participant))
        == participant
    )


def test_api_token_is_the_same_on_every_visit(
    participant: Participant, participant_client: Client
) -> None:
    """No timestamp in the token: the page shows one token, not a new one each second."""
    import time

    first = selectors.participant_api_token(participant)
    time.sleep(1.05)  # a timestamped token would change with the second
    assert selectors.participant_api_token(participant) == first
    html = participant_client.get(ME.format(lang="ar")).content.decode()
    assert html.count(first) == 1


def test_api_token_issued_with_a_timestamp_is_still_read(participant: Participant) -> None:
    from django.core import signing

    from infitah.participation.tokens import API_SALT

    earlier = signing.dumps({"p": participant.pk}, salt=API_SALT)
    assert selectors.participant_from_api_token(earlier) == participant
    tampered = earlier[:-2] + ("A" if earlier[-2] != "A" else "B") + earlier[-1]
    assert selectors.participant_from_api_token(tampered) is None
