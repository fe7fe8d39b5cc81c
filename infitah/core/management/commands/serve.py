"""Run the site: gunicorn (static files by WhiteNoise) and the background task worker.

gunicorn runs the ASGI entry point (infitah/asgi.py) with uvicorn workers: the signing
endpoints on the event loop in batches, every other request in Django's thread pool."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.core.demo import demo_accounts


class Command(BaseCommand):
    help = "Start gunicorn and the task worker together; stop both on Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        bind = options["bind"]
        python = sys.executable
        procs = [
            subprocess.Popen(
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
                    str(options["workers"]),
                    "--access-logfile",
                    "-",
                ],
                cwd=settings.BASE_DIR,
            ),
            subprocess.Popen(
                [python, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
                cwd=settings.BASE_DIR,
            ),
        ]
        self.stdout.write(self.style.SUCCESS(f"\nInfitah is running at http://{bind}/"))
        self.stdout.write(f"  Arabic: http://{bind}/ar/   French: http://{bind}/fr/")
        if not settings.IS_PRODUCTION:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for email, description in demo_accounts():
                self.stdout.write(f"  {email:<48} {description}")
        self.stdout.write("\nPress Ctrl-C to stop.\n")

        def stop(signum: int, frame: object) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(proc.poll() is None for proc in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop(0, None)
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
