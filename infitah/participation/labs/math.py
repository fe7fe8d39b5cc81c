"""Opinion mapping for the collective-intelligence labs (Polis-style), NumPy only.

Pure module: no Django, no SciPy, no scikit-learn. The Django side (models, tasks) calls
`opinion_groups()` and stores `LabResult.to_json()`. Command line:

    python -m infitah.participation.labs.math VOTES.jsonl [--seed N] [--min-votes N]
        [--max-k N] [--exclude STATEMENT_ID ...]

reads JSON lines `{"participant_id": ..., "statement_id": ..., "vote": -1|0|1}` and prints
the result as JSON. The method and its choices are described in docs/labs-maths.md:

1. **Votes.** A later vote of the same participant on the same statement replaces the
   earlier one. Votes on excluded (moderated-out) statements are dropped.
2. **Who is clustered.** Participants with at least `min(min_votes, n_statements)` votes
   (a pass counts as a vote). The others get `group = None`.
3. **PCA.** The vote matrix of the clustered participants, mean-imputed (column mean of
   the observed votes) and column-centred, is zero wherever a vote is missing: it is kept
   sparse (only the observed votes, value `v - mean_j`) and never densified. Its two
   principal axes come from the Lanczos method on X.T X with sparse products in
   O(votes) each. Every participant with a vote is projected from their own votes and
   scaled by `sqrt(n_statements / n_votes)` as Polis does (sparsity-aware projection).
4. **Groups.** k-means (k-means++ seeding, several seeded starts) on the 2-D points for
   k = 2 … min(max_k, 2 + n/12); k is chosen by the silhouette, computed exactly on all
   points up to `SILHOUETTE_SAMPLE` points, else exactly on a seeded uniform sample of
   that size. Groups are numbered by decreasing size.
5. **Representative statements** of a group: a two-proportion z-test (Laplace prior) of
   the group's agree (or disagree) share against everyone else's, plus a one-proportion
   test that the group's share is above one half, both one-sided at 90 % (as Polis).
6. **Consensus** (red-dwarf "standard" mode): per group, Jeffreys-smoothed (prior 0.5)
   `P_agree * (1 - P_disagree)`, geometric mean across groups, kept above 0.5 when the
   overall share is also significantly above one half.

Everything is deterministic for a given seed. When the ids are all integers or all
strings, the result does not depend on the order of the votes either (only on which of
two votes on the same pair comes later).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TextIO

import numpy as np
import numpy.typing as npt

VERSION = "1"

#: Polis's cap on the number of groups; also the default of `max_k`.
MAX_K = 5
#: Silhouette exact on all points up to this many, else on a seeded sample of this size.
SILHOUETTE_SAMPLE = 2_000
#: k-means: seeded k-means++ starts per k, the sample they run on above that many
#: points, the Lloyd iteration limit and tolerance.
KMEANS_STARTS = 4
KMEANS_SAMPLE = 20_000
KMEANS_MAX_ITER = 100
KMEANS_TOL = 1e-4
#: PCA: Lanczos step limit and tolerance (Ritz residual relative to the top eigenvalue).
PCA_MAX_ITER = 300
PCA_TOL = 1e-6
#: One-sided 90 % critical value of the standard normal (Polis and red-dwarf use 90 %).
Z_90 = 1.2815515655446004
#: Representative statements kept per group, consensus statements kept per direction.
PICK_MAX = 5
#: Consensus: Jeffreys prior and score threshold.
JEFFREYS = 0.5
CONSENSUS_THRESHOLD = 0.5

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Direction = Literal["agree", "disagree"]


class VoteInputError(ValueError):
    """Bad votes (a JSON line, a vote value, mismatched lengths)."""


@dataclass(frozen=True)
class Placement:
    """A participant on the opinion map; `group` is None when not clustered."""

    participant_id: Hashable
    group: int | None
    x: float | None
    y: float | None


@dataclass(frozen=True)
class StatementStat:
    """A representative or consensus statement.

    `votes`, `agree`, `disagree`: counts (passes are `votes - agree - disagree`) within
    the group (representative) or among all clustered participants (consensus).
    `p_agree`, `p_disagree`: smoothed shares (Laplace for representative, Jeffreys for
    consensus). `score`: the two-proportion z-score (representative) or the consensus
    score in [0, 1]. `p_rest`: for a representative statement, the smoothed share of
    the other groups voting in `direction`.
    """

    statement_id: Hashable
    direction: Direction
    votes: int
    agree: int
    disagree: int
    p_agree: float
    p_disagree: float
    score: float
    p_rest: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "statement_id": self.statement_id,
            "direction": self.direction,
            "votes": self.votes,
            "agree": self.agree,
            "disagree": self.disagree,
            "p_agree": _round(self.p_agree),
            "p_disagree": _round(self.p_disagree),
            "score": _round(self.score),
            "p_rest": None if self.p_rest is None else _round(self.p_rest),
        }


@dataclass(frozen=True)
class Group:
    group: int
    size: int
    representative: list[StatementStat]


@dataclass(frozen=True)
class LabResult:
    participants: list[Placement]
    groups: list[Group]
    consensus: list[StatementStat]
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The command line's output: plain JSON types only (ids as given)."""
        return {
            "participants": [
                {
                    "participant_id": p.participant_id,
                    "group": p.group,
                    "x": None if p.x is None else _round(p.x),
                    "y": None if p.y is None else _round(p.y),
                }
                for p in self.participants
            ],
            "groups": [
                {
                    "group": g.group,
                    "size": g.size,
                    "representative": [s.to_json() for s in g.representative],
                }
                for g in self.groups
            ],
            "consensus": [s.to_json() for s in self.consensus],
            "params": self.params,
        }


