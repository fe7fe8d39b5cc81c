"""`infitah.lib.pdf`: HTML to PDF, Arabic shaped by the font engine, no URL fetched.

How the Arabic check works: WeasyPrint (Pango + HarfBuzz) draws each Arabic letter with
the glyph of its joining form and writes, for every glyph of every embedded font, the
letter it stands for (the ToUnicode map). A shaped text therefore shows the same letter
behind several glyphs (lam alone, at the start, in the middle and at the end of a word),
and its extracted text is plain letters of the U+0600 block, never the compatibility
"presentation forms" (U+FB50–U+FDFF, U+FE70–U+FEFF) that reshaper libraries substitute.
"""

from __future__ import annotations

import io
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from infitah.lib.pdf import html_to_pdf, text_direction

PRESENTATION_FORMS = [(0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]
LAM = "\u0644"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _presentation_forms(text: str) -> list[str]:
    return [c for c in text if any(lo <= ord(c) <= hi for lo, hi in PRESENTATION_FORMS)]


def _glyphs_per_character(pdf: bytes) -> dict[str, set[tuple[str, str]]]:
    """For each character, the (font, glyph id) pairs that draw it, from the ToUnicode
    maps of the embedded fonts (WeasyPrint writes one `bfchar` line per glyph)."""
    glyphs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for reference in cast(DictionaryObject, resources["/Font"].get_object()).values():
            font = cast(DictionaryObject, reference.get_object())
            to_unicode = cast(StreamObject, font["/ToUnicode"].get_object())
            cmap = to_unicode.get_data().decode("ascii")
            in_chars = False
            for line in cmap.splitlines():
                if line.endswith("beginbfchar"):
                    in_chars = True
                elif line == "endbfchar":
                    in_chars = False
                elif in_chars:
                    glyph, unicode_hex = line.strip("<>").split("> <")
                    text = bytes.fromhex(unicode_hex).decode("utf-16-be")
                    if len(text) == 1:
                        glyphs[text].add((str(font["/BaseFont"]), glyph))
    return glyphs


@pytest.mark.pdf
def test_html_becomes_a_pdf() -> None:
    pdf = html_to_pdf("<p>Infitah, open government</p>")
    assert pdf.startswith(b"%PDF-")
    assert "Infitah, open government" in _text(pdf)


@pytest.mark.pdf
def test_arabic_is_shaped_by_the_font_engine_and_extracted_as_letters() -> None:
    phrase = "الحق في الحصول على المعلومات"
    pdf = html_to_pdf(
        '<p dir="rtl" lang="ar" style="font-family: \'Noto Naskh Arabic\', '
        f"'Noto Sans Arabic', 'DejaVu Sans'\">{phrase}</p>"
    )
    text = _text(pdf)
    # Logical order: pypdf reverses the glyph runs the PDF draws right to left.
    assert phrase in text
    assert _presentation_forms(text) == []
    # Lam is isolated/final in "الحق", initial in "لمعلومات"... : one letter, several
    # glyphs, i.e. the shaper chose the joining forms.
    assert len(_glyphs_per_character(pdf)[LAM]) >= 2


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on the loopback that records every path it is asked for."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            body = b"p::after { content: 'FETCHED-OVER-HTTP' }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.pdf
def test_no_http_url_is_fetched(http_server: tuple[str, list[str]]) -> None:
    url, requested = http_server
    html = (
        f'<link rel="stylesheet" href="{url}/style.css">'
        f'<style>@import url("{url}/imported.css");</style>'
        f'<p>Receipt</p><img src="{url}/logo.png" alt="">'
    )
    pdf = html_to_pdf(html, base_url=url + "/")
    assert requested == []
    assert "FETCHED-OVER-HTTP" not in _text(pdf)
    # The same page with a relative URL and the server as base URL: still nothing.
    html_to_pdf('<link rel="stylesheet" href="style.css"><p>x</p>', base_url=url + "/")
    assert requested == []


@pytest.mark.pdf
def test_no_local_file_is_read(tmp_path: Path) -> None:
    css = tmp_path / "leak.css"
    css.write_text("p::after { content: 'READ-FROM-DISK' }")
    pdf = html_to_pdf(f'<link rel="stylesheet" href="{css.as_uri()}"><p>Receipt</p>')
    assert "READ-FROM-DISK" not in _text(pdf)
    pdf = html_to_pdf(
        '<link rel="stylesheet" href="leak.css"><p>x</p>', base_url=tmp_path.as_uri() + "/"
    )
    assert "READ-FROM-DISK" not in _text(pdf)


@pytest.mark.pdf
def test_data_urls_are_allowed() -> None:
    pdf = html_to_pdf(
        '<link rel="stylesheet" href="data:text/css,p::after{content:\'FROM-DATA-URL\'}">'
        "<p>Receipt</p>"
    )
    assert "FROM-DATA-URL" in _text(pdf)


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("طلب الحصول على المعلومات", "ltr", "rtl"),
        ("Demande d'accès", "rtl", "ltr"),
        ("2026-03-04 طلب", "ltr", "rtl"),  # digits are weak: the first strong letter wins
        ("12/2026", "rtl", "rtl"),
        ("", "ltr", "ltr"),
    ],
)
def test_text_direction_follows_the_first_strong_character(text, default, expected):
    assert text_direction(text, default) == expected
