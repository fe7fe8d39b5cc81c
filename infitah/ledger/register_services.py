"""Writes of the publication register: appending leaves and signing checkpoints.

The publication app calls `register_append` inside the transaction that publishes,
versions or withdraws a document; `manage.py tick` calls
`checkpoint_maybe_sign(force_hourly=True)`. See docs/register.md. What a leaf holds
(`RegisterItem`, `register_metadata`) is in `register_leaf`, shared with the audit;
`RegisterItem` is re-exported here for the callers of `register_append_many`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.ledger import merkle, signing, tlog
from infitah.ledger.models import (
    Checkpoint,
    Cosignature,
    RegisterEntry,
    RegisterHead,
    RegisterNode,
)
from infitah.ledger.register_leaf import RegisterItem as RegisterItem  # re-exported
from infitah.ledger.register_leaf import register_metadata
from infitah.ledger.register_selectors import (
    RegisterRangeError,
    checkpoint_latest,
    frontier_decode,
    register_root_get,
)
from infitah.territories.models import Collectivity

# A new checkpoint at most once a minute when the log grows, at least once an hour.
CHECKPOINT_MIN_INTERVAL = dt.timedelta(seconds=60)
CHECKPOINT_MAX_INTERVAL = dt.timedelta(hours=1)

logger = logging.getLogger(__name__)


def _lock_head() -> RegisterHead:
    """Lock the head row: appends (and checkpoint signing) take turns on it, which keeps
    the indexes gapless when several workers publish at once."""
    head = RegisterHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # A database flushed after migrations (TransactionTestCase).
        RegisterHead.objects.get_or_create(pk=1)
        head = RegisterHead.objects.select_for_update().get(pk=1)
    return head


def _append_locked(
    prepared: Sequence[tuple[RegisterItem, dict[str, Any]]],
) -> list[RegisterEntry]:
    """The safe path (SQLite, and PostgreSQL when another writer went first): lock the
    head row, read its frontier, write the entries, the nodes and the new head."""
    _head_cache_clear()
    head = _lock_head()
    size = head.tree_size
    frontier = frontier_decode(tree_size=size, frontier=bytes(head.frontier))
    entries: list[RegisterEntry] = []
    nodes: list[RegisterNode] = []
    for item, metadata in prepared:
        leaf = merkle.entry_leaf_hash(item.file_sha256, metadata)
        entries.append(
            RegisterEntry(
                index=size,
                leaf_hash=leaf.hex(),
                action=item.action,
                collectivity=item.collectivity,
                document_type=item.document_type,
                document_id=item.document_id,
                file_name=item.file_name,
                file_sha256=item.file_sha256,
                metadata=metadata,
                published_at=item.published_at.replace(microsecond=0),
            )
        )
        size += 1
        # The perfect subtrees this leaf completes: the leaf, and 1 more on average.
        for level, h in merkle.append_leaf(frontier, leaf):
            nodes.append(RegisterNode(level=level, index=(size >> level) - 1, hash=h))
    RegisterEntry.objects.bulk_create(entries)
    RegisterNode.objects.bulk_create(nodes)
    new_frontier = b"".join(h for _, h in frontier)
    RegisterHead.objects.filter(pk=1).update(tree_size=size, frontier=new_frontier)
    _head_cache_set_on_commit(size, new_frontier)
    transaction.on_commit(_checkpoint_after_append)
    return entries


# --- The optimistic single-statement append (PostgreSQL) -------------------------------
#
# The head row as this process last saw it *committed*: (tree_size, frontier). It is
# cleared when an append starts and set again only in `transaction.on_commit`, so it
# never holds a state that was rolled back. The append's UPDATE checks both the size and
# the frontier, so even a stale or foreign value can only make the statement match no
# row (then we take the locked path), never write a wrong tree.
_head_cache: tuple[int, bytes] | None = None


def _head_cache_clear() -> None:
    global _head_cache
    _head_cache = None


def _head_cache_set_on_commit(tree_size: int, frontier: bytes) -> None:
    def remember() -> None:
        global _head_cache
        _head_cache = (tree_size, frontier)

    transaction.on_commit(remember)


def _head_read() -> tuple[int, bytes] | None:
    """The head row without a lock (None when the row is missing)."""
    row = RegisterHead.objects.filter(pk=1).values_list("tree_size", "frontier").first()
    return None if row is None else (row[0], bytes(row[1]))


def _q(model: type[Any], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


_ENTRY_COLUMNS = (
    ("index", "bigint"),
    ("leaf_hash", "text"),
    ("action", "text"),
    ("collectivity", "bigint"),
    ("document_type", "text"),
    ("document_id", "text"),
    ("file_name", "text"),
    ("file_sha256", "text"),
    ("metadata", "jsonb"),
    ("published_at", "timestamptz"),
)
_append_sql_by_nodes: dict[int, str] = {}


def _append_sql(node_count: int) -> str:
    """One data-modifying statement: move the head from the expected state to the new
    one, and insert the entry and its nodes only if that UPDATE matched (`FROM h`).

    Under READ COMMITTED, when another writer holds the head row, the UPDATE waits for it
    and then re-checks its WHERE against the committed row: it matches nothing, so
    nothing is inserted and no row comes back."""
    cached = _append_sql_by_nodes.get(node_count)
    if cached is not None:
        return cached
    qn = connection.ops.quote_name
    head, entry, node = RegisterHead._meta, RegisterEntry._meta, RegisterNode._meta
    entry_columns = ", ".join(_q(RegisterEntry, name) for name, _ in _ENTRY_COLUMNS)
    entry_values = ", ".join(f"%s::{sql_type}" for _, sql_type in _ENTRY_COLUMNS)
    node_values = ", ".join(["(%s::smallint, %s::bigint, %s::bytea)"] * node_count)
    size_col, frontier_col = _q(RegisterHead, "tree_size"), _q(RegisterHead, "frontier")
    head_table, entry_table, node_table = (
        qn(head.db_table),
        qn(entry.db_table),
        qn(node.db_table),
    )
    node_columns = ", ".join(_q(RegisterNode, name) for name in ("level", "index", "hash"))
    sql = f"""
        WITH h AS (
            UPDATE {head_table} SET {size_col} = %s::bigint, {frontier_col} = %s::bytea
            WHERE {_q(RegisterHead, "id")} = 1
                AND {size_col} = %s::bigint AND {frontier_col} = %s::bytea
            RETURNING 1
        ), e AS (
            INSERT INTO {entry_table} ({entry_columns})
            SELECT {entry_values} FROM h
            RETURNING {_q(RegisterEntry, "id")}
        ), n AS (
            INSERT INTO {node_table} ({node_columns})
            SELECT v.level, v.idx, v.hash FROM (VALUES {node_values}) AS v(level, idx, hash), h
        )
        SELECT * FROM e
    """  # noqa: S608 -- only quoted names from the models' _meta; values are parameters.
    _append_sql_by_nodes[node_count] = sql
    return sql


# Per database connection, the node counts whose statement it has prepared (a prepared
# statement belongs to the session: a rollback does not undo PREPARE).
_prepared: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()


def _execute_append(cursor: Any, node_count: int, params: list[Any]) -> Any:
    """Run the append statement for `node_count` nodes; its row, or None if it missed.

    The statement is prepared once per connection and node count (planning it took about
    a quarter of its time); `EXECUTE` goes through Django's cursor like any query."""
    done = _prepared.setdefault(connection.connection, set())
    name = f"infitah_register_append_{node_count}"
    if node_count not in done:
        parts = _append_sql(node_count).split("%s")
        numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))
        cursor.execute(f"PREPARE {name} AS {numbered}")
        done.add(node_count)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    return cursor.fetchone()


