"""Transports for the notification tests: a real SMTP client against a closed port, and a
real SMS centre process (tests/smsc/server.py) for the SMPP client."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django.test import override_settings


def _closed_port() -> int:
    """A loopback port nobody listens on: bound by the OS, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def smtp_down() -> Iterator[int]:
    """Django's real SMTP backend pointed at a closed port: every send is refused."""
    port = _closed_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    ):
        yield port


# ---- SMS: a real SMS centre process (tests/smsc/server.py) on a loopback port ----

SMSC_SERVER = Path(__file__).resolve().parents[3] / "tests" / "smsc" / "server.py"


@dataclass
class Smsc:
    """A running test SMS centre: its port, and what it received (read from its file)."""

    port: int
    record: Path

    def url(
        self,
        user: str = "infitah",
        password: str = "secret",  # noqa: S107
        source: str = "INFITAH",
    ) -> str:
        return f"smpp://{user}:{password}@127.0.0.1:{self.port}?source={source}&timeout=5"

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self.record.read_text(encoding="utf-8"))
        return [e for e in found if kind is None or e["event"] == kind]


@pytest.fixture
def smsc_start(tmp_path: Path) -> Iterator[Callable[..., Smsc]]:
    """Start SMS centre processes (`--refuse-bind`, other credentials...); each is
    stopped at the end of the test."""
    started: list[subprocess.Popen[str]] = []

    def start(*options: str) -> Smsc:
        record = tmp_path / f"smsc-{len(started)}.json"
        process = subprocess.Popen(
            [sys.executable, str(SMSC_SERVER), "--record", str(record), *options],
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 20)
        assert ready, "the test SMS centre did not start"
        line = process.stdout.readline()
        assert line.startswith("listening "), line
        return Smsc(port=int(line.rsplit(":", 1)[1]), record=record)

    yield start
    for process in started:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def smsc(smsc_start: Callable[..., Smsc]) -> Iterator[Smsc]:
    """One SMS centre accepting infitah/secret, and SMS_URL pointed at it."""
    centre = smsc_start()
    with override_settings(SMS_URL=centre.url()):
        yield centre
