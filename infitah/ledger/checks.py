"""Start-up checks of the register's C2SP settings (docs/register.md, "C2SP")."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from infitah.ledger import signing


def register_keys_check(**kwargs: Any) -> list[checks.CheckMessage]:
    """Former signing keys are base64 of 32 bytes; witness vkeys are cosignature/v1 keys."""
    errors: list[checks.CheckMessage] = []
    for key in settings.INFITAH_REGISTER_PREVIOUS_KEYS:
        try:
            ok = len(base64.b64decode(key, validate=True)) == 32
        except (ValueError, binascii.Error):
            ok = False
        if not ok:
            errors.append(
                checks.Error(
                    f"INFITAH_REGISTER_PREVIOUS_KEYS: {key!r} is not the base64 of a "
                    "32-byte Ed25519 public key.",
                    id="ledger.E001",
                )
            )
    try:
        signing.witness_verifiers()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="ledger.E002"))
    return errors
