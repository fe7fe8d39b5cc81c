"""The Open311 world: A and B both in the network (two jurisdictions), A's categories,
an administrator of A, a key of A's sending organisation, and complaints through the
complaints app's own services.

- `roads`, `lighting`: two active categories of A; `retired`: an inactive one;
- `admin_a`: the administrator of A (issues and revokes keys);
- `key_a`: (SenderKey, secret) of the organisation "Association Hay Salam" in A;
- `submit(confirm=True, **fields)`: a complaint to A (phone only unless `email` given).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.complaints import services as complaints
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.workflow import Status
from infitah.open311 import services
from infitah.open311.models import SenderKey
from infitah.territories.models import Collectivity

NAME = "Amina Belkadi"
PHONE = "0612345678"
EMAIL = "amina@example.test"
DESCRIPTION = "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا."
ADDRESS = "زنقة الورود، حي المسيرة"

Submit = Callable[..., Complaint]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def both_members(collectivity_a: Collectivity, collectivity_b: Collectivity) -> None:
    """Two jurisdictions: `jurisdiction_id` is required."""
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)


@pytest.fixture
def settings_a(collectivity_a: Collectivity) -> ComplaintSettings:
    return ComplaintSettings.objects.create(collectivity=collectivity_a, publish_answered=True)


@pytest.fixture
def roads(collectivity_a: Collectivity) -> Category:
    return Category.objects.create(collectivity=collectivity_a, name_ar="الطرق", name_fr="Voirie")


@pytest.fixture
def lighting(collectivity_a: Collectivity) -> Category:
    return Category.objects.create(
        collectivity=collectivity_a, name_ar="الإنارة العمومية", name_fr="Éclairage public"
    )


@pytest.fixture
def retired(collectivity_a: Collectivity) -> Category:
    return Category.objects.create(
        collectivity=collectivity_a, name_ar="قديم", name_fr="Ancienne", is_active=False
    )


@pytest.fixture
def admin_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADMIN)


@pytest.fixture
def key_a(collectivity_a: Collectivity, admin_a: User) -> tuple[SenderKey, str]:
    return services.sender_key_issue(
        collectivity=collectivity_a, organisation="Association Hay Salam", actor=admin_a
    )


@pytest.fixture
def submit(collectivity_a: Collectivity, settings_a: ComplaintSettings) -> Submit:
    def make(
        *, confirm: bool = True, collectivity: Collectivity | None = None, **fields: Any
    ) -> Complaint:
        values: dict[str, Any] = {
            "kind": "complaint",
            "description": DESCRIPTION,
            "name": NAME,
            "phone": PHONE,
            "address": ADDRESS,
            "latitude": "30.336400",
            "longitude": "-9.498600",
        }
        values.update(fields)
        complaint, _token = complaints.complaint_submit(
            collectivity=collectivity or collectivity_a,
            data=complaints.ComplaintInput(**{k: str(v) for k, v in values.items()}),
        )
        if confirm and complaint.status == Status.AWAITING_CONFIRMATION:
            complaints.complaint_confirm(complaint=complaint)
        complaint.refresh_from_db()
        return complaint

    return make
