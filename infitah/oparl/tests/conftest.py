"""Fixtures of the OParl tests: the schemas (or a skip), a council's whole tree, another
council (B) for isolation, and a temporary MEDIA_ROOT for the stored files.

Without the OParl schemas (walk.py: INFITAH_STANDARDS_DIR), the tests that use them are
skipped and the run ends with one line saying so; INFITAH_REQUIRE_STANDARDS=1 (for CI)
stops the run instead, as INFITAH_REQUIRE_PDF does for the PDF tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from infitah.oparl.tests.walk import OParlSchemas, load_schemas, standards_dir
from infitah.oparl.tests.world import Tree, build_small, build_tree
from infitah.territories.models import Collectivity

HERE = Path(__file__).resolve().parent
_SKIPPED = pytest.StashKey[tuple[int, str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [
        item
        for item in items
        if "schemas" in getattr(item, "fixturenames", ()) and HERE in item.path.parents
    ]
    folder = standards_dir() / "oparl-1.1.1"
    if not mine or (folder / "System.json").exists():
        return
    problem = f"the OParl 1.1.1 schemas are not in {folder} (set INFITAH_STANDARDS_DIR)"
    if os.environ.get("INFITAH_REQUIRE_STANDARDS", "") == "1":
        raise pytest.UsageError(
            f"OParl tests required (INFITAH_REQUIRE_STANDARDS=1), but {problem}"
        )
    for item in mine:
        item.add_marker(pytest.mark.skip(reason=problem))
    config.stash[_SKIPPED] = (len(mine), problem)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(_SKIPPED, None)
    if skipped:
        count, problem = skipped
        terminalreporter.write_line(f"{count} OParl schema tests skipped: {problem}")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def schemas() -> OParlSchemas:
    return load_schemas()


@pytest.fixture
def tree(collectivity_a: Collectivity) -> Tree:
    return build_tree(collectivity_a)


@pytest.fixture
def other(collectivity_b: Collectivity) -> Collectivity:
    build_small(collectivity_b)
    return collectivity_b
