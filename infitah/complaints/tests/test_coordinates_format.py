"""Coordinates are not quantities: a dot decimal and no grouping, in every language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from django.test import Client

from infitah.accounts.models import Role, User
from infitah.complaints import services
from infitah.complaints.models import ComplaintSettings
from infitah.complaints.tests.conftest import complaint_input
from infitah.complaints.workflow import Status
from infitah.territories.models import Collectivity

COORDINATES = "30.339000, -9.497000"


@pytest.fixture
def located(
    collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings
) -> tuple[str, str]:
    complaint, token = services.complaint_submit(
        collectivity=collectivity_a,
        data=complaint_input(latitude="30.339", longitude="-9.497"),
    )
    if complaint.status == Status.AWAITING_CONFIRMATION:
        services.complaint_confirm(complaint=complaint)
    return complaint.reference, token


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_citizen_page_shows_coordinates_with_a_dot(lang: str, located: tuple[str, str]) -> None:
    _reference, token = located
    html = Client().get(f"/{lang}/complaints/track/{token}/").content.decode()
    assert COORDINATES in html
    assert "30,339" not in html


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_staff_page_shows_coordinates_with_a_dot(
    lang: str, located: tuple[str, str], staff_for: Callable[[str], User]
) -> None:
    reference, _token = located
    client = Client()
    client.force_login(staff_for(Role.COMPLAINTS_OFFICER))
    response = client.get(f"/{lang}/staff/commune-a/complaints/{reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"({COORDINATES})" in html
    assert "30,339" not in html
