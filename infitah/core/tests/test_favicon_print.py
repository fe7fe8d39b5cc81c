"""The site's icon (an SVG linked from every page, /favicon.ico redirected to it) and
the print styles of the stylesheet."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from django.contrib.staticfiles import finders
from django.test import Client

ICON = "infitah/favicon.svg"


def _icon_file() -> Path:
    found = finders.find(ICON)
    assert isinstance(found, str), "the favicon is a static file"
    return Path(found)


def test_the_favicon_is_a_small_svg_in_the_site_green() -> None:
    data = _icon_file().read_bytes()
    assert len(data) < 1024
    text = data.decode()
    assert text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert text.rstrip().endswith("</svg>")
    assert "#0b5f4a" in data.decode().lower()


def test_favicon_ico_redirects_permanently_to_the_svg(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert "/infitah/favicon" in response["Location"]


@pytest.mark.django_db
def test_every_page_links_the_icon(client: Client) -> None:
    html = client.get("/fr/").content.decode()
    assert re.search(
        r'<link rel="icon" href="[^"]*infitah/favicon[^"]*\.svg" type="image/svg', html
    )


def test_the_stylesheet_has_print_styles() -> None:
    found = finders.find("infitah/site.css")
    assert isinstance(found, str)
    css = Path(found).read_text()
    start = css.index("@media print")
    block = css[start:]
    for needed in (".top nav", ".langs", "button", "color:#000", "attr(href)"):
        assert needed in block, needed
    # Kept light on the first view (issue 21: docs/decisions.md).
    assert len(css.encode()) < 16_000
    assert len(gzip.compress(css.encode(), 9)) < 4_500
