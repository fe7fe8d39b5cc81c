"""The pages of the app follow the design class contract (docs: the site's CSS classes):
each page's h1 sits in a `header.page-head`, every data table is a `table.stack` whose
body cells carry a `data-label`, lists that can be empty say so in a `.empty`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "information"
PAGES = sorted(
    path
    for path in TEMPLATES.rglob("*.html")
    if "pdf" not in path.parts and "email" not in path.parts
)


def test_there_are_pages_to_check() -> None:
    assert len(PAGES) > 5


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_the_h1_is_in_a_page_head(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    for found in re.finditer(r"<h1[ >]", html):
        before = html[: found.start()]
        assert before.rfind('<header class="page-head">') > before.rfind("</header>"), path


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_tables_stack_and_label_every_body_cell(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    for table in re.findall(r"<table.*?</table>", html, re.S):
        assert re.match(r'<table class="stack"', table), path
        assert "aria-label=" in table.split(">", 1)[0] or "<caption" in table, path
        body = table.split("<tbody>", 1)[1]
        for cell in re.findall(r"<t[dh](?=[ >])[^>]*>", body):
            if cell.startswith("<th") and 'scope="row"' not in cell:
                continue
            assert "data-label=" in cell, (path, cell)
