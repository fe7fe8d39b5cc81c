"""/api/v1/register/: the publication register's checkpoints, entries and proofs.

Hashes are lowercase hex; signatures and public keys are base64 (docs/register.md).
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.ledger import register_selectors as selectors
from infitah.ledger import signing
from infitah.lib.bounds import whole_number
from infitah.lib.openapi import ErrorOut

router = Router(tags=["register"])


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    public_key: str


class RegisterEntryOut(Schema):
    index: int
    leaf_hash: str
    action: str
    document: str
    collectivity: str
    sha256: str
    published_at: dt.datetime


class InclusionOut(Schema):
    index: int
    tree_size: int
    audit_path: list[str]


class ConsistencyOut(Schema):
    first: int
    second: int
    consistency_path: list[str]


class PublicKeyOut(Schema):
    public_key: str
    algorithm: str


def _number(raw: str | None) -> int | None:
    """An index or a size: decimal digits, within the shared bound (infitah/lib/bounds)."""
    return whole_number(raw)


def _error(status: int, message: str) -> Status[ErrorOut]:
    return Status(status, ErrorOut(detail=message))


@router.get("/checkpoint", response={200: CheckpointOut, 404: ErrorOut})
def checkpoint(request: HttpRequest) -> Status[CheckpointOut] | Status[ErrorOut]:
    """The latest signed checkpoint: tree size, root, timestamp, Ed25519 signature and key."""
    latest = selectors.checkpoint_latest()
    if latest is None:
        return _error(404, _("The register has no signed checkpoint yet."))
    out = CheckpointOut(
        tree_size=latest.tree_size,
        root_hash=latest.root_hash,
        timestamp=signing.format_timestamp(latest.timestamp),
        signature=latest.signature,
        public_key=latest.public_key,
    )
    return Status(200, out)


@router.get("/public-key", response=PublicKeyOut)
def public_key(request: HttpRequest) -> PublicKeyOut:
    """The Ed25519 public key (raw 32 bytes, base64) that signs the checkpoints."""
    return PublicKeyOut(public_key=signing.public_key_b64(), algorithm=signing.ALGORITHM)


@router.get("/entries/{index}", response={200: RegisterEntryOut, 400: ErrorOut, 404: ErrorOut})
def entry(request: HttpRequest, index: str) -> Status[RegisterEntryOut] | Status[ErrorOut]:
    """One register entry; `document` is "<document_type>:<document_id>"."""
    parsed = _number(index)
    if parsed is None:
        return _error(400, _("The index must be a whole number, e.g. 0."))
    found = selectors.register_entry_get(index=parsed)
    if found is None:
        return _error(404, _("The register has no entry with this index."))
    out = RegisterEntryOut(
        index=found.index,
        leaf_hash=found.leaf_hash,
        action=found.action,
        document=found.document,
        collectivity=found.collectivity.slug,
        sha256=found.file_sha256,
        published_at=found.published_at,
    )
    return Status(200, out)


@router.get("/proof/inclusion", response={200: InclusionOut, 400: ErrorOut})
def inclusion(
    request: HttpRequest, index: str | None = None, tree_size: str | None = None
) -> Status[InclusionOut] | Status[ErrorOut]:
    """The audit path of leaf `index` in the tree of `tree_size` leaves (RFC 9162 §2.1.3)."""
    i, n = _number(index), _number(tree_size)
    if i is None or n is None:
        return _error(400, _("Give ?index= and ?tree_size= as whole numbers."))
    try:
        path = selectors.register_inclusion_proof(index=i, tree_size=n)
    except selectors.RegisterRangeError:
        return _error(
            400,
            _("Out of range: need 0 ≤ index < tree_size ≤ the register's current size."),
        )
    return Status(200, InclusionOut(index=i, tree_size=n, audit_path=[h.hex() for h in path]))


@router.get("/proof/consistency", response={200: ConsistencyOut, 400: ErrorOut})
def consistency(
    request: HttpRequest, first: str | None = None, second: str | None = None
) -> Status[ConsistencyOut] | Status[ErrorOut]:
    """The proof that the tree of `first` leaves is a prefix of that of `second` (§2.1.4)."""
    m, n = _number(first), _number(second)
    if m is None or n is None:
        return _error(400, _("Give ?first= and ?second= as whole numbers."))
    try:
        path = selectors.register_consistency_proof(first=m, second=n)
    except selectors.RegisterRangeError:
        return _error(
            400,
            _("Out of range: need 1 ≤ first ≤ second ≤ the register's current size."),
        )
    out = ConsistencyOut(first=m, second=n, consistency_path=[h.hex() for h in path])
    return Status(200, out)
