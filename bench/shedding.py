"""Load shedding of the petition signing form under the ASGI server: 503 at once, or a queue.

    .venv/bin/python bench/shedding.py                          # 200 clients, 20 s, --help
    .venv/bin/python bench/shedding.py --root /path/to/checkout   # the same load, another tree

What it does (docs/benchmarks.md, "## Load shedding of the signing form"):

1. drops and creates the PostgreSQL database `infitah_bench_shedding` (`--db`) on
   127.0.0.1:5432, migrates it, creates a region of 3 provinces and 30 communes and one
   petition of that region opened to signatures through the services, and raises the
   integrity rate limits far above the load (bench/signatures.py does the same); collects
   the static files into bench/results/var/ (the pages need WhiteNoise's manifest);
2. starts gunicorn on the tree `--root` (default: this one) as `manage.py serve` does:
   the ASGI entry point with the uvicorn worker class, `--workers` workers, Django in
   `INFITAH_ASGI_THREADS` threads each, the tree's own load-shedding defaults (nothing
   set), production settings (`INFITAH_ENV=production`, `DEBUG=0`, random keys, cache
   in Redis database `--redis-db`, which is flushed, database task backend);
3. `--clients` clients post the HTML signing form
   (`POST /ar/c/<slug>/petitions/<id>/sign/`: a unique CIN and e-mail, a commune in
   turn, a CSRF cookie and field) in a loop on a keep-alive connection; an answer 503
   is followed by a pause of its `Retry-After` (at most `--retry-cap` seconds), any
   other answer by the next post at once. One reader gets the petition's page every
   0.2 s meanwhile. `--warmup` seconds first, not counted, then `--seconds` measured;
4. prints per answer status the count and the p50 / p95 / p99 latency, and the
   reader's; the raw figures go to bench/results/ (git-ignored).

Before the fix of the default limit (`INFITAH_SHED_MAX_INFLIGHT` 32 above the 16 threads
that run Django) the form queued for a thread (seconds); after it, a write beyond 12
in flight is answered 503 + Retry-After at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import signal
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import redis

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import signatures as common  # noqa: E402  (bench/signatures.py: database and world set-up)

HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[shedding] {message}", file=sys.stderr, flush=True)


@dataclass
class Figures:
    started: float = 0.0
    measured_from: float = 0.0
    latencies: dict[int | str, list[float]] = field(default_factory=dict)
    reads: list[float] = field(default_factory=list)
    retry_after: list[int] = field(default_factory=list)

    def add(self, status: int | str, seconds: float) -> None:
        if time.monotonic() >= self.measured_from:
            self.latencies.setdefault(status, []).append(seconds)


class Client:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def _head(self, data: bytes) -> bytes:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(data)
        try:
            return await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str]]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Accept-Language: ar"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reused = self.writer is not None
        try:
            raw = await self._head(data)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            partial = exc.partial if isinstance(exc, asyncio.IncompleteReadError) else b""
            if not reused or partial:
                raise
            # The server closed the idle keep-alive connection (uvicorn after gunicorn's
            # --keep-alive, 2 s) without reading the request: again, on a new one.
            raw = await self._head(data)
        assert self.reader is not None
        head = raw.decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        answer = {}
        for line in head[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                answer[name.strip().lower()] = value.strip()
        await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection", "").lower() == "close":
            await self.close()
        return status, answer


async def signer(
    port: int, n: int, path: str, slugs: list[str], figures: Figures, until: float, cap: float
) -> None:
    client = Client(port)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}",
    }
    k = 0
    while time.monotonic() < until:
        k += 1
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "full_name": f"موقع الاختبار {n}-{k}",
                "cin": f"F{string.ascii_uppercase[n % 26]}{n // 26:02d}{k:05d}",
                "residence": slugs[(n + k) % len(slugs)],
                "interest": "resident",
                "electoral_declaration": "on",
                "email": f"form{n}-{k}@example.ma",
            }
        ).encode()
        started = time.monotonic()
        try:
            status, answer = await asyncio.wait_for(client.request("POST", path, body, headers), 60)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            figures.add(type(exc).__name__, time.monotonic() - started)
            await client.close()
            await asyncio.sleep(0.5)
            continue
        figures.add(status, time.monotonic() - started)
        if status == 503:
            retry_after = int(answer.get("retry-after", "0") or 0)
            figures.retry_after.append(retry_after)
            await asyncio.sleep(min(cap, retry_after))
    await client.close()


async def reader(port: int, path: str, figures: Figures, until: float) -> None:
    client = Client(port)
    while time.monotonic() < until:
        started = time.monotonic()
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, TimeoutError):
            await asyncio.wait_for(client.request("GET", path), 60)
            if started >= figures.measured_from:
                figures.reads.append(time.monotonic() - started)
        await asyncio.sleep(0.2)
    await client.close()


async def load(args: argparse.Namespace, sign_path: str, page: str, slugs: list[str]) -> Figures:
    figures = Figures(started=time.monotonic())
    figures.measured_from = figures.started + args.warmup
    until = figures.measured_from + args.seconds
    tasks = [
        signer(args.port, n, sign_path, slugs, figures, until, args.retry_cap)
        for n in range(args.clients)
    ]
    await asyncio.gather(reader(args.port, page, figures, until), *tasks)
    return figures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def gunicorn(args: argparse.Namespace, env: dict[str, str]) -> Iterator[None]:
    root = Path(args.root).resolve()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "infitah.asgi:application",
        "--worker-class",
        "infitah.server.Worker",
        "--workers",
        str(args.workers),
        "--bind",
        f"{HOST}:{args.port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server_env = {**os.environ, **env, "PYTHONPATH": str(root)}
    for name in ("INFITAH_SHED_MAX_INFLIGHT", "INFITAH_ASGI_THREADS"):  # the tree's defaults
        server_env.pop(name, None)
    if args.threads:
        server_env["INFITAH_ASGI_THREADS"] = str(args.threads)
    proc = subprocess.Popen(cmd, cwd=root, env=server_env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {proc.returncode}")
            try:
                status, _answer = asyncio.run(Client(args.port).request("GET", "/healthz"))
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn not ready after 60 s")
            time.sleep(0.2)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--root", default=str(BENCH.parent), help="the checkout to serve")
    parser.add_argument("--db", default="infitah_bench_shedding", help="dropped and recreated")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20, help="measured")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=0, help="0: the tree's default (16)")
    parser.add_argument("--retry-cap", type=float, default=4.0, help="longest pause, seconds")
    parser.add_argument("--redis-db", type=int, default=7, help="flushed!")
    parser.add_argument("--port", type=int, default=8741)
    args = parser.parse_args()
    # bench/signatures.py's settings, without its knobs of the shedding.
    env = common.bench_env(
        argparse.Namespace(db=args.db, redis_db=args.redis_db, max_inflight=0, max_queue=1024)
    )
    env.pop("INFITAH_SHED_MAX_INFLIGHT")
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    log(f"creating {args.db}, migrating")
    common.recreate(args.db)
    common.setup_django(env)
    from django.core.management import call_command

    from infitah.territories.models import Collectivity

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=0: WhiteNoise's manifest
    common.make_territory()
    common.integrity_relax()
    redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    petition, slugs = common.open_petition("form")
    region = Collectivity.objects.get(slug="bench-region").slug
    page = f"/ar/c/{region}/petitions/{petition}/"
    with gunicorn(args, env):
        log(f"{args.clients} clients post the signing form for {args.warmup} + {args.seconds} s")
        figures = asyncio.run(load(args, page + "sign/", page, slugs))
    report(args, figures, load_start)


def report(args: argparse.Namespace, figures: Figures, load_start: str) -> None:
    rows = []
    total = sum(len(v) for v in figures.latencies.values())
    for status, values in sorted(figures.latencies.items(), key=lambda kv: str(kv[0])):
        rows.append(
            f"| POST form → {status} | {len(values):,} | {percentile(values, 0.5) * 1000:,.0f} | "
            f"{percentile(values, 0.95) * 1000:,.0f} | {percentile(values, 0.99) * 1000:,.0f} |"
        )
    every = [v for values in figures.latencies.values() for v in values]
    if every:
        rows.append(
            f"| POST form, every answer | {total:,} | {percentile(every, 0.5) * 1000:,.0f} | "
            f"{percentile(every, 0.95) * 1000:,.0f} | {percentile(every, 0.99) * 1000:,.0f} |"
        )
    if figures.reads:
        reads = figures.reads
        rows.append(
            f"| GET petition page (1 reader) | {len(reads):,} | "
            f"{percentile(reads, 0.5) * 1000:,.0f} | {percentile(reads, 0.95) * 1000:,.0f} | "
            f"{percentile(reads, 0.99) * 1000:,.0f} |"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    retry = sorted(set(figures.retry_after))
    out = [
        f"### Run of {stamp}: `{args.root}`",
        "",
        f"`.venv/bin/python bench/shedding.py {' '.join(sys.argv[1:])}` — {args.clients} "
        f"clients, {args.workers} uvicorn workers, {args.warmup} s warm-up, {args.seconds} s "
        f"measured; load average at start {load_start}, at end "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; Retry-After values {retry}.",
        "",
        "| requests | answers | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    print("\n".join(out))
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    path = common.RESULTS / f"shedding-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(
        json.dumps(
            {
                "root": args.root,
                "argv": sys.argv[1:],
                "latencies": {str(k): v for k, v in figures.latencies.items()},
                "reads": figures.reads,
            }
        )
    )
    log(f"raw figures: {path}")


if __name__ == "__main__":
    main()
