"""What one leaf of the publication register holds (docs/register.md, "The leaf").

`RegisterItem` is one leaf to append; `register_metadata` the exact dict that is hashed
with the file's SHA-256. Both the writes (`register_services`) and the audit
(`register_selectors.register_audit`, which recomputes what each document's latest entry
must say) use them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from infitah.ledger import merkle, signing
from infitah.ledger.models import RegisterAction
from infitah.territories.models import Collectivity

# Keys that the register itself puts into the hashed metadata.
RESERVED_METADATA_KEYS = frozenset({"action", "collectivity", "document", "published_at"})
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
