"""Gapless numbers: per collectivity, series and year; rolled back with their record."""

from __future__ import annotations

import threading

import pytest

from django.db import connection, connections, transaction

from infitah.numbering.services import number_next, number_peek


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction(collectivity_a):
    with pytest.raises(RuntimeError):
        number_next(collectivity=collectivity_a, series="ati", year=2026)


@pytest.mark.django_db
def test_series_years_and_collectivities_count_apart(collectivity_a, collectivity_b):
    with transaction.atomic():
        assert [
            number_next(collectivity=collectivity_a, series="ati", year=2026) for _ in range(3)
        ] == [1, 2, 3]
        assert number_next(collectivity=collectivity_a, series="ati", year=2027) == 1
        assert number_next(collectivity=collectivity_a, series="mail", year=2026) == 1
        assert number_next(collectivity=collectivity_b, series="ati", year=2026) == 1
    assert number_peek(collectivity=collectivity_a, series="ati", year=2026) == 3


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_again(collectivity_a):
    with transaction.atomic():
        assert number_next(collectivity=collectivity_a, series="ati", year=2026) == 1
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert number_next(collectivity=collectivity_a, series="ati", year=2026) == 2
        _ = 1 / 0
    with transaction.atomic():
        assert number_next(collectivity=collectivity_a, series="ati", year=2026) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_get_every_number_once(collectivity_a):
    """Twelve connections take 25 numbers each at the same time: 1..300, no gap, no repeat.

    On SQLite writers are serialised by the database lock, so the test needs PostgreSQL
    to show anything; it runs on both in CI (SQLite with one thread at a time).
    """
    threads_count = 12 if connection.vendor == "postgresql" else 1
    per_thread = 25
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads_count)

    def client() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    n = number_next(collectivity=collectivity_a, series="ati", year=2026)
                with lock:
                    numbers.append(n)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, threads_count * per_thread + 1))
