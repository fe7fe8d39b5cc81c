"""The register's signing key: required in production, a development key elsewhere."""

from __future__ import annotations

import base64

from infitah.core.tests.test_settings import PRODUCTION, _run


def test_production_refuses_to_start_without_a_signing_key() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "INFITAH_REGISTER_SIGNING_KEY"}
    result = _run(env, "check")
    assert result.returncode != 0 and "INFITAH_REGISTER_SIGNING_KEY" in result.stderr


def test_a_malformed_key_is_refused_everywhere() -> None:
    for bad in ["not base64!", base64.b64encode(b"short").decode()]:
        result = _run({"INFITAH_REGISTER_SIGNING_KEY": bad}, "check")
        assert result.returncode != 0 and "INFITAH_REGISTER_SIGNING_KEY" in result.stderr


def test_production_accepts_a_key_from_a_file(tmp_path) -> None:
    key = tmp_path / "register.key"
    key.write_text(PRODUCTION["INFITAH_REGISTER_SIGNING_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "INFITAH_REGISTER_SIGNING_KEY"}
    assert _run({**env, "INFITAH_REGISTER_SIGNING_KEY_FILE": str(key)}, "check").returncode == 0
