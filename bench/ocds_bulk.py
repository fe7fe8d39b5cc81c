"""OCDS bulk export: 100,000 releases streamed as one release package, in constant memory.

    .venv/bin/python bench/ocds_bulk.py                  # defaults below; --help
    .venv/bin/python bench/ocds_bulk.py --out /tmp/bench_ocds.md

What it does (docs/benchmarks.md, "OCDS bulk export"):

1. drops and creates the PostgreSQL database `infitah_bench_ocds` on 127.0.0.1:5432
   (user postgres) and migrates it (`--db`; `--skip-load` reuses it); in a child process,
   so that the load leaves no trace in the measuring process's memory:
2. builds the template processes of the OCDS tests (`infitah/finance/tests/ocds_world.py`:
   a process at every stage, each step recorded by `release_append`) in a collectivity of
   their own, then, in one commune, `--small` releases of the processes of `--year - 1`
   and `--large` releases of those of `--year`, with `bulk_create`: processes in turn of
   each template, their releases copies of the template's (ids, ocid, dates and titles
   varied); then VACUUM ANALYZE;
3. in-process, through Django's test client and the whole middleware stack (no HTTP),
   streams `GET /api/v1/c/<slug>/ocds/bulk/<year>/releases.json` (and `records.json`)
   of each year into a file, `--rounds` times (the median is kept), then once more under
   tracemalloc for the peak of Python allocations; records the process's peak RSS
   (ru_maxrss) after each size; as a baseline of memory, builds the small year's package
   in memory (`json.dumps` of every release) under tracemalloc;
4. checks that the large file parses (`json.load`) with `--large` unique releases;
5. prints a Markdown table (seconds, releases per second, MB written, peak memory and
   the large / small ratios: time should grow 10×, memory not at all); writes it to
   `--out` if given, and the raw figures as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SLUG = "bench-ocds"
MB = 1024 * 1024


def recreate(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def setup(db: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "infitah.settings",
            "INFITAH_ENV": "development",
            "DEBUG": "0",  # no query log growing with the export
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(args: argparse.Namespace) -> None:
    """Templates built as the tests build them, then copies of their releases in bulk."""
    from django.core.management import call_command
    from django.utils import timezone

    from infitah.finance.models import Process, Release
    from infitah.finance.ocds import ocid_for
    from infitah.finance.tests import ocds_world
    from infitah.territories.models import Collectivity, Kind

    call_command("migrate", verbosity=0)
    region = Collectivity.objects.create(
        kind=Kind.REGION, slug="bench-region", name_ar="جهة", name_fr="Région", code="BR"
    )
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="bench-province",
        name_ar="إقليم",
        name_fr="Province",
        parent=region,
        region=region,
    )

    def commune(slug: str, name_fr: str, is_member: bool) -> Collectivity:
        return Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=slug,
            name_ar="جماعة",
            name_fr=name_fr,
            parent=province,
            region=region,
            is_network_member=is_member,
        )

    templates = ocds_world.build_stories(commune("bench-templates", "Modèles", False))
    stories = [
        list(Release.objects.filter(process=p).order_by("date", "pk").values_list("data", "tags"))
        for p in templates.values()
    ]
    target = commune(SLUG, "Commune", True)

    def year_of(year: int, total: int) -> None:
        processes: list[Process] = []
        plans: list[list[tuple[dict[str, Any], list[str]]]] = []
        count = 0
        while count < total:
            story = stories[len(processes) % len(stories)][: total - count]
            template = templates[ocds_world.STORIES[len(processes) % len(stories)]]
            number = len(processes) + 1
            processes.append(
                Process(
                    collectivity=target,
                    ocid=ocid_for(target, year, number),
                    year=year,
                    title_ar=f"{template.title_ar} ({number})",
                    title_fr=f"{template.title_fr} ({number})" if template.title_fr else "",
                    category=template.category,
                    procedure=template.procedure,
                    stage=template.stage,
                    estimated_amount=template.estimated_amount,
                )
            )
            plans.append(story)
            count += len(story)
        Process.objects.bulk_create(processes, batch_size=2000)
        start = dt.datetime(year, 1, 1, 8, tzinfo=ocds_world.CASABLANCA)
        step = dt.timedelta(seconds=365 * 24 * 3600 / total)
        rows: list[Release] = []
        n = 0
        for process, story in zip(processes, plans, strict=True):
            for index, (data, tags) in enumerate(story, start=1):
                moment = start + n * step
                release_id = f"{process.ocid}-{index:05d}"
                rows.append(
                    Release(
                        process=process,
                        collectivity=target,
                        release_id=release_id,
                        date=moment,
                        tags=tags,
                        data={
                            **data,
                            "ocid": process.ocid,
                            "id": release_id,
                            "date": timezone.localtime(moment).replace(microsecond=0).isoformat(),
                            "tender": {**data["tender"], "title": process.title},
                        },
                    )
                )
                n += 1
                if len(rows) == 5000:
                    Release.objects.bulk_create(rows)
                    rows = []
        Release.objects.bulk_create(rows)
        print(f"{year}: {len(processes):,} processes, {total:,} releases", flush=True)

    year_of(args.year - 1, args.small)
    year_of(args.year, args.large)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="infitah_bench_ocds")
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.load_only:
        setup(args.db)
        load(args)
        return

    today = dt.datetime.now(tz=dt.UTC).date()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if not args.skip_load:
        recreate(args.db)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--load-only", *sys.argv[1:]], check=True)
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:5432/{args.db}", autocommit=True
        ) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)

    setup(args.db)
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import setup_test_environment

    from infitah.finance.models import Release

    setup_test_environment()  # the test client's host is allowed
    client = Client()
    scratch = Path(tempfile.mkdtemp(prefix="ocds-bench-"))

    def export(year: int, kind: str) -> tuple[float, int, Path]:
        """Seconds and bytes of one streamed export, written to a file."""
        path = scratch / f"{year}-{kind}.json"
        t0 = time.perf_counter()
        response = client.get(f"/api/v1/c/{SLUG}/ocds/bulk/{year}/{kind}.json")
        if response.status_code != 200 or not isinstance(response, StreamingHttpResponse):
            raise SystemExit(f"{year} {kind}: {response.status_code} {response.getvalue()[:200]!r}")
        size = 0
        with path.open("wb") as out:
            for piece in response.streaming_content:
                out.write(piece)
                size += len(piece)
        response.close()
        return time.perf_counter() - t0, size, path

    def traced(call: Any) -> int:
        tracemalloc.start()
        try:
            call()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def maxrss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB

    export(args.year - 1, "releases")  # warm: imports, URL resolver, connection
    rss_start = maxrss_mb()
    sizes = {args.year - 1: args.small, args.year: args.large}
    rows: list[dict[str, Any]] = []
    for kind in ("releases", "records"):
        for year, releases in sizes.items():
            runs = [export(year, kind) for _ in range(args.rounds)]
            seconds = statistics.median(r[0] for r in runs)
            peak = traced(lambda y=year, k=kind: export(y, k))
            rows.append(
                {
                    "kind": kind,
                    "releases": releases,
                    "seconds": seconds,
                    "releases_per_s": releases / seconds,
                    "mb": runs[0][1] / MB,
                    "peak_mb": peak / MB,
                    "maxrss_mb": maxrss_mb(),
                }
            )
            print(f"{kind} {releases:,}: {seconds:.1f} s, peak {peak / MB:.1f} MB", flush=True)

    def in_memory() -> None:
        data = list(
            Release.objects.filter(process__year=args.year - 1, collectivity__slug=SLUG)
            .order_by("date", "pk")
            .values_list("data", flat=True)
        )
        json.dumps({"releases": data})

    baseline_mb = traced(in_memory) / MB

    # The large release package is valid JSON and holds every release, once.
    _seconds, _size, path = export(args.year, "releases")
    with path.open("rb") as handle:
        package = json.load(handle)
    ids = {r["id"] for r in package["releases"]}
    if len(package["releases"]) != args.large or len(ids) != args.large:
        raise SystemExit(f"the package holds {len(package['releases'])} releases")
    del package, ids
    for leftover in scratch.iterdir():
        leftover.unlink()
    scratch.rmdir()

    by = {(r["kind"], r["releases"]): r for r in rows}
    ratios = {
        kind: (
            by[kind, args.large]["seconds"] / by[kind, args.small]["seconds"],
            by[kind, args.large]["peak_mb"] / by[kind, args.small]["peak_mb"],
        )
        for kind in ("releases", "records")
    }
    lines = [
        f"OCDS bulk export of one commune's year, PostgreSQL, in-process (Django test "
        f"client, streamed response written to a file), {today}, {platform.node()} "
        f"({os.cpu_count()} cores, load {load_start}); median of {args.rounds} runs:",
        "",
        "| Package | releases | seconds | releases/s | MB written | peak Python MB "
        "(tracemalloc) | process peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['kind']} | {r['releases']:,} | {r['seconds']:.1f} | "
            f"{r['releases_per_s']:,.0f} | {r['mb']:,.0f} | {r['peak_mb']:.1f} | "
            f"{r['maxrss_mb']:,.0f} |"
            for r in rows
        ),
        "",
        *(
            f"{kind.capitalize()}, {args.large:,} against {args.small:,}: time "
            f"{time_ratio:.1f}×, peak memory {memory_ratio:.2f}×."
            for kind, (time_ratio, memory_ratio) in ratios.items()
        ),
        f"Process peak RSS before the exports: {rss_start:,.0f} MB. Baseline: the "
        f"{args.small:,} releases built in memory and dumped at once peak at "
        f"{baseline_mb:,.0f} MB of Python allocations. The {args.large:,}-release file "
        f"parses with `json.load` and holds {args.large:,} unique release ids.",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = RESULTS / f"ocds-bulk-{today}.json"
    raw.write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "rows": rows,
                "ratios": ratios,
                "rss_start_mb": rss_start,
                "in_memory_baseline_mb": baseline_mb,
            },
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
