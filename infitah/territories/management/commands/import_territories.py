"""`manage.py import_territories PATH [--dry-run]`: see docs/territories.md."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from infitah.territories.importers import ImportFormatError, read_path
from infitah.territories.services import territories_import


class Command(BaseCommand):
    help = (
        "Import regions, prefectures, provinces and communes from a folder of the public "
        "dataset's JSON files, or from one .json or .csv file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="A dataset folder, or a .json or .csv file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and report what would change, then write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        dry_run: bool = options["dry_run"]
        try:
            records = read_path(path)
            report = territories_import(records=records, dry_run=dry_run)
        except ImportFormatError as exc:
            raise CommandError(
                _("Import refused, nothing was changed. %(error)s") % {"error": exc}
            ) from exc
        if report.reference is not None:
            self.stdout.write(_("Reference data loaded first:"))
            for line in report.reference.lines():
                self.stdout.write(f"  {line}")
        self.stdout.write(_("Import of %(path)s:") % {"path": path})
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS(_("Done.")))
        else:
            self.stdout.write(_("Nothing changed."))
