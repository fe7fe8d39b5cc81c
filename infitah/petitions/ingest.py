"""Signature ingest: the two hot endpoints of signing, grouped into batches.

A viral petition is a flood of two requests: `POST /api/v1/petitions/<id>/signatures`
and `POST /api/v1/signatures/confirm`. `SignatureIngest` wraps the WSGI application
(infitah/wsgi.py) and answers the well-formed ones itself, before Django's middleware
and URL resolution, and writes them in batches: each gunicorn worker process has one
writer thread that takes every signature and confirmation waiting and writes them in
one transaction (a few statements whatever the batch size), then wakes their requests.
Under load a batch holds as many requests as the worker's threads have waiting; alone,
a request is a batch of one, with no added wait. An answer is given only after COMMIT:
202 and 200 mean stored.

What it keeps of the Django path (api.py, signatures.py), and how:

- Same checks, same code: `signature_validate`, `online_signature`, the integrity
  settings and rate limits (`rate_check_many`, one Redis script call per batch), the
  confirmation e-mail (`notify.signatory_confirm_message`), the unique (petition, CIN
  hash) constraint, the shared tally lock of confirmations and the sharded tallies.
- Same answers: 202, 409 "already signed" (field cin), 409 not collecting, 429 with
  Retry-After, and 200 for a confirmation, with the headers of the Django API's
  responses (security headers, Content-Language, Vary).
- Everything else goes to Django unchanged, which answers exactly as before: a body
  that is not a JSON object of plain values, a field that fails its check, an unknown
  or non-collecting petition, an unknown host, an insecure request when HTTPS is
  required, a confirmation that does not end "confirmed" (unknown, lapsed,
  invalidated): rare paths, one code for them. A request is handed over before
  anything of it is written.
- Beyond capacity, `INFITAH_INGEST_MAX_QUEUE` waiting requests per process, a request
  is answered 503 with Retry-After at once; a batch that fails (database unavailable,
  serialization failure) is rolled back whole and each of its requests answered 503:
  nothing is acknowledged that was not committed.
- A 503 also means nothing stored when a request stops waiting: a request still in the
  queue after `WAIT_SECONDS` is withdrawn from it (the writer will not see it) and
  answered 503; one the writer has taken waits for its batch's outcome, which comes
  soon, since each statement of a batch is bounded by
  `INFITAH_INGEST_STATEMENT_TIMEOUT` (a batch cut short is rolled back: 503).

Settings: `INFITAH_SIGNATURE_INGEST` (default on; PostgreSQL only — on SQLite every
request goes to Django), `INFITAH_INGEST_MAX_QUEUE` (default 1024),
`INFITAH_INGEST_MAX_BATCH` (default 256), `INFITAH_INGEST_STATEMENT_TIMEOUT` (ms,
default 20000).
"""

from __future__ import annotations

