"""The register checked by Go's own transparency-log packages, none of our code:
golang.org/x/mod/sumdb/note (the checkpoint's signature) and sumdb/tlog (tiles, inclusion
and consistency proofs), through the small program tests/go/tlogverify.

Debian: `apt-get install golang-go golang-golang-x-mod-dev`, built in GOPATH mode,
offline. Without them these tests skip, unless INFITAH_REQUIRE_GO=1 (set by .ci/run),
where they fail."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from django.conf import settings
from django.test import Client

from infitah.ledger import signing, tlog
from infitah.ledger.register_services import checkpoint_sign
from infitah.ledger.tests.register_items import register_grow

GO_SOURCE = Path(settings.BASE_DIR) / "tests" / "go" / "tlogverify"
GO_MOD = Path("/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog")
LOG = "/register/log"


@pytest.fixture(scope="session")
def go_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of an offline GOPATH-mode build, and the verifier built once (with
    `go build`, the same compilation as `go run`) at GO_BINARY."""
    go = shutil.which("go")
    if go is None or not GO_MOD.is_dir():
        message = (
            "Go or golang.org/x/mod is missing: install Debian's golang-go and "
            "golang-golang-x-mod-dev to check the register with Go's sumdb/note and sumdb/tlog"
        )
        if os.environ.get("INFITAH_REQUIRE_GO", "") == "1":
            pytest.fail(f"{message} (INFITAH_REQUIRE_GO=1)")
        pytest.skip(message)
    home = tmp_path_factory.mktemp("go")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "GO111MODULE": "off",  # GOPATH mode: x/mod from Debian's /usr/share/gocode
        "GOPATH": f"/usr/share/gocode:{home / 'gopath'}",
        "GOCACHE": str(home / "cache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "CGO_ENABLED": "0",
    }
    binary = home / "tlogverify"
    built = subprocess.run(
        [go, "build", "-o", str(binary), "./tests/go/tlogverify"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return {**env, "GO_BINARY": str(binary)}


def go_verify(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [env["GO_BINARY"], *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _proofs(get: Any, *, old: int, new: int, indexes: list[int]) -> dict[str, Any]:
    """The API's inclusion proofs (at both sizes) and consistency proof, as JSON."""
    inclusion = []
    for size in (old, new):
        for i in indexes:
            if i >= size:
                continue
            proof = get(f"/api/v1/register/proof/inclusion?index={i}&tree_size={size}")
            entry = get(f"/api/v1/register/entries/{i}")
            inclusion.append({**proof, "leaf_hash": entry["leaf_hash"]})
    consistency = [get(f"/api/v1/register/proof/consistency?first={old}&second={new}")]
    return {"inclusion": inclusion, "consistency": consistency}


@pytest.mark.django_db(transaction=True)
def test_go_verifies_the_live_log(go_env, live_server, collectivity_a, tmp_path) -> None:
    """Over HTTP, from the running site: checkpoint, vkey, tiles, entry bundles, and the
    API's proofs, for a tree with full and partial tiles at two levels."""
    base = f"{live_server.url}{LOG}"

    def get(path: str) -> Any:
        with urllib.request.urlopen(f"{live_server.url}{path}", timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def fetch(path: str) -> bytes:
        with urllib.request.urlopen(f"{base}/{path}", timeout=30) as response:  # noqa: S310
            return bytes(response.read())

    register_grow(collectivity_a, 0, 300)
    checkpoint_sign()
    old = tmp_path / "old-checkpoint"
    old.write_bytes(fetch("checkpoint"))
    register_grow(collectivity_a, 300, 217)  # 517 entries: 2 full level-0 tiles and one of 5
    checkpoint_sign()
    (tmp_path / "proofs.json").write_text(
        json.dumps(_proofs(get, old=300, new=517, indexes=[0, 1, 255, 256, 299, 300, 516]))
    )
    vkey = fetch("vkey").decode().strip()
    done = go_verify(
        go_env,
        f"-base={base}",
        f"-vkey={vkey}",
        f"-origin={settings.INFITAH_REGISTER_ORIGIN}",
        f"-old={old}",
        f"-proofs={tmp_path / 'proofs.json'}",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"OK {settings.INFITAH_REGISTER_ORIGIN} size 517 root "), (
        done.stdout
    )
    assert ": 517 entries, 1 consistency, 13 API proofs verified" in done.stdout


class Mirror:
    """The log's files, as the test client gets them, in a folder of the same paths, to
    be checked by Go and then tampered with."""

    def __init__(self, client: Client, root: Path) -> None:
        self.client, self.root = client, root

    def get(self, path: str) -> bytes:
        response = self.client.get(f"{LOG}/{path}")
        assert response.status_code == 200, path
        return bytes(response.content)

    def save(self, tree_size: int) -> None:
        self.write("checkpoint", self.get("checkpoint"))
        for level in range(4):
            index = 0
            while width := tlog.tile_width(level, index, tree_size):
                self.write(
                    tlog.tile_path(level, index, width),
                    self.get(tlog.tile_path(level, index, width)),
                )
                if level == 0:
                    path = tlog.tile_path(-1, index, width)
                    self.write(path, self.get(path))
                index += 1

    def write(self, path: str, data: bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def flip(self, path: str, offset: int) -> None:
        data = bytearray((self.root / path).read_bytes())
        data[offset] ^= 0x01
        (self.root / path).write_bytes(bytes(data))


@pytest.fixture
def mirror(db, client, collectivity_a, tmp_path) -> Iterator[tuple[Mirror, str, Path]]:
    register_grow(collectivity_a, 0, 100)
    checkpoint_sign()
    old = tmp_path / "old-checkpoint"
    old.write_bytes(client.get(f"{LOG}/checkpoint").content)
    register_grow(collectivity_a, 100, 200)
    checkpoint_sign()
    log = Mirror(client, tmp_path / "log")
    log.save(300)
    vkey = client.get(f"{LOG}/vkey").content.decode().strip()
    yield log, vkey, old


def _run(
    go_env: dict[str, str], log: Mirror, vkey: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return go_verify(go_env, f"-base={log.root}", f"-vkey={vkey}", *extra)


def test_go_verifies_the_files_then_refuses_each_tampering(go_env, mirror, client) -> None:
    log, vkey, old = mirror
    assert _run(go_env, log, vkey, f"-old={old}").returncode == 0

    # A leaf hash changed in a tile: the tiles no longer give the signed root.
    log.flip("tile/0/000", 5 * 32)
    done = _run(go_env, log, vkey)
    assert done.returncode == 1 and "FAIL" in done.stdout
    log.flip("tile/0/000", 5 * 32)
    # An entry changed in its bundle: it no longer hashes to its leaf.
    log.flip("tile/entries/000", 2 + 3)
    done = _run(go_env, log, vkey)
    assert done.returncode == 1 and "entry 0: does not hash to its leaf" in done.stdout
    log.flip("tile/entries/000", 2 + 3)
    assert _run(go_env, log, vkey).returncode == 0


def test_go_refuses_a_tampered_or_foreign_checkpoint(go_env, mirror, settings) -> None:
    log, vkey, _old = mirror
    note = (log.root / "checkpoint").read_text()
    # The size changed (a rollback): the signature no longer matches.
    log.write("checkpoint", note.replace("\n300\n", "\n299\n", 1).encode())
    done = _run(go_env, log, vkey)
    assert done.returncode == 1 and "checkpoint signature" in done.stdout
    # Another root, signed by a key the verifier does not trust.
    text = tlog.checkpoint_text(settings.INFITAH_REGISTER_ORIGIN, 300, bytes(32))
    forged = tlog.note_format(
        text, [tlog.note_sign(text, settings.INFITAH_REGISTER_ORIGIN, Ed25519PrivateKey.generate())]
    )
    log.write("checkpoint", forged.encode())
    done = _run(go_env, log, vkey)
    assert done.returncode == 1 and "checkpoint signature" in done.stdout
    # The verifier key of another origin does not verify ours.
    log.write("checkpoint", note.encode())
    other = tlog.vkey_format("elsewhere.example/log", 1, tlog.vkey_parse(vkey).public_key)
    assert _run(go_env, log, other).returncode == 1
    assert _run(go_env, log, vkey, "-origin=elsewhere.example/log").returncode == 1


def test_go_refuses_a_split_view(go_env, mirror, settings) -> None:
    """The log itself signs another tree of 100 entries: inconsistent with its tiles."""
    log, vkey, _old = mirror
    text = tlog.checkpoint_text(settings.INFITAH_REGISTER_ORIGIN, 100, bytes(range(32)))
    split = log.root.parent / "split"
    split.write_text(
        tlog.note_format(
            text,
            [
                f"{tlog.SIG_PREFIX}{settings.INFITAH_REGISTER_ORIGIN} "
                f"{signing.note_sign(text, name=settings.INFITAH_REGISTER_ORIGIN)}\n"
            ],
        )
    )
    done = _run(go_env, log, vkey, f"-old={split}")
    assert done.returncode == 1 and "consistency 100 -> 300" in done.stdout


def test_go_verifies_across_a_key_rotation(
    go_env, db, client, collectivity_a, tmp_path, settings
) -> None:
    register_grow(collectivity_a, 0, 10)
    checkpoint_sign()
    old = tmp_path / "old-checkpoint"
    old.write_bytes(client.get(f"{LOG}/checkpoint").content)
    old_vkey = client.get(f"{LOG}/vkey").content.decode().strip()
    settings.INFITAH_REGISTER_PREVIOUS_KEYS = [signing.public_key_b64()]
    settings.INFITAH_REGISTER_SIGNING_KEY = base64.b64encode(bytes([3]) * 32).decode()
    register_grow(collectivity_a, 10, 5)
    checkpoint_sign()
    log = Mirror(client, tmp_path / "log")
    log.save(15)
    vkeys = client.get(f"{LOG}/vkeys").content.decode().split()
    assert vkeys[1] == old_vkey
    done = _run(go_env, log, vkeys[0], f"-vkey={old_vkey}", f"-old={old}")
    assert done.returncode == 0, done.stdout
    # With only the new key, the old checkpoint does not verify.
    assert _run(go_env, log, vkeys[0], f"-old={old}").returncode == 1
