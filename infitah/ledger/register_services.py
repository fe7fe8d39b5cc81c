"""Writes of the publication register: appending leaves and signing checkpoints.

The publication app calls `register_append` inside the transaction that publishes,
versions or withdraws a document; `manage.py tick` calls
`checkpoint_maybe_sign(force_hourly=True)`. See docs/register.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from infitah.ledger import merkle, signing
from infitah.ledger.models import (
    Checkpoint,
    RegisterAction,
    RegisterEntry,
    RegisterHead,
    RegisterNode,
)
from infitah.ledger.register_selectors import checkpoint_latest, frontier_decode
from infitah.territories.models import Collectivity

# Keys that the register itself puts into the hashed metadata.
RESERVED_METADATA_KEYS = frozenset({"action", "collectivity", "document", "published_at"})
# A new checkpoint at most once a minute when the log grows, at least once an hour.
CHECKPOINT_MIN_INTERVAL = dt.timedelta(seconds=60)
CHECKPOINT_MAX_INTERVAL = dt.timedelta(hours=1)

SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class RegisterItem:
    """One leaf to append (the arguments of `register_append`)."""

    action: str
    collectivity: Collectivity
    document_type: str
    document_id: str
    file_name: str
    file_sha256: str
    metadata: dict[str, Any]
    published_at: dt.datetime


def _check_json(value: Any, path: str = "metadata") -> None:
    """Only values that survive a JSON round trip through SQLite and PostgreSQL unchanged:
    no floats (their text form may change), no NUL characters (jsonb refuses them)."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{path}: NUL characters are not allowed")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings")
            _check_json(key, path)
            _check_json(item, f"{path}.{key}")
        return
    raise ValueError(
        f"{path}: {type(value).__name__} is not allowed (str, int, bool, None, list, dict)"
    )


def register_metadata(item: RegisterItem) -> dict[str, Any]:
    """The exact dict that is hashed: the caller's metadata plus the register's own keys."""
    if item.action not in RegisterAction.values:
        raise ValueError(f"unknown register action {item.action!r}")
    if not SHA256_HEX.fullmatch(item.file_sha256):
        raise ValueError("file_sha256 must be 64 lowercase hexadecimal characters")
    if not item.document_type or not item.document_id or not item.file_name:
        raise ValueError("document_type, document_id and file_name are required")
    if timezone.is_naive(item.published_at):
        raise ValueError("published_at must be timezone-aware")
    clash = RESERVED_METADATA_KEYS & item.metadata.keys()
    if clash:
        raise ValueError(f"metadata keys reserved by the register: {sorted(clash)}")
    _check_json(item.metadata)
    metadata = {
        **item.metadata,
        "action": item.action,
        "collectivity": item.collectivity.slug,
        "document": f"{item.document_type}:{item.document_id}",
        "published_at": signing.format_timestamp(item.published_at),
    }
    # What the database gives back must hash the same as what we hash now.
    if json.loads(merkle.canonical_json(metadata)) != metadata:
        raise ValueError("metadata does not survive a JSON round trip")
    return metadata


def _lock_head() -> RegisterHead:
    """Lock the head row: appends (and checkpoint signing) take turns on it, which keeps
    the indexes gapless when several workers publish at once."""
    head = RegisterHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # A database flushed after migrations (TransactionTestCase).
        RegisterHead.objects.get_or_create(pk=1)
        head = RegisterHead.objects.select_for_update().get(pk=1)
    return head


def _append_locked(items: Sequence[RegisterItem]) -> list[RegisterEntry]:
    prepared = [(item, register_metadata(item)) for item in items]
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
    RegisterHead.objects.filter(pk=1).update(
        tree_size=size, frontier=b"".join(h for _, h in frontier)
    )
    transaction.on_commit(_checkpoint_after_append)
    return entries


@transaction.atomic
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
    return _append_locked([item])[0]


@transaction.atomic
def register_append_many(*, items: Sequence[RegisterItem]) -> list[RegisterEntry]:
    """Append several leaves in order, in one transaction (imports, benchmarks).

    Same preconditions and side effects as `register_append`, for each item.
    """
    if not items:
        return []
    return _append_locked(items)


def _sign(*, tree_size: int, root: bytes, now: dt.datetime) -> Checkpoint:
    timestamp = now.replace(microsecond=0)
    message = signing.checkpoint_message(
        tree_size=tree_size, root_hash_hex=root.hex(), timestamp=timestamp
    )
    return Checkpoint.objects.create(
        tree_size=tree_size,
        root_hash=root.hex(),
        timestamp=timestamp,
        signature=signing.sign(message),
        public_key=signing.public_key_b64(),
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
        if grew and age < CHECKPOINT_MIN_INTERVAL:
            return None
        if not grew and not (force_hourly and age >= CHECKPOINT_MAX_INTERVAL):
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
    global _next_check
    now = timezone.now()
    if _next_check is not None and now < _next_check:
        return
    checkpoint_maybe_sign()
    last = checkpoint_latest()
    _next_check = (last.timestamp if last else now) + CHECKPOINT_MIN_INTERVAL
