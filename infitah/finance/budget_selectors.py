"""Reads of the public budget: a collectivity's budgets by year, the citizen budget of a
year, the gender budgeting report and the lines of the open-data files.

Which figures a page shows (workflow.py):
- the *current* figures of a phase are those of its latest version (highest number);
- *budgeted*: the latest amended version if there is one, else the approved, else the
  proposed; *executed*: the latest executed version;
- the execution rate is executed / budgeted, for expenditure and for revenue apart.

Totals are summed from the amounts (not read from `BudgetVersion.total_*`), so that a
page's totals always equal the sum of its lines and of the CSV's rows.

Every function takes the collectivity (or a budget fetched under it) and runs a fixed
number of queries, whatever the number of lines or of years
(tests/test_budget_public_queries.py counts them). Charts are drawn here, in the active
language (`charts.py`), as the openplan app's selectors do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.finance import charts
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.workflow import Direction, GenderMarker, KeyDocument, Phase, Section
from infitah.openplan.models import Commitment
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.publication.models import Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

PHASE_ORDER = {phase: index for index, phase in enumerate(Phase.values)}
DIRECTION_ORDER = {direction: index for index, direction in enumerate(Direction.values)}
SECTION_ORDER = {section: index for index, section in enumerate(Section.values)}
# The phases whose latest version is "the budget", in order of preference.
BUDGETED_PHASES = (Phase.AMENDED, Phase.APPROVED, Phase.PROPOSED)
# Revenue by chapter: the largest chapters, the rest summed as "other".
TOP_CHAPTERS = 6
# The gender markers in the order the report lists them (None: not marked).
MARKERS: tuple[int | None, ...] = (
    GenderMarker.PRINCIPAL,
    GenderMarker.SIGNIFICANT,
    GenderMarker.NOT_TARGETED,
    None,
)
# Budget.year's range (its check constraint).
YEAR_MIN, YEAR_MAX = 2000, 2100
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _pick(ar: str, fr: str) -> str:
    """The text in the page's language, else the other one."""
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


def rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when either is unknown
    or `whole` is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def per_head(amount: Decimal | None, population: int | None) -> Decimal | None:
    """`amount` per inhabitant, to the centime; None when the population is unknown."""
    if amount is None or not population:
        return None
    return (amount / population).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- versions


def latest_versions(versions: Iterable[BudgetVersion]) -> dict[str, BudgetVersion]:
    """The latest version of each phase, by phase."""
    latest: dict[str, BudgetVersion] = {}
    for version in versions:
        found = latest.get(version.phase)
        if found is None or version.number > found.number:
            latest[version.phase] = version
    return latest


def budgeted_of(latest: dict[str, BudgetVersion]) -> BudgetVersion | None:
    return next((latest[p] for p in BUDGETED_PHASES if p in latest), None)


@dataclass(frozen=True)
class Totals:
    revenue: Decimal
    expenditure: Decimal


@dataclass(frozen=True)
class YearSummary:
    """A budget with the latest version of each phase and their totals."""

    budget: Budget
    latest: dict[str, BudgetVersion]
    totals: dict[int, Totals]  # by version pk, for the versions in `latest`

    @property
    def year(self) -> int:
        return int(self.budget.year)

    @property
    def phases(self) -> list[BudgetVersion]:
        """The latest version of each phase available, in the phases' order."""
        return [self.latest[p] for p in Phase.values if p in self.latest]

    @property
    def budgeted(self) -> BudgetVersion | None:
        return budgeted_of(self.latest)

    @property
    def executed(self) -> BudgetVersion | None:
        return self.latest.get(Phase.EXECUTED)

    def _totals(self, version: BudgetVersion | None) -> Totals | None:
        if version is None:
            return None
        return self.totals.get(version.pk, Totals(Decimal(0), Decimal(0)))

    @property
    def budgeted_totals(self) -> Totals | None:
        return self._totals(self.budgeted)

    @property
    def executed_totals(self) -> Totals | None:
        return self._totals(self.executed)

    @property
    def expenditure_rate(self) -> Decimal | None:
        budgeted, executed = self.budgeted_totals, self.executed_totals
        if budgeted is None or executed is None:
            return None
        return rate(executed.expenditure, budgeted.expenditure)

    @property
    def revenue_rate(self) -> Decimal | None:
        budgeted, executed = self.budgeted_totals, self.executed_totals
        if budgeted is None or executed is None:
            return None
        return rate(executed.revenue, budgeted.revenue)


