"""Real CKAN clients against a live server (pytest-django's `live_server`, a threaded
server in this process, so that the test database is the one served, on SQLite too):

- the `ckanapi` command-line client of the project's virtualenv (`ckanapi action …`,
  `ckanapi dump datasets --all`), in subprocesses;
- the gather stage of ckanext-harvest's CKANHarvester, in a side virtualenv
  (harvester_env.py): its own paging (rows 100, sort id asc) over every dataset, then a
  second job of the same source, which asks only for the datasets modified since the
  first (the `metadata_modified:[<since>Z TO *]` filter gather_stage builds).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from pytest_django.live_server_helper import LiveServer

from django.utils import timezone

from infitah.opendata.models import Dataset
from infitah.opendata.tests import harvester_env
from infitah.opendata.tests.ckan_world import datasets_bulk
from infitah.territories.models import Collectivity

BIN = Path(sys.executable).parent
CKANAPI = BIN / "ckanapi"
# More than one page of the harvester's 100 rows.
COUNT = 230


@pytest.fixture
def catalogue(
    transactional_db: None, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> list[Dataset]:
    """COUNT active datasets of A, B and the network, three days old, and an inactive one."""
    made = datasets_bulk(
        [collectivity_a, collectivity_b, None],
        COUNT + 1,
        modified=timezone.now() - dt.timedelta(days=3),
    )
    Dataset.objects.filter(pk=made[-1].pk).update(is_active=False)
    return made[:-1]


def ckanapi(*args: str) -> str:
    """The ckanapi command (its workers find `ckanapi` on the PATH)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(CKANAPI), *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def test_ckanapi_searches_shows_and_dumps_every_dataset(
    live_server: LiveServer, catalogue: list[Dataset]
) -> None:
    url = live_server.url
    of_b = sorted(
        d.name for d in catalogue if d.collectivity and d.collectivity.slug == "commune-b"
    )
    found = json.loads(
        ckanapi("action", "package_search", "-r", url, "fq=organization:commune-b", "rows:1000")
    )
    assert found["count"] == len(of_b)
    assert sorted(p["name"] for p in found["results"]) == of_b
    # GET requests (-g), a folded word and a tag.
    found = json.loads(
        ckanapi("action", "package_search", "-g", "-r", url, "q=reseau", "fq=tags:budget")
    )
    expected = [d for d in catalogue if d.collectivity is None and "budget" in d.search_text]
    assert found["count"] == len(expected) > 0
    target = catalogue[7]
    shown = json.loads(ckanapi("action", "package_show", "-r", url, f"id={target.name}"))
    assert (shown["id"], shown["name"]) == (str(target.id), target.name)
    assert shown["resources"][0]["url"].startswith(url)
    assert json.loads(ckanapi("action", "status_show", "-r", url))["ckan_version"]

    dumped = [
        json.loads(line)
        for line in ckanapi("dump", "datasets", "--all", "-q", "-p", "3", "-r", url).splitlines()
    ]
    counts = Counter(p["id"] for p in dumped)
    assert set(counts) == {str(d.id) for d in catalogue}
    assert set(counts.values()) == {1}


def test_ckanapi_reports_ckans_errors(live_server: LiveServer, catalogue: list[Dataset]) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(CKANAPI), "action", "package_show", "-r", live_server.url, "id=no-such-dataset"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode != 0
    assert "NotFound" in done.stdout + done.stderr


def _ids(result: dict[str, Any]) -> list[str]:
    pages: list[dict[str, Any]] = result["pages"]
    return [i for page in pages for i in page["ids"]]


def test_the_harvester_gathers_every_dataset_once_then_only_the_changed_ones(
    live_server: LiveServer, catalogue: list[Dataset], tmp_path: Path
) -> None:
    python = harvester_env.python_or_skip()
    database = tmp_path / "harvest.sqlite"
    every = {str(d.id) for d in catalogue}

    first = harvester_env.gather(python, database, live_server.url)
    assert first["errors"] == []
    pages: list[dict[str, Any]] = first["pages"]
    assert all("sort=id+asc" in p["url"] and "rows=100" in p["url"] for p in pages)
    assert [len(p["ids"]) for p in pages] == [100, 100, COUNT - 200, 0]
    seen = _ids(first)
    assert seen == sorted(seen)  # id asc, across pages
    assert Counter(seen) == Counter(every)  # every dataset, exactly once
    assert Counter(first["guids"]) == Counter(every)

    # The sync moves metadata_modified of what changed; one dataset is new.
    changed = catalogue[5:17]
    Dataset.objects.filter(pk__in=[d.pk for d in changed]).update(metadata_modified=timezone.now())
    new = datasets_bulk([None], 1, modified=timezone.now(), prefix="new")[0]
    second = harvester_env.gather(python, database, live_server.url)
    assert second["errors"] == []
    # gather_stage's own filter: an hour before the last error-free job started.
    since = dt.datetime.fromisoformat(first["gather_started"]) - dt.timedelta(hours=1)
    asked = unquote_plus(second["pages"][0]["url"])
    assert f"fq=metadata_modified:[{since.isoformat()}Z TO *]" in asked
    assert Counter(second["guids"]) == Counter({str(d.id) for d in changed} | {str(new.id)})


def test_the_harvester_filters_by_organization(
    live_server: LiveServer, catalogue: list[Dataset], tmp_path: Path
) -> None:
    python = harvester_env.python_or_skip()
    config = {"organizations_filter_include": ["commune-b", "network"]}
    result = harvester_env.gather(python, tmp_path / "harvest.sqlite", live_server.url, config)
    assert result["errors"] == []
    wanted = {
        str(d.id) for d in catalogue if d.collectivity is None or d.collectivity.slug == "commune-b"
    }
    assert Counter(_ids(result)) == Counter(wanted)
    config = {"organizations_filter_exclude": ["commune-b", "network"]}
    result = harvester_env.gather(python, tmp_path / "other.sqlite", live_server.url, config)
    assert set(_ids(result)) == {str(d.id) for d in catalogue} - wanted


def test_without_the_side_environment_the_harvester_tests_skip_unless_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable() -> Path:
        raise harvester_env.Unavailable("no network")

    monkeypatch.setattr(harvester_env, "ensure", unavailable)
    monkeypatch.delenv("INFITAH_REQUIRE_STANDARDS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no network"):
        harvester_env.python_or_skip()
    monkeypatch.setenv("INFITAH_REQUIRE_STANDARDS", "1")
    with pytest.raises(pytest.fail.Exception, match="required"):
        harvester_env.python_or_skip()
