"""The embedded file cache: `add` and `incr` atomic between processes, expiry kept."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infitah.lib.filecache import FileCache

# Each child process counts on the same key through its own backend instance, as the
# gunicorn workers, the task worker and the tick do on one machine.
CHILD = """
import sys
from infitah.lib.filecache import FileCache
cache = FileCache(sys.argv[1], {"TIMEOUT": 3600})
added = 0
for _ in range(int(sys.argv[2])):
    added += cache.add("counter", 0, 3600)
    cache.incr("counter")
print(added)
"""


def _run_children(location: Path, processes: int, times: int) -> list[int]:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(location), str(times)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[3],
        )
        for _ in range(processes)
    ]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    return [int(out) for out in outputs]


def test_incr_and_add_are_atomic_between_processes(tmp_path: Path) -> None:
    added = _run_children(tmp_path, processes=4, times=150)
    cache = FileCache(str(tmp_path), {})
    # Every increment counted (Django's FileBasedCache loses some: read, then write);
    # the counter created once, by exactly one of the 600 `add` calls.
    assert cache.get("counter") == 600
    assert sum(added) == 1


def test_incr_keeps_the_expiry_of_the_entry(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {"TIMEOUT": 300})
    cache.set("window", 0, 3600)
    before = pickle.loads(Path(cache._key_to_file("window", None)).read_bytes())  # noqa: S301
    assert cache.incr("window", 5) == 5
    assert cache.decr("window", 2) == 3
    after = pickle.loads(Path(cache._key_to_file("window", None)).read_bytes())  # noqa: S301
    assert after == before  # not re-set to the default 300 s
    assert after > time.time() + 3000


def test_incr_of_a_missing_or_expired_key_raises_value_error(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    with pytest.raises(ValueError):
        cache.incr("never-set")
    cache.set("short", 1, 1)
    time.sleep(1.1)
    with pytest.raises(ValueError):
        cache.incr("short")
    assert cache.add("short", 7) is True  # expired: `add` may take the key again
    assert cache.add("short", 8) is False
    assert cache.get("short") == 7
