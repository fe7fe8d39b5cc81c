"""Helpers for the tests of every participation app.

    from infitah.participation.testing import login_participant, make_participant

    def test_answer(client, collectivity_a):
        amina = make_participant(email="amina@example.test", commune=collectivity_a)
        login_participant(client, amina)

The fixtures `participant` (a verified participant) and `participant_client` (a test
client signed in as them) come from infitah/participation/conftest.py, so every test
under infitah/participation/ has them.
"""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from infitah.participation import tokens
from infitah.participation.models import Gender, Participant
from infitah.participation.selectors import SESSION_KEY
from infitah.territories.models import Collectivity


def make_participant(
    *,
    email: str = "participant@example.test",
    commune: Collectivity | None = None,
    gender: str = Gender.UNDISCLOSED,
    display_name: str = "",
    language: str = "ar",
) -> Participant:
    """A verified participant (created directly: the join flow has its own tests)."""
    now = timezone.now()
    return Participant.objects.create(
        email=email.strip().lower(),
        display_name=display_name or email.split("@")[0],
        commune=commune,
        gender=gender,
        language=language,
        verified_at=now,
        confirmed_at=now,
    )


def login_participant(client: Client, participant: Participant) -> None:
    """Sign `participant` in on the Django test client (their session holds the id)."""
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()


def api_headers(participant: Participant) -> dict[str, str]:
    """Headers of an API call as `participant`, for `client.get(url, headers=...)`."""
    return {"Authorization": f"Bearer {tokens.api_token_make(participant)}"}
