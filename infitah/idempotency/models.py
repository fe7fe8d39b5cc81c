"""What is kept of an idempotent write: who sent which request, and its sealed answer."""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    """One Idempotency-Key of one operation and client (infitah/idempotency/services.py).

    Nothing here reads without the key: `lookup` and `fingerprint` are keyed digests
    (HMAC with SECRET_KEY) of the key and of the request, and `sealed` is the answer's
    headers and body encrypted with a key derived from the Idempotency-Key itself. A row
    is written in the same transaction as the write it answers for, so it exists
    exactly when that write was committed.
    """

    # HMAC of (operation, credentials, Idempotency-Key): the one look-up, unique.
    lookup = models.CharField(max_length=64, unique=True)
    # HMAC of (method, path and query, body): "the same request".
    fingerprint = models.CharField(max_length=64)
    # The answer's status; 0 until it is stored, in the same transaction as the claim,
    # so that no other request ever reads a 0.
    status = models.PositiveSmallIntegerField(default=0)
    # nonce (12 bytes) + AES-256-GCM of the answer's kept headers and body.
    sealed = models.BinaryField(default=b"")
    created_at = models.DateTimeField()
    # Served by the purge of expired keys.
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.lookup[:12]}… ({self.status})"
