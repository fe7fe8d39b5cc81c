"""`make test` on a machine that cannot draw PDFs (no Pango, or no font with Arabic
glyphs) passes, skipping the PDF tests and saying so in one line; with
INFITAH_REQUIRE_PDF=1 (CI) it stops instead. Each case runs the PDF tests of
`infitah/lib` in a child pytest, on a machine made to lack Pango (an empty library of
that name first on the loader's path) or every font (an empty fontconfig)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings

PDF_TESTS = "infitah/lib/tests/test_pdf.py"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "INFITAH_REQUIRE_PDF"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", PDF_TESTS],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def without_pango(tmp_path: Path) -> dict[str, str]:
    for name in ("libpango-1.0.so.0", "libpango-1.0.so"):
        (tmp_path / name).write_bytes(b"")
    return {"LD_LIBRARY_PATH": str(tmp_path)}


@pytest.fixture
def without_fonts(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>'
    )
    return {"FONTCONFIG_FILE": str(config)}


def test_without_pango_the_pdf_tests_are_skipped_in_one_line(
    tmp_path: Path, without_pango: dict[str, str]
) -> None:
    result = _pytest(tmp_path, **without_pango)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PDF tests skipped: WeasyPrint cannot load Pango" in result.stdout
    assert " passed, " in result.stdout  # the other tests of the module still ran


def test_without_fonts_the_pdf_tests_are_skipped_in_one_line(
    tmp_path: Path, without_fonts: dict[str, str]
) -> None:
    result = _pytest(tmp_path, **without_fonts)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PDF tests skipped: no font draws Arabic here" in result.stdout


def test_where_pdfs_are_required_a_machine_without_them_fails(
    tmp_path: Path, without_pango: dict[str, str]
) -> None:
    result = _pytest(tmp_path, INFITAH_REQUIRE_PDF="1", **without_pango)
    assert result.returncode != 0
    assert "PDF tests required (INFITAH_REQUIRE_PDF=1)" in result.stdout + result.stderr
