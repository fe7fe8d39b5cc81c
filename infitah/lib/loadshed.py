"""Load shedding for write requests: beyond capacity, refuse at once rather than queue.

`LoadShedMiddleware` bounds the number of write requests (POST, PUT, PATCH, DELETE) that
one worker process handles at the same time. A write that finds every slot taken (after
waiting at most `INFITAH_SHED_QUEUE_TIMEOUT` milliseconds for one) is answered 503 with a
`Retry-After` header before any view, form or database query has run: nothing was
stored, so nothing acknowledged can be lost. Reads are never shed. The refusal is the
answer of the view middleware (`process_view`), so that it passes back through the whole
chain as any other answer does and carries the headers of every middleware.

A write that fails because the database is overloaded or unreachable (no connection
slot left, pool exhausted, statement or lock timeout, serialization failure, deadlock)
is answered 503 with `Retry-After` too, instead of a 500. The transaction of the view
has been rolled back by then (`transaction.atomic` exits on the exception), so the
client was told nothing was done and nothing was done; a client that retries a write
whose COMMIT did go through gets the service's own answer (e.g. 409 "already signed").

API paths (`/api/`) get JSON `{"detail": …}`; pages get a small self-contained HTML
page in the current language (no template, no session, no database).

Settings (read once, when the process builds its middleware chain):

- `INFITAH_SHED_MAX_INFLIGHT` (default 0: derived): concurrent writes per process. It
  must be below the number of threads that run Django, or it never triggers: a write
  beyond the threads waits in the thread pool's queue, before this middleware sees it,
  instead of being refused. 0 derives it from `INFITAH_ASGI_THREADS` (the threads of
  `infitah.asgi`, default 16): three quarters of them, the other quarter (at least one)
  kept for reads, so 12 of 16. The ASGI entry point refuses to start with an explicit
  value not below its threads. Under `infitah.wsgi` with gunicorn's `gthread` workers,
  set it below `--threads`; with sync workers (one request at a time) it never triggers.
- `INFITAH_SHED_QUEUE_TIMEOUT` (milliseconds, default 0): how long a write may wait for
  a slot before it is shed; 0 sheds at once.
- `INFITAH_SHED_RETRY_AFTER` (seconds, default 2): the `Retry-After` given; each answer
  adds a random 0..N seconds so that refused clients do not all come back together.

Thread-safe: one `threading.BoundedSemaphore` per process (gunicorn builds the chain in
each worker after the fork; with `--preload` each worker inherits its own copy).

A request whose environ holds `EXEMPT` is not counted: the signature ingest runs the
middleware chain for its answers' headers (infitah/petitions/ingest.py) on requests it
answers from its own bounded queue, without a Django thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Environ key of a request that is not one of Django's writes (never counted nor shed).
EXEMPT = "infitah.loadshed.exempt"
# Environ key of a write that found no slot: `process_view` answers it 503.
_REFUSED = "infitah.loadshed.refused"

# SQLSTATE classes and codes of a database that is overloaded or unavailable, after which
# the same request may succeed later: 08 connection exception, 40 transaction rollback
# (serialization failure, deadlock), 53 insufficient resources (too many connections,
# out of memory or disk), 57 operator intervention (query canceled by statement_timeout,
# admin shutdown, cannot connect now), 55P03 lock not available (lock_timeout).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")
_TRANSIENT_SQLSTATES = frozenset({"55P03"})
# Connection failures have no SQLSTATE (psycopg raises them before any session exists),
# nor have the errors of a connection pool or of SQLite: recognised by their message.
_TRANSIENT_MESSAGES = (
    "too many clients",
    "too many connections",
    "remaining connection slots",
    "connection slots are reserved",
    "couldn't get a connection",  # psycopg_pool.PoolTimeout
    "pool timeout",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "the database system is starting up",
    "the database system is shutting down",
    "database is locked",  # SQLite: busy timeout exceeded
)


def _setting_int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ImproperlyConfigured(f"{name} must be an integer >= {minimum}, not {value!r}")
    return value


def max_inflight() -> int:
    """The writes in flight per process beyond which a write is shed:
    `INFITAH_SHED_MAX_INFLIGHT`, or if 0 three quarters of `INFITAH_ASGI_THREADS` (the
    threads that run Django), a quarter of them (at least one) kept for reads."""
    value = _setting_int("INFITAH_SHED_MAX_INFLIGHT", 0, 0)
    if value:
        return value
    threads = _setting_int("INFITAH_ASGI_THREADS", 16, 1)
    return max(1, threads - max(1, threads // 4))


def is_overload_error(exc: BaseException) -> bool:
    """Whether `exc` (a database error) says the database is overloaded or unavailable,
    so that the same request may succeed later, rather than a fault of the request."""
    if not isinstance(exc, OperationalError):
        return False
    for err in (exc, exc.__cause__):
        sqlstate = getattr(err, "sqlstate", None) or getattr(err, "pgcode", None)
        if isinstance(sqlstate, str) and (
            sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith(_TRANSIENT_SQLSTATE_CLASSES)
        ):
            return True
    message = " ".join(str(e) for e in (exc, exc.__cause__) if e is not None).lower()
    return any(fragment in message for fragment in _TRANSIENT_MESSAGES)


def overloaded_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a small page in the current language
    elsewhere. Touches neither the session nor the database."""
    message = _("The service is busy. Nothing was recorded: please try again in a moment.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            format_html(
                '<!doctype html><html lang="{}" dir="{}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p></main></body>"
                "</html>",
                get_language() or settings.LANGUAGE_CODE,
                "rtl" if get_language_bidi() else "ltr",
                _("Service busy"),
                _("Service busy"),
                message,
            ),
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response["Content-Length"] = str(len(response.content))
    # Not one "Service Unavailable" error line per refusal in django.request's log (a flood
    # under overload): the middleware logs its own summary, at most once a second.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class LoadShedMiddleware:
    """Bound the concurrent writes of this process; refuse the excess with 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.max_inflight = max_inflight()
        self.queue_timeout = _setting_int("INFITAH_SHED_QUEUE_TIMEOUT", 0, 0) / 1000
        self.retry_after = _setting_int("INFITAH_SHED_RETRY_AFTER", 2, 1)
        self._slots = threading.BoundedSemaphore(self.max_inflight)
        self._lock = threading.Lock()
        self._inflight = 0
        self.shed_count = 0  # writes refused by this process (slots or database)
        self._last_log = 0.0

    @property
    def inflight(self) -> int:
        """Writes being handled now by this process."""
        return self._inflight

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in WRITE_METHODS or request.META.get(EXEMPT):
            return self.get_response(request)
        if self.queue_timeout > 0:
            acquired = self._slots.acquire(timeout=self.queue_timeout)
        else:
            acquired = self._slots.acquire(blocking=False)
        if not acquired:
            request.META[_REFUSED] = True
            return self.get_response(request)
        with self._lock:
            self._inflight += 1
        try:
            return self.get_response(request)
        finally:
            with self._lock:
                self._inflight -= 1
            self._slots.release()

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """A write that found no slot: 503 before its view (the first view middleware)."""
        if not request.META.get(_REFUSED):
            return None
        self._note_shed(f"{self.max_inflight} writes in flight")
        return overloaded_response(request, self._retry_after())

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A write that met an overloaded database: 503 instead of a server error."""
        if request.method not in WRITE_METHODS or not is_overload_error(exception):
            return None
        self._note_shed(f"database: {str(exception).strip()[:200]}")
        return overloaded_response(request, self._retry_after())

    def _retry_after(self) -> int:
        return self.retry_after + random.randint(0, self.retry_after)  # noqa: S311

    def _note_shed(self, reason: str) -> None:
        """Count the refusal; log at most one line a second per process."""
        now = time.monotonic()
        with self._lock:
            self.shed_count += 1
            if now - self._last_log < 1.0:
                return
            self._last_log = now
            count = self.shed_count
        logger.warning("load shed: %s (%d writes refused by this process)", reason, count)
