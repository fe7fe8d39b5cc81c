"""Ed25519 signatures of register checkpoints (docs/register.md).

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
