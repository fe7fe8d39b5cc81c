"""Reads of the publication register: entries, roots, proofs and checkpoints.

The register is network-wide and public (law 31.13 art. 10): its reads take no
collectivity, and every row is visible to everybody.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db.models import Max, QuerySet
from django.utils.module_loading import import_string

from infitah.ledger import merkle, signing, tlog
from infitah.ledger.models import (
    Checkpoint,
    Cosignature,
    RegisterEntry,
    RegisterHead,
    RegisterNode,
)
from infitah.ledger.register_leaf import RegisterItem, register_metadata

# The verification page shows at most this many entries for one file.
MAX_FILE_MATCHES = 20


class RegisterRangeError(ValueError):
    """An index or tree size outside the register (the API answers 400)."""


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root_hash: bytes


def frontier_decode(*, tree_size: int, frontier: bytes) -> list[tuple[int, bytes]]:
    """The head row's frontier as (level, hash) pairs, largest subtree first."""
    levels = merkle.frontier_levels(tree_size)
    if len(frontier) != merkle.HASH_SIZE * len(levels):
        raise ValueError("register head frontier does not match its tree size")
    return [
        (level, bytes(frontier[i * merkle.HASH_SIZE : (i + 1) * merkle.HASH_SIZE]))
        for i, level in enumerate(levels)
    ]


def register_head_get() -> TreeHead:
    """The register's current size and root (SHA-256 of "" when empty)."""
    head = RegisterHead.objects.filter(pk=1).first()
    if head is None or head.tree_size == 0:
        return TreeHead(tree_size=0, root_hash=merkle.EMPTY_ROOT)
    frontier = frontier_decode(tree_size=head.tree_size, frontier=bytes(head.frontier))
    return TreeHead(tree_size=head.tree_size, root_hash=merkle.fold_frontier(frontier))


def register_subtree_hashes(*, ranges: list[tuple[int, int]]) -> list[bytes]:
    """MTH of each leaf range, from the stored perfect subtrees, in a single query."""
    needed = {node for a, b in ranges for node in merkle.perfect_nodes(a, b)}
    if not needed:
        return []
    # One primary-key lookup: WHERE (level, index) IN ((l1, i1), (l2, i2), ...).
    rows = RegisterNode.objects.filter(pk__in=list(needed)).values_list("level", "index", "hash")
    nodes = {(level, index): bytes(h) for level, index, h in rows}
    if len(nodes) != len(needed):
        raise LookupError("the register is missing stored subtree hashes")
    return [merkle.subtree_hash(a, b, nodes) for a, b in ranges]


def _check_size(tree_size: int) -> None:
    if tree_size < 1 or tree_size > register_head_get().tree_size:
        raise RegisterRangeError("tree_size must be between 1 and the register's size")


def _proof_hashes(*, ranges: list[tuple[int, int]], tree_size: int) -> list[bytes]:
    """Hashes of ranges inside [0, tree_size): one query in the normal case.

    No separate size check is needed first: every perfect subtree inside [0, tree_size)
    is stored once the register has tree_size leaves, and the last leaf's node is missing
    when it has fewer; only then do we read the head to tell the two cases apart.
    """
    if tree_size < 1:
        raise RegisterRangeError("tree_size must be at least 1")
    try:
        return register_subtree_hashes(ranges=ranges)
    except LookupError:
        _check_size(tree_size)
        raise


