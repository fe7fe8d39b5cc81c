"""The membership demo on the whole tree: the composition of November 2024, marked as
demo, idempotent, with a pending and a rejected application; and the data migration that
records the members flagged before the network app."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from django.apps import apps as django_apps

from infitah.ledger.models import Event
from infitah.lib.minimal_pdf import minimal_pdf
from infitah.network import membership_selectors as selectors
from infitah.network.demo_members import AIT_MELLOUL_CODE, members_demo
from infitah.network.models import (
    Application,
    ApplicationStatus,
    Charter,
    Member,
    MemberChange,
)
from infitah.network.tests import test_membership_world as world
from infitah.territories.hcp import hcp_load
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return world.media_use(settings, tmp_path)


def test_demo_pdf_is_a_pdf() -> None:
    pdf = minimal_pdf(["Deliberation (demo)"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert b"startxref" in pdf


def test_members_demo_builds_the_2024_composition(media: Path) -> None:
    hcp_load()
    home = Collectivity.objects.get(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE)
    Collectivity.objects.filter(pk=home.pk).update(
        is_network_member=True, joined_network_on=dt.date(2022, 10, 21)
    )
    lines: list[str] = []
    members_demo(lines.append)
    kinds = Counter(
        "provincial" if k in (Kind.PREFECTURE, Kind.PROVINCE) else k
        for k in Collectivity.objects.territorial().network_members().values_list("kind", flat=True)
    )
    assert kinds == {Kind.REGION: 12, "provincial": 7, Kind.COMMUNE: 107}
    assert Member.objects.count() == 126 and not Member.objects.filter(is_demo=False).exists()
    assert MemberChange.objects.filter(kind="joined", is_demo=True).count() == 126
    assert Event.objects.filter(action="network.member.joined", process="demo").count() == 126
    # Every region has members; the demo commune and its prefecture are among them.
    by_region = Counter(r.region.pk for r in selectors.member_rows() if r.region)
    assert len(by_region) == 12
    home.refresh_from_db()
    assert home.is_network_member and home.joined_network_on == dt.date(2022, 10, 21)
    assert Member.objects.get(collectivity=home).focal_point_public_email.startswith("focal-point@")
    assert Collectivity.objects.get(pk=home.parent_id or 0).is_network_member
    # 66 members through 2023 (12, 4, 50), 126 at the end of 2024, all before 12 Nov.
    points = {p.on: p for p in selectors.composition(today=dt.date(2025, 1, 10))}
    end_2023 = points[dt.date(2023, 12, 31)]
    assert (end_2023.regions, end_2023.provincial, end_2023.communes) == (12, 4, 50)
    assert points[dt.date(2024, 12, 31)].total == 126
    latest = Member.objects.order_by("-joined_on").first()
    assert latest is not None and latest.joined_on < dt.date(2024, 11, 12)
    # The charter and the applications.
    assert Charter.objects.get().version == 1
    pending = Application.objects.get(status=ApplicationStatus.PENDING)
    assert pending.is_demo and not pending.collectivity.is_network_member
    assert (media / str(pending.deliberation.name)).read_bytes().startswith(b"%PDF-")
    assert Application.objects.get(status=ApplicationStatus.REJECTED).decision_note
    assert "126 members" in lines[0]

    # A second run changes nothing.
    counts = (Member.objects.count(), MemberChange.objects.count(), Event.objects.count())
    members_demo(lines.append)
    assert (Member.objects.count(), MemberChange.objects.count(), Event.objects.count()) == counts
    assert Application.objects.count() == 2 and Charter.objects.count() == 1


def _migration() -> Any:
    return import_module("infitah.network.migrations.0002_members_from_flags")


def test_the_data_migration_records_flagged_collectivities(
    collectivity_a: Collectivity, collectivity_b: Collectivity, region: Collectivity
) -> None:
    Collectivity.objects.filter(pk=region.pk).update(
        is_network_member=True, joined_network_on=dt.date(2023, 4, 1)
    )
    migration = _migration()
    migration.forwards(django_apps, None)
    members = dict(Member.objects.values_list("collectivity__slug", "joined_on"))
    # Commune A has no date: the network's creation.
    assert members == {"commune-a": dt.date(2022, 10, 21), region.slug: dt.date(2023, 4, 1)}
    changes = list(MemberChange.objects.values_list("collectivity__slug", "kind", "on"))
    assert sorted(changes) == sorted(
        [
            ("commune-a", "joined", dt.date(2022, 10, 21)),
            (region.slug, "joined", dt.date(2023, 4, 1)),
        ]
    )
    assert not Member.objects.filter(collectivity=collectivity_b).exists()
    # Idempotent, and reversible.
    migration.forwards(django_apps, None)
    assert Member.objects.count() == 2 and MemberChange.objects.count() == 2
    migration.backwards(django_apps, None)
    assert not Member.objects.exists() and not MemberChange.objects.exists()
