"""Configuration by environment variables; production refuses development secrets."""

import os
import subprocess
import sys

import pytest

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from infitah.settings import cache_settings, email_settings

REAL_SECRET = "x7Qp2Lm9Vt4Rz8Kc1Nw6Hy3Bd5Fg0Js-deployment-test-only-key"
REAL_PII = "pii-Zx81Lq0Wm4Nc7Vb2Kd5Hj3Gf9-test-only"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("INFITAH_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    base.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "infitah.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "INFITAH_ENV": "production",
    "SECRET_KEY": REAL_SECRET,
    "INFITAH_PII_KEY": REAL_PII,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/infitah_deploycheck",
    "ALLOWED_HOSTS": "infitah.example.org",
    # Test-only Ed25519 key of the publication register (base64 of 32 bytes).
    "INFITAH_REGISTER_SIGNING_KEY": "dGVzdC1vbmx5LXJlZ2lzdGVyLXNpZ25pbmcta2V5LTA=",
}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("INFITAH_PII_KEY", "INFITAH_PII_KEY"),
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(missing, message) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_passes_check_deploy() -> None:
    result = _run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_from_file(tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(REAL_SECRET + "\n")
    env = {**PRODUCTION, "SECRET_KEY_FILE": str(secret)}
    env.pop("SECRET_KEY")
    assert _run(env, "check").returncode == 0


def test_email_and_cache_urls() -> None:
    smtp = email_settings("smtp://u%40x:p%3Aw@mail.example.org:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org" and smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "u@x" and smtp["EMAIL_HOST_PASSWORD"] == "p:w"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings("file:///tmp/mail")["EMAIL_FILE_PATH"] == "/tmp/mail"
    assert cache_settings("redis://127.0.0.1:6379/1")["LOCATION"] == "redis://127.0.0.1:6379/1"
    with pytest.raises(ImproperlyConfigured):
        email_settings("pigeon://coop")
    with pytest.raises(ImproperlyConfigured):
        cache_settings("memcached://x")


def test_bad_boolean_is_refused() -> None:
    result = _run({"INFITAH_REQUIRE_2FA": "perhaps"}, "check")
    assert result.returncode != 0 and "INFITAH_REQUIRE_2FA" in result.stderr


def test_redis_cache_really_works() -> None:
    """CACHE_URL=redis:// talks to the real Redis at 127.0.0.1:6379."""
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    cache.set("infitah-test", "ok", 5)
    assert cache.get("infitah-test") == "ok"
    cache.delete("infitah-test")
