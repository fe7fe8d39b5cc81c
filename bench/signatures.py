"""Petition signatures over the full HTTP stack: accepted and confirmed per second.

    .venv/bin/python bench/signatures.py                      # 60 s, uvicorn 2 workers, --help
    .venv/bin/python bench/signatures.py --seconds 15 --config uvicorn:2x8 gthread:2x48
    .venv/bin/python bench/signatures.py --max-queue 4 --connections 200   # overload
    .venv/bin/python bench/signatures.py --profile            # SQL per request, Django path

What it does (docs/benchmarks.md, "## Petition signatures"):

1. drops and creates the PostgreSQL database `infitah_bench_signatures` (`--db`) on
   127.0.0.1:5432, migrates it, creates a region of 3 provinces and 30 communes and, per
   server configuration, one petition of that region opened to signatures through the
   services (`petition_draft`, `petition_confirm_agent`); sets the integrity rate limits
   far above the load in the `IntegritySettings` row (the run-time settings, no code);
2. starts gunicorn (`infitah.asgi` with uvicorn workers, or `infitah.wsgi` with sync or
   gthread workers: `--config`; production settings: `INFITAH_ENV=production`,
   `DEBUG=0`, fresh random keys, `TASKS_BACKEND=database`, rate counters and caches in
   Redis database `--redis-db`, which is flushed) with the load-shedding middleware;
3. loads it from this process (asyncio, raw HTTP/1.1, keep-alive where the server keeps
   the connection) with `--connections` clients, each looping: confirm a token if one is
   waiting, else submit a new signature (`POST /api/v1/petitions/<id>/signatures`: a
   unique CIN, a unique e-mail, a commune of residence in turn among the 30). A mail
   reader polls the outbox table (`notifications_outboundemail`) in batches, as a mail
   client would, and takes each confirmation token from the link in the e-mail body;
   the clients then `POST /api/v1/signatures/confirm`. `--warmup` seconds first, not
   counted; then `--seconds` of measure;
4. reconciles: every signature acknowledged (202) is stored exactly once, with the hash of
   its CIN; every confirmation answered 200 is confirmed; the sum of the tally shards and
   the count shown by the API equal the number of confirmed rows;
5. runs pgbench (`--pgbench-seconds`, default `--seconds`) with as many clients on
   scratch copies of the signature and tally tables (same columns, indexes, unique and
   foreign keys): (a) one INSERT of an equivalent row per transaction, the ceiling of
   "accepted"; (b) that INSERT, then the confirmation's UPDATE and tally upsert in a
   second transaction, the ceiling of "confirmed";
6. prints a Markdown report and writes the raw figures to bench/results/ (git-ignored).

The load generator, gunicorn, PostgreSQL and Redis share the machine's cores; the report
gives the CPU time the generator used. Servers are always stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
PROVINCES, COMMUNES_PER_PROVINCE = 3, 10
SUBMIT, CONFIRM = "submit", "confirm"
NAMES = [
    "محمد العلوي",
    "فاطمة الزهراء بنعلي",
    "يوسف الإدريسي",
    "خديجة أيت باها",
    "Amine El Fassi",
    "Salma Benjelloun",
    "عبد الله أمزيان",
    "Nadia Ouazzani",
]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- Environment and database ---------------------------------------------------------


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    """Production settings with fresh random keys (they live for this run only)."""
    var = RESULTS / "var"
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_SETTINGS_MODULE": "infitah.settings",
        "PYTHONPATH": str(ROOT),
        "INFITAH_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "INFITAH_PII_KEY": secrets.token_urlsafe(48),
        "INFITAH_REGISTER_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "TASKS_BACKEND": "database",
        "EMAIL_URL": "locmem://",
        "INFITAH_VAR_DIR": str(var),
        "INFITAH_SITE_URL": "https://infitah.example.ma",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",  # one backend per worker thread for the whole run
        "INFITAH_SHED_MAX_INFLIGHT": str(args.max_inflight),
        "INFITAH_INGEST_MAX_QUEUE": str(args.max_queue),
    }


def recreate(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()


def make_territory() -> None:
    """A region (population 2.5 M: 400 signatures, 5 % per province) of 3 provinces of 10
    communes each."""
    from django.db import transaction

    from infitah.lib.text import fold
    from infitah.territories.models import Collectivity, Kind

    def make(kind: str, slug: str, fr: str, ar: str, **extra: Any) -> Collectivity:
        c = Collectivity(kind=kind, slug=slug, code=slug.upper(), name_fr=fr, name_ar=ar, **extra)
        c.search_key = f"{fold(ar)} | {fold(fr)}"
        c.save()
        return c

    with transaction.atomic():
        region = make(
            Kind.REGION, "bench-region", "Région du banc", "جهة الاختبار", population=2_500_000
        )
        for p in range(1, PROVINCES + 1):
            province = make(
                Kind.PROVINCE,
                f"bench-province-{p}",
                f"Province {p}",
                f"إقليم {p}",
                parent=region,
                region=region,
            )
            for c in range(1, COMMUNES_PER_PROVINCE + 1):
                make(
                    Kind.COMMUNE,
                    f"bench-commune-{p}-{c}",
                    f"Commune {p}-{c}",
                    f"جماعة {p}-{c}",
                    parent=province,
                    region=region,
                    population=20_000 + 1_000 * c,
                )


def open_petition(label: str) -> tuple[int, list[str]]:
    """A region petition opened to signatures through the services; (id, commune slugs)."""
    from infitah.petitions.services import PetitionInput, petition_confirm_agent, petition_draft
    from infitah.territories.models import Collectivity, Kind

    region = Collectivity.objects.get(slug="bench-region")
    petition, _token = petition_draft(
        collectivity=region,
        data=PetitionInput(
            title=f"عريضة الاختبار ({label})",
            text="نطالب المجلس بإدراج نقطة تتعلق بالنقل المدرسي في جدول أعمال الدورة المقبلة.",
            request="إدراج نقطة النقل المدرسي في جدول أعمال الدورة العادية المقبلة.",
            agent_name="وكيل الاختبار",
            agent_cin="BE123456",
            agent_email="agent@example.ma",
            agent_phone="0600000000",
            agent_address="شارع الحسن الثاني، أكادير",
        ),
        language="ar",
    )
    petition = petition_confirm_agent(petition=petition)
    slugs = list(
        Collectivity.objects.filter(kind=Kind.COMMUNE, region=region)
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    return petition.pk, slugs


def integrity_relax() -> None:
    """Rate limits far above the load, through the run-time settings row."""
    from infitah.petitions.models import IntegritySettings

    IntegritySettings.objects.update_or_create(
        pk=1, defaults={"ip_limit_per_hour": 10**9, "domain_limit_per_hour": 10**9}
    )
    with contextlib.suppress(ImportError, AttributeError):
        from django.core.cache import cache

        cache.clear()  # the settings are read through a short cache
        from infitah.petitions.integrity import integrity_settings_forget

        integrity_settings_forget()  # and kept 2 s in this process


# --- Server ---------------------------------------------------------------------------


@dataclass
class Config:
    worker_class: str  # sync | gthread | uvicorn (ASGI: infitah.asgi, Django in T threads)
    workers: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Config:
        match = re.fullmatch(r"(sync|gthread|uvicorn):(\d+)(?:x(\d+))?", text)
        if match is None:
            raise argparse.ArgumentTypeError(f"{text!r}: sync:N, gthread:NxT or uvicorn:NxT")
        threads = int(match.group(3) or (1 if match.group(1) == "sync" else 4))
        return cls(match.group(1), int(match.group(2)), threads)

    def __str__(self) -> str:
        if self.worker_class == "sync":
            return f"{self.workers} sync workers"
        if self.worker_class == "uvicorn":
            return f"{self.workers} uvicorn workers (Django in {self.threads} threads)"
        return f"{self.workers} gthread workers × {self.threads} threads"

    @property
    def tag(self) -> str:
        return f"{self.worker_class}:{self.workers}" + (
            f"x{self.threads}" if self.worker_class != "sync" else ""
        )

    def gunicorn_args(self) -> list[str]:
        if self.worker_class == "uvicorn":
            return ["infitah.asgi:application", "--worker-class", "infitah.server.Worker"]
        return [
            "infitah.wsgi:application",
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
        ]


@contextlib.contextmanager
def gunicorn(config: Config, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    cmd = [
        PYTHON,
        "-m",
        "gunicorn",
        *config.gunicorn_args(),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(config.workers),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    env = {**env, "INFITAH_ASGI_THREADS": str(config.threads)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {proc.returncode}")
            try:
                status, _h, _b = asyncio.run(http_once(port, "GET", "/healthz"))
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn not ready after 30 s")
            time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def measure_cpu(run: Run, master: int, db: str) -> None:
    """CPU used so far by the gunicorn workers and by their PostgreSQL backends (the
    database connections of the workers: persistent for the run, DB_CONN_MAX_AGE)."""
    run.server_cpu_s = sum(cpu_seconds(pid) for pid in children(master)) - run.server_cpu_s
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        pids = [
            int(row[0])
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                (db, run.mail_backend_pid),
            ).fetchall()
        ]
    run.database_cpu_s = sum(cpu_seconds(pid) for pid in pids)


# --- HTTP client (asyncio, raw HTTP/1.1) ----------------------------------------------


class Connection:
    """One client connection; reconnects when the server closes it (sync workers close
    after every response; gthread workers close a keep-alive connection idle for 2 s)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0
        self.reused = False  # a response was read on the open connection
        self.resent = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def _head(self, data: bytes) -> bytes:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            self.connects += 1
            self.reused = False
        assert self.reader is not None
        self.writer.write(data)
        try:
            return await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise

    async def request(
        self, method: str, path: str, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Language: ar\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        data = head.encode() + body
        reused = self.reused and self.writer is not None
        try:
            raw = await self._head(data)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            partial = getattr(exc, "partial", b"")
            if not reused or partial:
                raise
            # The server had closed the idle keep-alive connection without reading the
            # request (not a byte came back): send it again on a new connection.
            self.resent += 1
            raw = await self._head(data)
        assert self.reader is not None
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                payload += (await self.reader.readexactly(size + 2))[:size]
                if size == 0:
                    break
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        self.reused = True
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, payload


async def http_once(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = Connection(port)
    try:
        return await asyncio.wait_for(conn.request(method, path), 10)
    finally:
        await conn.close()


# --- Load -----------------------------------------------------------------------------


@dataclass
class Run:
    config: str
    petition: int
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {SUBMIT: [], CONFIRM: []})
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    acked: dict[str, str] = field(default_factory=dict)  # e-mail -> CIN, answered 202
    unknown: dict[str, str] = field(default_factory=dict)  # no answer, or 5xx
    refused: dict[str, str] = field(default_factory=dict)  # other 4xx: must not be stored
    token_email: dict[str, str] = field(default_factory=dict)  # from the outbox
    confirmed: set[str] = field(default_factory=set)  # tokens answered 200
    confirm_unknown: set[str] = field(default_factory=set)
    missing_retry_after: int = 0
    mails_read: int = 0
    mail_polls: int = 0
    generator_cpu_s: float = 0.0
    requests_total: int = 0  # warm-up included, every answer
    signatures_total: int = 0  # confirmations answered 200, warm-up included
    server_cpu_s: float = 0.0  # gunicorn workers, whole run (warm-up included, not boot)
    database_cpu_s: float = 0.0  # PostgreSQL backends of the workers, whole run
    loadavg: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end
    mail_backend_pid: int = 0
    resent: int = 0  # requests sent again after the server closed an idle connection
    tag: str = ""
    minimal_rps: float = 0.0
    displayed_count: int | None = None
    reconciliation: dict[str, Any] = field(default_factory=dict)

    def count(self, endpoint: str, status: str) -> int:
        return self.outcomes[f"{endpoint} {status}"]


async def mail_reader(
    db_url: str,
    run: Run,
    tokens: collections.deque[str],
    pattern: re.Pattern[str],
    stop: asyncio.Event,
    interval: float,
) -> None:
    """Read the new e-mails of the outbox in batches; queue each confirmation token."""
    last = 0
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        run.mail_backend_pid = conn.info.backend_pid
        row = await (
            await conn.execute("SELECT coalesce(max(id), 0) FROM notifications_outboundemail")
        ).fetchone()
        last = int(row[0]) if row else 0
        while True:
            rows = await (
                await conn.execute(
                    'SELECT id, "to", body FROM notifications_outboundemail WHERE id > %s '
                    "ORDER BY id LIMIT 20000",
                    (last,),
                )
            ).fetchall()
            run.mail_polls += 1
            for pk, to, body in rows:
                last = max(last, pk)
                match = pattern.search(body)
                if match is None:
                    continue
                token = next(g for g in match.groups() if g)
                run.token_email[token] = to
                tokens.append(token)
                run.mails_read += 1
            if stop.is_set() and not rows:
                return
            if len(rows) < 20000:
                await asyncio.sleep(interval)


async def load(
    port: int,
    run: Run,
    connections: int,
    warmup: float,
    seconds: float,
    slugs: list[str],
    db_url: str,
    pattern: re.Pattern[str],
    mail_interval: float,
    retry_cap: float,
) -> None:
    tokens: collections.deque[str] = collections.deque()
    stop_mail = asyncio.Event()
    letters = [a + b for a in "ABCDEFGHJKLMNPRSTUVWXYZ" for b in "ABCDEFGHJKLMNPRSTUVWXYZ"]
    tag = secrets.token_hex(3)
    counter = iter(range(10**9))
    loop = asyncio.get_running_loop()
    t_start = loop.time() + warmup
    t_end = t_start + seconds

    def note(endpoint: str, status: str, t0: float, t1: float) -> None:
        run.requests_total += 1
        if endpoint == CONFIRM and status == "200":
            run.signatures_total += 1
        if t_start <= t1 <= t_end:
            run.outcomes[f"{endpoint} {status}"] += 1
            run.latencies[endpoint].append((t1 - t0) * 1000)

    async def backoff(status: int, headers: dict[str, str]) -> None:
        """Refused for load (429/503): wait as told by Retry-After (at most `retry_cap`)."""
        if status not in (429, 503):
            return
        if "retry-after" not in headers:
            run.missing_retry_after += 1
        with contextlib.suppress(ValueError):
            await asyncio.sleep(min(float(headers.get("retry-after", "1")), retry_cap))

    async def client(index: int) -> None:
        conn = Connection(port)
        rng = random.Random(index)
        try:
            while loop.time() < t_end:
                if tokens:
                    token = tokens.popleft()
                    body = json.dumps({"token": token}).encode()
                    t0 = loop.time()
                    try:
                        status, headers, _ = await asyncio.wait_for(
                            conn.request("POST", "/api/v1/signatures/confirm", body), 30
                        )
                    except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                        await conn.close()
                        run.confirm_unknown.add(token)
                        note(CONFIRM, type(exc).__name__, t0, loop.time())
                        continue
                    note(CONFIRM, str(status), t0, loop.time())
                    if status == 200:
                        run.confirmed.add(token)
                    elif status >= 500 or status == 429:
                        run.confirm_unknown.add(token)
                        tokens.append(token)  # confirm it again later, as a person would
                    await backoff(status, headers)
                    continue
                n = next(counter)
                cin = f"{letters[n // 10_000_000]}{n % 10_000_000}"
                email = f"s{n}.{tag}@mail{n % 40}.example.ma"
                body = json.dumps(
                    {
                        "full_name": rng.choice(NAMES),
                        "cin": cin,
                        "residence_commune": slugs[n % len(slugs)],
                        "interest": "resident",
                        "email": email,
                        "electoral_declaration": True,
                    },
                    ensure_ascii=False,
                ).encode()
                t0 = loop.time()
                try:
                    status, headers, _ = await asyncio.wait_for(
                        conn.request("POST", f"/api/v1/petitions/{run.petition}/signatures", body),
                        30,
                    )
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    await conn.close()
                    run.unknown[email] = cin
                    note(SUBMIT, type(exc).__name__, t0, loop.time())
                    continue
                note(SUBMIT, str(status), t0, loop.time())
                if status == 202:
                    run.acked[email] = cin
                elif status >= 500:
                    run.unknown[email] = cin
                else:
                    run.refused[email] = cin
                await backoff(status, headers)
        finally:
            run.resent += conn.resent
            await conn.close()

    reader = asyncio.create_task(
        mail_reader(db_url, run, tokens, pattern, stop_mail, mail_interval)
    )
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(client(i) for i in range(connections)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    run.seconds = seconds
    run.generator_cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    stop_mail.set()
    await reader


async def minimal_rate(port: int, connections: int, seconds: float) -> float:
    """Requests per second of the minimal view (`/bench/minimal`, the baseline of
    bench/pages.py) on the same server and clients: how much this machine gives now."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    done = 0

    async def client() -> None:
        nonlocal done
        conn = Connection(port)
        try:
            while loop.time() < end:
                status, _h, _b = await conn.request("GET", "/bench/minimal")
                done += status == 200
        finally:
            await conn.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return done / seconds


# --- Reconciliation -------------------------------------------------------------------


def reconcile(run: Run) -> dict[str, Any]:
    """Acknowledged → stored once; confirmed (200) → confirmed; tallies = confirmed rows."""
    from django.db import connection

    from infitah.lib.pii import pii_hash

    purpose = f"petition:{run.petition}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, cin_hash, status FROM petitions_signature WHERE petition_id = %s",
            [run.petition],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT coalesce(sum(count), 0) FROM petitions_tally WHERE petition_id = %s",
            [run.petition],
        )
        tally_sum = int(cursor.fetchone()[0])
    by_email = collections.Counter(email for email, _h, _s in rows)
    by_hash = collections.Counter(h for _e, h, _s in rows)
    status_of = {email: status for email, _h, status in rows}
    hash_of = {email: h for email, h, _s in rows}
    lost = [e for e in run.acked if by_email[e] == 0]
    duplicated = sum(1 for n in by_email.values() if n > 1) + sum(
        1 for n in by_hash.values() if n > 1
    )
    wrong_hash = sum(
        1
        for e, cin in run.acked.items()
        if e in hash_of and hash_of[e] != pii_hash(cin, purpose=purpose)
    )
    confirmed_emails = {run.token_email[t] for t in run.confirmed}
    not_confirmed = sum(1 for e in confirmed_emails if status_of.get(e) != "confirmed")
    statuses = collections.Counter(status for _e, _h, status in rows)
    stored_refused = sum(1 for e in run.refused if by_email[e])
    stored_unknown = sum(1 for e in run.unknown if by_email[e])
    strangers = sum(
        1 for e in by_email if e not in run.acked and e not in run.unknown and e not in run.refused
    )
    confirmed_rows = statuses.get("confirmed", 0)
    extra_confirmed = confirmed_rows - len(confirmed_emails & set(status_of))
    result = {
        "acknowledged": len(run.acked),
        "rows": len(rows),
        "statuses": dict(statuses),
        "lost": len(lost),
        "duplicated": duplicated,
        "wrong_cin_hash": wrong_hash,
        "confirmed_200": len(run.confirmed),
        "confirmed_200_not_confirmed": not_confirmed,
        "confirmed_without_200": extra_confirmed,
        "confirmed_rows": confirmed_rows,
        "tally_sum": tally_sum,
        "displayed_count": run.displayed_count,
        "unknown_outcome": len(run.unknown),
        "unknown_outcome_stored": stored_unknown,
        "refused_stored": stored_refused,
        "rows_never_submitted": strangers,
    }
    result["ok"] = (
        not lost
        and duplicated == 0
        and wrong_hash == 0
        and not_confirmed == 0
        and stored_refused == 0
        and strangers == 0
        and tally_sum == confirmed_rows
        and (run.displayed_count is None or run.displayed_count == confirmed_rows)
    )
    return result


# --- pgbench --------------------------------------------------------------------------


# A signature as `signature_submit` writes it, one transaction (autocommit).
INSERT_SCRIPT = string.Template(
    "\\set k random(1, 1000000000000)\n\\set r random(0, $n)\n"
    "INSERT INTO bench_signature ($names) SELECT $values "
    "FROM bench_residence r WHERE r.i = :r;\n"
)
# Its confirmation: the status and one tally shard, in one transaction.
CONFIRM_SCRIPT = string.Template(
    "BEGIN;\n"
    "UPDATE bench_signature SET status = 'confirmed', confirmed_at = now() "
    "WHERE confirm_digest = $digest AND status = 'pending';\n"
    "INSERT INTO bench_tally (petition_id, province_id, shard, count) "
    "SELECT $petition, r.province_id, (random() * 15)::int, 1 FROM bench_residence r "
    "WHERE r.i = :r ON CONFLICT (petition_id, province_id, shard) "
    "DO UPDATE SET count = bench_tally.count + 1;\n"
    "END;\n"
)


def pgbench_prepare(db: str, petition: int, sample_encrypted: str) -> tuple[str, str]:
    """Scratch copies of the signature and tally tables (columns, defaults, indexes, unique
    and check constraints, foreign keys) and the two pgbench scripts."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}", autocommit=True) as conn:
        for table in ("bench_signature", "bench_tally", "bench_residence"):
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        for source, copy in (
            ("petitions_signature", "bench_signature"),
            ("petitions_tally", "bench_tally"),
        ):
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(copy), sql.Identifier(source)
                )
            )
            fks = conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                (source,),
            ).fetchall()
            for name, definition in fks:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} " + definition).format(
                        sql.Identifier(copy), sql.Identifier(f"{name}_bench")
                    )
                )
        conn.execute(
            "CREATE TABLE bench_residence (i int PRIMARY KEY, residence_id bigint, province_id bigint)"
        )
        conn.execute(
            "INSERT INTO bench_residence SELECT row_number() OVER (ORDER BY c.slug) - 1, c.id, "
            "c.parent_id FROM territories_collectivity c WHERE c.kind = 'commune' "
            "AND c.slug LIKE 'bench-commune-%%'"
        )
        residences = conn.execute("SELECT count(*) FROM bench_residence").fetchone()
        columns = conn.execute(
            "SELECT column_name, is_nullable, column_default, data_type, is_identity "
            "FROM information_schema.columns WHERE table_name = 'petitions_signature' "
            "ORDER BY ordinal_position"
        ).fetchall()
    n_res = int(residences[0]) if residences else 1
    digest = "md5(:client_id || '{p}' || :k) || md5(:k || '{p}' || :client_id)"
    known = {
        "petition_id": str(petition),
        "full_name": "'محمد العلوي'",
        "cin_encrypted": "'" + sample_encrypted + "'",
        "cin_hash": digest.format(p="h"),
        "cin_masked": "'•••••456'",
        "residence_id": "r.residence_id",
        "province_id": "r.province_id",
        "interest": "'resident'",
        "electoral_declaration": "true",
        "email": "'s' || :k || '.' || :client_id || '@mail7.example.ma'",
        "email_domain": "'mail7.example.ma'",
        "ip": "'127.0.0.1'",
        "user_agent_hash": "''",
        "status": "'pending'",
        "channel": "'online'",
        "language": "'ar'",
        "confirm_digest": digest.format(p="c"),
        "created_at": "now()",
    }
    fallback = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "text": "''"}
    names, values = [], []
    for name, nullable, default, data_type, identity in columns:
        if name in known:
            names.append(name)
            values.append(known[name])
        elif identity == "YES" or default is not None or nullable == "YES":
            continue
        elif data_type in fallback or data_type == "character varying":
            names.append(name)
            values.append(fallback.get(data_type, "''"))
            log(f"pgbench: column {name} ({data_type}) given a placeholder value")
        elif data_type.startswith("timestamp"):
            names.append(name)
            values.append("now()")
        else:
            raise SystemExit(f"pgbench: no value for column {name} ({data_type}); update the bench")
    fill = {
        "n": str(n_res - 1),
        "names": ", ".join(names),
        "values": ", ".join(values),
        "digest": digest.format(p="c"),
        "petition": str(petition),
    }
    insert = INSERT_SCRIPT.substitute(fill)
    confirm = insert + CONFIRM_SCRIPT.substitute(fill)
    return insert, confirm


