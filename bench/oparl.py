"""Speed of the OParl API: a whole body crawled, against a minimal view in the same run.

    .venv/bin/python bench/oparl.py                  # defaults below; --help
    .venv/bin/python bench/oparl.py --out /tmp/bench_oparl.md

What it does (docs/oparl.md, "Speed"):

1. drops and creates the PostgreSQL database `infitah_bench_oparl` on 127.0.0.1:5432
   (user postgres) and migrates it (`--db`; `--skip-load` reuses it);
2. creates one commune's council with `bulk_create`: a term, `--members` members in one
   committee, `--meetings` held sessions of `--items` agenda items each (a vote of every
   member on every item, a document per item, the attendance), and an advisory body
   with `--papers` referrals in every state; then VACUUM ANALYZE;
3. in-process, through Django's test client and the whole middleware stack (no HTTP,
   no server: the figures are the application's own cost), measures the minimal view
   `/bench/minimal` (the baseline) `--baseline` times, then crawls the body from
   `/oparl/v1/system`: every page of every list of the body (100 objects a page), each
   page timed, then `--singles` objects fetched at their own URLs;
4. prints a Markdown table: per list, pages, objects, objects per second, p50 and p95
   per page and the ratio of the p95 to the minimal view's median (the figure to follow
   from machine to machine), and the SQL queries of one page (constant whatever the
   size); writes it to `--out` if given, and the raw figures as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SLUG = "bench-oparl"
MINIMAL = "/bench/minimal"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def recreate(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def load(args: argparse.Namespace) -> None:
    """The council of one commune, in bulk (no services: the API only reads)."""
    from django.utils import timezone

    from infitah.advisory.models import Body, BodyKind, Referral
    from infitah.advisory.workflow import Answer, Origin
    from infitah.advisory.workflow import Status as ReferralStatus
    from infitah.council.models import (
        AgendaItem,
        Attendance,
        Choice,
        Committee,
        CommitteeSeat,
        Document,
        ItemResult,
        Member,
        Presence,
        Session,
        Term,
        Vote,
    )
    from infitah.council.workflow import SessionKind
    from infitah.council.workflow import Status as SessionStatus
    from infitah.territories.models import Collectivity, Kind

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
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=SLUG,
        name_ar="جماعة",
        name_fr="Commune",
        parent=province,
        region=region,
        is_network_member=True,
    )
    term = Term.objects.create(
        collectivity=commune, name_ar="الولاية", name_fr="Mandat", start_date=dt.date(2021, 9, 20)
    )
    members = Member.objects.bulk_create(
        Member(
            collectivity=commune,
            term=term,
            name_ar=f"العضو {i}",
            name_fr=f"Membre {i}",
            started_on=dt.date(2021, 9, 20),
        )
        for i in range(args.members)
    )
    committee = Committee.objects.create(collectivity=commune, term=term, name_ar="لجنة")
    CommitteeSeat.objects.bulk_create(CommitteeSeat(committee=committee, member=m) for m in members)
    start = timezone.now() - dt.timedelta(days=args.meetings)
    sessions = Session.objects.bulk_create(
        (
            Session(
                collectivity=commune,
                term=term,
                kind=SessionKind.ORDINARY,
                status=SessionStatus.SUMMARY_PUBLISHED,
                reference=f"S-{i}",
                title_ar=f"الدورة {i}",
                title_fr=f"Session {i}",
                starts_at=start + dt.timedelta(days=i),
                place="قاعة الاجتماعات",
                agenda_published_at=start + dt.timedelta(days=i - 10),
                held_on=(start + dt.timedelta(days=i)).date(),
                summary_ar="ملخص",
                summary_published_at=start + dt.timedelta(days=i + 3),
            )
            for i in range(args.meetings)
        ),
        batch_size=1000,
    )
    items = AgendaItem.objects.bulk_create(
        (
            AgendaItem(
                session=s,
                number=n,
                title_ar=f"النقطة {n}",
                result=ItemResult.ADOPTED,
                votes_for=len(members),
                decision_ar="صادق المجلس",
            )
            for s in sessions
            for n in range(1, args.items + 1)
        ),
        batch_size=1000,
    )
    Vote.objects.bulk_create(
        (Vote(item=i, member=m, choice=Choice.FOR) for i in items for m in members),
        batch_size=5000,
    )
    Attendance.objects.bulk_create(
        (
            Attendance(session=s, member=m, presence=Presence.PRESENT)
            for s in sessions
            for m in members
        ),
        batch_size=5000,
    )
    Document.objects.bulk_create(
        (
            Document(
                session=i.session,
                item=i,
                kind="report",
                title="تقرير",
                file="council/x.pdf",
                name="x.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
            )
            for i in items
        ),
        batch_size=5000,
    )
    body = Body.objects.create(collectivity=commune, kind=BodyKind.EQUITY, name_ar="هيئة")
    states = list(ReferralStatus)
    Referral.objects.bulk_create(
        (
            Referral(
                collectivity=commune,
                body=body,
                status=states[i % len(states)],
                origin=Origin.COUNCIL,
                reference=f"R-{i}",
                subject_ar=f"إحالة {i}",
                opinion_ar="رأي",
                answer=Answer.ADOPTED if states[i % len(states)] == ReferralStatus.ANSWERED else "",
                session=sessions[i % len(sessions)],
                agenda_item=items[i % len(items)] if i % 10 == 0 else None,
            )
            for i in range(args.papers)
        ),
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="infitah_bench_oparl")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--members", type=int, default=35)
    parser.add_argument("--baseline", type=int, default=500)
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    today = dt.datetime.now(tz=dt.UTC).date()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if not args.skip_load:
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    if not args.skip_load:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        load(args)
        # Fresh statistics, as autovacuum would have them: without, PostgreSQL plans the
        # first pages' joins for a handful of rows.
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)

    client = Client()

    def get(path: str) -> tuple[float, Any]:
        t0 = time.perf_counter()
        response = client.get(path)
        spent = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:200]!r}")
        return spent, response.json() if response["Content-Type"].startswith(
            "application/json"
        ) else None

    # Warm both paths (imports, URL resolver, first connection) before timing.
    get(MINIMAL)
    get("/oparl/v1/system")
    minimal = [get(MINIMAL)[0] for _ in range(args.baseline)]
    minimal_median = statistics.median(minimal)

    base = "http://testserver"
    _spent, body = get(f"/oparl/v1/body/{SLUG}")
    lists = {
        key: url
        for key, url in body.items()
        if isinstance(url, str) and url.startswith(f"{base}/oparl/v1/body/{SLUG}/")
    }
    _spent, council = get(f"/oparl/v1/organization/council/{SLUG}")
    lists["council meeting"] = council["meeting"]

    rows: list[dict[str, Any]] = []
    ids: list[str] = []
    crawl_start = time.perf_counter()
    total_objects = 0
    for name, url in lists.items():
        times: list[float] = []
        objects = 0
        path: str | None = url.removeprefix(base)
        with CaptureQueriesContext(connection) as captured:
            get(url.removeprefix(base))
        queries = len(captured)
        while path:
            spent, page = get(path)
            times.append(spent)
            objects += len(page["data"])
            ids.extend(o["id"] for o in page["data"])
            following = page["links"].get("next")
            path = following.removeprefix(base) if following else None
        total_objects += objects
        rows.append(
            {
                "list": name,
                "pages": len(times),
                "objects": objects,
                "seconds": sum(times),
                "objects_per_s": objects / sum(times) if sum(times) else 0.0,
                "p50_ms": 1000 * statistics.median(times),
                "p95_ms": 1000 * percentile(times, 0.95),
                "p95_vs_minimal": percentile(times, 0.95) / minimal_median,
                "queries": queries,
            }
        )
        print(f"{name}: {objects} objects, {len(times)} pages", flush=True)
    crawl_seconds = time.perf_counter() - crawl_start

    sample = random.Random(1).sample(sorted(set(ids)), min(args.singles, len(set(ids))))
    singles = [get(i.removeprefix(base))[0] for i in sample]

    lines = [
        f"OParl crawl of one body ({args.meetings} meetings of {args.items} items, "
        f"{args.papers:,} papers, {args.members} members), PostgreSQL, in-process "
        f"(Django test client), {today}, {platform.node()} "
        f"({os.cpu_count()} cores, load {load_start}):",
        "",
        f"Minimal view: median {1000 * minimal_median:.2f} ms, "
        f"p95 {1000 * percentile(minimal, 0.95):.2f} ms ({args.baseline} requests).",
        "",
        "| List | pages | objects | objects/s | p50 ms/page | p95 ms/page | p95 / minimal | queries/page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['list']} | {r['pages']} | {r['objects']:,} | {r['objects_per_s']:,.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p95_vs_minimal']:.0f}× | {r['queries']} |"
            for r in rows
        ),
        "",
        f"Whole crawl: {total_objects:,} objects in {crawl_seconds:.1f} s "
        f"({total_objects / crawl_seconds:,.0f} objects/s). "
        f"Single objects at their own URL ({len(singles)} sampled): "
        f"p50 {1000 * statistics.median(singles):.1f} ms, "
        f"p95 {1000 * percentile(singles, 0.95):.1f} ms "
        f"({percentile(singles, 0.95) / minimal_median:.0f}× the minimal view).",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = RESULTS / f"oparl-{today}.json"
    raw.write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "minimal_median_s": minimal_median,
                "lists": rows,
                "crawl_seconds": crawl_seconds,
                "objects": total_objects,
                "singles_s": singles,
            },
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
