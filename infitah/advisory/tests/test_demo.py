"""The advisory demo: the region's three bodies with members, one referral answered
"partly" and one awaiting its opinion; Aït Melloul's equity body with a meeting; twice
without duplicating anything."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import User
from infitah.advisory.demo import REGION_ADVISORY, REGION_COUNCIL, advisory_demo
from infitah.advisory.models import Body, BodyKind, BodyMeeting, BodyMember, BodyRole, Referral
from infitah.advisory.tests.helpers import snapshot
from infitah.advisory.workflow import Answer, Origin, Status
from infitah.deadlines.models import DeadlineStatus
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db: None) -> dict[str, Collectivity]:
    region = Collectivity.objects.create(
        kind=Kind.REGION,
        slug="beni-mellal-khenifra",
        name_ar="بني ملال خنيفرة",
        name_fr="Béni Mellal-Khénifra",
        is_network_member=True,
    )
    souss = Collectivity.objects.create(
        kind=Kind.REGION, slug="souss-massa", name_ar="سوس ماسة", name_fr="Souss-Massa"
    )
    prefecture = Collectivity.objects.create(
        kind=Kind.PREFECTURE,
        slug="inezgane-ait-melloul",
        name_ar="إنزكان أيت ملول",
        name_fr="Inezgane-Aït Melloul",
        parent=souss,
        region=souss,
    )
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="ait-melloul",
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=prefecture,
        region=souss,
        is_network_member=True,
    )
    return {"region": region, "commune": commune}


def _by_slug(slug: str) -> Collectivity | None:
    return Collectivity.objects.filter(slug=slug).first()


def test_the_demo_runs_twice_without_duplicating(places: dict[str, Collectivity]) -> None:
    lines: list[str] = []
    advisory_demo(_by_slug, lines.append)
    first = snapshot()
    advisory_demo(_by_slug, lines.append)
    assert snapshot() == first
    assert any("beni-mellal-khenifra" in line for line in lines)

    region, commune = places["region"], places["commune"]
    bodies = {b.kind: b for b in Body.objects.filter(collectivity=region)}
    assert set(bodies) == {BodyKind.EQUITY, BodyKind.YOUTH, BodyKind.ECONOMIC}
    for body in bodies.values():
        members = BodyMember.objects.filter(body=body)
        assert members.count() >= 5
        assert members.filter(role=BodyRole.PRESIDENT).count() == 1
        assert all(m.name_ar and m.name_fr and m.organisation for m in members)
    answered = Referral.objects.get(body=bodies[BodyKind.EQUITY])
    assert answered.status == Status.ANSWERED and answered.answer == Answer.PARTLY
    assert answered.answer_reasons_ar and answered.answer_reasons_fr
    assert answered.opinion_deadline.status == DeadlineStatus.MET
    assert answered.answer_deadline.status == DeadlineStatus.MET
    pending = Referral.objects.get(body=bodies[BodyKind.YOUTH])
    assert pending.status == Status.REFERRED and pending.origin == Origin.PRESIDENT
    assert pending.opinion_deadline.is_open

    equity = Body.objects.get(collectivity=commune)
    assert equity.kind == BodyKind.EQUITY and equity.members.count() == 5
    meeting = BodyMeeting.objects.get(body=equity)
    assert meeting.minutes

    for email in (REGION_ADVISORY, REGION_COUNCIL):
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    # The demo reads well on its pages.
    for url in (
        "/ar/c/beni-mellal-khenifra/advisory/",
        f"/fr/c/beni-mellal-khenifra/advisory/bodies/{bodies[BodyKind.EQUITY].pk}/",
        f"/ar/c/beni-mellal-khenifra/advisory/referrals/{answered.pk}/",
        f"/fr/c/ait-melloul/advisory/bodies/{equity.pk}/",
    ):
        assert Client().get(url).status_code == 200, url


def test_the_demo_skips_what_is_missing(db: None) -> None:
    lines: list[str] = []
    advisory_demo(_by_slug, lines.append)
    assert not Body.objects.exists() and len(lines) == 2


def test_the_demo_is_refused_in_production(settings, places: dict[str, Collectivity]) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(RuntimeError):
        advisory_demo(_by_slug, print)
    assert not Body.objects.exists()
