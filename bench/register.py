"""Speed of the publication register on PostgreSQL: appends, and proofs at 1,000,000 leaves.

    .venv/bin/python bench/register.py                 # defaults below; --help

What it does (docs/benchmarks.md, "## Register"):

1. drops and creates the PostgreSQL database `infitah_bench_register` on 127.0.0.1:5432
   (user postgres) and migrates it;
2. appends `--appends` leaves one by one with `register_append` (one transaction each,
   as the publication app does; the after-commit checkpoint hook runs as in production);
   a quarter as many inside one enclosing transaction; a bare one-row INSERT + COMMIT
   (the ceiling); `--appends` leaves from `--workers` processes at once (own connections);
   then `--appends` with `register_append_many` in batches of `--batch`; then checks the
   whole tree: indexes 0..n-1 without gaps, every leaf re-hashed from its stored
   metadata, every stored node and the head's frontier equal to those recomputed;
3. grows the register to `--leaves` leaves in bulk: the leaves and every perfect-subtree
   node are computed in Python with the same functions as the service
   (`merkle.entry_leaf_hash`, `merkle.append_leaf` from the head row's frontier), and
   written with COPY; the head row gets the new frontier; a checkpoint is signed;
4. times `register_inclusion_proof` (the selector the API calls) for `--samples` random
   indexes at the full size, without and with `merkle.verify_inclusion` against the
   checkpoint root, and `register_consistency_proof` for random first sizes;
5. prints a Markdown table (and, with --append-docs, appends it to docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="infitah_bench_register")
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="an earlier register_services.py (e.g. from `git show`): its register_append "
        "is timed against the current one, in alternating blocks of 500, on --appends/4 each",
    )
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--append-docs", action="store_true")
    args = parser.parse_args()

    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    recreate(args.db)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
            "DJANGO_SETTINGS_MODULE": "infitah.settings",
            "INFITAH_ENV": "development",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from infitah.ledger import merkle
    from infitah.ledger.models import RegisterEntry, RegisterHead, RegisterNode
    from infitah.ledger.register_leaf import register_metadata
    from infitah.ledger.register_selectors import (
        frontier_decode,
        register_consistency_proof,
        register_inclusion_proof,
        register_root_get,
    )
    from infitah.ledger.register_services import (
        RegisterItem,
        checkpoint_sign,
        register_append,
        register_append_many,
    )
    from infitah.territories.models import Collectivity, Kind

    call_command("migrate", verbosity=0)
    coll = Collectivity.objects.create(
        kind=Kind.REGION, slug="bench-region", name_ar="جهة", name_fr="Région", code="BENCH"
    )
    now = timezone.now()

    def item(i: int) -> RegisterItem:
        return RegisterItem(
            action="publish",
            collectivity=coll,
            document_type="publication.document",
            document_id=str(i),
            file_name=f"documents/bench/{i}.pdf",
            file_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            metadata={"title": f"Document {i}", "kind": "budget"},
            published_at=now,
        )

    results: dict[str, object] = {}

    # 1. Single appends, one transaction each.
    t0 = time.perf_counter()
    for i in range(args.appends):
        it = item(i)
        register_append(
            action=it.action,
            collectivity=it.collectivity,
            document_type=it.document_type,
            document_id=it.document_id,
            file_name=it.file_name,
            file_sha256=it.file_sha256,
            metadata=it.metadata,
            published_at=it.published_at,
        )
    single = args.appends / (time.perf_counter() - t0)
    results["single_per_s"] = single
    print(f"register_append: {args.appends} leaves, {single:,.0f} leaves/s", flush=True)

    # 1a. Before/after on the same machine at the same time: alternating blocks.
    baseline_rates: tuple[float, float] | None = None
    if args.baseline is not None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("register_baseline", args.baseline)
        assert spec is not None and spec.loader is not None
        old_module = importlib.util.module_from_spec(spec)
        sys.modules["register_baseline"] = old_module  # dataclasses look themselves up
        spec.loader.exec_module(old_module)
        spent = {"baseline": 0.0, "current": 0.0}
        done = {"baseline": 0, "current": 0}
        n = 10 * args.appends
        for _block in range(max(1, args.appends // 4 // 500)):
            for label, append in (
                ("baseline", old_module.register_append),
                ("current", register_append),
            ):
                t0 = time.perf_counter()
                for _ in range(500):
                    it = item(n)
                    n += 1
                    append(
                        action=it.action,
                        collectivity=it.collectivity,
                        document_type=it.document_type,
                        document_id=it.document_id,
                        file_name=it.file_name,
                        file_sha256=it.file_sha256,
                        metadata=it.metadata,
                        published_at=it.published_at,
                    )
                spent[label] += time.perf_counter() - t0
                done[label] += 500
        baseline_rates = (
            done["baseline"] / spent["baseline"],
            done["current"] / spent["current"],
        )
        print(
            f"alternating blocks: baseline {baseline_rates[0]:,.0f} leaves/s, "
            f"current {baseline_rates[1]:,.0f} leaves/s ({done['current']:,} each)",
            flush=True,
        )

    # 1b. The same path inside one enclosing transaction: its cost without the commit.
    t0 = time.perf_counter()
    with transaction.atomic():
        for i in range(2 * args.appends, 2 * args.appends + args.appends // 4):
            it = item(i)
            register_append(
                action=it.action,
                collectivity=it.collectivity,
                document_type=it.document_type,
                document_id=it.document_id,
                file_name=it.file_name,
                file_sha256=it.file_sha256,
                metadata=it.metadata,
                published_at=it.published_at,
            )
    in_tx = (args.appends // 4) / (time.perf_counter() - t0)
    print(f"register_append in one transaction: {in_tx:,.0f} leaves/s", flush=True)
    # The machine's ceiling for one client: a one-row INSERT and COMMIT, nothing else.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit (x int)")
    t0 = time.perf_counter()
    for i in range(1000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit VALUES (%s)", [i])
    commits = 1000 / (time.perf_counter() - t0)
    print(f"bare INSERT + COMMIT: {commits:,.0f} /s", flush=True)
    # The same without BEGIN/COMMIT (autocommit): one round trip, as a cached append.
    t0 = time.perf_counter()
    for i in range(1000):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit VALUES (%s)", [i])
    autocommits = 1000 / (time.perf_counter() - t0)
    print(f"bare INSERT in autocommit: {autocommits:,.0f} /s", flush=True)

    # 1c. Several processes appending at once, each with its own connection.
    def append_range(start: int, stop: int) -> None:
        for i in range(start, stop):
            it = item(i)
            register_append(
                action=it.action,
                collectivity=it.collectivity,
                document_type=it.document_type,
                document_id=it.document_id,
                file_name=it.file_name,
                file_sha256=it.file_sha256,
                metadata=it.metadata,
                published_at=it.published_at,
            )

    connections.close_all()  # the children must not share the parent's socket
    share = args.appends // args.workers
    first = 4 * args.appends
    children = []
    t0 = time.perf_counter()
    for w in range(args.workers):
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                append_range(first + w * share, first + (w + 1) * share)
            except BaseException as exc:  # reported through the exit status
                print(f"worker {w}: {exc!r}", file=sys.stderr, flush=True)
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        children.append(pid)
    failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in children)
    concurrent = args.workers * share / (time.perf_counter() - t0)
    assert not failed, f"{failed} worker(s) failed"
    results["concurrent_per_s"] = concurrent
    print(
        f"register_append from {args.workers} processes: {concurrent:,.0f} leaves/s",
        flush=True,
    )

    # 2. Batches.
    t0 = time.perf_counter()
    base = 2 * args.appends + args.appends // 4
    for start in range(base, base + args.appends, args.batch):
        register_append_many(items=[item(i) for i in range(start, start + args.batch)])
    batch = args.appends / (time.perf_counter() - t0)
    results["batch_per_s"] = batch
    print(f"register_append_many ({args.batch}): {batch:,.0f} leaves/s", flush=True)

    # 2b. The whole tree so far, recomputed from the stored entries.
    t0 = time.perf_counter()
    rows = RegisterEntry.objects.order_by("index").values_list(
        "index", "leaf_hash", "file_sha256", "metadata"
    )
    check_frontier: list[tuple[int, bytes]] = []
    expected_nodes: dict[tuple[int, int], bytes] = {}
    count = 0
    for count, (index, leaf_hex, sha, metadata) in enumerate(rows.iterator(), start=1):
        assert index == count - 1, f"gap or duplicate at index {count - 1}"
        leaf = merkle.entry_leaf_hash(sha, metadata)
        assert leaf.hex() == leaf_hex, f"leaf {index} does not hash to its stored value"
        for level, h in merkle.append_leaf(check_frontier, leaf):
            expected_nodes[(level, (count >> level) - 1)] = h
    stored_nodes = {
        (level, index): bytes(h)
        for level, index, h in RegisterNode.objects.values_list("level", "index", "hash")
    }
    assert stored_nodes == expected_nodes, "stored nodes differ from the recomputed ones"
    head = RegisterHead.objects.get(pk=1)
    assert head.tree_size == count
    assert bytes(head.frontier) == b"".join(h for _, h in check_frontier)
    checked = count
    print(
        f"tree check: {count:,} leaves, {len(stored_nodes):,} nodes OK "
        f"({time.perf_counter() - t0:.1f} s)",
        flush=True,
    )

    # 3. Bulk growth to --leaves with COPY, same hashing functions as the service.
    t0 = time.perf_counter()
    head = RegisterHead.objects.get(pk=1)
    size = head.tree_size
    frontier = frontier_decode(tree_size=size, frontier=bytes(head.frontier))
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        entries_sql = (
            "COPY ledger_registerentry (index, leaf_hash, action, collectivity_id, "
            "document_type, document_id, file_name, file_sha256, metadata, published_at) "
            "FROM STDIN"
        )
        nodes: list[tuple[int, int, bytes]] = []
        with raw.copy(entries_sql) as copy:
            for i in range(size, args.leaves):
                it = item(i)
                metadata = register_metadata(it)
                leaf = merkle.entry_leaf_hash(it.file_sha256, metadata)
                copy.write_row(
                    (
                        i,
                        leaf.hex(),
                        it.action,
                        coll.pk,
                        it.document_type,
                        it.document_id,
                        it.file_name,
                        it.file_sha256,
                        json.dumps(metadata, ensure_ascii=False),
                        now.replace(microsecond=0),
                    )
                )
                for level, h in merkle.append_leaf(frontier, leaf):
                    nodes.append((level, (i + 1 >> level) - 1, h))
        with raw.copy("COPY ledger_registernode (level, index, hash) FROM STDIN") as copy:
            for node in nodes:
                copy.write_row(node)
        RegisterHead.objects.filter(pk=1).update(
            tree_size=args.leaves, frontier=b"".join(h for _, h in frontier)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_registerentry; ANALYZE ledger_registernode")
    build = time.perf_counter() - t0
    results["build_s"] = build
    print(f"bulk build to {args.leaves:,} leaves: {build:.1f} s", flush=True)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    n = checkpoint.tree_size
    root = bytes.fromhex(checkpoint.root_hash)
    assert register_root_get(tree_size=n) == root

    # 4. Proof timings.
    rng = random.Random(31_13)
    indexes = [rng.randrange(n) for _ in range(args.samples)]
    leaf_hashes = dict(
        RegisterEntry.objects.filter(index__in=indexes).values_list("index", "leaf_hash")
    )
    for i in indexes[:50]:  # warm-up
        register_inclusion_proof(index=i, tree_size=n)
    plain, verified = [], []
    for i in indexes:
        t = time.perf_counter()
        register_inclusion_proof(index=i, tree_size=n)
        plain.append((time.perf_counter() - t) * 1000)
    for i in indexes:
        t = time.perf_counter()
        proof = register_inclusion_proof(index=i, tree_size=n)
        ok = merkle.verify_inclusion(bytes.fromhex(leaf_hashes[i]), i, n, proof, root)
        verified.append((time.perf_counter() - t) * 1000)
        assert ok
    consistency = []
    for _ in range(args.samples):
        first = rng.randrange(1, n + 1)
        t = time.perf_counter()
        proof = register_consistency_proof(first=first, second=n)
        consistency.append((time.perf_counter() - t) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_registernode")
        node_count = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('ledger_registernode')), "
            "pg_size_pretty(pg_total_relation_size('ledger_registerentry'))"
        )
        node_size, entry_size = cursor.fetchone()
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    def line(label: str, values: list[float]) -> str:
        return (
            f"| {label} | {percentile(values, 0.5):.2f} | {percentile(values, 0.95):.2f} "
            f"| {max(values):.2f} |"
        )

    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    baseline_line = ""
    baseline_arg = f" --baseline {args.baseline}" if args.baseline else ""
    if baseline_rates is not None:
        baseline_line = (
            f"| same, alternating blocks of 500: `{args.baseline.name}` (before) "
            f"| {baseline_rates[0]:,.0f} | |\n"
            f"| same, alternating blocks of 500: current (after) | {baseline_rates[1]:,.0f} | |\n"
        )
    report = f"""
