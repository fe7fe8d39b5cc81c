"""/register/log/: the register as a C2SP tiled transparency log, witness cosignatures,
key rotation, and what `verify_register` checks of them (docs/register.md, "C2SP")."""

from __future__ import annotations

import base64
import time
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from infitah.ledger import merkle, signing, tlog
from infitah.ledger.models import Checkpoint, Cosignature, RegisterEntry, RegisterNode
from infitah.ledger.register_selectors import (
    checkpoint_is_valid,
    register_audit,
    register_head_get,
)
from infitah.ledger.register_services import (
    checkpoint_maybe_sign,
    checkpoint_sign,
    register_append_many,
)
from infitah.ledger.tests.register_items import register_items

pytestmark = pytest.mark.django_db

LOG = "/register/log"


class Witness:
    """A witness's key, as `python -m infitah.witness` makes one."""

    def __init__(self, name: str, seed: int) -> None:
        self.name = name
        self.key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        self.vkey = tlog.vkey_format(name, tlog.TYPE_COSIGNATURE_V1, tlog.public_bytes(self.key))

    def line(self, text: str, *, at: int | None = None) -> str:
        return tlog.cosignature_sign(text, self.name, self.key, at or int(time.time()))

    def cosign(self, note: str, *, at: int | None = None) -> str:
        """The note with this witness's cosignature line added."""
        return note + self.line(tlog.note_parse(note).text, at=at)

    def cosign_text(self, text: str) -> str:
        """A note of this checkpoint text with this witness's cosignature only."""
        return tlog.note_format(text, [self.line(text)])


@pytest.fixture
def witnesses(settings) -> list[Witness]:
    found = [Witness("ngo.example.ma/w1", 1), Witness("press.example.ma/w2", 2)]
    settings.INFITAH_REGISTER_WITNESSES = [w.vkey for w in found]
    return found


@pytest.fixture
def small(publish) -> None:
    for i in range(3):
        publish(f"document {i}".encode(), document_id=str(i))
    checkpoint_sign()


def _note(client: Client) -> str:
    response = client.get(f"{LOG}/checkpoint")
    assert response.status_code == 200
    return response.content.decode()


def _post(client: Client, note: str) -> tuple[int, str]:
    response = client.post(f"{LOG}/cosignature", note.encode(), content_type="text/plain")
    return response.status_code, response.content.decode()