def _version_totals(version_ids: Sequence[int]) -> dict[int, Totals]:
    """Revenue and expenditure of each version, summed from its amounts (one query)."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if version_ids:
        rows = (
            Amount.objects.filter(version_id__in=version_ids)
            .values("version_id", "item__direction")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            total = row["total"] or Decimal(0)
            sums[row["version_id"]][row["item__direction"]] = total.quantize(CENT)
    return {
        pk: Totals(
            revenue=found.get(Direction.REVENUE, Decimal(0)),
            expenditure=found.get(Direction.EXPENDITURE, Decimal(0)),
        )
        for pk, found in sums.items()
    }


def budget_years(*, collectivity: Collectivity) -> list[YearSummary]:
    """The collectivity's budgets, newest first, each with the latest version of each
    phase and their totals (three queries)."""
    budgets = list(
        Budget.objects.filter(collectivity=collectivity)
        .prefetch_related("versions")
        .order_by("-year")
    )
    latest = {b.pk: latest_versions(b.versions.all()) for b in budgets}
    totals = _version_totals([v.pk for found in latest.values() for v in found.values()])
    return [YearSummary(budget=b, latest=latest[b.pk], totals=totals) for b in budgets]


def budget_get(*, collectivity: Collectivity, year: int) -> Budget | None:
    """The collectivity's budget of `year` (one query)."""
    return (
        Budget.objects.filter(collectivity=collectivity, year=year)
        .select_related("collectivity")
        .first()
    )


# --------------------------------------------------------------------------- the year


@dataclass(frozen=True)
class Slice:
    label: str
    amount: Decimal
    share: Decimal | None  # percentage of the breakdown's total
    code: str = ""


@dataclass(frozen=True)
class Breakdown:
    """Amounts grouped one way, with their chart."""

    ident: str
    title: str
    slices: list[Slice]
    total: Decimal
    chart: SafeString


def _breakdown(ident: str, title: str, groups: Sequence[tuple[str, Decimal, str]]) -> Breakdown:
    total = sum((amount for _label, amount, _code in groups), Decimal(0))
    slices = [
        Slice(label=label, amount=amount, share=rate(amount, total), code=code)
        for label, amount, code in groups
    ]
    chart = charts.bar_chart(
        [(s.label, s.amount) for s in slices], title=title, unit=_("MAD"), ident=ident
    )
    return Breakdown(ident=ident, title=title, slices=slices, total=total, chart=chart)


def top_with_other(
    groups: Sequence[tuple[str, Decimal, str]], top: int
) -> list[tuple[str, Decimal, str]]:
    """The `top` largest groups, then the rest summed as "Other" (when more than one
    group is left over)."""
    ordered = sorted(groups, key=lambda g: (-g[1], g[2]))
    if len(ordered) <= top + 1:
        return ordered
    rest = sum((amount for _label, amount, _code in ordered[top:]), Decimal(0))
    return [*ordered[:top], (_("Other"), rest, "")]


@dataclass(frozen=True)
class ExecutionRow:
    label: str
    budgeted: Decimal
    executed: Decimal

    @property
    def rate(self) -> Decimal | None:
        return rate(self.executed, self.budgeted)


@dataclass(frozen=True)
class KeyDocumentRow:
    kind: str
    label: str
    document: Document | None  # the published version to link to
    is_withdrawn: bool = False


@dataclass(frozen=True)
class FundedCommitment:
    commitment: Commitment
    amount: Decimal  # the budgeted credits of its lines
    lines: int
    is_public: bool  # its programme's page is public (link to it)


