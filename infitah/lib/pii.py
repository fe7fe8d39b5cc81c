"""Personal identifiers (national ID and residence card numbers): encrypt, hash, mask.

An identifier is stored twice and never in clear: encrypted (Fernet, AES-128-CBC with
HMAC-SHA256, so that an authorised officer can read it back) and as a keyed hash
(HMAC-SHA256) for de-duplication and look-ups without decryption. Both keys are derived
from `INFITAH_PII_KEY` with HKDF under distinct labels, so a leak of the hashes tells
nothing about the encryption key. Staff pages show the masked form only.

Identifiers are normalised before hashing (upper case, no spaces, dashes or dots;
Arabic-Indic digits folded), so "ab 123 456" and "AB123456" are the same person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from django.conf import settings

__all__ = [
    "InvalidToken",
    "id_normalise",
    "id_valid",
    "pii_decrypt",
    "pii_encrypt",
    "pii_hash",
    "pii_mask",
]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-./_]+")
# A CIN: one or two Latin letters then digits (e.g. "J123456", "AB123456"); a residence
# card: one or two letters, digits, optionally a final letter. The law gives no format:
# these patterns are checked against the cards in circulation and are deliberately loose.
ID_PATTERNS = {
    "cin": re.compile(r"^[A-Z]{1,2}[0-9]{1,7}$"),
    "residence_card": re.compile(r"^[A-Z]{1,3}[0-9]{4,10}[A-Z]?$"),
}


def id_normalise(value: str) -> str:
    """The canonical spelling of an identifier: upper case, separators removed."""
    return _SEPARATORS.sub("", value.translate(_DIGITS)).upper()


def id_valid(value: str, id_type: str) -> bool:
    """Whether `value` (normalised) looks like an identifier of `id_type`."""
    pattern = ID_PATTERNS.get(id_type)
    return bool(pattern and pattern.match(value))


@lru_cache(maxsize=4)
def _derive(key: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key.encode())


def _fernet() -> Fernet:
    key = _derive(settings.INFITAH_PII_KEY, b"infitah:pii:encryption:v1")
    return Fernet(base64.urlsafe_b64encode(key))


def pii_encrypt(value: str) -> str:
    """The encrypted form of `value`, as ASCII text for a database column."""
    return _fernet().encrypt(value.encode()).decode("ascii")


def pii_decrypt(token: str) -> str:
    """The clear value of `token`; InvalidToken if it was not made with this key."""
    return _fernet().decrypt(token.encode("ascii")).decode()


def pii_hash(value: str, *, purpose: str = "id") -> str:
    """A keyed hash of the normalised `value`; `purpose` separates uses (hex, 64 chars)."""
    key = _derive(settings.INFITAH_PII_KEY, b"infitah:pii:hash:v1")
    message = f"{purpose}:{id_normalise(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def pii_mask(value: str, *, visible: int = 3) -> str:
    """`value` with all but its last `visible` characters hidden: "•••••456"."""
    value = id_normalise(value)
    if len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]
