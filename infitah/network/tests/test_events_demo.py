"""The demo events: the Saïdia gathering with its workshops and generated attendance,
the 2025 focal-point training followed by the demo focal points, an upcoming training;
idempotent, every row marked as demo."""

from __future__ import annotations

import time

import pytest

from django.test import Client

from infitah.accounts.models import Membership, Role, User
from infitah.network.demo_events import FOCAL_POINT_EMAILS, TRAINING_2025, events_demo
from infitah.network.event_selectors import event_rows, event_stats, events_of, trainings_followed
from infitah.network.models import AttendeeRole, EventKind, EventStatus, Registration
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(collectivity_a: Collectivity, region: Collectivity) -> Collectivity:
    """Aït Melloul (A, under the demo slug) and a region as members, and the demo
    focal-point accounts."""
    collectivity_a.slug = "ait-melloul"
    collectivity_a.save()
    region.is_network_member = True
    region.save()
    for email in FOCAL_POINT_EMAILS:
        user = User.objects.create_user(email=email, password="x-demo-123", full_name=email)
        Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.FOCAL_POINT)
    return collectivity_a


def test_the_demo_loads_quickly_and_once(demo_world: Collectivity) -> None:
    lines: list[str] = []
    started = time.monotonic()
    events_demo(lines.append)
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    counts = (event_rows().count(), Registration.objects.count())
    events_demo(lines.append)
    assert (event_rows().count(), Registration.objects.count()) == counts
    assert not event_rows().filter(is_demo=False).exists()
    assert not Registration.objects.filter(is_demo=False).exists()


def test_the_saidia_gathering(demo_world: Collectivity) -> None:
    events_demo(lambda line: None)
    gathering = event_rows().get(kind=EventKind.GATHERING)
    assert gathering.status == EventStatus.PUBLISHED
    assert gathering.place_fr == "Saïdia"
    assert (gathering.starts_at.date().isoformat(), gathering.ends_at.date().isoformat()) == (
        "2024-11-12",
        "2024-11-13",
    )
    workshops = list(gathering.children.all())
    assert len(workshops) == 4
    assert all(w.title_ar and w.title_fr for w in workshops)
    assert gathering.report_published_at is not None and "126" in gathering.report_ar
    stats = event_stats(event=gathering)
    assert stats.attended == 350
    assert 0.28 <= (stats.women_share_attended or 0) <= 0.38
    roles = {t.key: t.attended for t in stats.by_role}
    assert roles[AttendeeRole.PARTNER] > 0 and roles[AttendeeRole.ELECTED] > 0
    ait = Registration.objects.filter(event=gathering, collectivity=demo_world, attended=True)
    named = ait.filter(email=FOCAL_POINT_EMAILS[0]) | ait.filter(email__startswith="am-")
    assert named.count() == 3
    assert named.get(email=FOCAL_POINT_EMAILS[0]).user is not None
    assert gathering in events_of(demo_world)
    html = Client().get(f"/ar/network/events/{gathering.pk}/").content.decode()
    assert workshops[0].title_ar in html
    assert "Demo participant" not in html and "demo.infitah.ma" not in html


def test_the_focal_points_followed_the_2025_training(demo_world: Collectivity) -> None:
    events_demo(lambda line: None)
    training = event_rows().get(title_fr=TRAINING_2025["title_fr"])
    for email in FOCAL_POINT_EMAILS:
        user = User.objects.get(email=email)
        assert training.pk in {r.event_id for r in trainings_followed(user)}
        assert Registration.objects.get(event=training, email=email).user == user


def test_an_upcoming_training_is_open(demo_world: Collectivity) -> None:
    events_demo(lambda line: None)
    upcoming = event_rows().get(starts_at__year=2027)
    response = Client().get(f"/fr/network/events/{upcoming.pk}/")
    assert response.context["form"] is not None


def test_the_demo_runs_with_no_member_and_no_account(db: None) -> None:
    events_demo(lambda line: None)
    gathering = event_rows().get(kind=EventKind.GATHERING)
    assert Registration.objects.filter(event=gathering, collectivity__isnull=True).count() > 300
