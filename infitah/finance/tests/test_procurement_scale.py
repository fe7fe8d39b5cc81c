"""The procurement pages cost the same number of SQL queries with 5 rows as with 100 — a
year (planned items, processes), a process (awards, contracts, amendments, payments,
documents), public and staff — and a public page stays within 30 KB in both languages.

Rows are written with `bulk_create` (the services are tested elsewhere); each page is
drawn once first (warm-up), then counted in the small world and in the big one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import User
from infitah.finance.models import (
    Award,
    Contract,
    ContractAmendment,
    Payment,
    PlannedItem,
    Process,
    ProcessDocument,
    ProcurementPlan,
    Release,
)
from infitah.finance.tests import procurement_world as w
from infitah.finance.workflow import Category, Procedure, Stage
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SMALL, BIG = 5, 100
PAGE_MAX_BYTES = 30 * 1024
# A long, realistic object of a planned procurement.
OBJECT_AR = "تهيئة وتزفيت الطرق والمسالك القروية بدواوير الجماعة — الشطر رقم %d"
OBJECT_FR = "Aménagement et revêtement des routes et pistes rurales — tranche n° %d"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    yield from w.clock()


Count = Callable[[str], tuple[int, str]]


def counter(client: Client) -> Count:
    def count(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured), response.content.decode()

    return count


def year_world(collectivity: Collectivity, year: int, n: int) -> None:
    """A published programme of `n` items, each with its process (every stage in turn),
    a budget line and a commitment."""
    line = w.budget_line(collectivity, year=year)
    commitment = w.commitment_of(collectivity)
    plan = ProcurementPlan.objects.create(
        collectivity=collectivity, year=year, published_at=w.NOW - dt.timedelta(days=90)
    )
    items = PlannedItem.objects.bulk_create(
        PlannedItem(
            plan=plan,
            number=k,
            object_ar=OBJECT_AR % k,
            object_fr=OBJECT_FR % k,
            category=list(Category)[k % 3],
            procedure=list(Procedure)[k % 5],
            estimated_amount=Decimal(1_250_000 + k),
            quarter=k % 4 + 1,
            budget_item=line,
            commitment=commitment,
        )
        for k in range(1, n + 1)
    )
    stages = list(Stage)
    Process.objects.bulk_create(
        Process(
            collectivity=collectivity,
            ocid=f"ocds-infita-{collectivity.slug}-{year}-{k}",
            year=year,
            planned_item=item,
            title_ar=item.object_ar,
            title_fr=item.object_fr,
            category=item.category,
            procedure=item.procedure,
            stage=stages[k % len(stages)],
            estimated_amount=item.estimated_amount,
            budget_item=line,
            commitment=commitment,
            created_at=w.NOW - dt.timedelta(days=80 - k % 3 * 40),
        )
        for k, item in enumerate(items, start=1)
    )


def process_world(
    collectivity: Collectivity, n: int, *, lots: int = 0, others: int = 0, key: str = ""
) -> Process:
    """A process in implementation: `lots` awards (lots) each with its contract (`n` by
    default), `n` payments and `others` amendments (`n` by default) on the first contract,
    `others` documents and `n` releases."""
    lots, others = lots or n, others or n
    line = w.budget_line(collectivity)
    process = Process.objects.create(
        collectivity=collectivity,
        ocid=f"ocds-infita-{collectivity.slug}-2026-{n}{key}",
        year=2026,
        title_ar=OBJECT_AR % n,
        title_fr=OBJECT_FR % n,
        category=Category.WORKS,
        procedure=Procedure.OPEN_TENDER,
        stage=Stage.IMPLEMENTATION,
        estimated_amount=Decimal(90_000_000),
        budget_item=line,
        commitment=w.commitment_of(collectivity),
        tender_reference="AO-01/2026",
        tender_published_on=dt.date(2026, 1, 5),
        tender_deadline=w.NOW - dt.timedelta(days=150),
        tender_url="https://www.marchespublics.gov.ma/x",
    )
    awards = Award.objects.bulk_create(
        Award(
            process=process,
            supplier_name=f"Société des travaux du Souss {k}",
            supplier_ice=f"{k:015d}",
            amount=Decimal(800_000),
            awarded_on=dt.date(2026, 2, 1),
        )
        for k in range(1, lots + 1)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            process=process,
            award=award,
            reference=f"M-{k}/2026",
            amount=Decimal(800_000),
            signed_on=dt.date(2026, 2, 10),
        )
        for k, award in enumerate(awards, start=1)
    )
    ContractAmendment.objects.bulk_create(
        ContractAmendment(
            contract=contracts[0],
            amended_on=dt.date(2026, 3, 1),
            description="Avenant",
            amount_change=Decimal(1000),
        )
        for _ in range(others)
    )
    Payment.objects.bulk_create(
        Payment(
            contract=contracts[0],
            paid_on=dt.date(2026, 3, 1) + dt.timedelta(days=k % 100),
            amount=Decimal(7000),
            reference=f"OP-{k}",
        )
        for k in range(n)
    )
    ProcessDocument.objects.bulk_create(
        ProcessDocument(
            process=process,
            stage=Stage.TENDER,
            title=f"Document {k}",
            file=f"finance/1/{k}.pdf",
            name=f"{k}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
        )
        for k in range(others)
    )
    Release.objects.bulk_create(
        Release(
            process=process,
            collectivity=collectivity,
            release_id=f"{process.ocid}-{k:05d}",
            date=w.NOW,
            tags=["implementation"],
            data={},
        )
        for k in range(1, n + 1)
    )
    return process


def test_the_year_pages_cost_the_same_queries_for_5_or_100_items_and_processes(
    collectivity_a: Collectivity, finance_officer: User
) -> None:
    year_world(collectivity_a, 2026, SMALL)
    year_world(collectivity_a, 2027, BIG)
    public, staff = Client(), Client()
    staff.force_login(finance_officer)
    for client, base in (
        (public, "/{lang}/c/commune-a/finance/procurement/{year}/"),
        (staff, "/{lang}/staff/commune-a/finance/procurement/{year}/"),
    ):
        count = counter(client)
        count(base.format(lang="fr", year=2026))
        small, _html = count(base.format(lang="fr", year=2026))
        big, _html = count(base.format(lang="fr", year=2027))
        assert small == big, (base, small, big)
    for lang in ("ar", "fr"):
        for page in ("", "?items=4&page=5"):
            _queries, html = counter(public)(f"/{lang}/c/commune-a/finance/procurement/2027/{page}")
            size = len(html.encode())
            assert size <= PAGE_MAX_BYTES, (lang, page, size)
    assert OBJECT_AR % 100 in html or OBJECT_FR % 100 in html  # the last page of items


def test_the_process_pages_cost_the_same_queries_for_5_or_100_payments(
    collectivity_a: Collectivity, finance_officer: User
) -> None:
    small_process = process_world(collectivity_a, SMALL)
    big_process = process_world(collectivity_a, BIG)
    public, staff = Client(), Client()
    staff.force_login(finance_officer)
    for client, base in (
        (public, "/fr/c/commune-a/finance/procurement/processes/{pk}/"),
        (staff, "/fr/staff/commune-a/finance/procurement/processes/{pk}/"),
    ):
        count = counter(client)
        count(base.format(pk=small_process.pk))
        small, _html = count(base.format(pk=small_process.pk))
        big, html = count(base.format(pk=big_process.pk))
        assert small == big, (base, small, big)
        assert "OP-99" in html and "M-100/2026" in html
    # A large real process: 100 payments of one contract, two lots, a few amendments and
    # documents.
    large = process_world(collectivity_a, BIG, lots=2, others=5, key="-large")
    for lang in ("ar", "fr"):
        _queries, html = counter(public)(
            f"/{lang}/c/commune-a/finance/procurement/processes/{large.pk}/"
        )
        size = len(html.encode())
        assert size <= PAGE_MAX_BYTES, (lang, size)
        assert "OP-99" in html
