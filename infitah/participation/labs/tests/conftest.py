"""Fixtures of the labs tests: an open lab of A with a fixed seed, seeded statements, the
focal point who manages it, and helpers to make voters.

- `lab`: open since yesterday for ten days, moderation on, seed 42;
- `statements`: ten approved statements seeded by the focal point;
- `focal_point`: a focal point of A (Perm.PARTICIPATION_MANAGE);
- `voters(n)`: n verified participants (voter1@example.test …).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.participation.labs import services
from infitah.participation.labs.models import Lab, Statement
from infitah.participation.models import Participant
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

SEED = 42
QUESTION_AR = "كيف نحسّن خدمات الجماعة؟"
STATEMENT_TEXTS = [
    "يجب نشر ميزانية الجماعة بشكل مبسط.",
    "ينبغي بث دورات المجلس مباشرة.",
    "أفضّل البوابة الإلكترونية على مكتب الضبط.",
    "يجب أن يبقى مكتب الاستقبال مفتوحا.",
    "على الجماعة نشر محاضر الدورات.",
    "تطبيق الهاتف أهم من الموقع.",
    "يجب تخصيص ميزانية تشاركية.",
    "العرائض مسطرة معقدة.",
    "الرقمنة تقصي كبار السن.",
    "التكوين ضروري لموظفي الجماعة.",
]

Voters = Callable[[int], list[Participant]]


def lab_input(**overrides: object) -> services.LabInput:
    now = timezone.now()
    values: dict[str, object] = {
        "question_ar": QUESTION_AR,
        "question_fr": "Comment améliorer les services de la commune ?",
        "description_ar": "",
        "description_fr": "",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "moderate_statements": True,
    }
    values.update(overrides)
    return services.LabInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def focal_point(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def lab(collectivity_a: Collectivity, focal_point: User) -> Lab:
    return services.lab_create(
        collectivity=collectivity_a, actor=focal_point, data=lab_input(), seed=SEED
    )


@pytest.fixture
def statements(lab: Lab, focal_point: User) -> list[Statement]:
    return services.statements_seed(lab=lab, actor=focal_point, texts=STATEMENT_TEXTS)


@pytest.fixture
def voters(db: None) -> Voters:
    def make(n: int) -> list[Participant]:
        start = Participant.objects.count()
        return [
            make_participant(email=f"voter{start + i}@example.test", display_name=f"V{i}")
            for i in range(n)
        ]

    return make
