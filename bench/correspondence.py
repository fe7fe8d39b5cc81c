"""Throughput of the correspondence register on PostgreSQL, with 1, 5 and 20 clients.

    .venv/bin/python bench/correspondence.py             # defaults below; --help

What it does (docs/benchmarks.md, "## Correspondence register"):

1. drops and creates the PostgreSQL database `infitah_bench_correspondence` on
   127.0.0.1:5432 (user postgres) and migrates it;
2. for each number of clients (`--clients`, default 1 5 20): that many processes, each
   with its own connection, started together behind a barrier, share the registrations
   of a block and run, in turn:
   - **baseline**: a plain ORM INSERT of an `Entry` row with a number the client computes
     itself (no counter, no ledger event), one transaction each — what a register without
     gapless numbering would cost;
   - **+ ledger**: the same INSERT and its ledger event (`event_record`), one transaction
     each, still without the counter;
   - **entry_register**: the service itself (validation, `number_next`, INSERT, ledger
     event), one transaction each, all clients in **one** collectivity: they queue on its
     counter row;
   - with more than one client, **entry_register, one collectivity per client**: the same
     load spread over as many collectivities, so that no two clients share a counter;
3. after each `entry_register` run, checks the numbers of every collectivity it used:
   1..n, no gap, no repeat;
4. alternates the paths in `--blocks` blocks of `--entries / --blocks` registrations
   each (baseline, + ledger, entry_register…, then again), so that a change of the
   machine's load during the run weighs on every path alike; a path's rate is its total
   registrations over its total time;
5. prints a Markdown table: registrations per second, per-call p50/p95 latency, and the
   ratio to the baseline measured with the same number of clients in the same blocks.

Figures of a run go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def recreate(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def setup_django(db: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "infitah.settings",
            "INFITAH_ENV": "development",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The work of one client process; module-level functions so that `fork` children find them.


def _client(
    kind: str,
    index: int,
    count: int,
    collectivity_ids: list[int],
    user_id: int,
    first_number: int,
    barrier: Any,
    results: Any,
) -> None:
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from infitah.accounts.models import User
    from infitah.correspondence.models import Entry
    from infitah.correspondence.services import entry_register
    from infitah.ledger.services import event_record
    from infitah.territories.models import Collectivity

    connection.ensure_connection()
    user = User.objects.get(pk=user_id)
    collectivities = {c.pk: c for c in Collectivity.objects.filter(pk__in=collectivity_ids)}
    collectivity = collectivities[collectivity_ids[index % len(collectivity_ids)]]
    year = timezone.localdate().year
    durations: list[float] = []
    barrier.wait()
    for i in range(count):
        subject = f"Lettre {index}-{i} — طلب دعم الجمعية"
        t = time.perf_counter()
        if kind == "entry_register":
            entry_register(
                collectivity=collectivity,
                actor=user,
                direction="incoming",
                correspondent="جمعية الأمل للتنمية",
                subject=subject,
                channel="paper",
                summary="Demande de subvention pour l'année.",
            )
        else:
            with transaction.atomic():
                entry = Entry.objects.create(
                    collectivity=collectivity,
                    direction="incoming",
                    year=year,
                    number=first_number + index * count + i,
                    registered_at=timezone.now(),
                    channel="paper",
                    correspondent="جمعية الأمل للتنمية",
                    subject=subject,
                    summary="Demande de subvention pour l'année.",
                    registered_by=user,
                )
                if kind == "insert_ledger":
                    event_record(
                        obj=entry,
                        action="correspondence.registered",
                        actor=user,
                        collectivity=collectivity,
                        data={"number": entry.display_number},
                    )
        durations.append((time.perf_counter() - t) * 1000)
    results.put(durations)
    connections.close_all()


def run(
    kind: str,
    clients: int,
    entries: int,
    collectivity_ids: list[int],
    user_id: int,
    first_number: int,
) -> tuple[int, float, list[float]]:
    """(registrations, seconds, per-call milliseconds) of `clients` processes."""
    from django.db import connections

    connections.close_all()  # the children must not share the parent's socket
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    share = entries // clients
    procs = [
        ctx.Process(
            target=_client,
            args=(kind, i, share, collectivity_ids, user_id, first_number, barrier, results),
        )
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    durations: list[float] = []
    for _ in procs:
        durations.extend(results.get())
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
        assert p.exitcode == 0, f"a client failed ({kind}, {clients} clients)"
    return share * clients, elapsed, durations


def check_numbers(collectivity_ids: list[int]) -> int:
    """Every used collectivity's numbers are 1..n: no gap, no repeat. Returns the total."""
    from django.db.models import Count, Max, Min

    from infitah.correspondence.models import Entry

    total = 0
    for cid in collectivity_ids:
        for row in (
            Entry.objects.filter(collectivity_id=cid)
            .values("year")
            .annotate(n=Count("id"), distinct=Count("number", distinct=True), lo=Min("number"))
            .annotate(hi=Max("number"))
        ):
            assert row["n"] == row["distinct"] == row["hi"] and row["lo"] == 1, (cid, row)
            total += row["n"]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="infitah_bench_correspondence")
    parser.add_argument("--entries", type=int, default=2_000, help="registrations per run")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--blocks", type=int, default=5, help="alternating blocks per path")
    args = parser.parse_args()

    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    recreate(args.db)
    setup_django(args.db)
    from django.core.management import call_command
    from django.db import connection

    from infitah.accounts.models import User
    from infitah.correspondence.models import Entry
    from infitah.territories.models import Collectivity, Kind

    call_command("migrate", verbosity=0)
    most = max(args.clients)
    communes = [
        Collectivity.objects.create(
            kind=Kind.REGION,
            slug=f"bench-{i}",
            name_ar=f"جهة {i}",
            name_fr=f"Région {i}",
            code=f"BENCH-{i}",
        )
        for i in range(most + 2)
    ]
    baseline_coll, shared, spread = communes[0], communes[1], communes[2:]
    user = User.objects.create_user(email="bench@example.test", password=None)

    rows: list[dict[str, Any]] = []
    next_number = 1
    block = max(1, args.entries // args.blocks)
    for clients in args.clients:
        paths = [
            ("insert", [baseline_coll.pk]),
            ("insert_ledger", [baseline_coll.pk]),
            ("entry_register", [shared.pk]),
        ]
        if clients > 1:
            paths.append(("entry_register_spread", [c.pk for c in spread[:clients]]))
        done = {kind: 0 for kind, _ids in paths}
        spent = {kind: 0.0 for kind, _ids in paths}
        calls: dict[str, list[float]] = {kind: [] for kind, _ids in paths}
        for _block in range(args.blocks):
            for kind, ids in paths:
                service_kind = "entry_register" if kind.startswith("entry_register") else kind
                count, elapsed, durations = run(
                    service_kind, clients, block, ids, user.pk, next_number
                )
                next_number += block
                if service_kind == "entry_register":
                    check_numbers(ids)
                done[kind] += count
                spent[kind] += elapsed
                calls[kind].extend(durations)
        line: dict[str, Any] = {"clients": clients}
        for kind, _ids in paths:
            rate = done[kind] / spent[kind]
            p50, p95 = percentile(calls[kind], 0.5), percentile(calls[kind], 0.95)
            line[kind] = (rate, p50, p95)
            print(
                f"{clients:>2} clients, {kind:<22} {rate:8,.0f}/s  "
                f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms",
                flush=True,
            )
        rows.append(line)

    total = check_numbers([shared.pk, *[c.pk for c in spread]])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    clients_arg = " ".join(str(c) for c in args.clients)
    labels = {
        "insert": "baseline: plain INSERT (no counter, no ledger)",
        "insert_ledger": "INSERT + ledger event (no counter)",
        "entry_register": "`entry_register`, one collectivity",
        "entry_register_spread": "`entry_register`, one collectivity per client",
    }
    out = [
        f"### Run of {stamp}",
        "",
        f"`.venv/bin/python bench/correspondence.py --entries {args.entries} --clients "
        f"{clients_arg} --blocks {args.blocks}` — {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL {pg_version} on loopback "
        f"(`synchronous_commit={sync}`); load average at start {load_start}, at end {load_end}.",
        "",
        "| clients | path | registrations/s | p50 ms | p95 ms | vs baseline |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for line in rows:
        base = line["insert"][0]
        for kind, label in labels.items():
            if kind not in line:
                continue
            rate, p50, p95 = line[kind]
            out.append(
                f"| {line['clients']} | {label} | {rate:,.0f} | {p50:.2f} | {p95:.2f} "
                f"| {rate / base:.0%} |"
            )
    out += [
        "",
        f"Numbering check: {total:,} entries registered by `entry_register` in "
        f"{1 + len(spread)} collectivities, numbers 1..n in each, no gap, no repeat: OK. "
        f"Rows of the baseline runs: {Entry.objects.filter(collectivity=baseline_coll).count():,}.",
    ]
    print("\n" + "\n".join(out))


if __name__ == "__main__":
    main()
