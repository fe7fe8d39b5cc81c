"""Never lost, never counted twice — under real concurrency (PostgreSQL only).

200 submissions race (threads, each with its own database connection, released together
by a barrier), 50 of them repeating a CIN of another in another spelling, each repeat
racing its original: exactly 150 signatures; then the 150 confirmations race each other
and the bureau's tally rewrites: the count is exactly 150 and so are the tallies.

PostgreSQL allows 100 connections and the suite shares it: the threads start together
but at most GROUPS_AT_ONCE groups (≤ 2 threads each) hold a connection at a time; the
two submissions of one CIN always run at the same moment (a barrier of two).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from django.db import close_old_connections, connection

from infitah.notifications.models import OutboundEmail
from infitah.petitions import selectors, signatures
from infitah.petitions.models import Signature, Tally
from infitah.petitions.signatures import AlreadySigned, SignatureInput
from infitah.petitions.workflow import SignatureStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: nothing races"
    ),
]

GROUPS_AT_ONCE = 15
UNIQUE = 150
REPEATS = 50


def _spelling(cin: str, n: int) -> str:
    """Another spelling of the same CIN: lower case, spaces, dashes."""
    return [cin.lower(), f"{cin[:2]} {cin[2:5]} {cin[5:]}", f"{cin[:2]}-{cin[2:]}"][n % 3]


def _run_groups(groups: list[list[Callable[[], Any]]]) -> list[Any]:
    """Run every callable in its own thread, all released together; the callables of one
    group run at the same moment; at most GROUPS_AT_ONCE groups at a time."""
    threads_total = sum(len(g) for g in groups)
    start = threading.Barrier(threads_total)
    slots = threading.Semaphore(GROUPS_AT_ONCE)
    results: list[Any] = []
    lock = threading.Lock()
    threads = []

    for group in groups:
        go = threading.Event()
        together = threading.Barrier(len(group))
        done = threading.Barrier(len(group))

        def work(
            job: Callable[[], Any],
            leader: bool,
            go: threading.Event = go,
            together: threading.Barrier = together,
            done: threading.Barrier = done,
        ) -> None:
            start.wait()
            if leader:
                slots.acquire()
                go.set()
            go.wait()
            try:
                together.wait()
                try:
                    outcome: Any = job()
                except Exception as exc:  # recorded and asserted on by the test
                    outcome = exc
                with lock:
                    results.append(outcome)
            finally:
                connection.close()
                done.wait()
                if leader:
                    slots.release()

        for i, job in enumerate(group):
            threads.append(threading.Thread(target=work, args=(job, i == 0)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    close_old_connections()
    return results


def test_two_hundred_racing_submissions_give_exactly_150(make_petition, bureau_a):
    petition = make_petition()

    def submit(n: int, cin: str) -> Callable[[], Any]:
        data = SignatureInput(
            full_name=f"Racer {n}",
            cin=cin,
            residence="commune-a",
            email=f"racer{n}@example.test",
            electoral_declaration=True,
        )
        return lambda: signatures.signature_submit(
            petition=petition, data=data, ip=f"10.9.{n // 250}.{n % 250}", language="fr"
        )

    groups: list[list[Callable[[], Any]]] = []
    for n in range(UNIQUE):
        cin = f"RC{n:06d}"
        group = [submit(n, cin)]
        if n < REPEATS:
            group.append(submit(1000 + n, _spelling(cin, n)))
        groups.append(group)
    results = _run_groups(groups)

    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"Signature": UNIQUE, "AlreadySigned": REPEATS}, [
        r for r in results if not isinstance(r, Signature | AlreadySigned)
    ]
    assert Signature.objects.filter(petition=petition).count() == UNIQUE
    assert Signature.objects.filter(petition=petition).values("cin_hash").distinct().count() == (
        UNIQUE
    )

    # Every winner confirms, all at once, while the bureau rewrites the tallies.
    tokens = []
    for signature in Signature.objects.filter(petition=petition):
        body = OutboundEmail.objects.get(key=f"petition-signature:{signature.pk}:confirm").body
        link = next(line for line in body.splitlines() if "://" in line)
        tokens.append(link.strip().rstrip("/").rsplit("/", 1)[-1])
    assert len(tokens) == UNIQUE

    def confirm(token: str) -> Callable[[], Any]:
        return lambda: signatures.signature_confirm(token=token)

    def recompute() -> dict[int, int]:
        return signatures.tally_recompute(petition)

    jobs: list[list[Callable[[], Any]]] = [[confirm(t)] for t in tokens]
    for i in range(5):
        jobs.insert(i * 30, [recompute])
    results = _run_groups(jobs)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors

    assert (
        Signature.objects.filter(petition=petition, status=SignatureStatus.CONFIRMED).count()
        == UNIQUE
    )
    assert sum(Tally.objects.filter(petition=petition).values_list("count", flat=True)) == UNIQUE
    assert selectors.counts_by_province_exact(petition) == {petition.collectivity.parent_id: UNIQUE}
    # A second round of confirmations changes nothing (idempotent).
    _run_groups([[confirm(t)] for t in tokens[:30]])
    assert sum(Tally.objects.filter(petition=petition).values_list("count", flat=True)) == UNIQUE
    assert signatures.tally_recompute(petition) == {petition.collectivity.parent_id: UNIQUE}
