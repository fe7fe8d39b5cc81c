"""A side virtualenv with ckanext-harvest, for the test that runs its `CKANHarvester`
against our CKAN API. Never a dependency of the project, never imported by the site.

What is in it, and why (docs/ckan.md, "Clients tested"):

- `ckan`, `ckanext-harvest` and `ckantoolkit` from PyPI, **without their
  dependencies**: `pip install ckan` alone brings nothing but setuptools (CKAN lists its
  real requirements under its `requirements` extra: 55 pinned packages, psycopg2
  among them, which compiles against pg_config);
- `MODULES`: what importing `ckanext.harvest.harvesters.ckanharvester` needs (found by
  importing until nothing was missing: ckan.model, ckan.logic, ckan.lib.helpers,
  ckan.plugins and ckanext.harvest.model import these), each at the version CKAN pins in
  that extra (read from the installed ckan's metadata), so that they fit CKAN's code.

Nothing of CKAN is replaced: the harvester's modules are CKAN's own. What the gather
stage needs beyond them is a database for its jobs and objects: `GATHER` creates the
harvest tables (ckanext-harvest's own SQLAlchemy models) in a SQLite file and binds
CKAN's session to it, as a CKAN site binds it to PostgreSQL; no CKAN site, Solr or
Redis runs.

Where: `$INFITAH_HARVESTER_ENV`, else `${XDG_CACHE_HOME:-~/.cache}/infitah/
ckanext-harvest-<key>`, the key a hash of the Python version and of the requirements
above, so that changing them makes a new one. Created once (under a file lock, a
marker file written last), reused by every later run; a half-made one is made again.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

CKAN = "ckan==2.12.0"
HARVEST = "ckanext-harvest==1.6.3"
TOOLKIT = "ckantoolkit==0.0.7"
MODULES = (
    "alembic",
    "blinker",
    "dominate",
    "file-keeper",
    "flask",
    "flask-babel",
    "flask-login",
    "markdown",
    "msgspec",
    "nh3",
    "packaging",
    "passlib",
    "polib",
    "pyparsing",
    "pysolr",
    "requests",
    "rq",
    "simplejson",
    "sqlalchemy",
    "tzlocal",
    "webassets",
)
PROBE = "import ckanext.harvest.harvesters.ckanharvester"
PIP = ("-m", "pip", "--disable-pip-version-check", "--no-input", "-q")
PIP_NETWORK = ("--retries", "2", "--timeout", "30")
MARKER = "infitah-ready"


class Unavailable(Exception):
    """The side environment cannot be made here (no network, no PyPI, a failed install)."""


def location() -> Path:
    given = os.environ.get("INFITAH_HARVESTER_ENV")
    if given:
        return Path(given)
    key = hashlib.sha256(
        json.dumps([sys.version_info[:2], CKAN, HARVEST, TOOLKIT, MODULES]).encode()
    ).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "infitah" / f"ckanext-harvest-{key}"


def _run(args: list[str], what: str, timeout: float = 900) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Unavailable(f"{what}: {error}") from None
    if done.returncode != 0:
        raise Unavailable(f"{what} failed:\n{(done.stderr or done.stdout)[-2000:]}")
    return done.stdout


def _constraints(python: str, folder: Path) -> Path:
    """CKAN's pins ("requirements" extra) as a pip constraints file, without psycopg2
    (not installed) and without extras (pip refuses them in constraints)."""
    requires = json.loads(
        _run(
            [
                python,
                "-c",
                "import importlib.metadata as m, json; print(json.dumps(m.requires('ckan')))",
            ],
            "reading ckan's requirements",
        )
    )
    pins = []
    for line in requires:
        requirement, _, marker = line.partition(";")
        if "requirements" not in marker:
            continue
        requirement = re.sub(r"\[[^]]*\]", "", requirement).strip()
        if not requirement.startswith("psycopg2"):
            pins.append(requirement)
    path = folder / "constraints.txt"
    path.write_text("\n".join(pins) + "\n")
    return path


def _create(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(folder)], "creating the virtualenv", 300)
    python = str(folder / "bin" / "python")
    _run(
        [python, *PIP, "install", *PIP_NETWORK, "--no-deps", CKAN, HARVEST, TOOLKIT],
        f"pip install --no-deps {CKAN} {HARVEST} {TOOLKIT}",
    )
    constraints = _constraints(python, folder)
    _run(
        [python, *PIP, "install", *PIP_NETWORK, "-c", str(constraints), *MODULES],
        "pip install of the modules the harvester imports",
    )
    _run([python, "-c", PROBE], "importing ckanext.harvest.harvesters.ckanharvester", 120)
    (folder / MARKER).write_text(" ".join([CKAN, HARVEST, TOOLKIT]) + "\n")


@functools.cache
def ensure() -> Path:
    """The side environment's python, made if needed (Unavailable when it cannot be)."""
    folder = location()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / MARKER).exists():
            _create(folder)
    return folder / "bin" / "python"


