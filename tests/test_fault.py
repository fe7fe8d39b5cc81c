"""Faults under load: a killed web worker and every database connection cut at once.

`manage.py serve` (two gunicorn workers, the task worker, the tick) takes a burst of
complaints and petition signatures over HTTP from a pool of threads. A quarter of the
way in, every session of the database but the test's own is terminated
(`pg_terminate_backend`) and one gunicorn worker is killed (SIGKILL). Then:

- every submission answered 2xx is stored exactly once (found by its unique marker), and
  no submission is stored twice, answered or not;
- complaint numbers have no gap and no repeat;
- the site answers a new complaint within 10 s of the faults.

A request may be refused (503: load shed or database away, nothing stored) or get no
answer (the killed worker's requests): the client knows it was not acknowledged.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from django.utils import timezone

from infitah.complaints.models import Complaint
from infitah.petitions.models import Signature
from tests.serving import (
    Reply,
    Served,
    Site,
    complaint_body,
    on_postgresql,
    serve,
    signature_body,
    site_open,
    terminate_backends,
    wait_for,
)

COMPLAINTS = 150
SIGNATURES = 150
THREADS = 16
RECOVERY_SECONDS = 10.0


def _send(served: Served, site: Site, kind: str, n: int) -> tuple[str, str, Reply]:
    marker = f"fault-{kind}-{n:04d}"
    if kind == "complaint":
        reply = served.request("POST", site.complaints_url, complaint_body(marker))
    else:
        reply = served.request("POST", site.sign_url, signature_body(n, marker))
    return kind, marker, reply


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_killed_worker_and_cut_connections_lose_no_acknowledged_write(
    collectivity_a, tmp_path
) -> None:
    site = site_open(collectivity_a)
    jobs = [("complaint", n) for n in range(COMPLAINTS)] + [
        ("signature", n) for n in range(SIGNATURES)
    ]
    jobs.sort(key=lambda job: job[1])  # interleaved
    answered: list[tuple[str, str, Reply]] = []
    lock = threading.Lock()

    def send(kind: str, n: int) -> None:
        result = _send(served, site, kind, n)
        with lock:
            answered.append(result)

    with serve(tmp_path, "--workers", "2", "--tick-every", "5") as served:
        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            for kind, n in jobs:
                pool.submit(send, kind, n)
            wait_for(lambda: len(answered) >= len(jobs) // 4, 60, "a quarter of the burst")
            # Connections first: the killed worker's sessions would vanish with it.
            terminated = terminate_backends()
            os.kill(served.web_workers()[0], signal.SIGKILL)
            faulted = time.monotonic()
            # The site answers again: a new complaint is acknowledged.
            probes = 0
            while True:
                kind, marker, reply = _send(served, site, "complaint", 10_000 + probes)
                probes += 1
                with lock:
                    answered.append((kind, marker, reply))
                if 200 <= reply.status < 300:
                    recovery = time.monotonic() - faulted
                    break
                assert time.monotonic() - faulted < RECOVERY_SECONDS, reply
                time.sleep(0.1)
        burst_seconds = time.monotonic() - started

    acknowledged = {(kind, marker) for kind, marker, reply in answered if 200 <= reply.status < 300}
    complaints = list(
        Complaint.objects.filter(collectivity=collectivity_a).values_list("description", "number")
    )
    stored_complaints = Counter(
        description.rsplit("[", 1)[-1].rstrip("]") for description, _number in complaints
    )
    stored_signatures = Counter(
        email.split("@")[0]
        for email in Signature.objects.filter(petition_id=site.petition_id).values_list(
            "email", flat=True
        )
    )
    stored = {"complaint": stored_complaints, "signature": stored_signatures}
    by_kind = {
        kind: dict(sorted(Counter(r.status for k, _m, r in answered if k == kind).items()))
        for kind in stored
    }
    print(  # the figures of the run (pytest -s)
        f"\nfault test: {len(answered)} requests ({probes} after the faults) in "
        f"{burst_seconds:.1f} s; answers {by_kind} (0: no answer); stored: "
        f"{len(complaints)} complaints, {sum(stored_signatures.values())} signatures; "
        f"{terminated} connections cut; answering again {recovery:.2f} s after the faults"
    )

    assert terminated >= 1
    assert recovery < RECOVERY_SECONDS
    lost = [(kind, marker) for kind, marker in acknowledged if stored[kind][marker] != 1]
    assert not lost, lost
    twice = [marker for counts in stored.values() for marker, n in counts.items() if n > 1]
    assert not twice, twice
    numbers = sorted(number for _description, number in complaints)
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    year = timezone.localdate().year
    assert Complaint.objects.filter(collectivity=collectivity_a, year=year).count() == len(numbers)
