"""Fixtures of the session tests, loaded as a plugin by test_sessions*.py (their names
do not clash with the council tests' conftest); the helpers are in `sessions_world`.

- `session_day(day)`: travel to `day` at 10:00 in Morocco (until the test ends);
- `session_media`: stored files go to a temporary MEDIA_ROOT;
- `session_secretary`: the council secretariat of A (Perm.COUNCIL_MANAGE, not the
  bureau's);
- `session_council`: A's term 2021– with `MEMBERS` members, each with an account holding
  the council-member role, and one committee.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine

from infitah.accounts.models import Role, User
from infitah.council.tests.sessions_world import MEMBERS, Council, at, council_make
from infitah.territories.models import Collectivity


@pytest.fixture
def session_day() -> Iterator[Callable[[date], Any]]:
    """`session_day(day)` moves the clock to `day` at 10:00 (until the test ends)."""
    travellers: list[Any] = []

    def travel(day: date) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(day), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def session_media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def session_secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.COUNCIL_SECRETARY)


@pytest.fixture
def session_council(collectivity_a: Collectivity) -> Council:
    return council_make(collectivity_a, MEMBERS)