def _append_statement(
    item: RegisterItem, metadata: dict[str, Any], state: tuple[int, bytes]
) -> RegisterEntry | None:
    """Append with one statement (PostgreSQL), if the head is still `state`.

    None when it is not (another writer appended first): nothing was written."""
    old_size, old_frontier = state
    frontier = frontier_decode(tree_size=old_size, frontier=old_frontier)
    leaf = merkle.entry_leaf_hash(item.file_sha256, metadata)
    size = old_size + 1
    completed = merkle.append_leaf(frontier, leaf)
    new_frontier = b"".join(h for _, h in frontier)
    published_at = item.published_at.replace(microsecond=0)
    params: list[Any] = [
        size,
        new_frontier,
        old_size,
        old_frontier,
        old_size,
        leaf.hex(),
        item.action,
        item.collectivity.pk,
        item.document_type,
        item.document_id,
        item.file_name,
        item.file_sha256,
        merkle.canonical_json(metadata).decode("utf-8"),
        published_at,
    ]
    for level, h in completed:
        params += [level, (size >> level) - 1, h]
    with connection.cursor() as cursor:
        row = _execute_append(cursor, len(completed), params)
    if row is None:
        return None
    _head_cache_set_on_commit(size, new_frontier)
    transaction.on_commit(_checkpoint_after_append)
    entry = RegisterEntry(
        id=row[0],
        index=old_size,
        leaf_hash=leaf.hex(),
        action=item.action,
        collectivity=item.collectivity,
        document_type=item.document_type,
        document_id=item.document_id,
        file_name=item.file_name,
        file_sha256=item.file_sha256,
        metadata=metadata,
        published_at=published_at,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def register_append(
    *,
    action: str,
    collectivity: Collectivity,
    document_type: str,
    document_id: str,
    file_name: str,
    file_sha256: str,
    metadata: dict[str, Any],
    published_at: dt.datetime,
) -> RegisterEntry:
    """Append one leaf to the publication register and return its entry.

    Preconditions: `action` is a `RegisterAction`; `file_sha256` is the lowercase hex
    SHA-256 of the stored file `file_name` (a `default_storage` name); `metadata` holds
    only str/int/bool/None/list/dict and none of `RESERVED_METADATA_KEYS`;
    `published_at` is aware (it is kept to the second). Raises ValueError otherwise.
    Call it inside the transaction that publishes, so both commit or roll back together.
    Side effect: after commit, `checkpoint_maybe_sign()` (at most once a minute).

    On PostgreSQL one statement does the append when the head is as this process last
    saw it committed (outside a transaction, that statement is its own transaction);
    otherwise, and on SQLite, the head row is locked first (docs/register.md).
    """
    item = RegisterItem(
        action=action,
        collectivity=collectivity,
        document_type=document_type,
        document_id=document_id,
        file_name=file_name,
        file_sha256=file_sha256,
        metadata=metadata,
        published_at=published_at,
    )
    metadata = register_metadata(item)
    if connection.vendor != "postgresql":
        with transaction.atomic():
            return _append_locked([(item, metadata)])[0]
    # Optimistic: from the head as this process last saw it committed (else as read now,
    # without a lock), one statement that appends only if the head is still that.
    state = _head_cache
    _head_cache_clear()
    # Inside the caller's transaction, a savepoint as before (an error undoes only this);
    # outside one, no BEGIN/COMMIT: the single statement is its own transaction.
    with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
        if state is None:
            state = _head_read()
        entry = None if state is None else _append_statement(item, metadata, state)
    if entry is not None:
        return entry
    # Another writer appended first (or the head row is missing): lock the head, then the
    # same statement, which cannot miss now.
    with transaction.atomic():
        head = _lock_head()
        entry = _append_statement(item, metadata, (head.tree_size, bytes(head.frontier)))
        if entry is None:  # pragma: no cover - the head row is locked by us
            raise RuntimeError("register head changed while locked")
        return entry


@transaction.atomic
def register_append_many(*, items: Sequence[RegisterItem]) -> list[RegisterEntry]:
    """Append several leaves in order, in one transaction (imports, benchmarks).

    Same preconditions and side effects as `register_append`, for each item.
    """
    if not items:
        return []
    return _append_locked([(item, register_metadata(item)) for item in items])


def _sign(*, tree_size: int, root: bytes, now: dt.datetime) -> Checkpoint:
    """Sign the register's message and the C2SP note of this tree, with the same key."""
    timestamp = now.replace(microsecond=0)
    message = signing.checkpoint_message(
        tree_size=tree_size, root_hash_hex=root.hex(), timestamp=timestamp
    )
    origin = signing.origin()
    return Checkpoint.objects.create(
        tree_size=tree_size,
        root_hash=root.hex(),
        timestamp=timestamp,
        signature=signing.sign(message),
        public_key=signing.public_key_b64(),
        origin=origin,
        note_signature=signing.note_sign(
            tlog.checkpoint_text(origin, tree_size, root), name=origin
        ),
    )


@transaction.atomic
def checkpoint_maybe_sign(*, force_hourly: bool = False) -> Checkpoint | None:
    """Sign a checkpoint of the current tree if it is due, and return it (else None).

    Due when the log grew since the last checkpoint and that one is at least a minute old;
    or, with `force_hourly` (the periodic tick), when the last one is an hour old even if
    the log did not grow. An empty register is never signed. Locks the head row, so that
    two workers do not sign the same tree twice.
    """
    head = _lock_head()
    if head.tree_size == 0:
        return None
    now = timezone.now()
    last = checkpoint_latest()
    if last is not None:
        age = now - last.timestamp
        grew = last.tree_size != head.tree_size
        # A checkpoint without a C2SP note, of another origin or by a former key: sign
        # the tree again now, so that /register/log/checkpoint serves the current form.
        stale = (
            not last.note_signature
            or last.origin != signing.origin()
            or last.public_key != signing.public_key_b64()
        )
        if grew and age < CHECKPOINT_MIN_INTERVAL:
            return None
        if not grew and not stale and not (force_hourly and age >= CHECKPOINT_MAX_INTERVAL):
            return None
    frontier = frontier_decode(tree_size=head.tree_size, frontier=bytes(head.frontier))
    return _sign(tree_size=head.tree_size, root=merkle.fold_frontier(frontier), now=now)


@transaction.atomic
def checkpoint_sign() -> Checkpoint | None:
    """Sign a checkpoint of the current tree now, whatever the last one (tests, operators).

    None when the register is empty.
    """
    head = _lock_head()
    if head.tree_size == 0:
        return None
    frontier = frontier_decode(tree_size=head.tree_size, frontier=bytes(head.frontier))
    return _sign(tree_size=head.tree_size, root=merkle.fold_frontier(frontier), now=timezone.now())


# After an append, this process asks the database about checkpoints at most once in
# CHECKPOINT_MIN_INTERVAL: a burst of appends does not add a query to each.
_next_check: dt.datetime | None = None


def _checkpoint_after_append() -> None:
    """Sign a checkpoint if one is due, after the commit of an append.

    The append has committed by now: a failure to sign (a broken key, a database error)
    must not turn the publication into an error page, so it is logged and left to the
    next append or to `manage.py tick`, which signs whatever is not signed yet.
    """
    global _next_check
    now = timezone.now()
    if _next_check is not None and now < _next_check:
        return
    try:
        checkpoint_maybe_sign()
        last = checkpoint_latest()
    except Exception:
        logger.exception(
            "register: signing a checkpoint after an append failed; the entries are "
            "recorded, the next append or `manage.py tick` signs them"
        )
        return
    _next_check = (last.timestamp if last else now) + CHECKPOINT_MIN_INTERVAL


# --- Witness cosignatures (docs/register.md, "Witnesses") ----------------------------

# A cosignature dated further than this in the future is refused (clock skew allowance).
COSIGNATURE_MAX_SKEW = dt.timedelta(minutes=10)


class CosignatureError(ValueError):
    """A cosignature that the register refuses; `status` is the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def cosignature_add(*, note: bytes) -> list[Cosignature]:
    """Record the cosignatures that a signed note carries by configured witnesses.

    `note` is a C2SP checkpoint of this register ("<origin>\\n<size>\\n<base64 root>\\n",
    a blank line, signature lines) with at least one valid cosignature/v1 line by a key of
    settings.INFITAH_REGISTER_WITNESSES. Refused (CosignatureError, nothing written): a
    malformed note (400), another origin (400), a tree the register does not have or a
    root that differs from the register's at that size (409: a witness was shown a split
    view; logged as an error), no cosignature by a configured witness (403), a bad
    signature (403), a timestamp in the future (400). Posting the same cosignature again
    stores nothing new. Returns the stored (or already stored) rows."""
    try:
        parsed_note = tlog.note_parse(note)
        checkpoint = tlog.checkpoint_parse(parsed_note.text)
    except tlog.NoteError as exc:
        raise CosignatureError(
            _("This is not a C2SP checkpoint: %(error)s") % {"error": exc}
        ) from exc
    if checkpoint.origin != signing.origin():
        raise CosignatureError(
            _("This checkpoint is of another log (origin %(origin)s).")
            % {"origin": checkpoint.origin}
        )
    if checkpoint.extensions:
        raise CosignatureError(_("This log's checkpoints have no extension lines."))
    try:  # The register never signs its empty tree.
        root = register_root_get(tree_size=checkpoint.tree_size) if checkpoint.tree_size else None
    except (RegisterRangeError, LookupError):
        root = None
    if root != checkpoint.root_hash:
        logger.error(
            "register: a cosignature of tree size %s with root %s, which is not this "
            "register's: a witness may have been shown a split view",
            checkpoint.tree_size,
            checkpoint.root_hash.hex(),
        )
        raise CosignatureError(
            _("This checkpoint is not one of this register's trees."), status=409
        )
    found: list[tuple[tlog.Verifier, tlog.Cosignature]] = []
    for verifier in signing.witness_verifiers():
        try:
            cosignature = tlog.cosignature_verify(parsed_note, verifier)
        except tlog.NoteError as exc:
            raise CosignatureError(
                _("Invalid cosignature by %(witness)s.") % {"witness": verifier.name}, status=403
            ) from exc
        if cosignature is not None:
            found.append((verifier, cosignature))
    if not found:
        raise CosignatureError(
            _("The note carries no cosignature by a witness that this register accepts."),
            status=403,
        )
    latest = (timezone.now() + COSIGNATURE_MAX_SKEW).timestamp()
    if any(c.timestamp > latest for _verifier, c in found):
        raise CosignatureError(_("The cosignature is dated in the future."))
    stored = []
    with transaction.atomic():
        for verifier, cosignature in found:
            raw = cosignature.line.rstrip("\n").rsplit(" ", 1)[1]
            row, _created = Cosignature.objects.get_or_create(
                public_key=verifier.public_key_b64,
                tree_size=checkpoint.tree_size,
                timestamp=cosignature.timestamp,
                defaults={
                    "witness_name": verifier.name,
                    "key_id": verifier.key_id.hex(),
                    "origin": checkpoint.origin,
                    "root_hash": checkpoint.root_hash.hex(),
                    "signature": raw,
                },
            )
            stored.append(row)
    return stored
