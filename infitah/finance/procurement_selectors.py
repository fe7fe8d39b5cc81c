"""Reads of the procurement pages, public and staff. Each takes the collectivity (or an
object already fetched through it) and loads what its page shows in a fixed number of
queries, whatever the number of items, processes, awards, contracts or payments.

What is public: the forecast programme once published (`plan_public_get`), and every
process of a network member's collectivity (each has OCDS releases, which the API
serves as they are recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from infitah.finance.models import (
    Award,
    BudgetItem,
    Contract,
    ContractAmendment,
    Payment,
    PlannedItem,
    Process,
    ProcessDocument,
    ProcurementPlan,
    Release,
)
from infitah.finance.workflow import Category, Direction, Procedure, Stage
from infitah.ledger.selectors import event_list
from infitah.lib.bounds import whole_number
from infitah.openplan.models import Commitment
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.territories.models import Collectivity

# The ledger actions whose note is the reason a process ended without a contract.
CLOSING_ACTIONS = ("finance.process_cancelled", "finance.process_unsuccessful")


def _key(value: object) -> int | None:
    """A primary key from a URL or a form (None for anything else: no query, no 500)."""
    return whole_number(value, minimum=1)


def commitment_is_public(commitment: Commitment | None) -> bool:
    """Whether the commitment's public page exists (its programme is not abandoned)."""
    return commitment is not None and commitment.programme.status != ProgrammeStatus.ABANDONED


# --- the year: the forecast programme and the processes -----------------------------------


@dataclass(frozen=True)
class Total:
    """The planned items of one procedure or category: how many, for how much."""

    code: str
    label: str
    count: int
    amount: Decimal


def _items(plan: ProcurementPlan) -> QuerySet[PlannedItem]:
    return plan.items.select_related(
        "budget_item__budget", "commitment__programme", "process"
    ).order_by("number")


def plan_public_get(*, collectivity: Collectivity, year: int) -> ProcurementPlan | None:
    """The collectivity's forecast programme of `year`, if published."""
    return ProcurementPlan.objects.filter(
        collectivity=collectivity, year=year, published_at__isnull=False
    ).first()


def plan_get(*, collectivity: Collectivity, year: int) -> ProcurementPlan | None:
    """The collectivity's forecast programme of `year`, published or not (staff)."""
    return (
        ProcurementPlan.objects.filter(collectivity=collectivity, year=year)
        .select_related("collectivity")
        .first()
    )


def planned_item_list(*, plan: ProcurementPlan) -> QuerySet[PlannedItem]:
    """The programme's items in order, with their budget line, commitment and process."""
    return _items(plan)


def planned_item_get(*, plan: ProcurementPlan, pk: object) -> PlannedItem | None:
    key = _key(pk)
    if key is None:
        return None
    return _items(plan).filter(pk=key).first()


def plan_totals(*, plan: ProcurementPlan) -> tuple[list[Total], list[Total]]:
    """The planned items by procedure and by category: count and estimated amount."""
    rows: dict[str, list[Total]] = {}
    for name, choices in (("procedure", Procedure), ("category", Category)):
        found = {
            row[name]: row
            for row in plan.items.values(name)
            .annotate(count=Count("pk"), amount=Sum("estimated_amount"))
            .order_by(name)
        }
        rows[name] = [
            Total(
                code=choice.value,
                label=str(choice.label),
                count=found[choice.value]["count"],
                amount=found[choice.value]["amount"] or Decimal(0),
            )
            for choice in choices
            if choice.value in found
        ]
    return rows["procedure"], rows["category"]


def plan_total(totals: list[Total]) -> Decimal:
    return sum((total.amount for total in totals), Decimal(0))


def process_list(*, collectivity: Collectivity, year: int) -> QuerySet[Process]:
    """The collectivity's processes of `year`, in the order they were created, with
    their planned item (its number)."""
    return (
        Process.objects.filter(collectivity=collectivity, year=year)
        .select_related("planned_item")
        .order_by("pk")
    )


