"""The progress roll-up (progress.py) against hand-computed cases, each with its
arithmetic; then the same rules through the database (`core.milestone_progress_set`,
`core.progress_refresh`): the stored progress of parent milestones, commitments and the
programme."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from infitah.accounts.models import User
from infitah.openplan import progress
from infitah.openplan.models import Commitment, Milestone, Programme
from infitah.openplan.progress import Node, completion_of, node_progress, programme_progress
from infitah.openplan.progress import rollup as roll
from infitah.openplan.services import core
from infitah.openplan.workflow import Completion

D = Decimal


def leaf(p: str | int, weight: str | int | None = None, *, cancelled: bool = False) -> Node:
    return Node(progress=D(p), weight=None if weight is None else D(weight), cancelled=cancelled)


def parent(children: list[Node], weight: str | int | None = None, *, p: str | int = 0) -> Node:
    node = leaf(p, weight)
    node.children = children
    return node


# --- weights ------------------------------------------------------------------------------


def test_weights() -> None:
    # (3 × 100 + 1 × 0) / (3 + 1) = 300 / 4 = 75
    assert roll([leaf(100, 3), leaf(0, 1)]) == D("75.00")
    # (2 × 50 + 1 × 20 + 1 × 10) / (2 + 1 + 1) = 130 / 4 = 32.5
    assert roll([leaf(50, 2), leaf(20, 1), leaf(10, 1)]) == D("32.50")
    # Weights need not be whole: (0.5 × 100 + 1.5 × 0) / 2 = 25
    assert roll([leaf(100, "0.5"), leaf(0, "1.5")]) == D("25.00")


def test_a_missing_weight_is_the_mean_of_the_siblings_given_weights() -> None:
    # Given weights 3 and 1: their mean is 2, the weight of the second milestone.
    # (3 × 100 + 2 × 0 + 1 × 40) / (3 + 2 + 1) = 340 / 6 = 56.666… → 56.67
    assert roll([leaf(100, 3), leaf(0), leaf(40, 1)]) == D("56.67")
    # One weight given (5): both missing ones weigh 5, as if all were equal.
    # (5 × 90 + 5 × 30 + 5 × 0) / 15 = 600 / 15 = 40
    assert roll([leaf(90, 5), leaf(30), leaf(0)]) == D("40.00")


def test_no_weight_at_all_means_equal_weights() -> None:
    # Each weighs 1: (100 + 50 + 0) / 3 = 50
    assert roll([leaf(100), leaf(50), leaf(0)]) == D("50.00")


# --- nesting ------------------------------------------------------------------------------


def test_nested_two_levels() -> None:
    # A = (1 × 100 + 3 × 0) / 4 = 25; then (1 × 25 + 1 × 50) / 2 = 37.5
    a = parent([leaf(100, 1), leaf(0, 3)], 1)
    assert node_progress(a) == D("25.00")
    assert roll([a, leaf(50, 1)]) == D("37.50")


def test_nested_three_levels() -> None:
    # A1 = (100 + 0) / 2 = 50 (no weights: equal);
    # A = (1 × 50 + 1 × 100) / 2 = 75;
    # total = (2 × 75 + 1 × 30) / (2 + 1) = 180 / 3 = 60
    a1 = parent([leaf(100), leaf(0)], 1)
    a = parent([a1, leaf(100, 1)], 2)
    assert node_progress(a1) == D("50.00")
    assert node_progress(a) == D("75.00")
    assert roll([a, leaf(30, 1)]) == D("60.00")


def test_a_parent_s_own_reported_progress_does_not_count_while_it_has_children() -> None:
    # A reported 90 itself, but its children say (0 + 20) / 2 = 10; total (10 + 0) / 2 = 5
    a = parent([leaf(0), leaf(20)], p=90)
    assert node_progress(a) == D("10.00")
    assert roll([a, leaf(0)]) == D("5.00")


# --- cancellation ---------------------------------------------------------------------------


def test_a_cancelled_milestone_is_left_out_and_the_others_share_its_weight() -> None:
    # Without B (weight 2): (1 × 100 + 1 × 0) / (1 + 1) = 50
    # (had B counted at 0: 100 / 4 = 25)
    assert roll([leaf(100, 1), leaf(0, 2, cancelled=True), leaf(0, 1)]) == D("50.00")
    # Even a cancelled milestone at 100 counts for nothing: 0 / 1 = 0
    assert roll([leaf(100, 1, cancelled=True), leaf(0, 1)]) == D("0.00")


def test_a_cancelled_sibling_s_weight_is_not_in_the_mean_of_given_weights() -> None:
    # Active given weights: only A's 4, so C weighs 4 (B's 2 is out with B):
    # (4 × 100 + 4 × 0) / 8 = 50 (counting B's weight in the mean would give
    # C = 3 and 400 / 7 = 57.14)
    assert roll([leaf(100, 4), leaf(0, 2, cancelled=True), leaf(0)]) == D("50.00")


def test_a_cancelled_sub_milestone_is_left_out_of_its_parent() -> None:
    # A = (1 × 60) / 1 = 60 (A2 cancelled); total (60 + 0) / 2 = 30
    a = parent([leaf(60, 1), leaf(0, 5, cancelled=True)])
    assert node_progress(a) == D("60.00")
    assert roll([a, leaf(0)]) == D("30.00")


def test_a_parent_whose_children_are_all_cancelled_counts_as_a_leaf() -> None:
    # A's children are all cancelled: A counts with its own progress, 80;
    # (80 + 20) / 2 = 50
    a = parent([leaf(0, cancelled=True), leaf(100, cancelled=True)], p=80)
    assert node_progress(a) == D("80.00")
    assert roll([a, leaf(20)]) == D("50.00")


def test_no_milestone_that_counts_is_zero() -> None:
    assert roll([]) == D("0.00")
    # Every milestone cancelled: nothing counts.
    assert roll([leaf(100, cancelled=True), leaf(50, 2, cancelled=True)]) == D("0.00")


# --- rounding -----------------------------------------------------------------------------


def test_rounding_half_up_to_two_decimals() -> None:
    # (0.25 + 0) / 2 = 0.125 → 0.13 (half up; half-even would give 0.12)
    assert roll([leaf("0.25"), leaf(0)]) == D("0.13")
    # (0.01 + 0) / 2 = 0.005 → 0.01
    assert roll([leaf("0.01"), leaf(0)]) == D("0.01")
    # 100 / 3 = 33.333… → 33.33; 200 / 3 = 66.666… → 66.67
    assert roll([leaf(100), leaf(0), leaf(0)]) == D("33.33")
    assert roll([leaf(100), leaf(100), leaf(0)]) == D("66.67")


def test_rounding_happens_once_at_the_end() -> None:
    # A = (0.01 + 0) / 2 = 0.005 (shown alone: 0.01); the total uses 0.005 unrounded:
    # (0.005 + 0) / 2 = 0.0025 → 0.00 (rounding A first would give 0.01 / 2 = 0.005 → 0.01)
    a = parent([leaf("0.01"), leaf(0)])
    assert node_progress(a) == D("0.01")
    assert roll([a, leaf(0)]) == D("0.00")


def test_the_programme_is_the_plain_mean_of_its_commitments() -> None:
    # (75 + 50 + 0) / 3 = 41.666… → 41.67
    assert programme_progress([D("75.00"), D("50.00"), D(0)]) == D("41.67")
    # (0.01 + 0) / 2 = 0.005 → 0.01 (half up)
    assert programme_progress([D("0.01"), D(0)]) == D("0.01")
    assert programme_progress([]) == D("0.00")


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("0", Completion.NOT_STARTED),
        ("0.01", Completion.LIMITED),
        ("49.99", Completion.LIMITED),
        ("50", Completion.SUBSTANTIAL),
        ("99.99", Completion.SUBSTANTIAL),
        ("100", Completion.COMPLETED),
    ],
)
def test_completion_levels(value: str, level: Completion) -> None:
    assert completion_of(D(value)) == level


def test_tree_follows_order_and_puts_orphans_at_the_top() -> None:
    def row(pk: int, parent_id: int | None, order: int, p: int = 0) -> SimpleNamespace:
        return SimpleNamespace(
            pk=pk, parent_id=parent_id, weight=None, progress=D(p), is_cancelled=False, order=order
        )

    # 3 is listed first but ordered last; 4's parent (99) is not among them.
    roots, nodes = progress.tree(
        [row(3, None, 2, 10), row(1, None, 1), row(2, 1, 1, 40), row(4, 99, 3)]
    )
    assert [nodes[1], nodes[3], nodes[4]] == roots
    assert nodes[1].children == [nodes[2]]
    # (40 [1 through 2] + 10 + 0) / 3 = 16.666… → 16.67
    assert roll(roots) == D("16.67")


# --- through the database -----------------------------------------------------------------


def _milestone(
    commitment: Commitment,
    actor: User,
    title: str,
    *,
    weight: str = "",
    under: Milestone | None = None,
) -> Milestone:
    return core.milestone_create(
        commitment=commitment,
        actor=actor,
        data={"title_ar": title, "weight": weight, "parent": under.pk if under else ""},
    )


def _stored(milestone: Milestone) -> Decimal:
    return Milestone.objects.get(pk=milestone.pk).progress


@pytest.mark.django_db
def test_stored_progress_of_parents_commitment_and_programme(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    a = _milestone(commitment, focal_point, "أ", weight="2")
    a1 = _milestone(commitment, focal_point, "أ1", weight="1", under=a)
    a2 = _milestone(commitment, focal_point, "أ2", weight="3", under=a)
    b = _milestone(commitment, focal_point, "ب", weight="1")
    core.milestone_progress_set(milestone=a1, progress=D(100))
    # A = (1 × 100 + 3 × 0) / 4 = 25; commitment = (2 × 25 + 1 × 0) / 3 = 16.666… → 16.67
    assert _stored(a) == D("25.00")
    commitment.refresh_from_db()
    assert commitment.progress == D("16.67")
    core.milestone_progress_set(milestone=b, progress=D(70))
    # (2 × 25 + 1 × 70) / 3 = 120 / 3 = 40
    commitment.refresh_from_db()
    assert commitment.progress == D("40.00")
    assert _stored(b) == D("70.00") and _stored(a2) == D("0.00")
    # A second commitment at 0 %: the programme is (40 + 0) / 2 = 20.
    other = core.commitment_create(programme=programme, actor=focal_point, data={"title_fr": "B"})
    programme.refresh_from_db()
    assert programme.progress == D("20.00")
    # Its one milestone done: (40 + 100) / 2 = 70.
    done = _milestone(other, focal_point, "ج")
    core.milestone_progress_set(milestone=done, progress=D(100))
    programme.refresh_from_db()
    assert programme.progress == D("70.00")
    assert Milestone.objects.get(pk=done.pk).completed_on is not None


@pytest.mark.django_db
def test_cancelling_through_the_database(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    a = _milestone(commitment, focal_point, "أ")
    a1 = _milestone(commitment, focal_point, "أ1", under=a)
    a2 = _milestone(commitment, focal_point, "أ2", under=a)
    b = _milestone(commitment, focal_point, "ب")
    core.milestone_progress_set(milestone=a1, progress=D(60))
    # A = (60 + 0) / 2 = 30; commitment = (30 + 0) / 2 = 15
    commitment.refresh_from_db()
    assert (_stored(a), commitment.progress) == (D("30.00"), D("15.00"))
    core.milestone_progress_set(milestone=a2, progress=D(0), cancelled=True)
    # A2 out: A = 60; commitment = (60 + 0) / 2 = 30
    commitment.refresh_from_db()
    assert (_stored(a), commitment.progress) == (D("60.00"), D("30.00"))
    core.milestone_progress_set(milestone=b, progress=D(0), cancelled=True)
    # B out: commitment = 60; the programme's only commitment: 60
    commitment.refresh_from_db()
    programme.refresh_from_db()
    assert commitment.progress == programme.progress == D("60.00")
    core.milestone_progress_set(milestone=a1, progress=D(60), cancelled=True)
    # A's children all cancelled: A counts as a leaf with its stored 60 → still 60.
    commitment.refresh_from_db()
    assert (_stored(a), commitment.progress) == (D("60.00"), D("60.00"))
    # A itself cancelled: nothing counts → 0
    core.milestone_progress_set(milestone=a, progress=D(60), cancelled=True)
    commitment.refresh_from_db()
    assert commitment.progress == D("0.00")
    assert commitment.completion == Completion.NOT_STARTED


@pytest.mark.django_db
def test_progress_refresh_repairs_stale_stored_values(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    a = _milestone(commitment, focal_point, "أ", weight="3")
    a1 = _milestone(commitment, focal_point, "أ1", under=a)
    _milestone(commitment, focal_point, "ب", weight="1")
    # Written behind the services' back: a leaf at 100, the parent and the rows stale.
    Milestone.objects.filter(pk=a1.pk).update(progress=D(100))
    # A = 100 (its one child); commitment = (3 × 100 + 1 × 0) / 4 = 75
    assert core.progress_refresh(commitment=commitment) == D("75.00")
    assert _stored(a) == D("100.00")
    programme.refresh_from_db()
    commitment.refresh_from_db()
    assert commitment.progress == programme.progress == D("75.00")
    assert commitment.completion == Completion.SUBSTANTIAL
