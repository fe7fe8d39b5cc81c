"""Procurement processes built with the ORM, each step recorded with `release_append` as
the procurement services do, for the OCDS tests (and the OCDS bulk benchmark's
templates).

- `build_stories(collectivity)`: one process per stage a process can stand at (planned
  only, tender, cancelled, unsuccessful, awarded in two lots, contracted, amended, paid,
  completed), plus one with Arabic-only titles and a supplier without ICE; each step at
  its own date of 2026 (time-machine), so that the releases are in date order;
- `build_generated(collectivity, count)`: `count` processes at mixed stages, each with a
  planning release and a release of the stage it reached;
- `validate(package)`: the libcoveocds report of a package, offline, against the OCDS
  1.1.5 zip of the shared standards folder (a skip without it, a failure with
  INFITAH_REQUIRE_STANDARDS=1).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.conf import settings

from infitah.finance.models import (
    Award,
    Budget,
    BudgetItem,
    Contract,
    ContractAmendment,
    Payment,
    PlannedItem,
    Process,
    ProcessDocument,
    ProcurementPlan,
)
from infitah.finance.ocds import ocid_for, release_append
from infitah.finance.workflow import Category, Direction, Procedure, Quarter, Section, Stage
from infitah.territories.models import Collectivity

CASABLANCA = ZoneInfo("Africa/Casablanca")
YEAR = 2026
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
STORIES = (
    "planned",
    "tender",
    "cancelled",
    "unsuccessful",
    "awarded",
    "contracted",
    "amended",
    "paid",
    "completed",
    "arabic",
)


def standards_zip() -> Path:
    """The OCDS 1.1.5 zip: INFITAH_STANDARDS_DIR, or shared/standards beside the project."""
    configured = os.environ.get("INFITAH_STANDARDS_DIR")
    folder = (
        Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "standards"
    )
    return folder / "ocds-1.1.5" / "standard-1__1__5.zip"


def require_standard() -> Path:
    """The zip, or a skip (a failure with INFITAH_REQUIRE_STANDARDS=1)."""
    path = standards_zip()
    if not path.is_file():
        message = (
            f"the OCDS 1.1.5 standard is not at {path} "
            "(set INFITAH_STANDARDS_DIR to the shared standards folder)"
        )
        if os.environ.get("INFITAH_REQUIRE_STANDARDS", "") == "1":
            pytest.fail(f"INFITAH_REQUIRE_STANDARDS=1: {message}")
        pytest.skip(message)
    return path


class _Answer:
    """What `requests.get` answers, from the standard's zip."""

    def __init__(self, text: str) -> None:
        self.text = text

    def raise_for_status(self) -> None:
        return None

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.text, **kwargs)


@contextmanager
def offline(standard: Path) -> Iterator[None]:
    """No network: a connection attempt fails the test, and the standard's schemas that
    libcoveocds fetches by URL (a record package's schema refers to the versioned release
    schema at standard.open-contracting.org, which jsonref resolves with `requests.get`)
    are read from the zip."""
    with zipfile.ZipFile(standard) as archive:
        schemas = {
            PurePosixPath(name).name: archive.read(name).decode()
            for name in archive.namelist()
            if PurePosixPath(name).parent.name == "schema" and name.endswith(".json")
        }

    def get(url: str, *args: object, **kwargs: object) -> _Answer:
        if not url.startswith(SCHEMA_URL):
            raise AssertionError(f"network access during OCDS validation: {url}")
        return _Answer(schemas[url.removeprefix(SCHEMA_URL)])

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access during OCDS validation: {args!r}")

    with (
        mock.patch("requests.get", get),
        mock.patch("socket.getaddrinfo", refuse),
        mock.patch("socket.socket.connect", refuse),
    ):
        yield


def validate(package: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds' report (API context: no extension, the standard from the local zip,
    no network)."""
    from libcoveocds.api import ocds_json_output  # type: ignore[import-untyped]
    from libcoveocds.config import LibCoveOCDSConfig  # type: ignore[import-untyped]

    standard = require_standard()
    config = LibCoveOCDSConfig({"standard_zip": standard.as_uri(), "context": "api"})
    with offline(standard):
        report: dict[str, Any] = ocds_json_output(json_data=package, lib_cove_ocds_config=config)
    return report


def problems(report: dict[str, Any]) -> dict[str, Any]:
    """What must be empty: validation errors, closed-codelist values, a broken schema."""
    return {
        key: report[key]
        for key in ("validation_errors", "additional_closed_codelist_values", "json_deref_error")
        if report.get(key)
    }


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(YEAR, month, day, hour, tzinfo=CASABLANCA)


def step(process: Process, tags: list[str], moment: dt.datetime) -> None:
    """Record the process's current state as a release dated `moment`."""
    with time_machine.travel(moment, tick=False):
        release_append(process, tags=tags)