def stage_counts(*, collectivity: Collectivity, year: int) -> list[tuple[str, int]]:
    """(stage label, number of processes) for the stages the year's processes are in."""
    found = dict(
        Process.objects.filter(collectivity=collectivity, year=year)
        .values_list("stage")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [(str(stage.label), found[stage.value]) for stage in Stage if stage.value in found]


def procurement_years(*, collectivity: Collectivity, public: bool) -> list[int]:
    """The years with a forecast programme (published, for the public) or a process,
    latest first."""
    plans = ProcurementPlan.objects.filter(collectivity=collectivity)
    if public:
        plans = plans.filter(published_at__isnull=False)
    years = set(plans.values_list("year", flat=True))
    years |= set(
        Process.objects.filter(collectivity=collectivity)
        .values_list("year", flat=True)
        .order_by()
        .distinct()
    )
    return sorted(years, reverse=True)


# --- a process ------------------------------------------------------------------------------


@dataclass
class ContractRow:
    contract: Contract
    amendments: list[ContractAmendment]
    payments: list[Payment]
    value: Decimal
    paid: Decimal
    # The staff page's forms of the contract's steps (payment, amendment).
    forms: list[Any] = field(default_factory=list)

    @property
    def share_paid(self) -> Decimal | None:
        """The share of the value paid, in percent (None for a value of 0)."""
        if self.value <= 0:
            return None
        return (self.paid * 100 / self.value).quantize(Decimal("0.1"))


@dataclass
class ProcessDetail:
    process: Process
    awards: list[Award]
    contracts: list[ContractRow]
    documents: list[ProcessDocument]
    closing_reason: str = ""
    closed_on: dt.datetime | None = None
    releases: list[Release] = field(default_factory=list)

    @property
    def awarded(self) -> Decimal:
        return sum((award.amount for award in self.awards), Decimal(0))

    @property
    def contracted(self) -> Decimal:
        return sum((row.value for row in self.contracts), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((row.paid for row in self.contracts), Decimal(0))

    @property
    def share_paid(self) -> Decimal | None:
        value = self.contracted
        if value <= 0:
            return None
        return (self.paid * 100 / value).quantize(Decimal("0.1"))

    @property
    def commitment_is_public(self) -> bool:
        return commitment_is_public(self.process.commitment)


def _process_query(collectivity: Collectivity) -> QuerySet[Process]:
    return (
        Process.objects.filter(collectivity=collectivity)
        .select_related(
            "collectivity", "planned_item__plan", "budget_item__budget", "commitment__programme"
        )
        .prefetch_related(
            Prefetch("awards", queryset=Award.objects.order_by("awarded_on", "pk")),
            Prefetch(
                "contracts",
                queryset=Contract.objects.select_related("award")
                .prefetch_related(
                    Prefetch(
                        "amendments",
                        queryset=ContractAmendment.objects.order_by("amended_on", "pk"),
                    ),
                    Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk")),
                )
                .order_by("signed_on", "pk"),
            ),
            Prefetch("documents", queryset=ProcessDocument.objects.order_by("published_at", "pk")),
        )
    )


def process_get(*, collectivity: Collectivity, pk: object) -> Process | None:
    """One process of the collectivity, without its parts (None for another's, or a bad
    id): the object a step's page works on."""
    key = _key(pk)
    if key is None:
        return None
    return (
        Process.objects.filter(collectivity=collectivity, pk=key)
        .select_related("collectivity", "planned_item", "budget_item__budget", "commitment")
        .first()
    )


def process_detail(
    *, collectivity: Collectivity, pk: object, with_releases: bool = False
) -> ProcessDetail | None:
    """A process with its awards, contracts (amendments, payments, their totals),
    documents, the reason it ended without a contract (if so) and, for staff, its
    releases (tag, date)."""
    key = _key(pk)
    if key is None:
        return None
    process = _process_query(collectivity).filter(pk=key).first()
    if process is None:
        return None
    rows = []
    for contract in process.contracts.all():
        amendments = list(contract.amendments.all())
        payments = list(contract.payments.all())
        rows.append(
            ContractRow(
                contract=contract,
                amendments=amendments,
                payments=payments,
                value=contract.amount + sum((a.amount_change for a in amendments), Decimal(0)),
                paid=sum((p.amount for p in payments), Decimal(0)),
            )
        )
    detail = ProcessDetail(
        process=process,
        awards=list(process.awards.all()),
        contracts=rows,
        documents=list(process.documents.all()),
    )
    if process.stage in (Stage.CANCELLED, Stage.UNSUCCESSFUL):
        event = (
            event_list(obj=process)
            .filter(action__in=CLOSING_ACTIONS)
            .select_related(None)
            .order_by("-at", "-pk")
            .first()
        )
        if event is not None:
            detail.closing_reason, detail.closed_on = event.note, event.at
    if with_releases:
        detail.releases = list(
            process.releases.order_by("date", "pk").only("release_id", "date", "tags", "process")
        )
    return detail


def document_get(*, process: Process, pk: object) -> ProcessDocument | None:
    key = _key(pk)
    if key is None:
        return None
    return ProcessDocument.objects.filter(process=process, pk=key).first()


def award_get(*, process: Process, pk: object) -> Award | None:
    key = _key(pk)
    if key is None:
        return None
    return Award.objects.filter(process=process, pk=key).first()


def awards_without_contract(*, process: Process) -> list[Award]:
    return list(process.awards.filter(contracts__isnull=True).order_by("awarded_on", "pk"))


def contract_get(*, process: Process, pk: object) -> Contract | None:
    key = _key(pk)
    if key is None:
        return None
    return Contract.objects.filter(process=process, pk=key).select_related("award").first()


# --- choices of the staff forms -----------------------------------------------------------


def budget_line_choices(*, collectivity: Collectivity, year: int) -> list[BudgetItem]:
    """The expenditure lines of the collectivity's budget of `year`."""
    return list(
        BudgetItem.objects.filter(
            budget__collectivity=collectivity,
            budget__year=year,
            direction=Direction.EXPENDITURE,
        ).order_by("section", "code")
    )


def commitment_choices(*, collectivity: Collectivity) -> list[Commitment]:
    """The commitments of the collectivity's action plans (not abandoned ones)."""
    return list(
        Commitment.objects.filter(programme__collectivity=collectivity)
        .exclude(programme__status=ProgrammeStatus.ABANDONED)
        .select_related("programme")
        .order_by("-programme__starts_on", "programme_id", "number")
    )
