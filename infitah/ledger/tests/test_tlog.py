"""The C2SP formats (infitah/ledger/tlog.py) against the specifications' and Go's vectors."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infitah.ledger import merkle, tlog

# golang.org/x/mod/sumdb/note's own test vectors (note_test.go): a vkey and a signed note.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_vectors_parse_and_verify() -> None:
    verifier = tlog.vkey_parse(GO_VKEY)
    assert (verifier.name, verifier.key_id.hex(), verifier.key_type) == (
        "PeterNeumann",
        "c74f20a3",
        tlog.TYPE_ED25519,
    )
    assert verifier.vkey == GO_VKEY
    note = tlog.note_parse(GO_NOTE)
    assert note.text == GO_TEXT
    assert tlog.note_verify(note, [verifier]) == [verifier]
    with pytest.raises(tlog.NoteError, match="bad signature"):
        tlog.note_verify(tlog.note_parse(GO_NOTE.replace("problem,", "problem;")), [verifier])


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key ID
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x65
        "PeterNeumann+c74f20a3",
        "",
    ],
)
def test_malformed_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(tlog.NoteError):
        tlog.vkey_parse(vkey)


def test_checkpoint_round_trip_and_key_id() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    root = merkle.node_hash(merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b"))
    text = tlog.checkpoint_text("register.example.ma/register/log", 2, root)
    assert text == f"register.example.ma/register/log\n2\n{base64.b64encode(root).decode()}\n"
    line = tlog.note_sign(text, "register.example.ma/register/log", key)
    note = tlog.note_parse(tlog.note_format(text, [line]))
    vkey = tlog.vkey_format(
        "register.example.ma/register/log", tlog.TYPE_ED25519, tlog.public_bytes(key)
    )
    verifier = tlog.vkey_parse(vkey)
    assert (
        note.signatures[0].key_id
        == verifier.key_id
        == tlog.key_id(verifier.name, 0x01, verifier.public_key)
    )
    assert tlog.note_verify(note, [verifier]) == [verifier]
    assert tlog.checkpoint_parse(note.text) == tlog.Checkpoint(
        "register.example.ma/register/log", 2, root
    )


@pytest.mark.parametrize(
    "text",
    [
        "origin\n2\n",  # no root
        "origin\n02\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # leading zero
        "origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n2\nAAAA\n",  # short root
        "origin\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  # no final newline
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(tlog.NoteError):
        tlog.checkpoint_parse(text)


def test_cosignature_v1_message_and_line() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
    text = tlog.checkpoint_text("example.com/behind-the-sofa", 20852163, bytes(32))
    assert tlog.cosignature_message(text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        + base64.b64encode(bytes(32))
        + b"\n"
    )
    line = tlog.cosignature_sign(text, "witness.example.com/w1", key, 1679315147)
    raw = base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1])
    assert len(raw) == 4 + 8 + 64 and struct.unpack(">Q", raw[4:12]) == (1679315147,)
    verifier = tlog.vkey_parse(
        tlog.vkey_format("witness.example.com/w1", tlog.TYPE_COSIGNATURE_V1, tlog.public_bytes(key))
    )
    assert raw[:4] == verifier.key_id
    cosig = tlog.cosignature_verify(tlog.note_parse(tlog.note_format(text, [line])), verifier)
    assert cosig is not None and cosig.timestamp == 1679315147 and cosig.line == line
    # The same signature over another text (the time is signed too) is refused.
    other = text.replace("20852163", "20852164")
    with pytest.raises(tlog.NoteError, match="bad cosignature"):
        tlog.cosignature_verify(tlog.note_parse(tlog.note_format(other, [line])), verifier)
    # A note signature (type 0x01) by the same key is not a cosignature: other key ID.
    plain = tlog.note_sign(text, "witness.example.com/w1", key)
    assert (
        tlog.cosignature_verify(tlog.note_parse(tlog.note_format(text, [plain])), verifier) is None
    )


def test_tile_paths_as_the_spec_writes_them() -> None:
    assert tlog.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tlog.tile_path(1, 0, 17) == "tile/1/000.p/17"
    assert tlog.tile_path(-1, 5) == "tile/entries/005"
    for path in ("tile/0/x001/x234/067", "tile/1/000.p/17", "tile/entries/005.p/1"):
        assert tlog.tile_parse(path).path == path
    for bad in (
        "tile/0/x000/067",  # a leading zero element
        "tile/0/67",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/64/000",
        "tile/01/000",
        "tile/data/000",
    ):
        with pytest.raises(tlog.NoteError):
            tlog.tile_parse(bad)


def test_tile_widths_of_the_spec_example() -> None:
    # A tree of 70,000: 273 full level-0 tiles and one of 112, one full level-1 tile and
    # one of 17, one level-2 tile of 1.
    assert tlog.tile_width(0, 272, 70_000) == 256
    assert tlog.tile_width(0, 273, 70_000) == 112
    assert tlog.tile_width(0, 274, 70_000) == 0
    assert (tlog.tile_width(1, 0, 70_000), tlog.tile_width(1, 1, 70_000)) == (256, 17)
    assert tlog.tile_width(2, 0, 70_000) == 1


def test_nodes_from_tiles_give_every_subtree() -> None:
    leaves = [merkle.leaf_hash(bytes([i % 256, i // 256])) for i in range(600)]
    levels = [leaves]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([merkle.node_hash(prev[i], prev[i + 1]) for i in range(0, len(prev) - 1, 2)])

    def read(level: int, index: int, width: int) -> bytes:
        hashes = levels[8 * level][index * 256 : index * 256 + width]
        return b"".join(hashes)

    for start, end in [(0, 600), (0, 512), (512, 600), (256, 384), (0, 1), (599, 600)]:
        nodes = {
            node: tlog.node_from_tiles(node[0], node[1], read, 600)
            for node in merkle.perfect_nodes(start, end)
        }
        assert merkle.subtree_hash(start, end, nodes) == merkle.root(leaves[start:end])


def test_bundles_round_trip_and_truncation() -> None:
    entries = [b"a" * 32, b"", b"xyz"]
    assert tlog.bundle_decode(tlog.bundle_encode(entries)) == entries
    with pytest.raises(tlog.NoteError):
        tlog.bundle_decode(tlog.bundle_encode(entries)[:-1])


@pytest.mark.parametrize(
    "note",
    [
        "text\n",  # no signature block
        "text\n\n— name AAAA\n",  # signature too short
        "text\n\n- name AAAAAAAA\n",  # not an em dash
        "text\n\n— name AAAAAAAA",  # no final newline
        "te\x01xt\n\n— name AAAAAAAA\n",  # control character
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(tlog.NoteError):
        tlog.note_parse(note)
