"""HTML and CSS to PDF, with WeasyPrint: `html_to_pdf(html) -> bytes`.

Fonts. Arabic needs a font that has Arabic glyphs and the OpenType tables that join
letters (initial, medial, final and isolated forms, lam-alef ligatures). WeasyPrint lays
text out with Pango, and Pango shapes it with HarfBuzz: the text stays real Arabic
letters (U+0600 block) all the way, the font engine picks the joined glyph of each letter,
and the PDF maps every glyph back to its letters (ToUnicode), so that the text can be
searched, copied and read aloud. No "reshaper" library and no presentation-form
characters are involved.

The fonts are the system's, found by fontconfig from the CSS `font-family` list. Our
templates ask for "Noto Naskh Arabic", then "Noto Sans Arabic", then "DejaVu Sans" (with
"Noto Sans" for Latin text) — Debian packages `fonts-noto-core` and `fonts-dejavu-core`,
which `.ci/run` installs; fontconfig falls back, letter by letter, down the list.
No font is vendored in the repository, and none is downloaded: without one of those the
text falls back to whatever font fontconfig offers, and Arabic may come out as boxes.
Only the glyphs used are embedded (WeasyPrint subsets fonts), so a one-page receipt
weighs tens of kilobytes, not the megabytes of the font files.

No network, no files. A template may only embed `data:` URLs: the URL fetcher refuses
every other scheme (`http`, `https`, `file`, ...) before anything is opened, so no
document can make the server fetch a URL or read a local file, whatever its HTML says.
A refused resource is left out with a warning in the log; the PDF is still produced.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ALLOWED_URL_SCHEMES", "PdfUnavailable", "html_to_pdf", "text_direction"]


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: the system lacks Pango (see the module docstring)."""


# The only scheme a document may use for images, stylesheets or fonts: inline data.
ALLOWED_URL_SCHEMES = ("data",)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a self-contained HTML document (inline CSS, `data:` images only).

    `base_url` only resolves relative links written into the PDF; it never makes a
    resource load, since the fetcher refuses every scheme but `data:`.
    """
    # Imported here, not at module level: WeasyPrint loads Pango when imported, and the
    # site must start (and every page but the PDFs work) on a machine without it.
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except OSError as exc:  # cffi: "cannot load library 'libpango…'"
        raise PdfUnavailable(str(exc)) from exc
    # A new fetcher and font configuration per document: the fetcher keeps per-request
    # state and a FontConfiguration holds the @font-face files of one rendering, so
    # sharing them between threads of the web server would be unsafe.
    fetcher = URLFetcher(allowed_protocols=ALLOWED_URL_SCHEMES, allow_redirects=False)
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(font_config=font_config)
    return pdf


def text_direction(text: str, default: str = "rtl") -> str:
    """The direction of `text` by its first strong character (HTML's dir="auto", which
    WeasyPrint does not implement); `default` when it has none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return default
