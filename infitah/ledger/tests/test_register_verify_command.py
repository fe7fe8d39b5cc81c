"""`manage.py verify_register` recomputes everything and names each difference."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

from infitah.ledger.models import Checkpoint, RegisterEntry, RegisterHead, RegisterNode
from infitah.ledger.register_services import checkpoint_sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(publish) -> list[RegisterEntry]:
    entries = [publish(f"document {i}".encode(), document_id=str(i)) for i in range(6)]
    checkpoint_sign()
    entries.append(publish(b"document 6", document_id="6", action="new_version"))
    checkpoint_sign()
    return entries


def _run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_register", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_register", stdout=StringIO(), stderr=err)
    return f"{exc.value}\n{err.getvalue()}"


def test_an_intact_register_passes(register) -> None:
    out, err = _run()
    assert "7 entries, 7 files re-hashed, 11 nodes, 2 checkpoints" in out
    assert "OK" in out and not err


def test_empty_register_passes(db) -> None:
    out, _ = _run()
    assert "0 entries" in out and "OK" in out


def test_changed_file_on_disk(register, media) -> None:
    Path(media, register[2].file_name).write_bytes(b"forged")
    report = _fails()
    assert "entry 2: changed file" in report and "1 difference(s)" in report


def test_missing_file(register, media) -> None:
    Path(media, register[3].file_name).unlink()
    assert "entry 3: cannot read file" in _fails()


def test_changed_metadata(register) -> None:
    meta = {**register[4].metadata, "title": "Another title"}
    RegisterEntry.objects.filter(index=4).update(metadata=meta)
    report = _fails()
    assert "entry 4: changed metadata or leaf hash" in report


def test_changed_column_covered_by_the_hash(register, collectivity_b) -> None:
    RegisterEntry.objects.filter(index=1).update(collectivity=collectivity_b, action="withdraw")
    report = _fails()
    assert "entry 1: column collectivity" in report and "entry 1: column action" in report


def test_changed_leaf_and_its_stored_node(register) -> None:
    RegisterEntry.objects.filter(index=5).update(file_sha256="0" * 64)
    report = _fails()
    assert "entry 5: changed metadata or leaf hash" in report


def test_changed_node(register) -> None:
    RegisterNode.objects.filter(level=1, index=1).update(hash=b"\x01" * 32)
    report = _fails()
    assert "node 1/1: changed node hash" in report and "1 difference(s)" in report


def test_missing_and_extra_nodes(register) -> None:
    RegisterNode.objects.filter(level=2, index=0).delete()
    RegisterNode.objects.create(level=3, index=0, hash=b"\x02" * 32)
    report = _fails()
    assert "level 2: 1 missing node(s)" in report and "node 3/0: beyond the tree" in report


def test_bad_checkpoint_signature(register) -> None:
    cp = Checkpoint.objects.order_by("id").first()
    bad = base64.b64encode(bytes(64)).decode()
    Checkpoint.objects.filter(pk=cp.pk).update(signature=bad)
    assert f"checkpoint {cp.pk} (tree size 6" in _fails() and "bad signature" in _fails()


def test_forged_checkpoint_root(register) -> None:
    cp = Checkpoint.objects.order_by("id").first()
    Checkpoint.objects.filter(pk=cp.pk).update(root_hash="ab" * 32)
    report = _fails()
    assert "bad signature" in report and "root differs" in report


def test_gap_in_indexes(register) -> None:
    RegisterEntry.objects.filter(index=3).delete()
    report = _fails()
    assert "gap in indexes: no entry 3 to 3" in report


def test_head_out_of_step(register) -> None:
    RegisterHead.objects.filter(pk=1).update(tree_size=8)
    assert "head: tree size 8, but 7 leaves" in _fails()


def test_skip_files(register, media) -> None:
    Path(media, register[2].file_name).write_bytes(b"forged")
    out = StringIO()
    call_command("verify_register", "--skip-files", stdout=out, stderr=StringIO())
    assert "OK" in out.getvalue()
