"""The openness index at the country's scale: 1,590 collectivities with a year of activity.

    .venv/bin/python bench/openness.py                  # defaults below; --help
    .venv/bin/python bench/openness.py --out /tmp/bench_h5.md

What it does (docs/openness.md, docs/benchmarks.md "Openness index"):

1. drops and creates the PostgreSQL database `infitah_bench_openness` on 127.0.0.1:5432
   (user postgres) and migrates it (`--db`; `--skip-load` reuses it); in a child
   process, so that the load leaves no trace in the measuring process's memory:
2. generates the tree (12 regions, 75 provinces, 1,503 communes) and, with
   `bulk_create`, a year of activity for each collectivity (`--scale` multiplies it):
   published documents, information requests and complaints with their legal periods
   (Deadline rows) in every state, a petition, council sessions with their agenda and
   summary periods and signed minutes, advisory referrals, consultations, a lab and a
   survey, for one in four an adopted programme with commitments and milestones, two
   budgets with key documents and an execution, datasets, and one case-history event per
   case; then VACUUM ANALYZE;
3. in-process (PostgreSQL, `DEBUG=0`):
   - the **full recomputation** of every collectivity (`openness_compute()`), `--rounds`
     times (median), its SQL query count, then once more under tracemalloc; the same
     for the first 159 collectivities: time should grow about 10×, the peak of Python
     allocations not at all (the computation goes by chunks of 200);
   - the baseline of the same run for the grouped queries: the per-collectivity
     selectors the pages use (`publication.selectors.compliance_get`, the statistics of
     information requests and of complaints) for 159 collectivities, against the three
     grouped items for the same 159;
   - the **incremental update** after one event: `--events` times, one case-history
     event for a random collectivity, then `openness_update_changed()` (which reads the
     changed collectivities and recomputes that one), median and worst; its baseline in
     the same run, `openness_compute` of one collectivity without the change detection;
4. prints a Markdown table (also to `--out`) and writes the raw figures as JSON to
   bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MB = 1024 * 1024
REGIONS, PROVINCES, COMMUNES = 12, 75, 1_503
SMALL = 159


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
            "DEBUG": "0",  # no query log growing with the run
            "LOG_LEVEL": "WARNING",
            "TASKS_BACKEND": "immediate",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --------------------------------------------------------------------------- the load


def load(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from infitah.advisory.models import Body, Referral
    from infitah.complaints.models import Complaint
    from infitah.council.models import Minutes, Session, Term
    from infitah.deadlines.models import Deadline, LegalLimit
    from infitah.finance.models import Budget, BudgetVersion, KeyDocumentLink
    from infitah.finance.workflow import KeyDocument
    from infitah.information.models import InformationRequest
    from infitah.ledger.models import Event
    from infitah.opendata.models import Dataset, Frequency
    from infitah.openplan.models import Commitment, Milestone, Programme
    from infitah.participation.consultations.models import Consultation
    from infitah.participation.labs.models import Lab
    from infitah.participation.surveys.models import Survey
    from infitah.petitions.models import Petition
    from infitah.publication.models import Category, Document
    from infitah.territories.models import Collectivity, Kind

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    scale = args.scale

    def moment(d: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(d, dt.time(hour)))

    def some_day(back: int = 365) -> dt.date:
        return today - rng.randrange(1, back) * day

    def bulk(model: Any, rows: list[Any]) -> list[Any]:
        return list(model.objects.bulk_create(rows, batch_size=5000))

    def n(count: float) -> int:
        """`count` times the scale, rounded at random (a mean of `count × scale`)."""
        whole = int(count * scale)
        return whole + int(rng.random() < count * scale - whole)

    # The tree: 12 regions, 75 provinces, 1,503 communes.
    regions = bulk(
        Collectivity,
        [
            Collectivity(
                kind=Kind.REGION,
                slug=f"region-{i}",
                code=f"R{i}",
                name_ar=f"جهة {i}",
                name_fr=f"Région {i}",
                search_key="",
            )
            for i in range(1, REGIONS + 1)
        ],
    )
    provinces = bulk(
        Collectivity,
        [
            Collectivity(
                kind=Kind.PROVINCE,
                slug=f"province-{i}",
                code=f"P{i}",
                name_ar=f"إقليم {i}",
                name_fr=f"Province {i}",
                parent=regions[i % REGIONS],
                region=regions[i % REGIONS],
                search_key="",
            )
            for i in range(PROVINCES)
        ],
    )
    communes = bulk(
        Collectivity,
        [
            Collectivity(
                kind=Kind.COMMUNE,
                slug=f"commune-{i}",
                code=f"C{i}",
                name_ar=f"جماعة {i}",
                name_fr=f"Commune {i}",
                parent=provinces[i % PROVINCES],
                region=provinces[i % PROVINCES].region,
                is_network_member=i % 10 == 0,
                search_key="",
            )
            for i in range(COMMUNES)
        ],
    )
    every = regions + provinces + communes
    limits = dict(LegalLimit.objects.values_list("code", "pk"))
    level = {Kind.REGION: "region", Kind.PROVINCE: "province", Kind.COMMUNE: "commune"}
    categories = list(Category.objects.active())
    budget_category = Category.objects.get(code="budget.current")
    counter = iter(range(1, 10**9))

    def deadline(c: Any, code: str, due: dt.date, met: bool) -> Any:
        return Deadline(
            collectivity=c,
            limit_id=limits[code],
            start_date=due - 20 * day,
            due_date=due,
            subject_type="bench",
            subject_id=str(next(counter)),
            label="bench",
            status="met" if met else "open",
            closed_at=moment(due) if met else None,
        )

    events: list[Any] = []

    def event(c: Any, kind: str, pk: int, on: dt.date) -> None:
        events.append(
            Event(
                at=moment(on, 9),
                process="bench",
                collectivity=c,
                object_type=kind,
                object_id=str(pk),
                action="bench",
            )
        )

    def document(c: Any, category: Any, on: dt.date) -> Any:
        k = next(counter)
        file_type = rng.choice(["pdf", "pdf", "pdf", "csv", "xlsx", "docx"])
        return Document(
            collectivity=c,
            category=category,
            title_fr=f"Document {k}",
            date=on,
            language="fr",
            file=f"documents/bench/{k}.{file_type}",
            original_name=f"{k}.{file_type}",
            file_type=file_type,
            size=1000,
            sha256=f"{k:064x}",
            is_complete=rng.random() < 0.4,
            status="published",
            published_at=moment(on),
        )

    t0 = time.perf_counter()
    # Publication: documents in the categories of each kind.
    docs = []
    for c in every:
        own = [cat for cat in categories if c.kind in cat.applies_to]
        for cat in rng.sample(own, min(len(own), n(12))):
            docs.append(document(c, cat, some_day(700)))
    bulk(Document, docs)
    # Information requests and complaints, with their periods.
    request_deadlines, requests = [], []
    for c in every:
        for _ in range(n(12)):
            received = some_day()
            due = received + 28 * day
            answered = rng.random() < 0.75 and received + 3 * day < today
            answered_on = min(today, received + rng.randrange(2, 40) * day) if answered else None
            request_deadlines.append(deadline(c, "ati.answer", due, answered))
            k = next(counter)
            requests.append(
                InformationRequest(
                    collectivity=c,
                    reference=f"ATI-{k}",
                    year=received.year,
                    number=k,
                    status="answered" if answered else "in_progress",
                    requester_type="citizen",
                    first_name="F",
                    last_name="Z",
                    id_type="cin",
                    id_number_encrypted="x",
                    id_number_hash=f"h{k}",
                    id_number_masked="•",
                    address="a",
                    email="f@example.test",
                    subject="s",
                    description="d",
                    delivery="email",
                    tracking_digest=f"t{k}",
                    tracking_token_encrypted="x",  # noqa: S106
                    submitted_at=moment(received),
                    received_on=received,
                    answered_on=answered_on,
                    is_answered_late=bool(answered_on and answered_on > due),
                    answer_working_days=(answered_on - received).days * 5 // 7
                    if answered_on
                    else None,
                )
            )
    for d, r in zip(bulk(Deadline, request_deadlines), requests, strict=True):
        r.answer_deadline = d
    for r in bulk(InformationRequest, requests):
        event(r.collectivity, "information.informationrequest", r.pk, r.received_on)
    complaint_deadlines, complaints = [], []
    for c in every:
        for _ in range(n(36)):
            received = some_day()
            ack_on = received + rng.randrange(1, 25) * day if rng.random() < 0.8 else None
            ack_on = ack_on if ack_on and ack_on <= today else None
            ans_on = received + rng.randrange(5, 80) * day if rng.random() < 0.6 else None
            ans_on = ans_on if ans_on and ans_on <= today else None
            complaint_deadlines += [
                deadline(c, "complaint.acknowledge", received + 15 * day, ack_on is not None),
                deadline(c, "complaint.answer", received + 60 * day, ans_on is not None),
            ]
            k = next(counter)
            complaints.append(
                Complaint(
                    collectivity=c,
                    reference=f"C-{k}",
                    year=received.year,
                    number=k,
                    kind="complaint",
                    status="answered" if ans_on else ("acknowledged" if ack_on else "received"),
                    description="d",
                    name="A",
                    email="a@example.test",
                    tracking_digest=f"c{k}",
                    tracking_token_encrypted="x",  # noqa: S106
                    submitted_at=moment(received),
                    received_on=received,
                    acknowledged_on=ack_on,
                    is_acknowledged_late=bool(ack_on and ack_on > received + 15 * day),
                    answered_on=ans_on,
                    is_answered_late=bool(ans_on and ans_on > received + 60 * day),
                    answer_days=(ans_on - received).days if ans_on else None,
                    satisfaction=rng.randrange(1, 6) if ans_on and rng.random() < 0.3 else None,
                )
            )
    saved = bulk(Deadline, complaint_deadlines)
    for i, complaint in enumerate(complaints):
        complaint.acknowledge_deadline, complaint.answer_deadline = saved[2 * i], saved[2 * i + 1]
    for complaint in bulk(Complaint, complaints):
        event(complaint.collectivity, "complaints.complaint", complaint.pk, complaint.received_on)
    # Petitions.
    petition_deadlines, petitions = [], []
    for c in every:
        for _ in range(n(1)):
            lodged = some_day()
            due = lodged + 90 * day
            decision = lodged + rng.randrange(20, 120) * day
            decided = decision if decision <= today and rng.random() < 0.7 else None
            petition_deadlines.append(
                deadline(c, f"petition.decision.{level[c.kind]}", due, decided is not None)
            )
            k = next(counter)
            petitions.append(
                Petition(
                    collectivity=c,
                    status="deliberated" if decided else "bureau_review",
                    channel="paper",
                    petitioner_kind="citizens",
                    title=f"Pétition {k}",
                    text="t",
                    request="r",
                    agent_name="A",
                    manage_digest=f"m{k}",
                    reference=f"P-{k}",
                    year=lodged.year,
                    number=k,
                    lodged_on=lodged,
                    decided_on=decided,
                )
            )
    for d, p in zip(bulk(Deadline, petition_deadlines), petitions, strict=True):
        p.decision_deadline = d
    for p in bulk(Petition, petitions):
        event(p.collectivity, "petitions.petition", p.pk, p.lodged_on)
    # Council: sessions, minutes, advisory referrals.
    terms = bulk(
        Term,
        [Term(collectivity=c, name_ar="2021-2026", start_date=dt.date(2021, 9, 1)) for c in every],
    )
    session_deadlines, sessions = [], []
    for c, term in zip(every, terms, strict=True):
        for i in range(n(4)):
            sitting = today - (20 + 90 * i + rng.randrange(0, 30)) * day
            agenda_on = sitting - rng.randrange(5, 15) * day
            summary_day = sitting + rng.randrange(2, 12) * day
            summary_on = summary_day if summary_day < today and rng.random() < 0.8 else None
            session_deadlines += [
                deadline(c, f"council.agenda_notice.{level[c.kind]}", sitting - 10 * day, True),
                deadline(
                    c, f"council.summary.{level[c.kind]}", sitting + 8 * day, bool(summary_on)
                ),
            ]
            sessions.append(
                Session(
                    collectivity=c,
                    term=term,
                    kind="ordinary",
                    status="summary_published" if summary_on else "held",
                    title_ar="دورة",
                    starts_at=moment(sitting),
                    agenda_published_at=moment(agenda_on),
                    held_on=sitting,
                    summary_published_at=moment(summary_on) if summary_on else None,
                )
            )
    saved = bulk(Deadline, session_deadlines)
    for i, s in enumerate(sessions):
        s.agenda_deadline, s.summary_deadline = saved[2 * i], saved[2 * i + 1]
    sessions = bulk(Session, sessions)
    bulk(
        Minutes,
        [
            Minutes(session=s, status="signed", signed_at=s.starts_at)
            for s in sessions
            if rng.random() < 0.5
        ],
    )
    for s in sessions:
        event(s.collectivity, "council.session", s.pk, s.starts_at.date())
    bodies = bulk(Body, [Body(collectivity=c, kind="equity", name_ar="هيئة") for c in every])
    referral_deadlines, referrals = [], []
    for c, body in zip(every, bodies, strict=True):
        for _ in range(n(2)):
            sent = some_day()
            answer_day = sent + rng.randrange(10, 90) * day
            replied = answer_day if answer_day <= today and rng.random() < 0.6 else None
            referral_deadlines.append(
                deadline(c, "advisory.answer", sent + 60 * day, replied is not None)
            )
            referrals.append(
                Referral(
                    collectivity=c,
                    body=body,
                    status="answered" if replied else "transmitted",
                    origin="council",
                    subject_ar="إحالة",
                    transmitted_on=sent,
                    answered_on=replied,
                )
            )
    for d, referral in zip(bulk(Deadline, referral_deadlines), referrals, strict=True):
        referral.answer_deadline = d
    bulk(Referral, referrals)
    # Participation.
    consultations, labs, surveys = [], [], []
    for c in every:
        for _ in range(n(2)):
            opens = some_day(400)
            closes = opens + 30 * day
            published = closes + 20 * day
            consultations.append(
                Consultation(
                    collectivity=c,
                    title_fr="Consultation",
                    opens_at=moment(opens),
                    closes_at=moment(closes),
                    synthesis_published_at=moment(published)
                    if published < today and rng.random() < 0.6
                    else None,
                )
            )
        for _ in range(n(1)):
            opens = some_day()
            labs.append(
                Lab(
                    collectivity=c,
                    question_ar="سؤال",
                    opens_at=moment(opens),
                    closes_at=moment(opens + 30 * day),
                )
            )
            surveys.append(
                Survey(
                    collectivity=c,
                    title_fr="Enquête",
                    opens_at=moment(opens),
                    closes_at=moment(opens + 30 * day),
                    status="published",
                )
            )
    bulk(Consultation, consultations)
    bulk(Lab, labs)
    bulk(Survey, surveys)
    # Opening programmes: one collectivity in four.
    programmes = bulk(
        Programme,
        [
            Programme(
                collectivity=c,
                kind="remacto",
                status="adopted",
                title_fr="Programme",
                starts_on=today - 200 * day,
                ends_on=today + 500 * day,
                public_updated_at=moment(some_day(200)),
            )
            for c in every
            if rng.random() < 0.25
        ],
    )
    commitments = bulk(
        Commitment,
        [
            Commitment(
                programme=p,
                number=i,
                title_fr="Engagement",
                progress=rng.randrange(0, 101),
                ends_on=today + rng.randrange(-60, 400) * day,
            )
            for p in programmes
            for i in range(1, 7)
        ],
    )
    bulk(
        Milestone,
        [
            Milestone(
                commitment=commitment,
                order=i,
                title_fr="Jalon",
                progress=rng.randrange(0, 101),
                ends_on=today + rng.randrange(-100, 300) * day,
            )
            for commitment in commitments
            for i in range(1, 4)
        ],
    )
    # Budgets: two years, key documents, an execution.
    budgets = bulk(
        Budget,
        [Budget(collectivity=c, year=year) for c in every for year in (today.year - 1, today.year)],
    )
    links, key_docs = [], []
    for budget in budgets:
        for kind in rng.sample(list(KeyDocument), n(3)):
            key_docs.append(document(budget.collectivity, budget_category, some_day()))
            links.append((budget, kind))
    bulk(
        KeyDocumentLink,
        [
            KeyDocumentLink(budget=budget, kind=kind, document=doc)
            for (budget, kind), doc in zip(links, bulk(Document, key_docs), strict=True)
        ],
    )
    bulk(
        BudgetVersion,
        [
            BudgetVersion(
                budget=budget,
                phase="executed",
                number=1,
                as_of=dt.date(budget.year, 12, 31),
                file="finance/x.csv",
                name="x.csv",
                content_type="text/csv",
                size=10,
                sha256="0" * 64,
            )
            for budget in budgets
            if budget.year < today.year and rng.random() < 0.5
        ],
    )
    # Open data: the generated datasets of each collectivity.
    frequencies = [Frequency.CONTINUOUS, Frequency.MONTHLY, Frequency.ANNUAL]
    bulk(
        Dataset,
        [
            Dataset(
                name=f"{c.slug}-source-{i}",
                collectivity=c,
                source=f"source-{i}",
                title_ar="بيانات",
                title_fr="Données",
                license_id="CC-BY-4.0",
                frequency=rng.choice(frequencies),
                metadata_created=moment(some_day(700)),
                metadata_modified=moment(some_day()),
            )
            for c in every
            for i in range(n(8))
        ],
    )
    bulk(Event, events)
    print(
        f"loaded {len(every):,} collectivities: {len(docs) + len(key_docs):,} documents, "
        f"{len(requests):,} requests, {len(complaints):,} complaints, {len(petitions):,} "
        f"petitions, {len(sessions):,} sessions, {len(referrals):,} referrals, "
        f"{len(consultations):,} consultations, {len(programmes):,} programmes, "
        f"{len(events):,} events in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )


# --------------------------------------------------------------------------- measures


def timed(call: Callable[[], Any], rounds: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def traced(call: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="infitah_bench_openness")
    parser.add_argument("--scale", type=float, default=1.0, help="activity multiplier")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.load_only:
        setup(args.db)
        load(args)
        return

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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from infitah.complaints.selectors import statistics as complaint_statistics
    from infitah.information.selectors import statistics as request_statistics
    from infitah.ledger.models import Event
    from infitah.openness import items, services
    from infitah.openness.models import RunState, Score
    from infitah.publication.selectors import compliance_get
    from infitah.territories.models import Collectivity

    today = timezone.localdate()
    ids = list(Collectivity.objects.order_by("pk").values_list("pk", flat=True))
    small = ids[:: len(ids) // SMALL][:SMALL]
    rng = random.Random(args.seed)

    def maxrss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB

    services.openness_compute(collectivity_ids=small)  # warm: imports, connection, caches
    rss_start = maxrss_mb()

    rows: list[dict[str, Any]] = []
    scopes: list[tuple[str, list[int] | None]] = [
        (f"{len(small):,}", small),
        (f"{len(ids):,}", None),
    ]
    for label, scope in scopes:

        def full(scope: list[int] | None = scope) -> None:
            services.openness_compute(collectivity_ids=scope)

        seconds, runs = timed(full, args.rounds)
        with CaptureQueriesContext(connection) as queries:
            full()
        peak = traced(full)
        count = len(small) if scope is not None else len(ids)
        rows.append(
            {
                "collectivities": count,
                "seconds": seconds,
                "runs": runs,
                "per_collectivity_ms": 1000 * seconds / count,
                "queries": len(queries),
                "peak_mb": peak,
                "maxrss_mb": maxrss_mb(),
            }
        )
        print(
            f"full {label}: {seconds:.2f} s, {len(queries)} queries, peak {peak:.1f} MB", flush=True
        )
    scores = Score.objects.filter(month=today.replace(day=1))
    with_data = scores.filter(has_data=True).count()

    # Baseline of the grouped queries: the pages' per-collectivity selectors.
    collectivities = list(Collectivity.objects.filter(pk__in=small))

    def per_collectivity() -> None:
        for c in collectivities:
            compliance_get(collectivity=c, today=today)
            request_statistics(collectivity=c, today=today)
            complaint_statistics(collectivity=c)

    def grouped() -> None:
        items.compute_publication(collectivity_ids=small, today=today)
        items.compute_information(collectivity_ids=small, today=today)
        items.compute_complaints(collectivity_ids=small, today=today)

    naive_s, _runs = timed(per_collectivity, args.rounds)
    grouped_s, _runs = timed(grouped, args.rounds)

    # The incremental update after one event, and its baseline (one collectivity's
    # computation without the change detection). Each round records one event now and
    # sets the last run so that the update reads back to just before it: it sees that
    # event only (the update reads OVERLAP before its last run).
    RunState.objects.update_or_create(key=services.FULL_KEY, defaults={"ran_at": timezone.now()})
    incremental, incremental_cpu, touched = [], [], []
    for i in range(1, args.events + 1):
        time.sleep(1.1)  # the previous round's event is out of reach
        moment = timezone.now()
        RunState.objects.update_or_create(
            key=services.RUN_KEY,
            defaults={"ran_at": moment + services.OVERLAP - dt.timedelta(seconds=0.5)},
        )
        Event.objects.create(
            at=timezone.now(),
            process="bench",
            collectivity_id=rng.choice(ids),
            object_type="bench.event",
            object_id=str(i),
            action="bench",
        )
        t0, c0 = time.perf_counter(), time.process_time()
        touched.append(services.openness_update_changed())
        incremental.append(time.perf_counter() - t0)
        incremental_cpu.append(time.process_time() - c0)
    single, _runs = timed(
        lambda: services.openness_compute(collectivity_ids=[rng.choice(ids)]), args.events
    )
    time.sleep(1.1)
    RunState.objects.update_or_create(
        key=services.RUN_KEY,
        defaults={"ran_at": timezone.now() + services.OVERLAP - dt.timedelta(seconds=0.5)},
    )
    Event.objects.create(
        at=timezone.now(),
        process="bench",
        collectivity_id=ids[0],
        object_type="bench.event",
        object_id="last",
        action="bench",
    )
    with CaptureQueriesContext(connection) as queries:
        services.openness_update_changed()
    incremental_queries = len(queries)

    small_row, large_row = rows
    load_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    inc_median = statistics.median(incremental)
    lines = [
        f"Openness index at the country's scale, PostgreSQL, in-process (`DEBUG=0`), "
        f"{today}, {platform.node()} ({os.cpu_count()} cores; load average {load_start} "
        f"at the start, {load_end} at the end: other processes share the cores); "
        f"activity ×{args.scale:g} (see bench/openness.py); median of {args.rounds} runs.",
        "",
        "Full recomputation (`openness_compute()`: every item, score and upsert):",
        "",
        "| collectivities | seconds | ms per collectivity | SQL queries | peak Python MB "
        "(tracemalloc) | peak kB per collectivity | process peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['collectivities']:,} | {r['seconds']:.1f} | {r['per_collectivity_ms']:.1f} "
            f"| {r['queries']} | {r['peak_mb']:.1f} | "
            f"{1024 * r['peak_mb'] / r['collectivities']:.1f} | {r['maxrss_mb']:,.0f} |"
            for r in rows
        ),
        "",
        f"{large_row['collectivities']:,} against {small_row['collectivities']:,}: time "
        f"{large_row['seconds'] / small_row['seconds']:.1f}×, peak memory "
        f"{large_row['peak_mb'] / small_row['peak_mb']:.2f}× (chunks of {services.CHUNK}: "
        f"constant). Goal ≤ 60 s on 2 cores: {large_row['seconds']:.1f} s. "
        f"{with_data:,} of {len(ids):,} collectivities have data. Process peak RSS before "
        f"the runs: {rss_start:,.0f} MB.",
        "",
        f"Baseline of the grouped queries, {len(small)} collectivities, publication + "
        f"information + complaints: the pages' per-collectivity selectors "
        f"{naive_s:.2f} s, the grouped items {grouped_s:.2f} s "
        f"({naive_s / grouped_s:.1f}× faster).",
        "",
        f"Incremental update after one event (`openness_update_changed()`, {args.events} "
        f"events, one collectivity each): median {1000 * inc_median:.0f} ms, worst "
        f"{1000 * max(incremental):.0f} ms (goal ≤ 100 ms), of which "
        f"{1000 * statistics.median(incremental_cpu):.0f} ms of this process's CPU (the rest "
        f"waits on PostgreSQL), {incremental_queries} SQL queries, "
        f"{statistics.mean(touched):.0f} collectivity recomputed each time; "
        f"baseline in the same run, `openness_compute` of one collectivity without the "
        f"change detection: {1000 * single:.0f} ms (ratio "
        f"{inc_median / single:.2f}).",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    if args.out:
        args.out.write_text(
            "Reproduce: `.venv/bin/python bench/openness.py --out /tmp/bench_h5.md`\n\n"
            + report
            + "\n",
            encoding="utf-8",
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"openness-{today}.json").write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "full": rows,
                "baseline": {"per_collectivity_s": naive_s, "grouped_s": grouped_s},
                "incremental_s": incremental,
                "incremental_cpu_s": incremental_cpu,
                "single_s": single,
                "incremental_queries": incremental_queries,
            },
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
