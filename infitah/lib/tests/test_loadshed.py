"""Load shedding of writes (infitah.lib.loadshed): excess writes get 503 + Retry-After
at once, without reaching the view; the others succeed; reads are never shed. Under the
ASGI application of `manage.py serve` too, whose pool of threads must not queue them."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import uvicorn

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import OperationalError, connection, transaction
from django.db.utils import ProgrammingError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from infitah.lib.loadshed import LoadShedMiddleware, is_overload_error, max_inflight
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.petitions.ingest import SignatureIngestASGI

SHED = "infitah.lib.loadshed.LoadShedMiddleware"
LOCALE = "django.middleware.locale.LocaleMiddleware"
# The project's stack with the middleware where settings.py is to place it: after
# LocaleMiddleware (the refusal page is in the request's language), before anything that
# may read the session or the database.
_OTHERS = [m for m in settings.MIDDLEWARE if m != SHED]
STACK = [*_OTHERS[: _OTHERS.index(LOCALE) + 1], SHED, *_OTHERS[_OTHERS.index(LOCALE) + 1 :]]


# --- Views of the test URLconf (ROOT_URLCONF = this module) ----------------------------

release = threading.Event()
entered = threading.Semaphore(0)
calls = {"write": 0}
calls_lock = threading.Lock()
db_lock = threading.Lock()  # SQLite's shared in-memory test database: one writer at a time


@csrf_exempt
def slow_write(request: HttpRequest) -> HttpResponse:
    """A write that waits for the test to release it, then stores one row."""
    if request.method == "GET":
        return JsonResponse({"rows": OutboundEmail.objects.count()})
    with calls_lock:
        calls["write"] += 1
        n = calls["write"]
    entered.release()
    release.wait(10)
    with db_lock, transaction.atomic():
        OutboundEmail.objects.create(
            key=f"shed-{n}", to="a@example.test", subject="s", body="b", status=EmailStatus.SENT
        )
    return JsonResponse({"stored": n})


@csrf_exempt
def timed_out_write(request: HttpRequest) -> HttpResponse:
    """Stores a row, then runs into PostgreSQL's statement_timeout in the same transaction."""
    with transaction.atomic():
        OutboundEmail.objects.create(
            key="timed-out", to="a@example.test", subject="s", body="b", status=EmailStatus.SENT
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '20ms'")
            cursor.execute("SELECT pg_sleep(2)")
    return JsonResponse({"stored": True})


@csrf_exempt
def broken_write(request: HttpRequest) -> HttpResponse:
    """A fault of the code, not of load: must stay a server error."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    return JsonResponse({})


urlpatterns = [
    path("api/v1/slow-write", slow_write),
    path("fr/slow-write", slow_write),
    path("api/v1/timed-out-write", timed_out_write),
    path("api/v1/broken-write", broken_write),
]


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    release.clear()
    while entered.acquire(blocking=False):
        pass
    calls["write"] = 0
    yield
    release.set()


# --- In-process: the middleware and threads --------------------------------------------


def _blocking_view(gate: threading.Event, seen: list[str]) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.method or "")
        if request.method != "GET":
            gate.wait(10)
        return HttpResponse("done")

    return view


def _as_django_calls_it(view: Callable[[HttpRequest], HttpResponse]) -> LoadShedMiddleware:
    """The middleware around `view`, called as Django's handler calls it: the middleware,
    then (the URL resolved) its `process_view`, then the view unless it answered."""

    def inner(request: HttpRequest) -> HttpResponse:
        refused = middleware.process_view(request, view, (), {})
        return refused if refused is not None else view(request)

    middleware = LoadShedMiddleware(inner)
    return middleware


@override_settings(INFITAH_SHED_MAX_INFLIGHT=3, INFITAH_SHED_RETRY_AFTER=2)
def test_excess_writes_are_refused_at_once_and_the_others_succeed() -> None:
    gate, seen = threading.Event(), list[str]()
    middleware = _as_django_calls_it(_blocking_view(gate, seen))
    factory = RequestFactory()
    results: dict[str, HttpResponse] = {}

    def post(name: str, url: str) -> None:
        results[name] = middleware(factory.post(url, {"x": "1"}))

    holders = [threading.Thread(target=post, args=(f"h{i}", "/api/v1/x")) for i in range(3)]
    for t in holders:
        t.start()
    deadline = time.monotonic() + 5
    while middleware.inflight < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert middleware.inflight == 3

    # Two more writes while the three slots are held: refused without waiting.
    t0 = time.monotonic()
    extra = [threading.Thread(target=post, args=(f"x{i}", "/api/v1/x")) for i in range(2)]
    for t in extra:
        t.start()
    for t in extra:
        t.join(5)
    assert time.monotonic() - t0 < 3.0  # the held writes wait 10 s: these did not
    for name in ("x0", "x1"):
        response = results[name]
        assert response.status_code == 503
        assert 2 <= int(response["Retry-After"]) <= 4
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["detail"]
        assert int(response["Content-Length"]) == len(response.content)
    assert seen.count("POST") == 3  # the refused writes never reached the view

    # A read is never shed, even with every write slot taken.
    assert middleware(factory.get("/api/v1/x")).status_code == 200

    gate.set()
    for t in holders:
        t.join(5)
    assert [results[f"h{i}"].status_code for i in range(3)] == [200, 200, 200]
    assert middleware.inflight == 0
    assert middleware.shed_count == 2
    # The slots are free again.
    assert middleware(factory.delete("/api/v1/x")).status_code == 200


@override_settings(INFITAH_SHED_MAX_INFLIGHT=1, INFITAH_SHED_QUEUE_TIMEOUT=2000)
def test_a_write_waits_for_a_slot_up_to_the_queue_timeout() -> None:
    gate, seen = threading.Event(), list[str]()
    middleware = _as_django_calls_it(_blocking_view(gate, seen))
    factory = RequestFactory()
    results: list[int] = []

    def post() -> None:
        results.append(middleware(factory.post("/api/v1/x")).status_code)

    first = threading.Thread(target=post)
    first.start()
    while middleware.inflight < 1:
        time.sleep(0.005)
    second = threading.Thread(target=post)
    second.start()
    time.sleep(0.1)
    gate.set()  # frees the slot well within the 2 s the second write may wait
    first.join(5)
    second.join(5)
    assert results == [200, 200]
    assert middleware.shed_count == 0


@override_settings(INFITAH_SHED_MAX_INFLIGHT=1, INFITAH_SHED_QUEUE_TIMEOUT=150)
def test_a_write_is_shed_when_the_queue_timeout_passes() -> None:
    gate, seen = threading.Event(), list[str]()
    middleware = _as_django_calls_it(_blocking_view(gate, seen))
    factory = RequestFactory()
    holder = threading.Thread(target=lambda: middleware(factory.put("/api/v1/x")))
    holder.start()
    while middleware.inflight < 1:
        time.sleep(0.005)
    t0 = time.monotonic()
    response = middleware(factory.patch("/fr/x"))
    waited = time.monotonic() - t0
    gate.set()
    holder.join(5)
    assert response.status_code == 503
    assert 0.14 <= waited < 5.0
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) >= 2


@pytest.mark.parametrize("value", [-1, "8", 2.5, True])
def test_bad_settings_are_refused(value: object) -> None:
    with (
        override_settings(INFITAH_SHED_MAX_INFLIGHT=value),
        pytest.raises(ImproperlyConfigured, match="INFITAH_SHED_MAX_INFLIGHT"),
    ):
        LoadShedMiddleware(lambda request: HttpResponse())


@pytest.mark.parametrize(
    ("threads", "explicit", "limit"),
    [(16, 0, 12), (8, 0, 6), (4, 0, 3), (2, 0, 1), (1, 0, 1), (16, 5, 5), (4, 40, 40)],
)
def test_the_default_limit_is_below_the_threads_that_run_django(
    threads: int, explicit: int, limit: int
) -> None:
    """Derived from INFITAH_ASGI_THREADS: a quarter of them (at least one) kept for reads."""
    with override_settings(INFITAH_ASGI_THREADS=threads, INFITAH_SHED_MAX_INFLIGHT=explicit):
        assert max_inflight() == limit
        assert LoadShedMiddleware(lambda request: HttpResponse()).max_inflight == limit


@pytest.mark.parametrize(("threads", "explicit"), [(16, 16), (16, 32), (1, 0)])
def test_the_asgi_application_refuses_a_limit_that_could_not_trigger(
    threads: int, explicit: int
) -> None:
    """Writes beyond the pool's threads would queue for a thread, never shed."""
    with (
        override_settings(INFITAH_SHED_MAX_INFLIGHT=explicit),
        pytest.raises(ImproperlyConfigured, match="INFITAH_ASGI_THREADS"),
    ):
        SignatureIngestASGI(WSGIHandler(), threads=threads)


def _django_error(cause: Exception) -> OperationalError:
    """A database error as Django raises it: its own class, the driver's as the cause."""
    try:
        try:
            raise cause
        except Exception as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        return wrapped


def test_overload_errors_are_recognised() -> None:
    assert is_overload_error(_django_error(psycopg.errors.TooManyConnections("too many")))
    assert is_overload_error(_django_error(psycopg.errors.QueryCanceled("statement timeout")))
    assert is_overload_error(_django_error(psycopg.errors.SerializationFailure("serialize")))
    assert is_overload_error(_django_error(psycopg.errors.LockNotAvailable("lock")))
    # Connection failures carry no SQLSTATE: recognised by their message.
    assert is_overload_error(
        _django_error(
            psycopg.OperationalError("connection failed: FATAL:  sorry, too many clients already")
        )
    )
    assert is_overload_error(
        OperationalError("couldn't get a connection after 30.00 sec")  # pool exhausted
    )
    assert is_overload_error(OperationalError("database is locked"))
    # Faults of the code are not load.
    assert not is_overload_error(OperationalError("no such table: foo"))
    assert not is_overload_error(ProgrammingError("relation does not exist"))
    assert not is_overload_error(ValueError("too many clients"))


# --- The full stack -------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=STACK)
def test_an_overloaded_database_during_a_write_gives_503_and_stores_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    response = Client().post("/api/v1/timed-out-write", {}, content_type="application/json")
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 2
    assert response.json()["detail"]
    # The row created before the timeout was rolled back with its transaction.
    assert not OutboundEmail.objects.filter(key="timed-out").exists()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=STACK)
