"""C2SP transparency-log formats: signed notes, checkpoints, cosignatures and tiles.

Pure functions, no Django (only the standard library and `cryptography`): the witness
(`python -m infitah.witness`) imports this module and `merkle`, and anyone can copy both
to check the register. The formats are those of

- https://c2sp.org/signed-note: a text, a blank line, then signature lines
  "— <key name> base64(key ID (4 bytes) || signature)"; a verifier key ("vkey") is
  "<name>+<key ID hex>+base64(type byte || public key)";
- https://c2sp.org/tlog-checkpoint: the note text "<origin>\\n<tree size>\\n<base64 root>\\n",
  signed with Ed25519 (type 0x01, key ID = SHA-256(name || "\\n" || 0x01 || key)[:4]);
- https://c2sp.org/tlog-cosignature: cosignature/v1, Ed25519 (type 0x04), the signature of
  "cosignature/v1\\ntime <seconds>\\n" + the checkpoint text, carried as
  base64(key ID || 8-byte big-endian timestamp || signature);
- https://c2sp.org/tlog-tiles: tiles of 256 hashes; tile L holds the Merkle tree hashes of
  subtrees of 256**L leaves, i.e. the perfect subtrees at tree level 8 * L.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from infitah.ledger import merkle

SIG_PREFIX = "\u2014 "  # An em dash and a space open every signature line.
TYPE_ED25519 = 0x01
TYPE_COSIGNATURE_V1 = 0x04
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HASH_SIZE = 32
COSIGNATURE_HEADER = "cosignature/v1\n"
MAX_NOTE_BYTES = 1 << 16
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, checkpoint, key or tile path that does not follow its format."""


# --- Keys --------------------------------------------------------------------------


def is_valid_name(name: str) -> bool:
    """A key name: not empty, no Unicode space, no "+"."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name || "\\n" || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A verifier key: its name, signature type, 4-byte ID and raw Ed25519 public key."""

    name: str
    key_type: int
    key_id: bytes
    public_key: bytes

    @property
    def vkey(self) -> str:
        return vkey_format(self.name, self.key_type, self.public_key)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()


def vkey_format(name: str, key_type: int, public_key: bytes) -> str:
    """ "<name>+<key ID hex>+base64(type || public key)"."""
    if not is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}")
    kid = key_id(name, key_type, public_key).hex()
    return f"{name}+{kid}+{base64.b64encode(bytes([key_type]) + public_key).decode()}"


def vkey_parse(vkey: str, *, key_type: int | None = None) -> Verifier:
    """Parse a verifier key (Ed25519 types 0x01 and 0x04 only); its key ID is checked."""
    name, sep, rest = vkey.strip().partition("+")
    kid_hex, sep2, b64 = rest.partition("+")
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(kid_hex)
    except (binascii.Error, ValueError) as exc:
        raise NoteError("malformed verifier key") from exc
    if not (sep and sep2 and is_valid_name(name)) or len(kid) != 4 or len(raw) != 33:
        raise NoteError("malformed verifier key")
    if raw[0] not in (TYPE_ED25519, TYPE_COSIGNATURE_V1):
        raise NoteError("unsupported verifier key type (Ed25519 0x01 or 0x04 only)")
    if key_type is not None and raw[0] != key_type:
        raise NoteError(f"verifier key of type {raw[0]:#04x}, expected {key_type:#04x}")
    if key_id(name, raw[0], raw[1:]) != kid:
        raise NoteError("verifier key ID does not match its name and key")
    return Verifier(name=name, key_type=raw[0], key_id=kid, public_key=raw[1:])


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- Signed notes ------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key ID, and the rest of the decoded bytes."""

    name: str
    key_id: bytes
    data: bytes

    @property
    def line(self) -> str:
        return signature_line(self.name, self.key_id + self.data)


def signature_line(name: str, raw: bytes) -> str:
    return f"{SIG_PREFIX}{name} {base64.b64encode(raw).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # Up to and including its last newline, without the blank line.
    signatures: tuple[Signature, ...]

    def signatures_by(self, verifier: Verifier) -> list[Signature]:
        return [
            s for s in self.signatures if s.name == verifier.name and s.key_id == verifier.key_id
        ]


def note_parse(raw: bytes | str) -> Note:
    """Split a signed note into its text and signature lines (no signature is checked)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError("note too large")
    try:
        message = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not UTF-8") from exc
    if any(ord(c) < 0x20 and c != "\n" for c in message):
        raise NoteError("note holds control characters")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no signature block")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("note does not end with a newline")
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError("malformed signature line")
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        try:
            sig = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError("malformed signature line") from exc
        if not is_valid_name(name) or len(sig) < 5:
            raise NoteError("malformed signature line")
        signatures.append(Signature(name=name, key_id=sig[:4], data=sig[4:]))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    return Note(text=text, signatures=tuple(signatures))


