"""`network_participation_demo`: a closed consultation of the members on the charter,
spoken for by the demo staff accounts, and an open survey of all members' citizens
answered from several regions; a second run changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from django.test import Client

from infitah.accounts.models import Membership, NetworkRole, Role, User
from infitah.ledger.models import Event
from infitah.participation.consultations.models import Comment, Consultation, Stance
from infitah.participation.consultations.selectors import consultation_breakdown
from infitah.participation.consultations.workflow import Phase
from infitah.participation.models import Audience, Participant
from infitah.participation.network_demo import CHARTER_COMMENTS, MEMBERS, network_participation_demo
from infitah.participation.surveys.models import Response, Survey
from infitah.participation.surveys.selectors import survey_breakdown
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_staff(
    world: None, collectivity_a: Collectivity, region_2: Collectivity, commune_c: Collectivity
) -> None:
    """The demo accounts the demo speaks through: the focal point of A (as Aït Melloul),
    focal point and information officer of region 2 (as Béni Mellal-Khénifra) and a
    focal point of a third member region (as Drâa-Tafilalet), and the network admin."""
    region_3 = Collectivity.objects.create(
        kind=Kind.REGION, slug="region-3", name_ar="ج3", name_fr="Région 3", is_network_member=True
    )
    places = [collectivity_a, region_3, region_2, region_2]
    for (email, _name, _gender), place in zip(MEMBERS, places, strict=True):
        user = User.objects.create_user(email=email, password="demo-pass-123")
        Membership.objects.create(user=user, collectivity=place, role=Role.FOCAL_POINT)
    User.objects.create_user(
        email="network-admin@demo.infitah.ma",
        password="demo-pass-123",
        network_role=NetworkRole.NETWORK_ADMIN,
    )


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Consultation.objects.order_by("pk").values_list("pk", "closes_at")),
        Comment.objects.count(),
        Stance.objects.count(),
        Response.objects.count(),
        Participant.objects.count(),
        Event.objects.count(),
    )


def test_the_demo_makes_the_charter_consultation_and_the_survey_once(
    demo_staff: None, region: Collectivity, region_2: Collectivity, client: Client
) -> None:
    charter, survey = network_participation_demo(log=lambda _m: None)
    assert isinstance(charter, Consultation) and isinstance(survey, Survey)
    assert charter.collectivity.kind == Kind.NETWORK
    assert charter.audience == Audience.NETWORK_MEMBERS
    assert charter.phase() == Phase.CLOSED and charter.is_synthesis_published
    assert Comment.objects.filter(consultation=charter).count() == len(CHARTER_COMMENTS)
    found = consultation_breakdown(consultation=charter)
    assert found is not None and found.participants == 4
    assert {r.key for r in found.by_region} == {region.slug, region_2.slug, "region-3"}
    assert {r.key: r.participants for r in found.by_kind} == {"commune": 1, "region": 3}

    assert survey.audience == Audience.NETWORK_CITIZENS and survey.is_open()
    responses = Response.objects.filter(survey=survey).count()
    assert responses >= 3
    answered = survey_breakdown(survey=survey)
    assert answered is not None
    assert {r.key for r in answered.by_region} >= {region.slug, region_2.slug, ""}

    before = _snapshot()
    assert network_participation_demo(log=lambda _m: None) == [charter, survey]
    assert _snapshot() == before

    page = client.get(f"/ar/c/network/consultations/{charter.pk}/")
    assert page.status_code == 200 and b'id="breakdown-region"' in page.content
    results = client.get(f"/fr/c/network/surveys/{survey.pk}/results/")
    assert results.status_code == 200 and b'id="breakdown-kind"' in results.content
    listing = client.get("/fr/network/participation/").content.decode()
    assert f"consultation-{charter.pk}" in listing and f"survey-{survey.pk}" in listing


def test_a_missing_staff_account_is_left_out(
    world: None, collectivity_a: Collectivity, network_admin: User
) -> None:
    """Without the demo staff accounts, nobody speaks for a member: no comment, and the
    consultation still closes with its synthesis."""
    messages: list[str] = []
    charter, survey = network_participation_demo(log=messages.append)
    assert isinstance(charter, Consultation)
    assert not Comment.objects.exists()
    assert sum("left out" in m for m in messages) == len(MEMBERS)
    assert isinstance(survey, Survey) and Response.objects.filter(survey=survey).exists()


def test_without_a_network_admin_the_demo_does_nothing(db: None) -> None:
    messages: list[str] = []
    assert network_participation_demo(log=messages.append) == []
    assert not Consultation.objects.exists() and messages
