"""CKAN package_search at 20,000 datasets on PostgreSQL, against baselines of the same run.

    .venv/bin/python bench/ckan_search.py                       # defaults below; --help
    .venv/bin/python bench/ckan_search.py --reps 60 --out /tmp/bench_ckan.md

What it does (docs/ckan.md, "Speed"):

1. For each size (`--sizes`, default 1,000 and 20,000 datasets), in a child process of
   its own: drops and creates the PostgreSQL database `infitah_bench_ckan_<size>`
   (127.0.0.1:5432, user postgres), migrates it, creates 12 regions, 75 provinces and
   1,503 communes (1,590 collectivities) and the datasets with `bulk_create`: one per
   (collectivity, source) of the catalogue's real sources (their Arabic and French
   titles, descriptions and tags, `search_text` folded as the sync folds it), spread
   over every collectivity, three resources each (CSV, JSON, Tabular Data Package),
   modified over the last 400 days, plus the network-wide one; then VACUUM ANALYZE.
2. In-process, through Django's test client and the whole middleware stack (no HTTP:
   the application's own cost), runs each query of QUERIES `--reps` times, the queries
   interleaved round by round after one warm-up round, with the minimal view
   `/bench/minimal` and `status_show` in every round as the baselines.
3. Prints a Markdown table: per query, the matches, p50 and p95 at each size, the p95
   at the largest size against the minimal view's and status_show's medians, the
   growth from the smallest to the largest size, and the SQL statements of one call;
   writes it to `--out` if given, the raw figures as JSON to bench/results/.

`--index` also creates, after a first measurement, the indexes proposed in docs/ckan.md
(a trigram index for `q`, if the pg_trgm extension can be created) and measures again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MINIMAL = "/bench/minimal"
SEED = 20
FACETS = '["organization", "tags", "res_format", "license_id"]'
# Commune names: a first and a second part (Arabic, French).
FIRST = [
    ("أيت", "Aït"),
    ("سيدي", "Sidi"),
    ("أولاد", "Oulad"),
    ("تيزي", "Tizi"),
    ("عين", "Aïn"),
    ("بني", "Beni"),
    ("دار", "Dar"),
    ("سوق", "Souk"),
]
SECOND = [
    ("ملول", "Melloul"),
    ("بوعثمان", "Bouathmane"),
    ("تمري", "Tamri"),
    ("الحجاج", "El Hajjaj"),
    ("أمغار", "Amghar"),
    ("الطيب", "Tayeb"),
    ("ودرا", "Oudra"),
    ("الربع", "Larbaa"),
    ("تاوريرت", "Taourirt"),
    ("إدوسكا", "Idousska"),
    ("أزرو", "Azrou"),
    ("مسعود", "Messaoud"),
]
# Indexes tried with --index (the request in docs/ckan.md says which were kept).
INDEXES = [
    # q: search_text LIKE '%word%' from a trigram index instead of reading every row.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dataset_search_trgm ON opendata_dataset "
    "USING gin (search_text gin_trgm_ops)",
    # sort id asc: the harvester's pages skip `start` ids in an index-only scan.
    "CREATE INDEX IF NOT EXISTS dataset_active_id ON opendata_dataset (id) WHERE is_active",
]


def queries(
    commune_slug: str, commune_words: str, dataset: str, since: str
) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, action, parameters): what CKAN's clients and harvesters ask most."""
    return [
        ("status_show", "status_show", {}),
        ("package_search, no parameter (10 newest)", "package_search", {}),
        ("q: one frequent word (budget)", "package_search", {"q": "budget"}),
        (
            "q: two words (consultations publiques)",
            "package_search",
            {"q": "consultations publiques"},
        ),
        ("q: a commune's name", "package_search", {"q": commune_words}),
        ("q: an Arabic word (الميزانية)", "package_search", {"q": "الميزانية"}),
        ("q: a word found nowhere", "package_search", {"q": "zzzqqq"}),
        ("fq organization:<commune>", "package_search", {"fq": f"organization:{commune_slug}"}),
        ("fq tags:budget", "package_search", {"fq": "tags:budget"}),
        ("fq res_format:datapackage", "package_search", {"fq": "res_format:datapackage"}),
        (
            "fq organization + tags, sort name asc",
            "package_search",
            {"fq": f"organization:{commune_slug} tags:participation", "sort": "name asc"},
        ),
        ("facets (4 fields), rows 0", "package_search", {"facet.field": FACETS, "rows": 0}),
        (
            "q + facets (a portal's search page)",
            "package_search",
            {"q": "conseil", "facet.field": FACETS, "facet.limit": 20},
        ),
        (
            "harvester: metadata_modified since 7 days, id asc, rows 100",
            "package_search",
            {"fq": f"metadata_modified:[{since}Z TO *]", "sort": "id asc", "rows": 100},
        ),
        (
            "harvester: all, id asc, rows 100, start 0",
            "package_search",
            {"sort": "id asc", "rows": 100, "start": 0},
        ),
        (
            "harvester: all, id asc, rows 100, deep page (start = 90 % of count)",
            "package_search",
            {"sort": "id asc", "rows": 100, "start": "DEEP"},
        ),
        (
            "metadata_modified desc, rows 10, start 500",
            "package_search",
            {"sort": "metadata_modified desc", "start": 500},
        ),
        ("package_show", "package_show", {"id": dataset}),
        ("current_package_list_with_resources (10)", "current_package_list_with_resources", {}),
        ("organization_list (names)", "organization_list", {}),
    ]


