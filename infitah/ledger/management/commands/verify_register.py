"""Recompute the whole publication register and report every difference (docs/register.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infitah.ledger.register_selectors import register_audit

MAX_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Re-hash every stored file and leaf, every stored subtree node, the root at every "
        "checkpoint and every checkpoint signature (the C2SP note and the witnesses' "
        "cosignatures too), and compare every published document with its latest entry; "
        "exit non-zero naming each difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-files",
            action="store_true",
            help="Do not re-hash the stored files (check leaves, nodes and checkpoints only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = register_audit(check_files=not options["skip_files"])
        self.stdout.write(
            f"register: {report.entries} entries, {report.files} files re-hashed, "
            f"{report.nodes} nodes, {report.checkpoints} checkpoints, "
            f"{report.documents} documents checked, {report.cosignatures} witness cosignatures"
        )
        if not report.problems:
            self.stdout.write(self.style.SUCCESS("register: OK, no difference"))
            return
        for problem in report.problems[:MAX_SHOWN]:
            self.stderr.write(problem)
        if len(report.problems) > MAX_SHOWN:
            self.stderr.write(f"... and {len(report.problems) - MAX_SHOWN} more")
        raise CommandError(f"register: {len(report.problems)} difference(s) found")
