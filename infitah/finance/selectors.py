"""Reads of the staff budget pages: each takes the collectivity (or a budget already
fetched through it) and loads what its page shows in a fixed number of queries,
whatever the number of years, versions, lines, indicators or comments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Prefetch, Q, QuerySet, When

from infitah.advisory.models import Body, BodyKind
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    FunctionalClass,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.workflow import Direction, KeyDocument, Phase, Section
from infitah.lib.bounds import whole_number
from infitah.openplan.models import Commitment
from infitah.publication.models import Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

YEAR_MIN, YEAR_MAX = 2000, 2100
# Documents offered as key documents: of the budget's year, the one before (the
# proposal, the pre-budget statement) and the two after (year-end and audit reports).
DOCUMENT_CHOICES_MAX = 300


def _pk(value: object) -> int | None:
    """A primary key from a URL or a form (None for anything else: no query, no 500)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return whole_number(value, minimum=1)
    return whole_number(str(value), minimum=1)


# --- budgets and versions ---------------------------------------------------------------------


@dataclass
class PhaseVersions:
    phase: Phase
    versions: list[BudgetVersion] = field(default_factory=list)

    @property
    def current(self) -> BudgetVersion | None:
        return self.versions[-1] if self.versions else None


def by_phase(versions: Iterable[BudgetVersion]) -> list[PhaseVersions]:
    """The versions grouped by phase, in the phases' order, each by number."""
    groups = [PhaseVersions(phase=phase) for phase in Phase]
    index = {group.phase.value: group for group in groups}
    for version in sorted(versions, key=lambda v: v.number):
        index[version.phase].versions.append(version)
    return groups


def budget_list(*, collectivity: Collectivity) -> list[Budget]:
    """The collectivity's budgets, the latest year first, each with `phases` (its
    versions grouped by phase) and `item_count`: two queries."""
    budgets: list[Budget] = list(
        Budget.objects.filter(collectivity=collectivity)
        .annotate(item_count=Count("items"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=BudgetVersion.objects.order_by("phase", "number"),
            )
        )
        .order_by("-year")
    )
    for budget in budgets:
        budget.phases = by_phase(budget.versions.all())  # type: ignore[attr-defined]
    return budgets


def budget_get(*, collectivity: Collectivity, year: object) -> Budget | None:
    """The collectivity's budget of `year` (None for no such year, or a bad number)."""
    number = whole_number(str(year), minimum=YEAR_MIN, maximum=YEAR_MAX)
    if number is None:
        return None
    return (
        Budget.objects.filter(collectivity=collectivity, year=number)
        .select_related("collectivity")
        .first()
    )


def version_list(budget: Budget) -> list[BudgetVersion]:
    """The budget's versions with who imported them, by phase and number."""
    return list(
        BudgetVersion.objects.filter(budget=budget)
        .select_related("imported_by")
        .order_by("phase", "number")
    )


def version_get(budget: Budget, pk: object) -> BudgetVersion | None:
    key = _pk(pk)
    if key is None:
        return None
    return BudgetVersion.objects.filter(budget=budget, pk=key).select_related("budget").first()


def current_versions(versions: Sequence[BudgetVersion]) -> dict[str, BudgetVersion]:
    """Phase -> its latest version (the current figures of the phase)."""
    return {group.phase.value: group.current for group in by_phase(versions) if group.current}


# --- lines -----------------------------------------------------------------------------------

# The budget's own order: revenue before expenditure, operating before investment, then
# by code.
BUDGET_ORDER = (
    Case(When(direction=Direction.REVENUE, then=0), default=1),
    Case(When(section=Section.OPERATING, then=0), default=1),
    "chapter",
    "article",
    "paragraph",
    "line",
    "pk",
)


