"""/register/log/: the publication register as a C2SP tiled transparency log.

https://c2sp.org/tlog-tiles: `checkpoint` (a https://c2sp.org/tlog-checkpoint signed note,
mutable, cached a few seconds), `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`
(immutable: once the register has a tile's hashes they never change, a partial tile's
too, so every tile is cached for a year), `vkey` (the note verifier key of the current
signing key) and `vkeys` (every valid key, current first). Witnesses post their
https://c2sp.org/tlog-cosignature to `cosignature`. Outside the language prefixes: these
are machine formats. See docs/register.md, "C2SP".
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from infitah.ledger import register_selectors as selectors
from infitah.ledger import register_services as services
from infitah.ledger import signing, tlog

TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"
IMMUTABLE = "public, max-age=31536000, immutable"
CHECKPOINT_CACHE = "public, max-age=5"
KEY_CACHE = "public, max-age=300"
# A signed note is small: a checkpoint and a few dozen signature lines.
MAX_COSIGNATURE_BYTES = tlog.MAX_NOTE_BYTES


def _answer(
    body: bytes | str, *, status: int = 200, content_type: str = TEXT, cache: str
) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = cache
    # Public data, read by verifiers and monitors that may run in a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(message: str) -> HttpResponse:
    return _answer(message + "\n", status=404, cache="no-store")


@require_http_methods(["GET", "HEAD"])
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest checkpoint as a C2SP signed note, with the witnesses' cosignatures."""
    latest = selectors.checkpoint_note_latest()
    if latest is None:
        return _not_found(_("The register has no signed checkpoint yet."))
    return _answer(selectors.checkpoint_note(latest), cache=CHECKPOINT_CACHE)


@require_http_methods(["GET", "HEAD"])
def vkey(request: HttpRequest) -> HttpResponse:
    """The note verifier key of the current signing key: name+keyid+base64(0x01||key)."""
    return _answer(signing.vkeys()[0] + "\n", cache=KEY_CACHE)


@require_http_methods(["GET", "HEAD"])
def vkeys(request: HttpRequest) -> HttpResponse:
    """Every valid verifier key, one per line: the current one, then former ones."""
    return _answer("".join(v + "\n" for v in signing.vkeys()), cache=KEY_CACHE)


@require_http_methods(["GET", "HEAD"])
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """A tile of hashes or an entry bundle (404 until the register has all of it)."""
    try:
        parsed = tlog.tile_parse("tile/" + path)
    except tlog.NoteError:
        return _not_found(_("No such tile."))
    data = selectors.register_tile(tile=parsed)
    if data is None:
        return _not_found(_("No such tile."))
    return _answer(data, content_type=BINARY, cache=IMMUTABLE)


@csrf_exempt  # A machine endpoint: the witness's signature is its authentication.
@require_POST
def cosignature(request: HttpRequest) -> HttpResponse:
    """Record a witness's cosignature: the body is the checkpoint note with the witness's
    cosignature/v1 line among its signatures (docs/register.md, "Witnesses")."""
    try:
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_COSIGNATURE_BYTES
    except ValueError:
        too_large = True
    if too_large:
        return _answer(_("The note is too large.") + "\n", status=413, cache="no-store")
    try:
        stored = services.cosignature_add(note=request.body)
    except services.CosignatureError as exc:
        return _answer(f"{exc}\n", status=exc.status, cache="no-store")
    lines = [f"{c.witness_name} {c.tree_size}\n" for c in stored]
    return _answer("".join(lines), cache="no-store")