@dataclass
class BudgetPage:
    collectivity: Collectivity
    summary: YearSummary
    # The figures the page shows: the budgeted version, else the executed one.
    shown: BudgetVersion | None
    revenue_by_section: Breakdown | None = None
    revenue_by_chapter: Breakdown | None = None
    expenditure_by_section: Breakdown | None = None
    expenditure_by_function: Breakdown | None = None
    execution: list[ExecutionRow] = field(default_factory=list)
    history: list[YearSummary] = field(default_factory=list)
    history_chart: SafeString | None = None
    documents: list[KeyDocumentRow] = field(default_factory=list)
    commitments: list[FundedCommitment] = field(default_factory=list)

    @property
    def budget(self) -> Budget:
        return self.summary.budget

    @property
    def population(self) -> int | None:
        return self.collectivity.population or None

    @property
    def shown_totals(self) -> Totals | None:
        return self.summary._totals(self.shown)

    @property
    def revenue_per_inhabitant(self) -> Decimal | None:
        totals = self.shown_totals
        return per_head(totals.revenue if totals else None, self.population)

    @property
    def expenditure_per_inhabitant(self) -> Decimal | None:
        totals = self.shown_totals
        return per_head(totals.expenditure if totals else None, self.population)

    @property
    def executed_per_inhabitant(self) -> Decimal | None:
        totals = self.summary.executed_totals
        return per_head(totals.expenditure if totals else None, self.population)


@dataclass(frozen=True)
class _Line:
    """One amount of a version, with what the groupings need of its item."""

    version_id: int
    item_id: int
    amount: Decimal
    direction: str
    section: str
    chapter: str
    function_code: str
    function_label: str


def _lines(version_ids: Sequence[int]) -> list[_Line]:
    """The amounts of the versions with their items' classifications (one query)."""
    if not version_ids:
        return []
    rows = (
        Amount.objects.filter(version_id__in=version_ids)
        .values_list(
            "version_id",
            "item_id",
            "amount",
            "item__direction",
            "item__section",
            "item__chapter",
            "item__function__code",
            "item__function__name_ar",
            "item__function__name_fr",
        )
        .order_by()
    )
    return [
        _Line(
            version_id=version_id,
            item_id=item_id,
            amount=amount,
            direction=direction,
            section=section,
            chapter=chapter,
            function_code=code or "",
            function_label=_pick(name_ar or "", name_fr or "") if code else "",
        )
        for version_id, item_id, amount, direction, section, chapter, code, name_ar, name_fr in rows
    ]


def _chapter_labels(budget: Budget) -> dict[tuple[str, str, str], str]:
    """The label of each chapter's own line (a line with the chapter's code alone, as
    the budget's header rows are), by direction, section and chapter (one query)."""
    rows = BudgetItem.objects.filter(budget=budget, article="", paragraph="", line="").values_list(
        "direction", "section", "chapter", "label_ar", "label_fr"
    )
    return {(d, s, c): _pick(ar, fr) for d, s, c, ar, fr in rows}


