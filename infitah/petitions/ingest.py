"""Signature ingest: the two hot endpoints of signing, grouped into batches.

A viral petition is a flood of two requests: `POST /api/v1/petitions/<id>/signatures`
and `POST /api/v1/signatures/confirm`. `SignatureIngest` wraps the WSGI application
(infitah/wsgi.py), `SignatureIngestASGI` the ASGI one (infitah/asgi.py); both answer the
well-formed ones without running their view, and write them in batches: each worker
process has one writer thread that takes every signature and confirmation waiting and
writes them in one transaction (a few statements whatever the batch size), then wakes
their requests. Under load a batch holds as many requests as are waiting; alone, a
request is a batch of one, with no added wait. An answer is given only after COMMIT:
202 and 200 mean stored.

What it keeps of the Django path (api.py, signatures.py), and how:

- Same checks, same code: `signature_validate`, `online_signature`, the integrity
  settings and rate limits (`rate_check_many`, one Redis script call per batch), the
  confirmation e-mail (`notify.signatory_confirm_message`), the unique (petition, CIN
  hash) constraint, the shared tally lock of confirmations and the sharded tallies.
- Same answers: 202, 409 "already signed" (field cin), 409 not collecting, 429 with
  Retry-After, 503 with Retry-After (`loadshed.overloaded_response`), and 200 for a
  confirmation: the bodies and own headers of the API's responses.
- Same middleware: the headers of every answer are those Django's middleware chain
  (settings.MIDDLEWARE, loaded as the WSGI handler loads it) puts on that response, not a
  copy kept here. For each kind of request — path, host, scheme, negotiated language —
  the chain is run on each answer the ingest may give, with a view that returns it
  (after URL resolution and the view middleware), and what it adds, changes or removes
  is applied to the real answers of that kind; learned again after `HEADERS_SECONDS`.
  If a middleware answers such a request itself (a redirect to HTTPS, a refusal), sets a
  cookie or rewrites the body, the ingest steps aside for that kind: Django answers it,
  before anything of it is written. The requests of the chain carry only the method,
  path, host, scheme, language, content type and body of the request: a middleware that
  acts on another header (a cookie, the user agent) is seen as for a request without it.
  The load-shedding middleware does not count them (`loadshed.EXEMPT`): the ingest's own
  queue bounds its requests, which hold no Django thread.
- Everything else goes to Django unchanged, which answers exactly as before: a body
  that is not a JSON object of plain values, a field that fails its check, an unknown
  or non-collecting petition, an unknown host, a confirmation that does not end
  "confirmed" (unknown, lapsed, invalidated): rare paths, one code for them. A request
  is handed over before anything of it is written.
- Beyond capacity, `INFITAH_INGEST_MAX_QUEUE` waiting requests per process, a request
  is answered 503 with Retry-After at once; a batch that fails (database unavailable,
  serialization failure) is rolled back whole and each of its requests answered 503:
  nothing is acknowledged that was not committed.

Every wait is bounded, so that a worker told to stop (SIGTERM: gunicorn lets it finish
the requests it holds for `--graceful-timeout`, 30 s by default, then kills it) answers
each of them first, 503 + Retry-After when it could not store it, even with the database
blocked. A request waits at most `INFITAH_INGEST_TIMEOUT` (10 s) for its batch, plus
`OUTCOME_GRACE_SECONDS` (2 s) if the writer has taken it:

- still queued at its deadline: withdrawn (the writer will not see it), 503;
- taken: the writer does not commit a batch later than half the grace past the first
  deadline of its requests (its statement timeout is cut to that point, and it checks
  again before COMMIT), so the batch's outcome comes within the grace; a request with no
  outcome even then (the database stopped answering) is answered 503, logged.

The writer thread is supervised: if it stops (an exception that escaped it), the
requests of its batch are answered (503 unless their outcome was known) and a new
writer takes the queue, with a log line.

Settings: `INFITAH_SIGNATURE_INGEST` (default on; PostgreSQL only — on SQLite every
request goes to Django), `INFITAH_INGEST_MAX_QUEUE` (default 1024),
`INFITAH_INGEST_MAX_BATCH` (default 256), `INFITAH_INGEST_TIMEOUT` (ms, default 10000),
`INFITAH_INGEST_STATEMENT_TIMEOUT` (ms, default 5000).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infitah.lib import loadshed
from infitah.lib.casework import token_digest
from infitah.lib.text import has_lone_surrogate
from infitah.notifications.services import emails_queue_many
from infitah.petitions import notify, selectors
from infitah.petitions.integrity import (
    client_ip,
    domain_limited_message,
    integrity_settings_get,
    ip_limited_message,
    rate_check_many,
)
from infitah.petitions.models import Petition
from infitah.petitions.signatures import (
    TALLY_LOCK_CLASS,
    AlreadySigned,
    NotCollecting,
    SignatureInput,
    online_values,
    shard_count,
    signature_validate,
)
from infitah.petitions.workflow import SignatureStatus, Status

logger = logging.getLogger(__name__)

SUBMIT_PATH = re.compile(r"^/api/v1/petitions/([0-9]{1,12})/signatures$")
CONFIRM_PATH = "/api/v1/signatures/confirm"
BODY_MAX = 8 * 1024
PETITION_MEMO_SECONDS = 1.0
# Past its deadline, how long a request the writer has taken waits for its batch's
# outcome. The writer commits no batch later than half of it past the batch's first
# deadline: the rest is its margin to roll back and wake the requests.
OUTCOME_GRACE_SECONDS = 2.0
# How long the headers learned from Django's middleware chain are used for a kind of
# request before the chain is run again (a middleware whose answer changes at run time).
HEADERS_SECONDS = 5.0
SIGNATURE_FIELDS = (
    "full_name",
    "cin",
    "residence_commune",
    "interest",
    "email",
    "electoral_declaration",
)
TRUE_TEXT = frozenset({"true", "1", "yes", "on"})

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


# ---- outcomes and items ---------------------------------------------------------------

ACCEPTED, SIGNED, CLOSED, LIMITED, CONFIRMED, OTHER, BUSY, HANDOVER = (
    "accepted",
    "already-signed",
    "not-collecting",
    "rate-limited",
    "confirmed",
    "other",
    "busy",
    "handover",
)


@dataclass(eq=False)
class Item:
    """One request waiting for its batch; the writer sets `outcome` then `done`.

    `taken` and `withdrawn` change under the batcher's lock only: the writer takes an
    item, or its request withdraws it, never both. `deadline` (`time.monotonic()`) is
    set when the item is queued."""

    done: threading.Event = field(default_factory=threading.Event)
    callback: Callable[[], None] | None = None
    outcome: str = BUSY
    detail: Any = None
    taken: bool = False
    withdrawn: bool = False
    deadline: float = 0.0


@dataclass(eq=False)
class SubmitItem(Item):
    petition_id: int = 0
    data: dict[str, Any] = field(default_factory=dict)  # the JSON object of the request
    ip: str | None = None
    language: str = ""
    user_agent: str = ""
    # Filled by the writer (`_prepare`):
    row: dict[str, Any] = field(default_factory=dict)  # `online_values`
    subject: str = ""
    body: str = ""
    counted: bool = False  # the attempt is counted against the rate limits
    refusal: tuple[str, int] | None = None  # ("ip" | "domain", retry_after) once counted


@dataclass(eq=False)
class ConfirmItem(Item):
    digest: str = ""


# ---- the writer -----------------------------------------------------------------------


class BatchLate(Exception):
    """A batch not committed by its cut-off: rolled back, its requests answered 503."""


class Batcher:
    """One writer thread per process; requests wait on their item's event."""

    def __init__(
        self,
        max_queue: int,
        max_batch: int,
        statement_timeout_ms: int = 0,
        timeout: float = 10.0,
    ) -> None:
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.statement_timeout_ms = statement_timeout_ms
        self.timeout = timeout  # seconds a request waits in the queue (`Item.deadline`)
        self._cond = threading.Condition()
        self._waiting: list[Item] = []
        self._pid = 0
        self._writer: threading.Thread | None = None
        self.batches = 0
        self.items = 0
        self.restarts = 0  # writer threads started again after one stopped

    def put(self, item: Item) -> bool:
        """Queue `item`; False (nothing queued) when full. Its `done` event is set, then
        its `callback` called (from the writer thread), once its outcome is known."""
        with self._cond:
            if self._pid != os.getpid():  # first use in this process (after the fork)
                self._pid = os.getpid()
                self._waiting = []
                self._writer = None
            if len(self._waiting) >= self.max_queue:
                return False
            if self._writer is None or not self._writer.is_alive():
                self._start_writer()
            item.deadline = time.monotonic() + self.timeout
            self._waiting.append(item)
            self._cond.notify()
        return True

    def withdraw(self, item: Item) -> bool:
        """For a request that stops waiting: True if the writer had not taken `item`,
        which is now out of the queue (nothing of it will be written); False if it has,
        and its outcome is coming."""
        with self._cond:
            if item.taken:
                return False
            if not item.withdrawn:
                item.withdrawn = True
                if item in self._waiting:  # not after a fork reset the queue
                    self._waiting.remove(item)
            return True

    def run(self, item: Item) -> bool:
        """Queue `item` and wait for its outcome, at most until its deadline plus
        `OUTCOME_GRACE_SECONDS`; False (nothing done) when full. An item still queued at
        its deadline is withdrawn, its outcome left BUSY."""
        if not self.put(item):
            return False
        if (
            not item.done.wait(max(0.0, item.deadline - time.monotonic()))
            and not self.withdraw(item)
            and not item.done.wait(
                max(0.0, item.deadline + OUTCOME_GRACE_SECONDS - time.monotonic())
            )
        ):
            self.note_no_outcome()
        return True

    def note_no_outcome(self) -> None:
        logger.error(
            "signature ingest: no outcome of a batch %.0f s past its deadline; answered 503",
            OUTCOME_GRACE_SECONDS,
        )

    def _start_writer(self) -> None:
        """Under the lock: a new writer thread for the queue."""
        if self._writer is not None:
            self.restarts += 1
            logger.error("signature ingest: the writer thread had stopped; a new one is started")
        self._writer = threading.Thread(target=self._loop, name="signature-ingest", daemon=True)
        self._writer.start()

    def _loop(self) -> None:
        batch: list[Item] = []
        try:
            while True:
                batch = self._take()
                try:
                    self._write_or_split(batch)
                finally:
                    _wake(batch)
                batch = []
        finally:
            # Only what escapes the writing (not an Exception: `_write_or_split` takes
            # those) ends the loop. The requests of the batch in hand are answered (503
            # unless their outcome was known: a failed transaction was rolled back), and
            # a new writer takes the queue.
            _wake(batch, quiet=True)
            with contextlib.suppress(Exception):
                connection.close()  # this thread's; the new writer opens its own
            with self._cond:
                if self._writer is threading.current_thread():
                    self._start_writer()

    def _take(self) -> list[Item]:
        """The next batch. A request already past its deadline is not written: it is
        withdrawn and woken (503), so that it does not cut its batch short."""
        with self._cond:
            while True:
                while not self._waiting:
                    self._cond.wait()
                now = time.monotonic()
                batch: list[Item] = []
                late: list[Item] = []
                while self._waiting and len(batch) < self.max_batch:
                    item = self._waiting.pop(0)
                    if now >= item.deadline > 0:
                        item.withdrawn = True
                        late.append(item)
                    else:
                        item.taken = True
                        batch.append(item)
                if late:
                    _wake(late)
                if batch:
                    return batch

    def _write_or_split(self, batch: list[Item]) -> None:
        """Write `batch`; if it fails for another reason than an overloaded database
        (a fault of one item), write its items one by one, so that one bad request
        does not refuse the others. Every item that was not written is BUSY (503)."""
        deadlines = [item.deadline for item in batch if item.deadline > 0]
        cutoff = min(deadlines) + OUTCOME_GRACE_SECONDS / 2 if deadlines else None
        try:
            self.write(batch, cutoff)
            return
        except Exception as exc:
            overload = loadshed.is_overload_error(exc) or isinstance(exc, BatchLate)
            level = logging.WARNING if overload else logging.ERROR
            logger.log(level, "signature ingest: batch of %d failed", len(batch), exc_info=exc)
            connection.close()  # a new one for what follows
            if overload or len(batch) == 1:
                for item in batch:
                    item.outcome = BUSY
                return
        for item in batch:  # the transaction was rolled back: nothing of it is stored
            item.outcome = BUSY
            try:
                self.write([item], cutoff)
            except Exception as exc:
                item.outcome = BUSY
                logger.error("signature ingest: one request failed", exc_info=exc)
                connection.close()

    def write(self, batch: list[Item], cutoff: float | None = None) -> None:
        """Write one batch in one transaction, committed before `cutoff`
        (`time.monotonic()`) or not at all (`BatchLate`); sets each item's outcome (BUSY
        on error)."""
        self.batches += 1
        self.items += len(batch)
        submits = _prepare([item for item in batch if isinstance(item, SubmitItem)])
        confirms = [item for item in batch if isinstance(item, ConfirmItem)]
        with transaction.atomic():
            timeout_ms = self.statement_timeout_ms
            if cutoff is not None:
                left_ms = int((cutoff - time.monotonic()) * 1000)
                if left_ms <= 0:
                    raise BatchLate("past its cut-off before it began")
                timeout_ms = min(timeout_ms, left_ms) if timeout_ms > 0 else left_ms
            if timeout_ms > 0:
                # For this transaction only: a batch stuck on a lock or an overloaded
                # database fails (503, rolled back) instead of holding its requests.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)", [f"{timeout_ms}ms"]
                    )
            # As the API: a petition that stopped collecting is answered so before any
            # attempt is counted (the memo of `_prepare` may be a second old).
            allowed = _rate_limit(_collecting(submits))
            outcomes = _insert(allowed) if allowed else {}
            confirmed = _confirm(confirms) if confirms else {}
            # The requests stop waiting soon after the cut-off: what is not committed
            # by then is rolled back, so that their 503 says true.
            if cutoff is not None and time.monotonic() >= cutoff:
                raise BatchLate("past its cut-off before COMMIT")
        for submit, outcome in outcomes.items():
            submit.outcome = outcome
        for confirm, outcome in confirmed.items():
            confirm.outcome = outcome


