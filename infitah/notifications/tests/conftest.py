"""E-mail transports for the notification tests: a real SMTP client against a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator

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
