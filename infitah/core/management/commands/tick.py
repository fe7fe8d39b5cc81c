"""Periodic sweeps: run every minute or so by cron or a systemd timer (docs/operations.md),
or by `manage.py serve`, which runs `tick --every 60` beside gunicorn and the worker.

With `--every SECONDS` the command stays up and runs a round every SECONDS (measured
from the start of a round). A round that fails (the database away, a bug in one sweep)
is logged with its traceback, its connections are closed, and the next round runs on
time. SIGTERM or SIGINT stop it after the round in progress.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import suppress
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.complaints.services import complaints_sweep
from infitah.core.models import Heartbeat
from infitah.deadlines.services import deadlines_sweep
from infitah.information.services import requests_sweep
from infitah.ledger.register_services import checkpoint_maybe_sign
from infitah.notifications.selectors import dead_email_count, dead_sms_count
from infitah.notifications.services import email_retry_failed, sms_retry_failed
from infitah.opendata.sync import datasets_sync_changed
from infitah.openness.services import openness_update_changed
from infitah.participation.labs.services import labs_recompute_due
from infitah.petitions.services import petitions_decisions_sweep
from infitah.petitions.signatures import petitions_sweep

logger = logging.getLogger("infitah.tick")


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps (deadlines, information requests, complaints, petitions, lab reports, "
        "e-mail retries, register checkpoint, open-data catalogue, openness index). "
        "Safe to run concurrently."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="stay up and run the sweeps every SECONDS (default: once, then exit)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every < 0:
            raise CommandError(_("--every: a number of seconds, 0 or more."))
        if not every:
            self.sweep()
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.sweep()
            except Exception:
                logger.exception("tick: a round of sweeps failed; next round in %.0f s", every)
            finally:
                # Nothing is kept open between rounds, and a connection that failed is
                # not reused.
                for connection in connections.all(initialized_only=True):
                    with suppress(DatabaseError):
                        connection.close()
            stop.wait(max(0.0, every - (time.monotonic() - started)))

    def sweep(self) -> None:
        """One round of every sweep."""
        counts = deadlines_sweep()
        information = requests_sweep()
        complaints = complaints_sweep()
        # Each process's sweep runs its legal clocks through the case engine: what
        # happens when a period passes unmet, the reminders (docs/cases.md).
        petitions = {**petitions_sweep(), **petitions_decisions_sweep()}
        labs = labs_recompute_due()
        # E-mails whose next attempt is due (exponential backoff); the dead letters wait
        # for the network admin's page (docs/operations.md).
        retried = email_retry_failed()
        dead_letters = dead_email_count()
        # SMS: the same schedule, the same page (docs/sms.md).
        sms_retried = sms_retry_failed()
        dead_sms = dead_sms_count()
        # The register is signed at least hourly even when nothing was published.
        checkpoint = checkpoint_maybe_sign(force_hourly=True)
        # The open-data catalogue, then the openness index (which reads it), for the
        # collectivities with new events since the last round; once a day the index of
        # every collectivity is recomputed in the background (docs/openness.md).
        datasets = datasets_sync_changed()
        openness = openness_update_changed()
        signed = checkpoint.tree_size if checkpoint else "-"
        summary = (
            f"deadlines: {counts}; information requests: {information}; "
            f"complaints: {complaints}; petitions: {petitions}; lab reports queued: {labs}; "
            f"e-mails re-queued: {retried}; undeliverable e-mails: {dead_letters}; "
            f"SMS re-queued: {sms_retried}; undeliverable SMS: {dead_sms}; "
            f"checkpoint signed: {signed}; datasets: {datasets}; "
            f"openness scores recomputed: {openness}"
        )
        # The heartbeat the network's health page reads (network/health.py).
        Heartbeat.objects.update_or_create(
            key="tick", defaults={"at": timezone.now(), "detail": summary}
        )
        self.stdout.write(summary)