def _wake(items: list[Item], quiet: bool = False) -> None:
    """Wake the requests of `items` (from the writer thread): their event, then their
    callback. `quiet`: again, as the writer stops; any failure is logged, not raised."""
    for item in items:
        item.done.set()
        if item.callback is None:
            continue
        try:
            item.callback()
        except Exception:  # e.g. the request's event loop is closed
            logger.warning("signature ingest: a request could not be woken")
        except BaseException:
            if not quiet:
                raise
            logger.warning("signature ingest: a request could not be woken")


def _prepare(items: list[SubmitItem]) -> list[SubmitItem]:
    """Check each signature as the API does and build its row and e-mail; the items
    ready to write. A petition not collecting or a field that fails its check: HANDOVER
    (Django answers it). Here, in the writer thread, so that only this thread of the
    process reads the database (petitions, places and settings through their memos)."""
    if not items:
        return []
    integrity = integrity_settings_get()
    ready = []
    for item in items:
        petition = _petition(item.petition_id)
        if petition is None or petition.status != Status.COLLECTING:
            item.outcome = HANDOVER
            continue
        data = item.data
        try:
            clean = signature_validate(
                petition=petition,
                data=SignatureInput(
                    full_name=_scalar_text(data.get("full_name")),
                    cin=_scalar_text(data.get("cin")),
                    residence=_scalar_text(data.get("residence_commune")),
                    interest=_scalar_text(data.get("interest")) or "resident",
                    email=_scalar_text(data.get("email")),
                    electoral_declaration=_flag(data.get("electoral_declaration")),
                ),
                integrity=integrity,
            )
        except ValidationError:
            item.outcome = HANDOVER
            continue
        token = secrets.token_urlsafe(24)
        item.row = online_values(
            petition_id=petition.pk,
            clean=clean,
            token=token,
            ip=item.ip,
            language=item.language,
            user_agent=item.user_agent,
        )
        item.subject, item.body = notify.signatory_confirm_message(
            petition, item.row["language"], token
        )
        ready.append(item)
    return ready


