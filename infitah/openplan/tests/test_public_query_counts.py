"""The programme's public pages cost the same number of SQL queries with 5 rows as with
100: a collectivity's programmes, a programme (commitments, versions, documents), a
commitment (milestones, evidence, indicator values, reports, assessments, proposals) and
the network's page (programmes of many collectivities).

Rows are written with `bulk_create` (the services are tested elsewhere). Each page is
drawn once first (warm-up), then counted in the small world and in the big one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.openplan.models import (
    Assessment,
    Axis,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgrammeDocument,
    ProgressReport,
    Proposal,
    Version,
)
from infitah.openplan.tests.conftest import MakeItem
from infitah.openplan.workflow import (
    AssessmentSource,
    Completion,
    EvidenceKind,
    Kind,
    PhaseKind,
    ProposalKind,
    Status,
)
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

pytestmark = pytest.mark.django_db

SMALL, BIG = 5, 100
# Whatever the data, no page may cost more than this many queries.
CEILING = 15


def count(path: str) -> tuple[int, str]:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), response.content.decode()


def programme_of(collectivity: Collectivity, title: str, n: int, start: int = 2027) -> Programme:
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=Kind.REMACTO,
        status=Status.ADOPTED,
        title_ar=title,
        title_fr=title,
        starts_on=dt.date(start, 1, 1),
        ends_on=dt.date(start + 1, 12, 31),
        independent_monitor="هيئة",
    )
    today = timezone.localdate()
    Phase.objects.bulk_create(
        Phase(programme=programme, kind=kind, starts_on=today - dt.timedelta(days=10 * (7 - i)))
        for i, kind in enumerate(PhaseKind.values)
    )
    axes = Axis.objects.bulk_create(
        Axis(programme=programme, order=k, title_ar=f"محور {k}") for k in (1, 2, 3)
    )
    Commitment.objects.bulk_create(
        Commitment(
            programme=programme,
            number=k,
            axis=axes[k % 4] if k % 4 < 3 else None,
            title_ar=f"التزام {k}",
            progress=Decimal(k % 101),
            value_access=k % 2 == 0,
        )
        for k in range(1, n + 1)
    )
    return programme


def pad_programme(programme: Programme, n: int, make_item: MakeItem) -> None:
    """n adopted versions and n documents."""
    item = make_item()
    Version.objects.bulk_create(
        Version(
            programme=programme,
            number=k,
            agenda_item=item,
            adopted_on=dt.date(2027, 1, 1),
            file=f"openplan/1/v{k}.json",
            name=f"v{k}.json",
            content_type="application/json",
            size=10,
            sha256="0" * 64,
        )
        for k in range(1, n + 1)
    )
    ProgrammeDocument.objects.bulk_create(
        ProgrammeDocument(
            programme=programme,
            kind="other",
            title=f"وثيقة {k}",
            dated=dt.date(2027, 1, 1),
            file=f"openplan/1/d{k}.pdf",
            name=f"d{k}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
        for k in range(n)
    )


def pad_commitment(commitment: Commitment, n: int, participant: Participant) -> None:
    """n milestones (every other one under the first), n evidence rows, three
    indicators of n values, n reports, n assessments, n proposals."""
    first = Milestone.objects.create(commitment=commitment, order=0, title_ar="الأولى")
    milestones = Milestone.objects.bulk_create(
        Milestone(
            commitment=commitment,
            parent=first if k % 2 else None,
            order=k,
            title_ar=f"مرحلة {k}",
            progress=Decimal(k % 101),
            weight=Decimal(k % 3 + 1),
            ends_on=dt.date(2020, 1, 1) if k % 5 == 0 else None,
            is_cancelled=k % 7 == 0,
        )
        for k in range(1, n)
    )
    Evidence.objects.bulk_create(
        Evidence(
            milestone=milestones[k % len(milestones)],
            kind=EvidenceKind.LINK if k % 3 == 0 else EvidenceKind.DOCUMENT,
            title=f"دليل {k}",
            url="https://example.test/e" if k % 3 == 0 else "",
            file="" if k % 3 == 0 else f"openplan/1/e{k}.pdf",
            name="" if k % 3 == 0 else f"e{k}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
        for k in range(n)
    )
    for order in (1, 2, 3):
        indicator = Indicator.objects.create(
            commitment=commitment,
            order=order,
            name_ar=f"مؤشر {order}",
            unit="%",
            baseline=Decimal(order),
            target=Decimal(100),
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=indicator,
                measured_on=dt.date(2027, 1, 1) + dt.timedelta(days=k),
                value=Decimal(k),
                source_url="https://example.test/s",
            )
            for k in range(n)
        )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            commitment=commitment,
            milestone=milestones[k % len(milestones)],
            progress=Decimal(k % 101),
            note=f"تقرير {k}",
        )
        for k in range(n)
    )
    Assessment.objects.bulk_create(
        Assessment(
            commitment=commitment,
            source=AssessmentSource.COMMITTEE if k % 2 else AssessmentSource.INDEPENDENT,
            assessed_on=dt.date(2027, 1, 1) + dt.timedelta(days=k),
            completion=Completion.LIMITED,
        )
        for k in range(n)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            programme=commitment.programme,
            kind=ProposalKind.SOLUTION,
            text=f"اقتراح {k}",
            participant=participant,
        )
        for k in range(n)
    )
    commitment.proposals.add(*proposals)


def network_commune(parent: Collectivity, slug: str) -> Collectivity:
    return Collectivity.objects.create(
        kind=CollectivityKind.COMMUNE,
        slug=slug,
        name_ar=slug,
        name_fr=slug,
        parent=parent,
        region=parent.region,
        is_network_member=True,
    )


Builder = Callable[[int], str]


@pytest.fixture
def worlds(
    collectivity_a: Collectivity,
    prefecture: Collectivity,
    make_item: MakeItem,
    participant: Participant,
) -> dict[str, Builder]:
    """Builders of each page's world with n rows; each returns the page's path."""

    def programme_page(n: int) -> str:
        place = network_commune(prefecture, f"prog-{n}")
        programme = programme_of(place, f"برنامج {n}", n)
        pad_programme(programme, n, make_item)
        return f"/ar/c/{place.slug}/programmes/{programme.pk}/"

    def commitment_page(n: int) -> str:
        place = network_commune(prefecture, f"comm-{n}")
        programme = programme_of(place, f"برنامج {n}", 3)
        commitment = Commitment.objects.get(programme=programme, number=1)
        pad_commitment(commitment, n, participant)
        return f"/fr/c/{place.slug}/programmes/{programme.pk}/commitments/1/"

    def home_page(n: int) -> str:
        place = network_commune(prefecture, f"home-{n}")
        for k in range(n):
            programme_of(place, f"برنامج {k}", 3, start=2000 + k)
        return f"/ar/c/{place.slug}/programmes/"

    def network_page(n: int) -> str:
        for k in range(n):
            place = network_commune(prefecture, f"net-{n}-{k}")
            programme_of(place, f"برنامج {k}", k % 7)
        return "/fr/programmes/?kind=remacto"

    return {
        "programme": programme_page,
        "commitment": commitment_page,
        "home": home_page,
        "network": network_page,
    }


@pytest.mark.parametrize("name", ["programme", "commitment", "home", "network"])
def test_queries_do_not_grow_with_rows(worlds: dict[str, Builder], name: str) -> None:
    small = worlds[name](SMALL)
    count(small)  # warm-up
    small_count, _body = count(small)
    big = worlds[name](BIG)
    big_count, body = count(big)
    assert small_count == big_count, (name, small_count, big_count)
    assert big_count <= CEILING
    if name == "programme":
        assert body.count("/commitments/") >= BIG
    if name == "commitment":
        assert body.count("<circle") == 3 * BIG
        assert body.count('id="milestone-') == BIG
    if name in {"home", "network"}:
        # Paged: the first page and a pager.
        assert 'rel="next"' in body
