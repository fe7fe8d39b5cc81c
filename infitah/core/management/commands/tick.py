"""Periodic sweeps: run every minute or so by cron or a systemd timer (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from infitah.complaints.services import complaints_sweep
from infitah.deadlines.services import deadlines_sweep
from infitah.information.services import requests_sweep
from infitah.ledger.register_services import checkpoint_maybe_sign
from infitah.notifications.services import email_retry_failed
from infitah.participation.labs.services import labs_recompute_due
from infitah.petitions.services import petitions_decisions_sweep
from infitah.petitions.signatures import petitions_sweep


class Command(BaseCommand):
    help = (
        "Run the periodic sweeps (deadlines, information requests, complaints, petitions, lab reports, "
        "e-mail retries, register checkpoint). Safe to run concurrently."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deadlines_sweep()
        information = requests_sweep()
        complaints = complaints_sweep()
        # Each process's sweep runs its legal clocks through the case engine: what
        # happens when a period passes unmet, the reminders (docs/cases.md).
        petitions = {**petitions_sweep(), **petitions_decisions_sweep()}
        labs = labs_recompute_due()
        retried = email_retry_failed()
        # The register is signed at least hourly even when nothing was published.
        checkpoint = checkpoint_maybe_sign(force_hourly=True)
        signed = checkpoint.tree_size if checkpoint else "-"
        self.stdout.write(
            f"deadlines: {counts}; information requests: {information}; "
            f"complaints: {complaints}; petitions: {petitions}; lab reports queued: {labs}; "
            f"e-mails re-queued: {retried}; checkpoint signed: {signed}"
        )