@dataclass
class Budgeting:
    budget: Budget
    item: BudgetItem
    plan: ProcurementPlan


def budgeting(collectivity: Collectivity, year: int = YEAR) -> Budgeting:
    budget, _ = Budget.objects.get_or_create(collectivity=collectivity, year=year)
    item, _ = BudgetItem.objects.get_or_create(
        budget=budget,
        direction=Direction.EXPENDITURE,
        section=Section.INVESTMENT,
        code="20.10.30.11",
        defaults={
            "chapter": "20",
            "article": "10",
            "paragraph": "30",
            "line": "11",
            "label_ar": "تهيئة الطرق والمسالك",
            "label_fr": "Aménagement des voies et pistes",
        },
    )
    plan, _ = ProcurementPlan.objects.get_or_create(
        collectivity=collectivity, year=year, defaults={"published_at": at(1, 5)}
    )
    return Budgeting(budget=budget, item=item, plan=plan)


def _planned(
    collectivity: Collectivity,
    money: Budgeting,
    number: int,
    *,
    title_fr: str,
    title_ar: str,
    procedure: Procedure,
    category: Category,
    amount: Decimal,
) -> Process:
    planned = PlannedItem.objects.create(
        plan=money.plan,
        number=number,
        object_ar=title_ar,
        object_fr=title_fr,
        category=category,
        procedure=procedure,
        estimated_amount=amount,
        quarter=Quarter.Q2,
        budget_item=money.item,
    )
    process = Process.objects.create(
        collectivity=collectivity,
        ocid=ocid_for(collectivity, money.plan.year, number),
        year=money.plan.year,
        planned_item=planned,
        title_ar=title_ar,
        title_fr=title_fr,
        category=category,
        procedure=procedure,
        estimated_amount=amount,
        budget_item=money.item,
    )
    step(process, ["planning"], at(1, 10))
    return process


def _tender(process: Process, *, with_document: bool = True) -> None:
    number = process.ocid.rsplit("-", 1)[1]
    process.tender_reference = f"AO-{number}/{process.year}"
    process.tender_published_on = dt.date(YEAR, 2, 3)
    process.tender_deadline = at(3, 5)
    process.tender_url = f"https://www.marchespublics.gov.ma/avis/{number}"
    process.stage = Stage.TENDER
    process.save()
    if with_document:
        ProcessDocument.objects.create(
            process=process,
            stage=Stage.TENDER,
            title="Dossier d'appel d'offres",
            file=f"finance/{process.collectivity_id}/dao-{number}.pdf",
            name=f"dao-{number}.pdf",
            content_type="application/pdf",
            size=120_000,
            sha256="0" * 64,
            published_at=at(2, 3),
        )
    step(process, ["tender"], at(2, 3))


def _award(process: Process, lots: list[tuple[str, str, Decimal]]) -> list[Award]:
    awards = [
        Award.objects.create(
            process=process,
            supplier_name=name,
            supplier_ice=ice,
            amount=amount,
            awarded_on=dt.date(YEAR, 3, 20),
        )
        for name, ice, amount in lots
    ]
    process.stage = Stage.AWARDED
    process.save()
    step(process, ["award"], at(3, 20))
    return awards


def _contract(process: Process, award: Award) -> Contract:
    contract = Contract.objects.create(
        process=process,
        award=award,
        reference=f"M-{process.ocid.rsplit('-', 1)[1]}/{process.year}",
        amount=award.amount,
        signed_on=dt.date(YEAR, 4, 10),
        starts_on=dt.date(YEAR, 4, 15),
        ends_on=dt.date(YEAR, 10, 15),
    )
    process.stage = Stage.CONTRACTED
    process.save()
    step(process, ["contract"], at(4, 10))
    return contract


def _amend(process: Process, contract: Contract) -> None:
    ContractAmendment.objects.create(
        contract=contract,
        amended_on=dt.date(YEAR, 6, 1),
        description="Avenant n°1 : travaux supplémentaires (10 %)",
        amount_change=contract.amount / 10,
    )
    step(process, ["contractAmendment"], at(6, 1))


def _pay(process: Process, contract: Contract, parts: int = 2) -> None:
    for n in range(parts):
        Payment.objects.create(
            contract=contract,
            paid_on=dt.date(YEAR, 7 + n, 1),
            amount=contract.amount / 4,
            reference=f"OP-{n + 1}",
        )
    process.stage = Stage.IMPLEMENTATION
    process.save()
    step(process, ["implementation"], at(8, 2))


def _complete(process: Process) -> None:
    process.stage = Stage.COMPLETED
    process.save()
    step(process, ["contractTermination"], at(10, 20))


SUPPLIER = ("Société Atlas Travaux SARL", "001525478000091", Decimal("1180000.00"))
SECOND_LOT = ("مقاولة سوس للبناء", "", Decimal("640000.50"))