def test_a_database_fault_of_the_code_is_not_disguised_as_overload() -> None:
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/broken-write", {}, content_type="application/json")
    assert response.status_code == 500
    assert "Retry-After" not in response


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(transactional_db: None) -> Iterator[tuple[str, int]]:
    """A real threaded HTTP server (one thread per connection) over the project's stack
    with the middleware, at most 2 writes in flight."""
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=STACK, INFITAH_SHED_MAX_INFLIGHT=2):
        httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
        httpd.set_app(WSGIHandler())
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield "127.0.0.1", httpd.server_address[1]
        finally:
            release.set()
            httpd.shutdown()
            httpd.server_close()
            thread.join(5)


def _request(
    address: tuple[str, int],
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float = 20,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request(
            method, url, body=b"{}", headers={"Content-Type": "application/json", **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_real_server_sheds_excess_writes_and_keeps_the_others(
    server: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    results: list[tuple[int, dict[str, str], bytes]] = []
    lock = threading.Lock()

    def post() -> None:
        result = _request(server, "POST", "/api/v1/slow-write")
        with lock:
            results.append(result)

    holders = [threading.Thread(target=post) for _ in range(2)]
    for t in holders:
        t.start()
    for _ in range(2):  # both writes are inside the view, holding the two slots
        assert entered.acquire(timeout=10)

    # Three more writes while the slots are held: 503 at once, JSON, Retry-After.
    for _ in range(3):
        status, headers, body = _request(server, "POST", "/api/v1/slow-write")
        assert status == 503
        assert int(headers["Retry-After"]) >= 2
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body)["detail"]
    # A page write gets the refusal page in the request's language, right to left.
    status, headers, body = _request(
        server, "POST", "/fr/slow-write", headers={"Accept-Language": "ar"}
    )
    assert status == 503
    assert int(headers["Retry-After"]) >= 2
    assert headers["Content-Type"].startswith("text/html")
    assert b'lang="ar" dir="rtl"' in body
    # One summary line in the log, not one error line per refusal.
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert [r for r in caplog.records if r.name == "infitah.lib.loadshed"]
    # Reads pass while every write slot is taken.
    status, _headers, body = _request(server, "GET", "/api/v1/slow-write")
    assert status == 200

    release.set()
    for t in holders:
        t.join(10)
    assert sorted(r[0] for r in results) == [200, 200]
    # Only the accepted writes reached the view and stored a row; none of the refused.
    assert calls["write"] == 2
    assert OutboundEmail.objects.filter(key__startswith="shed-").count() == 2
    # Capacity is back: the next write is accepted and stored.
    status, _headers, body = _request(server, "POST", "/api/v1/slow-write")
    assert status == 200
    assert OutboundEmail.objects.filter(key__startswith="shed-").count() == 3


# --- Under the ASGI server ------------------------------------------------------------


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[tuple[str, int]]:
    """The application of `manage.py serve` (infitah/asgi.py: `SignatureIngestASGI`, Django
    in a pool of INFITAH_ASGI_THREADS threads) under uvicorn in this process, over the
    project's stack with the default write limit; 4 threads."""
    with override_settings(ROOT_URLCONF=__name__, MIDDLEWARE=STACK, INFITAH_ASGI_THREADS=4):
        app = SignatureIngestASGI(WSGIHandler(), threads=settings.INFITAH_ASGI_THREADS)
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]})
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started
        try:
            yield listening.getsockname()
        finally:
            release.set()
            server.should_exit = True
            thread.join(15)
            listening.close()


