"""Full-text search at 1,000,000 documents on PostgreSQL: `search()` against a naive query.

    .venv/bin/python bench/search.py                 # full run: load 1M docs, then query
    .venv/bin/python bench/search.py --skip-load     # query an already loaded database
    .venv/bin/python bench/search.py --docs 100000 --reps 10 --write

What it does (results and their reading: docs/benchmarks.md, "## Search"):

1. **Corpus.** A deterministic (seed 42) synthetic Arabic/French corpus. The vocabulary
   is every stem of the five seed texts (/work/shared/seeds, analyzed with the real
   analyzer, ordered by their frequency there), French administrative words interleaved
   every 8 ranks, and a tail of rarer compound stems up to 50,000 entries; only stems
   that the analyzer maps to themselves are kept, so that a stem typed as a query is
   that stem. Words are drawn from a Zipf law over the ranks (weight 1/rank): the top
   word is in nearly every document, rank 100 in about 10 %, rank 10,000 in about 0.1 %.
   A document has a title of 4-12 words and a body of about 120 words (log-normal,
   10-1,000). **The bodies are generated already analyzed** (token streams of stems,
   stored both as `body` and `lexemes`): running the Python analyzer over 1M documents
   would take longer than the whole load. Documents spread over 1,500 communes of 75
   provinces of 12 regions, dates 2015-2025, 8 categories, 4 file types, 3 % private.
2. **Load.** Drops and creates the database `infitah_bench_search` (`--db`) on
   127.0.0.1:5432 (user postgres), runs `migrate`, drops the search indexes, COPYs the
   documents from 2 processes (PostgreSQL computes the generated tsvector column on the
   way in), then builds the indexes and runs VACUUM ANALYZE.
3. **Queries.** A fixed set: single words from the most frequent to rare, pairs, an
   absent word, and scoped searches (a region with its children, a commune). Each query
   runs through the real selector `infitah.search.selectors.search()` (all its SQL:
   the plan estimate, the candidates and the page; ORM loading and the Python
   snippets) and, interleaved in the same run, through the naive query `SELECT id,
   ts_rank(search_vector, q) ... WHERE search_vector @@ q ORDER BY rank DESC LIMIT 20`
   (no count, which favours the naive side). One warm-up run
   each, then `--reps` timed runs (naive: `--naive-reps`).
4. Prints p50/p95/p99 per query and overall as Markdown; `--write` appends the section
   to docs/benchmarks.md.
"""

# SQL here is built from constants and selectors._filters; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import math
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 42
VOCABULARY_SIZE = 50_000
CATEGORIES = ["budget", "minutes", "decisions", "tenders", "reports", "plans", "notices", "stats"]
FILE_TYPES = ["pdf", "pdf", "pdf", "docx", "csv", "xlsx"]

FRENCH_WORDS = str.split(
    """
conseil communal commune région province préfecture budget délibération arrêté décision
marché public appel offres séance session ordinaire extraordinaire procès verbal rapport
programme action plan développement investissement projet subvention association
contrat partenariat convention transparence information accès droit citoyen participation
pétition consultation publique réclamation plainte gouvernement ouvert données ouvertes
ressources humaines recrutement concours fonctionnaire président vice conseiller commission
permanente finances urbanisme environnement eau assainissement éclairage voirie route
transport scolaire santé hôpital dispensaire culture sport jeunesse femme enfance emploi
agriculture irrigation tourisme patrimoine foncier terrain location recette dépense
compte administratif exécution trimestre annuel annuelle fiscalité taxe impôt redevance
numérique portail site internet registre publication affichage archive document
"""
)


