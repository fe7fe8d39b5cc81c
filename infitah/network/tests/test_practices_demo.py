"""The demo practices: Aït Melloul's practice with its PDF and contact, two other
members' practices, the link to the Saïdia gathering's workshop, idempotence."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from django.utils import timezone

from infitah.accounts.models import Membership, Role
from infitah.ledger.models import Event as LedgerEvent
from infitah.network.demo_practices import practices_demo, saidia_workshop
from infitah.network.models import (
    Event,
    EventKind,
    EventStatus,
    Practice,
    PracticeDocument,
    PracticeStatus,
    Theme,
)
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def members() -> dict[str, Collectivity]:
    souss = Collectivity.objects.create(
        kind=Kind.REGION, slug="souss-massa", name_ar="سوس ماسة", name_fr="Souss-Massa"
    )
    prefecture = Collectivity.objects.create(
        kind=Kind.PREFECTURE,
        slug="inezgane",
        name_ar="إنزكان",
        name_fr="Inezgane",
        parent=souss,
        region=souss,
    )
    found = {
        "ait-melloul": Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug="ait-melloul",
            name_ar="أيت ملول",
            name_fr="Aït Melloul",
            parent=prefecture,
            region=souss,
            is_network_member=True,
        )
    }
    for slug, ar, fr in (
        ("beni-mellal-khenifra", "بني ملال خنيفرة", "Béni Mellal-Khénifra"),
        ("draa-tafilalet", "درعة تافيلالت", "Drâa-Tafilalet"),
    ):
        found[slug] = Collectivity.objects.create(
            kind=Kind.REGION, slug=slug, name_ar=ar, name_fr=fr, is_network_member=True
        )
    return found


def _gathering() -> Event:
    start = timezone.make_aware(dt.datetime(2024, 11, 12, 9))
    gathering = Event.objects.create(
        kind=EventKind.GATHERING,
        status=EventStatus.PUBLISHED,
        title_ar="ملتقى الشبكة بالسعيدية",
        title_fr="Rencontre du réseau à Saïdia",
        starts_at=start,
        ends_at=start + dt.timedelta(days=1, hours=8),
    )
    for title_ar, title_fr in (
        ("المشاركة المواطنة", "Participation citoyenne"),
        ("التواصل في خدمة انفتاح الجماعات الترابية", "La communication au service de l'ouverture"),
    ):
        Event.objects.create(
            parent=gathering,
            kind=EventKind.WORKSHOP,
            status=EventStatus.PUBLISHED,
            title_ar=title_ar,
            title_fr=title_fr,
            starts_at=start + dt.timedelta(hours=3),
            ends_at=start + dt.timedelta(hours=5),
        )
    return gathering


def test_the_demo_loads_three_published_practices(
    members: dict[str, Collectivity], media: Path
) -> None:
    lines: list[str] = []
    outcome = practices_demo(lines.append)
    assert outcome == {"created": 3, "kept": 0, "linked": 0, "skipped": 0}
    assert "practices demo: 3 created" in lines[-1] and lines[-1].endswith(" s")
    practices = Practice.objects.filter(is_demo=True, status=PracticeStatus.PUBLISHED)
    assert {p.theme for p in practices} == {
        Theme.ACCESS_TO_INFORMATION,
        Theme.PARTICIPATION,
        Theme.BUDGET,
    }
    ait = practices.get(collectivity=members["ait-melloul"])
    assert "النشر الاستباقي" in ait.title_ar and "publication proactive" in ait.title_fr
    assert "Saïdia" in ait.summary_fr and "السعيدية" in ait.summary_ar
    assert ait.contact_email == "focal-point@demo.infitah.ma"
    assert ait.event is None  # no gathering recorded yet
    # The contact is the collectivity's focal point, who acted (in the ledger).
    assert Membership.objects.filter(
        user__email="focal-point@demo.infitah.ma",
        collectivity=members["ait-melloul"],
        role=Role.FOCAL_POINT,
    ).exists()
    assert LedgerEvent.objects.filter(
        action="network.practice_publish", object_id=str(ait.pk), actor__email=ait.contact_email
    ).exists()
    [document] = PracticeDocument.objects.filter(practice=ait)
    data = (media / str(document.file.name)).read_bytes()
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Aït Melloul" in text and "Saïdia" in text


def test_the_demo_is_idempotent_and_links_the_gathering_once_it_exists(
    members: dict[str, Collectivity], media: Path
) -> None:
    practices_demo(lambda line: None)
    workshop = _gathering().children.get(title_fr__startswith="La communication")
    assert saidia_workshop() == workshop
    outcome = practices_demo(lambda line: None)
    assert outcome == {"created": 0, "kept": 2, "linked": 1, "skipped": 0}
    ait = Practice.objects.get(collectivity=members["ait-melloul"])
    assert ait.event == workshop
    assert practices_demo(lambda line: None) == {"created": 0, "kept": 3, "linked": 0, "skipped": 0}
    assert Practice.objects.count() == 3
    assert PracticeDocument.objects.count() == 1


def test_a_new_database_with_the_gathering_links_at_once(
    members: dict[str, Collectivity], media: Path
) -> None:
    workshop = _gathering().children.get(title_fr__startswith="La communication")
    practices_demo(lambda line: None)
    assert Practice.objects.get(collectivity=members["ait-melloul"]).event == workshop
    # The other practices were not presented there.
    assert Practice.objects.exclude(event=None).count() == 1


def test_collectivities_that_are_not_members_are_skipped(
    members: dict[str, Collectivity], media: Path
) -> None:
    Collectivity.objects.filter(slug="draa-tafilalet").update(is_network_member=False)
    lines: list[str] = []
    assert practices_demo(lines.append)["skipped"] == 1
    assert not Practice.objects.filter(collectivity__slug="draa-tafilalet").exists()
    assert any("draa-tafilalet" in line for line in lines)
