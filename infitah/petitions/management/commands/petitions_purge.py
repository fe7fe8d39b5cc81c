"""Delete the signatures of closed petitions after their retention period (law 09-08)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from infitah.petitions.signatures import signatures_purge


class Command(BaseCommand):
    help = (
        "Delete the signatures of petitions deliberated, rejected or withdrawn for longer "
        "than their collectivity's retention period; the counts stay on the petition. "
        "Run daily (cron or a systemd timer); safe to run again or concurrently."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = signatures_purge(dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"petitions_purge: {verb} {result['signatures']} signatures "
            f"of {result['petitions']} petitions"
        )
