"""Fixtures of the finance tests (collectivities A and B, `staff_for` and `charlie` come
from the root conftest).

- `finance_officer` (Role.FINANCE_OFFICER in A);
- `budget`: A's budget of 2026 (no version yet);
- stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.finance.models import Budget
from infitah.territories.models import Collectivity


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def finance_officer(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FINANCE_OFFICER)


@pytest.fixture
def budget(collectivity_a: Collectivity) -> Budget:
    return Budget.objects.create(collectivity=collectivity_a, year=2026)
