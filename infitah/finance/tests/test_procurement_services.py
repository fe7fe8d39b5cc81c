"""The procurement services: the forecast programme (items, publication, items added
afterwards), processes outside it, and each step of a process — its stage rules, dates
and amounts, the one OCDS release it appends (tags from the releaseTag codelist, content
growing step by step), stable and unique ocids, permissions, and bad input writing
nothing (no row, no release, no ledger event, no file)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

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
from infitah.finance.services import procurement
from infitah.finance.tests import procurement_world as w
from infitah.finance.workflow import Direction, Stage
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

# The OCDS 1.1.5 releaseTag codelist (schema/codelists/releaseTag.csv).
RELEASE_TAGS = {
    "planning",
    "planningUpdate",
    "tender",
    "tenderAmendment",
    "tenderUpdate",
    "tenderCancellation",
    "award",
    "awardUpdate",
    "awardCancellation",
    "contract",
    "contractUpdate",
    "contractAmendment",
    "implementation",
    "implementationUpdate",
    "contractTermination",
}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    yield from w.clock()


@pytest.fixture
def officer(finance_officer: User) -> User:
    return finance_officer


def _counts() -> tuple[int, ...]:
    return (
        ProcurementPlan.objects.count(),
        PlannedItem.objects.count(),
        Process.objects.count(),
        Award.objects.count(),
        Contract.objects.count(),
        ContractAmendment.objects.count(),
        Payment.objects.count(),
        ProcessDocument.objects.count(),
        Release.objects.count(),
        Event.objects.filter(action__startswith="finance.").count(),
    )


def _refused(call: Any, *fields: str) -> ValidationError:
    """`call()` raises a ValidationError naming `fields` (none: a message for the whole
    form) and writes nothing."""
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        call()
    assert _counts() == before
    if fields:
        assert set(fields) <= set(caught.value.message_dict), caught.value.message_dict
    return caught.value


def _releases(process: Process) -> list[Release]:
    return list(process.releases.order_by("pk"))


def _tags(process: Process) -> list[list[str]]:
    return [release.tags for release in _releases(process)]


# --- the forecast programme ---------------------------------------------------------------


def test_a_plan_is_created_once_per_year_and_the_year_is_checked(
    collectivity_a: Collectivity, officer: User
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    again = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    assert plan.pk == again.pk and plan.published_at is None
    assert Event.objects.filter(action="finance.plan_created").count() == 1
    for year in (1999, 2101):
        _refused(
            lambda year=year: procurement.plan_get_or_create(
                collectivity=collectivity_a, actor=officer, year=year
            ),
            "year",
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"object_ar": "", "object_fr": ""}, "object_ar"),
        ({"object_fr": "x" * 301}, "object_fr"),
        ({"object_fr": "Route\x00"}, "object_fr"),
        ({"category": "food"}, "category"),
        ({"procedure": "gré à gré"}, "procedure"),
        ({"estimated_amount": "-1"}, "estimated_amount"),
        ({"estimated_amount": "mille"}, "estimated_amount"),
        ({"estimated_amount": "1e20"}, "estimated_amount"),
        ({"estimated_amount": ""}, "estimated_amount"),
        ({"quarter": 5}, "quarter"),
        ({"quarter": "Q1"}, "quarter"),
        ({"budget_item": "abc"}, "budget_item"),
        ({"budget_item": 2**40}, "budget_item"),
        ({"commitment": 999_999}, "commitment"),
    ],
)
def test_a_planned_item_with_a_bad_field_is_refused_and_nothing_is_written(
    collectivity_a: Collectivity, officer: User, change: dict[str, Any], field: str
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    _refused(
        lambda: procurement.planned_item_save(plan=plan, actor=officer, data={**w.ITEM, **change}),
        field,
    )
    # The combined service does not even create the programme of another year.
    _refused(
        lambda: procurement.planned_item_add(
            collectivity=collectivity_a, actor=officer, year=2027, data={**w.ITEM, **change}
        ),
        field,
    )


def test_the_budget_line_is_an_expenditure_line_of_the_same_collectivity_and_year(
    collectivity_a: Collectivity, collectivity_b: Collectivity, officer: User
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    of_b = w.budget_line(collectivity_b)
    of_2025 = w.budget_line(collectivity_a, year=2025)
    revenue = w.budget_line(collectivity_a, code="10.20.10.10")
    revenue.direction = Direction.REVENUE
    revenue.save()
    for line in (of_b, of_2025, revenue):
        _refused(
            lambda line=line: procurement.planned_item_save(
                plan=plan, actor=officer, data={**w.ITEM, "budget_item": line.pk}
            ),
            "budget_item",
        )
    good = w.budget_line(collectivity_a)
    item = procurement.planned_item_save(
        plan=plan, actor=officer, data={**w.ITEM, "budget_item": str(good.pk)}
    )
    assert item.budget_item == good and item.number == 1


def test_the_commitment_is_one_of_the_collectivitys_action_plans(
    collectivity_a: Collectivity, collectivity_b: Collectivity, officer: User
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    _refused(
        lambda: procurement.planned_item_save(
            plan=plan, actor=officer, data={**w.ITEM, "commitment": w.commitment_of(collectivity_b)}
        ),
        "commitment",
    )
    mine = w.commitment_of(collectivity_a)
    item = procurement.planned_item_save(
        plan=plan, actor=officer, data={**w.ITEM, "commitment": mine.pk}
    )
    assert item.commitment == mine


def test_publishing_makes_each_item_a_process_with_a_planning_release(
    collectivity_a: Collectivity, officer: User
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    _refused(lambda: procurement.plan_publish(plan=plan, actor=officer))  # no item yet
    line = w.budget_line(collectivity_a)
    items = [
        procurement.planned_item_save(
            plan=plan,
            actor=officer,
            data={**w.ITEM, "object_fr": f"Objet {n}", "budget_item": line.pk if n == 1 else ""},
        )
        for n in (1, 2, 3)
    ]
    assert Process.objects.count() == 0 and Release.objects.count() == 0
    procurement.plan_publish(plan=plan, actor=officer)
    plan.refresh_from_db()
    assert plan.published_at is not None
    for n, item in enumerate(items, start=1):
        process = Process.objects.get(planned_item=item)
        assert process.stage == Stage.PLANNED and process.year == 2026
        assert process.ocid == f"{settings.INFITAH_OCDS_PREFIX}-commune-a-2026-{n}"
        assert process.title_fr == f"Objet {n}" and process.estimated_amount == Decimal(1200000)
        [release] = _releases(process)
        assert release.tags == ["planning"]
        assert release.data["tender"]["status"] == "planned"
        assert release.data["planning"]["rationale"] == f"Objet {n}"
        assert ("budget" in release.data["planning"]) is (n == 1)
    _refused(lambda: procurement.plan_publish(plan=plan, actor=officer))  # already published
    assert Event.objects.filter(action="finance.plan_published").count() == 1


def test_an_item_added_after_publication_gets_its_process_at_once_and_is_logged(
    collectivity_a: Collectivity, officer: User
) -> None:
    plan, _first = w.published_process(collectivity_a, officer)
    late = procurement.planned_item_save(
        plan=plan, actor=officer, data={**w.ITEM, "object_fr": "Ajout"}
    )
    process = Process.objects.get(planned_item=late)
    assert late.number == 2 and process.ocid.endswith("-2026-2")
    assert _tags(process) == [["planning"]]
    assert process.created_at > plan.published_at  # type: ignore[operator]
    event = Event.objects.get(action="finance.planned_item_added", data__number=2)
    assert event.data["after_publication"] is True
    assert (
        Event.objects.get(action="finance.planned_item_added", data__number=1).data[
            "after_publication"
        ]
        is False
    )


def test_a_planned_items_process_follows_it_until_the_tender(
    collectivity_a: Collectivity, officer: User
) -> None:
    plan, process = w.published_process(collectivity_a, officer)
    item = process.planned_item
    assert item is not None
    procurement.planned_item_save(
        plan=plan, actor=officer, data={**w.ITEM, "estimated_amount": "900000"}, item=item
    )
    process.refresh_from_db()
    assert process.estimated_amount == Decimal(900000)
    assert _tags(process) == [["planning"], ["planningUpdate"]]
    assert _releases(process)[-1].data["tender"]["value"]["amount"] == 900000
    # Nothing changed: no release.
    procurement.planned_item_save(
        plan=plan, actor=officer, data={**w.ITEM, "estimated_amount": "900000"}, item=item
    )
    assert len(_tags(process)) == 2
    procurement.tender_publish(process=process, actor=officer, data=w.TENDER)
    _refused(
        lambda: procurement.planned_item_save(plan=plan, actor=officer, data=w.ITEM, item=item)
    )


def test_an_item_is_removed_only_while_it_has_no_process(
    collectivity_a: Collectivity, officer: User
) -> None:
    plan = procurement.plan_get_or_create(collectivity=collectivity_a, actor=officer, year=2026)
    item = procurement.planned_item_save(plan=plan, actor=officer, data=w.ITEM)
    procurement.planned_item_delete(item=item, actor=officer)
    assert not PlannedItem.objects.exists()
    _plan, process = w.published_process(collectivity_a, officer)
    assert process.planned_item is not None
    _refused(lambda: procurement.planned_item_delete(item=process.planned_item, actor=officer))  # type: ignore[arg-type]


def test_only_a_finance_officer_of_the_collectivity_may_write(
    collectivity_a: Collectivity, officer: User, charlie: User, citizen: User
) -> None:
    plan, process = w.published_process(collectivity_a, officer)
    contracted, contract = w.contracted_process(collectivity_a, officer)
    before = _counts()
    for outsider in (charlie, citizen):
        with pytest.raises(PermissionDenied):
            procurement.payment_record(contract=contract, actor=outsider, data=w.PAYMENT)
        with pytest.raises(PermissionDenied):
            procurement.contract_amend(contract=contract, actor=outsider, data=w.AMENDMENT)
        with pytest.raises(PermissionDenied):
            procurement.process_complete(process=contracted, actor=outsider)
        with pytest.raises(PermissionDenied):
            procurement.process_document_add(
                process=contracted, actor=outsider, title="x", file=w.pdf_file()
            )
        with pytest.raises(PermissionDenied):
            procurement.plan_get_or_create(collectivity=collectivity_a, actor=outsider, year=2026)
        with pytest.raises(PermissionDenied):
            procurement.planned_item_save(plan=plan, actor=outsider, data=w.ITEM)
        with pytest.raises(PermissionDenied):
            procurement.tender_publish(process=process, actor=outsider, data=w.TENDER)
        with pytest.raises(PermissionDenied):
            procurement.process_cancel(process=process, actor=outsider, reason="x")
    assert _counts() == before


# --- processes --------------------------------------------------------------------------------


def test_a_process_outside_the_programme_starts_planned_or_at_the_tender(
    collectivity_a: Collectivity, officer: User
) -> None:
    _plan, planned = w.published_process(collectivity_a, officer)
    data = {
        "year": 2026,
        "title_fr": "Bon de commande : fournitures de bureau",
        "category": "goods",
        "procedure": "purchase_order",
        "estimated_amount": "45000",
    }
    plain = procurement.process_create(collectivity=collectivity_a, actor=officer, data=data)
    assert plain.stage == Stage.PLANNED and plain.planned_item is None
    assert _tags(plain) == [["planning"]]
    direct = procurement.process_create(
        collectivity=collectivity_a,
        actor=officer,
        data={**data, **w.TENDER, "tender_reference": "BC-3/2026"},
    )
    assert direct.stage == Stage.TENDER
    [release] = _releases(direct)
    assert release.tags == ["planning", "tender"]
    assert release.data["tender"]["tenderPeriod"]["endDate"].startswith("2026-04-01T10:00")
    assert release.data["tender"]["procurementMethod"] == "direct"
    # One series of numbers per collectivity and year, the programme's and the others'.
    assert [p.ocid.rsplit("-", 1)[1] for p in (planned, plain, direct)] == ["1", "2", "3"]
    _refused(
        lambda: procurement.process_create(
            collectivity=collectivity_a,
            actor=officer,
            data={**data, "tender_reference": "BC-4/2026"},  # a tender without its dates
        ),
        "tender_published_on",
        "tender_deadline",
    )
    _refused(
        lambda: procurement.process_create(
            collectivity=collectivity_a, actor=officer, data={**data, "year": "20x6"}
        ),
        "year",
    )


def test_each_step_is_taken_only_from_its_stages(
    collectivity_a: Collectivity, officer: User
) -> None:
    _plan, process = w.published_process(collectivity_a, officer)
    # PLANNED: no award, no unsuccessful tender, no completion.
    _refused(lambda: procurement.award_record(process=process, actor=officer, data=w.AWARD))
    _refused(lambda: procurement.process_unsuccessful(process=process, actor=officer, reason="x"))
    _refused(lambda: procurement.process_complete(process=process, actor=officer))
    procurement.tender_publish(process=process, actor=officer, data=w.TENDER)
    _refused(lambda: procurement.tender_publish(process=process, actor=officer, data=w.TENDER))
    award = procurement.award_record(process=process, actor=officer, data=w.AWARD)
    # AWARDED: no more cancellation, no tender update, no payment before the contract.
    _refused(lambda: procurement.process_cancel(process=process, actor=officer, reason="x"))
    _refused(lambda: procurement.tender_update(process=process, actor=officer, data=w.TENDER))
    contract = procurement.contract_sign(
        process=process, actor=officer, award=award, data=w.CONTRACT
    )
    procurement.process_complete(process=process, actor=officer)
    # COMPLETED: nothing more but documents.
    _refused(lambda: procurement.payment_record(contract=contract, actor=officer, data=w.PAYMENT))
    _refused(lambda: procurement.contract_amend(contract=contract, actor=officer, data=w.AMENDMENT))
    _refused(lambda: procurement.award_record(process=process, actor=officer, data=w.AWARD))


def test_the_call_for_tenders_is_checked(
    collectivity_a: Collectivity, collectivity_b: Collectivity, officer: User, staff_for: Any
) -> None:
    _plan, process = w.published_process(collectivity_a, officer)
    for change, field in (
        ({"tender_reference": ""}, "tender_reference"),
        ({"tender_reference": "R" * 65}, "tender_reference"),
        ({"tender_published_on": "2026-07-02"}, "tender_published_on"),  # tomorrow
        ({"tender_published_on": "02/03/2026"}, "tender_published_on"),
        ({"tender_deadline": "2026-03-01T10:00"}, "tender_deadline"),  # before the notice
        ({"tender_deadline": "soon"}, "tender_deadline"),
        ({"tender_deadline": "1890-01-01T10:00"}, "tender_deadline"),
        ({"tender_url": "javascript:alert(1)"}, "tender_url"),
        ({"tender_url": "https://" + "a" * 500 + ".ma"}, "tender_url"),
        ({"estimated_amount": "-5"}, "estimated_amount"),
    ):
        _refused(
            lambda change=change: procurement.tender_publish(
                process=process, actor=officer, data={**w.TENDER, **change}
            ),
            field,
        )
    # The deadline may fall on the day of the notice; the estimate may be refined.
    procurement.tender_publish(
        process=process,
        actor=officer,
        data={**w.TENDER, "tender_deadline": "2026-03-02T16:00", "estimated_amount": "1150000"},
    )
    process.refresh_from_db()
    assert process.stage == Stage.TENDER and process.estimated_amount == Decimal(1150000)
    # A reference is unique within the collectivity (another collectivity may reuse it).
    other = procurement.process_create(
        collectivity=collectivity_a,
        actor=officer,
        data={
            "year": 2026,
            "title_ar": "صفقة",
            "category": "goods",
            "procedure": "negotiated",
            "estimated_amount": "1",
        },
    )
    _refused(
        lambda: procurement.tender_publish(process=other, actor=officer, data=w.TENDER),
        "tender_reference",
    )
    from infitah.accounts.models import Membership, Role

    officer_b = User.objects.create_user(email="fin-b@example.test", password="pw-123456789")
    Membership.objects.create(
        user=officer_b, collectivity=collectivity_b, role=Role.FINANCE_OFFICER
    )
    _plan_b, process_b = w.published_process(collectivity_b, officer_b)
    procurement.tender_publish(process=process_b, actor=officer_b, data=w.TENDER)


def test_an_update_of_the_tender_appends_a_release_only_when_something_changed(
    collectivity_a: Collectivity, officer: User
) -> None:
    _plan, process = w.published_process(collectivity_a, officer)
    procurement.tender_publish(process=process, actor=officer, data=w.TENDER)
    procurement.tender_update(process=process, actor=officer, data=w.TENDER)
    assert _tags(process) == [["planning"], ["tender"]]
    procurement.tender_update(
        process=process, actor=officer, data={**w.TENDER, "tender_deadline": "2026-04-15T10:00"}
    )
    assert _tags(process)[-1] == ["tenderUpdate"]
    assert _releases(process)[-1].data["tender"]["tenderPeriod"]["endDate"].startswith("2026-04-15")
    event = Event.objects.get(action="finance.tender_updated")
    assert event.data["fields"] == ["tender_deadline"]


def test_a_cancellation_or_an_unsuccessful_tender_needs_a_reason(
    collectivity_a: Collectivity, officer: User
) -> None:
    _plan, first = w.published_process(collectivity_a, officer)
    _refused(lambda: procurement.process_cancel(process=first, actor=officer, reason=" "), "reason")
    procurement.process_cancel(process=first, actor=officer, reason="Besoin couvert autrement")
    assert _tags(first)[-1] == ["tenderCancellation"]
    assert _releases(first)[-1].data["tender"]["status"] == "cancelled"
    event = Event.objects.get(action="finance.process_cancelled")
    assert event.note == "Besoin couvert autrement" and event.to_state == Stage.CANCELLED
    second = procurement.process_create(
        collectivity=collectivity_a,
        actor=officer,
        data={
            "year": 2026,
            "title_fr": "Étude",
            "category": "services",
            "procedure": "contest",
            "estimated_amount": "300000",
            **w.TENDER,
        },
    )
    _refused(
        lambda: procurement.process_unsuccessful(process=second, actor=officer, reason="x" * 2001),
        "reason",
    )
    procurement.process_unsuccessful(process=second, actor=officer, reason="Aucune offre")
    second.refresh_from_db()
    assert second.stage == Stage.UNSUCCESSFUL
    assert _tags(second)[-1] == ["tenderUpdate"]
    assert _releases(second)[-1].data["tender"]["status"] == "unsuccessful"


@pytest.fixture
def tendered(collectivity_a: Collectivity, officer: User) -> Process:
    _plan, process = w.published_process(collectivity_a, officer)
    return procurement.tender_publish(process=process, actor=officer, data=w.TENDER)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier_name": ""}, "supplier_name"),
        ({"supplier_ice": "00123456700008"}, "supplier_ice"),  # 14 digits
        ({"supplier_ice": "0012345670000890"}, "supplier_ice"),  # 16
        ({"supplier_ice": "00123456700008A"}, "supplier_ice"),
        ({"supplier_ice": "٠٠١٢٣٤٥٦٧٠٠٠٠٨٩"}, "supplier_ice"),  # Arabic-Indic digits
        ({"amount": "0"}, "amount"),
        ({"amount": ""}, "amount"),
        ({"awarded_on": "2026-03-31"}, "awarded_on"),  # before the deadline's day
        ({"awarded_on": "2026-07-02"}, "awarded_on"),  # tomorrow
    ],
)
def test_an_award_is_checked(
    tendered: Process, officer: User, change: dict[str, Any], field: str
) -> None:
    _refused(
        lambda: procurement.award_record(
            process=tendered, actor=officer, data={**w.AWARD, **change}
        ),
        field,
    )


def test_several_lots_are_several_awards_and_contracts(tendered: Process, officer: User) -> None:
    # On the deadline's day, without an ICE.
    first = procurement.award_record(
        process=tendered,
        actor=officer,
        data={**w.AWARD, "awarded_on": "2026-04-01", "supplier_ice": ""},
    )
    second = procurement.award_record(
        process=tendered, actor=officer, data={**w.AWARD, "supplier_name": "Lot 2 SARL"}
    )
    tendered.refresh_from_db()
    assert tendered.stage == Stage.AWARDED
    assert _releases(tendered)[-1].data["awards"][1]["suppliers"][0]["name"] == "Lot 2 SARL"
    contract = procurement.contract_sign(
        process=tendered, actor=officer, award=first, data=w.CONTRACT
    )
    procurement.payment_record(contract=contract, actor=officer, data=w.PAYMENT)
    # The second lot's contract, signed once the first lot is being paid.
    procurement.contract_sign(
        process=tendered, actor=officer, award=second, data={**w.CONTRACT, "reference": "M-08"}
    )
    tendered.refresh_from_db()
    assert tendered.stage == Stage.IMPLEMENTATION  # not back to CONTRACTED
    assert [c["id"] for c in _releases(tendered)[-1].data["contracts"]] == ["M-07/2026", "M-08"]
    _refused(
        lambda: procurement.contract_sign(
            process=tendered, actor=officer, award=second, data={**w.CONTRACT, "reference": "M-9"}
        ),
        "award",
    )


def test_a_contract_is_checked(
    tendered: Process, collectivity_a: Collectivity, officer: User
) -> None:
    award = procurement.award_record(process=tendered, actor=officer, data=w.AWARD)
    for change, field in (
        ({"reference": ""}, "reference"),
        ({"amount": "-1"}, "amount"),
        ({"signed_on": "2026-04-14"}, "signed_on"),  # before the award
        ({"signed_on": "2026-07-02"}, "signed_on"),
        ({"starts_on": "2026-06-01", "ends_on": "2026-05-01"}, "ends_on"),
    ):
        _refused(
            lambda change=change: procurement.contract_sign(
                process=tendered, actor=officer, award=award, data={**w.CONTRACT, **change}
            ),
            field,
        )
    _plan, other = w.published_process(collectivity_a, officer, object_fr="Autre")
    other = procurement.tender_publish(
        process=other, actor=officer, data={**w.TENDER, "tender_reference": "AO-2"}
    )
    foreign = procurement.award_record(process=other, actor=officer, data=w.AWARD)
    _refused(
        lambda: procurement.contract_sign(
            process=tendered, actor=officer, award=foreign, data=w.CONTRACT
        ),
        "award",
    )


def test_amendments_keep_the_value_at_least_what_is_paid(
    collectivity_a: Collectivity, officer: User
) -> None:
    process, contract = w.paid_process(
        collectivity_a, officer
    )  # 1,150,000 after +50,000; 400,000 paid
    for change, field in (
        ({"amount_change": "-1150000.01"}, "amount_change"),  # below 0
        ({"amount_change": "-750000.01"}, "amount_change"),  # below what is paid
        ({"amended_on": "2026-05-03"}, "amended_on"),  # before the signature
        ({"description": ""}, "description"),
        ({"amount_change": "abc"}, "amount_change"),
    ):
        _refused(
            lambda change=change: procurement.contract_amend(
                contract=contract, actor=officer, data={**w.AMENDMENT, **change}
            ),
            field,
        )
    procurement.contract_amend(
        contract=contract, actor=officer, data={**w.AMENDMENT, "amount_change": "-750000"}
    )
    assert procurement.contract_value(contract) == Decimal(400000)
    assert _tags(process)[-1] == ["contractAmendment"]
    last = _releases(process)[-1].data["contracts"][0]
    assert last["value"]["amount"] == 400000 and len(last["amendments"]) == 2


def test_payments_never_exceed_the_value_after_amendments(
    collectivity_a: Collectivity, officer: User
) -> None:
    process, contract = w.contracted_process(collectivity_a, officer)  # 1,100,000
    procurement.payment_record(
        contract=contract, actor=officer, data={**w.PAYMENT, "amount": "1000000"}
    )
    _refused(
        lambda: procurement.payment_record(
            contract=contract, actor=officer, data={**w.PAYMENT, "amount": "100000.01"}
        ),
        "amount",
    )
    for change, field in (
        ({"paid_on": "2026-05-03"}, "paid_on"),
        ({"paid_on": "2026-07-02"}, "paid_on"),
        ({"amount": "0"}, "amount"),
        ({"reference": "R" * 65}, "reference"),
    ):
        _refused(
            lambda change=change: procurement.payment_record(
                contract=contract, actor=officer, data={**w.PAYMENT, **change}
            ),
            field,
        )
    procurement.contract_amend(contract=contract, actor=officer, data=w.AMENDMENT)  # +50,000
    procurement.payment_record(
        contract=contract, actor=officer, data={**w.PAYMENT, "amount": "150000"}
    )
    assert procurement.contract_paid(contract) == procurement.contract_value(contract)
    transactions = _releases(process)[-1].data["contracts"][0]["implementation"]["transactions"]
    assert [t["value"]["amount"] for t in transactions] == [1000000, 150000]


def test_each_step_appends_one_release_whose_content_grows(
    collectivity_a: Collectivity, officer: User
) -> None:
    line = w.budget_line(collectivity_a)
    _plan, process = w.published_process(collectivity_a, officer, budget_item=line.pk)
    steps: list[Callable[[], object]] = [
        lambda: procurement.tender_publish(process=process, actor=officer, data=w.TENDER),
        lambda: procurement.process_document_add(
            process=process, actor=officer, title="Avis d'appel d'offres", file=w.pdf_file()
        ),
        lambda: procurement.award_record(process=process, actor=officer, data=w.AWARD),
        lambda: procurement.contract_sign(
            process=process,
            actor=officer,
            award=Award.objects.get(process=process),
            data=w.CONTRACT,
        ),
        lambda: procurement.contract_amend(
            contract=Contract.objects.get(process=process), actor=officer, data=w.AMENDMENT
        ),
        lambda: procurement.payment_record(
            contract=Contract.objects.get(process=process), actor=officer, data=w.PAYMENT
        ),
        lambda: procurement.process_complete(process=process, actor=officer),
    ]
    for step in steps:
        before = Release.objects.count()
        step()
        assert Release.objects.count() == before + 1
    releases = _releases(process)
    assert [r.tags for r in releases] == [
        ["planning"],
        ["tender"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
        ["contractAmendment"],
        ["implementation"],
        ["implementationUpdate"],
    ]
    assert all(set(r.tags) <= RELEASE_TAGS for r in releases)
    assert [r.release_id for r in releases] == [f"{process.ocid}-{n:05d}" for n in range(1, 9)]
    data = [r.data for r in releases]
    assert all(d["ocid"] == process.ocid for d in data)
    assert all(d["planning"]["budget"]["id"] == f"2026-investment-{line.code}" for d in data)
    assert "documents" not in data[0]["tender"]
    # The portal's notice, then the notice and the document published.
    assert [len(d["tender"]["documents"]) for d in data[1:]] == [1] + [2] * 6
    assert [("awards" in d) for d in data] == [False, False, False, True, True, True, True, True]
    assert [("contracts" in d) for d in data] == [False] * 4 + [True] * 4
    assert (
        "amendments" in data[5]["contracts"][0] and "implementation" not in data[5]["contracts"][0]
    )
    assert data[6]["contracts"][0]["implementation"]["transactions"][0]["value"] == {
        "amount": 400000.0,
        "currency": "MAD",
    }
    assert data[6]["contracts"][0]["status"] == "active"
    assert data[7]["contracts"][0]["status"] == "terminated"
    assert [d["tender"]["status"] for d in data] == ["planned", "active", "active"] + [
        "complete"
    ] * 5
    # Earlier releases never change.
    assert Release.objects.get(pk=releases[0].pk).data == data[0]
    process.refresh_from_db()
    assert process.stage == Stage.COMPLETED
    actions = list(
        Event.objects.filter(object_type="finance.process", object_id=str(process.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "finance.process_created",
        "finance.tender_published",
        "finance.process_document_added",
        "finance.award_recorded",
        "finance.contract_signed",
        "finance.contract_amended",
        "finance.payment_recorded",
        "finance.process_completed",
    ]


def test_ocids_are_unique_across_collectivities_and_never_change(
    collectivity_a: Collectivity, collectivity_b: Collectivity, officer: User, charlie: User
) -> None:
    process, _contract = w.paid_process(collectivity_a, officer)
    ocid = process.ocid
    plan_b = procurement.plan_get_or_create(collectivity=collectivity_b, actor=charlie, year=2026)
    for n in range(3):
        procurement.planned_item_save(
            plan=plan_b, actor=charlie, data={**w.ITEM, "object_fr": f"B {n}"}
        )
    procurement.plan_publish(plan=plan_b, actor=charlie)
    more = procurement.process_create(
        collectivity=collectivity_a,
        actor=officer,
        data={
            "year": 2027,
            "title_ar": "صفقة 2027",
            "category": "goods",
            "procedure": "open_tender",
            "estimated_amount": "10",
        },
    )
    ocids = list(Process.objects.values_list("ocid", flat=True))
    assert len(ocids) == len(set(ocids)) == 5
    assert more.ocid.endswith("-2027-1")
    assert {o.rsplit("-", 1)[0] for o in ocids if "commune-a" not in o} == {
        f"{settings.INFITAH_OCDS_PREFIX}-commune-b-2026"
    }
    process.refresh_from_db()
    assert process.ocid == ocid
    assert set(process.releases.values_list("data__ocid", flat=True)) == {ocid}


# --- documents ----------------------------------------------------------------------------------


def test_a_document_is_checked_by_its_content_and_nothing_is_stored_when_refused(
    collectivity_a: Collectivity, officer: User, tmp_path: Path
) -> None:
    _plan, process = w.published_process(collectivity_a, officer)
    disguised = SimpleUploadedFile(
        "avis.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    _refused(
        lambda: procurement.process_document_add(
            process=process, actor=officer, title="Avis", file=disguised
        ),
        "file",
    )
    _refused(
        lambda: procurement.process_document_add(
            process=process, actor=officer, title="", file=w.pdf_file()
        ),
        "title",
    )
    _refused(
        lambda: procurement.process_document_add(
            process=process, actor=officer, title="Avis", file=w.pdf_file("avis\u202efdp.pdf")
        ),
        "file",
    )
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    document = procurement.process_document_add(
        process=process, actor=officer, title="Programme prévisionnel", file=w.pdf_file()
    )
    assert document.stage == Stage.PLANNED and document.content_type == "application/pdf"
    assert document.file.read() == w.PDF
    release = _releases(process)[-1]
    assert release.tags == ["planningUpdate"]
    [listed] = release.data["tender"]["documents"]
    assert listed["documentType"] == "procurementPlan" and listed["format"] == "application/pdf"


def test_the_release_tag_of_a_document_follows_the_stage(
    collectivity_a: Collectivity, officer: User
) -> None:
    _plan, planned = w.published_process(collectivity_a, officer)
    procurement.process_cancel(process=planned, actor=officer, reason="Abandon")
    procurement.process_document_add(
        process=planned, actor=officer, title="Décision", file=w.pdf_file()
    )
    assert _tags(planned)[-1] == ["planningUpdate"]  # cancelled before any notice
    [decision] = _releases(planned)[-1].data["tender"]["documents"]
    assert decision["documentType"] == "cancellationDetails"
    process, contract = w.contracted_process(collectivity_a, officer)
    procurement.process_document_add(
        process=process, actor=officer, title="Marché signé", file=w.pdf_file()
    )
    assert _tags(process)[-1] == ["contractUpdate"]
    procurement.payment_record(contract=contract, actor=officer, data=w.PAYMENT)
    procurement.process_document_add(
        process=process, actor=officer, title="Décompte", file=w.pdf_file()
    )
    assert _tags(process)[-1] == ["implementationUpdate"]
