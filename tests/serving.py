"""`manage.py serve` started for real, against the test database (PostgreSQL).

The tests that use it are transactional (`django_db(transaction=True)`): what they
create is committed, so that serve's processes (gunicorn workers, the task worker, the
tick) see it, and the test database is flushed afterwards. On SQLite the test database
lives in the test process's memory: no other process can open it, so these tests skip.

`Served` runs serve with production settings (fresh keys, the shared file cache under a
temporary var/ folder, e-mails in memory), finds its children through /proc, sends
requests over plain HTTP, and stops it, checking that every child stopped with it.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import importlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django_tasks import task

from django.apps import apps
from django.conf import settings
from django.db import connection

from infitah.complaints.models import ComplaintSettings
from infitah.correspondence.models import ServiceUnit
from infitah.ledger.models import RegisterHead
from infitah.petitions.models import IntegritySettings, PetitionSettings
from infitah.petitions.services import PetitionInput, petition_confirm_agent, petition_draft
from infitah.territories.models import Collectivity

# The rows that data migrations seed, which the flush of a transactional test deletes.
SEEDS = [
    importlib.import_module("infitah.deadlines.migrations.0002_seed_legal_limits").seed,
    importlib.import_module("infitah.information.migrations.0002_seed_court_appeal_limit").seed,
]
COMPLAINTS_URL = "/api/v1/c/{slug}/complaints"
SIGN_URL = "/api/v1/petitions/{pk}/signatures"
DESCRIPTION = "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا."

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="serve's processes must open the test database: PostgreSQL only",
)


@task()
def nap(seconds: float) -> str:
    """A task that takes its time: long enough to lose its connection while it runs."""
    time.sleep(seconds)
    return "rested"


@dataclass
class Site:
    """A network member commune that takes complaints, with a petition collecting."""

    collectivity: Collectivity
    petition_id: int

    @property
    def complaints_url(self) -> str:
        return COMPLAINTS_URL.format(slug=self.collectivity.slug)

    @property
    def sign_url(self) -> str:
        return SIGN_URL.format(pk=self.petition_id)


def site_open(collectivity: Collectivity) -> Site:
    """Seed what migrations seed, a complaints unit, a petition open to signatures, and
    rate limits far above any test's load (the run-time settings row)."""
    for seed in SEEDS:
        seed(apps, None)
    RegisterHead.objects.get_or_create(pk=1, defaults={"tree_size": 0, "frontier": b""})
    IntegritySettings.objects.update_or_create(
        pk=1, defaults={"ip_limit_per_hour": 10**9, "domain_limit_per_hour": 10**9}
    )
    unit = ServiceUnit.objects.create(
        collectivity=collectivity, name_ar="مصلحة الشكايات", name_fr="Service des plaintes"
    )
    ComplaintSettings.objects.create(
        collectivity=collectivity, complaints_unit=unit, reopen_days=30
    )
    PetitionSettings.objects.create(
        collectivity=collectivity, threshold_override=100_000, threshold_basis="test"
    )
    petition, _token = petition_draft(
        collectivity=collectivity,
        data=PetitionInput(
            petitioner_kind="citizens",
            title="إحداث مساحة خضراء بحي المسيرة",
            text="نحن سكان حي المسيرة نطالب المجلس بإحداث مساحة خضراء في العقار الجماعي.",
            request="إدراج نقطة إحداث مساحة خضراء في جدول أعمال الدورة العادية المقبلة.",
            agent_name="Amina El Idrissi",
            agent_cin="AG123456",
            agent_email="agent@example.test",
            agent_phone="0612345678",
            agent_address="12 زنقة الورود، أيت ملول",
        ),
        language="fr",
    )
    petition = petition_confirm_agent(petition=petition)
    return Site(collectivity=collectivity, petition_id=petition.pk)


def complaint_body(marker: str) -> dict[str, str]:
    """A complaint whose description carries `marker` (unique: found again in the table)."""
    return {
        "kind": "complaint",
        "description": f"{DESCRIPTION} [{marker}]",
        "name": "Amina",
        "email": f"{marker}@example.test",
        "address": "زنقة الورود",
    }


def signature_body(n: int, marker: str) -> dict[str, Any]:
    """A signature whose e-mail address is `marker`@example.test."""
    return {
        "full_name": f"Signatory {n}",
        "cin": f"FT{n:06d}",
        "residence_commune": "commune-a",
        "email": f"{marker}@example.test",
        "electoral_declaration": True,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Production settings on the test database; INFITAH_SITE_URL left unset."""
    db = connection.settings_dict
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INFITAH_", "DJANGO_"))
        and k not in {"DATABASE_URL", "CACHE_URL", "EMAIL_URL", "TASKS_BACKEND", "DEBUG"}
    }
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "infitah.settings",
        "INFITAH_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "INFITAH_PII_KEY": secrets.token_urlsafe(48),
        "INFITAH_REGISTER_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "locmem://",
        "TASKS_BACKEND": "database",
        "INFITAH_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "INFO",
        **extra,
    }


def process_children(pid: int) -> dict[int, str]:
    """The live children of `pid`: {pid: command line}."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                )
    return found


def group_members(pgids: set[int]) -> list[int]:
    """The live processes of the process groups `pgids`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) in pgids and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


def terminate_backends() -> int:
    """pg_terminate_backend on every session of the test database but this one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass
class Reply:
    status: int  # 0: no answer (connection refused, reset, timed out)
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def request(self, method: str, path: str, body: Any = None, *, timeout: float = 30) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            conn.request(method, path, payload, headers)
            response = conn.getresponse()
            return Reply(response.status, response.read())
        except (OSError, http.client.HTTPException):
            return Reply(0, b"")
        finally:
            conn.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def child(self, marker: str) -> int | None:
        """The pid of serve's child whose command line contains `marker`."""
        for pid, cmdline in process_children(self.proc.pid).items():
            if marker in cmdline:
                return pid
        return None

    def web_workers(self) -> list[int]:
        master = self.child("gunicorn")
        return sorted(process_children(master)) if master else []

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited:\n{self.output()[-4000:]}")
            return self.request("GET", "/healthz", timeout=2).status == 200

        wait_for(ready, timeout, "serve answers /healthz")


@contextlib.contextmanager
def serve(tmp_path: Path, *args: str, **env: str) -> Iterator[Served]:
    """Run `manage.py serve --bind 127.0.0.1:<free port> ARGS`; on exit, SIGTERM it and
    check that it and every one of its children stopped."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", *args],
            cwd=settings.BASE_DIR,
            env=production_env(tmp_path / "var", **env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(proc, port, log)
    try:
        served.wait_ready()
        yield served
    finally:
        groups = set(process_children(proc.pid))  # each child leads its process group
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert proc.returncode == 0, served.output()[-4000:]
        wait_for(lambda: not group_members(groups), 5, "every process of serve's children stopped")