def test_under_the_asgi_server_writes_beyond_the_limit_are_shed_and_reads_answer(
    asgi_server: tuple[str, int],
) -> None:
    """With the default limit, writes beyond it are refused at once (API and form), not
    queued behind the busy threads; a read is answered meanwhile."""
    assert settings.INFITAH_SHED_MAX_INFLIGHT == 0  # the default: derived from the threads
    held: list[tuple[int, dict[str, str], bytes]] = []

    def hold() -> None:
        held.append(_request(asgi_server, "POST", "/api/v1/slow-write"))

    holders = [threading.Thread(target=hold) for _ in range(3)]
    for t in holders:
        t.start()
    for _ in range(3):  # three slow writes inside the view: the limit for 4 threads
        assert entered.acquire(timeout=10)

    answers: dict[str, Any] = {}

    def write(name: str, url: str) -> None:
        started = time.monotonic()
        try:
            reply = _request(asgi_server, "POST", url, timeout=5)
            answers[name] = (*reply, time.monotonic() - started)
        except OSError as exc:  # not answered in time: queued
            answers[name] = exc

    urls = {f"api{i}": "/api/v1/slow-write" for i in range(4)}
    urls.update({f"form{i}": "/fr/slow-write" for i in range(4)})
    extra = [threading.Thread(target=write, args=item) for item in urls.items()]
    for t in extra:
        t.start()
    for t in extra:
        t.join(10)
    for name, answer in answers.items():
        assert not isinstance(answer, Exception), (name, answer)
        status, raw_headers, body, waited = answer
        headers = {k.lower(): v for k, v in raw_headers.items()}
        assert status == 503, name
        assert int(headers["retry-after"]) >= 2
        assert waited < 3.0  # the held writes wait 10 s: these did not wait for them
        if name.startswith("api"):
            assert json.loads(body)["detail"]
        else:
            assert headers["content-type"].startswith("text/html")
            assert body.startswith(b"<!doctype html>")
    assert sorted(answers) == sorted(urls)
    status, _headers, _body = _request(asgi_server, "GET", "/api/v1/slow-write", timeout=5)
    assert status == 200

    release.set()
    for t in holders:
        t.join(10)
    assert sorted(r[0] for r in held) == [200, 200, 200]
    assert calls["write"] == 3
    assert OutboundEmail.objects.filter(key__startswith="shed-").count() == 3
