"""Progress, rolled up from weighted milestones (pure functions, no database).

A commitment's progress is the weighted mean of its milestones' progress:

- a milestone with sub-milestones takes its progress from them, the same way, at any
  depth; a leaf's progress is what was reported (0–100);
- a cancelled milestone counts for nothing: it is left out and the others share its
  weight (a milestone whose sub-milestones are all cancelled counts as a leaf);
- a missing weight counts as the mean of the weights given among its siblings that count
  (cancelled ones are left out), or 1 when none of them has one (so that no weights at
  all means equal weights);
- a commitment without a milestone that counts is at 0.

A programme's progress is the plain mean of its commitments' progress. Values are
rounded half up to 2 decimals, once, at the end.

The completion level of OGP (not started / limited / substantial / completed) is read
from the progress: 0, under `SUBSTANTIAL_FROM`, under 100, 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from infitah.openplan.workflow import Completion

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# From this progress on, a commitment's completion is "substantial" (OGP: most of it
# done); below it and above 0, "limited".
SUBSTANTIAL_FROM = Decimal(50)


@dataclass
class Node:
    """A milestone for the roll-up: its weight, reported progress, cancellation and
    sub-milestones."""

    progress: Decimal = Decimal(0)
    weight: Decimal | None = None
    cancelled: bool = False
    children: list[Node] = field(default_factory=list)


class MilestoneLike(Protocol):
    pk: Any
    parent_id: Any
    weight: Decimal | None
    progress: Decimal
    is_cancelled: bool
    order: int


def _mean_weight(nodes: Sequence[Node]) -> Decimal:
    given = [node.weight for node in nodes if node.weight is not None]
    return sum(given, Decimal(0)) / len(given) if given else Decimal(1)


def _value(node: Node) -> Decimal:
    active = [child for child in node.children if not child.cancelled]
    return _weighted(active) if active else node.progress


def _weighted(nodes: Sequence[Node]) -> Decimal:
    default = _mean_weight(nodes)
    total = Decimal(0)
    acc = Decimal(0)
    for node in nodes:
        weight = node.weight if node.weight is not None else default
        total += weight
        acc += weight * _value(node)
    return acc / total if total else Decimal(0)


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rollup(nodes: Iterable[Node]) -> Decimal:
    """The progress (0–100, 2 decimals) of a commitment with these top-level milestones."""
    active = [node for node in nodes if not node.cancelled]
    return rounded(_weighted(active)) if active else Decimal("0.00")


def node_progress(node: Node) -> Decimal:
    """The progress of one milestone (from its sub-milestones when it has some)."""
    return rounded(_value(node))


def tree(milestones: Iterable[MilestoneLike]) -> tuple[list[Node], dict[Any, Node]]:
    """The milestones of one commitment as trees: (top-level nodes, node by pk), in
    their order. A milestone whose parent is not among them is a top-level one."""
    items = sorted(milestones, key=lambda m: (m.order, m.pk))
    nodes = {
        m.pk: Node(progress=Decimal(m.progress), weight=m.weight, cancelled=m.is_cancelled)
        for m in items
    }
    roots: list[Node] = []
    for m in items:
        parent = nodes.get(m.parent_id) if m.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[m.pk])
    return roots, nodes


def programme_progress(commitments: Iterable[Decimal]) -> Decimal:
    """The plain mean of the commitments' progress (0 without commitments)."""
    values = list(commitments)
    if not values:
        return Decimal("0.00")
    return rounded(sum(values, Decimal(0)) / len(values))


def completion_of(progress: Decimal) -> Completion:
    if progress >= HUNDRED:
        return Completion.COMPLETED
    if progress >= SUBSTANTIAL_FROM:
        return Completion.SUBSTANTIAL
    if progress > 0:
        return Completion.LIMITED
    return Completion.NOT_STARTED
