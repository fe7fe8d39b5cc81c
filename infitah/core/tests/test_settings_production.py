"""Production refuses a configuration that would run but should not: an embedded SQLite
database, or a site that answers to any host name."""

import pytest

from infitah.core.tests.test_settings import PRODUCTION, _run


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "sqlite:////tmp/infitah-production.sqlite3", "PostgreSQL"),
        ("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS"),
        ("ALLOWED_HOSTS", "infitah.example.org,*", "ALLOWED_HOSTS"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses(variable: str, value: str, message: str) -> None:
    result = _run({**PRODUCTION, variable: value}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_outside_production_sqlite_and_any_host_still_run() -> None:
    env = {"DATABASE_URL": "sqlite:////tmp/infitah-dev-check.sqlite3", "ALLOWED_HOSTS": "*"}
    result = _run(env, "check")
    assert result.returncode == 0, result.stderr
