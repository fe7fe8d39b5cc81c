"""Load the reference data and the demo data (idempotent; refused in production)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infitah.core.demo import demo_load


class Command(BaseCommand):
    help = "Load reference collectivities, the public territories dataset and demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-dataset", action="store_true", help="Do not import ../shared/data/territories."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_load(log=self.stdout.write, import_dataset=not options["no_dataset"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
