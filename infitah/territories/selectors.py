"""Reads of the collectivity tree. Every function runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from infitah.territories.models import Collectivity, CollectivityQuerySet, Kind

# The columns a list of collectivities shows.
_LISTED = ("slug", "kind", "name_ar", "name_fr", "population", "is_network_member")


@dataclass
class RegionNode:
    region: Collectivity
    divisions: list[Collectivity] = field(default_factory=list)
    members: list[Collectivity] = field(default_factory=list)


def region_tree() -> list[RegionNode]:
    """Regions with their prefectures/provinces (commune counts annotated) and members.

    Four queries whatever the number of communes: regions, the commune count of each
    division, the divisions, and the communes that are network members. Only the listed
    columns are read: the page renders 87 of these rows on every uncached view.
    """
    regions = list(Collectivity.objects.regions().only(*_LISTED).order_by("name_fr"))
    nodes = {r.pk: RegionNode(region=r) for r in regions}
    counts = dict(
        Collectivity.objects.filter(kind=Kind.COMMUNE)
        .order_by()
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    divisions = (
        Collectivity.objects.filter(kind__in=[Kind.PREFECTURE, Kind.PROVINCE])
        .only(*_LISTED, "parent_id")
        .order_by("name_fr")
    )
    for division in divisions:
        division.commune_count = counts.get(division.pk, 0)  # type: ignore[attr-defined]
        if division.parent_id in nodes:
            nodes[division.parent_id].divisions.append(division)
    members = (
        Collectivity.objects.network_members()
        .exclude(kind=Kind.REGION)
        .order_by("name_fr")
        .only(*_LISTED, "region_id")
    )
    for member in members:
        if member.region_id in nodes:
            nodes[member.region_id].members.append(member)
    return [nodes[r.pk] for r in regions]


def collectivity_get(*, slug: str) -> Collectivity | None:
    """One collectivity with its parent and grandparent loaded (one query, listed columns)."""
    ancestors = [f"{rel}__{f}" for rel in ("parent", "parent__parent") for f in _LISTED]
    return (
        Collectivity.objects.select_related("parent", "parent__parent")
        .only(*_LISTED, "code", "parent_id", "region_id", "joined_network_on", *ancestors)
        .filter(slug=slug)
        .order_by()
        .first()
    )


def collectivity_children(*, collectivity: Collectivity) -> list[Collectivity]:
    """Direct children, each with the count of its own children (at most two queries)."""
    return list(collectivity.children.annotate(child_count=Count("children")).order_by("name_fr"))


def collectivity_list(
    *, kind: str | None = None, parent: Collectivity | None = None, query: str = ""
) -> CollectivityQuerySet:
    qs = Collectivity.objects.select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(Q(parent=parent))
    if query:
        qs = qs.matching(query)
    return qs.order_by("kind", "name_fr", "pk")


def collectivity_search(*, query: str, limit: int = 50) -> list[Collectivity]:
    """Collectivities matching `query`, regions first, for the network home's search."""
    order: dict[str, int] = {Kind.REGION: 0, Kind.PREFECTURE: 1, Kind.PROVINCE: 1, Kind.COMMUNE: 2}
    found = list(collectivity_list(query=query)[: limit + 1])
    found.sort(key=lambda c: (order.get(c.kind, 3), c.name_fr))
    return found