def recreate(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def load(count: int) -> None:
    """1,590 collectivities and `count` datasets (+ the network's), in bulk."""
    from infitah.lib.text import fold
    from infitah.opendata.models import Dataset, Resource, Tag
    from infitah.opendata.sources import registry
    from infitah.opendata.sync import search_text_of
    from infitah.territories.models import Collectivity, Kind

    rng = random.Random(SEED)
    collectivities: list[Collectivity] = []
    provinces = 0
    for r in range(12):
        region = Collectivity.objects.create(
            kind=Kind.REGION, slug=f"region-{r}", name_ar=f"جهة {r}", name_fr=f"Région {r}"
        )
        collectivities.append(region)
        for p in range(75 // 12 + (1 if r < 75 % 12 else 0)):
            province = Collectivity.objects.create(
                kind=Kind.PROVINCE,
                slug=f"province-{r}-{p}",
                name_ar=f"إقليم {r}-{p}",
                name_fr=f"Province {r}-{p}",
                parent=region,
                region=region,
            )
            collectivities.append(province)
            # 1,503 communes: 20 per province, 21 in the first three.
            made = []
            for c in range(20 + (1 if provinces < 3 else 0)):
                first, second = rng.randrange(len(FIRST)), rng.randrange(len(SECOND))
                name_fr = f"{FIRST[first][1]} {SECOND[second][1]}"
                name_ar = f"{FIRST[first][0]} {SECOND[second][0]}"
                made.append(
                    Collectivity(
                        kind=Kind.COMMUNE,
                        slug=f"commune-{r}-{p}-{c}",
                        name_ar=name_ar,
                        name_fr=name_fr,
                        search_key=f"{fold(name_ar)} | {fold(name_fr)}",
                        parent=province,
                        region=region,
                    )
                )
            collectivities += Collectivity.objects.bulk_create(made)
            provinces += 1
    sources = [s for s in registry().values() if not s.network]
    network = [s for s in registry().values() if s.network]
    tags: dict[str, Tag] = {}
    now = dt.datetime.now(dt.UTC)
    plan: list[tuple[Collectivity | None, Any]] = []
    for n in range(count):
        owner = collectivities[n % len(collectivities)]
        turn = n // len(collectivities)
        plan.append((owner, sources[(turn + owner.pk) % len(sources)]))
    plan += [(None, source) for source in network]
    for start in range(0, len(plan), 2000):
        chunk = plan[start : start + 2000]
        rows = []
        chosen_tags = []
        for collectivity, source in chunk:
            name_ar = collectivity.name_ar if collectivity else "شبكة انفتاح"
            name_fr = collectivity.name_fr if collectivity else "le réseau Infitah"
            title_ar = source.title_ar.replace("{name}", name_ar)
            title_fr = source.title_fr.replace("{name}", name_fr)
            modified = now - dt.timedelta(seconds=rng.randrange(400 * 86400))
            names = [t.lower() for t in source.tags]
            chosen_tags.append(names)
            rows.append(
                Dataset(
                    name=f"{collectivity.slug if collectivity else 'network'}-{source.key}",
                    collectivity=collectivity,
                    source=source.key,
                    title_ar=title_ar,
                    title_fr=title_fr,
                    description_ar=source.description_ar.replace("{name}", name_ar),
                    description_fr=source.description_fr.replace("{name}", name_fr),
                    theme=source.theme,
                    frequency=source.frequency,
                    license_id="CC-BY-4.0",
                    digest=f"{start:064x}",
                    row_count=rng.randrange(1, 5000),
                    search_text=search_text_of(
                        titles=(title_ar, title_fr),
                        descriptions=(source.description_ar, source.description_fr),
                        tags=names,
                        collectivity=collectivity,
                    ),
                    metadata_created=modified - dt.timedelta(days=rng.randrange(1, 300)),
                    metadata_modified=modified,
                )
            )
        datasets = Dataset.objects.bulk_create(rows)
        Resource.objects.bulk_create(
            Resource(
                dataset=d,
                format=fmt,
                media_type=media,
                name_ar=f"البيانات ({fmt})",
                name_fr=f"Données ({fmt})",
                url=path.format(name=d.name),
                size=rng.randrange(200, 2_000_000),
                position=position,
                last_modified=d.metadata_modified,
            )
            for d in datasets
            for position, (fmt, media, path) in enumerate(
                [
                    ("CSV", "text/csv", "/data/{name}.csv"),
                    ("JSON", "application/json", "/data/{name}.json"),
                    ("datapackage", "application/json", "/data/{name}/datapackage.json"),
                ]
            )
        )
        for names in chosen_tags:
            for tag in names:
                if tag not in tags:
                    tags[tag] = Tag.objects.create(name=tag)
        through = Dataset.tags.through
        through.objects.bulk_create(
            through(dataset_id=d.pk, tag_id=tags[tag].pk)
            for d, names in zip(datasets, chosen_tags, strict=True)
            for tag in names
        )
    print(f"  {len(collectivities)} collectivities, {len(plan)} datasets", flush=True)


def measure(reps: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from infitah.opendata.models import Dataset

    client = Client()
    total = Dataset.objects.active().count()
    # A commune that publishes at each size, and one of its datasets.
    shown = (
        Dataset.objects.filter(collectivity__kind="commune").order_by("-collectivity_id").first()
    )
    assert shown is not None and shown.collectivity is not None
    commune = shown.collectivity
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).replace(tzinfo=None).isoformat()
    plan = queries(commune.slug, commune.name_fr, shown.name, since)
    for _label, _action, params in plan:
        if params.get("start") == "DEEP":
            params["start"] = (total * 9 // 10) // 100 * 100

    def call(action: str, params: dict[str, Any]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        response = client.get(f"/api/3/action/{action}", params)
        spent = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(
                f"{action} {params}: {response.status_code} {response.content[:300]!r}"
            )
        return spent, response.json()["result"]

    def minimal() -> float:
        t0 = time.perf_counter()
        client.get(MINIMAL)
        return time.perf_counter() - t0

    facts: list[dict[str, Any]] = []
    for label, action, params in plan:  # warm-up round, matches and statements
        call(action, params)
        with CaptureQueriesContext(connection) as captured:
            _spent, result = call(action, params)
        matches = result.get("count") if isinstance(result, dict) else None
        facts.append({"label": label, "statements": len(captured), "matches": matches})
    minimal()
    times: list[list[float]] = [[] for _ in plan]
    minimal_times: list[float] = []
    for _ in range(reps):
        minimal_times.append(minimal())
        for i, (_label, action, params) in enumerate(plan):
            times[i].append(call(action, params)[0])
    return {
        "datasets": total,
        "minimal": minimal_times,
        "queries": [{**f, "times": t} for f, t in zip(facts, times, strict=True)],
    }


def child(args: argparse.Namespace) -> None:
    db = f"{args.db_prefix}_{args.child}"
    if not args.skip_load:
        recreate(db)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "infitah.settings",
            "INFITAH_ENV": "development",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            # Every call runs its queries: a GET answer is otherwise served from the
            # page cache until the catalogue changes.
            "INFITAH_PAGE_CACHE_SECONDS": "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    if not args.skip_load:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        load(args.child)
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"  loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    result = {"before": measure(args.reps)}
    if args.index:
        try:
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
                for statement in INDEXES:
                    conn.execute(statement)
                conn.execute("VACUUM ANALYZE opendata_dataset")
            result["after"] = measure(args.reps)
        except psycopg.Error as error:
            print(f"  indexes not created: {error}", flush=True)
    args.json.write_text(json.dumps(result), encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(runs: dict[int, dict[str, Any]], phase: str) -> list[str]:
    sizes = sorted(runs)
    large = runs[sizes[-1]][phase]
    minimal = statistics.median(large["minimal"])
    status = statistics.median(large["queries"][0]["times"])
    head = ["Query", "matches"]
    for size in sizes:
        head += [f"p50 ms @{size:,}", f"p95 ms @{size:,}"]
    head += [
        "p95 / minimal view",
        "p95 / status_show",
        f"p95 growth {sizes[0]:,}→{sizes[-1]:,}",
        "SQL",
    ]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for i, row in enumerate(large["queries"]):
        cells = [row["label"], "" if row["matches"] is None else f"{row['matches']:,}"]
        for size in sizes:
            times = runs[size][phase]["queries"][i]["times"]
            cells += [
                f"{1000 * statistics.median(times):.1f}",
                f"{1000 * percentile(times, 0.95):.1f}",
            ]
        p95 = percentile(row["times"], 0.95)
        small_p95 = percentile(runs[sizes[0]][phase]["queries"][i]["times"], 0.95)
        cells += [
            f"{p95 / minimal:.0f}×",
            f"{p95 / status:.1f}×",
            f"{p95 / small_p95:.2f}×",
            str(row["statements"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    groups: dict[str, tuple[str, ...]] = {
        "searches of 10 rows (q, fq, sort)": (
            "package_search",
            "q:",
            "fq",
            "metadata_modified desc",
        ),
        "searches with facets": ("facets", "q + facets"),
        "harvester pages of 100 rows": ("harvester",),
    }
    lines += [
        "",
        f"Minimal view at {sizes[-1]:,}: median {1000 * minimal:.2f} ms; status_show median "
        f"{1000 * status:.2f} ms. Over every call at {large['datasets']:,} datasets (goal: "
        "p95 ≤ 50 ms):",
        "",
    ]
    for name, prefixes in groups.items():
        times = [
            t for row in large["queries"] if row["label"].startswith(prefixes) for t in row["times"]
        ]
        p95 = percentile(times, 0.95)
        lines.append(
            f"- {name}: p50 {1000 * statistics.median(times):.1f} ms, p95 {1000 * p95:.1f} ms "
            f"({'met' if p95 <= 0.050 else 'missed'})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--db-prefix", default="infitah_bench_ckan")
    parser.add_argument("--skip-load", action="store_true", help="reuse the databases")
    parser.add_argument("--index", action="store_true", help="measure again with INDEXES")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    today = dt.datetime.now(tz=dt.UTC).date()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    RESULTS.mkdir(parents=True, exist_ok=True)
    runs: dict[int, dict[str, Any]] = {}
    for size in args.sizes:
        print(f"{size:,} datasets", flush=True)
        out = RESULTS / f"ckan-search-{size}.json"
        command = [sys.executable, __file__, "--child", str(size), "--json", str(out)]
        command += ["--reps", str(args.reps), "--db-prefix", args.db_prefix]
        command += ["--skip-load"] * args.skip_load + ["--index"] * args.index
        subprocess.run(command, check=True, cwd=ROOT)
        runs[size] = json.loads(out.read_text(encoding="utf-8"))
    with psycopg.connect(PG_ADMIN_URL) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    lines = [
        f"package_search on PostgreSQL {row[0] if row else '?'}, in-process (Django test "
        f"client, whole middleware stack), {args.reps} calls of each query, interleaved; "
        f"{today}, {platform.node()} ({os.cpu_count()} cores, load {load_start} at the start, "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end).",
        "",
        *table(runs, "before"),
    ]
    if all("after" in run for run in runs.values()):
        lines += ["", "With the indexes of `--index`:", "", *table(runs, "after")]
    report = "\n".join(lines)
    print("\n" + report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
