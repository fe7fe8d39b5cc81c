"""Ed25519 signatures of register checkpoints (docs/register.md).

Two signatures per checkpoint, by the same key: the register's own message below, and
the C2SP signed note of the checkpoint (`note_signature`, docs/register.md "C2SP").

The signed message is exactly the UTF-8 text

    infitah-register\\n{tree_size}\\n{root_hash_hex}\\n{timestamp}\\n

with the tree size in decimal, the root as 64 lowercase hex characters and the timestamp
in ISO 8601 UTC to the second (`2026-11-22T21:15:00Z`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from infitah.ledger import tlog

ALGORITHM = "Ed25519"


def format_timestamp(at: dt.datetime) -> str:
    """ISO 8601 in UTC to the second, with a Z: the form that is signed."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkpoint_message(*, tree_size: int, root_hash_hex: str, timestamp: dt.datetime) -> bytes:
    """The exact bytes that a checkpoint signs."""
    return (
        f"infitah-register\n{tree_size}\n{root_hash_hex}\n{format_timestamp(timestamp)}\n".encode()
    )


@cache
def _private_key(raw_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw_b64))


def signing_key() -> Ed25519PrivateKey:
    """The configured key (settings.INFITAH_REGISTER_SIGNING_KEY, checked at start-up)."""
    return _private_key(settings.INFITAH_REGISTER_SIGNING_KEY)


def public_key_b64(key: Ed25519PrivateKey | None = None) -> str:
    """The raw 32-byte public key, base64."""
    public = (key or signing_key()).public_key()
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def sign(message: bytes) -> str:
    """The base64 Ed25519 signature of `message` by the configured key."""
    return base64.b64encode(signing_key().sign(message)).decode()


def signature_is_valid(*, message: bytes, signature_b64: str, public_key_b64: str) -> bool:
    """Whether `signature_b64` is a valid signature of `message` by `public_key_b64`."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


# --- Key rotation and C2SP notes -----------------------------------------------------


def valid_public_keys() -> list[str]:
    """The public keys (base64) whose checkpoints verify: the current signing key first,
    then the former ones (settings.INFITAH_REGISTER_PREVIOUS_KEYS)."""
    current = public_key_b64()
    return [current, *(k for k in settings.INFITAH_REGISTER_PREVIOUS_KEYS if k != current)]


def origin() -> str:
    """The origin line (and note key name) of the checkpoints signed from now on."""
    return str(settings.INFITAH_REGISTER_ORIGIN)


def note_verifier(*, public_key: str, name: str | None = None) -> tlog.Verifier:
    """The C2SP verifier of a register key (base64) under a note key name (the origin)."""
    raw = base64.b64decode(public_key, validate=True)
    name = name or origin()
    return tlog.Verifier(
        name=name,
        key_type=tlog.TYPE_ED25519,
        key_id=tlog.key_id(name, tlog.TYPE_ED25519, raw),
        public_key=raw,
    )


def vkeys() -> list[str]:
    """The vkeys ("name+keyid+base64(0x01||key)") of every valid key, current first."""
    return [note_verifier(public_key=k).vkey for k in valid_public_keys()]


def note_sign(text: str, *, name: str) -> str:
    """base64(key ID || Ed25519 signature of `text`) by the configured key: what follows
    the key name in the note's signature line."""
    line = tlog.note_sign(text, name, signing_key())
    return line.rstrip("\n").rsplit(" ", 1)[1]


def note_signature_is_valid(*, text: str, name: str, public_key: str, signature_b64: str) -> bool:
    """Whether `signature_b64` (key ID || signature) is this key's signature of `text`."""
    try:
        verifier = note_verifier(public_key=public_key, name=name)
        raw = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error):
        return False
    return raw[:4] == verifier.key_id and tlog.ed25519_verify(
        verifier.public_key, raw[4:], text.encode()
    )


@cache
def _witnesses(vkeys: tuple[str, ...]) -> tuple[tlog.Verifier, ...]:
    try:
        return tuple(tlog.vkey_parse(v, key_type=tlog.TYPE_COSIGNATURE_V1) for v in vkeys)
    except tlog.NoteError as exc:
        raise ImproperlyConfigured(f"INFITAH_REGISTER_WITNESSES: {exc}") from exc


def witness_verifiers() -> tuple[tlog.Verifier, ...]:
    """The witnesses whose cosignatures the register accepts (settings, checked by
    ledger.checks at start-up)."""
    return _witnesses(tuple(settings.INFITAH_REGISTER_WITNESSES))
