"""Throughput of the public pages against a minimal Django view, on PostgreSQL + gunicorn.

    .venv/bin/python bench/pages.py            # or: make bench-pages

What it does (see bench/README.md):

1. drops and creates the PostgreSQL database `infitah_bench` on 127.0.0.1:5432 (user
   postgres), migrates it and loads `manage.py demo` (the public territories dataset);
   if `demo` fails it generates 12 regions, 75 provinces and 1,503 communes instead;
2. starts gunicorn (2 sync workers, DEBUG=0) on loopback ports: once with the page
   cache off (INFITAH_PAGE_CACHE_SECONDS=0), once with the cache in Redis
   (redis://127.0.0.1:6379/3) and, unless --no-locmem, once with the local-memory cache;
3. on each server measures /bench/minimal (the baseline), /ar/, a region home and a
   commune home, interleaved, with `wrk` (or a Python keep-alive client without it);
4. prints a Markdown table with the ratio of each page to the minimal view of the same
   server, and writes the raw figures as JSON to bench/results/ (git-ignored).

Servers are always stopped, even on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/3"
HOST = "127.0.0.1"
MINIMAL = "/bench/minimal"

# The fallback data set: the size of the 2015 division (12 regions, 75 prefectures and
# provinces, 1,503 communes).
GEN_REGIONS, GEN_DIVISIONS, GEN_COMMUNES = 12, 75, 1503


@dataclass
class Measure:
    server: str
    url: str
    label: str
    requests_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    errors: int
    tool: str
    rounds: list[float] = field(default_factory=list)


@dataclass
class Server:
    name: str
    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- Database -------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def recreate_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def generate_collectivities() -> None:
    """Fallback data: run in a child process with Django set up (`--generate`)."""
    import django

    django.setup()
    from django.db import transaction

    from infitah.lib.text import fold
    from infitah.territories.models import Collectivity, Kind

    def make(kind: str, i: int, name_fr: str, name_ar: str, **extra: object) -> Collectivity:
        c = Collectivity(
            kind=kind,
            slug=f"{kind}-{i}",
            code=f"B-{kind[:1]}-{i}",
            name_fr=name_fr,
            name_ar=name_ar,
            population=10_000 + 37 * i,
            **extra,
        )
        c.search_key = f"{fold(name_ar)} | {fold(name_fr)}"
        return c

    with transaction.atomic():
        regions = Collectivity.objects.bulk_create(
            make("region", i, f"Région {i}", f"جهة {i}") for i in range(1, GEN_REGIONS + 1)
        )
        divisions = Collectivity.objects.bulk_create(
            make(
                "province",
                i,
                f"Province {i}",
                f"إقليم {i}",
                parent=regions[i % GEN_REGIONS],
                region=regions[i % GEN_REGIONS],
            )
            for i in range(1, GEN_DIVISIONS + 1)
        )
        Collectivity.objects.bulk_create(
            make(
                "commune",
                i,
                f"Commune {i}",
                f"جماعة {i}",
                parent=divisions[i % GEN_DIVISIONS],
                region=divisions[i % GEN_DIVISIONS].region,
                is_network_member=i % 50 == 0,
            )
            for i in range(1, GEN_COMMUNES + 1)
        )
    print(Collectivity.objects.filter(kind=Kind.COMMUNE).count())


def load_data(env: dict[str, str]) -> str:
    """Load `manage.py demo`, or the generated fallback; return what was loaded."""
    demo = manage(env, "demo", check=False)
    if demo.returncode == 0:
        return "manage.py demo"
    log(f"manage.py demo failed (exit {demo.returncode}); generating data instead:")
    log(
        (demo.stderr or demo.stdout).strip().splitlines()[-1]
        if (demo.stderr or demo.stdout)
        else ""
    )
    recreate_database(env["BENCH_DB"])
    manage(env, "migrate", "--noinput")
    subprocess.run([PYTHON, __file__, "--generate"], cwd=ROOT, env=env, check=True)
    return f"generated ({GEN_REGIONS} regions, {GEN_DIVISIONS} provinces, {GEN_COMMUNES} communes)"


def pick_pages(db: str) -> tuple[str, str, dict[str, int]]:
    """The region with the most prefectures and provinces, the member commune (or any
    commune) with the largest population, and the number of collectivities by kind."""
    with psycopg.connect(database_url(db)) as conn:
        rows = conn.execute(
            "SELECT kind, count(*) FROM territories_collectivity GROUP BY kind"
        ).fetchall()
        region = conn.execute(
            """SELECT r.slug FROM territories_collectivity r
               LEFT JOIN territories_collectivity d ON d.parent_id = r.id
               WHERE r.kind = 'region' GROUP BY r.id, r.slug
               ORDER BY count(d.id) DESC, r.slug LIMIT 1"""
        ).fetchone()
        commune = conn.execute(
            """SELECT slug FROM territories_collectivity WHERE kind = 'commune'
               ORDER BY is_network_member DESC, population DESC NULLS LAST, slug LIMIT 1"""
        ).fetchone()
    if region is None or commune is None:
        raise SystemExit("no region or commune in the bench database")
    return str(region[0]), str(commune[0]), {str(k): int(v) for k, v in rows}


# --- Servers --------------------------------------------------------------------------


def start(server: Server, workers: int) -> None:
    server.proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "infitah.wsgi:application",
            "--bind",
            f"{HOST}:{server.port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server.env,
        start_new_session=True,
    )


def wait_ready(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc is not None and server.proc.poll() is not None:
            raise SystemExit(f"gunicorn {server.name} exited with {server.proc.returncode}")
        with contextlib.suppress(OSError):
            status, _, _ = fetch(server, MINIMAL)
            if status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn {server.name} not ready after {timeout:.0f} s")


def stop(server: Server) -> None:
    proc = server.proc
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its workers
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def fetch(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- Load -----------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(value)
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    url: str, seconds: float, connections: int, threads: int
) -> dict[str, float | int | None]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if rps is None or total is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket:
        # gunicorn's sync workers close every connection: wrk counts the reads on closed
        # sockets as "read" errors, which are not failed requests; the others are.
        errors += int(socket.group(1)) + int(socket.group(3)) + int(socket.group(4))
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "p50": _ms(p50.group(1)) if p50 else None,
        "p99": _ms(p99.group(1)) if p99 else None,
        "errors": errors,
    }


def run_python(url: str, seconds: float, connections: int) -> dict[str, float | int | None]:
    """Fallback load generator: `connections` threads, HTTP/1.1 keep-alive when allowed."""
    match = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url)
    if match is None:
        raise ValueError(url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        conn: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                bad += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            mine.append((time.perf_counter() - t0) * 1000)
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    start_time = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start_time
    latencies.sort()

    def pct(q: float) -> float | None:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else None

    return {
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "p50": pct(0.5),
        "p99": pct(0.99),
        "errors": errors,
    }


def load(url: str, seconds: float, connections: int, threads: int) -> dict[str, float | int | None]:
    if shutil.which("wrk"):
        return run_wrk(url, seconds, connections, threads)
    return run_python(url, seconds, connections)


# --- Report ---------------------------------------------------------------------------


def table(measures: list[Measure]) -> str:
    baseline = {m.server: m.requests_per_s for m in measures if m.url == MINIMAL}
    lines = [
        "| Page | URL | Server (cache) | req/s | p50 ms | p99 ms | vs minimal |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for m in measures:
        ratio = m.requests_per_s / baseline[m.server] if baseline.get(m.server) else 0.0
        p50 = f"{m.p50_ms:.1f}" if m.p50_ms is not None else "–"
        p99 = f"{m.p99_ms:.1f}" if m.p99_ms is not None else "–"
        flag = f" ({m.errors} errors)" if m.errors else ""
        lines.append(
            f"| {m.label} | `{m.url}` | {m.server} | {m.requests_per_s:,.0f}{flag} | {p50} | {p99}"
            f" | {ratio:.0%} |"
        )
    return "\n".join(lines)


def profile_pages(env: dict[str, str], paths: list[str]) -> dict[str, dict[str, float]]:
    """Queries and in-process time of each uncached page (Django test client, no server)."""
    out = subprocess.run(
        [PYTHON, __file__, "--profile", *paths],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return {str(p): {str(k): float(v) for k, v in d.items()} for p, d in data.items()}


def _profile_child(paths: list[str], repeat: int = 100) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()  # "testserver" is an allowed host outside production
    db_seconds = 0.0

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal db_seconds
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_seconds += time.perf_counter() - t

    report = {}
    for path in paths:
        client.get(path)  # warm the connection, the URL resolver and the template cache
        queries_before = len(connection.queries)
        connection.force_debug_cursor = True
        client.get(path)
        queries = len(connection.queries) - queries_before
        connection.force_debug_cursor = False
        db_seconds = 0.0
        with connection.execute_wrapper(timed):
            t0 = time.perf_counter()
            for _ in range(repeat):
                response = client.get(path)
            total = time.perf_counter() - t0
        assert response.status_code == 200, (path, response.status_code)
        report[path] = {
            "queries": queries,
            "ms": total / repeat * 1000,
            "db_ms": db_seconds / repeat * 1000,
        }
    print(json.dumps(report))


# --- Main -----------------------------------------------------------------------------


@contextlib.contextmanager
def running(servers: list[Server], workers: int) -> Iterator[None]:
    try:
        for server in servers:
            start(server, workers)
        for server in servers:
            wait_ready(server)
        yield
    finally:
        for server in servers:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="infitah_bench", help="PostgreSQL database (dropped!)")
    parser.add_argument("--seconds", type=int, default=10, help="measure per URL")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up per URL")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (median)")
    parser.add_argument("--no-locmem", action="store_true", help="skip the locmem-cache server")
    parser.add_argument("--skip-load", action="store_true", help="reuse the bench database")
    parser.add_argument("--port", type=int, default=8711, help="first of the loopback ports")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    var = RESULTS / "var"
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url(args.db),
        "BENCH_DB": args.db,
        "INFITAH_ENV": "development",
        "DEBUG": "0",
        "INFITAH_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "infitah.settings",
        "TASKS_BACKEND": "immediate",
        "EMAIL_URL": "locmem://",
    }
    base_env.pop("CACHE_URL", None)
    base_env.pop("INFITAH_PAGE_CACHE_SECONDS", None)

    load_start = list(os.getloadavg())
    t0 = time.monotonic()
    if args.skip_load:
        loaded = "reused"
    else:
        log(f"creating database {args.db}, migrating, loading data")
        recreate_database(args.db)
        manage(base_env, "migrate", "--noinput")
        loaded = load_data(base_env)
        manage(base_env, "collectstatic", "--noinput", "--verbosity", "0")
    region, commune, counts = pick_pages(args.db)
    log(f"data: {loaded} {counts} in {time.monotonic() - t0:.0f} s")

    pages = [
        ("minimal view", MINIMAL),
        ("network home", "/ar/"),
        ("region home", f"/ar/c/{region}/"),
        ("commune home", f"/ar/c/{commune}/"),
    ]
    servers = [
        Server(
            "uncached",
            args.port,
            {**base_env, "INFITAH_PAGE_CACHE_SECONDS": "0", "CACHE_URL": "locmem://"},
        ),
        Server("cached (redis)", args.port + 1, {**base_env, "CACHE_URL": REDIS_URL}),
    ]
    if not args.no_locmem:
        servers.append(
            Server("cached (locmem)", args.port + 2, {**base_env, "CACHE_URL": "locmem://"})
        )
    redis.Redis.from_url(REDIS_URL).flushdb()
    # In-process cost per request with each server's settings (for a cached server, of a
    # cache hit: the child warms each page first).
    profiles = {server.name: profile_pages(server.env, [p for _, p in pages]) for server in servers}

    tool = "wrk" if shutil.which("wrk") else "python http.client"
    runs: dict[tuple[str, str], list[dict[str, float | int | None]]] = {}
    with running(servers, args.workers):
        for server in servers:
            for _, path in pages:
                status, headers, body = fetch(server, path)
                if status != 200:
                    raise SystemExit(f"{server.name} {path}: HTTP {status}")
                log(
                    f"{server.name} {path}: {len(body):,} bytes, "
                    f"cache {headers.get('X-Page-Cache', '-')}"
                )
        for n in range(args.rounds):
            for _, path in pages:
                for server in servers:
                    url = server.base + path
                    load(url, args.warmup, args.connections, args.threads)
                    result = load(url, args.seconds, args.connections, args.threads)
                    runs.setdefault((server.name, path), []).append(result)
                    log(f"round {n + 1} {server.name:16} {path:42} {result['rps']:>9.1f} req/s")
        for server in servers[1:]:
            _, headers, _ = fetch(server, "/ar/")
            if headers.get("X-Page-Cache") != "hit":
                log(f"warning: {server.name} did not serve /ar/ from the cache")

    measures = []
    for label, path in pages:
        for server in servers:
            results = runs[(server.name, path)]
            best = sorted(results, key=lambda r: float(r["rps"] or 0))[len(results) // 2]
            measures.append(
                Measure(
                    server=server.name,
                    url=path,
                    label=label,
                    requests_per_s=statistics.median(float(r["rps"] or 0) for r in results),
                    p50_ms=float(best["p50"]) if best["p50"] is not None else None,
                    p99_ms=float(best["p99"]) if best["p99"] is not None else None,
                    requests=sum(int(r["requests"] or 0) for r in results),
                    errors=sum(int(r["errors"] or 0) for r in results),
                    tool=tool,
                    rounds=[float(r["rps"] or 0) for r in results],
                )
            )

    now = dt.datetime.now().astimezone()
    report = {
        "date": now.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": vars(args),
        "tool": tool,
        "data": {"loaded": loaded, "counts": counts},
        "in_process": profiles,
        "loadavg": {"start": load_start, "end": list(os.getloadavg())},
        "measures": [asdict(m) for m in measures],
    }
    out = RESULTS / f"pages-{now:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")

    print(
        f"Pages benchmark, {now:%Y-%m-%d %H:%M %Z}: {os.cpu_count()} CPUs shared by gunicorn "
        f"({args.workers} workers), PostgreSQL, Redis and {tool} "
        f"({args.connections} connections, {args.seconds:g} s per URL after "
        f"{args.warmup:g} s warm-up, {args.rounds} round(s))."
    )
    print(
        f"Data: {loaded}: {counts}. Load average at start / end: "
        f"{load_start[0]:.2f} / {os.getloadavg()[0]:.2f}.\n"
    )
    print(table(measures))
    print("\nIn-process cost of one request (Django test client, no HTTP server), in ms:\n")
    print("| URL | queries (uncached) | " + " | ".join(profiles) + " | database, uncached |")
    print("|---|---:|" + "---:|" * len(profiles) + "---:|")
    uncached = profiles[servers[0].name]
    for path, p in uncached.items():
        cells = " | ".join(f"{profiles[name][path]['ms']:.2f}" for name in profiles)
        print(f"| `{path}` | {p['queries']:.0f} | {cells} | {p['db_ms']:.2f} |")
    print(f"\nRaw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    # The child modes import Django models, which needs the project on the path (the
    # imports sit inside the functions because django.setup() must run first).
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generate_collectivities()
    elif len(sys.argv) > 1 and sys.argv[1] == "--profile":
        _profile_child(sys.argv[2:])
    else:
        main()
