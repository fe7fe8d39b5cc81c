"""Compile the .po catalogues to .mo with polib (no GNU gettext needed), or check them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _catalogue(mo: polib.MOFile | polib.POFile) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for entry in mo:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if isinstance(entry, polib.POEntry) and not entry.translated():
            continue  # not compiled: gettext falls back (a partial catalogue)
        value = entry.msgstr_plural if entry.msgid_plural else entry.msgstr
        out[(entry.msgctxt or "", entry.msgid)] = dict(value) if isinstance(value, dict) else value
    return out


class Command(BaseCommand):
    help = "Compile infitah/locale/*/LC_MESSAGES/django.po to .mo; --check fails if stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = []
        partial = set(settings.INFITAH_PARTIAL_LANGUAGES)
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.po")):
                po = polib.pofile(str(po_path))
                untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
                # A partial catalogue (Tamazight) leaves strings to the Arabic fallback.
                if untranslated and po_path.parent.parent.name in partial:
                    self.stdout.write(
                        f"{po_path}: {len(untranslated)} untranslated (Arabic is shown)"
                    )
                elif untranslated:
                    problems.append(
                        f"{po_path}: {len(untranslated)} untranslated: {untranslated[:5]}"
                    )
                mo_path = po_path.with_suffix(".mo")
                if options["check"]:
                    if not mo_path.exists():
                        problems.append(f"{mo_path} is missing")
                    elif _catalogue(polib.mofile(str(mo_path))) != _catalogue(po):
                        problems.append(f"{mo_path} is stale: run manage.py compile_translations")
                else:
                    po.save_as_mofile(str(mo_path))
                    self.stdout.write(f"compiled {mo_path}")
        if problems:
            raise CommandError("\n".join(problems))