def _vocabulary() -> list[str]:
    """Stems by decreasing frequency: seed stems, French words every 8th rank, then a
    tail of compound stems; only stems the query analyzer leaves unchanged."""
    from infitah.search.analyzer import analyze, analyze_query

    counts: Counter[str] = Counter()
    for path in sorted(SEEDS.glob("*.txt")):
        counts.update(analyze(path.read_text(encoding="utf-8")))
    arabic = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    french: list[str] = []
    for word in FRENCH_WORDS:
        french += [t for t in analyze(word) if t not in french]
    merged: list[str] = []
    while arabic or french:
        merged += arabic[:7]
        arabic = arabic[7:]
        if french:
            merged.append(french.pop(0))
    vocab = [t for t in dict.fromkeys(merged) if analyze_query(t) == [t]]
    rng = random.Random(SEED)
    seen = set(vocab)
    base = vocab[:2000]
    while len(vocab) < VOCABULARY_SIZE:
        a, b = rng.choice(base), rng.choice(base)
        if a.isascii() != b.isascii():
            continue
        word = (a + b)[:20]
        if word not in seen and analyze_query(word) == [word]:
            seen.add(word)
            vocab.append(word)
    return vocab


def _cum_weights(n: int) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, n + 1):
        total += 1.0 / rank
        cum.append(total)
    return cum


def _load_part(args: tuple[str, list[str], list[tuple[int, int, int]], int, int]) -> int:
    """COPY documents [start, stop) into the database (one process)."""
    url, vocab, communes, start, stop = args
    rng = random.Random(SEED * 1_000_003 + start)
    cum = _cum_weights(len(vocab))
    total = cum[-1]
    hi = len(cum) - 1

    def words(k: int) -> list[str]:
        return [vocab[bisect.bisect(cum, rng.random() * total, 0, hi)] for _ in range(k)]

    day0 = dt.date(2015, 1, 1).toordinal()
    now = dt.datetime.now(dt.UTC)
    columns = (
        "collectivity_id, object_type, object_id, title, body, url, date, year, category,"
        " file_type, language, title_lexemes, lexemes, region_scope_id, province_scope_id,"
        " is_public, indexed_at"
    )
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY search_searchentry ({columns}) FROM STDIN") as copy:
            for n in range(start, stop):
                title = " ".join(words(rng.randint(4, 12)))
                length = max(10, min(1000, int(rng.lognormvariate(math.log(100), 0.6))))
                body = " ".join(words(length))
                date = dt.date.fromordinal(day0 + rng.randrange(4018))
                collectivity = communes[min(len(communes) - 1, int(rng.paretovariate(1.2)) - 1)]
                collectivity = collectivity if rng.random() < 0.3 else rng.choice(communes)
                copy.write_row(
                    (
                        collectivity[0],
                        "bench.document",
                        str(n),
                        title,
                        body,
                        f"/ar/documents/{n}/",
                        date,
                        date.year,
                        rng.choice(CATEGORIES),
                        rng.choice(FILE_TYPES),
                        "fr" if rng.random() < 0.15 else "ar",
                        title,
                        body,
                        collectivity[2],
                        collectivity[1],
                        rng.random() >= 0.03,
                        now,
                    )
                )
        conn.commit()
    return stop - start


