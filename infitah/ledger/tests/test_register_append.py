"""Appending to the publication register: gapless indexes, stored nodes, checkpoints."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading

import pytest
import time_machine

from django.db import connection, connections
from django.utils import timezone

from infitah.ledger import merkle, signing
from infitah.ledger.models import Checkpoint, RegisterEntry, RegisterNode
from infitah.ledger.register_selectors import (
    checkpoint_is_valid,
    register_consistency_proof,
    register_head_get,
    register_inclusion_proof,
    register_root_get,
)
from infitah.ledger.register_services import (
    RegisterItem,
    checkpoint_maybe_sign,
    checkpoint_sign,
    register_append,
    register_append_many,
)

pytestmark = pytest.mark.django_db


def test_append_is_gapless_and_matches_the_merkle_reference(publish) -> None:
    entries = [publish(f"file {i}".encode(), document_id=str(i)) for i in range(13)]
    assert [e.index for e in entries] == list(range(13))
    leaves = [bytes.fromhex(e.leaf_hash) for e in RegisterEntry.objects.order_by("index")]
    head = register_head_get()
    assert head.tree_size == 13 and head.root_hash == merkle.root(leaves)
    assert RegisterNode.objects.count() == 2 * 13 - bin(13).count("1")
    for size in range(1, 14):
        root = register_root_get(tree_size=size)
        assert root == merkle.root(leaves[:size])
        for index in range(size):
            proof = register_inclusion_proof(index=index, tree_size=size)
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        for first in range(1, size + 1):
            proof = register_consistency_proof(first=first, second=size)
            assert merkle.verify_consistency(first, size, merkle.root(leaves[:first]), root, proof)


def test_leaf_is_the_documented_hash_of_file_and_metadata(publish, collectivity_a) -> None:
    entry = publish(b"%PDF-1.7 budget", metadata={"title": "الميزانية 2026", "pages": 3})
    sha = hashlib.sha256(b"%PDF-1.7 budget").hexdigest()
    assert entry.metadata == {
        "title": "الميزانية 2026",
        "pages": 3,
        "action": "publish",
        "collectivity": collectivity_a.slug,
        "document": "test.document:1",
        "published_at": signing.format_timestamp(entry.published_at),
    }
    canonical = merkle.canonical_json(entry.metadata)
    leaf_input = hashlib.sha256(sha.encode() + b"\n" + canonical).digest()
    assert entry.leaf_hash == hashlib.sha256(b"\x00" + leaf_input).hexdigest()
    # What the database gives back hashes the same.
    stored = RegisterEntry.objects.get(index=entry.index)
    assert merkle.entry_leaf_hash(stored.file_sha256, stored.metadata).hex() == entry.leaf_hash


@pytest.mark.parametrize(
    "change",
    [
        {"action": "publicise"},
        {"file_sha256": "ABC"},
        {"file_sha256": "A" * 64},
        {"metadata": {"action": "withdraw"}},
        {"metadata": {"ratio": 0.5}},
        {"metadata": {"title": "nul \x00"}},
        {"published_at": dt.datetime(2026, 1, 1)},
        {"document_id": ""},
    ],
)
def test_bad_appends_are_refused(collectivity_a, change) -> None:
    args = {
        "action": "publish",
        "collectivity": collectivity_a,
        "document_type": "test.document",
        "document_id": "1",
        "file_name": "x.pdf",
        "file_sha256": "a" * 64,
        "metadata": {},
        "published_at": timezone.now(),
        **change,
    }
    with pytest.raises(ValueError):
        register_append(**args)
    assert not RegisterEntry.objects.exists()


def test_single_append_is_lean(publish, django_assert_max_num_queries) -> None:
    publish(b"first")
    # Lock the head, insert the entry, insert its nodes, update the head (+ savepoints).
    with django_assert_max_num_queries(6):
        publish(b"second", document_id="2")


def test_append_many_equals_single_appends(collectivity_a) -> None:
    now = timezone.now()
    items = [
        RegisterItem(
            action="publish",
            collectivity=collectivity_a,
            document_type="test.document",
            document_id=str(i),
            file_name=f"f{i}.pdf",
            file_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            metadata={"i": i},
            published_at=now,
        )
        for i in range(37)
    ]
    register_append_many(items=items[:5])
    register_append(**items[5].__dict__)
    register_append_many(items=items[6:])
    assert register_append_many(items=[]) == []
    leaves = [bytes.fromhex(h) for h in RegisterEntry.objects.values_list("leaf_hash", flat=True)]
    assert len(leaves) == 37
    assert register_head_get().root_hash == merkle.root(leaves)
    assert RegisterNode.objects.count() == 2 * 37 - bin(37).count("1")


def test_checkpoint_signature_verifies_with_the_published_key(publish) -> None:
    publish(b"one")
    publish(b"two", document_id="2")
    cp = checkpoint_sign()
    assert cp is not None and cp.tree_size == 2
    assert cp.root_hash == register_head_get().root_hash.hex()
    stamp = cp.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = f"infitah-register\n2\n{cp.root_hash}\n{stamp}\n".encode()
    assert message == signing.checkpoint_message(
        tree_size=2, root_hash_hex=cp.root_hash, timestamp=cp.timestamp
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signing.public_key_b64()))
    key.verify(base64.b64decode(cp.signature), message)  # raises if invalid
    assert len(base64.b64decode(cp.public_key)) == 32 and checkpoint_is_valid(cp)
    cp.signature = base64.b64encode(bytes(64)).decode()
    assert not checkpoint_is_valid(cp)


def test_checkpoints_at_most_once_a_minute_and_at_least_hourly(publish) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 22, 21, 15, 0, tzinfo=dt.UTC), tick=False) as t:
        assert checkpoint_maybe_sign() is None  # empty register: nothing to sign
        publish(b"one")
        first = checkpoint_maybe_sign()
        assert first is not None and first.tree_size == 1
        assert signing.format_timestamp(first.timestamp) == "2026-11-22T21:15:00Z"
        publish(b"two", document_id="2")
        t.shift(30)
        assert checkpoint_maybe_sign() is None  # grew, but the last one is 30 s old
        t.shift(30)
        second = checkpoint_maybe_sign()
        assert second is not None and second.tree_size == 2
        t.shift(600)
        assert checkpoint_maybe_sign() is None  # no growth
        assert checkpoint_maybe_sign(force_hourly=True) is None  # only 10 minutes old
        t.shift(3000)
        hourly = checkpoint_maybe_sign(force_hourly=True)
        assert hourly is not None and hourly.tree_size == 2
        assert Checkpoint.objects.count() == 3


def test_append_signs_a_checkpoint_after_commit(
    publish, django_capture_on_commit_callbacks
) -> None:
    from infitah.ledger import register_services

    register_services._next_check = None
    with django_capture_on_commit_callbacks(execute=True):
        publish(b"one")
    assert Checkpoint.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        publish(b"two", document_id="2")  # within the minute: no new checkpoint
    assert Checkpoint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_gapless(collectivity_a) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads on the SQLite test database serialise anyway")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                register_append(
                    action="publish",
                    collectivity=collectivity_a,
                    document_type="test.document",
                    document_id=f"{n}-{i}",
                    file_name="f.pdf",
                    file_sha256=hashlib.sha256(f"{n}-{i}".encode()).hexdigest(),
                    metadata={},
                    published_at=timezone.now(),
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    indexes = list(RegisterEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(90))
    leaves = [bytes.fromhex(h) for h in RegisterEntry.objects.values_list("leaf_hash", flat=True)]
    assert register_head_get().root_hash == merkle.root(leaves)