def pgbench(db: str, script: str, clients: int, seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as f:
        f.write(script)
        path = f.name
    try:
        out = subprocess.run(
            [
                "pgbench",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-n",
                "-M",
                "prepared",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                path,
                db,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(path)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if tps is None:
        raise RuntimeError(f"cannot read pgbench's output:\n{out}")
    return {
        "tps": float(tps.group(1)),
        "latency_ms": float(lat.group(1)) if lat else 0.0,
        "transactions": float(done.group(1)) if done else 0.0,
        "failed": float(failed.group(1)) if failed else 0.0,
    }


# --- Profile --------------------------------------------------------------------------


def profile(slugs: list[str], petition: int, pattern: re.Pattern[str], repeat: int) -> None:
    """Statements and in-process time of one submit and one confirm (test client, no
    HTTP server, same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from infitah.notifications.models import OutboundEmail

    client = Client(HTTP_HOST=HOST)
    # Count the cache's Redis commands and client objects (a measuring hook, this process only).
    redis_calls = collections.Counter[str]()
    execute, init = redis.Redis.execute_command, redis.Redis.__init__

    def counted_execute(self: redis.Redis, *args: Any, **options: Any) -> Any:
        redis_calls[str(args[0])] += 1
        return execute(self, *args, **options)  # type: ignore[no-untyped-call]

    def counted_init(self: redis.Redis, *args: Any, **kwargs: Any) -> None:
        redis_calls["client objects created"] += 1
        init(self, *args, **kwargs)

    pipeline_execute = redis.client.Pipeline.execute

    def counted_pipeline(self: redis.client.Pipeline, *args: Any, **kwargs: Any) -> Any:
        redis_calls["pipelines"] += 1
        for command, _options in self.command_stack:
            redis_calls[str(command[0])] += 1
        return pipeline_execute(self, *args, **kwargs)

    redis.Redis.execute_command = counted_execute  # type: ignore[method-assign]
    redis.Redis.__init__ = counted_init  # type: ignore[method-assign]
    redis.client.Pipeline.execute = counted_pipeline  # type: ignore[method-assign]

    def submit(n: int) -> tuple[int, str]:
        response = client.post(
            f"/api/v1/petitions/{petition}/signatures",
            {
                "full_name": "محمد العلوي",
                "cin": f"PF{n}",
                "residence_commune": slugs[n % len(slugs)],
                "interest": "resident",
                "email": f"p{n}@mail1.example.ma",
                "electoral_declaration": True,
            },
            content_type="application/json",
        )
        email = OutboundEmail.objects.filter(to=f"p{n}@mail1.example.ma").last()
        match = pattern.search(email.body) if email else None
        return response.status_code, next(g for g in match.groups() if g) if match else ""

    def confirm(token: str) -> int:
        return client.post(
            "/api/v1/signatures/confirm", {"token": token}, content_type="application/json"
        ).status_code

    submit(0)  # warm the URL resolver, the caches and the connection
    redis_calls.clear()
    with CaptureQueriesContext(connection) as captured:
        status, token = submit(1)
    assert status == 202, status
    statements = captured.captured_queries[:-1]  # the last one is this script's outbox read
    print(f"\nsubmit: {len(statements)} statements; Redis: {dict(redis_calls)}")
    for q in statements:
        print(f"  {q['time']:>6}s  {q['sql'][:200]}")
    redis_calls.clear()
    with CaptureQueriesContext(connection) as captured:
        status = confirm(token)
    assert status == 200, status
    print(f"\nconfirm: {len(captured.captured_queries)} statements; Redis: {dict(redis_calls)}")
    for q in captured.captured_queries:
        print(f"  {q['time']:>6}s  {q['sql'][:200]}")
    tokens = []
    w0, c0 = time.perf_counter(), time.process_time()
    for n in range(10, 10 + repeat):
        status, token = submit(n)
        assert status == 202, status
        tokens.append(token)
    w1, c1 = time.perf_counter(), time.process_time()
    for token in tokens:
        confirm(token)
    w2, c2 = time.perf_counter(), time.process_time()
    print(
        f"\nin process, {repeat} each, ms per request (wall / CPU of this process): "
        f"submit {(w1 - w0) / repeat * 1000:.2f} / {(c1 - c0) / repeat * 1000:.2f} "
        f"(incl. the script's outbox read), confirm {(w2 - w1) / repeat * 1000:.2f} / "
        f"{(c2 - c1) / repeat * 1000:.2f}"
    )


# --- Report ---------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def report(
    args: argparse.Namespace,
    runs: list[Run],
    ceilings: dict[str, dict[str, float]],
    load_start: str,
    pg_version: str,
) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    configs = " ".join(r.tag for r in runs)
    out = [
        f"### Run of {stamp}",
        "",
        f"`.venv/bin/python bench/signatures.py {' '.join(sys.argv[1:])}` "
        f"(servers: {configs}; {args.connections} connections, {args.warmup} s warm-up, "
        f"{args.seconds} s measured, INFITAH_SHED_MAX_INFLIGHT={args.max_inflight}, "
        f"INFITAH_INGEST_MAX_QUEUE={args.max_queue}) — "
        f"{platform.machine()}, "
        f"{os.cpu_count()} CPUs shared by the load generator, gunicorn, PostgreSQL {pg_version} "
        f"and Redis; Python {platform.python_version()}; load average at start {load_start}, "
        f"at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        "| server | accepted/s | confirmed/s | submit p50 / p99 ms | confirm p50 / p99 ms "
        "| answers (submit; confirm) | generator CPU | load avg | minimal view req/s |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for run in runs:
        sub, con = run.latencies[SUBMIT], run.latencies[CONFIRM]
        answers = "; ".join(
            ", ".join(
                f"{k.split(' ', 1)[1]}: {v:,}"
                for k, v in sorted(run.outcomes.items())
                if k.startswith(endpoint + " ")
            )
            or "–"
            for endpoint in (SUBMIT, CONFIRM)
        )
        out.append(
            f"| {run.config} | {run.count(SUBMIT, '202') / run.seconds:,.0f} "
            f"| {run.count(CONFIRM, '200') / run.seconds:,.0f} "
            f"| {fmt(percentile(sub, 0.5))} / {fmt(percentile(sub, 0.99))} "
            f"| {fmt(percentile(con, 0.5))} / {fmt(percentile(con, 0.99))} "
            f"| {answers} | {run.generator_cpu_s / run.seconds:.0%} of a core "
            f"| {run.loadavg[0]:.1f} → {run.loadavg[1]:.1f} | {run.minimal_rps:,.0f} |"
        )
    out += [
        "",
        "CPU time per confirmed signature (one submit + one confirm; whole run, warm-up "
        "included), and the rate it would allow if the 2 cores did nothing else:",
        "",
        "| server | gunicorn ms | PostgreSQL backends ms | generator ms | total ms "
        "| 2 cores ÷ total |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        n = max(1, run.signatures_total)
        parts = [run.server_cpu_s, run.database_cpu_s, run.generator_cpu_s]
        total = sum(parts) / n * 1000
        out.append(
            f"| {run.config} | "
            + " | ".join(f"{x / n * 1000:.1f}" for x in parts)
            + f" | {total:.1f} | {2000 / total if total else 0:,.0f}/s |"
        )
    if ceilings:
        best = max(runs, key=lambda r: r.count(CONFIRM, "200"))
        acc = best.count(SUBMIT, "202") / best.seconds
        conf = best.count(CONFIRM, "200") / best.seconds
        ins, both = ceilings["insert"], ceilings["insert_confirm"]
        out += [
            "",
            f"pgbench ceiling, {args.connections} clients, {args.pgbench_seconds} s each, "
            "`-M prepared`, on scratch copies of the tables (same columns, indexes, unique "
            "and foreign keys):",
            "",
            f"| pgbench script | transactions/s | latency avg ms | HTTP stack ({best.config}) | ratio |",
            "|---|---:|---:|---:|---:|",
            f"| INSERT one signature row | {ins['tps']:,.0f} | {ins['latency_ms']:.1f} "
            f"| {acc:,.0f} accepted/s | {acc / ins['tps']:.0%} |",
            f"| INSERT, then UPDATE to confirmed + tally upsert (2 transactions) "
            f"| {both['tps']:,.0f} | {both['latency_ms']:.1f} | {conf:,.0f} confirmed/s "
            f"| {conf / both['tps']:.0%} |",
        ]
    out += ["", "Reconciliation (per server run):", ""]
    for run in runs:
        r = run.reconciliation
        out.append(
            f"- {run.config}: {r['acknowledged']:,} acknowledged (202) → {r['rows']:,} rows "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(r['statuses'].items()))}); "
            f"lost {r['lost']}, duplicated {r['duplicated']}, wrong CIN hash "
            f"{r['wrong_cin_hash']}; {r['confirmed_200']:,} confirmations answered 200, "
            f"{r['confirmed_200_not_confirmed']} of them not confirmed in the table; "
            f"sum of tallies {r['tally_sum']:,} = confirmed rows {r['confirmed_rows']:,} "
            f"= displayed {r['displayed_count'] if r['displayed_count'] is not None else '–'}; "
            f"unknown outcome (timeout/5xx) {r['unknown_outcome']} of which stored "
            f"{r['unknown_outcome_stored']}; refused but stored {r['refused_stored']}; "
            f"re-sent on a new connection after an idle close {run.resent}: "
            f"**{'OK' if r['ok'] else 'FAILED'}**."
        )
    return "\n".join(out)


# --- Main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", default="infitah_bench_signatures", help="dropped and recreated")
    parser.add_argument("--seconds", type=int, default=60, help="measure per server")
    parser.add_argument("--warmup", type=int, default=5, help="not counted")
    parser.add_argument(
        "--connections", type=int, default=96, help="HTTP clients = pgbench clients"
    )
    parser.add_argument(
        "--config",
        type=Config.parse,
        nargs="+",
        default=[Config.parse("uvicorn:2x8")],
        help="gunicorn servers to measure in turn: uvicorn:NxT, gthread:NxT or sync:N",
    )
    parser.add_argument("--pgbench-seconds", type=int, help="default: --seconds; 0 skips")
    parser.add_argument(
        "--max-inflight",
        type=int,
        default=0,
        help="INFITAH_SHED_MAX_INFLIGHT (0: 3/4 of the Django threads, the default; an ASGI "
        "server refuses a value not below its threads)",
    )
    parser.add_argument("--max-queue", type=int, default=1024, help="INFITAH_INGEST_MAX_QUEUE")
    parser.add_argument("--mail-interval", type=float, default=0.1, help="outbox poll, seconds")
    parser.add_argument(
        "--retry-cap", type=float, default=2.0, help="longest Retry-After wait, seconds"
    )
    parser.add_argument("--redis-db", type=int, default=6, help="flushed!")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the database")
    parser.add_argument("--profile", action="store_true", help="statements per request, then exit")
    args = parser.parse_args()
    if args.pgbench_seconds is None:
        args.pgbench_seconds = args.seconds

    RESULTS.mkdir(parents=True, exist_ok=True)
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    env = bench_env(args)
    if not args.skip_setup:
        log(f"creating {args.db}, migrating")
        recreate(args.db)
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection, connections

    from infitah.lib.pii import pii_encrypt
    from infitah.petitions.notify import signatory_confirm_link_pattern

    if not args.skip_setup:
        call_command("migrate", verbosity=0)
        make_territory()
    integrity_relax()
    pattern = signatory_confirm_link_pattern()
    redis_client = redis.Redis.from_url(env["CACHE_URL"])

    if args.profile:
        redis_client.flushdb()
        petition, slugs = open_petition("profile")
        integrity_relax()
        profile(slugs, petition, pattern, repeat=200)
        return

    runs: list[Run] = []
    for i, config in enumerate(args.config):
        petition, slugs = open_petition(config.tag)
        redis_client.flushdb()
        integrity_relax()
        connections.close_all()
        run = Run(config=str(config), petition=petition)
        log(f"{config}: petition {petition}, {args.warmup} s warm-up + {args.seconds} s")
        run.tag = config.tag
        load_before = os.getloadavg()[0]
        with gunicorn(config, args.port + i, env) as master:
            run.minimal_rps = asyncio.run(minimal_rate(args.port + i, args.connections, 5))
            # The workers' CPU so far (booting: imports, settings) is not the load's: wait
            # until they are all idle, then take it as the baseline.
            run.server_cpu_s = -1.0
            for _ in range(60):
                time.sleep(0.5)
                workers = children(master.pid)
                used = sum(cpu_seconds(pid) for pid in workers)
                if len(workers) == config.workers and used == run.server_cpu_s:
                    break
                run.server_cpu_s = used
            asyncio.run(
                load(
                    args.port + i,
                    run,
                    args.connections,
                    args.warmup,
                    args.seconds,
                    slugs,
                    env["DATABASE_URL"].replace("postgres://", "postgresql://"),
                    pattern,
                    args.mail_interval,
                    args.retry_cap,
                )
            )
            run.loadavg = (load_before, os.getloadavg()[0])
            measure_cpu(run, master.pid, args.db)
            time.sleep(6)  # the displayed count is cached up to 5 s
            status, _h, body = asyncio.run(
                http_once(args.port + i, "GET", f"/api/v1/petitions/{petition}")
            )
            if status == 200:
                run.displayed_count = int(json.loads(body)["confirmed_signatures"])
        run.reconciliation = reconcile(run)
        log(
            f"{config}: accepted {run.count(SUBMIT, '202') / run.seconds:,.0f}/s, confirmed "
            f"{run.count(CONFIRM, '200') / run.seconds:,.0f}/s, reconciliation "
            f"{'OK' if run.reconciliation['ok'] else 'FAILED'}"
        )
        runs.append(run)

    ceilings: dict[str, dict[str, float]] = {}
    if args.pgbench_seconds > 0:
        insert, confirm = pgbench_prepare(args.db, runs[-1].petition, pii_encrypt("AB123456"))
        connections.close_all()
        for name, script in (("insert", insert), ("insert_confirm", confirm)):
            log(f"pgbench {name}: {args.connections} clients, {args.pgbench_seconds} s")
            ceilings[name] = pgbench(args.db, script, args.connections, args.pgbench_seconds)
            log(f"pgbench {name}: {ceilings[name]['tps']:,.0f} tps")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0]).split(" ")[0]
    text = report(args, runs, ceilings, load_start, pg_version)
    now = dt.datetime.now().astimezone()
    raw = {
        "date": now.isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "runs": [
            {
                "config": r.config,
                "seconds": r.seconds,
                "outcomes": dict(r.outcomes),
                "submit_p50_p99": [percentile(r.latencies[SUBMIT], q) for q in (0.5, 0.99)],
                "confirm_p50_p99": [percentile(r.latencies[CONFIRM], q) for q in (0.5, 0.99)],
                "generator_cpu_s": r.generator_cpu_s,
                "server_cpu_s": r.server_cpu_s,
                "database_cpu_s": r.database_cpu_s,
                "requests_total": r.requests_total,
                "signatures_total": r.signatures_total,
                "loadavg": list(r.loadavg),
                "minimal_rps": r.minimal_rps,
                "mails_read": r.mails_read,
                "resent": r.resent,
                "missing_retry_after": r.missing_retry_after,
                "reconciliation": r.reconciliation,
            }
            for r in runs
        ],
        "pgbench": ceilings,
    }
    out = RESULTS / f"signatures-{now:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(raw, indent=2, ensure_ascii=False), encoding="utf-8")
    print(text)
    print(f"\nRaw results: {out.relative_to(ROOT)}")
    if not all(r.reconciliation["ok"] for r in runs):
        raise SystemExit("reconciliation FAILED")


if __name__ == "__main__":
    main()