def test_checkpoint_is_a_c2sp_signed_note(client, small, settings) -> None:
    response = client.get(f"{LOG}/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=5"
    assert not response.cookies
    vkey = client.get(f"{LOG}/vkey").content.decode().strip()
    verifier = tlog.vkey_parse(vkey, key_type=tlog.TYPE_ED25519)
    assert verifier.name == settings.INFITAH_REGISTER_ORIGIN == signing.origin()
    assert verifier.public_key_b64 == signing.public_key_b64()
    note = tlog.note_parse(response.content)
    assert tlog.note_verify(note, [verifier]) == [verifier]
    head = register_head_get()
    assert tlog.checkpoint_parse(note.text) == tlog.Checkpoint(
        settings.INFITAH_REGISTER_ORIGIN, 3, head.root_hash
    )
    assert note.text.count("\n") == 3  # No extension line.
    # The register's own signature of the same checkpoint still verifies too.
    assert checkpoint_is_valid(Checkpoint.objects.get())


def test_no_checkpoint_yet(client, db) -> None:
    response = client.get(f"{LOG}/checkpoint")
    assert response.status_code == 404 and response["Cache-Control"] == "no-store"
    assert client.post(f"{LOG}/checkpoint").status_code == 405


def test_origin_setting_names_the_log(client, publish, settings) -> None:
    settings.INFITAH_REGISTER_ORIGIN = "register.infitah.ma/register/log"
    publish(b"x")
    checkpoint_sign()
    assert _note(client).startswith("register.infitah.ma/register/log\n1\n")
    assert (
        client.get(f"{LOG}/vkey").content.decode().startswith("register.infitah.ma/register/log+")
    )


def test_tiles_and_entry_bundles(client, collectivity_a, django_assert_num_queries) -> None:
    register_append_many(items=register_items(collectivity_a, 0, 300))
    checkpoint_sign()
    leaves = [
        bytes.fromhex(h)
        for h in RegisterEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    with django_assert_num_queries(1):
        full = client.get(f"{LOG}/tile/0/000")
    assert full.status_code == 200 and full.content == b"".join(leaves[:256])
    assert full["Content-Type"] == "application/octet-stream"
    assert full["Cache-Control"] == "public, max-age=31536000, immutable"
    partial = client.get(f"{LOG}/tile/0/001.p/44")
    assert partial.status_code == 200 and partial.content == b"".join(leaves[256:300])
    assert client.get(f"{LOG}/tile/0/001.p/10").content == b"".join(leaves[256:266])
    level1 = client.get(f"{LOG}/tile/1/000.p/1")
    assert level1.content == merkle.root(leaves[:256])
    bundle = client.get(f"{LOG}/tile/entries/000")
    entries = tlog.bundle_decode(bundle.content)
    assert len(entries) == 256 and bundle["Cache-Control"].endswith("immutable")
    assert [merkle.leaf_hash(e) for e in entries] == leaves[:256]
    assert len(tlog.bundle_decode(client.get(f"{LOG}/tile/entries/001.p/44").content)) == 44
    for missing in (
        "tile/0/001",  # not full yet
        "tile/0/001.p/45",
        "tile/0/002.p/1",
        "tile/1/000",
        "tile/entries/001",
        "tile/0/x000/000",  # malformed
        "tile/0/000.p/256",
        "tile/8/0/000",  # Go's sumdb spelling, with a height
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",  # beyond any database integer
        "tile/entries/x999/x999/x999/x999/x999/x999/999",
    ):
        response = client.get(f"{LOG}/{missing}")
        assert response.status_code == 404, missing
        assert response["Cache-Control"] == "no-store"


def test_witness_cosignature_is_stored_and_served(client, small, witnesses) -> None:
    w1, w2 = witnesses
    note = _note(client)
    status, body = _post(client, w1.cosign(note))
    assert status == 200 and body == f"{w1.name} 3\n"
    row = Cosignature.objects.get()
    assert (row.witness_name, row.tree_size, row.key_id) == (
        w1.name,
        3,
        tlog.vkey_parse(w1.vkey).key_id.hex(),
    )
    # The same cosignature again: stored once.
    assert _post(client, w1.cosign(note, at=row.timestamp))[0] == 200
    assert Cosignature.objects.count() == 1
    # Both witnesses in one note.
    assert _post(client, w2.cosign(w1.cosign(note)))[0] == 200
    assert set(Cosignature.objects.values_list("witness_name", flat=True)) == {w1.name, w2.name}
    # The served checkpoint now carries their cosignatures, which verify.
    served = tlog.note_parse(_note(client))
    for w in witnesses:
        assert tlog.cosignature_verify(served, tlog.vkey_parse(w.vkey)) is not None
    assert len(served.signatures) == 3


REFUSALS = {
    "no cosignature by a witness": (
        "The note carries no cosignature by a witness that this register accepts."
    ),
    "Invalid cosignature": "Invalid cosignature by %(witness)s.",
    "not one of": "This checkpoint is not one of this register's trees.",
    "another log": "This checkpoint is of another log (origin %(origin)s).",
    "future": "The cosignature is dated in the future.",
    "not a C2SP checkpoint": "This is not a C2SP checkpoint: %(error)s",
}


def test_refused_cosignatures_change_nothing(client, small, witnesses, settings) -> None:
    w1 = witnesses[0]
    note = _note(client)
    stranger = Witness("stranger.example/w", 9)
    text = tlog.note_parse(note).text
    line = tlog.note_parse(w1.cosign(note)).signatures[-1].line
    forged_root = tlog.checkpoint_text(signing.origin(), 3, bytes(32))
    raw = bytearray(base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1]))
    raw[-1] ^= 1  # One bit of the Ed25519 signature.
    bad_signature = tlog.signature_line(w1.name, bytes(raw))
    cases = [
        (stranger.cosign(note), 403, "no cosignature by a witness"),
        (note, 403, "no cosignature by a witness"),
        (tlog.note_format(text, [bad_signature]), 403, "Invalid cosignature"),
        (w1.cosign_text(forged_root), 409, "not one of"),
        (w1.cosign_text(tlog.checkpoint_text(signing.origin(), 9, bytes(32))), 409, "not one of"),
        (
            w1.cosign_text(tlog.checkpoint_text("other.example/log", 3, bytes(32))),
            400,
            "another log",
        ),
        (w1.cosign(note, at=int(time.time()) + 3600), 400, "future"),
        ("not a note", 400, "not a C2SP checkpoint"),
        (text + "extension\n\n" + line, 400, ""),
    ]
    for body, status, message in cases:
        got_status, got_body = _post(client, body)
        # The answer is in the site's default language: the message's words before
        # its first placeholder, translated.
        with translation.override(settings.LANGUAGE_CODE):
            expected = gettext(REFUSALS[message]).split("%(")[0] if message else ""
        assert (got_status, expected in got_body) == (status, True), (body, got_body)
    assert client.get(f"{LOG}/cosignature").status_code == 405
    huge = client.post(
        f"{LOG}/cosignature", b"x" * (tlog.MAX_NOTE_BYTES + 1), content_type="text/plain"
    )
    assert huge.status_code == 413
    assert not Cosignature.objects.exists()
    # Messages follow the client's language.
    french = client.post(
        f"{LOG}/cosignature", b"x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert french.status_code == 400


def test_register_page_shows_who_vouches_up_to_which_size(
    client, small, witnesses, publish, django_assert_max_num_queries
) -> None:
    w1, w2 = witnesses
    _post(client, w1.cosign(_note(client)))
    publish(b"document 3", document_id="3")
    checkpoint_sign()
    with django_assert_max_num_queries(7):
        html = client.get("/fr/register/").content.decode()
    assert w1.name in html and w2.name in html
    assert "3 entrées" in html or "3 entries" in html
    assert signing.vkeys()[0] in html
    html_ar = client.get("/ar/register/").content.decode()
    assert w1.name in html_ar


def test_verify_register_checks_the_c2sp_checkpoint_and_cosignatures(
    client, small, witnesses
) -> None:
    _post(client, witnesses[0].cosign(_note(client)))
    out = StringIO()
    call_command("verify_register", "--skip-files", stdout=out, stderr=StringIO())
    assert "1 witness cosignatures" in out.getvalue() and "OK" in out.getvalue()

    checkpoint = Checkpoint.objects.get()
    good_signature = checkpoint.note_signature
    Checkpoint.objects.update(note_signature=base64.b64encode(b"\0" * 68).decode())
    report = register_audit(check_files=False)
    assert any("bad C2SP note signature" in p for p in report.problems)
    assert any("C2SP checkpoint" in p for p in report.problems)
    Checkpoint.objects.update(note_signature=good_signature)

    Cosignature.objects.update(root_hash="00" * 32)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_register", "--skip-files", stdout=StringIO(), stderr=err)
    assert "root differs from the register's" in err.getvalue()


def test_key_rotation_keeps_old_checkpoints_verifiable(client, small, settings) -> None:
    old = Checkpoint.objects.get()
    old_note = _note(client)
    old_vkey = client.get(f"{LOG}/vkey").content.decode().strip()
    old_public = signing.public_key_b64()
    settings.INFITAH_REGISTER_SIGNING_KEY = base64.b64encode(bytes([42]) * 32).decode()
    settings.INFITAH_REGISTER_PREVIOUS_KEYS = [old_public]
    new = checkpoint_maybe_sign()  # Signed by another key than the last: due at once.
    assert new is not None and new.public_key != old.public_key
    assert checkpoint_is_valid(old) and checkpoint_is_valid(new)
    assert client.get(f"{LOG}/vkeys").content.decode().splitlines()[1] == old_vkey
    new_vkey = client.get(f"{LOG}/vkey").content.decode().strip()
    assert new_vkey != old_vkey
    old_verifier, new_verifier = tlog.vkey_parse(old_vkey), tlog.vkey_parse(new_vkey)
    assert tlog.note_verify(tlog.note_parse(old_note), [old_verifier, new_verifier]) == [
        old_verifier
    ]
    assert tlog.note_verify(tlog.note_parse(_note(client)), [old_verifier, new_verifier]) == [
        new_verifier
    ]
    assert not register_audit(check_files=False).problems
    # Without the former key in the settings, its checkpoints no longer verify.
    settings.INFITAH_REGISTER_PREVIOUS_KEYS = []
    assert not checkpoint_is_valid(old)
    problems = register_audit(check_files=False).problems
    assert any("neither this server's nor a former one" in p for p in problems)


def test_a_checkpoint_without_a_note_is_signed_again(publish) -> None:
    publish(b"x")
    checkpoint_sign()
    Checkpoint.objects.update(note_signature="", origin="")  # As before the migration.
    assert checkpoint_is_valid(Checkpoint.objects.get())
    again = checkpoint_maybe_sign()
    assert again is not None and again.note_signature


def test_bad_witness_setting_is_a_system_check_error(settings) -> None:
    from infitah.ledger.checks import register_keys_check

    settings.INFITAH_REGISTER_WITNESSES = ["nonsense"]
    settings.INFITAH_REGISTER_PREVIOUS_KEYS = ["not-base64!"]
    ids = {e.id for e in register_keys_check()}
    assert ids == {"ledger.E001", "ledger.E002"}
    log_key = tlog.vkey_format("log.example", tlog.TYPE_ED25519, bytes(32))
    settings.INFITAH_REGISTER_WITNESSES = [log_key]  # A note key, not a cosigner key.
    settings.INFITAH_REGISTER_PREVIOUS_KEYS = []
    assert [e.id for e in register_keys_check()] == ["ledger.E002"]


def test_stored_nodes_serve_level_one_tiles_once_complete(client, collectivity_a) -> None:
    register_append_many(items=register_items(collectivity_a, 0, 256 * 2))
    response = client.get(f"{LOG}/tile/1/000.p/2")
    assert response.status_code == 200
    nodes = RegisterNode.objects.filter(level=8).order_by("index").values_list("hash", flat=True)
    assert response.content == b"".join(bytes(h) for h in nodes)