### Run of {stamp}

`.venv/bin/python bench/register.py --appends {args.appends} --batch {args.batch} \
--workers {args.workers}{baseline_arg} --leaves {args.leaves} --samples {args.samples}` — {platform.machine()}, {os.cpu_count()} CPUs, \
Python {platform.python_version()}, PostgreSQL {pg_version} on loopback (default settings, \
`synchronous_commit=on`); load average at start {load_start}, at end {load_end}.

| Append path | leaves/s | goal |
|---|---:|---|
| `register_append`, one transaction per leaf ({args.appends:,} leaves) | {single:,.0f} | ≥ 1,000 |
{baseline_line}| `register_append` × {args.appends // 4:,} inside one enclosing transaction | {in_tx:,.0f} | |
| (ceiling) bare one-row `INSERT` + `COMMIT`, same connection | {commits:,.0f} | |
| (ceiling) the same `INSERT` in autocommit (one round trip, no BEGIN/COMMIT) \
| {autocommits:,.0f} | |
| `register_append` from {args.workers} processes at once ({args.workers * share:,} leaves) | {concurrent:,.0f} | |
| `register_append_many`, batches of {args.batch:,} ({args.appends:,} leaves) | {batch:,.0f} | |

Tree check after these appends: {checked:,} leaves, indexes 0..{checked - 1:,} without gaps, every leaf re-hashed from its stored metadata, every stored node and the head's frontier equal to those recomputed: OK.

Bulk growth to {n:,} leaves (COPY of entries and {node_count:,} nodes computed in Python): \
{build:.0f} s; table sizes: entries {entry_size}, nodes {node_size}.

| At {n:,} leaves, {args.samples:,} random samples | p50 ms | p95 ms | max ms |
|---|---:|---:|---:|
{line("inclusion proof (`register_inclusion_proof`)", plain)}
{line("inclusion proof + `verify_inclusion`", verified)}
{line("consistency proof (`register_consistency_proof`, random first)", consistency)}
"""
    print(report)
    if args.append_docs:
        docs = ROOT / "docs" / "benchmarks.md"
        text = docs.read_text(encoding="utf-8")
        if "\n## Register\n" not in text:
            text += "\n## Register\n\nSee docs/register.md; script: `bench/register.py`.\n"
        docs.write_text(text + report, encoding="utf-8")


if __name__ == "__main__":
    main()
