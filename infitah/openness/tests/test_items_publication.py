"""The publication item: the catalogue's obligations, as the compliance page counts them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from django.core.files.base import ContentFile

from infitah.accounts.models import User
from infitah.lib.tests import files
from infitah.openness.items import compute_publication
from infitah.publication.models import Category
from infitah.publication.selectors import compliance_get
from infitah.publication.services import document_publish
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db


def _world(make: Make, a: Collectivity) -> None:
    # 10 (published, no age limit) + 3 (complete)
    make.document(a, "council.composition", date=TODAY - dt.timedelta(days=900), is_complete=True)
    # out of date (150 days): 0, + 3 for its open format
    make.document(a, "council.sessions", date=TODAY - dt.timedelta(days=200), file_type="csv")
    # the latest of two counts: 10, nothing for the older complete CSV
    make.document(
        a,
        "budget.current",
        date=TODAY - dt.timedelta(days=300),
        file_type="csv",
        is_complete=True,
    )
    make.document(a, "budget.current", date=TODAY - dt.timedelta(days=10))
    # judged by the end of the period covered: current (425 days)
    make.document(
        a,
        "statistics",
        date=TODAY - dt.timedelta(days=500),
        period_end=TODAY - dt.timedelta(days=100),
    )
    # withdrawn or superseded documents do not count
    make.document(
        a, "regulations", date=TODAY - dt.timedelta(days=5), status=DocumentStatus.WITHDRAWN
    )


def test_hand_computed_points(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity, region: Collectivity
) -> None:
    _world(make, collectivity_a)
    results = compute_publication(
        collectivity_ids=[collectivity_a.pk, collectivity_b.pk, region.pk], today=TODAY
    )
    commune_categories = len(
        [c for c in Category.objects.for_kind("commune") if c.counts_in_compliance]
    )
    a = results[collectivity_a.pk]
    assert a.evidence["points"] == 13 + 3 + 10 + 10
    assert a.evidence["max_points"] == 16 * commune_categories
    assert a.fraction == round(36 / (16 * commune_categories), 4)
    assert (
        a.evidence["published"],
        a.evidence["current"],
        a.evidence["complete"],
        a.evidence["open"],
    ) == (4, 3, 1, 1)
    assert a.evidence["out_of_date"] == ["council.sessions"]
    assert "regulations" in a.evidence["missing"]
    assert len(a.evidence["missing"]) == commune_categories - 4
    assert a.advice == [
        "publication.publish_missing",
        "publication.update_out_of_date",
        "publication.declare_complete",
        "publication.use_open_formats",
    ]
    b = results[collectivity_b.pk]
    assert (b.fraction, b.evidence["records"]) == (0.0, 0)
    # A region has its own list of categories (no urban planning): all missing.
    assert results[region.pk].evidence["categories"] == len(
        [c for c in Category.objects.for_kind("region") if c.counts_in_compliance]
    )
    assert results[region.pk].fraction == 0.0


def test_no_applicable_category_is_not_measured(make: Make, collectivity_a: Collectivity) -> None:
    Category.objects.update(is_active=False)
    result = compute_publication(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert result[collectivity_a.pk].fraction is None


@pytest.mark.parametrize("today", [TODAY, TODAY + dt.timedelta(days=400)])
def test_grouped_equals_the_compliance_page(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    prefecture: Collectivity,
    today: dt.date,
) -> None:
    _world(make, collectivity_a)
    make.document(collectivity_b, "procurement", date=TODAY - dt.timedelta(days=3), file_type="ods")
    make.document(prefecture, "communiques", date=TODAY, is_complete=True)
    results = compute_publication(collectivity_ids=None, today=today)
    for collectivity in (collectivity_a, collectivity_b, prefecture):
        page = compliance_get(collectivity=collectivity, today=today)
        evidence = results[collectivity.pk].evidence
        assert evidence["points"] == page.points
        assert evidence["max_points"] == page.max_points
        assert evidence["published"] == page.published
        assert len(evidence["missing"]) == page.missing
        assert len(evidence["out_of_date"]) == page.out_of_date


def test_a_document_published_through_the_service_counts(
    settings: Any, collectivity_a: Collectivity, staff_a: User
) -> None:
    with time_machine.travel(at(TODAY), tick=False):
        document_publish(
            collectivity=collectivity_a,
            actor=staff_a,
            category=Category.objects.get(code="communiques"),
            title_ar="بلاغ",
            title_fr="Communiqué",
            date=TODAY,
            language="ar",
            upload=ContentFile(files.pdf_with_text(), name="communique.pdf"),
            is_complete=True,
        )
    result = compute_publication(collectivity_ids=[collectivity_a.pk], today=TODAY)
    evidence = result[collectivity_a.pk].evidence
    assert (evidence["published"], evidence["points"]) == (1, 13)
    assert "communiques" not in evidence["missing"]


def test_queries_do_not_grow_with_the_collectivities(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    _world(make, collectivity_a)
    _world(make, collectivity_b)
    with django_assert_num_queries(3):
        compute_publication(collectivity_ids=None, today=TODAY)
