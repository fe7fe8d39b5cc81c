"""Fixtures shared by the tests of every participation app (core, consultations, surveys,
labs): a verified participant and a test client signed in as them."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.participation.models import Participant
from infitah.participation.testing import login_participant, make_participant


@pytest.fixture
def participant(db: None) -> Participant:
    """A verified participant, Amina (no commune declared)."""
    return make_participant(email="amina@example.test", display_name="Amina")


@pytest.fixture
def participant_client(participant: Participant) -> Client:
    client = Client()
    login_participant(client, participant)
    return client
