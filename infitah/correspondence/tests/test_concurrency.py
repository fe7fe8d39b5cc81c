"""Concurrent registration: numbers 1..n with no gap and no repeat (issue 5, Quality).

On PostgreSQL, 20 clients — threads, each with its own database connection — register
1,000 letters at once in the same collectivity: they queue on the counter row that
`number_next` locks until each registration commits, so every number is given once and
none is skipped. On SQLite the database itself serialises writers (one write transaction
at a time for the whole file, and the test database is a shared in-memory one whose
table locks do not wait), so concurrency proves nothing there: the test runs a few
clients taking turns through a lock, which still checks the numbering end to end.
"""

from __future__ import annotations

import threading

import pytest

from django.db import connection, connections

from infitah.correspondence.models import Entry
from infitah.correspondence.services import entry_register
from infitah.correspondence.tests.conftest import entry_values
from infitah.ledger.models import Event


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_get_every_number_once(collectivity_a, clerk_a, unit_a):
    on_postgres = connection.vendor == "postgresql"
    clients = 20 if on_postgres else 4
    per_client = 50 if on_postgres else 10
    total = clients * per_client
    numbers: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    # SQLite: one writer at a time (see the module docstring); PostgreSQL: no lock.
    turn = threading.Lock() if not on_postgres else None
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        try:
            barrier.wait()
            for i in range(per_client):
                values = entry_values(
                    direction="incoming" if i % 2 else "outgoing",
                    subject=f"Client {index}, letter {i}",
                )
                if turn is not None:
                    with turn:
                        entry = entry_register(
                            collectivity=collectivity_a, actor=clerk_a, service=unit_a, **values
                        )
                else:
                    entry = entry_register(
                        collectivity=collectivity_a, actor=clerk_a, service=unit_a, **values
                    )
                with lock:
                    numbers.append((entry.year, entry.number))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    years = {year for year, _number in numbers}
    assert len(years) == 1
    assert sorted(n for _year, n in numbers) == list(range(1, total + 1))
    stored = list(
        Entry.objects.filter(collectivity=collectivity_a)
        .order_by("number")
        .values_list("number", "registered_at")
    )
    assert [n for n, _at in stored] == list(range(1, total + 1))
    # The time of registration is read once the number is taken: it follows the numbers.
    times = [at for _n, at in stored]
    assert times == sorted(times)
    assert Event.objects.filter(action="correspondence.registered").count() == total