def build_stories(collectivity: Collectivity) -> dict[str, Process]:
    """One process per stage story, numbered 1 to 10 in `STORIES` order."""
    money = budgeting(collectivity)
    built: dict[str, Process] = {}
    procedures = list(Procedure)
    categories = list(Category)
    for number, story in enumerate(STORIES, start=1):
        arabic = story == "arabic"
        process = _planned(
            collectivity,
            money,
            number,
            title_fr="" if arabic else f"Travaux de voirie, tranche {number}",
            title_ar=f"أشغال تهيئة الطرق، الشطر {number}",
            procedure=procedures[number % len(procedures)],
            category=categories[number % len(categories)],
            amount=Decimal("1900000.00") + number,
        )
        built[story] = process
        if story == "planned":
            continue
        _tender(process, with_document=not arabic)
        if story == "tender":
            continue
        if story == "cancelled":
            process.stage = Stage.CANCELLED
            process.save()
            step(process, ["tenderCancellation"], at(2, 20))
            continue
        if story == "unsuccessful":
            process.stage = Stage.UNSUCCESSFUL
            process.save()
            step(process, ["tenderUpdate"], at(3, 10))
            continue
        if arabic:
            awards = _award(process, [SECOND_LOT])
        else:
            awards = _award(process, [SUPPLIER, SECOND_LOT])
        if story == "awarded":
            continue
        contract = _contract(process, awards[0])
        if story == "contracted":
            continue
        if story in {"amended", "completed"}:
            _amend(process, contract)
        if story == "amended":
            continue
        _pay(process, contract)
        if story == "completed":
            _complete(process)
    return built


# The stage each generated process reaches, in turn.
GENERATED_STAGES = (
    Stage.PLANNED,
    Stage.TENDER,
    Stage.CANCELLED,
    Stage.UNSUCCESSFUL,
    Stage.AWARDED,
    Stage.CONTRACTED,
    Stage.IMPLEMENTATION,
    Stage.COMPLETED,
)
LAST_TAG = {
    Stage.PLANNED: "planningUpdate",
    Stage.TENDER: "tender",
    Stage.CANCELLED: "tenderCancellation",
    Stage.UNSUCCESSFUL: "tenderUpdate",
    Stage.AWARDED: "award",
    Stage.CONTRACTED: "contract",
    Stage.IMPLEMENTATION: "implementation",
    Stage.COMPLETED: "contractTermination",
}


def build_generated(collectivity: Collectivity, count: int, *, first: int = 1) -> list[Process]:
    """`count` processes numbered from `first`, at mixed stages: a planning release, then
    the objects of the stage reached and a release of that stage."""
    money = budgeting(collectivity)
    procedures = list(Procedure)
    categories = list(Category)
    processes = Process.objects.bulk_create(
        Process(
            collectivity=collectivity,
            ocid=ocid_for(collectivity, YEAR, n),
            year=YEAR,
            title_ar=f"صفقة رقم {n}",
            title_fr="" if n % 5 == 0 else f"Marché n° {n}",
            description="" if n % 3 else f"Objet détaillé du marché {n}",
            category=categories[n % len(categories)],
            procedure=procedures[n % len(procedures)],
            estimated_amount=Decimal(10_000 + 137 * n),
            budget_item=money.item if n % 2 else None,
        )
        for n in range(first, first + count)
    )
    for index, process in enumerate(processes):
        process.collectivity = collectivity
        step(process, ["planning"], at(1, 2 + index % 25, 8))
    for index, process in enumerate(processes):
        stage = GENERATED_STAGES[index % len(GENERATED_STAGES)]
        moment = at(2 + index % 9, 1 + index % 27, 9)
        if stage != Stage.PLANNED:
            process.tender_reference = f"AO-{process.pk}"
            process.tender_published_on = dt.date(YEAR, 1, 28)
            process.tender_deadline = at(2, 20)
        if stage in {Stage.AWARDED, Stage.CONTRACTED, Stage.IMPLEMENTATION, Stage.COMPLETED}:
            ice = "" if index % 4 == 0 else f"{index:015d}"
            award = Award.objects.create(
                process=process,
                supplier_name=f"Entreprise {index}",
                supplier_ice=ice,
                amount=process.estimated_amount,
                awarded_on=dt.date(YEAR, 1, 30),
            )
            if stage != Stage.AWARDED:
                contract = Contract.objects.create(
                    process=process,
                    award=award,
                    reference=f"M-{process.pk}",
                    amount=award.amount,
                    signed_on=dt.date(YEAR, 1, 31),
                )
                if stage in {Stage.IMPLEMENTATION, Stage.COMPLETED}:
                    Payment.objects.create(
                        contract=contract, paid_on=dt.date(YEAR, 2, 1), amount=award.amount / 2
                    )
        process.stage = stage
        process.save()
        step(process, [LAST_TAG[stage]], moment)
    return processes