class VoteTable(NamedTuple):
    """Parallel columns of votes, as read from JSON lines."""

    participant_ids: list[Hashable]
    statement_ids: list[Hashable]
    votes: list[int]


def _round(value: float) -> float:
    return round(float(value), 6)


# --------------------------------------------------------------------------- input


def _valid_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value != ""
    )


def read_jsonl(path_or_lines: str | os.PathLike[str] | Iterable[str]) -> VoteTable:
    """Read votes from a JSON-lines file (a path) or from an iterable of lines.

    Blank lines are skipped. Raises `VoteInputError` naming the first bad line.
    """
    if isinstance(path_or_lines, str | os.PathLike):
        try:
            with open(path_or_lines, encoding="utf-8") as handle:
                return _read_lines(handle)
        except OSError as exc:
            raise VoteInputError(f"cannot read {os.fspath(path_or_lines)}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise VoteInputError(f"{os.fspath(path_or_lines)} is not UTF-8 text") from exc
    return _read_lines(path_or_lines)


def _read_lines(lines: Iterable[str]) -> VoteTable:
    participants: list[Hashable] = []
    statements: list[Hashable] = []
    votes: list[int] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise VoteInputError(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise VoteInputError(f"line {number}: expected a JSON object")
        for key in ("participant_id", "statement_id", "vote"):
            if key not in record:
                raise VoteInputError(f"line {number}: missing key {key!r}")
        participant, statement, vote = (
            record["participant_id"],
            record["statement_id"],
            record["vote"],
        )
        if not _valid_id(participant):
            raise VoteInputError(
                f"line {number}: participant_id must be an integer or a non-empty string"
            )
        if not _valid_id(statement):
            raise VoteInputError(
                f"line {number}: statement_id must be an integer or a non-empty string"
            )
        if isinstance(vote, bool) or vote not in (-1, 0, 1) or not isinstance(vote, int):
            raise VoteInputError(f"line {number}: vote must be -1, 0 or 1, got {vote!r}")
        participants.append(participant)
        statements.append(statement)
        votes.append(vote)
    return VoteTable(participants, statements, votes)


def _index_ids(ids: Sequence[Hashable] | npt.NDArray[Any]) -> tuple[list[Hashable], IntArray]:
    """Distinct ids, sorted when they are all integers or all strings (else in order of
    first appearance), and each element's index among them.

    Sorting makes the result independent of the order of the votes.
    """
    array: npt.NDArray[Any] | None = ids if isinstance(ids, np.ndarray) else None
    if array is None and len(ids) > 0 and type(ids[0]) is int:
        array = np.asarray(ids)
    if array is not None and array.ndim == 1 and array.dtype.kind in "iu":
        return _index_integers(array)
    positions: dict[Hashable, int] = {}
    codes = np.empty(len(ids), dtype=np.int64)
    for n, value in enumerate(ids.tolist() if isinstance(ids, np.ndarray) else ids):
        code = positions.get(value)
        if code is None:
            code = positions[value] = len(positions)
        codes[n] = code
    distinct = list(positions)
    kinds = {type(value) for value in distinct}
    if kinds == {int} or kinds == {str}:
        order = sorted(range(len(distinct)), key=distinct.__getitem__)  # type: ignore[arg-type]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        return [distinct[i] for i in order], rank[codes]
    return distinct, codes


def _index_integers(array: npt.NDArray[Any]) -> tuple[list[Hashable], IntArray]:
    if array.size == 0:
        return [], np.zeros(0, dtype=np.int64)
    low, high = int(array.min()), int(array.max())
    if high - low <= 4 * array.size + 1_000_000:
        # Dense lookup table: O(n + range), no sort.
        offsets = (array - low).astype(np.int64)
        present = np.zeros(high - low + 1, dtype=bool)
        present[offsets] = True
        lookup = np.cumsum(present, dtype=np.int64) - 1
        distinct: list[Hashable] = list((np.flatnonzero(present) + low).tolist())
        return distinct, lookup[offsets]
    uniques, inverse = np.unique(array, return_inverse=True)
    return list(uniques.tolist()), inverse.reshape(-1).astype(np.int64)


def _vote_values(votes: Sequence[int] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    array = np.asarray(votes)
    if array.ndim != 1:
        raise VoteInputError("votes must be a one-dimensional sequence")
    if array.size == 0:
        return np.zeros(0, dtype=np.int8)
    if array.dtype.kind == "f":
        if not np.all(np.isin(array, (-1.0, 0.0, 1.0))):
            raise VoteInputError("every vote must be -1, 0 or 1")
    elif array.dtype.kind not in "iu":
        raise VoteInputError("votes must be integers -1, 0 or 1")
    elif array.min() < -1 or array.max() > 1:
        raise VoteInputError("every vote must be -1, 0 or 1")
    return array.astype(np.int8)


# ------------------------------------------------------------------ sparse matrix


class _Sparse:
    """A sparse matrix (COO triples) kept in row order.

    `matvec` gathers and sums each row's run (`np.take`, `np.add.reduceat`); `rmatvec`
    repeats each row's value over its run and scatters into the columns (`np.repeat`,
    `np.bincount`). Both are O(nnz); vector blocks are row-major (one vector per row).
    """

    def __init__(
        self, rows: IntArray, cols: IntArray, vals: FloatArray, shape: tuple[int, int]
    ) -> None:
        self.shape = shape
        by_row = _argsort_small(rows, shape[0])
        if by_row is not None:
            rows, cols, vals = rows[by_row], cols[by_row], vals[by_row]
        self.cols, self.vals = cols, vals
        self.row_ids, self.row_starts = _segments(rows)
        self.row_lengths = np.bincount(rows, minlength=shape[0])

    def matvec(self, block: FloatArray) -> FloatArray:
        """(X @ block.T).T for a block of shape (b, n_cols)."""
        out = np.zeros((block.shape[0], self.shape[0]))
        if self.vals.size:
            buffer = np.empty(self.vals.size)
            for j in range(block.shape[0]):
                np.take(block[j], self.cols, out=buffer)
                buffer *= self.vals
                out[j, self.row_ids] = np.add.reduceat(buffer, self.row_starts)
        return out

    def rmatvec(self, block: FloatArray) -> FloatArray:
        """(X.T @ block.T).T for a block of shape (b, n_rows)."""
        out = np.zeros((block.shape[0], self.shape[1]))
        if self.vals.size:
            for j in range(block.shape[0]):
                weights = np.repeat(block[j], self.row_lengths)
                weights *= self.vals
                out[j] = np.bincount(self.cols, weights=weights, minlength=self.shape[1])
        return out


def _argsort_small(keys: IntArray, bound: int) -> IntArray | None:
    """A stable argsort of non-negative integer keys below `bound` (None: already sorted).

    Sorting `key * n + position` as plain integers is several times faster than
    NumPy's stable argsort; it falls back to the latter when that could overflow.
    """
    n = len(keys)
    if n < 2 or bool(np.all(keys[1:] >= keys[:-1])):
        return None
    if bound * n < 2**62:
        composite = keys.astype(np.int64) * n + np.arange(n, dtype=np.int64)
        composite.sort()
        return composite % n
    return np.argsort(keys, kind="stable").astype(np.int64)


def _segments(sorted_keys: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct keys of a sorted array and the start offset of each run."""
    if sorted_keys.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    starts = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate(([0], starts)).astype(np.int64)
    return sorted_keys[starts].astype(np.int64), starts


def _top_components(
    matrix: _Sparse, n_components: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, int, bool]:
    """The leading eigenvectors of X.T X (X's principal axes) by the Lanczos method.

    Lanczos with full reorthogonalisation from a seeded random start; each step is one
    sparse product X.T (X v), O(nnz). It stops when the residual of each wanted Ritz
    pair, ||X.T X u - theta u||, is below `PCA_TOL` times the largest Ritz value.
    Returns (components of shape (n_components, n_cols), eigenvalues, steps, converged).
    Signs: each component's largest loading is positive.
    """
    n_rows, n_cols = matrix.shape
    max_steps = min(n_rows, n_cols, PCA_MAX_ITER)
    if min(n_components, max_steps) == 0:
        return np.zeros((0, n_cols)), np.zeros(0), 0, True
    basis = np.zeros((max_steps + 1, n_cols))
    start = rng.standard_normal(n_cols)
    basis[0] = start / np.linalg.norm(start)
    alphas: list[float] = []
    betas: list[float] = []
    steps, converged = 0, False
    ritz_values, ritz_vectors = np.zeros(0), np.zeros((0, 0))
    for steps in range(1, max_steps + 1):
        current = basis[steps - 1]
        image = matrix.rmatvec(matrix.matvec(current[None, :]))[0]
        alphas.append(float(current @ image))
        # Full reorthogonalisation (twice is enough) against every basis vector so far.
        for _ in range(2):
            image -= basis[:steps].T @ (basis[:steps] @ image)
        beta = float(np.linalg.norm(image))
        tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        ritz_values, ritz_vectors = np.linalg.eigh(tridiagonal)
        ritz_values, ritz_vectors = ritz_values[::-1], ritz_vectors[:, ::-1]
        wanted = min(n_components, steps)
        residuals = beta * np.abs(ritz_vectors[-1, :wanted])
        scale = max(float(ritz_values[0]), 1e-300)
        if beta <= 1e-12 * scale or (
            wanted == n_components and bool(np.all(residuals <= PCA_TOL * scale))
        ):
            converged = True
            break
        basis[steps] = image / beta
        betas.append(beta)
    wanted = min(n_components, len(ritz_values))
    components = ritz_vectors[:, :wanted].T @ basis[:steps]
    components /= np.maximum(np.linalg.norm(components, axis=1), 1e-300)[:, None]
    for j in range(wanted):
        if components[j, np.argmax(np.abs(components[j]))] < 0:
            components[j] = -components[j]
    return components, np.maximum(ritz_values[:wanted], 0.0), steps, converged


# ----------------------------------------------------------------------- k-means


def _kmeans(
    points: FloatArray, k: int, rng: np.random.Generator
) -> tuple[IntArray, FloatArray, float]:
    """Lloyd's k-means from the best of `KMEANS_STARTS` k-means++ seedings.

    Above `KMEANS_SAMPLE` points, the starts run on a seeded uniform sample and only the
    best one is then run to convergence on all the points.
    """
    if len(points) > KMEANS_SAMPLE:
        sample = np.sort(rng.choice(len(points), KMEANS_SAMPLE, replace=False))
        _labels, centres, _inertia = _kmeans(points[sample], k, rng)
        return _lloyd(points, centres)
    best: tuple[IntArray, FloatArray, float] | None = None
    for _ in range(KMEANS_STARTS):
        labels, centres, inertia = _lloyd(points, _kmeans_plus_plus(points, k, rng))
        if best is None or inertia < best[2] - 1e-12:
            best = (labels, centres, inertia)
    assert best is not None
    return best


def _lloyd(points: FloatArray, centres: FloatArray) -> tuple[IntArray, FloatArray, float]:
    """Lloyd iterations until no point changes group, or the centres move (sum of squared
    shifts) by less than `KMEANS_TOL` times the points' mean variance per dimension
    (scikit-learn's rule), or `KMEANS_MAX_ITER`."""
    k = len(centres)
    rows = np.arange(len(points))
    labels = np.full(len(points), -1, dtype=np.int64)
    tolerance = KMEANS_TOL * float(points.var(axis=0).mean())
    for _iteration in range(KMEANS_MAX_ITER):
        distances = _squared_distances(points, centres)
        new_labels = np.argmin(distances, axis=1).astype(np.int64)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        new_centres = _centres(points, labels, k)
        counts = np.bincount(labels, minlength=k)
        nearest = distances[rows, labels]
        for empty in np.flatnonzero(counts == 0):
            # Give an empty cluster the point farthest from its centre.
            far = int(np.argmax(nearest))
            new_centres[empty] = points[far]
            nearest[far] = 0.0
        shift = float(((new_centres - centres) ** 2).sum())
        centres = new_centres
        if shift <= tolerance:
            break
    distances = _squared_distances(points, centres)
    labels = np.argmin(distances, axis=1).astype(np.int64)
    return labels, centres, float(distances[rows, labels].sum())


def _kmeans_plus_plus(points: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    centres = np.empty((k, points.shape[1]))
    centres[0] = points[rng.integers(len(points))]
    closest = ((points - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        total = closest.sum()
        if total > 0:
            index = int(np.searchsorted(np.cumsum(closest), rng.random() * total, side="right"))
            index = min(index, len(points) - 1)
        else:
            index = int(rng.integers(len(points)))
        centres[j] = points[index]
        closest = np.minimum(closest, ((points - centres[j]) ** 2).sum(axis=1))
    return centres


def _squared_distances(points: FloatArray, centres: FloatArray) -> FloatArray:
    out = np.zeros((len(points), len(centres)))
    for dim in range(points.shape[1]):
        out += (points[:, dim, None] - centres[None, :, dim]) ** 2
    return out


def _centres(points: FloatArray, labels: IntArray, k: int) -> FloatArray:
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    centres = np.zeros((k, points.shape[1]))
    for dim in range(points.shape[1]):
        centres[:, dim] = np.bincount(labels, weights=points[:, dim], minlength=k)
    return centres / np.maximum(counts, 1.0)[:, None]


def _silhouette(distances: FloatArray, labels: IntArray, k: int) -> float:
    """Mean silhouette of the points whose pairwise distances are given (exact).

    A point alone in its cluster scores 0 (as in scikit-learn).
    """
    n = len(labels)
    counts = np.bincount(labels, minlength=k)
    if np.count_nonzero(counts) < 2:
        return -1.0
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    sums = distances @ onehot  # (n, k): total distance to each cluster
    own = counts[labels]
    a = sums[np.arange(n), labels] / np.maximum(own - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / counts[None, :]
    means[:, counts == 0] = np.inf
    means[np.arange(n), labels] = np.inf
    b = means.min(axis=1)
    denominator = np.maximum(a, b)
    s = np.where(denominator > 0, (b - a) / np.where(denominator > 0, denominator, 1.0), 0.0)
    s[own <= 1] = 0.0
    return float(s.mean())


def _pairwise_distances(points: FloatArray) -> FloatArray:
    """Euclidean distances between all pairs of points (one n x n array, in place)."""
    squared = (points**2).sum(axis=1)
    distances: FloatArray = points @ points.T
    distances *= -2.0
    distances += squared[:, None]
    distances += squared[None, :]
    np.maximum(distances, 0.0, out=distances)
    np.sqrt(distances, out=distances)
    return distances


def _choose_groups(
    points: FloatArray, *, seed: int, max_k: int
) -> tuple[IntArray, int, dict[str, float], int]:
    """Labels (numbered by decreasing group size), k, silhouette per k, sample size."""
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0, {}, 0
    distinct = len(np.unique(np.round(points, 12), axis=0))
    k_max = min(max_k, 2 + n // 12, distinct, n - 1)
    if k_max < 2:
        return np.zeros(n, dtype=np.int64), 1, {}, 0
    sample_rng = np.random.default_rng([seed, 1])
    if n > SILHOUETTE_SAMPLE:
        sample = np.sort(sample_rng.choice(n, SILHOUETTE_SAMPLE, replace=False))
    else:
        sample = np.arange(n)
    distances = _pairwise_distances(points[sample])
    silhouettes: dict[str, float] = {}
    best_labels, best_k, best_score = np.zeros(n, dtype=np.int64), 1, -math.inf
    for k in range(2, k_max + 1):
        labels, _centres_k, _inertia = _kmeans(points, k, np.random.default_rng([seed, 2, k]))
        score = _silhouette(distances, labels[sample], k)
        silhouettes[str(k)] = round(score, 6)
        if score > best_score + 1e-9:
            best_labels, best_k, best_score = labels, k, score
    return _renumber(best_labels, points, best_k), best_k, silhouettes, len(sample)


def _renumber(labels: IntArray, points: FloatArray, k: int) -> IntArray:
    """Groups numbered 0, 1, … by decreasing size (ties: by the centre's x, then y)."""
    counts = np.bincount(labels, minlength=k)
    centres = _centres(points, labels, k)
    order = sorted(range(k), key=lambda g: (-counts[g], centres[g, 0], centres[g, 1]))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[labels]


# ------------------------------------------------------------- statement statistics


def _group_counts(
    groups: IntArray, statements: IntArray, values: npt.NDArray[np.int8], k: int, m: int
) -> tuple[IntArray, IntArray, IntArray]:
    """(agree, disagree, votes) counts of shape (k, m)."""
    cell = groups * m + statements
    size = k * m
    votes = np.bincount(cell, minlength=size).reshape(k, m)
    agree = np.bincount(cell[values == 1], minlength=size).reshape(k, m)
    disagree = np.bincount(cell[values == -1], minlength=size).reshape(k, m)
    return agree.astype(np.int64), disagree.astype(np.int64), votes.astype(np.int64)


def _representative(
    agree: IntArray, disagree: IntArray, votes: IntArray, statement_ids: list[Hashable]
) -> list[list[StatementStat]]:
    """Per group, the statements it agrees (or disagrees) with significantly more than
    the other groups: two-proportion z-test with a Laplace prior (one-sided, 90 %) and
    a one-proportion test of the group's own share against one half (one-sided, 90 %).
    """
    k = votes.shape[0]
    if k < 2:
        return [[] for _ in range(k)]
    out: list[list[StatementStat]] = []
    totals = (agree.sum(axis=0), disagree.sum(axis=0), votes.sum(axis=0))
    for g in range(k):
        n_in = votes[g] + 2.0
        n_out = totals[2] - votes[g] + 2.0
        best_z = np.full(votes.shape[1], -np.inf)
        best_dir = np.zeros(votes.shape[1], dtype=np.int64)
        p_rest = np.zeros(votes.shape[1])
        for d, counts in enumerate((agree, disagree)):
            s_in = counts[g] + 1.0
            s_out = totals[d] - counts[g] + 1.0
            p_in, p_out = s_in / n_in, s_out / n_out
            pooled = (s_in + s_out) / (n_in + n_out)
            z_rep = (p_in - p_out) / np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_in + 1.0 / n_out))
            z_own = 2.0 * np.sqrt(n_in) * (p_in - 0.5)
            ok = (z_rep > Z_90) & (z_own > Z_90) & (votes[g] > 0)
            better = ok & (z_rep > best_z)
            best_z = np.where(better, z_rep, best_z)
            best_dir = np.where(better, d, best_dir)
            p_rest = np.where(better, p_out, p_rest)
        chosen = np.flatnonzero(np.isfinite(best_z))
        chosen = chosen[np.lexsort((chosen, -best_z[chosen]))][:PICK_MAX]
        stats = []
        for j in chosen.tolist():
            n = int(votes[g, j])
            stats.append(
                StatementStat(
                    statement_id=statement_ids[j],
                    direction="agree" if best_dir[j] == 0 else "disagree",
                    votes=n,
                    agree=int(agree[g, j]),
                    disagree=int(disagree[g, j]),
                    p_agree=(agree[g, j] + 1.0) / (n + 2.0),
                    p_disagree=(disagree[g, j] + 1.0) / (n + 2.0),
                    score=float(best_z[j]),
                    p_rest=float(p_rest[j]),
                )
            )
        out.append(stats)
    return out


def _consensus(
    agree: IntArray, disagree: IntArray, votes: IntArray, statement_ids: list[Hashable]
) -> list[StatementStat]:
    """Group-aware consensus, red-dwarf "standard" style.

    Per group g: P_a = (agree + 0.5) / (votes + 1), P_d likewise (Jeffreys prior).
    Agree score = geometric mean over groups of P_a * (1 - P_d); disagree score =
    geometric mean of P_d * (1 - P_a). Kept when the score is above 0.5 and the overall
    share (all clustered participants, Laplace prior) is significantly above one half
    (one-sided, 90 %); at most `PICK_MAX` per direction, best first.
    """
    k = votes.shape[0]
    if k == 0:
        return []
    p_a = (agree + JEFFREYS) / (votes + 2 * JEFFREYS)
    p_d = (disagree + JEFFREYS) / (votes + 2 * JEFFREYS)
    n_all, a_all, d_all = votes.sum(axis=0), agree.sum(axis=0), disagree.sum(axis=0)
    out: list[StatementStat] = []
    for direction, product, successes in (
        ("agree", p_a * (1.0 - p_d), a_all),
        ("disagree", p_d * (1.0 - p_a), d_all),
    ):
        score = np.exp(np.log(product).mean(axis=0))
        z_all = 2.0 * np.sqrt(n_all + 1.0) * ((successes + 1.0) / (n_all + 1.0) - 0.5)
        ok = (score > CONSENSUS_THRESHOLD) & (z_all > Z_90)
        chosen = np.flatnonzero(ok)
        chosen = chosen[np.lexsort((chosen, -score[chosen]))][:PICK_MAX]
        for j in chosen.tolist():
            n = int(n_all[j])
            out.append(
                StatementStat(
                    statement_id=statement_ids[j],
                    direction="agree" if direction == "agree" else "disagree",
                    votes=n,
                    agree=int(a_all[j]),
                    disagree=int(d_all[j]),
                    p_agree=(a_all[j] + JEFFREYS) / (n + 2 * JEFFREYS),
                    p_disagree=(d_all[j] + JEFFREYS) / (n + 2 * JEFFREYS),
                    score=float(score[j]),
                )
            )
    return out


# -------------------------------------------------------------------------- main API


def opinion_groups(
    participant_ids: Sequence[Hashable] | npt.NDArray[Any],
    statement_ids: Sequence[Hashable] | npt.NDArray[Any],
    votes: Sequence[int] | npt.NDArray[Any],
    *,
    seed: int = 0,
    min_votes: int = 7,
    max_k: int = MAX_K,
    excluded_statements: Collection[Hashable] = (),
) -> LabResult:
    """Opinion groups, representative statements and consensus of a conversation.

    The three sequences are parallel columns, one vote each (-1 disagree, 0 pass,
    1 agree); a later vote on the same (participant, statement) pair replaces an earlier
    one. Raises `VoteInputError` (a `ValueError`) on bad input.
    """
    if len(participant_ids) != len(statement_ids) or len(statement_ids) != len(votes):
        raise VoteInputError("participant_ids, statement_ids and votes differ in length")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise VoteInputError("seed must be a non-negative integer")
    if min_votes < 1:
        raise VoteInputError("min_votes must be at least 1")
    if max_k < 2:
        raise VoteInputError("max_k must be at least 2")
    seed = int(seed)
    values = _vote_values(votes)
    people, p_codes = _index_ids(participant_ids)
    statements, s_codes = _index_ids(statement_ids)
    n_input = len(values)

    # 1. The last vote of each pair wins; the votes end up sorted by participant.
    #    Votes on excluded statements leave the maths.
    p_codes, s_codes, values = _last_votes(p_codes, s_codes, values, len(statements))
    excluded_set = set(excluded_statements)
    excluded = [i for i, s in enumerate(statements) if s in excluded_set]
    kept_statements = np.ones(len(statements), dtype=bool)
    kept_statements[excluded] = False
    on_kept = kept_statements[s_codes]
    p_codes, s_codes, values = p_codes[on_kept], s_codes[on_kept], values[on_kept]
    # Compact statement numbering over the kept statements that have a vote.
    voted = np.zeros(len(statements), dtype=bool)
    voted[s_codes] = True
    statement_list = [s for s, keep_it in zip(statements, voted.tolist(), strict=True) if keep_it]
    remap = np.cumsum(voted) - 1
    s_codes = remap[s_codes].astype(np.int64)
    n_people, m = len(people), len(statement_list)

    # 2. Who is clustered.
    per_person = np.bincount(p_codes, minlength=n_people)
    threshold = min(min_votes, m)
    clustered = (per_person >= threshold) & (per_person > 0)
    members = np.flatnonzero(clustered)
    row_of = np.full(n_people, -1, dtype=np.int64)
    row_of[members] = np.arange(len(members))
    in_conv = clustered[p_codes]

    # 3. Sparse centred matrix of the clustered participants, PCA, projections.
    c_rows, c_cols = row_of[p_codes[in_conv]], s_codes[in_conv]
    c_values = values[in_conv]
    column_votes = np.bincount(c_cols, minlength=m)
    column_sums = np.bincount(c_cols, weights=c_values.astype(np.float64), minlength=m)
    means = column_sums / np.maximum(column_votes, 1)
    centred = c_values - means[c_cols]
    matrix = _Sparse(c_rows, c_cols, centred, (len(members), m))
    components, eigenvalues, iterations, converged = _top_components(
        matrix, 2, np.random.default_rng([seed, 0])
    )
    components = np.vstack([components, np.zeros((2 - components.shape[0], m))])
    # Every participant with a vote is placed (sparsity-aware projection); only the
    # clustered ones get a group.
    everyone = _Sparse(p_codes, s_codes, values - means[s_codes], (n_people, m))
    xy = everyone.matvec(components).T * np.sqrt(m / np.maximum(per_person, 1))[:, None]

    # 4. Groups.
    labels, k, silhouettes, sample_size = _choose_groups(xy[members], seed=seed, max_k=max_k)
    group_of = np.full(n_people, -1, dtype=np.int64)
    group_of[members] = labels

    # 5-6. Statements.
    agree, disagree, counts = _group_counts(labels[c_rows], c_cols, c_values, k, m)
    representative = _representative(agree, disagree, counts, statement_list)
    consensus = _consensus(agree, disagree, counts, statement_list)
    sizes = np.bincount(labels, minlength=k)

    total_variance = float(np.dot(centred, centred))
    has_votes = (per_person > 0).tolist()
    placements = [
        Placement(
            participant_id=person,
            group=group if group >= 0 else None,
            x=x if placed else None,
            y=y if placed else None,
        )
        for person, group, x, y, placed in zip(
            people, group_of.tolist(), xy[:, 0].tolist(), xy[:, 1].tolist(), has_votes, strict=True
        )
    ]
    params: dict[str, Any] = {
        "version": VERSION,
        "seed": seed,
        "min_votes": min_votes,
        "min_votes_used": threshold,
        "max_k": max_k,
        "k": k,
        "silhouettes": silhouettes,
        "silhouette_sample": sample_size,
        "n_participants": n_people,
        "n_clustered": len(members),
        "n_statements": m,
        "n_excluded_statements": len(excluded),
        "n_votes": len(values),
        "n_votes_input": n_input,
        "pca_iterations": iterations,
        "pca_converged": converged,
        "explained_variance": [
            _round(e / total_variance) if total_variance > 0 else 0.0 for e in eigenvalues
        ],
        "z_critical": Z_90,
        "consensus_threshold": CONSENSUS_THRESHOLD,
        "pick_max": PICK_MAX,
    }
    return LabResult(
        participants=placements,
        groups=[
            Group(group=g, size=int(sizes[g]), representative=representative[g]) for g in range(k)
        ],
        consensus=consensus,
        params=params,
    )


def _last_votes(
    p_codes: IntArray, s_codes: IntArray, values: npt.NDArray[np.int8], n_statements: int
) -> tuple[IntArray, IntArray, npt.NDArray[np.int8]]:
    """Keep the last vote of each (participant, statement) pair, sorted by (p, s)."""
    n = len(values)
    if n == 0:
        return p_codes, s_codes, values
    width = max(n_statements, 1)
    keys = p_codes * width + s_codes
    order = _argsort_small(keys, (int(p_codes.max()) + 1) * width)
    if order is None:
        order = np.arange(n, dtype=np.int64)
    sorted_keys = keys[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = sorted_keys[1:] != sorted_keys[:-1]
    chosen = order[last]
    return p_codes[chosen], s_codes[chosen], values[chosen]


def adjusted_rand_index(
    labels_a: Sequence[Hashable] | npt.NDArray[Any], labels_b: Sequence[Hashable] | npt.NDArray[Any]
) -> float:
    """Adjusted Rand index of two labellings of the same items (1 = same partition)."""
    if len(labels_a) != len(labels_b):
        raise ValueError("the two labellings differ in length")
    _, a = _index_ids(list(labels_a) if not isinstance(labels_a, np.ndarray) else labels_a)
    _, b = _index_ids(list(labels_b) if not isinstance(labels_b, np.ndarray) else labels_b)
    n = len(a)
    if n < 2:
        return 1.0
    table = np.bincount(a * (b.max() + 1) + b, minlength=(a.max() + 1) * (b.max() + 1))

    def pairs(x: npt.NDArray[np.int64]) -> float:
        return float((x * (x - 1) // 2).sum())

    index = pairs(table)
    rows = pairs(np.bincount(a))
    cols = pairs(np.bincount(b))
    expected = rows * cols / (n * (n - 1) / 2)
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


# ---------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infitah.participation.labs.math",
        description="Opinion groups, representative statements and consensus from votes "
        '(JSON lines {"participant_id", "statement_id", "vote"}; "-" reads stdin).',
    )
    parser.add_argument("votes", help="JSON-lines file of votes, or - for standard input")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--min-votes", type=int, default=7, help="votes needed to be clustered (default 7)"
    )
    parser.add_argument("--max-k", type=int, default=MAX_K, help="most groups (default 5)")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="STATEMENT_ID",
        help="a moderated-out statement (repeatable; matches an integer or a string id)",
    )
    parser.add_argument("--indent", type=int, default=None, help="indent the JSON output")
    args = parser.parse_args(argv)
    out = stdout if stdout is not None else sys.stdout
    try:
        table = read_jsonl(sys.stdin if args.votes == "-" else args.votes)
        excluded: set[Hashable] = set()
        for value in args.exclude:
            excluded.add(value)
            if value.lstrip("-").isdigit():
                excluded.add(int(value))
        result = opinion_groups(
            table.participant_ids,
            table.statement_ids,
            table.votes,
            seed=args.seed,
            min_votes=args.min_votes,
            max_k=args.max_k,
            excluded_statements=excluded,
        )
    except VoteInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(result.to_json(), out, ensure_ascii=False, indent=args.indent)
    out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
