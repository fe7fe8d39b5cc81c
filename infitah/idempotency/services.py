"""Idempotent writes: a request retried with the same Idempotency-Key gets the first answer.

A client whose connection dropped before the answer cannot know whether its complaint
was filed. It sends the request again with the same `Idempotency-Key` header (any unique
text: a UUID), and:

- the same key with the same request (method, path, query and body) gets the first
  answer again, byte for byte (status, body, Content-Type, Content-Language, Location),
  with `Idempotent-Replayed: true`, and nothing is written a second time;
- the same key with another request is refused, 422, and nothing is written;
- a key is scoped to the operation (method and route) and to the credentials sent (the
  `Authorization` header, if any): the same key elsewhere, or with another token, is
  another key. Anonymous clients are told apart only by the key and the request, both
  theirs: a key is a secret to be chosen at random;
- a key lives `INFITAH_IDEMPOTENCY_HOURS` (default 24) after its first use;
- only successful answers (2xx) are kept: a refusal (4xx) wrote nothing, so the client
  may correct its request and send it with the same key; a failure (5xx) is retried
  with the same key as if never sent.

The pages' citizen forms use the same engine with a hidden one-time key instead of the
header (infitah/idempotency/submissions.py): there the kept answer is the one the view
marks as the form's result (a redirect to the tracking page), and a retry gets it back
whatever the body, since a browser may send the form again changed after "back".

Concurrency: the key's row is inserted, the write made and the answer stored in one
transaction. A second request with the same key waits for the first to finish (on the
row's unique index in PostgreSQL, on the database lock in SQLite), then replays its
answer (or, if the first failed, is processed itself). A crash rolls back the write and
the key together: a key is never left claimed by a request that did not complete.

Privacy: the row holds keyed digests (HMAC with SECRET_KEY) of the key and of the
request, and the answer encrypted (AES-256-GCM) with a key derived from the
Idempotency-Key: a secret tracking link in an answer is not readable from the database.
Rotating SECRET_KEY forgets every key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.idempotency.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 255
# Headers of an answer that are kept and replayed with its body.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Location")
# Expired keys deleted at most per request that claims a key.
PURGE_BATCH = 100
_NONCE_BYTES = 12


class KeyInvalid(ValueError):
    """The Idempotency-Key header is not 1 to 255 printable ASCII characters."""


@dataclass(frozen=True)
class Scope:
    """Where a key is valid: the operation and the credentials it was sent with."""

    operation: str
    credentials: str


def key_read(raw: str | None) -> str | None:
    """The key of an `Idempotency-Key` header value (None when absent). A structured
    field string ("…") is accepted as well as the bare text. KeyInvalid otherwise."""
    if raw is None:
        return None
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not 1 <= len(text) <= KEY_MAX_LENGTH or not all(" " <= c <= "~" for c in text):
        raise KeyInvalid(text)
    return text


def _mac(purpose: str, *parts: str | bytes) -> bytes:
    """HMAC-SHA256 with SECRET_KEY of `parts`, each length-prefixed (no ambiguity)."""
    message = bytearray(purpose.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        message += len(data).to_bytes(8, "big") + data
    return hmac.new(settings.SECRET_KEY.encode(), bytes(message), hashlib.sha256).digest()


def _ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "INFITAH_IDEMPOTENCY_HOURS", 24)))


def _seal(secret: bytes, lookup: str, response: HttpResponseBase, body: bytes) -> bytes:
    headers = [[name, response[name]] for name in KEPT_HEADERS if response.has_header(name)]
    plain = json.dumps(headers).encode() + b"\n" + body
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(secret).encrypt(nonce, plain, lookup.encode())


def _unseal(secret: bytes, lookup: str, sealed: bytes) -> tuple[list[list[str]], bytes]:
    plain = AESGCM(secret).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], lookup.encode())
    head, _sep, body = plain.partition(b"\n")
    return json.loads(head), body


def _replay(found: IdempotencyKey, secret: bytes) -> HttpResponse | None:
    """The stored answer, or None if it cannot be read (SECRET_KEY rotated)."""
    try:
        headers, body = _unseal(secret, found.lookup, bytes(found.sealed))
    except (InvalidTag, ValueError):
        return None
    response = HttpResponse(body, status=found.status)
    for name, value in headers:
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _refused(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": [{"field": HEADER, "message": message}]}, status=status)


def key_invalid_response() -> JsonResponse:
    return _refused(
        400,
        _("The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID."),
    )


def idempotency_purge(*, now: datetime | None = None, limit: int = PURGE_BATCH) -> int:
    """Delete at most `limit` expired keys; return how many. Runs in its own short
    transaction, so that its row locks are not held while a write is made."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            IdempotencyKey.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:limit]
        )
        if not stale:
            return 0
        deleted, _detail = IdempotencyKey.objects.filter(pk__in=stale).delete()
    return deleted


