"""`python -m infitah.witness URL`: witness the publication register of a deployment.

URL is the register's log prefix, e.g. https://infitah.example.ma/register/log. Each run:

1. fetches URL/checkpoint and verifies its Ed25519 note signature with the log's
   verifier keys: those given with --vkey, else, on the first run, URL/vkey (trust on
   first use), stored for later runs;
2. compares it with the last checkpoint this witness saw of that log: a smaller tree (a
   rollback) or another root at the same size (a split view) is refused, reported loudly
   and kept as evidence; a larger tree must be consistent with the last one, which the
   witness proves itself from the log's tiles (URL/tile/...), RFC 6962 hashing;
3. stores the checkpoint as the last one seen (in the state folder);
4. countersigns it (a C2SP cosignature/v1, Ed25519, with the witness's own key, made on
   the first run) and posts the cosigned note to URL/cosignature.

Exit status: 0 cosigned; 1 an error (network, configuration, the deployment refused the
cosignature); 2 the log misbehaved (rollback, split view, inconsistent tree, bad
signature): nothing is cosigned. Standard library and `cryptography` only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infitah.ledger import merkle, tlog

USER_AGENT = "infitah-witness/1"
TIMEOUT = 30
EXIT_OK, EXIT_ERROR, EXIT_MISBEHAVIOUR = 0, 1, 2


class WitnessError(Exception):
    """A failure that is not the log's fault (network, configuration): exit 1."""