def register_root_get(*, tree_size: int) -> bytes:
    """The root of the register when it had `tree_size` leaves."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    return _proof_hashes(ranges=[(0, tree_size)], tree_size=tree_size)[0]


def register_inclusion_proof(*, index: int, tree_size: int) -> list[bytes]:
    """The audit path of leaf `index` in the register of `tree_size` leaves (RFC 9162)."""
    if not 0 <= index < tree_size:
        raise RegisterRangeError("index must be between 0 and tree_size - 1")
    ranges = merkle.inclusion_ranges(index, tree_size)
    if not ranges:  # A one-leaf tree: the path is empty, but the leaf must exist.
        _check_size(tree_size)
        return []
    return _proof_hashes(ranges=ranges, tree_size=tree_size)


def register_consistency_proof(*, first: int, second: int) -> list[bytes]:
    """The proof that the register of `first` leaves is a prefix of that of `second`."""
    if not 1 <= first <= second:
        raise RegisterRangeError("first must be between 1 and second")
    if first == second:  # The proof is empty, but the tree must exist.
        _check_size(second)
        return []
    return _proof_hashes(ranges=merkle.consistency_ranges(first, second), tree_size=second)


def register_entry_get(*, index: int) -> RegisterEntry | None:
    return RegisterEntry.objects.select_related("collectivity").filter(index=index).first()


def register_entry_list(*, limit: int = 50) -> QuerySet[RegisterEntry]:
    """The latest entries, newest first."""
    return RegisterEntry.objects.select_related("collectivity").order_by("-index")[:limit]


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-timestamp", "-id").first()


def checkpoint_message_of(checkpoint: Checkpoint) -> bytes:
    return signing.checkpoint_message(
        tree_size=checkpoint.tree_size,
        root_hash_hex=checkpoint.root_hash,
        timestamp=checkpoint.timestamp,
    )


def checkpoint_is_valid(checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint is signed, validly, by this server's current key or by one of
    its former keys (settings.INFITAH_REGISTER_PREVIOUS_KEYS); its C2SP note signature too,
    when it has one."""
    if checkpoint.public_key not in signing.valid_public_keys():
        return False
    if checkpoint.note_signature and not checkpoint_note_is_valid(checkpoint):
        return False
    return signing.signature_is_valid(
        message=checkpoint_message_of(checkpoint),
        signature_b64=checkpoint.signature,
        public_key_b64=checkpoint.public_key,
    )


# --- The register as a C2SP transparency log (docs/register.md, "C2SP") ----------------


def checkpoint_text_of(checkpoint: Checkpoint) -> str:
    """The C2SP checkpoint's note text: origin, tree size, base64 root."""
    return tlog.checkpoint_text(
        checkpoint.origin, checkpoint.tree_size, bytes.fromhex(checkpoint.root_hash)
    )


