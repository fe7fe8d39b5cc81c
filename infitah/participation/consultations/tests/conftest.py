"""Fixtures of the consultations tests: the focal point of A, a `consult` factory through
the services (open by default, two sections), and a fixed clock.

- `focal`: a focal point of A (Perm.PARTICIPATION_MANAGE); `staff_client`: signed in as them;
- `consult(**overrides)`: a consultation of A opened yesterday, closing in ten days,
  moderated before publication, with two sections (`sections_of(consultation)`);
- `participant` / `participant_client` come from infitah/participation/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import Role, User
from infitah.participation.consultations import services
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.consultations.workflow import Kind, Moderation
from infitah.territories.models import Collectivity

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
SECTIONS = [
    (
        "الحق في الحصول على المعلومات",
        "Droit d’accès à l’information",
        "نشر المعطيات المالية.",
        "Publier les données financières.",
    ),
    (
        "الميزانية التشاركية",
        "Budget participatif",
        "إشراك السكان في الميزانية.",
        "Associer les habitants au budget.",
    ),
]

Consult = Callable[..., Consultation]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def focal(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def staff_client(focal: User) -> Client:
    client = Client()
    client.force_login(focal)
    return client


def consultation_input(**overrides: Any) -> services.ConsultationInput:
    values: dict[str, Any] = {
        "kind": Kind.ACTION_PLAN,
        "title_ar": "مسودة خطة عمل الجماعة المنفتحة",
        "title_fr": "Projet de plan d’action de la commune ouverte",
        "description_ar": "عرض المسودة.",
        "description_fr": "Présentation du projet.",
        "opens_at": NOW - dt.timedelta(days=1),
        "closes_at": NOW + dt.timedelta(days=10),
        "moderation": Moderation.PRE,
    }
    values.update(overrides)
    return services.ConsultationInput(**values)


@pytest.fixture
def consult(collectivity_a: Collectivity, focal: User) -> Consult:
    """A consultation of A through the services (keyword overrides of
    `consultation_input`, plus `collectivity` and `sections`)."""

    def make(**overrides: Any) -> Consultation:
        collectivity = overrides.pop("collectivity", collectivity_a)
        sections = overrides.pop("sections", SECTIONS)
        consultation = services.consultation_create(
            collectivity=collectivity, actor=focal, data=consultation_input(**overrides)
        )
        for i, (title_ar, title_fr, body_ar, body_fr) in enumerate(sections, start=1):
            services.section_save(
                consultation=consultation,
                actor=focal,
                order=i,
                title_ar=title_ar,
                title_fr=title_fr,
                body_ar=body_ar,
                body_fr=body_fr,
            )
        return consultation

    return make


def sections_of(consultation: Consultation) -> list[Section]:
    """The consultation's sections in order, each knowing its consultation."""
    found = list(Section.objects.filter(consultation=consultation).order_by("order", "pk"))
    for section in found:
        section.consultation = consultation
    return found
