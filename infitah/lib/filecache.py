"""The embedded cache: Django's file-based cache, shared by every process of one machine.

`manage.py serve` runs several processes (gunicorn workers, the task worker, the
periodic tick); a per-process cache (locmem) would let one worker serve pages another
has invalidated, and count rate limits per worker. Files under `var/cache` are seen by
all of them with no server to install (CACHE_URL=redis:// for several machines).

What Django's `FileBasedCache` lacks, and this backend adds:

- `add` and `incr` are atomic between processes and threads: each takes an exclusive
  lock (`flock`) on one of `LOCK_STRIPES` lock files, chosen by the key's file name,
  around its read-modify-write. The page cache's version counter and the rate counters
  of petitions (petitions/integrity.py: `cache.add` then `cache.incr`) rely on this.
- `incr` keeps the entry's expiry (Django's generic `incr` re-sets it to the default
  timeout, which would stretch or cut a rate-limit window).
- Culling (deleting a third of the entries past `MAX_ENTRIES`) lists the directory at
  most once every `CULL_EVERY_SECONDS` per process, not at every write.

`get`, `set` and `delete` are Django's: a write goes to a temporary file renamed over
the entry, so a reader sees the old or the new value, never half of one. A plain `set`
racing an `incr` of the same key may be overwritten by it (last writer wins), as with
any cache that is not a server.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks
from django.core.files.move import file_move_safe

LOCK_STRIPES = 64
CULL_EVERY_SECONDS = 10.0


class FileCache(FileBasedCache):
    """FileBasedCache with atomic `add` and `incr` (see the module docstring)."""

    # FileBasedCache's own attributes, which django-stubs does not declare.
    _dir: str
    _key_to_file: Callable[[str, int | None], str]
    _delete: Callable[[str], bool]

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        self._lock_dir = os.path.join(self._dir, "locks")
        self._next_cull = 0.0

    @contextmanager
    def _locked(self, fname: str) -> Iterator[None]:
        """Hold the exclusive lock of the stripe of the entry file `fname`."""
        stripe = int(os.path.basename(fname)[:8], 16) % LOCK_STRIPES
        os.makedirs(self._lock_dir, mode=0o700, exist_ok=True)
        with open(os.path.join(self._lock_dir, f"{stripe:02d}.lock"), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        with self._locked(self._key_to_file(key, version)):
            if self.has_key(key, version):
                return False
            self.set(key, value, timeout, version)
            return True

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        fname = self._key_to_file(key, version)
        with self._locked(fname):
            try:
                with open(fname, "rb") as f:
                    expiry = pickle.load(f)  # noqa: S301  (our own files, mode 0600)
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
            except (FileNotFoundError, EOFError, zlib.error):
                raise ValueError(f"Key '{key}' not found") from None
            if expiry is not None and expiry < time.time():
                self._delete(fname)
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self._write_entry(fname, expiry, value)
            return value

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)

    def _write_entry(self, fname: str, expiry: float | None, value: Any) -> None:
        """Replace the entry file with `value` expiring at `expiry` (an absolute time)."""
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        renamed = False
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            file_move_safe(tmp_path, fname, allow_overwrite=True)
            renamed = True
        finally:
            if not renamed:
                os.remove(tmp_path)

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + CULL_EVERY_SECONDS
        super()._cull()  # type: ignore[misc]  # undeclared in django-stubs