def note_format(text: str, signature_lines: list[str]) -> str:
    return text + "\n" + "".join(signature_lines)


def note_sign(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """The signature line of an Ed25519 note signature (type 0x01) of `text`."""
    kid = key_id(name, TYPE_ED25519, public_bytes(key))
    return signature_line(name, kid + key.sign(text.encode()))


def note_verify(note: Note, verifiers: list[Verifier]) -> list[Verifier]:
    """The verifiers (type 0x01) whose valid signature the note carries.

    Raises NoteError when a line of a known key carries a bad signature (the note was
    tampered with); lines of unknown keys are ignored, as the signed-note spec says."""
    good = []
    for verifier in verifiers:
        if verifier.key_type != TYPE_ED25519:
            continue
        for sig in note.signatures_by(verifier):
            if not ed25519_verify(verifier.public_key, sig.data, note.text.encode()):
                raise NoteError(f"bad signature by {verifier.name}")
            good.append(verifier)
            break
    return good


# --- Checkpoints -------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return checkpoint_text(self.origin, self.tree_size, self.root_hash, self.extensions)


def checkpoint_text(
    origin: str, tree_size: int, root_hash: bytes, extensions: tuple[str, ...] = ()
) -> str:
    if not origin or "\n" in origin or tree_size < 0 or len(root_hash) != HASH_SIZE:
        raise NoteError("invalid checkpoint")
    lines = [origin, str(tree_size), base64.b64encode(root_hash).decode(), *extensions]
    return "".join(line + "\n" for line in lines)


_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


def checkpoint_parse(text: str) -> Checkpoint:
    """The origin, size and root of a checkpoint's note text."""
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise NoteError("checkpoint needs an origin, a tree size and a root hash")
    origin, size, root_b64, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise NoteError("malformed tree size")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error as exc:
        raise NoteError("malformed root hash") from exc
    if len(root) != HASH_SIZE:
        raise NoteError("malformed root hash")
    return Checkpoint(
        origin=origin, tree_size=int(size), root_hash=root, extensions=tuple(extensions)
    )


# --- Cosignatures (cosignature/v1, Ed25519) --------------------------------------------


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_text}".encode()


def cosignature_sign(
    checkpoint_text: str, name: str, key: Ed25519PrivateKey, timestamp: int
) -> str:
    """The signature line of a cosignature/v1 of this checkpoint text at `timestamp`."""
    kid = key_id(name, TYPE_COSIGNATURE_V1, public_bytes(key))
    sig = key.sign(cosignature_message(checkpoint_text, timestamp))
    return signature_line(name, kid + struct.pack(">Q", timestamp) + sig)


@dataclass(frozen=True)
class Cosignature:
    verifier: Verifier
    timestamp: int
    signature: bytes  # 64 bytes

    @property
    def line(self) -> str:
        raw = self.verifier.key_id + struct.pack(">Q", self.timestamp) + self.signature
        return signature_line(self.verifier.name, raw)