_COLLECTING = 'SELECT id FROM "petitions_petition" WHERE id = ANY(%s::bigint[]) AND status = %s'


def _collecting(items: list[SubmitItem]) -> list[SubmitItem]:
    """The items whose petition collects now; the others HANDOVER (Django says why)."""
    if not items:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _COLLECTING, [sorted({item.petition_id for item in items}), Status.COLLECTING]
        )
        open_ids = {row[0] for row in cursor.fetchall()}
    ready = []
    for item in items:
        if item.petition_id in open_ids:
            ready.append(item)
        else:
            item.outcome = HANDOVER
    return ready


def _rate_limit(items: list[SubmitItem]) -> list[SubmitItem]:
    """Count the attempts not counted yet (one Redis call); the items within the limits.
    An item written again alone after its batch failed is not counted twice."""
    fresh = [item for item in items if not item.counted]
    if fresh:
        refused = rate_check_many(
            [(item.row["petition_id"], item.row["ip"], item.row["email_domain"]) for item in fresh],
            integrity_settings_get(),
        )
        for item, refusal in zip(fresh, refused, strict=True):
            item.counted, item.refusal = True, refusal
    allowed = []
    for item in items:
        if item.refusal is None:
            allowed.append(item)
        else:
            item.outcome, item.detail = LIMITED, item.refusal
    return allowed


# Pending rows of the batch, for petitions still collecting; a CIN hash already there
# inserts nothing (the unique constraint). Rows are given in (petition, hash) order, so
# two batches that meet on the same keys wait for each other in one order: no deadlock.
_INSERT = (
    'INSERT INTO "petitions_signature" (petition_id, full_name, cin_encrypted, cin_hash, '
    "cin_masked, residence_id, province_id, interest, electoral_declaration, email, "
    "email_domain, ip, user_agent_hash, status, channel, language, confirm_digest, "
    "created_at) "
    "SELECT v.petition_id, v.full_name, v.cin_encrypted, v.cin_hash, v.cin_masked, "
    "v.residence_id, v.province_id, v.interest, true, v.email, v.email_domain, v.ip, "
    "v.user_agent_hash, %s, %s, v.language, v.confirm_digest, %s "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::inet[], "
    "%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS v(petition_id, full_name, "
    "cin_encrypted, cin_hash, cin_masked, residence_id, province_id, interest, email, "
    "email_domain, ip, user_agent_hash, language, confirm_digest, n) "
    'JOIN "petitions_petition" p ON p.id = v.petition_id AND p.status = %s '
    "ORDER BY v.n "
    "ON CONFLICT (petition_id, cin_hash) DO NOTHING RETURNING id, petition_id, cin_hash"
)
_EXISTING = (
    'SELECT petition_id, cin_hash FROM "petitions_signature" '
    "WHERE cin_hash = ANY(%s::text[]) AND petition_id = ANY(%s::bigint[])"
)


