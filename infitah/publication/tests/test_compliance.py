"""The compliance page and its SMIIG-DATA-like score, on a small catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from django.test import Client

from infitah.lib.tests import files
from infitah.publication.models import Category
from infitah.publication.selectors import compliance_get

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def small_catalogue(db) -> dict[str, Category]:
    """Three categories for communes (one yearly), one for regions only."""
    Category.objects.update(is_active=False)
    make = Category.objects.create
    return {
        "composition": make(
            code="t.composition",
            name_ar="أ",
            name_fr="Composition",
            applies_to=["commune"],
            max_age_days=None,
            order=1,
        ),
        "budget": make(
            code="t.budget",
            name_ar="ب",
            name_fr="Budget",
            applies_to=["commune"],
            frequency="yearly",
            max_age_days=365,
            order=2,
        ),
        "stats": make(
            code="t.stats",
            name_ar="ج",
            name_fr="Statistiques",
            applies_to=["commune", "region"],
            order=3,
        ),
        "regional": make(
            code="t.regional", name_ar="د", name_fr="Régional", applies_to=["region"], order=4
        ),
    }


def test_score_of_a_small_catalogue(publish, collectivity_a, small_catalogue) -> None:
    c = small_catalogue
    # Published, current, complete, open format: 16.
    publish(
        files.xlsx(["x"]),
        name="composition.xlsx",
        category=c["composition"],
        is_complete=True,
        date=dt.date(2020, 1, 1),
    )
    # Published but out of date (over 365 days), PDF, complete: 0 + 3 = 3.
    publish(
        files.pdf_with_text("old"),
        category=c["budget"],
        is_complete=True,
        date=dt.date(2024, 1, 1),
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
    )
    # Statistics missing: 0. The regional category does not apply.
    result = compliance_get(collectivity=collectivity_a, today=TODAY)
    states = {i.category.code: (i.state, i.points) for i in result.items}
    assert states == {
        "t.composition": ("current", 16),
        "t.budget": ("out_of_date", 3),
        "t.stats": ("missing", 0),
    }
    assert (result.points, result.max_points) == (19, 48)
    assert result.score == 40  # 19 / 48 = 39.6
    assert (result.published, result.missing, result.out_of_date) == (2, 1, 1)


def test_a_newer_budget_makes_the_category_current(publish, collectivity_a, small_catalogue):
    c = small_catalogue
    publish(files.pdf_with_text("2024"), category=c["budget"], date=dt.date(2024, 1, 1))
    publish(
        b"a,b\n1,2\n",
        name="budget-2026.csv",
        category=c["budget"],
        date=dt.date(2025, 12, 20),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    item = next(
        i
        for i in compliance_get(collectivity=collectivity_a, today=TODAY).items
        if i.category.code == "t.budget"
    )
    assert item.state == "current" and item.points == 13 and item.is_open


def test_withdrawn_documents_do_not_count(publish, editor, collectivity_a, small_catalogue):
    from infitah.publication.services import document_withdraw

    document = publish(category=small_catalogue["stats"])
    document_withdraw(document=document, actor=editor, reason="x")
    result = compliance_get(collectivity=collectivity_a, today=TODAY)
    assert result.points == 0 and result.score == 0


def test_compliance_page_explains_the_method(publish, small_catalogue) -> None:
    publish(category=small_catalogue["stats"])
    body = Client().get("/fr/c/commune-a/documents/compliance/").content.decode()
    assert "Statistiques" in body and "Régional" not in body
    assert "/ 100" in body
    assert "SMIIG-DATA" in body


def test_seeded_catalogue_applies_to_every_kind(db) -> None:
    codes = set(Category.objects.values_list("code", flat=True))
    assert {
        "council.composition",
        "budget.current",
        "budget.closed",
        "information.officers",
        "communiques",
        "procurement",
    } <= codes
    assert Category.objects.filter(is_smiig=True, is_confirmed=True).count() == 9
    assert all("UNCONFIRMED" not in c.description_fr for c in Category.objects.all())
    assert Category.objects.filter(is_confirmed=False).exclude(description_fr="").count() == (
        Category.objects.filter(is_confirmed=False).count()
    )
