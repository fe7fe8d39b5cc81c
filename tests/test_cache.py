"""The cache is shared by every process of the site, or production refuses to start.

`manage.py serve` runs gunicorn workers, the task worker and the tick as separate
processes: with a per-process cache (locmem), a publication refreshed one worker's page
cache while another served the stale page for minutes, and rate limits counted per
worker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from infitah.settings import cache_settings

PRODUCTION = {
    "INFITAH_ENV": "production",
    "SECRET_KEY": "x7Qp2Lm9Vt4Rz8Kc1Nw6Hy3Bd5Fg0Js-cache-test-only-key-0123456789",
    "INFITAH_PII_KEY": "pii-Zx81Lq0Wm4Nc7Vb2Kd5Hj3Gf9-cache-test-only",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/infitah_cachecheck",
    "ALLOWED_HOSTS": "infitah.example.org",
    "INFITAH_REGISTER_SIGNING_KEY": "dGVzdC1vbmx5LXJlZ2lzdGVyLXNpZ25pbmcta2V5LTA=",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INFITAH_", "DJANGO_")) and k not in {"DATABASE_URL", "CACHE_URL"}
    }
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "infitah.settings",
        "INFITAH_VAR_DIR": str(tmp_path),
        **extra,
    }


def _shell(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_default_cache_is_shared_between_processes(tmp_path) -> None:
    env = _env(tmp_path, INFITAH_ENV="development")
    written = _shell(env, "from django.core.cache import cache; cache.set('k', 'shared', 60)")
    assert written.returncode == 0, written.stderr
    read = _shell(env, "from django.core.cache import cache; print(cache.get('k'))")
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "shared"
    # under var/, beside the SQLite database: nothing to install
    assert list((tmp_path / "cache").glob("*.djcache"))


def test_production_refuses_a_per_process_cache(tmp_path) -> None:
    env = _env(tmp_path, **PRODUCTION, CACHE_URL="locmem://")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CACHE_URL" in result.stderr
    # the same settings with the shared file cache start
    env.pop("CACHE_URL")
    assert _shell(env, "print('started')").stdout.strip() == "started"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_with_several_workers_on_a_per_process_cache_does_not_start(tmp_path) -> None:
    """The production command of docs/operations.md, started directly (not by serve)."""
    env = _env(tmp_path, **PRODUCTION, CACHE_URL="locmem://", WEB_CONCURRENCY="2")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "infitah.asgi:application",
        "--worker-class",
        "infitah.server.Worker",
        "--bind",
        f"127.0.0.1:{_free_port()}",
    ]
    result = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


def test_cache_urls() -> None:
    assert cache_settings("file:///srv/infitah/cache") == {
        "BACKEND": "infitah.lib.filecache.FileCache",
        "LOCATION": "/srv/infitah/cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
    assert cache_settings("file:///tmp/c?max_entries=500")["OPTIONS"] == {"MAX_ENTRIES": 500}
    assert cache_settings("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    for bad in ("file://relative/dir", "file:///tmp/c?max_entries=many", "memcached://x"):
        with pytest.raises(ImproperlyConfigured):
            cache_settings(bad)