def load(db: str, docs: int) -> float:
    url = f"postgresql://postgres@127.0.0.1:5432/{db}"
    started = time.perf_counter()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
        admin.execute(f'CREATE DATABASE "{db}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    vocab = _vocabulary()
    print(f"vocabulary: {len(vocab)} stems; top 5: {vocab[:5]}", flush=True)
    from infitah.territories.models import Collectivity, Kind

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP INDEX searchentry_vector_gin")
        cur.execute("DROP INDEX searchentry_coll_idx")
        cur.execute("DROP INDEX searchentry_region_idx")
        cur.execute("DROP INDEX searchentry_province_idx")
    communes: list[tuple[int, int, int]] = []
    for r in range(12):
        region = Collectivity.objects.create(
            kind=Kind.REGION, slug=f"region-{r}", name_ar=f"جهة {r}", name_fr=f"Région {r}"
        )
        Collectivity.objects.filter(pk=region.pk).update(region=region)
        for p in range(75 // 12 + (1 if r < 75 % 12 else 0)):
            province = Collectivity.objects.create(
                kind=Kind.PROVINCE,
                slug=f"province-{r}-{p}",
                name_ar=f"إقليم {r}-{p}",
                name_fr=f"Province {r}-{p}",
                parent=region,
                region=region,
            )
            made = Collectivity.objects.bulk_create(
                Collectivity(
                    kind=Kind.COMMUNE,
                    slug=f"commune-{r}-{p}-{c}",
                    name_ar=f"جماعة {r}-{p}-{c}",
                    name_fr=f"Commune {r}-{p}-{c}",
                    search_key=f"commune {r} {p} {c}",
                    parent=province,
                    region=region,
                )
                for c in range(20)
            )
            communes += [(c.pk, province.pk, region.pk) for c in made]
    print(f"collectivities: 12 regions, 75 provinces, {len(communes)} communes", flush=True)
    workers = 2
    bounds = [docs * i // workers for i in range(workers + 1)]
    parts = [(url, vocab, communes, bounds[i], bounds[i + 1]) for i in range(workers)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        loaded = sum(pool.map(_load_part, parts))
    print(f"COPY of {loaded} documents: {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        conn.execute(
            "CREATE INDEX searchentry_vector_gin ON search_searchentry USING gin (search_vector)"
        )
        for name, column in [
            ("searchentry_coll_idx", "collectivity_id"),
            ("searchentry_region_idx", "region_scope_id"),
            ("searchentry_province_idx", "province_scope_id"),
        ]:
            conn.execute(f"CREATE INDEX {name} ON search_searchentry ({column}, id DESC)")
        conn.execute("VACUUM ANALYZE search_searchentry")
        conn.execute("VACUUM ANALYZE territories_collectivity")
    print(f"indexes + VACUUM ANALYZE: {time.perf_counter() - t0:.0f} s", flush=True)
    return time.perf_counter() - started


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def run_queries(reps: int, naive_reps: int) -> tuple[str, dict[str, float]]:
    from django.db import connection

    from infitah.search.selectors import _filters, search
    from infitah.territories.models import Collectivity

    vocab = _vocabulary()
    region = Collectivity.objects.get(slug="region-3")
    commune = Collectivity.objects.get(slug="commune-0-0-0")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM search_searchentry")
        total_docs = cur.fetchone()[0]
    queries: list[tuple[str, str, Collectivity | None]] = [
        ("rank 1 (most frequent)", vocab[0], None),
        ("rank 2", vocab[1], None),
        ("rank 5", vocab[4], None),
        ("rank 20", vocab[19], None),
        ("rank 100", vocab[99], None),
        ("rank 1,000", vocab[999], None),
        ("rank 10,000", vocab[9_999], None),
        ("rank 40,000", vocab[39_999], None),
        ("ranks 1 + 2", f"{vocab[0]} {vocab[1]}", None),
        ("ranks 1 + 1,000", f"{vocab[0]} {vocab[999]}", None),
        ("ranks 20 + 100", f"{vocab[19]} {vocab[99]}", None),
        ("ranks 100 + 300 + 1,000", f"{vocab[99]} {vocab[299]} {vocab[999]}", None),
        ("absent word", "zzzqqq", None),
        ("rank 1, one region + children", vocab[0], region),
        ("rank 100, one region + children", vocab[99], region),
        ("rank 1, one commune", vocab[0], commune),
        ("rank 1,000, one commune", vocab[999], commune),
    ]
    rows = []
    ours_all: list[float] = []
    naive_frequent: list[tuple[float, float]] = []
    for label, text, scope in queries:
        where, params = _filters(
            collectivity=scope, include_children=True, category="", year=None, file_type=""
        )
        naive_sql = (
            "SELECT e.id, ts_rank(e.search_vector, q.query) AS rank"
            " FROM search_searchentry e, plainto_tsquery('simple', %s) q(query)"
            f" WHERE e.search_vector @@ q.query AND {where}"
            " ORDER BY rank DESC LIMIT 20"
        )

        def ours(text: str = text, scope: Collectivity | None = scope) -> tuple[float, int, bool]:
            t0 = time.perf_counter()
            page = search(query=text, collectivity=scope, page_size=20)
            return (time.perf_counter() - t0) * 1000, page.count, page.count_is_capped

        def naive(sql: str = naive_sql, args: list[int | str | bool] = [text, *params]) -> float:  # noqa: B006
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, args)
                cur.fetchall()
            return (time.perf_counter() - t0) * 1000

        ours()
        naive()
        ours_ms: list[float] = []
        naive_ms: list[float] = []
        count, capped = 0, False
        for i in range(max(reps, naive_reps)):
            if i < reps:
                ms, count, capped = ours()
                ours_ms.append(ms)
            if i < naive_reps:
                naive_ms.append(naive())
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM search_searchentry e, plainto_tsquery('simple', %s) q(query)"
                f" WHERE e.search_vector @@ q.query AND {where}",
                [text, *params],
            )
            matches = cur.fetchone()[0]
        ours_all += ours_ms
        speedup = statistics.median(naive_ms) / statistics.median(ours_ms)
        if matches >= 50_000:
            naive_frequent.append((statistics.median(naive_ms), statistics.median(ours_ms)))
        rows.append(
            f"| {label} | {matches:,} | {count:,}{'+' if capped else ''} "
            f"| {statistics.median(ours_ms):.1f} | {_pct(ours_ms, 95):.1f} | {_pct(ours_ms, 99):.1f} "
            f"| {statistics.median(naive_ms):.1f} | {_pct(naive_ms, 95):.1f} | {speedup:.1f}× |"
        )
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            "| Query | Matches | `count` | ours p50 ms | ours p95 | ours p99 | naive p50 ms | naive p95 | naive / ours (p50) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    summary = {
        "docs": float(total_docs),
        "p50": statistics.median(ours_all),
        "p95": _pct(ours_all, 95),
        "p99": _pct(ours_all, 99),
        "frequent_speedup_min": min((n / o for n, o in naive_frequent), default=0.0),
    }
    return table, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="infitah_bench_search")
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--naive-reps", type=int, default=5)
    parser.add_argument("--load-only", action="store_true", help="load, then stop")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    # Django is set up before the database exists; it connects only when first used.
    os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "infitah.settings"
    os.environ["INFITAH_ENV"] = "development"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    load_s = None if args.skip_load else load(args.db, args.docs)
    if args.load_only:
        print(f"loaded in {load_s or 0:.0f} s")
        return
    table, s = run_queries(args.reps, args.naive_reps)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with psycopg.connect(PG_ADMIN_URL) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    report = f"""
## Search

**Goal** (from the issue): full-text search at 1,000,000 documents answers with p95 ≤
100 ms on 2 cores, and at least 10× faster than a naive `ts_rank` over all matches for
frequent words.

**Command**

```sh
.venv/bin/python bench/search.py --docs {args.docs} --reps {args.reps} --naive-reps {args.naive_reps} --write
```

How the corpus is generated and what is timed: the docstring of `bench/search.py` and
`docs/search.md`. In short: {int(s["docs"]):,} synthetic documents (Zipf-distributed
stems of the seed texts plus French administrative words, about 120 words each,
**generated already analyzed**), `search()` timed end to end in Python (plan
estimate, settings, candidates, page: 4 SQL statements in a transaction; ORM,
snippets) against the naive query timed on the database round trip only.

**Machine and date.** {when}. {os.cpu_count()} vCPU, {platform.platform()}, Python
{platform.python_version()}, PostgreSQL {pg_version} with its default settings
(shared_buffers 128 MB); client and server share the same cores.
{f"Load (migrate, COPY from 2 processes, indexes, VACUUM ANALYZE): {load_s / 60:.1f} min." if load_s else "Database loaded by an earlier run (--skip-load)."}

{table}

**Overall, `search()`** over all timed runs of the set: p50 {s["p50"]:.1f} ms, p95
{s["p95"]:.1f} ms, p99 {s["p99"]:.1f} ms — goal p95 ≤ 100 ms: **{"met" if s["p95"] <= 100 else "missed"}**.
Smallest speed-up over the naive query among words matching 50,000+ documents:
**{s["frequent_speedup_min"]:.0f}×** — goal ≥ 10×: **{"met" if s["frequent_speedup_min"] >= 10 else "missed"}**.
`count` with a `+` is capped at 1,000 (`count_is_capped`): only the newest 1,000 matches
are ranked.
"""
    print(report)
    if args.write:
        with (ROOT / "docs" / "benchmarks.md").open("a", encoding="utf-8") as f:
            f.write(report)


if __name__ == "__main__":
    main()