@dataclass(frozen=True)
class LineFilter:
    direction: str = ""
    section: str = ""
    # Expenditure lines without a gender marker, or lines without a function.
    untagged: str = ""

    def query(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


def line_filter(params: object) -> LineFilter:
    """The filter of the lines' list from the query string (unknown values ignored)."""
    get = getattr(params, "get", None)
    if get is None:
        return LineFilter()
    direction = str(get("direction") or "")
    section = str(get("section") or "")
    untagged = str(get("untagged") or "")
    return LineFilter(
        direction=direction if direction in Direction.values else "",
        section=section if section in Section.values else "",
        untagged=untagged if untagged in ("marker", "function") else "",
    )


def item_query(budget: Budget, filters: LineFilter | None = None) -> QuerySet[BudgetItem]:
    """The budget's lines in the budget's order, with their function and commitment."""
    items = BudgetItem.objects.filter(budget=budget).select_related("function", "commitment")
    if filters is not None:
        if filters.direction:
            items = items.filter(direction=filters.direction)
        if filters.section:
            items = items.filter(section=filters.section)
        if filters.untagged == "marker":
            items = items.filter(direction=Direction.EXPENDITURE, gender_marker__isnull=True)
        elif filters.untagged == "function":
            items = items.filter(function__isnull=True)
    return items.order_by(*BUDGET_ORDER)


@dataclass
class LineRow:
    """A line with its amount in the current version of each phase that has one (None:
    the line is not in that version)."""

    item: BudgetItem
    amounts: list[tuple[Phase, Decimal | None]]


def line_rows(items: Sequence[BudgetItem], current: dict[str, BudgetVersion]) -> list[LineRow]:
    """`items` (a page) with their amounts in the current version of each phase, in the
    phases' order: one query."""
    versions = [(phase, current[phase.value]) for phase in Phase if phase.value in current]
    found: dict[tuple[int, int], Decimal] = {}
    if versions and items:
        for version_id, item_id, amount in Amount.objects.filter(
            version_id__in=[version.pk for _phase, version in versions],
            item__in=[item.pk for item in items],
        ).values_list("version_id", "item_id", "amount"):
            found[(version_id, item_id)] = amount
    return [
        LineRow(
            item=item,
            amounts=[(phase, found.get((version.pk, item.pk))) for phase, version in versions],
        )
        for item in items
    ]


def item_get(budget: Budget, pk: object) -> BudgetItem | None:
    key = _pk(pk)
    if key is None:
        return None
    return (
        BudgetItem.objects.filter(budget=budget, pk=key)
        .select_related("budget__collectivity", "function", "commitment__programme")
        .first()
    )


def item_amounts(item: BudgetItem) -> list[Amount]:
    """The line's amount in every version that has it, by phase and number."""
    return list(
        Amount.objects.filter(item=item)
        .select_related("version")
        .order_by("version__phase", "version__number")
    )


def tag_counts(budget: Budget) -> dict[str, int]:
    """How many lines, expenditure lines, expenditure lines without a gender marker and
    lines without a function the budget has: one query."""
    return BudgetItem.objects.filter(budget=budget).aggregate(
        lines=Count("pk"),
        expenditure=Count("pk", filter=Q(direction=Direction.EXPENDITURE)),
        no_marker=Count(
            "pk", filter=Q(direction=Direction.EXPENDITURE, gender_marker__isnull=True)
        ),
        no_function=Count("pk", filter=Q(function__isnull=True)),
    )


def function_list() -> list[FunctionalClass]:
    return list(FunctionalClass.objects.order_by("code"))


def commitment_choices(*, collectivity: Collectivity) -> list[Commitment]:
    """The commitments of the collectivity's opening programmes, latest programme first."""
    return list(
        Commitment.objects.filter(programme__collectivity=collectivity)
        .select_related("programme")
        .order_by("-programme__starts_on", "programme_id", "number")
    )


def expenditure_items(budget: Budget) -> list[BudgetItem]:
    """The budget's expenditure lines (for the comment form's choice of line)."""
    return list(
        BudgetItem.objects.filter(budget=budget, direction=Direction.EXPENDITURE).order_by(
            *BUDGET_ORDER
        )
    )


# --- gender budgeting -------------------------------------------------------------------------


def indicator_list(item: BudgetItem) -> list[GenderIndicator]:
    return list(GenderIndicator.objects.filter(item=item).order_by("pk"))


def indicator_get(item: BudgetItem, pk: object) -> GenderIndicator | None:
    key = _pk(pk)
    if key is None:
        return None
    return GenderIndicator.objects.filter(item=item, pk=key).select_related("item").first()


def comment_list(budget: Budget, *, item: BudgetItem | None = None) -> list[GenderComment]:
    """The equality body's comments on the budget (only those on `item` when given), in
    the order they were posted."""
    comments = GenderComment.objects.filter(budget=budget).select_related("body", "item", "author")
    if item is not None:
        comments = comments.filter(item=item)
    return list(comments.order_by("created_at", "pk"))


def body_choices(*, collectivity: Collectivity) -> list[Body]:
    """The collectivity's live advisory bodies, the equity and gender body first."""
    bodies = list(Body.objects.filter(collectivity=collectivity, deleted=False).order_by("pk"))
    return sorted(bodies, key=lambda body: body.kind != BodyKind.EQUITY)


# --- key documents ----------------------------------------------------------------------------


@dataclass
class KeyDocumentRow:
    kind: KeyDocument
    link: KeyDocumentLink | None


def key_documents(budget: Budget) -> list[KeyDocumentRow]:
    """The eight key documents in the Open Budget Survey's order, each with its link
    (None: not published for the year): one query."""
    links = {
        link.kind: link
        for link in KeyDocumentLink.objects.filter(budget=budget).select_related("document")
    }
    return [KeyDocumentRow(kind=kind, link=links.get(kind.value)) for kind in KeyDocument]


def document_choices(*, collectivity: Collectivity, year: int) -> list[Document]:
    """The collectivity's published documents dated from the year before the budget's to
    two years after it, newest first (at most DOCUMENT_CHOICES_MAX)."""
    return list(
        Document.objects.filter(
            collectivity=collectivity,
            status=DocumentStatus.PUBLISHED,
            date__year__gte=year - 1,
            date__year__lte=year + 2,
        ).order_by("-date", "-pk")[:DOCUMENT_CHOICES_MAX]
    )