class Misbehaviour(Exception):
    """Evidence that the log misbehaved: exit 2, nothing cosigned."""

    def __init__(self, kind: str, message: str, evidence: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.evidence = evidence


# --- HTTP --------------------------------------------------------------------------


def http_get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise WitnessError(f"GET {url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise WitnessError(f"GET {url}: {exc}") from exc


def http_post(url: str, body: bytes) -> str:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={"User-Agent": USER_AGENT, "Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return bytes(response.read()).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise WitnessError(f"POST {url}: HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise WitnessError(f"POST {url}: {exc}") from exc


# --- State -------------------------------------------------------------------------


def default_state_dir() -> Path:
    env = os.environ.get("INFITAH_WITNESS_STATE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "infitah-witness"


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write a file so that a crash leaves either the old or the new content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Identity:
    name: str
    key: Ed25519PrivateKey

    @property
    def vkey(self) -> str:
        return tlog.vkey_format(self.name, tlog.TYPE_COSIGNATURE_V1, tlog.public_bytes(self.key))


def identity_load(state: Path, name: str | None) -> tuple[Identity, bool]:
    """The witness's name and key, made on the first run (the key file is 0600)."""
    key_file, name_file = state / "witness.key", state / "witness.name"
    created = False
    if not key_file.exists():
        chosen = name or f"{socket.getfqdn()}/infitah-witness"
        if not tlog.is_valid_name(chosen):
            raise WitnessError(f"invalid witness name {chosen!r}: no spaces, no '+'")
        seed = os.urandom(32)
        write_atomic(name_file, chosen.encode() + b"\n")
        write_atomic(key_file, base64.b64encode(seed) + b"\n", mode=0o600)
        created = True
    stored_name = name_file.read_text().strip()
    if name and name != stored_name:
        raise WitnessError(f"this state folder is the witness {stored_name!r}, not {name!r}")
    seed = base64.b64decode(key_file.read_text().strip(), validate=True)
    return Identity(name=stored_name, key=Ed25519PrivateKey.from_private_bytes(seed)), created


@dataclass
class LogState:
    """What the witness remembers of one log."""

    url: str
    vkeys: list[str] = field(default_factory=list)
    origin: str = ""
    tree_size: int = 0
    root_hash: str = ""  # base64
    checkpoint: str = ""  # the last checkpoint note it accepted

    @staticmethod
    def path(state: Path, url: str) -> Path:
        return state / "logs" / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.json"

    @classmethod
    def load(cls, state: Path, url: str) -> LogState:
        path = cls.path(state, url)
        if not path.exists():
            return cls(url=url)
        return cls(**json.loads(path.read_text()))

    def save(self, state: Path) -> None:
        data = json.dumps(self.__dict__, indent=2, sort_keys=True).encode() + b"\n"
        write_atomic(self.path(state, self.url), data)


def evidence_save(state: Path, url: str, kind: str, text: str) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = state / "evidence" / f"{stamp}-{kind}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.txt"
    write_atomic(path, text.encode())
    return path


# --- Verification ------------------------------------------------------------------


class Tiles:
    """The log's tiles for a tree of `tree_size` leaves, fetched once each."""

    def __init__(self, url: str, tree_size: int) -> None:
        self.url, self.tree_size = url, tree_size
        self.cache: dict[tuple[int, int, int], bytes] = {}

    def read(self, level: int, index: int, width: int) -> bytes:
        key = (level, index, width)
        if key not in self.cache:
            self.cache[key] = http_get(f"{self.url}/{tlog.tile_path(level, index, width)}")
        return self.cache[key]

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end) from the tiles (an aligned range, as proofs need)."""
        try:
            nodes = {
                node: tlog.node_from_tiles(node[0], node[1], self.read, self.tree_size)
                for node in merkle.perfect_nodes(start, end)
            }
        except tlog.NoteError as exc:
            raise Misbehaviour("inconsistent-tiles", f"the log serves a bad tile: {exc}") from exc
        return merkle.subtree_hash(start, end, nodes)


def checkpoint_verify(
    raw: bytes, verifiers: list[tlog.Verifier]
) -> tuple[tlog.Note, tlog.Checkpoint, list[str]]:
    """Parse a checkpoint note and check the log's signature: its note, its checkpoint and
    the log's signature lines (to pass on with the cosignature)."""
    try:
        note = tlog.note_parse(raw)
        checkpoint = tlog.checkpoint_parse(note.text)
        good = tlog.note_verify(note, verifiers)
    except tlog.NoteError as exc:
        raise Misbehaviour(
            "bad-checkpoint", f"the checkpoint is invalid: {exc}", raw.decode("utf-8", "replace")
        ) from exc
    if not good:
        raise WitnessError(
            "the checkpoint carries no signature by a key this witness trusts for this log "
            "(if the log rotated its key, check the new one out of band and add it with --vkey)"
        )
    lines = [sig.line for v in good for sig in note.signatures_by(v)]
    return note, checkpoint, lines


def consistency_check(log: LogState, checkpoint: tlog.Checkpoint, url: str) -> None:
    """Raise Misbehaviour unless `checkpoint` extends the last one seen (a rollback or a
    second root at the same size is refused at once), the log's tiles give its root, and,
    when it is larger, the consistency proof built from those tiles holds."""
    old, new = log.tree_size, checkpoint.tree_size
    old_root = base64.b64decode(log.root_hash) if old else b""
    if old and new < old:
        raise Misbehaviour(
            "rollback",
            f"ROLLBACK: the log now shows {new} entries, but this witness already saw "
            f"{old}: entries were removed, or someone is shown another log",
        )
    if old and new == old and checkpoint.root_hash != old_root:
        new_root = base64.b64encode(checkpoint.root_hash).decode()
        raise Misbehaviour(
            "split-view",
            f"SPLIT VIEW: two different checkpoints of the same size {new} "
            f"(root {log.root_hash} before, {new_root} now)",
        )
    tiles = Tiles(url, new)
    if new and tiles.subtree(0, new) != checkpoint.root_hash:
        raise Misbehaviour(
            "inconsistent-tiles", "the log's tiles do not give the root of its checkpoint"
        )
    if not old or new == old:
        return
    proof = [tiles.subtree(a, b) for a, b in merkle.consistency_ranges(old, new)]
    if not merkle.verify_consistency(old, new, old_root, checkpoint.root_hash, proof):
        raise Misbehaviour(
            "split-view",
            f"SPLIT VIEW: the tree of {new} entries does not extend the tree of {old} "
            "entries this witness saw before (the consistency proof fails)",
        )


def say(message: str) -> None:
    print(message, flush=True)


def witness(url: str, state: Path, *, name: str | None, vkeys: list[str], post: bool) -> None:
    """One run for one log, saying what it does. Raises WitnessError or Misbehaviour."""
    identity, created = identity_load(state, name)
    if created:
        say(
            f"new witness key; give this verifier key to the deployment's network "
            f"administrators (INFITAH_REGISTER_WITNESSES):\n  {identity.vkey}"
        )
    log = LogState.load(state, url)
    for vkey in vkeys:
        try:
            tlog.vkey_parse(vkey, key_type=tlog.TYPE_ED25519)
        except tlog.NoteError as exc:
            raise WitnessError(f"--vkey {vkey!r}: {exc}") from exc
        if vkey not in log.vkeys:
            log.vkeys.append(vkey)
    if not log.vkeys:
        fetched = http_get(f"{url}/vkey").decode("utf-8", "replace").strip()
        try:
            tlog.vkey_parse(fetched, key_type=tlog.TYPE_ED25519)
        except tlog.NoteError as exc:
            raise WitnessError(f"{url}/vkey: {exc}") from exc
        log.vkeys.append(fetched)
        say(f"trusting the log's key on first use: {fetched}")
    verifiers = [tlog.vkey_parse(v) for v in log.vkeys]

    raw = http_get(f"{url}/checkpoint")
    note, checkpoint, log_lines = checkpoint_verify(raw, verifiers)
    if log.origin and checkpoint.origin != log.origin:
        raise WitnessError(f"the checkpoint is of {checkpoint.origin!r}, not {log.origin!r}")
    try:
        consistency_check(log, checkpoint, url)
    except Misbehaviour as exc:
        exc.evidence = exc.evidence or (
            f"# last checkpoint seen\n{log.checkpoint}\n# offending checkpoint\n"
            + raw.decode("utf-8", "replace")
        )
        raise

    log.origin = checkpoint.origin
    log.tree_size = checkpoint.tree_size
    log.root_hash = base64.b64encode(checkpoint.root_hash).decode()
    log.checkpoint = tlog.note_format(note.text, log_lines)
    log.save(state)  # Seen and verified: the witness's view moves on, posted or not.

    line = tlog.cosignature_sign(note.text, identity.name, identity.key, int(time.time()))
    cosigned = tlog.note_format(note.text, [*log_lines, line])
    if post:
        http_post(f"{url}/cosignature", cosigned.encode())
    say(
        f"cosigned {checkpoint.origin} at {checkpoint.tree_size} entries"
        + ("" if post else " (not posted)")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infitah.witness",
        description="Witness an Infitah publication register: verify its latest checkpoint "
        "against the last one seen, and post back a C2SP cosignature.",
    )
    parser.add_argument("url", nargs="?", help="the log prefix, e.g. https://host/register/log")
    parser.add_argument("--state", type=Path, default=None, help="state folder (key, logs seen)")
    parser.add_argument(
        "--name", help="the witness's name, on the first run (e.g. ngo.example.ma/w1)"
    )
    parser.add_argument("--vkey", action="append", default=[], help="a trusted log verifier key")
    parser.add_argument("--no-post", action="store_true", help="verify and store, do not post")
    parser.add_argument("--print-vkey", action="store_true", help="print this witness's vkey")
    args = parser.parse_args(argv)
    state = args.state or default_state_dir()
    try:
        if args.print_vkey:
            identity, _created = identity_load(state, args.name)
            print(identity.vkey)
            return EXIT_OK
        if not args.url:
            parser.error("the log's URL is required")
        url = args.url.rstrip("/")
        witness(url, state, name=args.name, vkeys=args.vkey, post=not args.no_post)
    except Misbehaviour as exc:
        path = evidence_save(state, args.url or "", exc.kind, exc.evidence or str(exc))
        banner = "!" * 72
        print(
            f"{banner}\nTHE LOG MISBEHAVED ({exc.kind}): {exc}\nNothing was cosigned. "
            f"Evidence kept in {path}\n{banner}",
            file=sys.stderr,
        )
        return EXIT_MISBEHAVIOUR
    except WitnessError as exc:
        print(f"witness: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