def _sum_by(lines: Iterable[_Line], key: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[getattr(line, key)] += line.amount
    return sums


def _sections(lines: Sequence[_Line]) -> list[tuple[str, Decimal, str]]:
    sums = _sum_by(lines, "section")
    return [(str(Section(s).label), sums[s], s) for s in Section.values if s in sums]


def _chapters(
    lines: Sequence[_Line], labels: dict[tuple[str, str, str], str]
) -> list[tuple[str, Decimal, str]]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[(line.section, line.chapter)] += line.amount
    codes = [chapter for _section, chapter in sums]
    groups = []
    for (section, chapter), amount in sums.items():
        label = labels.get((Direction.REVENUE, section, chapter)) or _("Chapter %(code)s") % {
            "code": chapter
        }
        if codes.count(chapter) > 1:  # the same chapter in both sections
            label = f"{label} ({Section(section).label})"
        groups.append((label, amount, f"{section}:{chapter}"))
    return top_with_other(groups, TOP_CHAPTERS)


def _functions(lines: Sequence[_Line]) -> list[tuple[str, Decimal, str]]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    labels: dict[str, str] = {}
    for line in lines:
        sums[line.function_code] += line.amount
        labels[line.function_code] = line.function_label
    groups = sorted(
        ((labels[code], amount, code) for code, amount in sums.items() if code),
        key=lambda g: (-g[1], g[2]),
    )
    if "" in sums:
        groups.append((_("Not classified"), sums[""], ""))
    return groups


def _execution(budgeted: Sequence[_Line], executed: Sequence[_Line]) -> list[ExecutionRow]:
    """Budgeted and executed totals: revenue, expenditure, then expenditure by
    section."""

    def total(lines: Sequence[_Line], direction: str, section: str = "") -> Decimal:
        return sum(
            (
                line.amount
                for line in lines
                if line.direction == direction and (not section or line.section == section)
            ),
            Decimal(0),
        )

    rows = [
        ExecutionRow(
            label=str(Direction(direction).label),
            budgeted=total(budgeted, direction),
            executed=total(executed, direction),
        )
        for direction in (Direction.REVENUE, Direction.EXPENDITURE)
    ]
    for section in Section.values:
        rows.append(
            ExecutionRow(
                label=_("Expenditure: %(section)s") % {"section": Section(section).label},
                budgeted=total(budgeted, Direction.EXPENDITURE, section),
                executed=total(executed, Direction.EXPENDITURE, section),
            )
        )
    return rows


def _history_chart(history: Sequence[YearSummary]) -> SafeString:
    rows: list[tuple[str, Sequence[charts.Number | None]]] = []
    for summary in history:
        budgeted, executed = summary.budgeted_totals, summary.executed_totals
        rows.append(
            (
                str(summary.year),
                [
                    budgeted.expenditure if budgeted else None,
                    executed.expenditure if executed else None,
                ],
            )
        )
    return charts.grouped_bar_chart(
        rows,
        series=[_("Budgeted"), _("Executed")],
        title=_("Expenditure, year by year"),
        unit=_("MAD"),
        ident="history",
    )


def _documents(budget: Budget) -> list[KeyDocumentRow]:
    """The eight key documents in the Open Budget Survey's order, each linked to its
    published version: a superseded document leads to the version that replaced it (two
    queries)."""
    links = {
        link.kind: link.document
        for link in KeyDocumentLink.objects.filter(budget=budget).select_related("document")
    }
    series = [d.series for d in links.values() if d.status != DocumentStatus.PUBLISHED]
    current = {
        d.series: d
        for d in Document.objects.filter(
            collectivity_id=budget.collectivity_id,
            series__in=series,
            status=DocumentStatus.PUBLISHED,
        )
    }
    rows = []
    for kind in KeyDocument:
        document = links.get(kind.value)
        if document is not None and document.status != DocumentStatus.PUBLISHED:
            replaced = current.get(document.series)
            if replaced is None and document.status == DocumentStatus.WITHDRAWN:
                rows.append(KeyDocumentRow(kind.value, str(kind.label), None, is_withdrawn=True))
                continue
            document = replaced or document
        rows.append(KeyDocumentRow(kind.value, str(kind.label), document))
    return rows


def _commitments(budget: Budget, amounts: dict[int, Decimal]) -> list[FundedCommitment]:
    """The action-plan commitments the budget's lines fund, with the lines' budgeted
    credits (one query)."""
    items = (
        BudgetItem.objects.filter(budget=budget, commitment__isnull=False)
        .select_related("commitment__programme")
        .only(
            "pk",
            "commitment__id",
            "commitment__number",
            "commitment__title_ar",
            "commitment__title_fr",
            "commitment__programme__id",
            "commitment__programme__collectivity_id",
            "commitment__programme__status",
            "commitment__programme__title_ar",
            "commitment__programme__title_fr",
        )
        .order_by("commitment__programme_id", "commitment__number", "pk")
    )
    found: dict[int, tuple[Commitment, list[int]]] = {}
    for item in items:
        commitment = item.commitment
        assert commitment is not None  # filtered above
        found.setdefault(commitment.pk, (commitment, []))[1].append(item.pk)
    return [
        FundedCommitment(
            commitment=commitment,
            amount=sum((amounts.get(pk, Decimal(0)) for pk in pks), Decimal(0)),
            lines=len(pks),
            is_public=commitment.programme.collectivity_id == budget.collectivity_id
            and commitment.programme.status != ProgrammeStatus.ABANDONED,
        )
        for commitment, pks in found.values()
    ]


def budget_public_get(*, collectivity: Collectivity, year: int) -> BudgetPage | None:
    """The citizen budget of `year`: where the money comes from and where it goes, per
    inhabitant, the execution, the comparison with the other years, the eight key
    documents and the commitments funded; None when the collectivity has no budget that
    year (eight queries)."""
    years = budget_years(collectivity=collectivity)
    summary = next((s for s in years if s.year == year), None)
    if summary is None:
        return None
    budgeted, executed = summary.budgeted, summary.executed
    shown = budgeted or executed
    page = BudgetPage(collectivity=collectivity, summary=summary, shown=shown)
    versions = [v.pk for v in (shown, executed) if v is not None]
    lines = _lines(versions)
    labels = _chapter_labels(summary.budget)
    if shown is not None:
        own = [line for line in lines if line.version_id == shown.pk]
        revenue = [line for line in own if line.direction == Direction.REVENUE]
        spent = [line for line in own if line.direction == Direction.EXPENDITURE]
        page.revenue_by_section = _breakdown(
            "revenue-section", _("Revenue by section"), _sections(revenue)
        )
        page.revenue_by_chapter = _breakdown(
            "revenue-chapter", _("Revenue by chapter"), _chapters(revenue, labels)
        )
        page.expenditure_by_section = _breakdown(
            "expenditure-section", _("Expenditure by section"), _sections(spent)
        )
        page.expenditure_by_function = _breakdown(
            "expenditure-function", _("Expenditure by function"), _functions(spent)
        )
    if budgeted is not None and executed is not None:
        page.execution = _execution(
            [line for line in lines if line.version_id == budgeted.pk],
            [line for line in lines if line.version_id == executed.pk],
        )
    page.history = sorted(years, key=lambda s: s.year)
    page.history_chart = _history_chart(page.history)
    page.documents = _documents(summary.budget)
    credits = {line.item_id: line.amount for line in lines if shown and line.version_id == shown.pk}
    page.commitments = _commitments(summary.budget, credits)
    return page


# --------------------------------------------------------------------------- gender


@dataclass(frozen=True)
class MarkerShare:
    marker: int | None
    label: str
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class GenderYear:
    year: int
    version: BudgetVersion
    shares: list[MarkerShare]
    total: Decimal


@dataclass(frozen=True)
class IndicatorRow:
    indicator: GenderIndicator

    @property
    def total(self) -> int:
        return int(self.indicator.women) + int(self.indicator.men)

    @property
    def women_share(self) -> Decimal | None:
        return rate(Decimal(self.indicator.women), Decimal(self.total))


@dataclass
class GenderReport:
    collectivity: Collectivity
    budget: Budget
    version: BudgetVersion | None  # the budgeted version of the year
    current: GenderYear | None
    chart: SafeString | None
    evolution: list[GenderYear]
    evolution_chart: SafeString | None
    indicators: list[IndicatorRow]
    comments: list[GenderComment]


def marker_label(marker: int | None) -> str:
    return str(GenderMarker(marker).label) if marker is not None else _("Not marked")


def _gender_years(collectivity: Collectivity) -> list[GenderYear]:
    """Each year's budgeted expenditure credits by gender marker, oldest first (two
    queries)."""
    versions = BudgetVersion.objects.filter(budget__collectivity=collectivity).select_related(
        "budget"
    )
    by_budget: dict[int, list[BudgetVersion]] = defaultdict(list)
    for version in versions:
        by_budget[version.budget_id].append(version)
    budgeted = [
        found
        for found in (budgeted_of(latest_versions(vs)) for vs in by_budget.values())
        if found is not None
    ]
    sums: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
    if budgeted:
        rows = (
            Amount.objects.filter(
                version_id__in=[v.pk for v in budgeted], item__direction=Direction.EXPENDITURE
            )
            .values("version_id", "item__gender_marker")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            total = row["total"] or Decimal(0)
            sums[row["version_id"]][row["item__gender_marker"]] = total.quantize(CENT)
    years = []
    for version in sorted(budgeted, key=lambda v: v.budget.year):
        found = sums.get(version.pk, {})
        total = sum(found.values(), Decimal(0))
        shares = [
            MarkerShare(
                marker=marker,
                label=marker_label(marker),
                amount=found.get(marker, Decimal(0)),
                share=rate(found.get(marker, Decimal(0)), total),
            )
            for marker in MARKERS
        ]
        years.append(
            GenderYear(year=int(version.budget.year), version=version, shares=shares, total=total)
        )
    return years


def gender_report(*, collectivity: Collectivity, year: int) -> GenderReport | None:
    """The gender budgeting report of `year`: the share of the budgeted expenditure
    credits per marker and its evolution over the years, the sex-disaggregated
    beneficiaries and the equality body's comments; None without a budget that year
    (five queries; the lines without a marker are paged apart,
    `gender_unmarked_lines`)."""
    budget = budget_get(collectivity=collectivity, year=year)
    if budget is None:
        return None
    evolution = _gender_years(collectivity)
    current = next((y for y in evolution if y.year == year), None)
    chart = None
    if current is not None:
        chart = charts.bar_chart(
            [(s.label, s.amount) for s in current.shares],
            title=_("Expenditure credits by gender marker"),
            unit=_("MAD"),
            ident="gender-markers",
        )
    evolution_chart = None
    if evolution:
        evolution_chart = charts.stacked_bar_chart(
            [(str(y.year), [s.share or Decimal(0) for s in y.shares]) for y in evolution],
            series=[marker_label(m) for m in MARKERS],
            title=_("Share of expenditure credits by gender marker, year by year"),
            unit="%",
            ident="gender-evolution",
        )
    indicators = [
        IndicatorRow(indicator)
        for indicator in GenderIndicator.objects.filter(item__budget=budget)
        .select_related("item")
        .order_by(_in_section_order("item__section"), "item__code", "pk")
    ]
    comments = list(
        GenderComment.objects.filter(budget=budget)
        .select_related("body", "item")
        .order_by("created_at", "pk")
    )
    return GenderReport(
        collectivity=collectivity,
        budget=budget,
        version=current.version if current else None,
        current=current,
        chart=chart,
        evolution=evolution,
        evolution_chart=evolution_chart,
        indicators=indicators,
        comments=comments,
    )


def _in_section_order(field_name: str) -> Case:
    """An ORDER BY term putting the sections in the budget's order (operating first)."""
    return Case(
        *(When(**{field_name: s}, then=Value(i)) for s, i in SECTION_ORDER.items()),
        default=Value(len(SECTION_ORDER)),
        output_field=IntegerField(),
    )


def gender_unmarked_lines(*, budget: Budget, version: BudgetVersion | None) -> QuerySet[BudgetItem]:
    """The budget's expenditure lines without a gender marker, in the budget's order,
    each annotated with `credits`, its amount in `version` (for a paginator: two
    queries a page)."""
    credits = Amount.objects.filter(item=OuterRef("pk"), version=version).values("amount")[:1]
    return (
        BudgetItem.objects.filter(
            budget=budget, direction=Direction.EXPENDITURE, gender_marker__isnull=True
        )
        .annotate(credits=Subquery(credits))
        .only("pk", "section", "code", "label_ar", "label_fr")
        .order_by(_in_section_order("section"), "code", "pk")
    )


# --------------------------------------------------------------------------- open data


@dataclass(frozen=True)
class LineRow:
    """One row of the open-data file: an item's amount in the latest version of one
    phase."""

    direction: str
    phase: str
    section: str
    chapter: str
    article: str
    paragraph: str
    line: str
    code: str
    label_ar: str
    label_fr: str
    function_code: str
    gender_marker: int | None
    amount: Decimal
    fiscal_year: int
    version: int
    as_of: dt.date | None


def budget_line_rows(*, budget: Budget) -> list[LineRow]:
    """Every item's amount in the latest version of each phase, ordered by phase (the
    phases' order), direction, section, code (two queries)."""
    latest = latest_versions(BudgetVersion.objects.filter(budget=budget))
    by_pk = {v.pk: v for v in latest.values()}
    if not by_pk:
        return []
    amounts = (
        Amount.objects.filter(version_id__in=list(by_pk))
        .select_related("item__function")
        .order_by()
    )
    rows = []
    for amount in amounts.iterator(chunk_size=2000):
        item, version = amount.item, by_pk[amount.version_id]
        rows.append(
            LineRow(
                direction=item.direction,
                phase=version.phase,
                section=item.section,
                chapter=item.chapter,
                article=item.article,
                paragraph=item.paragraph,
                line=item.line,
                code=item.code,
                label_ar=item.label_ar,
                label_fr=item.label_fr,
                function_code=item.function.code if item.function else "",
                gender_marker=item.gender_marker,
                amount=amount.amount,
                fiscal_year=int(budget.year),
                version=int(version.number),
                as_of=version.as_of,
            )
        )
    rows.sort(
        key=lambda r: (
            PHASE_ORDER[r.phase],
            DIRECTION_ORDER.get(r.direction, 99),
            SECTION_ORDER.get(r.section, 99),
            r.code,
        )
    )
    return rows
