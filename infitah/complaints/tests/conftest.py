"""Fixtures of the complaints tests: a collectivity with a complaints unit, categories
routed to units, a complaints officer, and a `submit` helper through the services.

- `unit_a`: the complaints unit of A (ComplaintSettings.complaints_unit);
- `roads_a`: a service unit of A (voirie) that the `roads` category is routed to;
- `officer_a`: a complaints officer of A (`staff_for(Role.COMPLAINTS_OFFICER)`);
- `submit(confirm=True, **overrides)`: a complaint to A from `complaint_input`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.complaints import services
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.services import ComplaintInput
from infitah.complaints.workflow import Status
from infitah.correspondence.models import ServiceUnit
from infitah.territories.models import Collectivity

CITIZEN_EMAIL = "amina@example.test"
OFFICER_EMAIL = f"{Role.COMPLAINTS_OFFICER}@example.test"
DESCRIPTION = "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا."

Submit = Callable[..., Complaint]


def complaint_input(**overrides: Any) -> ComplaintInput:
    values: dict[str, Any] = {
        "kind": "complaint",
        "category": "",
        "description": DESCRIPTION,
        "name": "Amina",
        "email": CITIZEN_EMAIL,
        "phone": "",
        "address": "زنقة الورود، حي المسيرة، أيت ملول",
        "latitude": "",
        "longitude": "",
        "chikaya_reference": "",
    }
    values.update({k: str(v) for k, v in overrides.items()})
    return ComplaintInput(**values)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def unit_a(collectivity_a: Collectivity) -> ServiceUnit:
    return ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الشكايات", name_fr="Service des plaintes"
    )


@pytest.fixture
def roads_a(collectivity_a: Collectivity) -> ServiceUnit:
    return ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الطرق", name_fr="Voirie"
    )


@pytest.fixture
def complaint_settings_a(collectivity_a: Collectivity, unit_a: ServiceUnit) -> ComplaintSettings:
    return ComplaintSettings.objects.create(
        collectivity=collectivity_a, complaints_unit=unit_a, reopen_days=30
    )


@pytest.fixture
def roads(collectivity_a: Collectivity, roads_a: ServiceUnit) -> Category:
    """A category routed to the roads unit."""
    return Category.objects.create(
        collectivity=collectivity_a, name_ar="الطرق", name_fr="Voirie", service=roads_a
    )


@pytest.fixture
def lighting(collectivity_a: Collectivity) -> Category:
    """A category without a unit of its own: it goes to the complaints unit."""
    return Category.objects.create(
        collectivity=collectivity_a, name_ar="الإنارة العمومية", name_fr="Éclairage public"
    )


@pytest.fixture
def officer_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.COMPLAINTS_OFFICER)


@pytest.fixture
def submit(collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings) -> Submit:
    """Submit (and by default confirm) a complaint to A; keyword overrides of
    `complaint_input`, plus `collectivity`, `files` and `language`."""

    def make(*, confirm: bool = True, **overrides: Any) -> Complaint:
        collectivity = overrides.pop("collectivity", collectivity_a)
        files = overrides.pop("files", None)
        language = overrides.pop("language", None)
        complaint, _token = services.complaint_submit(
            collectivity=collectivity,
            data=complaint_input(**overrides),
            files=files,
            language=language,
        )
        if confirm and complaint.status == Status.AWAITING_CONFIRMATION:
            services.complaint_confirm(complaint=complaint)
        complaint.refresh_from_db()
        return complaint

    return make
