"""Reads of the publication. Every function takes the collectivity and runs a fixed
number of queries, whatever the number of documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from infitah.publication.models import Category, Document, DocumentQuerySet
from infitah.territories.models import Collectivity

# Formats that count as "open / reusable" in the compliance score: machine-readable
# data (CSV, ODS, XLSX) and the open document standard (ODT). PDF, even with a text
# layer, DOCX, plain text and images do not (docs/publication.md).
OPEN_FORMATS = frozenset({"csv", "ods", "odt", "xlsx"})

POINTS_CURRENT = 10
POINTS_COMPLETE = 3
POINTS_OPEN = 3
POINTS_MAX = POINTS_CURRENT + POINTS_COMPLETE + POINTS_OPEN


def category_list(*, collectivity: Collectivity) -> list[Category]:
    """Active categories applicable to the kind of `collectivity` (one query)."""
    return Category.objects.for_kind(collectivity.kind)


def document_list(
    *,
    collectivity: Collectivity,
    category: Category | None = None,
    year: int | None = None,
    include_all: bool = False,
) -> DocumentQuerySet:
    """Documents of `collectivity`, newest first; published only unless `include_all`."""
    qs = Document.objects.for_collectivity(collectivity).select_related("category")
    if not include_all:
        qs = qs.published()
    if category is not None:
        qs = qs.filter(category=category)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-pk")


def document_years(*, collectivity: Collectivity) -> list[int]:
    """Years that have published documents, newest first (one query)."""
    dates = (
        Document.objects.for_collectivity(collectivity)
        .published()
        .dates("date", "year", order="DESC")
    )
    return [d.year for d in dates]


def document_get(*, collectivity: Collectivity, pk: int) -> Document | None:
    """One document of `collectivity` (any status), or None."""
    return (
        Document.objects.for_collectivity(collectivity)
        .select_related("category", "collectivity", "supersedes")
        .filter(pk=pk)
        .first()
    )


def document_get_public(*, pk: int) -> Document | None:
    """One document by id, whatever its collectivity (the API's /documents/{id})."""
    return Document.objects.select_related("category", "collectivity").filter(pk=pk).first()


def document_versions(*, document: Document) -> list[Document]:
    """Every version of the series of `document`, newest first."""
    return list(
        Document.objects.filter(series=document.series, collectivity_id=document.collectivity_id)
        .select_related("category", "collectivity")
        .order_by("-version")
    )


@dataclass
class ComplianceItem:
    category: Category
    latest: Document | None
    is_current: bool
    points: int
    is_open: bool

    @property
    def state(self) -> str:
        if self.latest is None:
            return "missing"
        return "current" if self.is_current else "out_of_date"


@dataclass
class Compliance:
    items: list[ComplianceItem] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(i.points for i in self.items)

    @property
    def max_points(self) -> int:
        return POINTS_MAX * len(self.items)

    @property
    def score(self) -> int:
        """0-100, rounded half up."""
        if not self.items:
            return 0
        return (200 * self.points + self.max_points) // (2 * self.max_points)

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def published(self) -> int:
        return len(self.items) - self.count("missing")

    @property
    def missing(self) -> int:
        return self.count("missing")

    @property
    def out_of_date(self) -> int:
        return self.count("out_of_date")


def is_current(category: Category, document: Document, today: dt.date) -> bool:
    if category.max_age_days is None:
        return True
    return (today - document.reference_date).days <= category.max_age_days


def item_points(category: Category, latest: Document | None, today: dt.date) -> int:
    """SMIIG-DATA manner: 10 if published and current, +3 if declared complete, +3 if in
    an open format. The +3 count for a published document even if it is out of date."""
    if latest is None:
        return 0
    points = POINTS_CURRENT if is_current(category, latest, today) else 0
    if latest.is_complete:
        points += POINTS_COMPLETE
    if latest.file_type in OPEN_FORMATS:
        points += POINTS_OPEN
    return points


def compliance_get(*, collectivity: Collectivity, today: dt.date) -> Compliance:
    """The compliance of `collectivity` with its applicable categories (two queries).

    A category's latest document is its published document with the most recent
    reference date (the end of the period covered, or the document date).
    """
    categories = [c for c in category_list(collectivity=collectivity) if c.counts_in_compliance]
    latest: dict[int, Document] = {}
    documents = (
        Document.objects.for_collectivity(collectivity)
        .published()
        .filter(Q(category__in=[c.pk for c in categories]))
        .only(
            "pk",
            "category_id",
            "date",
            "period_end",
            "is_complete",
            "file_type",
            "title_ar",
            "title_fr",
            "status",
        )
    )
    for document in documents:
        known = latest.get(document.category_id)
        if known is None or (document.reference_date, document.pk) > (
            known.reference_date,
            known.pk,
        ):
            latest[document.category_id] = document
    result = Compliance()
    for category in categories:
        found = latest.get(category.pk)
        result.items.append(
            ComplianceItem(
                category=category,
                latest=found,
                is_current=found is not None and is_current(category, found, today),
                points=item_points(category, found, today),
                is_open=found is not None and found.file_type in OPEN_FORMATS,
            )
        )
    return result
