"""The opening programme demo (`infitah.openplan.demo.openplan_demo`): the three stories
the issue names are there, through the services where a service exists, a second run
creates nothing, and the public pages and the API show them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from django.test import Client
from django.utils.html import escape

from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import RegisterEntry
from infitah.openplan.demo import BMK_SLUG, COMMUNE_SLUG, DRAA_SLUG, openplan_demo
from infitah.openplan.models import (
    Assessment,
    BodyMember,
    Candidacy,
    Commitment,
    Evidence,
    IndicatorValue,
    Milestone,
    Programme,
    Proposal,
    ProposalSupport,
    Version,
    Workshop,
)
from infitah.openplan.workflow import AssessmentSource, Kind, ProposalKind, Status
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

pytestmark = pytest.mark.django_db

MODELS = (
    Programme,
    Commitment,
    Milestone,
    Proposal,
    ProposalSupport,
    Workshop,
    BodyMember,
    Evidence,
    IndicatorValue,
    Assessment,
    Version,
    Candidacy,
    RegisterEntry,
    Deadline,
)


@pytest.fixture
def places(db: None) -> dict[str, Collectivity]:
    def region(slug: str, ar: str, fr: str) -> Collectivity:
        return Collectivity.objects.create(
            kind=CollectivityKind.REGION, slug=slug, name_ar=ar, name_fr=fr, is_network_member=True
        )

    souss = region("souss-massa", "سوس ماسة", "Souss-Massa")
    commune = Collectivity.objects.create(
        kind=CollectivityKind.COMMUNE,
        slug=COMMUNE_SLUG,
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=souss,
        region=souss,
        is_network_member=True,
    )
    return {
        DRAA_SLUG: region(DRAA_SLUG, "درعة تافيلالت", "Drâa-Tafilalet"),
        BMK_SLUG: region(BMK_SLUG, "بني ملال خنيفرة", "Béni Mellal-Khénifra"),
        COMMUNE_SLUG: commune,
    }


def _run(places: dict[str, Collectivity]) -> list[str]:
    lines: list[str] = []
    finder: Callable[[str], Collectivity | None] = places.get
    openplan_demo(finder, lines.append)
    return lines


def test_a_second_run_creates_nothing(places: dict[str, Collectivity]) -> None:
    _run(places)
    first = [model.objects.count() for model in MODELS]  # type: ignore[attr-defined]
    lines = _run(places)
    assert [model.objects.count() for model in MODELS] == first  # type: ignore[attr-defined]
    assert len(lines) == 3


def test_draa_tafilalet_is_in_co_creation_on_four_axes(places: dict[str, Collectivity]) -> None:
    _run(places)
    programme = Programme.objects.get(collectivity=places[DRAA_SLUG])
    assert programme.status == Status.DRAFTING and programme.kind == Kind.REMACTO
    assert programme.axes.count() == 4
    proposals = Proposal.objects.filter(programme=programme)
    for axis in programme.axes.all():
        kinds = set(proposals.filter(axis=axis).values_list("kind", flat=True))
        assert kinds == {ProposalKind.PROBLEM, ProposalKind.SOLUTION}
    assert proposals.filter(participant__isnull=False).exists()
    assert proposals.filter(recorded_by__isnull=False).exists()
    assert proposals.filter(duplicate_of__isnull=False).count() == 1
    [online] = programme.workshops.filter(opens_at__isnull=False)
    assert online.is_open
    [draft] = programme.commitments.all()
    assert draft.proposals.count() == 3


def test_ait_melloul_implements_its_adopted_plan(places: dict[str, Collectivity]) -> None:
    _run(places)
    programme = Programme.objects.get(collectivity=places[COMMUNE_SLUG])
    assert programme.status == Status.ADOPTED
    [version] = programme.versions.all()
    assert version.agenda_item.decision_number == "2023/10/4"
    assert RegisterEntry.objects.filter(
        document_type="openplan.version", document_id=str(version.pk)
    ).exists()
    assert programme.commitments.count() == 3
    assert Decimal(0) < programme.progress < Decimal(100)
    first = programme.commitments.get(number=1)
    # Weights 3, 3, 2 and a missing one (the mean of the others, 8/3): 100, 100, 60, 50.
    assert first.progress == Decimal("80.00")
    assert first.proposals.filter(participant__isnull=False).exists()
    evidence = Evidence.objects.filter(milestone__commitment__programme=programme)
    assert evidence.filter(kind="link").exists()
    documents = evidence.exclude(kind="link")
    assert documents.exists()
    assert RegisterEntry.objects.filter(document_type="openplan.evidence").count() == (
        documents.count()
    )
    sources = {a.source: a.completion for a in first.assessments.all()}
    assert set(sources) == {AssessmentSource.COMMITTEE, AssessmentSource.INDEPENDENT}
    assert sources[AssessmentSource.COMMITTEE] != first.completion
    assert IndicatorValue.objects.filter(indicator__commitment=first).count() == 4
    # The reports keep the public page up to date: the update clock runs.
    assert programme.update_deadline is not None
    assert programme.update_deadline.status == DeadlineStatus.OPEN
    assert programme.body_members.filter(body="committee").count() == 5


def test_beni_mellal_khenifra_candidacy_and_action_plan(places: dict[str, Collectivity]) -> None:
    _run(places)
    programme = Programme.objects.get(collectivity=places[BMK_SLUG])
    assert programme.kind == Kind.OGP_LOCAL
    assert programme.status == Status.ADOPTED
    assert programme.versions.get().agenda_item.session.collectivity == places[BMK_SLUG]
    candidacy = Candidacy.objects.get(collectivity=places[BMK_SLUG])
    assert candidacy.programme == programme
    assert candidacy.submitted_on is not None and candidacy.accepted_on is not None
    assert candidacy.letters.filter(is_from_head=True).count() == 1
    assert programme.submitted_on is not None
    assert programme.inception_deadline is not None
    assert programme.inception_deadline.status == DeadlineStatus.MET
    assert programme.body_members.filter(body="forum").count() == 4


def test_the_public_pages_and_the_api_show_the_demo(places: dict[str, Collectivity]) -> None:
    _run(places)
    client = Client()
    for programme in Programme.objects.all():
        slug = programme.collectivity.slug
        for lang in ("ar", "fr"):
            assert client.get(f"/{lang}/c/{slug}/programmes/{programme.pk}/").status_code == 200
            assert (
                client.get(f"/{lang}/c/{slug}/programmes/{programme.pk}/forum/").status_code == 200
            )
            assert (
                client.get(f"/{lang}/c/{slug}/programmes/{programme.pk}/cocreation/").status_code
                == 200
            )
        answer = client.get(f"/api/v1/programmes/{programme.pk}")
        assert answer.status_code == 200
        assert answer.json()["reference"] == programme.reference
    commune = Programme.objects.get(collectivity=places[COMMUNE_SLUG])
    page = client.get(f"/ar/c/{COMMUNE_SLUG}/programmes/{commune.pk}/commitments/1/")
    assert page.status_code == 200
    network = client.get("/fr/programmes/")
    assert network.status_code == 200
    body = network.content.decode()
    for programme in Programme.objects.all():
        assert escape(programme.title_fr) in body