import asyncio
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
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infitah.lib.casework import token_digest
from infitah.lib.loadshed import is_overload_error
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
# How long a request waits in the queue before it is withdrawn and answered 503.
WAIT_SECONDS = 60.0
# How long a request the writer has taken waits for its outcome: far beyond what the
# statement timeout allows a batch; reached only if the database stops answering
# without an error (then 503, logged: the outcome is unknown).
TAKEN_WAIT_SECONDS = 600.0
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
    item, or its request withdraws it, never both."""

    done: threading.Event = field(default_factory=threading.Event)
    callback: Callable[[], None] | None = None
    outcome: str = BUSY
    detail: Any = None
    taken: bool = False
    withdrawn: bool = False


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


class Batcher:
    """One writer thread per process; requests wait on their item's event."""

    def __init__(self, max_queue: int, max_batch: int, statement_timeout_ms: int = 0) -> None:
        self.max_queue = max_queue
        self.max_batch = max_batch
        self.statement_timeout_ms = statement_timeout_ms
        self._cond = threading.Condition()
        self._waiting: list[Item] = []
        self._pid = 0
        self.batches = 0
        self.items = 0

    def put(self, item: Item) -> bool:
        """Queue `item`; False (nothing queued) when full. Its `done` event is set, then
        its `callback` called (from the writer thread), once its outcome is known."""
        with self._cond:
            if len(self._waiting) >= self.max_queue:
                return False
            if self._pid != os.getpid():  # first use in this process (after the fork)
                self._pid = os.getpid()
                self._waiting = []
                threading.Thread(target=self._loop, name="signature-ingest", daemon=True).start()
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
        """Queue `item` and wait for its outcome; False (nothing done) when full. An item
        still queued after `WAIT_SECONDS` is withdrawn, its outcome left BUSY."""
        if not self.put(item):
            return False
        if (
            not item.done.wait(WAIT_SECONDS)
            and not self.withdraw(item)
            and not item.done.wait(TAKEN_WAIT_SECONDS)
        ):
            logger.error("signature ingest: no outcome of a batch in %.0f s", TAKEN_WAIT_SECONDS)
        return True

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                for item in batch:
                    item.taken = True
            try:
                self._write_or_split(batch)
            finally:
                for item in batch:
                    item.done.set()
                    if item.callback is not None:
                        try:
                            item.callback()
                        except Exception:  # e.g. the request's event loop is closed
                            logger.warning("signature ingest: a request could not be woken")

    def _write_or_split(self, batch: list[Item]) -> None:
        """Write `batch`; if it fails for another reason than an overloaded database
        (a fault of one item), write its items one by one, so that one bad request
        does not refuse the others. Every item that was not written is BUSY (503)."""
        try:
            self.write(batch)
            return
        except Exception as exc:
            overload = is_overload_error(exc)
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
                self.write([item])
            except Exception as exc:
                item.outcome = BUSY
                logger.error("signature ingest: one request failed", exc_info=exc)
                connection.close()

    def write(self, batch: list[Item]) -> None:
        """Write one batch in one transaction; sets each item's outcome (BUSY on error)."""
        self.batches += 1
        self.items += len(batch)
        submits = _prepare([item for item in batch if isinstance(item, SubmitItem)])
        confirms = [item for item in batch if isinstance(item, ConfirmItem)]
        with transaction.atomic():
            if self.statement_timeout_ms > 0:
                # For this transaction only: a batch stuck on a lock or an overloaded
                # database fails (503, rolled back) instead of holding its requests.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)",
                        [f"{self.statement_timeout_ms}ms"],
                    )
            # As the API: a petition that stopped collecting is answered so before any
            # attempt is counted (the memo of `_prepare` may be a second old).
            allowed = _rate_limit(_collecting(submits))
            outcomes = _insert(allowed) if allowed else {}
            confirmed = _confirm(confirms) if confirms else {}
        for submit, outcome in outcomes.items():
            submit.outcome = outcome
        for confirm, outcome in confirmed.items():
            confirm.outcome = outcome


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


# ---- the WSGI wrapper -----------------------------------------------------------------

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


Answer = tuple[int, Any, list[tuple[str, str]]]


@dataclass
class Pending:
    """A request taken by the ingest: its item in the batch and what answering needs."""

    request: HttpRequest
    item: Item
    language: str