def _insert(items: list[SubmitItem]) -> dict[SubmitItem, str]:
    """Insert the pending rows and their e-mails; the outcome of each item."""
    outcome: dict[SubmitItem, str] = {}
    unique: dict[tuple[int, str], SubmitItem] = {}
    for item in items:
        key = (item.row["petition_id"], item.row["cin_hash"])
        if key in unique:  # the same CIN twice in the batch: the first one signs
            outcome[item] = SIGNED
        else:
            unique[key] = item
    ordered = [unique[key] for key in sorted(unique)]
    rows = [item.row for item in ordered]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                SignatureStatus.PENDING,
                "online",
                now,
                [r["petition_id"] for r in rows],
                [r["full_name"] for r in rows],
                [r["cin_encrypted"] for r in rows],
                [r["cin_hash"] for r in rows],
                [r["cin_masked"] for r in rows],
                [r["residence_id"] for r in rows],
                [r["province_id"] for r in rows],
                [r["interest"] for r in rows],
                [r["email"] for r in rows],
                [r["email_domain"] for r in rows],
                [r["ip"] for r in rows],
                [r["user_agent_hash"] for r in rows],
                [r["language"] for r in rows],
                [r["confirm_digest"] for r in rows],
                Status.COLLECTING,
            ],
        )
        inserted = {(petition_id, cin_hash): pk for pk, petition_id, cin_hash in cursor.fetchall()}
        missing = [key for key in unique if key not in inserted]
        existing: set[tuple[int, str]] = set()
        if missing:
            cursor.execute(
                _EXISTING,
                [[key[1] for key in missing], sorted({key[0] for key in missing})],
            )
            existing = {(petition_id, cin_hash) for petition_id, cin_hash in cursor.fetchall()}
    messages = []
    for key, item in unique.items():
        if key in inserted:
            outcome[item] = ACCEPTED
            pk = inserted[key]
            messages.append(
                (notify.signatory_confirm_key(pk), item.row["email"], item.subject, item.body)
            )
        else:
            outcome[item] = SIGNED if key in existing else CLOSED
    emails_queue_many(messages)
    return outcome


_FIND = (
    "SELECT s.confirm_digest, s.id, s.status, s.petition_id, p.status "
    'FROM "petitions_signature" s JOIN "petitions_petition" p ON p.id = s.petition_id '
    "WHERE s.confirm_digest = ANY(%s::text[])"
)
_LOCK_SHARED = (
    "SELECT pg_advisory_xact_lock_shared(%s, pid) FROM unnest(%s::int[]) AS pid ORDER BY pid"
)
# The pending rows confirmed and their counts added to one shard per (petition,
# province), in one statement; tallies are written in (petition, province) order.
_CONFIRM = (
    'WITH c AS (UPDATE "petitions_signature" SET status = %s, confirmed_at = %s '
    "WHERE id = ANY(%s::bigint[]) AND status = %s RETURNING id, petition_id, province_id), "
    't AS (INSERT INTO "petitions_tally" (petition_id, province_id, shard, count) '
    "SELECT petition_id, province_id, %s, count(*) FROM c GROUP BY petition_id, province_id "
    "ORDER BY petition_id, province_id "
    "ON CONFLICT (petition_id, province_id, shard) "
    'DO UPDATE SET count = "petitions_tally".count + EXCLUDED.count) '
    "SELECT id FROM c"
)


def _confirm(items: list[ConfirmItem]) -> dict[ConfirmItem, str]:
    """Confirm the pending signatures of the tokens: CONFIRMED (now or before) or OTHER
    (unknown, lapsed, invalidated, petition closed: Django's path answers those)."""
    digests = sorted({item.digest for item in items})
    with connection.cursor() as cursor:
        cursor.execute(_FIND, [digests])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
        pending = sorted(
            pk
            for pk, status, _petition, petition_status in found.values()
            if status == SignatureStatus.PENDING and petition_status == Status.COLLECTING
        )
        changed: set[int] = set()
        if pending:
            chosen = set(pending)
            petitions = sorted({p % 2**31 for pk, _s, p, _ps in found.values() if pk in chosen})
            cursor.execute(_LOCK_SHARED, [TALLY_LOCK_CLASS, petitions])
            cursor.fetchall()
            cursor.execute(
                _CONFIRM,
                [
                    SignatureStatus.CONFIRMED,
                    timezone.now(),
                    pending,
                    SignatureStatus.PENDING,
                    secrets.randbelow(shard_count()),
                ],
            )
            changed = {row[0] for row in cursor.fetchall()}
    outcome: dict[ConfirmItem, str] = {}
    for item in items:
        row = found.get(item.digest)
        ok = row is not None and (row[0] in changed or row[1] == SignatureStatus.CONFIRMED)
        outcome[item] = CONFIRMED if ok else OTHER
    return outcome


# ---- petitions, bodies ------------------------------------------------------------------

_petitions: dict[int, tuple[float, Petition | None]] = {}


def _petition(pk: int) -> Petition | None:
    """The public petition `pk` with what signing reads, kept one second per process
    (its status is checked again by the INSERT)."""
    now = time.monotonic()
    found = _petitions.get(pk)
    if found is not None and now < found[0]:
        return found[1]
    petition = selectors.petition_for_signing(pk)
    if len(_petitions) > 1000:
        _petitions.clear()
    _petitions[pk] = (now + PETITION_MEMO_SECONDS, petition)
    return petition


def ingest_forget() -> None:
    """Drop this process's copies of petitions (tests between cases)."""
    _petitions.clear()


