"""Fixtures of the correspondence register tests: clerks, service units, a `register`
helper, and stored files in a temporary MEDIA_ROOT.

- `clerk_a`: the council secretary of A — may register, may not handle information
  requests;
- `officer_a`: an information officer of A — may register and open information requests;
- `charlie` (root conftest): admin of B, who must get 404 on everything of A.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import Role, User
from infitah.correspondence.models import Entry, ServiceUnit
from infitah.correspondence.services import entry_register
from infitah.information.models import InformationSettings
from infitah.territories.models import Collectivity

CASABLANCA = ZoneInfo("Africa/Casablanca")
# A Monday; time-dependent tests start then.
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)

Register = Callable[..., Entry]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture
def clerk_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.COUNCIL_SECRETARY)


@pytest.fixture
def officer_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.INFORMATION_OFFICER)


@pytest.fixture
def clerk_client(clerk_a: User) -> Client:
    client = Client()
    client.force_login(clerk_a)
    return client


@pytest.fixture
def officer_client(officer_a: User) -> Client:
    client = Client()
    client.force_login(officer_a)
    return client


@pytest.fixture
def unit_a(collectivity_a: Collectivity) -> ServiceUnit:
    return ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مكتب الضبط", name_fr="Bureau d'ordre"
    )


@pytest.fixture
def urbanism_a(collectivity_a: Collectivity) -> ServiceUnit:
    return ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة التعمير", name_fr="Urbanisme"
    )


@pytest.fixture
def unit_b(collectivity_b: Collectivity) -> ServiceUnit:
    return ServiceUnit.objects.create(
        collectivity=collectivity_b, name_ar="مكتب الضبط", name_fr="Bureau d'ordre"
    )


@pytest.fixture
def accepting_a(collectivity_a: Collectivity) -> InformationSettings:
    """A takes access-to-information requests (its CNDP authorisation is recorded)."""
    return InformationSettings.objects.create(
        collectivity=collectivity_a, cndp_authorisation="A-RA-123/2026"
    )


def entry_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "direction": "incoming",
        "correspondent": "Fatima Zahra",
        "subject": "طلب الحصول على المعلومات: ميزانية 2026",
        "channel": "paper",
        "letter_date": None,
        "summary": "Demande de copie du budget 2026.",
    }
    values.update(overrides)
    return values


@pytest.fixture
def register(collectivity_a: Collectivity, clerk_a: User) -> Register:
    """Register a letter in A as the clerk; keyword overrides of `entry_values`."""

    def make(**overrides: Any) -> Entry:
        collectivity = overrides.pop("collectivity", collectivity_a)
        actor = overrides.pop("actor", clerk_a)
        return entry_register(collectivity=collectivity, actor=actor, **entry_values(**overrides))

    return make
