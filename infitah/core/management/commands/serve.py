"""Run the site: gunicorn (static files by WhiteNoise), the task worker and the periodic
sweeps, each a child process that is restarted when it stops.

gunicorn runs the ASGI entry point (infitah/asgi.py) with uvicorn workers: the signing
endpoints on the event loop in batches, every other request in Django's thread pool.
Beside it run `task_worker` (django-tasks' worker, reconnecting after a lost database)
and `tick --every INFITAH_TICK_SECONDS` (the periodic sweeps: deadlines, e-mail retries,
lab reports…).

Supervision: a child that exits while serve is running is started again after a pause
(1 s, doubling up to 30 s while it keeps exiting within 30 s of its start), with a log
line; the other children go on, so one crash never takes the site down. gunicorn itself
replaces a worker process that dies. SIGTERM, SIGINT (Ctrl-C) or SIGHUP stop every child
with SIGTERM: gunicorn finishes the requests in flight within `--graceful-timeout`; serve
waits that long plus a margin before it kills what is left. The children run in their own
process group (Ctrl-C in a terminal reaches serve only, which stops them in order) and, on
Linux, receive SIGTERM if serve itself dies.

When INFITAH_SITE_URL is not set, the children get the address of `--bind`, so that links
in e-mails point where the site answers.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.core.demo import demo_accounts

logger = logging.getLogger("infitah.serve")

BACKOFF_MIN_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
# A child that ran at least this long before it stopped is restarted after the minimum.
STABLE_SECONDS = 30.0
POLL_SECONDS = 0.2
# Beyond gunicorn's graceful timeout, what serve grants before it kills a child.
STOP_MARGIN_SECONDS = 10.0
PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    """A supervised child process: its command line and restart state."""

    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_MIN_SECONDS
    restart_at: float | None = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def site_url_for_bind(bind: str) -> str | None:
    """The address of the site for a gunicorn `--bind` (host:port), as a browser on this
    machine reaches it; None for a Unix socket or a file descriptor."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit():
        host, port = bind, "8000"  # gunicorn's default port
    if host in {"", "0.0.0.0"}:  # noqa: S104  (matched, not bound)
        host = "127.0.0.1"
    elif host in {"[::]", "::"}:
        host = "[::1]"
    return f"http://{host}:{port}"


def _port_taken(bind: str) -> bool:
    """Whether a TCP host:port bind is already in use (by an earlier serve, say)."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or bind.startswith(("unix:", "fd://")):
        return False
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when serve dies (Linux), so that a
    killed serve leaves no server behind. Runs in the new process, between fork and exec."""
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # serve died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _signal_group(child: Child, signum: int) -> None:
    """Send `signum` to what is left of the process group of a child that has exited
    (each child leads its own group: `process_group=0`)."""
    if child.proc is None:
        return
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(child.proc.pid, signum)