class Ingest:
    """What both fronts share: which requests are taken, their items, their answers."""

    def __init__(self) -> None:
        engine = settings.DATABASES["default"]["ENGINE"]
        self.enabled = bool(getattr(settings, "INFITAH_SIGNATURE_INGEST", True)) and (
            "postgresql" in engine
        )
        self.batcher = Batcher(
            max_queue=int(getattr(settings, "INFITAH_INGEST_MAX_QUEUE", 1024)),
            max_batch=int(getattr(settings, "INFITAH_INGEST_MAX_BATCH", 256)),
            statement_timeout_ms=int(getattr(settings, "INFITAH_INGEST_STATEMENT_TIMEOUT", 20000)),
        )
        self.retry_after = int(getattr(settings, "INFITAH_SHED_RETRY_AFTER", 2))

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
        data = _plain_object(body)
        if data is None or not self._acceptable(request):
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
        return Pending(request=request, item=item, language=language)

    def answer(self, pending: Pending, queued: bool) -> Answer | None:
        """The answer once the item's outcome is known (None: Django answers)."""
        item = pending.item
        with translation.override(pending.language):
            if not queued or item.outcome == BUSY:
                return self._busy()
            if item.outcome in (HANDOVER, OTHER):
                return None
            if item.outcome == CONFIRMED:
                return 200, {"status": SignatureStatus.CONFIRMED}, []
            if item.outcome == ACCEPTED:
                return (
                    202,
                    {
                        "status": SignatureStatus.PENDING,
                        "detail": _(
                            "Check your e-mail: your signature counts once you confirm it "
                            "from the link we sent."
                        ),
                    },
                    [],
                )
            if item.outcome == SIGNED:
                return 409, _detail(AlreadySigned().message, "cin"), []
            if item.outcome == LIMITED:
                kind, retry_after = item.detail
                message = ip_limited_message() if kind == "ip" else domain_limited_message()
                return 429, _detail(message), [("Retry-After", str(retry_after))]
            return 409, _detail(NotCollecting().message), []

    def _acceptable(self, request: HttpRequest) -> bool:
        """Whether Django's middleware would let the request through to the view."""
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return False
        if "application/json" not in request.META.get("CONTENT_TYPE", ""):
            return False
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return True

    def _busy(self) -> Answer:
        retry_after = self.retry_after + random.randint(0, self.retry_after)  # noqa: S311
        message = _("The service is busy. Nothing was recorded: please try again in a moment.")
        return 503, {"detail": message}, [("Retry-After", str(retry_after))]

    def encode(self, pending: Pending, answer: Answer) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body of an answer, as Django's API would send them."""
        status, payload, extra = answer
        content = json.dumps(payload).encode()
        headers = [
            # django-ninja's answers say the charset; Django's JsonResponse (the 429 of
            # api.py, the 503 of loadshed.py) does not.
            ("Content-Type", "application/json" if status in (429, 503) else JSON_UTF8),
            ("Content-Length", str(len(content))),
            ("Vary", "Accept-Language"),
            ("Content-Language", pending.language),
            *security_headers(pending.request.is_secure()),
            *extra,
        ]
        if status == 503:
            headers.append(("Cache-Control", "no-store"))
        return status, headers, content


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
        queued = self.ingest.batcher.run(pending.item)
        answer = self.ingest.answer(pending, queued)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, content = self.ingest.encode(pending, answer)
        start_response(f"{status} {STATUS_TEXT[status]}", headers)
        return [content]


class SignatureIngestASGI:
    """ASGI front (gunicorn with uvicorn workers): the two signing endpoints in batches,
    awaited on the event loop without a thread each; all else to Django's WSGI
    application in a thread pool (a2wsgi), as gunicorn's threads would run it."""

    def __init__(self, app: WSGIApp, threads: int) -> None:
        from a2wsgi import WSGIMiddleware

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
        answer = None
        if pending is not None:
            loop = asyncio.get_running_loop()
            woken = loop.create_future()
            pending.item.callback = lambda: _call_soon(loop, woken)
            queued = self.ingest.batcher.put(pending.item)
            if queued:
                await self._outcome(pending.item, woken)
            answer = self.ingest.answer(pending, queued)
        if answer is None or pending is None:
            await self.django(scope, _replay(body, more, receive), send)
            return
        status, headers, content = self.ingest.encode(pending, answer)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def _outcome(self, item: Item, woken: asyncio.Future[None]) -> None:
        """Wait for `item`'s outcome, as `Batcher.run` does (withdrawn after
        `WAIT_SECONDS` if the writer has not taken it)."""
        try:
            # Shielded: a timeout must not cancel the future the writer will wake.
            await asyncio.wait_for(asyncio.shield(woken), WAIT_SECONDS)
            return
        except TimeoutError:
            if self.ingest.batcher.withdraw(item):
                return
        try:
            await asyncio.wait_for(woken, TAKEN_WAIT_SECONDS)
        except TimeoutError:
            logger.error("signature ingest: no outcome of a batch in %.0f s", TAKEN_WAIT_SECONDS)


def _call_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    """From the writer thread: wake the request waiting on `future` in its event loop."""
    loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
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


JSON_UTF8 = "application/json; charset=utf-8"
STATUS_TEXT = {
    200: "OK",
    202: "Accepted",
    409: "Conflict",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def _detail(message: str, field_name: str = "") -> dict[str, Any]:
    return {"detail": [{"field": field_name, "message": message}]}


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's security and clickjacking middleware add to an API answer."""
    headers = [("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        headers.append(("Referrer-Policy", policy))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers
