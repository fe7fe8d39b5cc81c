"""`python -m infitah.witness`, run as a separate process against the live site: two
witnesses cosign, the log grows, they cosign again; a forged rollback of the head and a
split view are refused by both, loudly (docs/register.md, "Witnesses")."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings
from django.test import Client
from django.utils import timezone

from infitah.ledger import signing, tlog
from infitah.ledger.models import Checkpoint, Cosignature
from infitah.ledger.register_selectors import register_root_get
from infitah.ledger.register_services import checkpoint_sign
from infitah.ledger.tests.register_items import register_grow

pytestmark = pytest.mark.django_db(transaction=True)


def run_witness(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infitah.witness", "--state", str(state), *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _forge_head(*, tree_size: int, root: bytes) -> Checkpoint:
    """What a misbehaving (or compromised) log would do: sign, with its real key, another
    head, newer than any other, so that /register/log/checkpoint serves it."""
    origin = signing.origin()
    at = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    return Checkpoint.objects.create(
        tree_size=tree_size,
        root_hash=root.hex(),
        timestamp=at,
        signature=signing.sign(
            signing.checkpoint_message(tree_size=tree_size, root_hash_hex=root.hex(), timestamp=at)
        ),
        public_key=signing.public_key_b64(),
        origin=origin,
        note_signature=signing.note_sign(
            tlog.checkpoint_text(origin, tree_size, root), name=origin
        ),
    )


def test_two_witnesses_cosign_the_growing_log_and_refuse_a_rollback(
    live_server, collectivity_a, tmp_path, settings
) -> None:
    url = f"{live_server.url}/register/log"
    states = [tmp_path / "ngo", tmp_path / "press"]
    names = ["ngo.example.ma/w1", "press.example.ma/w2"]
    vkeys = []
    for state, name in zip(states, names, strict=True):
        done = run_witness(state, "--print-vkey", "--name", name)
        assert done.returncode == 0, done.stderr
        vkeys.append(done.stdout.strip())
        assert (state / "witness.key").stat().st_mode & 0o777 == 0o600
    assert tlog.vkey_parse(vkeys[0], key_type=tlog.TYPE_COSIGNATURE_V1).name == names[0]
    settings.INFITAH_REGISTER_WITNESSES = vkeys

    # Nothing to witness yet: an error, not an alarm.
    assert run_witness(states[0], url).returncode == 1

    register_grow(collectivity_a, 0, 40)
    checkpoint_sign()
    for state in states:
        done = run_witness(state, url)
        assert done.returncode == 0, done.stderr
        assert "trusting the log's key on first use" in done.stdout
        assert f"cosigned {signing.origin()} at 40 entries" in done.stdout
    assert sorted(Cosignature.objects.values_list("witness_name", "tree_size")) == [
        (names[0], 40),
        (names[1], 40),
    ]

    # The log grows past a full tile: each witness proves consistency from the tiles.
    register_grow(collectivity_a, 40, 260)
    checkpoint_sign()
    for state in states:
        done = run_witness(state, url)
        assert done.returncode == 0, done.stderr
        assert "at 300 entries" in done.stdout and "first use" not in done.stdout
    sizes = dict(Cosignature.objects.filter(tree_size=300).values_list("witness_name", "tree_size"))
    assert sizes == {names[0]: 300, names[1]: 300}
    served = tlog.note_parse(Client().get("/register/log/checkpoint").content)
    assert {s.name for s in served.signatures} == {signing.origin(), *names}
    html = Client().get("/fr/register/").content.decode()
    assert names[0] in html and names[1] in html and "300" in html

    # A forged rollback of the head to 40 entries, signed with the log's real key.
    forged = _forge_head(tree_size=40, root=register_root_get(tree_size=40))
    for state in states:
        done = run_witness(state, url)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "ROLLBACK" in done.stderr and "Nothing was cosigned" in done.stderr
        assert list((state / "evidence").iterdir())
        # Its view of the log is kept: the last good checkpoint, not the forged one.
        (log_state,) = (state / "logs").iterdir()
        assert json.loads(log_state.read_text())["tree_size"] == 300
    assert Cosignature.objects.count() == 4
    forged.delete()

    # A split view: another tree of the same size, signed with the log's real key.
    forged = _forge_head(tree_size=300, root=hashlib.sha256(b"another tree").digest())
    for state in states:
        done = run_witness(state, url)
        assert done.returncode == 2 and "SPLIT VIEW" in done.stderr, done.stderr
    forged.delete()
    assert Cosignature.objects.count() == 4

    # Back to the honest head: the witnesses' view was kept, they cosign again.
    for state in states:
        assert run_witness(state, url).returncode == 0
    assert Cosignature.objects.filter(tree_size=300).count() >= 2


def test_the_deployment_refuses_an_unconfigured_witness(
    live_server, collectivity_a, tmp_path, settings
) -> None:
    settings.INFITAH_REGISTER_WITNESSES = []
    register_grow(collectivity_a, 0, 3)
    checkpoint_sign()
    done = run_witness(tmp_path / "w", f"{live_server.url}/register/log", "--name", "w.example/1")
    assert done.returncode == 1 and "HTTP 403" in done.stderr
    assert "new witness key" in done.stdout
    assert not Cosignature.objects.exists()


def test_a_key_the_witness_does_not_trust(live_server, collectivity_a, tmp_path) -> None:
    """Pinned to another log key (a rotation it was not told of, or an impostor)."""
    register_grow(collectivity_a, 0, 3)
    checkpoint_sign()
    other = tlog.vkey_format(signing.origin(), tlog.TYPE_ED25519, bytes(range(32)))
    done = run_witness(tmp_path / "w", f"{live_server.url}/register/log", "--vkey", other)
    assert done.returncode == 1 and "no signature by a key this witness trusts" in done.stderr


def test_the_witness_needs_no_django(tmp_path) -> None:
    code = (
        "import sys, infitah.witness.__main__ as w; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'; "
        "sys.exit(w.main(['--state', sys.argv[1], '--print-vkey', '--name', 'w.example/1']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "w")],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "DJANGO_SETTINGS_MODULE": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("w.example/1+")
