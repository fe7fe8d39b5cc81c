"""Reads of the practices members share: the public exchange (published practices of
members only) and a member's own staff list (every practice of its collectivity).

Public reads never show a draft nor a practice of a collectivity that is not (or no
longer) a member; staff reads always take the collectivity, so that another
collectivity's practice is simply not found (the views answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from infitah.lib.text import fold_tokens
from infitah.network.models import (
    Event,
    NetworkEventQuerySet,
    Practice,
    PracticeDocument,
    PracticeQuerySet,
    Theme,
)
from infitah.territories.models import Collectivity, Kind

# A search query longer than this is cut (a search box, not a document).
QUERY_MAX = 200
# At most this many words of a query are matched (each one adds a condition).
QUERY_WORDS_MAX = 8
# The practices shown on a collectivity's public page.
MEMBER_PRACTICES_MAX = 6


@dataclass(frozen=True)
class PracticeFilters:
    """The public list's filters, as read from the query string (already cleaned)."""

    q: str = ""
    theme: str = ""
    region: str = ""
    # One collectivity's practices (the link from its public page).
    c: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.theme or self.region or self.c)


def practice_filters(params: dict[str, str]) -> PracticeFilters:
    """Clean filters from query parameters: unknown themes and overlong queries are
    dropped or cut rather than refused (a shared link keeps working)."""
    q = " ".join(str(params.get("q", ""))[:QUERY_MAX].split())
    theme = str(params.get("theme", ""))
    region, c = (str(params.get(name, ""))[:120] for name in ("region", "c"))
    return PracticeFilters(
        q=q,
        theme=theme if theme in Theme.values else "",
        region=region if _is_slug(region) else "",
        c=c if _is_slug(c) else "",
    )


def _is_slug(value: str) -> bool:
    return value.replace("-", "").replace("_", "").isalnum() and value.isascii()


def _public() -> PracticeQuerySet:
    return Practice.objects.published().filter(collectivity__is_network_member=True)


def practice_list_public(*, filters: PracticeFilters) -> QuerySet[Practice]:
    """Published practices of members matching `filters`, newest first, each with its
    collectivity, its event and its number of documents (one query per page).

    Every word of `q` must appear, folded (accents, hamza forms, case ignored), in the
    practice's texts or in its collectivity's names.
    """
    practices = _public()
    if filters.theme:
        practices = practices.filter(theme=filters.theme)
    if filters.region:
        practices = practices.filter(
            Q(collectivity__region__slug=filters.region) | Q(collectivity__slug=filters.region)
        )
    if filters.c:
        practices = practices.filter(collectivity__slug=filters.c)
    for word in fold_tokens(filters.q)[:QUERY_WORDS_MAX]:
        practices = practices.filter(
            Q(search_text__contains=word) | Q(collectivity__search_key__contains=word)
        )
    return (
        practices.select_related("collectivity", "event")
        .annotate(document_count=Count("documents"))
        .order_by("-published_at", "-pk")
    )


def practice_regions() -> list[Collectivity]:
    """The regions with at least one published practice of a member (in the region or
    of the region itself), for the list's filter: one query."""
    practising = _public()
    return list(
        Collectivity.objects.filter(kind=Kind.REGION)
        .filter(
            Q(pk__in=practising.values("collectivity__region_id"))
            | Q(pk__in=practising.values("collectivity_id"))
        )
        .order_by("name_fr")
    )


def practice_collectivity(*, slug: str) -> Collectivity | None:
    """The member collectivity of the list's `c` filter, for the page's heading."""
    return Collectivity.objects.network_members().filter(slug=slug).first() if slug else None


def practice_get_public(*, pk: int) -> Practice | None:
    """A published practice of a member, with its collectivity, event and documents."""
    return (
        _public()
        .select_related("collectivity", "event", "event__parent")
        .prefetch_related("documents")
        .filter(pk=pk)
        .first()
    )


def practice_document_get_public(*, practice_pk: int, pk: int) -> PracticeDocument | None:
    """A document of a published practice of a member."""
    return (
        PracticeDocument.objects.filter(practice__in=_public().filter(pk=practice_pk), pk=pk)
        .select_related("practice")
        .first()
    )


def practices_of(collectivity: Collectivity) -> list[Practice]:
    """The collectivity's published practices for its public page (none unless it is a
    member), newest first, at most MEMBER_PRACTICES_MAX: one query."""
    if not collectivity.is_network_member:
        return []
    return list(
        Practice.objects.published()
        .filter(collectivity=collectivity)
        .select_related("event")
        .annotate(document_count=Count("documents"))
        .order_by("-published_at", "-pk")[:MEMBER_PRACTICES_MAX]
    )


# ---------------------------------------------------------------------- staff side


def practice_list(*, collectivity: Collectivity) -> QuerySet[Practice]:
    """Every practice of `collectivity` (drafts too), newest first, with its event and
    number of documents."""
    return (
        Practice.objects.filter(collectivity=collectivity)
        .select_related("event")
        .annotate(document_count=Count("documents"))
        .order_by("-created_at", "-pk")
    )


def practice_get(*, collectivity: Collectivity, pk: int) -> Practice | None:
    """A practice of `collectivity` (None for another collectivity's)."""
    return (
        Practice.objects.filter(collectivity=collectivity, pk=pk)
        .select_related("collectivity", "event")
        .first()
    )


def practice_documents(practice: Practice) -> list[PracticeDocument]:
    return list(PracticeDocument.objects.filter(practice=practice).order_by("pk"))


def practice_document_get(*, practice: Practice, pk: int) -> PracticeDocument | None:
    return PracticeDocument.objects.filter(practice=practice, pk=pk).first()


def published_events() -> NetworkEventQuerySet:
    """The published (or cancelled) network events."""
    return Event.objects.published()


def practice_events() -> QuerySet[Event]:
    """The network events a practice may say it was presented at: the published ones,
    newest first (their gathering too, for the workshops' labels)."""
    return published_events().select_related("parent").order_by("-starts_at", "-pk")
