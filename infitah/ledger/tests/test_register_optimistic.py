"""The optimistic single-statement append (PostgreSQL) and its head cache.

Every test ends with the whole tree recomputed from the stored entries (`_assert_intact`),
and, where the files exist, `verify_register`. On SQLite the same tests exercise the
locked path, which must give the same results.
"""

from __future__ import annotations

import hashlib
import threading
from io import StringIO

import pytest

from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.ledger import merkle, register_services
from infitah.ledger.models import RegisterEntry, RegisterHead, RegisterNode
from infitah.ledger.register_selectors import register_head_get
from infitah.ledger.register_services import (
    RegisterItem,
    register_append,
    register_append_many,
)
from infitah.territories.models import Collectivity


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the optimistic path and concurrent writers are PostgreSQL's")


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    register_services._head_cache_clear()
    yield
    register_services._head_cache_clear()


def _assert_intact(expected_size: int) -> None:
    """Indexes 0..n-1, leaves re-hashed from metadata, all nodes and the head recomputed."""
    rows = list(
        RegisterEntry.objects.order_by("index").values_list(
            "index", "leaf_hash", "file_sha256", "metadata"
        )
    )
    assert [r[0] for r in rows] == list(range(expected_size))
    frontier: list[tuple[int, bytes]] = []
    nodes: dict[tuple[int, int], bytes] = {}
    for size, (_, leaf_hex, sha, metadata) in enumerate(rows, start=1):
        leaf = merkle.entry_leaf_hash(sha, metadata)
        assert leaf.hex() == leaf_hex
        for level, h in merkle.append_leaf(frontier, leaf):
            nodes[(level, (size >> level) - 1)] = h
    stored = {
        (lv, i): bytes(h) for lv, i, h in RegisterNode.objects.values_list("level", "index", "hash")
    }
    assert stored == nodes
    head = RegisterHead.objects.get(pk=1)
    assert head.tree_size == expected_size
    assert bytes(head.frontier) == b"".join(h for _, h in frontier)
    leaves = [bytes.fromhex(r[1]) for r in rows]
    assert register_head_get().root_hash == merkle.root(leaves)


def _verify_register_passes() -> None:
    out, err = StringIO(), StringIO()
    call_command("verify_register", stdout=out, stderr=err)
    assert "OK" in out.getvalue() and not err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_stale_cache_falls_back_to_the_locked_path(publish) -> None:
    publish(b"zero", document_id="0")
    publish(b"one", document_id="1")
    stale = register_services._head_cache
    # Committed appends leave the head they wrote in the cache (PostgreSQL and SQLite).
    assert stale is not None and stale[0] == 2
    publish(b"two", document_id="2")  # as another process would: the head moves on
    register_services._head_cache = stale
    with CaptureQueriesContext(connection) as captured:
        entry = publish(b"three", document_id="3")
    if connection.vendor == "postgresql":  # the statement missed: the head was locked
        assert sum("FOR UPDATE" in q["sql"] for q in captured.captured_queries) == 1
    assert entry.index == 3 and RegisterEntry.objects.get(index=3).pk == entry.pk
    cache = register_services._head_cache
    assert cache is not None and cache[0] == 4
    _assert_intact(4)
    _verify_register_passes()


@pytest.mark.django_db(transaction=True)
def test_a_cache_with_the_right_size_but_another_frontier_writes_nothing_wrong(
    publish,
) -> None:
    for i in range(3):
        publish(f"doc {i}".encode(), document_id=str(i))
    size, frontier = register_services._head_cache or (0, b"")
    assert size == 3
    # The danger the cache rules guard against: same size, different tree. The head's
    # UPDATE compares the frontier too, so this can only miss and fall back.
    register_services._head_cache = (3, bytes(len(frontier)))
    entry = publish(b"doc 3", document_id="3")
    assert entry.index == 3
    _assert_intact(4)
    _verify_register_passes()


@pytest.mark.django_db(transaction=True)
def test_another_connection_appends_between_cache_fill_and_append(publish, collectivity_a) -> None:
    _postgresql_only()
    publish(b"zero", document_id="0")
    assert register_services._head_cache is not None

    def other_writer() -> None:  # another connection, with its own view of the head
        try:
            saved = register_services._head_cache
            register_append_many(items=[_item("other", collectivity_a)])
            register_services._head_cache = saved
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join()
    assert register_services._head_cache is not None
    assert register_services._head_cache[0] == 1  # stale: the head is at 2 now
    entry = publish(b"two", document_id="2")
    assert entry.index == 2
    _assert_intact(3)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_append_leaves_nothing_and_the_next_append_rereads(publish) -> None:
    publish(b"zero", document_id="0")
    assert register_services._head_cache is not None
    with pytest.raises(Boom), transaction.atomic():
        publish(b"doomed", document_id="doomed")
        assert RegisterEntry.objects.count() == 2  # visible inside the transaction
        raise Boom
    # Cleared when the append started, never set: the rolled back head is not cached.
    assert register_services._head_cache is None
    assert RegisterEntry.objects.count() == 1
    entry = publish(b"one", document_id="1")
    assert entry.index == 1 and entry.metadata["document"] == "test.document:1"
    _assert_intact(2)
    _verify_register_passes()


@pytest.mark.django_db(transaction=True)
def test_several_appends_in_one_transaction_then_more(publish) -> None:
    with transaction.atomic():
        entries = [publish(f"doc {i}".encode(), document_id=str(i)) for i in range(5)]
        with pytest.raises(Boom), transaction.atomic():  # a savepoint rolled back
            publish(b"doomed", document_id="doomed")
            raise Boom
        entries.append(publish(b"doc 5", document_id="5"))
    assert [e.index for e in entries] == list(range(6))
    assert register_services._head_cache is not None
    assert register_services._head_cache[0] == 6  # the last committed head, not 5 or 7
    entries.append(publish(b"doc 6", document_id="6"))
    assert entries[-1].index == 6
    _assert_intact(7)
    _verify_register_passes()


@pytest.mark.django_db(transaction=True)
def test_a_cached_append_is_one_statement(publish, django_assert_num_queries) -> None:
    _postgresql_only()
    for i in range(4):  # prepares the statements for 1, 2 and 3 new nodes
        publish(f"doc {i}".encode(), document_id=str(i))
    with django_assert_num_queries(1) as captured:  # no BEGIN/COMMIT, no head read
        publish(b"doc 4", document_id="4")  # 1 new node
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE infitah_register_append_1(")
    _assert_intact(5)


def _item(name: str, collectivity: Collectivity) -> RegisterItem:
    return RegisterItem(
        action="publish",
        collectivity=collectivity,
        document_type="test.document",
        document_id=name,
        file_name=f"{name}.pdf",
        file_sha256=hashlib.sha256(name.encode()).hexdigest(),
        metadata={"worker": name},
        published_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)
def test_threads_with_their_own_connections_stay_gapless(collectivity_a) -> None:
    _postgresql_only()
    errors: list[BaseException] = []
    committed = [0] * 4

    def worker(n: int) -> None:
        try:
            for i in range(30):
                item = _item(f"{n}-{i}", collectivity_a)
                if i % 7 == 3:  # some appends roll back with their transaction
                    with pytest.raises(Boom), transaction.atomic():
                        register_append(**item.__dict__)
                        raise Boom
                elif i % 5 == 0:  # some inside a committed enclosing transaction
                    with transaction.atomic():
                        register_append(**item.__dict__)
                        register_append(**_item(f"{n}-{i}b", collectivity_a).__dict__)
                    committed[n] += 2
                else:
                    register_append(**item.__dict__)
                    committed[n] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    _assert_intact(sum(committed))
