"""Merkle tree hashing, proofs and their verification, as in RFC 9162 §2.1 (RFC 6962).

Pure functions, no Django: anyone can copy this module to check the register. Leaves are
numbered from 0; `size` is the number of leaves; a subtree is a half-open range
`[start, end)` of leaves.

- `leaf_hash(data)` = SHA-256(0x00 || data), `node_hash(l, r)` = SHA-256(0x01 || l || r);
- `root(leaves)` is MTH(D[n]) of §2.1.1 over already hashed leaves;
- `inclusion_proof` and `consistency_proof` are PATH (§2.1.3.1) and PROOF (§2.1.4.1),
  given a function that returns MTH of any subtree;
- `verify_inclusion` and `verify_consistency` are the algorithms of §2.1.3.2 and §2.1.4.2.

Every subtree that a proof needs is "aligned": it starts at a multiple of the largest
power of two not above its length, so its hash is a right fold of at most log2(n)
*perfect* subtrees (2**level leaves starting at leaf index * 2**level). The register
stores each perfect subtree once it is complete (`append_leaf`), and so computes any
proof from O(log n) stored hashes (`perfect_nodes`, `subtree_hash`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A perfect subtree: (level, index) holds leaves [index * 2**level, (index + 1) * 2**level).
Node = tuple[int, int]
GetSubtree = Callable[[int, int], bytes]


def canonical_json(obj: Any) -> bytes:
    """The canonical JSON of `obj`: sorted keys, no spaces, UTF-8, non-ASCII kept as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def entry_leaf_input(file_sha256_hex: str, metadata: Any) -> bytes:
    """The 32-byte leaf data of a register entry (docs/register.md):
    SHA-256(file SHA-256 as 64 lowercase hex ASCII || "\\n" || canonical JSON of metadata)."""
    if len(file_sha256_hex) != 64 or file_sha256_hex != file_sha256_hex.lower():
        raise ValueError("file_sha256_hex must be 64 lowercase hexadecimal characters")
    bytes.fromhex(file_sha256_hex)  # raises ValueError when not hexadecimal
    return hashlib.sha256(
        file_sha256_hex.encode("ascii") + b"\n" + canonical_json(metadata)
    ).digest()


def entry_leaf_hash(file_sha256_hex: str, metadata: Any) -> bytes:
    """The Merkle leaf hash of a register entry: SHA-256(0x00 || entry_leaf_input(...))."""
    return leaf_hash(entry_leaf_input(file_sha256_hex, metadata))


def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-leaf tree: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already hashed leaves (RFC 9162 §2.1.1); SHA-256("") when empty."""
    if not leaves:
        return EMPTY_ROOT
    # Iterative right fold of the perfect subtrees: same result as the recursion.
    return fold_frontier(frontier_of(leaves))


def frontier_of(leaves: Iterable[bytes]) -> list[tuple[int, bytes]]:
    """The perfect subtrees (level, hash) that make up a tree of these leaves, largest first."""
    frontier: list[tuple[int, bytes]] = []
    for leaf in leaves:
        append_leaf(frontier, leaf)
    return frontier


def append_leaf(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, bytes]]:
    """Append a hashed leaf to `frontier` (modified in place).

    Returns the perfect subtrees completed by this leaf as (level, hash), the leaf itself
    (level 0) first: at most log2(n) + 1 of them, 2 on average.
    """
    frontier.append((0, leaf))
    completed = [(0, leaf)]
    while len(frontier) >= 2 and frontier[-1][0] == frontier[-2][0]:
        (level, right), (_, left) = frontier.pop(), frontier.pop()
        merged = (level + 1, node_hash(left, right))
        frontier.append(merged)
        completed.append(merged)
    return completed


def fold_frontier(frontier: Sequence[tuple[int, bytes]]) -> bytes:
    """MTH of the tree whose perfect subtrees (largest first) are `frontier`."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1][1]
    for _, h in reversed(frontier[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_levels(size: int) -> list[int]:
    """The levels of the perfect subtrees of a tree of `size` leaves, largest first."""
    return [b for b in range(size.bit_length() - 1, -1, -1) if size >> b & 1]


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees whose hashes give MTH of leaves [start, end), in fold order.

    For an aligned range (any range a proof asks for) there are at most log2(n) of them.
    """
    if end <= start:
        raise ValueError("empty range")
    n = end - start
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return [(level, start >> level)]
    k = _split(n)
    return perfect_nodes(start, start + k) + perfect_nodes(start + k, end)


def subtree_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH of leaves [start, end) from the perfect subtree hashes in `nodes`."""
    n = end - start
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return nodes[(level, start >> level)]
    k = _split(n)
    return node_hash(subtree_hash(start, start + k, nodes), subtree_hash(start + k, end, nodes))


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The subtrees whose MTH make the audit path PATH(index, D[size]), leaf side first."""
    if not 0 <= index < size:
        raise ValueError("index must be in [0, size)")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start = start + k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The subtrees whose MTH make PROOF(first, D[second]) (RFC 9162 §2.1.4.1)."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    ranges: list[tuple[int, int]] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def inclusion_proof(index: int, size: int, get_subtree: GetSubtree) -> list[bytes]:
    """PATH(index, D[size]): the audit path of leaf `index` in the tree of `size` leaves."""
    return [get_subtree(a, b) for a, b in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, get_subtree: GetSubtree) -> list[bytes]:
    """PROOF(first, D[second]): that the tree of `first` leaves is a prefix of `second`'s."""
    return [get_subtree(a, b) for a, b in consistency_ranges(first, second)]


def _well_formed(proof: Sequence[bytes]) -> bool:
    return all(isinstance(p, bytes) and len(p) == HASH_SIZE for p in proof)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show leaf `leaf_hash` at `index` in tree `root`?"""
    if not 0 <= index < size or not _well_formed(proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show that tree `first_root` is a prefix of `second_root`?

    `first == second` holds with an empty proof when the roots are equal.
    """
    if not 0 < first <= second or not _well_formed(proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
