"""infitah.ledger.merkle against a plain recursive transcription of RFC 9162 §2.1."""

from __future__ import annotations

import hashlib

import pytest

from infitah.ledger import merkle


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as written in RFC 9162 §2.1.1 (over leaf *data*)."""
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


DATA = [f"leaf {i}".encode() for i in range(40)]
LEAVES = [merkle.leaf_hash(x) for x in DATA]


def _stored_nodes(size: int) -> dict[merkle.Node, bytes]:
    """What the register stores: every perfect subtree completed by incremental appends."""
    frontier: list[tuple[int, bytes]] = []
    nodes: dict[merkle.Node, bytes] = {}
    for i, leaf in enumerate(LEAVES[:size]):
        for level, h in merkle.append_leaf(frontier, leaf):
            nodes[(level, (i + 1 >> level) - 1)] = h
    return nodes


def _getter(size: int):  # type: ignore[no-untyped-def]
    nodes = _stored_nodes(size)

    def get(start: int, end: int) -> bytes:
        needed = merkle.perfect_nodes(start, end)
        assert len(needed) <= max(1, (end - start).bit_length())
        assert merkle.subtree_hash(start, end, nodes) == ref_mth(DATA[start:end])
        return merkle.subtree_hash(start, end, {n: nodes[n] for n in needed})

    return get


def test_empty_tree_and_known_vectors() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    # RFC 6962 test vectors (certificate-transparency-go merkle tests): leaf "" and
    # the 8-leaf tree of the reference test data.
    assert merkle.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    ct_leaves = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ]
    assert merkle.root([merkle.leaf_hash(x) for x in ct_leaves]).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize("size", range(1, 41))
def test_root_and_frontier_match_reference(size: int) -> None:
    expected = ref_mth(DATA[:size])
    assert merkle.root(LEAVES[:size]) == expected
    frontier = merkle.frontier_of(LEAVES[:size])
    assert [lvl for lvl, _ in frontier] == merkle.frontier_levels(size)
    assert merkle.fold_frontier(frontier) == expected
    assert merkle.subtree_hash(0, size, _stored_nodes(size)) == expected
    assert len(_stored_nodes(size)) == 2 * size - bin(size).count("1")


@pytest.mark.parametrize("size", range(1, 41))
def test_inclusion_proofs_match_reference_and_verify(size: int) -> None:
    get = _getter(size)
    root = ref_mth(DATA[:size])
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, get)
        assert proof == ref_path(index, DATA[:size])
        assert merkle.verify_inclusion(LEAVES[index], index, size, proof, root)
        # Tampering: another leaf, index, size, root, or any proof element.
        other = LEAVES[(index + 1) % 40]
        assert not merkle.verify_inclusion(other, index, size, proof, root)
        if size > 1:
            assert not merkle.verify_inclusion(LEAVES[index], (index + 1) % size, size, proof, root)
        assert not merkle.verify_inclusion(LEAVES[index], index, size, proof, other)
        assert not merkle.verify_inclusion(LEAVES[index], index, size, [*proof, other], root)
        assert not merkle.verify_inclusion(LEAVES[index], size, size, proof, root)
        for j in range(len(proof)):
            bad = list(proof)
            bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
            assert not merkle.verify_inclusion(LEAVES[index], index, size, bad, root)
        if proof:
            assert not merkle.verify_inclusion(LEAVES[index], index, size, proof[:-1], root)
            assert not merkle.verify_inclusion(
                LEAVES[index], index, size, [*proof[:-1], proof[-1][:31]], root
            )


@pytest.mark.parametrize("second", range(1, 41))
def test_consistency_proofs_match_reference_and_verify(second: int) -> None:
    get = _getter(second)
    second_root = ref_mth(DATA[:second])
    for first in range(1, second + 1):
        first_root = ref_mth(DATA[:first])
        proof = merkle.consistency_proof(first, second, get)
        assert proof == ref_subproof(first, DATA[:second], True)
        assert merkle.verify_consistency(first, second, first_root, second_root, proof)
        other = ref_mth(DATA[1 : first + 1])
        assert not merkle.verify_consistency(first, second, other, second_root, proof)
        assert not merkle.verify_consistency(first, second, first_root, other, proof)
        assert not merkle.verify_consistency(
            first, second, first_root, second_root, [*proof, other]
        )
        if first < second:
            assert not merkle.verify_consistency(first, second, first_root, second_root, [])
        for j in range(len(proof)):
            bad = list(proof)
            bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
            assert not merkle.verify_consistency(first, second, first_root, second_root, bad)
        if len(proof) > 1:
            assert not merkle.verify_consistency(first, second, first_root, second_root, proof[:-1])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(-1, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(4, 3)
    assert not merkle.verify_consistency(0, 3, b"x" * 32, b"y" * 32, [])
    assert not merkle.verify_inclusion(LEAVES[0], 0, 0, [], LEAVES[0])


def test_entry_leaf_construction_is_the_documented_one() -> None:
    sha = hashlib.sha256(b"hello\n").hexdigest()
    metadata = {"title": "Budget 2026 — ميزانية", "b": [1, 2], "a": None}
    entry = sha.encode() + b"\n" + '{"a":null,"b":[1,2],"title":"Budget 2026 — ميزانية"}'.encode()
    assert merkle.entry_leaf_input(sha, metadata) == hashlib.sha256(entry).digest()
    assert (
        merkle.entry_leaf_hash(sha, metadata)
        == hashlib.sha256(b"\x00" + hashlib.sha256(entry).digest()).digest()
    )
    with pytest.raises(ValueError):
        merkle.entry_leaf_input(sha.upper(), metadata)
    with pytest.raises(ValueError):
        merkle.entry_leaf_input("zz" * 32, metadata)