def checkpoint_note_is_valid(checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint's note signature is valid (False when it has none)."""
    if not checkpoint.note_signature or not checkpoint.origin:
        return False
    try:
        text = checkpoint_text_of(checkpoint)
    except (ValueError, tlog.NoteError):
        return False
    return signing.note_signature_is_valid(
        text=text,
        name=checkpoint.origin,
        public_key=checkpoint.public_key,
        signature_b64=checkpoint.note_signature,
    )


def checkpoint_note_latest() -> Checkpoint | None:
    """The latest checkpoint that has a C2SP note signature."""
    return Checkpoint.objects.exclude(note_signature="").order_by("-timestamp", "-id").first()


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The whole signed note: the text, the log's signature line, then the latest
    cosignature of that same tree by each configured witness (two queries in all)."""
    text = checkpoint_text_of(checkpoint)
    lines = [f"{tlog.SIG_PREFIX}{checkpoint.origin} {checkpoint.note_signature}\n"]
    witnesses = {v.public_key_b64: v for v in signing.witness_verifiers()}
    if witnesses:
        cosignatures = Cosignature.objects.filter(
            origin=checkpoint.origin,
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash,
            public_key__in=list(witnesses),
        ).order_by("public_key", "-timestamp")
        seen: set[str] = set()
        for cosignature in cosignatures:
            verifier = witnesses[cosignature.public_key]
            if cosignature.public_key in seen or cosignature.witness_name != verifier.name:
                continue
            seen.add(cosignature.public_key)
            raw = base64.b64decode(cosignature.signature)
            lines.append(tlog.signature_line(verifier.name, raw))
    return tlog.note_format(text, lines)


def register_tile(*, tile: tlog.Tile) -> bytes | None:
    """The bytes of a C2SP tile (level >= 0) or entry bundle (level -1); None when the
    register does not have all its hashes (or entries) yet. One query."""
    first = tile.index * tlog.TILE_WIDTH
    if tile.level >= 0:
        rows = list(
            RegisterNode.objects.filter(
                level=tile.level * tlog.TILE_HEIGHT, index__gte=first, index__lt=first + tile.width
            )
            .order_by("index")
            .values_list("hash", flat=True)
        )
        if len(rows) != tile.width:
            return None
        return b"".join(bytes(h) for h in rows)
    entries = list(
        RegisterEntry.objects.filter(index__gte=first, index__lt=first + tile.width)
        .order_by("index")
        .values_list("file_sha256", "metadata")
    )
    if len(entries) != tile.width:
        return None
    # The log entry whose RFC 6962 leaf hash is the tree's leaf: the 32-byte leaf input.
    return tlog.bundle_encode([merkle.entry_leaf_input(sha, meta) for sha, meta in entries])


@dataclass(frozen=True)
class WitnessStatus:
    """A configured witness and the largest tree it cosigned (None: never)."""

    name: str
    vkey: str
    tree_size: int | None
    cosigned_at: dt.datetime | None


def witness_status_list() -> list[WitnessStatus]:
    """Every configured witness, with the largest tree size it vouches for and the time of
    its latest cosignature (one query)."""
    verifiers = signing.witness_verifiers()
    if not verifiers:
        return []
    rows = (
        Cosignature.objects.filter(public_key__in=[v.public_key_b64 for v in verifiers])
        .values("public_key", "witness_name")
        .annotate(size=Max("tree_size"), last=Max("timestamp"))
        .order_by()
    )
    found = {(r["public_key"], r["witness_name"]): r for r in rows}
    statuses = []
    for v in verifiers:
        row = found.get((v.public_key_b64, v.name))
        statuses.append(
            WitnessStatus(
                name=v.name,
                vkey=v.vkey,
                tree_size=row["size"] if row else None,
                cosigned_at=dt.datetime.fromtimestamp(row["last"], tz=dt.UTC) if row else None,
            )
        )
    return statuses


def entry_leaf_hash(entry: RegisterEntry) -> bytes:
    """The leaf hash recomputed from the entry's file hash and metadata (not the column)."""
    return merkle.entry_leaf_hash(entry.file_sha256, entry.metadata)


@dataclass(frozen=True)
class EntryCheck:
    entry: RegisterEntry
    audit_path: list[bytes]
    # True: proven in the checkpoint; False: the proof fails; None: not yet checkpointed.
    is_proven: bool | None


@dataclass(frozen=True)
class FileCheck:
    sha256: str
    checkpoint: Checkpoint | None
    is_checkpoint_valid: bool
    entries: list[EntryCheck]


def register_file_check(*, sha256: str) -> FileCheck:
    """Where and when a file of this SHA-256 was published, each entry's inclusion proof
    checked against the latest signed checkpoint (whose signature is checked too)."""
    sha256 = sha256.lower()
    checkpoint = checkpoint_latest()
    is_valid = checkpoint is not None and checkpoint_is_valid(checkpoint)
    entries = list(
        RegisterEntry.objects.select_related("collectivity")
        .filter(file_sha256=sha256)
        .order_by("index")[:MAX_FILE_MATCHES]
    )
    checks = []
    for entry in entries:
        if checkpoint is None or entry.index >= checkpoint.tree_size:
            checks.append(EntryCheck(entry=entry, audit_path=[], is_proven=None))
            continue
        if not is_valid:
            # A checkpoint that fails its signature proves nothing: do not even use its size.
            checks.append(EntryCheck(entry=entry, audit_path=[], is_proven=False))
            continue
        path = register_inclusion_proof(index=entry.index, tree_size=checkpoint.tree_size)
        proven = merkle.verify_inclusion(
            entry_leaf_hash(entry),
            entry.index,
            checkpoint.tree_size,
            path,
            bytes.fromhex(checkpoint.root_hash),
        )
        checks.append(EntryCheck(entry=entry, audit_path=path, is_proven=proven))
    return FileCheck(
        sha256=sha256, checkpoint=checkpoint, is_checkpoint_valid=is_valid, entries=checks
    )


# --- Full audit (manage.py verify_register) ------------------------------------------

FILE_CHUNK = 1024 * 1024


def file_sha256(name: str) -> str:
    """The SHA-256 (hex) of a stored file, read in chunks."""
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as f:
        for chunk in iter(lambda: f.read(FILE_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class AuditReport:
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    files: int = 0
    documents: int = 0
    cosignatures: int = 0
    problems: list[str] = field(default_factory=list)


def _entry_problems(entry: RegisterEntry, *, check_files: bool) -> list[str]:
    problems = []
    i = entry.index
    if check_files:
        try:
            actual = file_sha256(entry.file_name)
        except (OSError, SuspiciousFileOperation) as exc:
            problems.append(f"entry {i}: cannot read file {entry.file_name!r}: {exc}")
        else:
            if actual != entry.file_sha256:
                problems.append(
                    f"entry {i}: changed file {entry.file_name!r} "
                    f"(SHA-256 {actual}, registered {entry.file_sha256})"
                )
    meta = entry.metadata if isinstance(entry.metadata, dict) else {}
    expected = {
        "action": entry.action,
        "collectivity": entry.collectivity.slug,
        "document": entry.document,
        "published_at": signing.format_timestamp(entry.published_at),
    }
    for key, value in expected.items():
        if meta.get(key) != value:
            problems.append(
                f"entry {i}: column {key} ({value!r}) differs from the hashed metadata "
                f"({meta.get(key)!r})"
            )
    return problems


def register_audit(*, check_files: bool = True) -> AuditReport:
    """Recompute the whole register from its entries (and stored files) and compare:
    every leaf, every stored subtree node, the root at every checkpoint, every checkpoint
    signature, the head row, and what each document shows today against its latest entry
    (`_documents_audit`); report each difference in words."""
    report = AuditReport()
    problems = report.problems
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "id"))
    cosignatures = list(Cosignature.objects.order_by("tree_size", "id"))
    wanted_sizes = {c.tree_size for c in checkpoints} | {c.tree_size for c in cosignatures}
    roots: dict[int, bytes] = {}
    leaves: list[bytes] = []
    frontier: list[tuple[int, bytes]] = []
    entries = RegisterEntry.objects.select_related("collectivity").order_by("index")
    for entry in entries.iterator(chunk_size=2000):
        report.entries += 1
        if entry.index != len(leaves):
            if entry.index > len(leaves):
                problems.append(f"gap in indexes: no entry {len(leaves)} to {entry.index - 1}")
            else:
                problems.append(f"entry {entry.index}: duplicate or out of order")
                continue
            while len(leaves) < entry.index:  # Unknowable leaves: nodes above will differ.
                leaves.append(bytes(merkle.HASH_SIZE))
                merkle.append_leaf(frontier, leaves[-1])
        problems.extend(_entry_problems(entry, check_files=check_files))
        report.files += int(check_files)
        try:
            leaf = merkle.entry_leaf_hash(entry.file_sha256, entry.metadata)
        except ValueError:
            problems.append(f"entry {entry.index}: malformed file SHA-256 {entry.file_sha256!r}")
            leaf = bytes(merkle.HASH_SIZE)
        if leaf.hex() != entry.leaf_hash:
            problems.append(
                f"entry {entry.index}: changed metadata or leaf hash "
                f"(recomputed {leaf.hex()}, stored {entry.leaf_hash})"
            )
        leaves.append(leaf)
        merkle.append_leaf(frontier, leaf)
        if len(leaves) in wanted_sizes:
            roots[len(leaves)] = merkle.fold_frontier(frontier)

    # Stored nodes, level by level, against the nodes recomputed from the leaves.
    level, computed = 0, leaves
    max_level = RegisterNode.objects.order_by("-level").values_list("level", flat=True).first()
    while computed or (max_level is not None and level <= max_level):
        seen = 0
        stored = RegisterNode.objects.filter(level=level).order_by("index")
        for index, h in stored.values_list("index", "hash").iterator(chunk_size=5000):
            report.nodes += 1
            if index >= len(computed):
                problems.append(f"node {level}/{index}: beyond the tree (unexpected node)")
                continue
            seen += 1
            if bytes(h) != computed[index]:
                problems.append(
                    f"node {level}/{index}: changed node hash "
                    f"(stored {bytes(h).hex()}, recomputed {computed[index].hex()})"
                )
        if seen != len(computed):
            problems.append(
                f"level {level}: {len(computed) - seen} missing node(s) of {len(computed)}"
            )
        computed = [
            merkle.node_hash(computed[j], computed[j + 1]) for j in range(0, len(computed) - 1, 2)
        ]
        level += 1

    for cp in checkpoints:
        report.checkpoints += 1
        label = f"checkpoint {cp.pk} (tree size {cp.tree_size}, {cp.timestamp:%Y-%m-%d %H:%M:%S})"
        if cp.public_key not in signing.valid_public_keys():
            problems.append(
                f"{label}: signed by a key that is neither this server's nor a former one "
                f"({cp.public_key})"
            )
        if cp.note_signature and not checkpoint_note_is_valid(cp):
            problems.append(f"{label}: bad C2SP note signature")
        if not signing.signature_is_valid(
            message=checkpoint_message_of(cp),
            signature_b64=cp.signature,
            public_key_b64=cp.public_key,
        ):
            problems.append(f"{label}: bad signature")
        if cp.tree_size not in roots:
            problems.append(f"{label}: the register has no tree of this size")
        elif roots[cp.tree_size].hex() != cp.root_hash:
            problems.append(
                f"{label}: root differs (signed {cp.root_hash}, "
                f"recomputed {roots[cp.tree_size].hex()})"
            )

    _c2sp_audit(report, roots=roots, cosignatures=cosignatures)
    _documents_audit(report)

    head = RegisterHead.objects.filter(pk=1).first()
    head_size = head.tree_size if head else 0
    if head_size != len(leaves):
        problems.append(f"head: tree size {head_size}, but {len(leaves)} leaves")
    elif head is not None:
        try:
            head_root = merkle.fold_frontier(
                frontier_decode(tree_size=head_size, frontier=bytes(head.frontier))
            )
        except ValueError:
            problems.append("head: malformed frontier")
        else:
            if head_root != merkle.fold_frontier(frontier):
                problems.append("head: frontier does not give the recomputed root")
    return report


def _c2sp_audit(
    report: AuditReport, *, roots: dict[int, bytes], cosignatures: list[Cosignature]
) -> None:
    """The C2SP checkpoint as /register/log/checkpoint serves it verifies with the vkeys of
    /register/log/vkey (and former keys) and names a root of the register; every stored
    cosignature is valid and cosigns the register's root at its size."""
    problems = report.problems
    latest = checkpoint_note_latest()
    if latest is not None:
        label = f"C2SP checkpoint (tree size {latest.tree_size})"
        try:
            note = tlog.note_parse(checkpoint_note(latest))
            parsed = tlog.checkpoint_parse(note.text)
            verifiers = [tlog.vkey_parse(v) for v in signing.vkeys()]
            if latest.origin != signing.origin():
                verifiers += [
                    signing.note_verifier(public_key=k, name=latest.origin)
                    for k in signing.valid_public_keys()
                ]
            if not tlog.note_verify(note, verifiers):
                problems.append(f"{label}: not signed by any valid key of the log")
            if roots.get(parsed.tree_size) != parsed.root_hash:
                problems.append(f"{label}: its root is not the register's at this size")
        except (tlog.NoteError, ValueError) as exc:
            problems.append(f"{label}: {exc}")
    witnesses = {(v.name, v.public_key_b64): v for v in signing.witness_verifiers()}
    for cosig in cosignatures:
        report.cosignatures += 1
        label = f"cosignature {cosig.pk} by {cosig.witness_name} (tree size {cosig.tree_size})"
        verifier = witnesses.get((cosig.witness_name, cosig.public_key))
        if verifier is None:
            problems.append(f"{label}: not a configured witness key")
            continue
        try:
            text = tlog.checkpoint_text(
                cosig.origin, cosig.tree_size, bytes.fromhex(cosig.root_hash)
            )
            note = tlog.note_parse(
                tlog.note_format(
                    text,
                    [tlog.signature_line(cosig.witness_name, base64.b64decode(cosig.signature))],
                )
            )
            if tlog.cosignature_verify(note, verifier) is None:
                problems.append(f"{label}: key ID does not match the witness")
        except (tlog.NoteError, ValueError) as exc:
            problems.append(f"{label}: {exc}")
        if roots.get(cosig.tree_size, b"").hex() != cosig.root_hash:
            problems.append(f"{label}: root differs from the register's at this size")


# --- Documents as they are now, against their latest entry ----------------------------
#
# A leaf vouches for the metadata it hashed; the document it describes lives in another
# app's table, which an UPDATE can change without touching the register. Each app that
# appends to the register names, in settings.INFITAH_REGISTER_SOURCES, a function that
# yields, for every one of its documents, the RegisterItem its latest entry must hold
# (built by the same code that appends it). The ledger imports no app.

RegisterSource = Callable[[], Iterable[RegisterItem]]
DOCUMENT_BATCH = 1000


def _register_sources() -> dict[str, RegisterSource]:
    paths: dict[str, str] = getattr(settings, "INFITAH_REGISTER_SOURCES", {})
    return {document_type: import_string(path) for document_type, path in paths.items()}


def _latest_entries(*, document_type: str, document_ids: list[str]) -> dict[str, RegisterEntry]:
    """The latest entry of each of these documents (one query, on ledger_regentry_doc_idx)."""
    latest: dict[str, RegisterEntry] = {}
    entries = RegisterEntry.objects.filter(
        document_type=document_type, document_id__in=document_ids
    ).order_by("document_id", "index")
    for entry in entries:
        latest[entry.document_id] = entry
    return latest


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _document_differences(entry: RegisterEntry, item: RegisterItem) -> list[str]:
    """Each field in which the document today differs from what its latest entry hashed.

    Only the metadata keys that the entry committed to are compared: a key added to an
    app's register metadata later is vouched for by the entries written since, and an
    older entry still verifies. (Its own keys cannot be removed: the leaf hash would
    change.)"""
    label = f"entry {entry.index} ({entry.document})"
    try:
        expected = register_metadata(item)
    except ValueError as exc:
        return [f"{label}: the document as it is now cannot be registered ({exc})"]
    problems = []
    columns = {
        "action": (entry.action, item.action),
        "file_name": (entry.file_name, item.file_name),
        "file_sha256": (entry.file_sha256, item.file_sha256),
    }
    for name, (registered, now) in columns.items():
        if registered != now:
            problems.append(
                f"{label}: field {name} differs from the document "
                f"(registered {_shown(registered)}, now {_shown(now)})"
            )
    metadata = entry.metadata if isinstance(entry.metadata, dict) else {}
    for key in sorted(metadata):
        if key == "action":  # Reported above, with the column.
            continue
        registered = metadata[key]
        if key not in expected:
            problems.append(
                f"{label}: field {key} differs from the document "
                f"(registered {_shown(registered)}, now absent)"
            )
        elif expected[key] != registered:
            problems.append(
                f"{label}: field {key} differs from the document "
                f"(registered {_shown(registered)}, now {_shown(expected[key])})"
            )
    return problems


def _batches(items: Iterable[RegisterItem]) -> Iterator[list[RegisterItem]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, DOCUMENT_BATCH)):
        yield batch


def _documents_audit(report: AuditReport) -> None:
    """Compare every document of every source with its latest register entry; report
    documents missing from the register and entries whose document no longer exists."""
    for document_type, source in _register_sources().items():
        seen: set[str] = set()
        for batch in _batches(source()):
            latest = _latest_entries(
                document_type=document_type, document_ids=[item.document_id for item in batch]
            )
            for item in batch:
                report.documents += 1
                seen.add(item.document_id)
                entry = latest.get(item.document_id)
                if entry is None:
                    report.problems.append(
                        f"document {document_type}:{item.document_id}: "
                        "published but not in the register"
                    )
                else:
                    report.problems.extend(_document_differences(entry, item))
        registered = (
            RegisterEntry.objects.filter(document_type=document_type)
            .order_by("document_id")
            .values_list("document_id", flat=True)
            .distinct()
        )
        for document_id in registered.iterator(chunk_size=5000):
            if document_id not in seen:
                report.problems.append(
                    f"document {document_type}:{document_id}: in the register, "
                    "but no such document exists"
                )
