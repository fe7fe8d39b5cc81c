"""One complete process recorded through the services — a forecast programme item with
its budget line and commitment, a call for tenders with a document, two lots awarded and
contracted, an amendment, payments, completion — and one cancelled process: their
releases, as a release package, validate with libcoveocds against OCDS 1.1.5 offline
(0 validation errors, 0 closed-codelist errors). The full validation suite (records,
bulk packages, 1,000 generated processes) is `test_ocds_validation.py`'s.

Skipped without the standard's zip (failed with INFITAH_REQUIRE_STANDARDS=1).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from django.utils import timezone

from infitah.accounts.models import User
from infitah.finance import ocds
from infitah.finance.models import Release
from infitah.finance.services import procurement
from infitah.finance.tests import procurement_world as w
from infitah.finance.tests.ocds_world import problems, require_standard, validate
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    yield from w.clock()


def test_the_releases_of_a_complete_process_validate_against_ocds_1_1_5(
    collectivity_a: Collectivity, finance_officer: User
) -> None:
    require_standard()
    officer = finance_officer
    line = w.budget_line(collectivity_a)
    commitment = w.commitment_of(collectivity_a)
    _plan, process = w.published_process(
        collectivity_a, officer, budget_item=line.pk, commitment=commitment.pk
    )
    procurement.tender_publish(process=process, actor=officer, data=w.TENDER)
    procurement.process_document_add(
        process=process, actor=officer, title="Avis d'appel d'offres", file=w.pdf_file()
    )
    first = procurement.award_record(process=process, actor=officer, data=w.AWARD)
    second = procurement.award_record(
        process=process,
        actor=officer,
        data={**w.AWARD, "supplier_name": "مقاولة الأطلس", "supplier_ice": ""},
    )
    contract = procurement.contract_sign(
        process=process, actor=officer, award=first, data=w.CONTRACT
    )
    procurement.contract_sign(
        process=process, actor=officer, award=second, data={**w.CONTRACT, "reference": "M-08"}
    )
    procurement.contract_amend(contract=contract, actor=officer, data=w.AMENDMENT)
    procurement.payment_record(contract=contract, actor=officer, data=w.PAYMENT)
    procurement.payment_record(
        contract=contract, actor=officer, data={**w.PAYMENT, "amount": "750000"}
    )
    procurement.process_complete(process=process, actor=officer)
    _plan, cancelled = w.published_process(collectivity_a, officer, object_fr="Annulé")
    procurement.process_cancel(process=cancelled, actor=officer, reason="Besoin couvert")
    releases = [release.data for release in Release.objects.order_by("date", "pk")]
    assert len(releases) == 13
    package = {
        **ocds.package_metadata(uri="https://example.test/releases.json", published=timezone.now()),
        "releases": releases,
    }
    report = validate(package)
    assert problems(report) == {}
    assert report["count"] == 13 and report["unique_ocids_count"] == 2
