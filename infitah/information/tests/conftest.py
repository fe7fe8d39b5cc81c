"""Fixtures of the access-to-information tests: a collectivity that takes requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.services import RequestInput, request_confirm, request_file
from infitah.territories.models import Collectivity

CLEAR_ID = "ZX987654"


def request_input(**overrides: Any) -> RequestInput:
    values: dict[str, Any] = {
        "requester_type": "citizen",
        "first_name": "Fatima",
        "last_name": "Zahra",
        "id_type": "cin",
        "id_number": CLEAR_ID,
        "address": "12 rue des Orangers, Aït Melloul",
        "email": "fatima@example.test",
        "subject": "ميزانية الجماعة 2026",
        "description": "أطلب نسخة من ميزانية الجماعة لسنة 2026 وبرنامج عمل الجماعة.",
        "urgent": False,
        "urgency_reason": "",
        "delivery": "email",
        "private": False,
    }
    values.update(overrides)
    return RequestInput(**values)


@pytest.fixture
def accepting_a(collectivity_a: Collectivity) -> InformationSettings:
    return InformationSettings.objects.create(
        collectivity=collectivity_a,
        cndp_authorisation="A-RA-123/2026",
        desk_email="info@commune-a.test",
    )


@pytest.fixture
def accepting_b(collectivity_b: Collectivity) -> InformationSettings:
    return InformationSettings.objects.create(
        collectivity=collectivity_b, cndp_authorisation="A-RA-456/2026"
    )


@pytest.fixture
def officer_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.INFORMATION_OFFICER)


@pytest.fixture
def head_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADMIN)


@pytest.fixture
def file_request(
    collectivity_a: Collectivity, accepting_a: InformationSettings
) -> Callable[..., tuple[InformationRequest, str]]:
    """File (and by default confirm) a request to A; returns it and its tracking token."""

    def make(*, confirm: bool = True, **overrides: Any) -> tuple[InformationRequest, str]:
        request, token = request_file(collectivity=collectivity_a, data=request_input(**overrides))
        if confirm:
            request_confirm(request=request)
            request.refresh_from_db()
        return request, token

    return make