def python_or_skip() -> Path:
    """`ensure()`, or a skip where the environment cannot be made, or a failure with
    INFITAH_REQUIRE_STANDARDS=1 (CI), where this test must run."""
    try:
        return ensure()
    except Unavailable as error:
        if os.environ.get("INFITAH_REQUIRE_STANDARDS", "") == "1":
            pytest.fail(f"the ckanext-harvest environment is required: {error}")
        pytest.skip(f"no ckanext-harvest environment ({location()}): {error}")


# Run by the side environment's python: argv = harvest database (SQLite file), the
# source's URL, its configuration (JSON text). One harvest job of that source: the
# real gather_stage, as the harvest queue's gather consumer calls it, then what the
# fetch and import stages record when every dataset imports (they write into the local
# CKAN, which is not here): each object current and complete, the job finished. Prints
# the job's objects, the pages the harvester read and its gather errors, as JSON.
GATHER = r"""
import datetime
import json
import sys

import sqlalchemy as sa
from ckan.model import meta
from ckan.plugins import toolkit
from ckanext.harvest import model as harvest
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

database, url, config = sys.argv[1:4]
engine = sa.create_engine("sqlite:///" + database)
models = [
    harvest.HarvestSource,
    harvest.HarvestJob,
    harvest.HarvestObject,
    harvest.HarvestObjectExtra,
    harvest.HarvestGatherError,
    harvest.HarvestObjectError,
]
toolkit.BaseModel.metadata.create_all(engine, tables=[m.__table__ for m in models])
meta.Session.configure(bind=engine)
session = meta.Session

source = session.query(harvest.HarvestSource).filter_by(url=url, config=config).first()
if source is None:
    source = harvest.HarvestSource(url=url, type="ckan", config=config)
    session.add(source)
    session.commit()
job = harvest.HarvestJob(
    source=source, status="Running", gather_started=datetime.datetime.utcnow()
)
session.add(job)
session.commit()

pages = []


class Recording(CKANHarvester):
    # Only watches: the request is the harvester's own.
    def _get_content(self, url):
        content = super()._get_content(url)
        try:
            ids = [p["id"] for p in json.loads(content)["result"]["results"]]
        except Exception as error:
            ids = repr(error)
        pages.append({"url": url, "ids": ids})
        return content


object_ids = Recording().gather_stage(job)
objects = session.query(harvest.HarvestObject).filter_by(harvest_job_id=job.id).all()
errors = [
    e.message
    for e in session.query(harvest.HarvestGatherError).filter_by(harvest_job_id=job.id)
]
for obj in objects:
    obj.state = "COMPLETE"
    obj.current = True
    obj.report_status = "added"
job.gather_finished = job.finished = datetime.datetime.utcnow()
job.status = "Finished"
session.commit()
print(json.dumps({
    "gather_started": job.gather_started.isoformat(),
    "object_ids": object_ids,
    "guids": [o.guid for o in objects],
    "pages": pages,
    "errors": errors,
}))
"""


def gather(
    python: Path, database: Path, url: str, config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One harvest job of the source `url` (its history kept in `database`)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")},
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [str(python), "-c", GATHER, str(database), url, json.dumps(config) if config else ""],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
