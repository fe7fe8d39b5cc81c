"""The budget item: the eight key documents and the execution, this year or last."""

from __future__ import annotations

import pytest

from infitah.finance.workflow import KeyDocument
from infitah.openness.items import compute_budget
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make

pytestmark = pytest.mark.django_db


def test_hand_computed_fraction(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    a = collectivity_a
    for kind in (KeyDocument.PROPOSAL, KeyDocument.ENACTED, KeyDocument.CITIZENS):
        make.key_document(a, year=TODAY.year, kind=kind)
    for kind in (KeyDocument.YEAR_END, KeyDocument.AUDIT, KeyDocument.ENACTED):
        make.key_document(a, year=TODAY.year - 1, kind=kind)
    # A withdrawn document does not count, nor one of three years ago.
    make.key_document(a, year=TODAY.year, kind=KeyDocument.IN_YEAR, withdrawn=True)
    make.key_document(a, year=TODAY.year - 2, kind=KeyDocument.PRE_BUDGET)
    make.execution(a, year=TODAY.year - 1)
    make.execution(collectivity_b, year=TODAY.year - 3)

    results = compute_budget(collectivity_ids=[a.pk, collectivity_b.pk], today=TODAY)
    result = results[a.pk]
    assert result.evidence == {
        "records": 6,
        "years": f"{TODAY.year - 1}-{TODAY.year}",
        "key_documents": 5,
        "key_documents_max": 8,
        "missing": ["pre_budget", "in_year", "mid_year"],
        "execution_published": 1,
    }
    # 0.8 × 5/8 + 0.2
    assert result.fraction == pytest.approx(0.7)
    assert result.advice == ["budget.publish_key_documents"]
    b = results[collectivity_b.pk]
    assert (b.fraction, b.evidence["records"]) == (0.0, 0)
    assert b.advice == ["budget.publish_key_documents", "budget.publish_execution"]