def _scalar_text(value: Any) -> str:
    """As the API's `_text`: None and booleans are empty, numbers their text."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in TRUE_TEXT


def _plain_object(body: bytes) -> dict[str, Any] | None:
    """The JSON object of `body` if every value is null, a boolean, a number or a
    string (what the API's schema takes), else None."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or has_lone_surrogate(data):
        return None
    for value in data.values():
        if value is not None and not isinstance(value, str | int | float | bool):
            return None
    return data


# ---- answers and their headers ----------------------------------------------------------

JSON_UTF8 = "application/json; charset=utf-8"
# The answers each kind of request may get from the ingest (target < 0: a confirmation).
SUBMIT_STATUSES = (202, 409, 429, 503)
CONFIRM_STATUSES = (200, 503)

HeadersKey = tuple[str, str, str, bool, str]  # script name, path, host, secure, language
HeaderChange = tuple[list[tuple[str, str]], frozenset[str]]


@dataclass
class Pending:
    """A request taken by the ingest: its item in the batch and what answering needs."""

    request: HttpRequest
    item: Item
    language: str
    body: bytes
    key: HeadersKey


@dataclass
class ChainHeaders:
    """What Django's middleware chain does to the ingest's answers for one kind of
    request: per status, the headers it sets (added or changed) and the names (lower
    case) of the answer's own headers it replaces or removes; or `refused`: a middleware
    answered itself, set a cookie or rewrote the body, and Django answers these
    requests."""

    expires: float
    refused: bool = False
    changes: dict[int, HeaderChange] = field(default_factory=dict)


class _ChainRequest(WSGIRequest):
    """A request run through the chain; `answer` is what its view returns."""

    answer: HttpResponseBase


class MiddlewareChain(BaseHandler):
    """Django's middleware chain, loaded from settings.MIDDLEWARE as the WSGI handler
    loads it, around a view that returns the answer prepared on the request — after URL
    resolution and the view middleware (CSRF, …), as Django would call the real view."""

    _view_middleware: list[Callable[..., HttpResponseBase | None]]  # BaseHandler's

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware()

    def _get_response(self, request: HttpRequest) -> HttpResponseBase:
        callback, args, kwargs = self.resolve_request(request)
        for process_view in self._view_middleware:
            response: HttpResponseBase | None = process_view(request, callback, args, kwargs)
            if response is not None:
                return response
        assert isinstance(request, _ChainRequest)
        return request.answer


class Ingest:
    """What both fronts share: which requests are taken, their items, their answers."""

    def __init__(self) -> None:
        engine = settings.DATABASES["default"]["ENGINE"]
        self.enabled = bool(getattr(settings, "INFITAH_SIGNATURE_INGEST", True)) and (
            "postgresql" in engine
        )
        timeout_ms = int(getattr(settings, "INFITAH_INGEST_TIMEOUT", 10000))
        if timeout_ms < 1:
            raise ImproperlyConfigured(
                f"INFITAH_INGEST_TIMEOUT must be a number of milliseconds >= 1, not {timeout_ms}"
            )
        self.batcher = Batcher(
            max_queue=int(getattr(settings, "INFITAH_INGEST_MAX_QUEUE", 1024)),
            max_batch=int(getattr(settings, "INFITAH_INGEST_MAX_BATCH", 256)),
            statement_timeout_ms=int(getattr(settings, "INFITAH_INGEST_STATEMENT_TIMEOUT", 5000)),
            timeout=timeout_ms / 1000,
        )
        self.retry_after = int(getattr(settings, "INFITAH_SHED_RETRY_AFTER", 2))
        self.chain = MiddlewareChain() if self.enabled else None
        self._headers: dict[HeadersKey, ChainHeaders] = {}
        self._learning = threading.Lock()

    def route(self, method: str, path: str) -> int | None:
        """-1 for a confirmation, the petition id for a signature, None for the rest."""
        if not self.enabled or method != "POST":
            return None
        if path == CONFIRM_PATH:
            return -1
        match = SUBMIT_PATH.match(path)
        return int(match.group(1)) if match else None

    def begin(self, request: HttpRequest, body: bytes, target: int) -> Pending | None:
        """The item of a well-formed request (not queued yet), or None: Django answers."""
        if "HTTP_IDEMPOTENCY_KEY" in request.META:
            return None  # Django's API replays the first answer of a retried request
        data = _plain_object(body)
        if data is None or "application/json" not in request.META.get("CONTENT_TYPE", ""):
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        language = translation.get_language_from_request(request)
        item: Item
        if target < 0:
            token = _scalar_text(data.get("token")).strip()
            if not token or len(token) > 100:
                return None
            item = ConfirmItem(digest=token_digest(token))
        else:
            item = SubmitItem(
                petition_id=target,
                data=data,
                ip=client_ip(request),
                language=language,
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        key = (request.META.get("SCRIPT_NAME", ""), request.path_info, host, request.is_secure())
        return Pending(
            request=request, item=item, language=language, body=body, key=(*key, language)
        )

    def answer(self, pending: Pending, queued: bool) -> Answer | None:
        """The answer once the item's outcome is known (None: Django answers)."""
        item = pending.item
        with translation.override(pending.language):
            if not queued or item.outcome == BUSY:
                return self._response(pending.request, BUSY, None)
            if item.outcome in (HANDOVER, OTHER):
                return None
            return self._response(pending.request, item.outcome, item.detail)

    def _response(self, request: HttpRequest, outcome: str, detail: Any) -> Answer:
        """The answer the API's view (or the load shedding) gives."""
        if outcome == BUSY:
            return Answer.of(loadshed.overloaded_response(request, self._retry_after()))
        if outcome == CONFIRMED:
            return _ninja(200, {"status": SignatureStatus.CONFIRMED})
        if outcome == ACCEPTED:
            return _ninja(
                202,
                {
                    "status": SignatureStatus.PENDING,
                    "detail": _(
                        "Check your e-mail: your signature counts once you confirm it "
                        "from the link we sent."
                    ),
                },
            )
        if outcome == SIGNED:
            return _ninja(409, _detail(AlreadySigned().message, "cin"))
        if outcome == LIMITED:
            # As api.py: a JsonResponse, not the renderer's answer.
            kind, retry_after = detail
            message = ip_limited_message() if kind == "ip" else domain_limited_message()
            response = JsonResponse(_detail(message), status=429)
            response["Retry-After"] = str(retry_after)
            return Answer.of(response)
        return _ninja(409, _detail(NotCollecting().message))

    def _retry_after(self) -> int:
        return self.retry_after + random.randint(0, self.retry_after)  # noqa: S311

    # -- the headers of Django's middleware chain

    def headers_known(self, pending: Pending) -> ChainHeaders | None:
        """The chain's headers for this kind of request, if learned lately."""
        known = self._headers.get(pending.key)
        return known if known is not None and time.monotonic() < known.expires else None

    def headers_learn(self, pending: Pending) -> ChainHeaders:
        """Run the chain on every answer this kind of request may get (one thread at a
        time: the others wait for the result). In a thread: a middleware may query."""
        with self._learning:
            known = self.headers_known(pending)
            if known is not None:
                return known
            learned = ChainHeaders(expires=time.monotonic() + HEADERS_SECONDS)
            statuses = (
                CONFIRM_STATUSES if isinstance(pending.item, ConfirmItem) else SUBMIT_STATUSES
            )
            try:
                for status in statuses:
                    change = self._run_chain(pending, status)
                    if change is None:
                        learned.refused = True
                        break
                    learned.changes[status] = change
            except Exception:
                logger.exception("signature ingest: the middleware chain failed; Django answers")
                learned.refused = True
            if len(self._headers) > 1000:
                self._headers.clear()
            self._headers[pending.key] = learned
            return learned

    def _run_chain(self, pending: Pending, status: int) -> HeaderChange | None:
        """What the chain does to an answer of `status` to this kind of request: headers
        set, and the answer's own headers it replaced or removed; None if a middleware
        answered itself, set a cookie or changed the body."""
        assert self.chain is not None
        script, path, host, secure, language = pending.key
        request = _ChainRequest(
            {
                "REQUEST_METHOD": "POST",
                "SCRIPT_NAME": script,
                "PATH_INFO": path,
                "QUERY_STRING": "",
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(pending.body)),
                "HTTP_HOST": host,
                "HTTP_ACCEPT_LANGUAGE": language,
                "SERVER_NAME": host.rsplit(":", 1)[0],
                "SERVER_PORT": pending.request.get_port(),
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": pending.request.META.get("REMOTE_ADDR", ""),
                "wsgi.url_scheme": "https" if secure else "http",
                "wsgi.input": BytesIO(pending.body),
                loadshed.EXEMPT: True,
            }
        )
        with translation.override(language):
            answer = self._response(
                request,
                {200: CONFIRMED, 202: ACCEPTED, 409: SIGNED, 429: LIMITED}.get(status, BUSY),
                ("ip", self.retry_after),
            )
        sample = answer.response()
        sample._has_been_logged = True  # type: ignore[attr-defined]  # no log line for it
        before = {name.lower(): (name, value) for name, value in sample.items()}
        content = sample.content
        request.answer = sample
        with translation.override(None):  # the thread's language as it was, after
            response = self.chain.get_response(request)
        # Not closed: closing a response ends a request (`request_finished`: this thread's
        # database connection and caches), which this is not; it holds nothing to release.
        if response is not sample or response.cookies or sample.content != content:
            return None
        after = {name.lower(): (name, value) for name, value in response.items()}
        changed = [item for lower, item in after.items() if before.get(lower) != item]
        replaced = {name.lower() for name, _value in changed}
        return changed, frozenset(replaced | (before.keys() - after.keys()))

    def encode(self, headers: ChainHeaders, answer: Answer) -> list[tuple[str, str]]:
        """The headers of an answer: its own and what the middleware chain does to an
        answer of its status (values it gave to a response of Django, sent as they are,
        but for Content-Length, CommonMiddleware's, given for this body)."""
        changed, replaced = headers.changes.get(answer.status, ([], frozenset()))
        header_list = [item for item in answer.headers if item[0].lower() not in replaced]
        for name, value in changed:
            if name.lower() == "content-length":
                value = str(len(answer.content))
            header_list.append((name, value))
        return header_list


@dataclass
class Answer:
    """An answer of the ingest as the view (or the load shedding) hands it to the
    middleware chain: its status, body and own headers. Not an `HttpResponse`, which
    costs more to build, but for the chain's samples (`response`)."""

    status: int
    content: bytes
    headers: list[tuple[str, str]]

    @classmethod
    def of(cls, response: HttpResponse) -> Answer:
        return cls(response.status_code, response.content, list(response.items()))

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _ninja(status: int, payload: Any) -> Answer:
    """As django-ninja renders an answer of api.py."""
    return Answer(status, json.dumps(payload).encode(), [("Content-Type", JSON_UTF8)])


def _detail(message: str, field_name: str = "") -> dict[str, Any]:
    return {"detail": [{"field": field_name, "message": message}]}


# ---- the fronts ---------------------------------------------------------------------------


class SignatureIngest:
    """WSGI front: the two signing endpoints in batches, all else to `app` (Django)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.ingest = Ingest()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = self.ingest.route(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        if target is None:
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= BODY_MAX:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        # Django reads the same body if the request is handed over.
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        pending = self.ingest.begin(WSGIRequest(environ), body, target)
        if pending is None:
            return self.app(environ, start_response)
        headers = self.ingest.headers_known(pending) or self.ingest.headers_learn(pending)
        if headers.refused:
            return self.app(environ, start_response)
        queued = self.ingest.batcher.run(pending.item)
        answer = self.ingest.answer(pending, queued)
        if answer is None:
            return self.app(environ, start_response)
        status = HTTPStatus(answer.status)
        start_response(f"{status.value} {status.phrase}", self.ingest.encode(headers, answer))
        return [answer.content]


class SignatureIngestASGI:
    """ASGI front (gunicorn with uvicorn workers): the two signing endpoints in batches,
    awaited on the event loop without a thread each; all else to Django's WSGI
    application in a pool of `threads` threads (a2wsgi), as gunicorn's threads would run
    it. Load shedding must trigger before that pool queues: an explicit
    `INFITAH_SHED_MAX_INFLIGHT` not below `threads` is refused."""

    def __init__(self, app: WSGIApp, threads: int) -> None:
        from a2wsgi import WSGIMiddleware

        explicit = getattr(settings, "INFITAH_SHED_MAX_INFLIGHT", 0)
        if threads < 2 or (explicit and loadshed.max_inflight() >= threads):
            raise ImproperlyConfigured(
                f"INFITAH_ASGI_THREADS ({threads}) must be at least 2 and above "
                f"INFITAH_SHED_MAX_INFLIGHT ({explicit}): writes beyond the threads would "
                "wait in the thread pool's queue instead of being refused at once. "
                "Leave INFITAH_SHED_MAX_INFLIGHT at 0 to derive it from the threads."
            )
        self.django: Any = WSGIMiddleware(app, workers=threads)  # type: ignore[arg-type]
        self.ingest = Ingest()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        target = (
            self.ingest.route(scope.get("method", ""), scope.get("path", ""))
            if scope["type"] == "http"
            else None
        )
        if target is None:
            await self.django(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= BODY_MAX:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        pending = None
        if not more and 0 < size <= BODY_MAX:
            pending = self.ingest.begin(ASGIRequest(scope, BytesIO(body)), body, target)
        answered = await self._answer(pending) if pending is not None else None
        if answered is None:
            await self.django(scope, _replay(body, more, receive), send)
            return
        headers, answer = answered
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (name.lower().encode("ascii"), value.encode("latin-1"))
                    for name, value in self.ingest.encode(headers, answer)
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.content})

    async def _answer(self, pending: Pending) -> tuple[ChainHeaders, Answer] | None:
        """The headers and answer of a request taken, once written; None: Django answers."""
        headers = self.ingest.headers_known(pending)
        if headers is None:
            headers = await asyncio.to_thread(self.ingest.headers_learn, pending)
        if headers.refused:
            return None
        loop = asyncio.get_running_loop()
        woken = loop.create_future()
        pending.item.callback = lambda: _call_soon(loop, woken)
        queued = self.ingest.batcher.put(pending.item)
        if queued:
            await self._outcome(pending.item, woken)
        answer = self.ingest.answer(pending, queued)
        return None if answer is None else (headers, answer)

    async def _outcome(self, item: Item, woken: asyncio.Future[None]) -> None:
        """Wait for `item`'s outcome, as `Batcher.run` does: withdrawn at its deadline
        if the writer has not taken it, else until its deadline plus the grace."""
        try:
            # Shielded: a timeout must not cancel the future the writer will wake.
            await asyncio.wait_for(
                asyncio.shield(woken), max(0.0, item.deadline - time.monotonic())
            )
            return
        except TimeoutError:
            if self.ingest.batcher.withdraw(item):
                return
        try:
            await asyncio.wait_for(
                woken, max(0.0, item.deadline + OUTCOME_GRACE_SECONDS - time.monotonic())
            )
        except TimeoutError:
            self.ingest.batcher.note_no_outcome()


def _call_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    """From the writer thread: wake the request waiting on `future` in its event loop."""
    loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _replay(body: bytes, more: bool, receive: Any) -> Any:
    """A `receive` that gives the body already read, then the rest from the client."""
    sent = False

    async def again() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        message: dict[str, Any] = await receive()
        return message

    return again
