"""Fixtures of the opening programme's tests (collectivities A and B, `staff_for` and
`charlie` come from the root conftest).

- `focal_point` (Role.FOCAL_POINT in A) and `monitor` (Role.MONITOR in A);
- `programme`: A's REMACTO programme 2027–2028 in co-creation, with two axes
  (through the services);
- `commitment`: its commitment 1, with no milestone;
- `make_item(result)`: a council session of A held, with one agenda item decided
  (ORM: the council's own services are tested in its app);
- `participant`: a verified participant;
- `pdf_file()` / `png_file()`: small files that pass the upload checks;
- stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.council.models import AgendaItem, ItemResult, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.openplan.models import Axis, Commitment, Programme
from infitah.openplan.services import core
from infitah.openplan.workflow import Kind
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

MakeItem = Callable[..., AgendaItem]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_file(name: str = "preuve.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png_file(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def focal_point(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def monitor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.MONITOR)


PROGRAMME_DATA = {
    "kind": Kind.REMACTO,
    "title_ar": "برنامج انفتاح جماعة أيت ملول",
    "title_fr": "Programme d'ouverture d'Aït Melloul",
    "summary_ar": "برنامج مشترك مع المجتمع المدني",
    "starts_on": dt.date(2027, 1, 1),
    "ends_on": dt.date(2028, 12, 31),
}


@pytest.fixture
def programme(collectivity_a: Collectivity, focal_point: User) -> Programme:
    programme = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    core.axis_save(
        programme=programme,
        actor=focal_point,
        data={"title_ar": "الحكامة", "title_fr": "Gouvernance"},
    )
    core.axis_save(
        programme=programme,
        actor=focal_point,
        data={"title_ar": "الثقافة", "title_fr": "Culture"},
    )
    return programme


@pytest.fixture
def axis(programme: Programme) -> Axis:
    return programme.axes.order_by("order").first()  # type: ignore[return-value]


@pytest.fixture
def commitment(programme: Programme, focal_point: User, axis: Axis) -> Commitment:
    return core.commitment_create(
        programme=programme,
        actor=focal_point,
        data={
            "axis": axis.pk,
            "title_ar": "نشر المعطيات المفتوحة",
            "title_fr": "Publier les données ouvertes",
            "problem_ar": "صعوبة الولوج إلى المعلومات",
            "value_access": True,
            "lead_unit": "مصلحة التواصل",
        },
    )


@pytest.fixture
def make_item(collectivity_a: Collectivity) -> MakeItem:
    """A held session of A and one decided agenda item (adopted by default)."""

    def make(
        result: str = ItemResult.ADOPTED, *, title: str = "المصادقة على برنامج الانفتاح"
    ) -> AgendaItem:
        term = Term.objects.filter(collectivity=collectivity_a).first() or Term.objects.create(
            collectivity=collectivity_a,
            name_ar="الولاية 2021-2027",
            name_fr="Mandat 2021-2027",
            start_date=dt.date(2021, 9, 20),
        )
        held = timezone.now() - dt.timedelta(days=2)
        session = Session.objects.create(
            collectivity=collectivity_a,
            term=term,
            kind=SessionKind.ORDINARY,
            status=SessionStatus.HELD,
            reference=f"SES-{held.year}-{Session.objects.count() + 1}",
            title_ar="دورة أكتوبر",
            title_fr="Session d'octobre",
            starts_at=held,
            held_on=timezone.localdate(held),
            quorum_met=True,
            agenda_published_at=held - dt.timedelta(days=12),
        )
        return AgendaItem.objects.create(
            session=session,
            number=1,
            title_ar=title,
            title_fr="Adoption du programme d'ouverture",
            result=result,
            votes_for=20 if result == ItemResult.ADOPTED else 5,
            votes_against=2 if result == ItemResult.ADOPTED else 17,
            decision_number="12/2026",
            decision_ar="صادق المجلس على برنامج الانفتاح",
            decided_at=held,
        )

    return make


@pytest.fixture
def participant(db: None) -> Participant:
    return Participant.objects.create(
        email="participant@example.test",
        display_name="سعاد",
        verified_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
