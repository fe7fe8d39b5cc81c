"""Reads of the collectivity tree. Every function runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.http import Http404

from infitah.territories.models import Collectivity, CollectivityQuerySet, Kind

# The columns a list of collectivities shows.
_LISTED = ("slug", "kind", "name_ar", "name_fr", "population", "is_network_member")


class Listed(NamedTuple):
    """A collectivity as a list shows it: a plain row, cheaper than a model instance."""

    pk: int
    slug: str
    kind: str
    name_ar: str
    name_fr: str
    population: int | None
    is_network_member: bool
    parent_id: int | None
    region_id: int | None
    child_count: int = 0  # communes of a prefecture or province


_ROW = (
    "pk",
    "slug",
    "kind",
    "name_ar",
    "name_fr",
    "population",
    "is_network_member",
    "parent_id",
    "region_id",
)


@dataclass
class RegionNode:
    region: Listed
    divisions: list[Listed] = field(default_factory=list)
    members: list[Listed] = field(default_factory=list)


# The network home's one query. Plain, portable SQL (SQLite and PostgreSQL): through the
# ORM the same rows took three queries and most of an uncached view's time building them
# (docs/benchmarks.md). The count uses the (parent, kind) index.
_TREE_SQL = """
SELECT t.id, t.slug, t.kind, t.name_ar, t.name_fr, t.population, t.is_network_member,
       t.parent_id, t.region_id,
       CASE WHEN t.kind = %s THEN 0
            ELSE (SELECT COUNT(*) FROM {table} c WHERE c.parent_id = t.id) END
FROM {table} t
WHERE t.kind IN (%s, %s, %s) OR t.is_network_member
ORDER BY t.name_fr, t.id
"""


def region_tree() -> list[RegionNode]:
    """Regions with their prefectures/provinces (and their commune counts) and members.
    The network's own space is never among them (not of these kinds, never a member).

    One query whatever the number of communes; rows are plain tuples, not model
    instances, since the network home shows about a hundred of them on every view.
    """
    sql = _TREE_SQL.format(table=connection.ops.quote_name(Collectivity._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [Kind.COMMUNE, Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE])
        rows = [Listed(*values) for values in cursor.fetchall()]
    nodes = {row.pk: RegionNode(region=row) for row in rows if row.kind == Kind.REGION}
    for row in rows:
        if row.kind == Kind.COMMUNE:
            if row.region_id in nodes:
                nodes[row.region_id].members.append(row)
        elif row.kind != Kind.REGION and row.parent_id in nodes:
            nodes[row.parent_id].divisions.append(row)
    return list(nodes.values())


def collectivity_get(*, slug: str) -> Collectivity | None:
    """One collectivity with its parent and grandparent loaded (one query, listed columns)."""
    if "\x00" in slug:  # PostgreSQL refuses NUL in text: no such slug, not an error
        return None
    ancestors = [f"{rel}__{f}" for rel in ("parent", "parent__parent") for f in _LISTED]
    return (
        Collectivity.objects.select_related("parent", "parent__parent")
        .only(*_LISTED, "code", "parent_id", "region_id", "joined_network_on", *ancestors)
        .filter(slug=slug)
        .order_by()
        .first()
    )


def collectivity_children(*, collectivity: Collectivity) -> list[Listed]:
    """Direct children as rows, each with the count of its own children (one query)."""
    table = connection.ops.quote_name(Collectivity._meta.db_table)
    sql = _CHILDREN_SQL.format(table=table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [collectivity.pk])
        return [Listed(*values) for values in cursor.fetchall()]


_CHILDREN_SQL = """
SELECT t.id, t.slug, t.kind, t.name_ar, t.name_fr, t.population, t.is_network_member,
       t.parent_id, t.region_id,
       (SELECT COUNT(*) FROM {table} c WHERE c.parent_id = t.id)
FROM {table} t
WHERE t.parent_id = %s
ORDER BY t.name_fr, t.id
"""


def collectivity_list(
    *, kind: str | None = None, parent: Collectivity | None = None, query: str = ""
) -> CollectivityQuerySet:
    """Collectivities of the tree (never the network's own space), by kind and name."""
    qs = Collectivity.objects.territorial().select_related("parent")
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


def network_collectivity_or_404(slug: str) -> Collectivity:
    """For public pages of the modules (complaints, petitions, consultations, surveys,
    labs): the collectivity of `slug` if it is a member of the network (only members
    use the platform), else Http404."""
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise Http404
    return collectivity
