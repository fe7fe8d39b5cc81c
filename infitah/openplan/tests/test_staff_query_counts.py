"""The core staff pages cost the same number of SQL queries with 5 rows as with 100:
the home (programmes with their clocks), a programme's dashboard (commitments, axes,
phases) and a commitment's page (nested milestones, reports with evidence, indicators
with values, assessments).

The rows are written with `bulk_create` (the services are tested elsewhere); each page
is drawn once (warm-up), counted with `SMALL` rows, grown to `BIG` rows, counted again.
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

from infitah.accounts.models import User
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.openplan.models import (
    Assessment,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgressReport,
)
from infitah.openplan.workflow import AssessmentSource, Completion, EvidenceKind, Kind, PhaseKind

pytestmark = pytest.mark.django_db

SMALL = 5
BIG = 100
# Whatever the data, no page may cost more than this many queries.
CEILING = 25


def _counter(client: Client) -> Callable[[str], tuple[int, str]]:
    def count(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured), response.content.decode()

    return count


def _programmes(programme: Programme, upto: int) -> None:
    """Programmes of the same collectivity up to `upto`, each with its update clock."""
    have = Programme.objects.filter(collectivity=programme.collectivity).count()
    limit = LegalLimit.objects.get(code="openplan.update")
    today = timezone.localdate()
    made = Programme.objects.bulk_create(
        Programme(
            collectivity=programme.collectivity,
            kind=Kind.OGP_LOCAL if i % 2 else Kind.REMACTO,
            reference=f"PRG-2020-{i}",
            title_fr=f"Programme {i}",
            starts_on=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            ends_on=dt.date(2022, 1, 1),
            progress=Decimal(i % 100),
        )
        for i in range(have, upto)
    )
    deadlines = Deadline.objects.bulk_create(
        Deadline(
            collectivity=p.collectivity,
            limit=limit,
            start_date=today,
            due_date=today + dt.timedelta(days=120 - i),
            subject_type="openplan.programme",
            subject_id=str(p.pk),
            label=f"update {p.reference}",
            status=DeadlineStatus.OPEN,
        )
        for i, p in enumerate(made)
    )
    for p, d in zip(made, deadlines, strict=True):
        p.update_deadline = d
    Programme.objects.bulk_update(made, ["update_deadline"])


def _commitments(programme: Programme, upto: int) -> None:
    have = programme.commitments.count()
    axes = list(programme.axes.all())
    Commitment.objects.bulk_create(
        Commitment(
            programme=programme,
            number=i + 1,
            axis=axes[i % len(axes)],
            title_ar=f"التزام {i}",
            lead_unit="مصلحة",
            progress=Decimal(i % 100),
        )
        for i in range(have, upto)
    )
    made = list(programme.commitments.filter(milestones__isnull=True))
    Milestone.objects.bulk_create(Milestone(commitment=c, title_fr="Étape") for c in made)


def _commitment_rows(commitment: Commitment, upto: int, author: User) -> None:
    """Milestones (half of them under another), reports with a document and a link,
    indicators with two values, assessments of both sources, up to `upto` each."""
    have = commitment.milestones.count()
    today = timezone.localdate()
    tops = Milestone.objects.bulk_create(
        Milestone(
            commitment=commitment,
            order=i + 1,
            title_fr=f"Étape {i}",
            weight=Decimal(1 + i % 3),
            progress=Decimal(i % 101),
            ends_on=today - dt.timedelta(days=1) if i % 2 else None,
        )
        for i in range(have, have + (upto - have) // 2)
    )
    subs = Milestone.objects.bulk_create(
        Milestone(commitment=commitment, parent=tops[i % len(tops)], order=i, title_ar="فرعية")
        for i in range(upto - have - len(tops))
    )
    leaves = subs or tops
    have = commitment.reports.count()
    reports = ProgressReport.objects.bulk_create(
        ProgressReport(
            commitment=commitment,
            milestone=leaves[i % len(leaves)],
            progress=Decimal(50),
            note="تقدم",
            reported_by=author,
        )
        for i in range(upto - have)
    )
    Evidence.objects.bulk_create(
        [
            *(
                Evidence(
                    milestone=r.milestone,
                    report=r,
                    kind=EvidenceKind.DOCUMENT,
                    title="محضر.pdf",
                    file="openplan/x.pdf",
                    name="محضر.pdf",
                    content_type="application/pdf",
                    size=1234,
                    sha256="0" * 64,
                )
                for r in reports
            ),
            *(
                Evidence(
                    milestone=r.milestone,
                    report=r,
                    kind=EvidenceKind.LINK,
                    title="رابط",
                    url="https://example.ma",
                    name="",
                    content_type="",
                    size=0,
                    sha256="",
                )
                for r in reports
            ),
        ]
    )
    have = commitment.indicators.count()
    indicators = Indicator.objects.bulk_create(
        Indicator(commitment=commitment, order=i + 1, name_fr=f"I{i}", baseline=0, target=10)
        for i in range(have, upto)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, measured_on=today - dt.timedelta(days=d), value=d)
        for i in indicators
        for d in (1, 2)
    )
    have = commitment.assessments.count()
    Assessment.objects.bulk_create(
        Assessment(
            commitment=commitment,
            source=AssessmentSource.COMMITTEE if i % 2 else AssessmentSource.INDEPENDENT,
            assessed_on=today,
            completion=Completion.LIMITED,
            is_verifiable=bool(i % 2),
        )
        for i in range(upto - have)
    )


def test_the_home_costs_the_same_with_5_or_100_programmes(
    programme: Programme, focal_point: User
) -> None:
    client = Client()
    client.force_login(focal_point)
    count = _counter(client)
    url = "/ar/staff/commune-a/programmes/"
    _programmes(programme, SMALL)
    count(url)
    small, _html = count(url)
    _programmes(programme, BIG)
    big, html = count(url)
    assert small == big <= CEILING, (small, big)
    assert html.count('<li class="card') == BIG


@pytest.mark.parametrize("role", ["focal_point", "monitor"])
def test_the_dashboard_costs_the_same_with_5_or_100_commitments(
    role: str, programme: Programme, request: pytest.FixtureRequest
) -> None:
    for day, kind in enumerate(PhaseKind):
        Phase.objects.create(
            programme=programme,
            kind=kind,
            starts_on=dt.date(2026, 1, 1) + dt.timedelta(days=30 * day),
        )
    url = f"/fr/staff/commune-a/programmes/{programme.pk}/"
    client = Client()
    client.force_login(request.getfixturevalue(role))
    count = _counter(client)
    _commitments(programme, SMALL)
    count(url)
    small, _html = count(url)
    _commitments(programme, BIG)
    big, html = count(url)
    assert small == big <= CEILING, (small, big)
    assert html.count('<li class="card">') == BIG


@pytest.mark.parametrize("role", ["focal_point", "monitor"])
def test_the_commitment_page_costs_the_same_with_5_or_100_rows(
    role: str, commitment: Commitment, focal_point: User, request: pytest.FixtureRequest
) -> None:
    url = f"/ar/staff/commune-a/programmes/{commitment.programme_id}/commitments/{commitment.pk}/"
    client = Client()
    client.force_login(request.getfixturevalue(role))
    count = _counter(client)
    _commitment_rows(commitment, SMALL, focal_point)
    count(url)
    small, _html = count(url)
    _commitment_rows(commitment, BIG, focal_point)
    big, html = count(url)
    assert small == big <= CEILING, (small, big)
    assert html.count('id="milestone-') == BIG
    assert html.count('href="https://example.ma"') == BIG
    assert html.count("evidence/") == BIG