def cosignature_verify(note: Note, verifier: Verifier) -> Cosignature | None:
    """The witness's valid cosignature of the note text (None when it carries none).

    Raises NoteError when its line is malformed or its signature is bad."""
    for sig in note.signatures_by(verifier):
        if len(sig.data) != 8 + 64:
            raise NoteError(f"malformed cosignature by {verifier.name}")
        (timestamp,) = struct.unpack(">Q", sig.data[:8])
        if timestamp >= 1 << 63:
            raise NoteError(f"malformed cosignature by {verifier.name}")
        message = cosignature_message(note.text, timestamp)
        if not ed25519_verify(verifier.public_key, sig.data[8:], message):
            raise NoteError(f"bad cosignature by {verifier.name}")
        return Cosignature(verifier=verifier, timestamp=timestamp, signature=sig.data[8:])
    return None


# --- Tiles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """Tile `index` at `level` (-1: an entry bundle), `width` hashes (256: full)."""

    level: int
    index: int
    width: int

    @property
    def path(self) -> str:
        return tile_path(self.level, self.index, self.width)


def _index_path(n: int) -> str:
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """ "tile/<L>/<N>[.p/<W>]", or "tile/entries/<N>[.p/<W>]" for level -1."""
    if not 1 <= width <= TILE_WIDTH or index < 0 or not -1 <= level <= 63:
        raise NoteError("invalid tile")
    partial = f".p/{width}" if width < TILE_WIDTH else ""
    name = "entries" if level == -1 else str(level)
    return f"tile/{name}/{_index_path(index)}{partial}"


_TILE_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def tile_parse(path: str) -> Tile:
    """Parse a tile path (as `tile_path` writes it; any other spelling is refused)."""
    match = _TILE_PATH.fullmatch(path)
    if match is None:
        raise NoteError("malformed tile path")
    level = -1 if match["level"] == "entries" else int(match["level"])
    index = int("".join(part.lstrip("x") for part in match["index"].split("/")))
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    # An index beyond any tree of 2**63 leaves would overflow the database's integers.
    if level > 63 or index >= 1 << 55 or (width >= TILE_WIDTH and match["width"]):
        raise NoteError("malformed tile path")
    tile = Tile(level=level, index=index, width=width)
    if tile.path != path:  # e.g. leading "x000/" elements
        raise NoteError("malformed tile path")
    return tile


def tile_width(level: int, index: int, tree_size: int) -> int:
    """The width of tile `index` at `level` in a tree of `tree_size` leaves (0: none)."""
    nodes = tree_size >> (TILE_HEIGHT * max(level, 0))
    return max(0, min(TILE_WIDTH, nodes - index * TILE_WIDTH))


def bundle_encode(entries: list[bytes]) -> bytes:
    """An entry bundle: each entry prefixed with its length as a big-endian uint16."""
    return b"".join(struct.pack(">H", len(e)) + e for e in entries)


def bundle_decode(data: bytes) -> list[bytes]:
    entries, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise NoteError("truncated entry bundle")
        (length,) = struct.unpack(">H", data[i : i + 2])
        if i + 2 + length > len(data):
            raise NoteError("truncated entry bundle")
        entries.append(data[i + 2 : i + 2 + length])
        i += 2 + length
    return entries


# Reads a tile: (level, index, width) -> its bytes.
TileReader = Callable[[int, int, int], bytes]


def node_from_tiles(level: int, index: int, read_tile: TileReader, tree_size: int) -> bytes:
    """The hash of the perfect subtree (`level`, `index`) of the tree, from its tiles.

    A subtree at a level that is not a multiple of 8 is recomputed from the hashes of the
    tile below it; `read_tile(level, index, width)` returns a tile's bytes."""
    tile_level, rest = divmod(level, TILE_HEIGHT)
    first = index << rest  # The first hash, at tree level 8 * tile_level, of the subtree.
    count = 1 << rest
    tile_index, offset = divmod(first, TILE_WIDTH)
    width = tile_width(tile_level, tile_index, tree_size)
    if offset + count > width:
        raise NoteError("subtree beyond the tree")
    data = read_tile(tile_level, tile_index, width)
    if len(data) != width * HASH_SIZE:
        raise NoteError(f"tile {tile_path(tile_level, tile_index, width)} has the wrong size")
    hashes = [data[(offset + i) * HASH_SIZE : (offset + i + 1) * HASH_SIZE] for i in range(count)]
    while len(hashes) > 1:
        hashes = [merkle.node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]