def _claim(*, lookup: str, fingerprint: str, now: datetime) -> IdempotencyKey | None:
    """Insert the key's row (None), or return the row another request committed."""
    for _attempt in range(3):
        try:
            # A savepoint: a duplicate key must not break the outer transaction. In
            # PostgreSQL this INSERT waits while another transaction holds the same key,
            # and fails once that one commits it.
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    lookup=lookup, fingerprint=fingerprint, created_at=now, expires_at=now + _ttl()
                )
            return None
        except IntegrityError:
            found = IdempotencyKey.objects.filter(lookup=lookup).first()
            if found is not None:
                return found
            # Deleted in between (expired, purged): claim it again.
    raise IntegrityError(f"idempotency key {lookup[:12]}… keeps changing")


def _successful(response: HttpResponseBase) -> bool:
    return 200 <= response.status_code < 300


def idempotent_call(
    *,
    request: HttpRequest,
    key: str,
    scope: Scope,
    call: Callable[[], HttpResponseBase],
    kept: Callable[[HttpResponseBase], bool] = _successful,
    same_request: bool = True,
) -> HttpResponseBase:
    """Answer `request` through `call` at most once per (`scope`, `key`); see the
    module's docstring. `call` makes the write and returns its answer; it runs inside
    this function's transaction.

    `kept` tells which answers are stored and replayed (by default the 2xx; any other
    releases the key). With `same_request=False` a retry gets the stored answer whatever
    its body (a form's key names one submission, not one body), and the body is not read
    (a multipart form's raw body is gone once parsed)."""
    lookup = _mac("lookup", scope.operation, scope.credentials, key).hex()
    secret = _mac("seal", scope.operation, scope.credentials, key)
    if same_request:
        fingerprint = _mac(
            "request", request.method or "", request.get_full_path(), request.body
        ).hex()
    else:
        fingerprint = _mac("any request", request.method or "").hex()
    now = timezone.now()
    idempotency_purge(now=now)
    with transaction.atomic():
        IdempotencyKey.objects.filter(lookup=lookup, expires_at__lte=now).delete()
        found = _claim(lookup=lookup, fingerprint=fingerprint, now=now)
        if found is not None:
            if not hmac.compare_digest(found.fingerprint, fingerprint):
                return _refused(
                    422,
                    _(
                        "This Idempotency-Key was already used for another request. Send a "
                        "new key with a new request."
                    ),
                )
            replayed = _replay(found, secret)
            if replayed is not None:
                return replayed
            # Unreadable (damaged): forget it and answer afresh.
            found.delete()
            _claim(lookup=lookup, fingerprint=fingerprint, now=now)
        response = call()
        claimed = IdempotencyKey.objects.filter(lookup=lookup)
        if isinstance(response, HttpResponse) and kept(response):
            claimed.update(
                status=response.status_code,
                sealed=_seal(secret, lookup, response, response.content),
            )
        else:
            # Refused or failed: nothing to replay; the client may retry with this key.
            claimed.delete()
        return response
