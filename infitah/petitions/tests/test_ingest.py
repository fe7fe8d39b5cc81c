"""The signature ingest (petitions/ingest.py) against the Django path it stands in for.

The fronts are called as a server calls them — a WSGI environ and `start_response`, an
ASGI scope with `receive`/`send` — around Django's real WSGI application, and their
answers are compared with the test client's (Django's handler, middleware and api.py):
same status, JSON and every header (those of Django's middleware chain too: a middleware
added to it reaches the ingest's answers), in Arabic and French. `DjangoApp` counts the
requests handed to Django, so that each case also says which path answered it.

The writer is a thread with its own database connection: the tests are transactional,
and the other connections of the test database (writers, thread pools) are terminated
after each test. The ingest runs on PostgreSQL only; the last test checks that on SQLite
it stays out of the way.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django_tasks_db.models import DBTaskResult

from django.apps import apps as django_apps
from django.core import mail
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.cache import patch_vary_headers

from infitah.accounts.models import User
from infitah.lib.loadshed import overloaded_response
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.petitions import ingest, notify, selectors, services
from infitah.petitions.ingest import SignatureIngest, SignatureIngestASGI
from infitah.petitions.integrity import integrity_settings_forget, integrity_settings_save
from infitah.petitions.models import Petition, Signature, Tally
from infitah.petitions.selectors import territory_forget
from infitah.petitions.signatures import signatures_invalidate, tally_recompute
from infitah.petitions.tests.conftest import MakePetition, token_from_last_email
from infitah.petitions.workflow import SignatureStatus, Status

ON_POSTGRESQL = connection.vendor == "postgresql"
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="the ingest is enabled on PostgreSQL only"
)
# Module-wide: transactional (the writer thread has its own connection); the legal
# limits that a data migration seeds (lodging needs them) are seeded again before each
# test (`_fresh_ingest`), since a transactional test's flush deletes them. The
# PostgreSQL skip is per test (`on_postgresql`): a module-wide one would skip the SQLite
# test too.
pytestmark = [pytest.mark.django_db(transaction=True)]
SEED_LIMITS = importlib.import_module("infitah.deadlines.migrations.0002_seed_legal_limits")

SIGN_URL = "/api/v1/petitions/{pk}/signatures"
CONFIRM_URL = "/api/v1/signatures/confirm"
LANGUAGES = ["ar", "fr"]
USER_AGENT = "Mozilla/5.0 (ingest tests)"
# Headers compared by presence only: Retry-After is random within a range, and the
# length of a JSON body depends on its spacing (each reply's is checked on its own).
PRESENCE_ONLY = ("retry-after", "content-length")


# ---- the two paths ----------------------------------------------------------------------


class DjangoApp:
    """Django's WSGI application (built now: it reads the test settings), counting the
    requests handed to it."""

    def __init__(self) -> None:
        self.app = get_wsgi_application()
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._lock:
            self.calls += 1
        return self.app(environ, start_response)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def _body(n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": f"Ingest Signatory {n}",
        "cin": f"IN{n:06d}",
        "residence_commune": "commune-a",
        "email": f"ingest{n}@example.test",
        "electoral_declaration": True,
    }
    values.update(overrides)
    return values


def _raw(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def wsgi_environ(
    path: str,
    body: Any = b"",
    *,
    method: str = "POST",
    language: str = "ar",
    remote_addr: str = "127.0.0.1",
    content_type: str = "application/json",
) -> dict[str, Any]:
    raw = _raw(body)
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(raw)),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_LANGUAGE": language,
        "HTTP_USER_AGENT": USER_AGENT,
        "REMOTE_ADDR": remote_addr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def wsgi_call(front: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> Reply:
    """Call the WSGI front (or Django's application) as gunicorn does; the answer."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))
        return lambda chunk: None

    result = front(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()  # Django's request_finished
    status, headers = started[0]
    return Reply(int(status.split()[0]), {k.lower(): v for k, v in headers}, content)


def post(front: SignatureIngest, path: str, body: Any, **options: Any) -> Reply:
    return wsgi_call(front, wsgi_environ(path, body, **options))


def wsgi_front() -> tuple[SignatureIngest, DjangoApp]:
    django = DjangoApp()
    return SignatureIngest(django), django


def reference(
    path: str,
    body: Any,
    *,
    language: str = "ar",
    remote_addr: str = "127.0.0.1",
    content_type: str = "application/json",
) -> Reply:
    """The same request through Django's own handler (the test client)."""
    response = Client().post(
        path,
        _raw(body),
        content_type=content_type,
        HTTP_ACCEPT_LANGUAGE=language,
        HTTP_USER_AGENT=USER_AGENT,
        REMOTE_ADDR=remote_addr,
    )
    return django_reply(response)


def django_reply(response: Any) -> Reply:
    """A test client's response as a server sends it: its headers and cookies."""
    headers = {k.lower(): v for k, v in response.items()}
    for cookie in response.cookies.values():
        headers["set-cookie"] = cookie.output(header="").strip()
    return Reply(response.status_code, headers, response.content)


def _headers(reply: Reply) -> dict[str, str]:
    return {k: "(present)" if k in PRESENCE_ONLY else v for k, v in reply.headers.items()}


def assert_same(ingested: Reply, expected: Reply) -> None:
    """The same answer: status, JSON body, and every header — the same names, the same
    values (Retry-After and Content-Length: present or not, and right)."""
    assert ingested.status == expected.status, (ingested, expected)
    assert ingested.json() == expected.json()
    assert _headers(ingested) == _headers(expected)
    for reply in (ingested, expected):
        if "content-length" in reply.headers:
            assert int(reply.headers["content-length"]) == len(reply.content)


def tokens_of(petition: Petition) -> dict[int, str]:
    """{signature id: token} from the confirmation e-mails of the petition's signatures."""
    pattern = notify.signatory_confirm_link_pattern()
    found = {}
    for pk in Signature.objects.filter(petition=petition).values_list("pk", flat=True):
        body = OutboundEmail.objects.get(key=f"petition-signature:{pk}:confirm").body
        match = pattern.search(body)
        assert match is not None, body
        found[pk] = next(g for g in match.groups() if g)
    return found


def signature_emails() -> QuerySet[OutboundEmail]:
    """The signatories' confirmation e-mails (not the agent's)."""
    return OutboundEmail.objects.filter(key__startswith="petition-signature:")


def tally(petition: Petition) -> int:
    return sum(Tally.objects.filter(petition=petition).values_list("count", flat=True))


def _terminate_other_connections() -> None:
    """End every other session of the test database: writer threads, pools."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fresh_ingest() -> Iterator[None]:
    """No petition, place or settings kept from another test; no connection left open."""
    SEED_LIMITS.seed(django_apps, None)
    ingest.ingest_forget()
    territory_forget()
    integrity_settings_forget()
    cache.clear()
    yield
    ingest.ingest_forget()
    integrity_settings_forget()
    if connection.vendor == "postgresql":
        _terminate_other_connections()


@pytest.fixture
def stale_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ingest keeps what it saw of a petition for a minute instead of a second: a
    change of state between two requests lands inside its memo, deterministically."""
    monkeypatch.setattr(ingest, "PETITION_MEMO_SECONDS", 60.0)


# ---- 1. the same answers as the Django path --------------------------------------------


@on_postgresql
def test_accepted_is_answered_and_stored_as_django_does(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    fields = (
        "status",
        "channel",
        "language",
        "ip",
        "user_agent_hash",
        "residence_id",
        "province_id",
        "interest",
        "electoral_declaration",
        "email_domain",
    )
    for n, language in enumerate(LANGUAGES):
        expected = reference(url, _body(10 + n), language=language)
        ingested = post(front, url, _body(20 + n), language=language)
        assert expected.status == 202
        assert_same(ingested, expected)
        assert ingested.json()["status"] == SignatureStatus.PENDING

        theirs = Signature.objects.get(email=f"ingest{10 + n}@example.test")
        ours = Signature.objects.get(email=f"ingest{20 + n}@example.test")
        assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
        assert ours.language == language
        assert ours.cin_masked != theirs.cin_masked and ours.cin_hash != theirs.cin_hash
        assert ours.confirm_digest and ours.confirmed_at is None
        # One e-mail each, in the signatory's language, sent (tasks run at once in tests).
        email = OutboundEmail.objects.get(key=f"petition-signature:{ours.pk}:confirm")
        reference_email = OutboundEmail.objects.get(key=f"petition-signature:{theirs.pk}:confirm")
        assert (email.to, email.status) == (ours.email, EmailStatus.SENT)
        assert email.subject == reference_email.subject
        assert email.body != reference_email.body  # its own token
    assert django.calls == 0  # the ingest answered


@on_postgresql
def test_already_signed_in_another_spelling_is_409_on_cin(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    assert reference(url, _body(1, cin="AB123456")).status == 202
    front, django = wsgi_front()
    for n, language in enumerate(LANGUAGES):
        expected = reference(url, _body(10 + n, cin="ab 123 456"), language=language)
        ingested = post(front, url, _body(20 + n, cin="ab 123 456"), language=language)
        assert expected.status == 409
        assert expected.json()["detail"][0]["field"] == "cin"
        assert_same(ingested, expected)
    assert django.calls == 0
    assert Signature.objects.filter(petition=petition).count() == 1
    assert signature_emails().count() == 1


@on_postgresql
def test_not_collecting_before_the_ingest_saw_it_is_django_s_409(make_petition):
    front, django = wsgi_front()
    calls = 0
    for status in (Status.LODGED, Status.WITHDRAWN):
        url = SIGN_URL.format(pk=make_petition(status).pk)
        for language in LANGUAGES:
            expected = reference(url, _body(1), language=language)
            ingested = post(front, url, _body(2), language=language)
            assert (expected.status, expected.json()["detail"][0]["field"]) == (409, ""), status
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, status  # handed over
    assert not Signature.objects.filter(email__startswith="ingest").exists()


def _close(petition: Petition, how: str) -> None:
    if how == "lodge":
        services.petition_lodge(petition=petition)
    else:
        services.petition_withdraw(petition=petition)


@on_postgresql
@pytest.mark.parametrize("how", ["lodge", "withdraw"])
def test_after_closing_signing_and_confirming_are_answered_as_django_does(
    make_petition, sign, network_admin, stale_memo, how
):
    """Closed (lodged, withdrawn) after the ingest saw the petition collecting: signing
    is 409 "not collecting" — not "already signed", not "too many" (Django checks the
    state first) — a pending signature cannot be confirmed any more (409), a confirmed one
    stays confirmed (200)."""
    _limits(network_admin, ip=2, domain=500)
    petition = make_petition()
    sign(petition, 2)  # the threshold, for lodging
    url = SIGN_URL.format(pk=petition.pk)
    front, _django = wsgi_front()
    pending = _pending_pair(petition, first=1, remote_addr="203.0.113.1")
    confirmed = _pending_pair(petition, first=3, remote_addr="203.0.113.2")
    for token in confirmed:
        assert post(front, CONFIRM_URL, {"token": token}).status == 200
    # Seen collecting by the ingest; this address is now at its limit (2 an hour).
    limited = "192.0.2.99"
    assert post(front, url, _body(5, cin="CD112233"), remote_addr=limited).status == 202
    assert post(front, url, _body(6), remote_addr=limited).status == 202
    _close(petition, how)
    rows = Signature.objects.count()

    for n, language in enumerate(LANGUAGES):
        cases = [
            ("new", _body(10 + n), _body(20 + n), "192.0.2.10"),
            (
                "signed",
                _body(30 + n, cin="cd 112 233"),
                _body(40 + n, cin="cd-112233"),
                "192.0.2.11",
            ),
            ("over the limit", _body(50 + n), _body(60 + n), limited),
        ]
        for case, theirs, ours, address in cases:
            expected = reference(url, theirs, language=language, remote_addr=address)
            ingested = post(front, url, ours, language=language, remote_addr=address)
            assert (expected.status, expected.json()["detail"][0]["field"]) == (409, ""), case
            assert_same(ingested, expected)
        for (theirs_token, ours_token), status in ((pending, 409), (confirmed, 200)):
            expected = reference(CONFIRM_URL, {"token": theirs_token}, language=language)
            ingested = post(front, CONFIRM_URL, {"token": ours_token}, language=language)
            assert expected.status == status
            assert_same(ingested, expected)
    assert Signature.objects.count() == rows
    assert Signature.objects.filter(status=SignatureStatus.LAPSED).count() == 4
    assert tally(petition) == 4


INVALID_BODIES = {
    "missing fields": {"cin": 12, "residence_commune": "commune-b", "electoral_declaration": "no"},
    "bad cin": _body(1, cin="123"),
    "commune outside": _body(1, residence_commune="commune-b"),
    "unknown commune": _body(1, residence_commune="nowhere"),
    "throw-away e-mail": _body(1, email="someone@mailinator.com"),
    "bad e-mail": _body(1, email="not an address"),
    "nul in name": _body(1, full_name="a\x00b"),
    "no declaration": _body(1, electoral_declaration=False),
    "bad interest": _body(1, interest="tourist"),
}


@on_postgresql
def test_field_errors_are_django_s_400(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    calls = 0
    for language in LANGUAGES:
        for case, body in INVALID_BODIES.items():
            expected = reference(url, body, language=language)
            ingested = post(front, url, body, language=language)
            assert expected.status == 400, case
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, case  # handed over
    assert not Signature.objects.exists()


MALFORMED_BODIES: dict[str, bytes] = {
    "truncated json": b"{",
    "not json": b"full_name=x",
    "a string": b'"not an object"',
    "a list": b'[{"cin": "AB123456"}]',
    "a number": b"12",
    "null": b"null",
    "list value": _raw(_body(1, cin=["AB123456"])),
    "object value": _raw(_body(1, cin={"a": 1})),
    "not utf-8": b'{"full_name": "\xff\xfe"}',
}


@on_postgresql
def test_malformed_bodies_are_django_s_400(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    calls = 0
    for language in LANGUAGES:
        for case, body in MALFORMED_BODIES.items():
            expected = reference(url, body, language=language)
            ingested = post(front, url, body, language=language)
            assert expected.status == 400, case
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, case
    assert not Signature.objects.exists()


@on_postgresql
def test_what_the_ingest_does_not_take_goes_to_django(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    for n, language in enumerate(LANGUAGES):
        # Not declared JSON: Django's API reads it all the same.
        as_text = {"content_type": "text/plain", "language": language}
        accepted = post(front, url, _body(10 + n), **as_text)
        assert_same(accepted, reference(url, _body(20 + n), **as_text))
        assert accepted.status == 202
        # No body; a body longer than the ingest reads (8 KB), valid.
        empty = post(front, url, b"", language=language)
        assert_same(empty, reference(url, b"", language=language))
        large = post(front, url, _body(30 + n, padding="x" * 9000), language=language)
        assert_same(large, reference(url, _body(40 + n, padding="x" * 9000), language=language))
        assert large.status == 202
    # A host Django does not serve: its 400.
    environ = wsgi_environ(url, _body(50))
    environ["HTTP_HOST"] = "evil.example"
    assert wsgi_call(front, environ).status == 400
    assert not Signature.objects.filter(email="ingest50@example.test").exists()
    assert django.calls == 7
    assert front.ingest.batcher.items == 0


@on_postgresql
def test_unknown_petition_is_django_s_404(make_petition):
    draft = make_petition(Status.DRAFT)
    front, django = wsgi_front()
    calls = 0
    for language in LANGUAGES:
        for pk in ["999999", "0", "999999999999", "99999999999999999999", draft.pk]:
            url = SIGN_URL.format(pk=pk)
            expected = reference(url, _body(1), language=language)
            ingested = post(front, url, _body(1), language=language)
            assert expected.status in (400, 404), pk  # 400: an id outside the API's bounds
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, pk
    assert not Signature.objects.exists()


@on_postgresql
def test_the_language_is_negotiated_as_django_does(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    headers = ["fr-FR,fr;q=0.9", "en-US,en;q=0.8", "", "ar-MA", "de, fr;q=0.5", "*"]
    for n, language in enumerate(headers):
        theirs, ours = _body(2 * n), _body(2 * n + 1)
        expected = reference(url, theirs, language=language)
        ingested = post(front, url, ours, language=language)
        assert expected.status == 202, language
        assert_same(ingested, expected)
        stored = dict(
            Signature.objects.filter(email__in=[theirs["email"], ours["email"]]).values_list(
                "email", "language"
            )
        )
        assert stored[ours["email"]] == stored[theirs["email"]], language
        assert stored[ours["email"]] == expected.headers["content-language"], language
    assert django.calls == 0


@on_postgresql
def test_over_https_the_answers_carry_django_s_hsts(make_petition, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    environ = wsgi_environ(url, _body(1), language="fr")
    environ.update({"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
    ingested = wsgi_call(front, environ)
    response = Client().post(
        url,
        _raw(_body(2)),
        content_type="application/json",
        secure=True,
        HTTP_ACCEPT_LANGUAGE="fr",
        HTTP_USER_AGENT=USER_AGENT,
    )
    expected = django_reply(response)
    assert response.status_code == 202
    assert_same(ingested, expected)
    hsts = "max-age=3600; includeSubDomains; preload"
    assert ingested.headers["strict-transport-security"] == hsts
    assert expected.headers["strict-transport-security"] == hsts
    assert django.calls == 0
    # Over plain HTTP Django redirects: the ingest leaves it to Django.
    redirected = post(front, url, _body(3))
    assert redirected.status == 301
    assert redirected.headers["location"].startswith("https://testserver/")
    assert django.calls == 1
    assert not Signature.objects.filter(email="ingest3@example.test").exists()


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The test settings' cache (locmem), and the production one (Redis: both paths count
    with one script call), under a key prefix of this test only, deleted afterwards."""
    if request.param == "locmem":
        yield "locmem"
        return
    location = "redis://127.0.0.1:6379/0"
    prefix = f"test-ingest-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(location)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    integrity_settings_forget()
    yield "redis"
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def _limits(actor: User, *, ip: int, domain: int) -> None:
    integrity_settings_save(
        actor=actor,
        data={
            "ip_limit_per_hour": ip,
            "domain_limit_per_hour": domain,
            "disposable_domains": "",
            "enabled": True,
        },
    )
    integrity_settings_forget()


def _rate_limited_pair(
    petition: Petition, language: str, kind: str, tag: int = 0
) -> tuple[Reply, Reply, SignatureIngest, DjangoApp]:
    """Two accepted signatures then a refused one, by each path on its own counters (its
    own IP address, or its own e-mail domain; `tag` gives other ones); the two refusals."""
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    replies: dict[str, list[Reply]] = {"django": [], "ingest": []}
    for n in range(3):
        for path, base in (("django", 100 * tag + 10), ("ingest", 100 * tag + 50)):
            if kind == "ip":
                body, address = _body(base + n), f"192.0.2.{base}"
            else:
                body = _body(base + n, email=f"s{base + n}@{path}{tag}-mail.ma")
                address = f"198.51.100.{base + n}"
            if path == "django":
                reply = reference(url, body, language=language, remote_addr=address)
            else:
                reply = post(front, url, body, language=language, remote_addr=address)
            replies[path].append(reply)
    for path in replies:
        assert [r.status for r in replies[path]] == [202, 202, 429], path
    return replies["ingest"][2], replies["django"][2], front, django


@on_postgresql
def test_rate_limited_is_429_with_retry_after(make_petition, network_admin, cache_backend):
    for kind in ("ip", "domain"):
        _limits(network_admin, ip=2 if kind == "ip" else 500, domain=2 if kind == "domain" else 500)
        petition = make_petition()
        for tag, language in enumerate(LANGUAGES):
            ingested, expected, _front, django = _rate_limited_pair(petition, language, kind, tag)
            assert_same(ingested, expected)  # Content-Type too: Django's 429 is a JsonResponse
            retry_after = int(ingested.headers["retry-after"])
            assert abs(retry_after - int(expected.headers["retry-after"])) <= 1
            assert 1 <= retry_after <= 3600
            assert django.calls == 0
        assert Signature.objects.filter(petition=petition).count() == 8


def _pending_pair(petition: Petition, first: int = 1, **options: Any) -> tuple[str, str]:
    """Two pending signatures (through Django's path): their tokens."""
    url = SIGN_URL.format(pk=petition.pk)
    for n in (first, first + 1):
        assert reference(url, _body(n), **options).status == 202
    return (
        token_from_last_email(f"ingest{first}@example.test"),
        token_from_last_email(f"ingest{first + 1}@example.test"),
    )


@on_postgresql
def test_confirm_is_200_then_200_again(make_petition):
    petition = make_petition()
    front, django = wsgi_front()
    for n, language in enumerate(LANGUAGES):
        theirs, ours = _pending_pair(petition, first=10 * n + 1)
        for _round in range(2):
            expected = reference(CONFIRM_URL, {"token": theirs}, language=language)
            ingested = post(front, CONFIRM_URL, {"token": ours}, language=language)
            assert (expected.status, expected.json()) == (200, {"status": "confirmed"})
            assert_same(ingested, expected)
    assert django.calls == 0
    assert Signature.objects.filter(status=SignatureStatus.CONFIRMED).count() == 4
    assert tally(petition) == 4  # counted once each


@on_postgresql
def test_confirm_unknown_or_malformed_is_django_s() -> None:
    front, django = wsgi_front()
    bodies: list[Any] = [{"token": "unknown"}, {"token": "x" * 101}, {}, {"token": 12}]
    bodies += [{"token": ["x"]}, {"token": None}, {"token": "  "}, b"[]", b"{"]
    calls = 0
    for language in LANGUAGES:
        for body in bodies:
            expected = reference(CONFIRM_URL, body, language=language)
            ingested = post(front, CONFIRM_URL, body, language=language)
            assert expected.status in (400, 404), body
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, body


@on_postgresql
def test_confirm_of_an_invalidated_signature_is_409(make_petition, bureau_a):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    for n in range(1, 5):
        assert reference(url, _body(n), remote_addr="203.0.113.7").status == 202
    tokens = [token_from_last_email(f"ingest{n}@example.test") for n in range(1, 5)]
    front, django = wsgi_front()
    # Two of them confirmed before the invalidation, two still pending.
    assert post(front, CONFIRM_URL, {"token": tokens[2]}).status == 200
    assert post(front, CONFIRM_URL, {"token": tokens[3]}).status == 200
    assert tally(petition) == 2
    signatures_invalidate(
        petition=petition, actor=bureau_a, by_ip="203.0.113.7", reason="One address."
    )
    for language in LANGUAGES:
        for theirs, ours in (tokens[0:2], tokens[2:4]):
            expected = reference(CONFIRM_URL, {"token": theirs}, language=language)
            ingested = post(front, CONFIRM_URL, {"token": ours}, language=language)
            assert expected.status == 409
            assert_same(ingested, expected)
    assert django.calls == 4
    assert tally(petition) == 0
    assert Signature.objects.filter(status=SignatureStatus.INVALIDATED).count() == 4


# ---- 2. exact under concurrency -----------------------------------------------------------

UNIQUE = 150
REPEATS = 50


def _spelling(cin: str, n: int) -> str:
    """Another spelling of the same CIN: lower case, spaces, dashes."""
    return [cin.lower(), f"{cin[:2]} {cin[2:5]} {cin[5:]}", f"{cin[:2]}-{cin[2:]}"][n % 3]


def _in_threads(jobs: list[Callable[[], Any]], threads: int = 32) -> list[Any]:
    def run(job: Callable[[], Any]) -> Any:
        try:
            return job()
        finally:
            connection.close()  # a handed-over request opened one in this thread

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, jobs))


@on_postgresql
def test_two_hundred_parallel_submissions_then_confirmations_are_exact(make_petition, client):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()

    def submit(n: int, cin: str) -> Callable[[], Reply]:
        body = _body(n, cin=cin, email=f"racer{n}@example.test")
        return lambda: post(front, url, body, remote_addr=f"10.9.{n // 250}.{n % 250}")

    jobs: list[Callable[[], Any]] = []
    for n in range(UNIQUE):
        cin = f"RC{n:06d}"
        jobs.append(submit(n, cin))
        if n < REPEATS:  # the repeat right behind its original: same or next batch
            jobs.append(submit(1000 + n, _spelling(cin, n)))
    replies = _in_threads(jobs)

    assert Counter(r.status for r in replies) == {202: UNIQUE, 409: REPEATS}
    assert all(r.json()["detail"][0]["field"] == "cin" for r in replies if r.status == 409)
    assert django.calls == 0
    batcher = front.ingest.batcher
    assert batcher.items == UNIQUE + REPEATS
    assert batcher.batches < batcher.items  # requests shared batches
    rows = Signature.objects.filter(petition=petition)
    assert rows.count() == UNIQUE
    assert rows.values("cin_hash").distinct().count() == UNIQUE
    assert signature_emails().count() == UNIQUE

    tokens = list(tokens_of(petition).values())
    assert len(tokens) == UNIQUE
    # Every winner confirms, all at once, while the bureau rewrites the tallies from the
    # rows (the exclusive tally lock against the batches' shared one).
    confirm_jobs: list[Callable[[], Any]] = [
        partial(post, front, CONFIRM_URL, {"token": t}) for t in tokens
    ]
    for i in range(5):
        confirm_jobs.insert(i * 30 + 15, partial(tally_recompute, petition))
    outcomes = _in_threads(confirm_jobs)
    confirmations = [r for r in outcomes if isinstance(r, Reply)]
    assert [(r.status, r.json()) for r in confirmations] == [
        (200, {"status": "confirmed"})
    ] * UNIQUE
    assert django.calls == 0
    assert rows.filter(status=SignatureStatus.CONFIRMED).count() == UNIQUE
    assert tally(petition) == UNIQUE
    assert selectors.counts_by_province_exact(petition) == {petition.collectivity.parent_id: UNIQUE}
    selectors.counts_forget(petition.pk)
    assert client.get(f"/api/v1/petitions/{petition.pk}").json()["confirmed_signatures"] == UNIQUE
    # Again, all at once: nothing counted twice.
    again = _in_threads([partial(post, front, CONFIRM_URL, {"token": t}) for t in tokens[:40]])
    assert {r.status for r in again} == {200}
    assert tally(petition) == UNIQUE
    assert tally_recompute(petition) == {petition.collectivity.parent_id: UNIQUE}


# ---- 3. batches ---------------------------------------------------------------------------


def _item(petition: Petition, body: Any, address: str) -> ingest.Item:
    """The item of this request, built as the front builds it."""
    environ = wsgi_environ(SIGN_URL.format(pk=petition.pk), body, remote_addr=address)
    raw = environ["wsgi.input"].getvalue()
    pending = ingest.Ingest().begin(WSGIRequest(environ), raw, petition.pk)
    assert pending is not None
    return pending.item


def _items(petition: Petition, bodies: list[dict[str, Any]], network: int) -> list[ingest.Item]:
    """The items of these requests, each from its own address of `network`."""
    return [_item(petition, body, f"10.{network}.0.{n + 1}") for n, body in enumerate(bodies)]


def _one_batch(batcher: ingest.Batcher, items: list[ingest.Item]) -> None:
    """Queue `items` so that the writer thread takes them as one batch — it waits for the
    queue's lock (reentrant: `put` takes it again) while they are put — and wait for
    their outcomes."""
    with batcher._cond:
        for item in items:
            assert batcher.put(item)
    for item in items:
        assert item.done.wait(30)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
    ]


@on_postgresql
def test_a_batch_is_written_in_one_transaction_with_one_email_task(make_petition, settings):
    petition = make_petition()
    signatures = Signature.objects.filter(petition=petition)
    batcher = ingest.Batcher(max_queue=1024, max_batch=256)
    # The test settings run tasks at once: the batch's twenty e-mails are sent.
    assert "Immediate" in settings.TASKS["default"]["BACKEND"]
    items = _items(petition, [_body(n) for n in range(20)], network=1)
    batcher.write(items)
    assert [item.outcome for item in items] == [ingest.ACCEPTED] * 20
    assert signature_emails().filter(status=EmailStatus.SENT).count() == 20
    sent = sorted(m.to[0] for m in mail.outbox if m.to[0].startswith("ingest"))
    assert sent == sorted(f"ingest{n}@example.test" for n in range(20))

    # With the database task backend of production: one task row for the batch.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    items = _items(petition, [_body(n) for n in range(20, 40)], network=2)
    with CaptureQueriesContext(connection) as queries:
        batcher.write(items)
    assert [item.outcome for item in items] == [ingest.ACCEPTED] * 20
    # One INSERT of the rows, one of the e-mails, one task row: whatever the batch size.
    assert len(_writes(queries)) == 3, _writes(queries)
    assert signatures.count() == 40
    emails = signature_emails().filter(status=EmailStatus.QUEUED)
    assert set(emails.values_list("key", flat=True)) == {
        f"petition-signature:{pk}:confirm"
        for pk in signatures.filter(ip__startswith="10.2.").values_list("pk", flat=True)
    }
    task = DBTaskResult.objects.get(task_path__endswith="email_deliver_many")
    assert sorted(task.args_kwargs["args"][0]) == sorted(emails.values_list("pk", flat=True))

    # The same CIN twice in one batch: the first signs; a CIN signed before: signed.
    more = _items(
        petition,
        [
            _body(100, cin="DU100100"),
            _body(101, cin="du 100 100"),
            _body(102, cin=_spelling("IN000003", 1)),
            _body(103),
        ],
        network=3,
    )
    with CaptureQueriesContext(connection) as queries:
        batcher.write(more)
    assert [item.outcome for item in more] == [
        ingest.ACCEPTED,
        ingest.SIGNED,
        ingest.SIGNED,
        ingest.ACCEPTED,
    ]
    assert len(_writes(queries)) == 3
    assert signatures.count() == 42
    assert DBTaskResult.objects.filter(task_path__endswith="email_deliver_many").count() == 2
    assert not Signature.objects.filter(email__in=["ingest101@example.test"]).exists()

    # Forty-two confirmations in one batch: one statement confirms and counts them all.
    engine = ingest.Ingest()
    confirms = []
    for token in tokens_of(petition).values():
        environ = wsgi_environ(CONFIRM_URL, {"token": token})
        pending = engine.begin(WSGIRequest(environ), _raw({"token": token}), -1)
        assert pending is not None
        confirms.append(pending.item)
    with CaptureQueriesContext(connection) as queries:
        batcher.write(confirms)
    assert [item.outcome for item in confirms] == [ingest.CONFIRMED] * 42
    assert len(_writes(queries)) == 1
    assert tally(petition) == 42
    assert batcher.batches == 4 and batcher.items == 20 + 20 + 4 + 42


UNENCODABLE = "Lone \ud800 surrogate"  # valid JSON; PostgreSQL cannot store it


@on_postgresql
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_lone_surrogate_is_a_400_by_either_path(make_petition, language):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    body = json.dumps(_body(1, full_name=UNENCODABLE)).encode()
    reply = post(front, url, body, language=language)
    assert reply.status == 400
    assert_same(reply, reference(url, body, language=language))
    assert django.calls == 1  # handed over
    token = json.dumps({"token": "abc\ud800"}).encode()
    assert post(front, CONFIRM_URL, token, language=language).status == 400
    assert not Signature.objects.exists()


@on_postgresql
def test_one_bad_request_does_not_refuse_its_batch_nor_count_it_twice(make_petition, network_admin):
    _limits(network_admin, ip=2, domain=500)
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    # One attempt from this address already: one more is within the limit...
    assert reference(url, _body(1), remote_addr="192.0.2.50").status == 202
    items = [
        _item(petition, _body(2), "192.0.2.50"),
        _item(petition, _body(3), "192.0.2.51"),
        _item(petition, _body(4), "192.0.2.52"),
    ]
    # A request the database refuses (the front hands such a body to Django, which
    # answers 400; here it is put in the batch anyway, as any unforeseen fault of one item).
    assert isinstance(items[1], ingest.SubmitItem)
    items[1].data["full_name"] = UNENCODABLE
    # ...even when its batch fails on another request and is written again item by item.
    _one_batch(ingest.Batcher(max_queue=16, max_batch=16), items)
    assert [item.outcome for item in items] == [ingest.ACCEPTED, ingest.BUSY, ingest.ACCEPTED]
    stored = {"ingest1@example.test", "ingest2@example.test", "ingest4@example.test"}
    assert set(Signature.objects.values_list("email", flat=True)) == stored
    assert set(signature_emails().values_list("to", flat=True)) == stored
    # The third from the address is refused, by either path.
    assert reference(url, _body(5), remote_addr="192.0.2.50").status == 429


# ---- 4. shedding and failure -------------------------------------------------------------


@on_postgresql
def test_a_full_queue_is_503_with_retry_after_and_stores_nothing(make_petition, settings):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    assert reference(url, _body(1)).status == 202
    token = token_from_last_email("ingest1@example.test")
    settings.INFITAH_INGEST_MAX_QUEUE = 0
    front, django = wsgi_front()
    retry = settings.INFITAH_SHED_RETRY_AFTER
    for language in LANGUAGES:
        for reply in (
            post(front, url, _body(2), language=language),
            post(front, CONFIRM_URL, {"token": token}, language=language),
        ):
            assert reply.status == 503
            assert retry <= int(reply.headers["retry-after"]) <= 2 * retry
            assert reply.headers["content-language"] == language
            # As Django's own shedding answers (infitah/lib/loadshed.py).
            with translation.override(language):
                shed = overloaded_response(RequestFactory().post(url), retry)
            assert reply.json() == json.loads(shed.content)
            assert reply.headers["content-type"] == shed["Content-Type"]
            assert reply.headers["cache-control"] == shed["Cache-Control"] == "no-store"
    assert django.calls == 0
    assert list(Signature.objects.values_list("email", "status")) == [
        ("ingest1@example.test", SignatureStatus.PENDING)
    ]
    assert signature_emails().count() == 1
    assert tally(petition) == 0


@on_postgresql
def test_a_lost_database_connection_answers_503_and_the_next_request_succeeds(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    assert post(front, url, _body(1)).status == 202  # the writer has its connection

    _terminate_other_connections()
    during = post(front, url, _body(2))
    assert during.status in (202, 503)
    stored = Signature.objects.filter(email="ingest2@example.test").exists()
    assert stored == (during.status == 202)
    if during.status == 503:
        assert "retry-after" in during.headers
        assert not OutboundEmail.objects.filter(to="ingest2@example.test").exists()

    after = post(front, url, _body(3))
    assert after.status == 202
    assert Signature.objects.filter(email="ingest3@example.test").exists()

    # The same for a confirmation: 503 and nothing counted, or 200 and counted once.
    token = token_from_last_email("ingest3@example.test")
    _terminate_other_connections()
    during = post(front, CONFIRM_URL, {"token": token})
    assert during.status in (200, 503)
    assert tally(petition) == (1 if during.status == 200 else 0)
    assert post(front, CONFIRM_URL, {"token": token}).status == 200
    assert tally(petition) == 1
    assert django.calls == 0


@contextlib.contextmanager
def signatures_locked(seconds: float = 30) -> Iterator[threading.Event]:
    """Another session holds a SHARE lock on the signatures table (INSERT waits for it)
    until the event yielded is set (at most `seconds`)."""
    release = threading.Event()
    held = threading.Event()
    params = connection.settings_dict

    def hold() -> None:
        with psycopg.connect(
            dbname=params["NAME"],
            user=params["USER"],
            host=params["HOST"],
            port=params["PORT"] or None,
        ) as other:
            other.execute(f"LOCK TABLE {Signature._meta.db_table} IN SHARE MODE")
            held.set()
            release.wait(seconds)
            other.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        yield release
    finally:
        release.set()
        holder.join(seconds)


def wait_for_a_session_waiting_on_a_lock() -> None:
    """Until the writer's INSERT waits on the lock (its batch is taken)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the writer never waited on the lock")


@on_postgresql
def test_a_taken_request_waits_for_its_batch_within_its_deadline(make_petition, settings):
    settings.INFITAH_INGEST_TIMEOUT = 5000
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    assert post(front, url, _body(1)).status == 202  # the writer is connected
    with signatures_locked() as release, ThreadPoolExecutor(1) as pool:
        taken = pool.submit(post, front, url, _body(2))
        wait_for_a_session_waiting_on_a_lock()
        time.sleep(0.3)
        assert not taken.done()
        release.set()  # well before its deadline: the batch commits
        assert taken.result(timeout=10).status == 202
    assert Signature.objects.filter(email="ingest2@example.test").exists()
    assert django.calls == 0


# Past the deadline: at most the grace for a taken request, and a margin for a busy host.
ANSWER_BOUND = ingest.OUTCOME_GRACE_SECONDS + 1.5


@on_postgresql
def test_requests_held_by_a_blocked_database_are_503_by_their_deadline_and_not_stored(
    make_petition, settings
):
    """The database blocked longer than the requests may wait: the one the writer has
    taken (its INSERT waits on the lock) and the one still queued behind it are both
    answered 503 + Retry-After soon after their deadline, and neither is stored — the
    taken one's batch is cut off by its statement timeout and rolled back, the queued one
    is withdrawn before the writer sees it."""
    settings.INFITAH_INGEST_TIMEOUT = 500
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    assert post(front, url, _body(1)).status == 202  # the writer is connected
    with signatures_locked() as release, ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        taken = pool.submit(post, front, url, _body(2))
        wait_for_a_session_waiting_on_a_lock()
        queued = pool.submit(post, front, url, _body(3))
        replies = [taken.result(timeout=15), queued.result(timeout=15)]
        waited = time.monotonic() - started
        release.set()
    for reply in replies:
        assert reply.status == 503
        assert int(reply.headers["retry-after"]) >= settings.INFITAH_SHED_RETRY_AFTER
    assert waited < 0.5 + ANSWER_BOUND
    assert post(front, url, _body(4)).status == 202  # the writer goes on
    assert set(Signature.objects.values_list("email", flat=True)) == {
        "ingest1@example.test",
        "ingest4@example.test",
    }
    assert not OutboundEmail.objects.filter(to__in=["ingest2@example.test", "ingest3@example.test"])
    assert front.ingest.batcher.items == 3  # the withdrawn request never reached it
    assert django.calls == 0


@on_postgresql
def test_a_batch_held_beyond_the_statement_timeout_is_503_and_rolled_back(make_petition, settings):
    settings.INFITAH_INGEST_STATEMENT_TIMEOUT = 300
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, _django = wsgi_front()
    assert post(front, url, _body(1)).status == 202
    with signatures_locked():
        started = time.monotonic()
        reply = post(front, url, _body(2))
        waited = time.monotonic() - started
    assert reply.status == 503
    assert waited < 10  # the statement timeout, not the lock holder's 30 s
    assert not Signature.objects.filter(email="ingest2@example.test").exists()
    assert not OutboundEmail.objects.filter(to="ingest2@example.test").exists()
    assert post(front, url, _body(3)).status == 202


# ---- 5. the ASGI front --------------------------------------------------------------------


async def _asgi_http(
    app: SignatureIngestASGI,
    method: str,
    path: str,
    chunks: list[bytes],
    *,
    language: str = "ar",
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
) -> Reply:
    """One HTTP request as uvicorn delivers it (the body in `chunks`); the answer."""
    size = sum(len(c) for c in chunks)
    headers = [(b"host", b"testserver"), (b"accept-language", language.encode())]
    headers.append((b"user-agent", USER_AGENT.encode()))
    headers += extra_headers
    if method == "POST":
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % size)]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 51000),
        "server": ("testserver", 80),
    }
    inbound = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks or [b""])
    ]
    finished = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if inbound:
            return inbound.pop(0)
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            finished.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    assert sent[0]["type"] == "http.response.start"
    return Reply(
        sent[0]["status"],
        {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]},
        b"".join(m.get("body", b"") for m in sent[1:]),
    )


def asgi(app: SignatureIngestASGI, method: str, path: str, body: Any = None, **kw: Any) -> Reply:
    raw = b"" if body is None else _raw(body)
    chunks = [raw[: len(raw) // 2], raw[len(raw) // 2 :]] if len(raw) > 1 else [raw]
    return asyncio.run(_asgi_http(app, method, path, chunks, **kw))


def asgi_front() -> tuple[SignatureIngestASGI, DjangoApp]:
    django = DjangoApp()
    return SignatureIngestASGI(django, threads=4), django


@on_postgresql
def test_asgi_submit_is_202_and_stored_then_confirm_is_200(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = asgi_front()
    for n, language in enumerate(LANGUAGES):
        expected = reference(url, _body(10 + n), language=language)
        ingested = asgi(front, "POST", url, _body(20 + n), language=language)  # two chunks
        assert_same(ingested, expected)
        assert ingested.status == 202
        signature = Signature.objects.get(email=f"ingest{20 + n}@example.test")
        assert (signature.status, signature.language, signature.ip) == (
            SignatureStatus.PENDING,
            language,
            "127.0.0.1",
        )
        token = token_from_last_email(signature.email)
        for _round in range(2):
            confirmed = asgi(front, "POST", CONFIRM_URL, {"token": token}, language=language)
            assert (confirmed.status, confirmed.json()) == (200, {"status": "confirmed"})
            assert confirmed.headers["content-language"] == language
        signature.refresh_from_db()
        assert signature.status == SignatureStatus.CONFIRMED
    assert tally(petition) == 2
    assert django.calls == 0


@on_postgresql
def test_asgi_hands_the_rest_to_django_with_the_body_replayed(make_petition, sign):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = asgi_front()
    bodies: list[Any] = [INVALID_BODIES["missing fields"], INVALID_BODIES["bad cin"], b"{", b"[]"]
    calls = 0
    for language in LANGUAGES:
        for body in bodies:
            expected = reference(url, body, language=language)
            ingested = asgi(front, "POST", url, body, language=language)
            assert expected.status == 400, body
            assert_same(ingested, expected)
            calls += 1
            assert django.calls == calls, body
        unknown = asgi(front, "POST", CONFIRM_URL, {"token": "unknown"}, language=language)
        assert_same(unknown, reference(CONFIRM_URL, {"token": "unknown"}, language=language))
        assert unknown.status == 404
        calls += 1
    assert not Signature.objects.exists()

    # Five chunks: the ingest stops reading past 8 KB, Django reads the rest.
    raw = _raw(_body(1, padding="x" * 12_000))
    step = len(raw) // 5 + 1
    chunks = [raw[i : i + step] for i in range(0, len(raw), step)]
    assert len(chunks) == 5
    large = asyncio.run(_asgi_http(front, "POST", url, chunks, language="fr"))
    assert_same(large, reference(url, _body(2, padding="x" * 12_000), language="fr"))
    assert large.status == 202
    assert Signature.objects.filter(email="ingest1@example.test").exists()

    sign(petition, 2)
    services.petition_lodge(petition=petition)
    closed = asgi(front, "POST", url, _body(3), language="fr")
    assert_same(closed, reference(url, _body(4), language="fr"))
    assert closed.status == 409
    assert django.calls == calls + 2


@on_postgresql
def test_asgi_answers_requests_held_by_a_blocked_database_by_their_deadline(
    make_petition, settings
):
    """As the WSGI front: 503 for the taken request (its batch rolled back) and for the
    queued one (withdrawn), nothing stored; a taken request whose lock goes away in time
    gets its 202."""
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    settings.INFITAH_INGEST_TIMEOUT = 500
    front, django = asgi_front()
    assert asgi(front, "POST", url, _body(1)).status == 202

    async def held() -> tuple[Reply, Reply, float]:
        started = time.monotonic()
        taken = asyncio.create_task(_asgi_http(front, "POST", url, [_raw(_body(2))]))
        await asyncio.to_thread(wait_for_a_session_waiting_on_a_lock)
        queued = await _asgi_http(front, "POST", url, [_raw(_body(3))])
        return await taken, queued, time.monotonic() - started

    with signatures_locked():
        taken, queued, waited = asyncio.run(held())
    assert (taken.status, queued.status) == (503, 503)
    assert "retry-after" in taken.headers and "retry-after" in queued.headers
    assert waited < 0.5 + ANSWER_BOUND
    assert front.ingest.batcher.items == 2

    settings.INFITAH_INGEST_TIMEOUT = 5000
    front, django = asgi_front()

    async def released(release: threading.Event) -> Reply:
        taken = asyncio.create_task(_asgi_http(front, "POST", url, [_raw(_body(4))]))
        await asyncio.to_thread(wait_for_a_session_waiting_on_a_lock)
        await asyncio.sleep(0.3)
        assert not taken.done()
        release.set()
        return await taken

    with signatures_locked() as release:
        assert asyncio.run(released(release)).status == 202
    assert set(Signature.objects.values_list("email", flat=True)) == {
        "ingest1@example.test",
        "ingest4@example.test",
    }
    assert django.calls == 0


@on_postgresql
def test_the_writer_survives_a_request_whose_event_loop_is_gone(make_petition):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, _django = asgi_front()
    batcher = front.ingest.batcher
    # The writer is held (it waits for the queue's lock, reentrant for this thread) while
    # the request is queued; the request gives up and its event loop ends; then the writer
    # writes the batch and wakes the request on a closed loop.
    with batcher._cond, pytest.raises(TimeoutError):
        asyncio.run(asyncio.wait_for(_asgi_http(front, "POST", url, [_raw(_body(1))]), 0.5))
    later = asyncio.run(asyncio.wait_for(_asgi_http(front, "POST", url, [_raw(_body(2))]), 3))
    assert later.status == 202


@on_postgresql
@pytest.mark.django_db  # Django alone, in its threads: no transactional test needed
def test_asgi_serves_other_requests_through_django() -> None:
    front, django = asgi_front()
    page = asgi(front, "GET", "/ar/")
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-language"] == "ar"
    assert django.calls == 1
    # A GET of a signing path is not the ingest's either.
    assert asgi(front, "GET", CONFIRM_URL).status == 405
    assert django.calls == 2


@on_postgresql
@pytest.mark.django_db  # Django alone, in its threads: no transactional test needed
def test_asgi_lifespan_startup_and_shutdown_are_answered() -> None:
    front, _django = asgi_front()

    async def lifespan() -> list[str]:
        inbound: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await inbound.put({"type": "lifespan.startup"})
        sent: list[str] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message["type"])
            if message["type"] == "lifespan.startup.complete":
                await inbound.put({"type": "lifespan.shutdown"})

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        await asyncio.wait_for(front(scope, inbound.get, send), timeout=10)
        return sent

    assert asyncio.run(lifespan()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


# ---- 6. Django's middleware, a writer that stops, a server that stops -------------------

EXTRA_HEADERS = f"{__name__}.ExtraHeadersMiddleware"
READ_ONLY = f"{__name__}.ReadOnlyMiddleware"


class ExtraHeadersMiddleware:
    """Added by a test at the top of the chain: a header of its own, one more Vary, and
    one header of Django's middleware taken away."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Test-Middleware"] = f"seen {request.method}"
        patch_vary_headers(response, ["X-Test"])
        del response["X-Content-Type-Options"]
        return response


class ReadOnlyMiddleware:
    """Added by a test: the site read-only, every POST answered by the middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            return JsonResponse({"detail": "read-only"}, status=503)
        return self.get_response(request)


Front = SignatureIngest | SignatureIngestASGI


def front_of(kind: str) -> tuple[Front, DjangoApp]:
    return wsgi_front() if kind == "wsgi" else asgi_front()


def send(front: Front, path: str, body: Any, language: str = "ar") -> Reply:
    """A POST through either front."""
    if isinstance(front, SignatureIngestASGI):
        return asgi(front, "POST", path, body, language=language)
    return post(front, path, body, language=language)


@on_postgresql
@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_every_answer_has_exactly_the_headers_django_s_middleware_gives(
    make_petition, network_admin, settings, kind
):
    """Each answer the ingest gives — 202, 409, 429, 200 and 503 — has the headers of
    Django's answer to the same request, names and values: those of the project's
    middleware (security headers, CSP, Content-Language, Vary, no cookie) and of a
    middleware added to the chain, which the ingest's code knows nothing of."""
    settings.MIDDLEWARE = [EXTRA_HEADERS, *settings.MIDDLEWARE]
    _limits(network_admin, ip=500, domain=2)
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = front_of(kind)
    pairs: list[tuple[Reply, Reply]] = []
    for n, language in enumerate(LANGUAGES):
        ours, theirs = _body(10 + n, email=f"s{n}@o{n}.ma"), _body(20 + n, email=f"s{n}@t{n}.ma")
        for expected in (202, 409):  # accepted, then already signed
            pairs.append(
                (send(front, url, ours, language), reference(url, theirs, language=language))
            )
            assert pairs[-1][0].status == pairs[-1][1].status == expected
        confirm = [{"token": token_from_last_email(b["email"])} for b in (ours, theirs)]
        pairs.append(
            (
                send(front, CONFIRM_URL, confirm[0], language),
                reference(CONFIRM_URL, confirm[1], language=language),
            )
        )
        # A third signature from one e-mail domain in the hour (two allowed): 429.
        pairs.append(
            (
                send(front, url, _body(30 + n, email=f"x{n}@o{n}.ma"), language),
                reference(url, _body(40 + n, email=f"x{n}@t{n}.ma"), language=language),
            )
        )
        assert [(a.status, b.status) for a, b in pairs[-2:]] == [(200, 200), (429, 429)]

    # 503: the ingest's queue full; Django's only write slot held by a request whose
    # INSERT waits on a lock, so that the load shedding refuses the next one.
    settings.INFITAH_INGEST_MAX_QUEUE = 0
    settings.INFITAH_SHED_MAX_INFLIGHT = 1
    busy, _django = front_of(kind)
    shedding = DjangoApp()
    with signatures_locked() as release, ThreadPoolExecutor(1) as pool:
        holder = pool.submit(wsgi_call, shedding, wsgi_environ(url, _body(50)))
        wait_for_a_session_waiting_on_a_lock()
        for language in LANGUAGES:
            for path, body in ((url, _body(51)), (CONFIRM_URL, {"token": "any"})):
                theirs_reply = wsgi_call(shedding, wsgi_environ(path, body, language=language))
                pairs.append((send(busy, path, body, language), theirs_reply))
                assert pairs[-1][0].status == pairs[-1][1].status == 503
        release.set()
        assert holder.result(timeout=30).status == 202

    for ours_reply, theirs_reply in pairs:
        assert_same(ours_reply, theirs_reply)
        assert ours_reply.headers["x-test-middleware"] == "seen POST"
        assert ours_reply.headers["vary"] == "Accept-Language, X-Test"
        assert "x-content-type-options" not in ours_reply.headers
        assert "set-cookie" not in ours_reply.headers
    assert django.calls == 0


@on_postgresql
@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_a_middleware_that_answers_itself_is_obeyed_and_nothing_is_written(
    make_petition, settings, kind
):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    assert reference(url, _body(1)).status == 202
    token = token_from_last_email("ingest1@example.test")
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, READ_ONLY]
    front, django = front_of(kind)
    for path, body in ((url, _body(2)), (CONFIRM_URL, {"token": token})):
        ours = send(front, path, body, "fr")
        assert (ours.status, ours.json()) == (503, {"detail": "read-only"})
        assert_same(ours, reference(path, body, language="fr"))
    assert django.calls == 2
    assert front.ingest.batcher.items == 0
    assert list(Signature.objects.values_list("email", "status")) == [
        ("ingest1@example.test", SignatureStatus.PENDING)
    ]


@pytest.fixture
def ingest_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The ingest's log lines (Django's set-up, which a front's application runs, takes
    pytest's handler off the root logger: it is put on the ingest's logger)."""
    logger = logging.getLogger("infitah.petitions.ingest")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


@on_postgresql
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_stops_is_replaced_and_the_next_signature_is_answered_at_once(
    make_petition, ingest_log
):
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    front, django = wsgi_front()
    assert post(front, url, _body(1)).status == 202
    batcher = front.ingest.batcher
    first, second = _items(petition, [_body(2), _body(3)], network=7)

    def stop_the_writer() -> None:
        # Not an Exception: it escapes the writer's handlers and ends its thread.
        raise SystemExit

    first.callback = stop_the_writer
    with batcher._cond:  # one batch: the writer waits for the lock while both are put
        assert batcher.put(first)
        assert batcher.put(second)
    # The writer stopped while waking the batch's requests: each of them is answered.
    assert first.done.wait(5)
    assert second.done.wait(5)
    assert (first.outcome, second.outcome) == (ingest.ACCEPTED, ingest.ACCEPTED)

    replies: list[Reply] = []
    started = time.monotonic()
    later = threading.Thread(target=lambda: replies.append(post(front, url, _body(4))), daemon=True)
    later.start()
    later.join(5)
    assert [r.status for r in replies] == [202]
    assert time.monotonic() - started < 5  # not after a deadline: a new writer took it
    assert batcher.restarts == 1
    assert "signature ingest: the writer thread had stopped; a new one is started" in [
        r.getMessage() for r in ingest_log.records if r.name == "infitah.petitions.ingest"
    ]
    assert Signature.objects.count() == 4
    assert django.calls == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _http(port: int, path: str, body: Any = None) -> tuple[int, dict[str, str]] | str:
    """One request to the server: status and headers, or the error's name (a dropped
    connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if body is None:
            conn.request("GET", path)
        else:
            conn.request("POST", path, _raw(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """The production server on the test database: gunicorn, the ASGI entry point, the
    worker class of `manage.py serve`, gunicorn's default graceful timeout (30 s) and
    the ingest's default timeouts."""
    params = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "infitah.settings_test",
        "DATABASE_URL": (
            f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/"
            f"{params['NAME']}"
        ),
    }
    for name in ("INFITAH_INGEST_TIMEOUT", "INFITAH_INGEST_STATEMENT_TIMEOUT"):
        env.pop(name, None)
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "infitah.asgi:application",
            "--worker-class",
            "infitah.server.Worker",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=Path(__file__).resolve().parents[3],  # the project's root
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while isinstance(_http(port, "/api/v1/petitions/0"), str):
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        log.close()


GUNICORN_GRACEFUL_TIMEOUT = 30  # gunicorn's default --graceful-timeout


@on_postgresql
def test_a_stopping_server_answers_every_waiting_signature_before_it_is_killed(
    make_petition, gunicorn
):
    """SIGTERM while the database is blocked (a lock another session holds) and signing
    requests wait: every one is answered 503 + Retry-After, nothing stored, before
    gunicorn's graceful timeout, when it would kill the worker and drop the connections."""
    proc, port = gunicorn
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    first = _http(port, url, _body(1))
    assert not isinstance(first, str) and first[0] == 202  # the writer is connected
    replies: dict[int, tuple[int, dict[str, str]] | str] = {}

    def sign(n: int) -> None:
        replies[n] = _http(port, url, _body(n))

    with signatures_locked(seconds=GUNICORN_GRACEFUL_TIMEOUT + 30):  # longer than the grace
        clients = [threading.Thread(target=sign, args=(n,), daemon=True) for n in range(2, 10)]
        for client_thread in clients:
            client_thread.start()
        wait_for_a_session_waiting_on_a_lock()  # one batch taken, the others queued
        time.sleep(0.5)
        stopped = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        for client_thread in clients:
            client_thread.join(GUNICORN_GRACEFUL_TIMEOUT + 10)
        answered = time.monotonic() - stopped
    assert sorted(replies) == list(range(2, 10))
    for n, reply in replies.items():
        assert not isinstance(reply, str), (n, reply)  # answered, not dropped
        status, headers = reply
        assert status == 503, n
        assert int(headers["retry-after"]) >= 1
    assert answered < GUNICORN_GRACEFUL_TIMEOUT
    assert proc.wait(GUNICORN_GRACEFUL_TIMEOUT) == 0
    assert list(Signature.objects.values_list("email", flat=True)) == ["ingest1@example.test"]


# ---- 6. off where it does not apply -------------------------------------------------------


@on_postgresql
def test_the_setting_turns_the_ingest_off(make_petition, settings):
    settings.INFITAH_SIGNATURE_INGEST = False
    petition = make_petition()
    front, django = wsgi_front()
    assert not front.ingest.enabled
    assert post(front, SIGN_URL.format(pk=petition.pk), _body(1)).status == 202
    assert django.calls == 1
    assert front.ingest.batcher.items == 0


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: on PostgreSQL the ingest is on")
@pytest.mark.django_db
def test_on_sqlite_the_ingest_is_off_and_django_answers(make_petition: MakePetition) -> None:
    engine = ingest.Ingest()
    assert not engine.enabled
    petition = make_petition()
    assert engine.route("POST", SIGN_URL.format(pk=petition.pk)) is None
    assert engine.route("POST", CONFIRM_URL) is None
    front, django = wsgi_front()
    # As the test client does: the request signals must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        reply = post(front, SIGN_URL.format(pk=petition.pk), _body(1))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert reply.status == 202
    assert django.calls == 1
    assert Signature.objects.filter(email="ingest1@example.test").exists()
    assert front.ingest.batcher.items == 0


@on_postgresql
@pytest.mark.parametrize("path", ["wsgi", "asgi"])
def test_a_retry_with_an_idempotency_key_is_replayed_by_django(make_petition, path):
    """A request carrying Idempotency-Key goes to Django's API, which keeps its first
    answer: the retry of a client whose connection dropped gets that answer again (not a
    409 "already signed"), and the signature is stored once."""
    petition = make_petition()
    url = SIGN_URL.format(pk=petition.pk)
    key = "3f1c9a52-retry-of-one-signature"
    if path == "wsgi":
        front, django = wsgi_front()

        def send() -> Reply:
            environ = wsgi_environ(url, _body(7))
            environ["HTTP_IDEMPOTENCY_KEY"] = key
            return wsgi_call(front, environ)
    else:
        asgi_app, django = asgi_front()

        def send() -> Reply:
            return asgi(
                asgi_app, "POST", url, _body(7), extra_headers=((b"idempotency-key", key.encode()),)
            )

    first, second = send(), send()
    assert first.status == second.status == 202
    assert second.content == first.content
    assert second.headers.get("idempotent-replayed") == "true"
    assert django.calls == 2  # both went to Django
    assert Signature.objects.filter(petition=petition).count() == 1