class Command(BaseCommand):
    help = (
        "Start gunicorn, the task worker and the periodic sweeps; restart any of them "
        "that stops; stop them all on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port of gunicorn")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn worker processes (default: WEB_CONCURRENCY, else 2)",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=30,
            metavar="SECONDS",
            help="time gunicorn gives the requests in flight when it stops (default 30)",
        )
        parser.add_argument(
            "--tick-every",
            type=float,
            default=None,
            metavar="SECONDS",
            help="run the periodic sweeps every SECONDS (default: INFITAH_TICK_SECONDS, "
            "60); 0: not at all",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind: str = options["bind"]
        workers = options["workers"]
        if workers is None:
            raw = os.environ.get("WEB_CONCURRENCY", "").strip()
            if raw and not raw.isdigit():
                raise CommandError(_("WEB_CONCURRENCY must be a whole number."))
            workers = int(raw) if raw else 2
        graceful = options["graceful_timeout"]
        tick_every = options["tick_every"]
        if tick_every is None:
            tick_every = settings.INFITAH_TICK_SECONDS
        if workers < 1:
            raise CommandError(_("--workers: at least 1."))
        if graceful < 1:
            raise CommandError(_("--graceful-timeout: at least 1 second."))
        if tick_every < 0:
            raise CommandError(_("--tick-every: a number of seconds, 0 or more."))
        if _port_taken(bind):
            raise CommandError(
                _("%(bind)s is already in use: is the site already running?") % {"bind": bind}
            )
        self._warn_per_process_cache(workers)
        env = self._child_env(bind)

        python = sys.executable
        children = [
            Child(
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "infitah.asgi:application",
                    "--worker-class",
                    "infitah.server.Worker",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--graceful-timeout",
                    str(graceful),
                    "--access-logfile",
                    "-",
                    # serve is gunicorn's supervisor; two serves on one machine would
                    # share the default control socket path.
                    "--no-control-socket",
                ],
            ),
            Child("worker", [python, "manage.py", "task_worker", "--queue-name", "*"]),
        ]
        if tick_every:
            children.append(
                Child("tick", [python, "manage.py", "tick", "--every", f"{tick_every:g}"])
            )

        stopping: list[int] = []

        def request_stop(signum: int, frame: FrameType | None) -> None:
            if stopping:  # a second Ctrl-C: no more waiting
                for child in children:
                    if child.running():
                        assert child.proc is not None
                        child.proc.kill()
            stopping.append(signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, request_stop)

        for child in children:
            self._start(child, env)
        self._banner(bind, env.get("INFITAH_SITE_URL"))
        try:
            while not stopping:
                self._supervise(children, env)
                time.sleep(POLL_SECONDS)
        finally:
            self._stop(children, graceful + STOP_MARGIN_SECONDS)

    # ---- children ---------------------------------------------------------------------

    def _child_env(self, bind: str) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if not os.environ.get("INFITAH_SITE_URL"):
            url = site_url_for_bind(bind)
            if url is not None:
                env["INFITAH_SITE_URL"] = url
            if settings.IS_PRODUCTION:
                logger.warning(
                    "serve: INFITAH_SITE_URL is not set; links in e-mails will use %s. "
                    "Set it to the public address of the site.",
                    url or settings.INFITAH_SITE_URL,
                )
        return env

    def _warn_per_process_cache(self, workers: int) -> None:
        # Production refuses locmem in settings.py; elsewhere, say what it costs.
        backend = str(settings.CACHES["default"]["BACKEND"])
        if backend.endswith("LocMemCache"):
            logger.warning(
                "serve: CACHE_URL=locmem:// keeps one cache per process (%d web workers, "
                "the task worker, the tick): pages may be stale and rate limits are "
                "counted per process. Unset CACHE_URL for the shared file cache.",
                workers,
            )

    def _start(self, child: Child, env: dict[str, str]) -> None:
        child.proc = subprocess.Popen(
            child.argv,
            cwd=settings.BASE_DIR,
            env=env,
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        child.started_at = time.monotonic()
        child.restart_at = None
        logger.info("serve: %s started (pid %d)", child.name, child.proc.pid)

    def _supervise(self, children: list[Child], env: dict[str, str]) -> None:
        """Restart the children that stopped, each after its pause."""
        now = time.monotonic()
        for child in children:
            if child.proc is None:
                continue
            if child.restart_at is None:
                code = child.proc.poll()
                if code is None:
                    continue
                if now - child.started_at >= STABLE_SECONDS:
                    child.backoff = BACKOFF_MIN_SECONDS
                how = f"signal {-code}" if code < 0 else f"code {code}"
                logger.warning(
                    "serve: %s (pid %d) stopped with %s; restarting in %.0f s",
                    child.name,
                    child.proc.pid,
                    how,
                    child.backoff,
                )
                child.restart_at = now + child.backoff
                child.backoff = min(child.backoff * 2, BACKOFF_MAX_SECONDS)
                # What the child started and left behind (gunicorn's workers, when the
                # master was killed: uvicorn workers do not notice) is asked to stop,
                # so that the port is free and no unsupervised process serves.
                _signal_group(child, signal.SIGTERM)
            elif now >= child.restart_at:
                _signal_group(child, signal.SIGKILL)
                self._start(child, env)

    def _stop(self, children: list[Child], wait: float) -> None:
        """SIGTERM to every child; SIGKILL to those still running after `wait` seconds."""
        for child in children:
            if child.running():
                assert child.proc is not None
                child.proc.terminate()
        deadline = time.monotonic() + wait
        for child in children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("serve: %s did not stop in %.0f s; killed", child.name, wait)
                child.proc.kill()
                child.proc.wait()
            _signal_group(child, signal.SIGKILL)
        logger.info("serve: stopped")

    # ---- output -----------------------------------------------------------------------

    def _banner(self, bind: str, site_url: str | None) -> None:
        address = site_url or f"http://{bind}"
        self.stdout.write(self.style.SUCCESS(f"\nInfitah is running at {address}/"))
        self.stdout.write(f"  Arabic: {address}/ar/   French: {address}/fr/")
        if not settings.IS_PRODUCTION:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for email, description in demo_accounts():
                self.stdout.write(f"  {email:<48} {description}")
        self.stdout.write("\nPress Ctrl-C to stop.\n")
