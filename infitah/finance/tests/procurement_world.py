"""The procurement tests' world: a clock set in mid-2026 (facts may not be dated after
today), a budget line and an action-plan commitment of A, and each step's valid input;
`published_process` and `paid_process` walk a process through the services.

Helpers only (no test here): the test modules are `test_procurement_*.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from django.core.files.uploadedfile import SimpleUploadedFile

from infitah.accounts.models import User
from infitah.finance.models import Budget, BudgetItem, Contract, Process, ProcurementPlan
from infitah.finance.services import procurement
from infitah.finance.workflow import Category, Direction, Procedure, Section
from infitah.openplan.models import Commitment, Programme
from infitah.openplan.workflow import Kind, Status
from infitah.territories.models import Collectivity

CASABLANCA = ZoneInfo("Africa/Casablanca")
YEAR = 2026
NOW = dt.datetime(YEAR, 7, 1, 12, 0, tzinfo=CASABLANCA)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ITEM: dict[str, Any] = {
    "object_ar": "تهيئة الطرق والمسالك القروية",
    "object_fr": "Aménagement des routes et pistes rurales",
    "category": Category.WORKS,
    "procedure": Procedure.OPEN_TENDER,
    "estimated_amount": "1200000",
    "quarter": 2,
}
TENDER: dict[str, Any] = {
    "tender_reference": "AO-01/2026",
    "tender_published_on": "2026-03-02",
    "tender_deadline": "2026-04-01T10:00",
    "tender_url": "https://www.marchespublics.gov.ma/index.php?page=entreprise.EntrepriseDetailsConsultation&refConsultation=1",
}
AWARD: dict[str, Any] = {
    "supplier_name": "Société Atlas BTP",
    "supplier_ice": "001234567000089",
    "amount": "1100000",
    "awarded_on": "2026-04-15",
}
CONTRACT: dict[str, Any] = {
    "reference": "M-07/2026",
    "amount": "1100000",
    "signed_on": "2026-05-04",
    "starts_on": "2026-05-11",
    "ends_on": "2026-11-30",
}
AMENDMENT: dict[str, Any] = {
    "amended_on": "2026-06-01",
    "description": "Travaux supplémentaires : 2 km de piste",
    "amount_change": "50000",
}
PAYMENT: dict[str, Any] = {"paid_on": "2026-06-15", "amount": "400000", "reference": "OP-123"}


def clock() -> Iterator[None]:
    """The test runs on 1 July 2026 at noon (the clock ticks from there)."""
    with time_machine.travel(NOW, tick=True):
        yield


def pdf_file(name: str = "avis.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def budget_line(
    collectivity: Collectivity, year: int = YEAR, code: str = "20.10.30.11"
) -> BudgetItem:
    budget, _ = Budget.objects.get_or_create(collectivity=collectivity, year=year)
    chapter, article, paragraph, line = code.split(".")
    found, _created = BudgetItem.objects.get_or_create(
        budget=budget,
        direction=Direction.EXPENDITURE,
        section=Section.INVESTMENT,
        code=code,
        defaults={
            "chapter": chapter,
            "article": article,
            "paragraph": paragraph,
            "line": line,
            "label_ar": "تهيئة الطرق",
            "label_fr": "Aménagement des voies",
        },
    )
    return found


def commitment_of(collectivity: Collectivity, status: str = Status.ADOPTED) -> Commitment:
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=Kind.REMACTO,
        status=status,
        reference=f"PRG-2026-{Programme.objects.count() + 1}",
        title_ar="برنامج الانفتاح",
        title_fr="Programme d'ouverture",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    return Commitment.objects.create(
        programme=programme, number=1, title_ar="فتح المعطيات", title_fr="Ouvrir les données"
    )


def published_process(
    collectivity: Collectivity, actor: User, **item: Any
) -> tuple[ProcurementPlan, Process]:
    """The collectivity's forecast programme of 2026, published, with one more item: its
    process (PLANNED)."""
    plan = procurement.plan_get_or_create(collectivity=collectivity, actor=actor, year=YEAR)
    planned = procurement.planned_item_save(plan=plan, actor=actor, data={**ITEM, **item})
    if plan.published_at is None:
        plan = procurement.plan_publish(plan=plan, actor=actor)
    return plan, Process.objects.get(planned_item=planned)


def contracted_process(collectivity: Collectivity, actor: User) -> tuple[Process, Contract]:
    """A published process taken to a signed contract."""
    _plan, process = published_process(collectivity, actor)
    procurement.tender_publish(process=process, actor=actor, data=TENDER)
    award = procurement.award_record(process=process, actor=actor, data=AWARD)
    contract = procurement.contract_sign(process=process, actor=actor, award=award, data=CONTRACT)
    return Process.objects.get(pk=process.pk), contract


def paid_process(collectivity: Collectivity, actor: User) -> tuple[Process, Contract]:
    """A process taken to an amendment and a payment (IMPLEMENTATION)."""
    process, contract = contracted_process(collectivity, actor)
    procurement.contract_amend(contract=contract, actor=actor, data=AMENDMENT)
    procurement.payment_record(contract=contract, actor=actor, data=PAYMENT)
    return Process.objects.get(pk=process.pk), contract
