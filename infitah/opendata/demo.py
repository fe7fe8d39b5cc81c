"""Demo data of the open-data catalogue: one data file that the demo commune of Aït
Melloul uploads in the publication category "open-data" (through the publication
service, as its staff would), then a full `datasets_sync`, which makes every demo
register and statistic a dataset.

Run after the other demos (`infitah.core.demo.demo_load`), so that their data is in
the catalogue. Idempotent (the file is published once, by SHA-256; a second sync changes
nothing). Refused in production.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from infitah.accounts.models import User
from infitah.opendata.sync import UPLOAD_CATEGORY, SyncResult, datasets_sync
from infitah.publication.models import Category, Document, Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

COMMUNE_SLUG = "ait-melloul"
EDITOR_EMAIL = "publication-editor@demo.infitah.ma"
FILE_NAME = "eclairage-public-par-secteur-demo.csv"
TITLE_AR = "الإنارة العمومية حسب القطاع (معطيات تجريبية)"
TITLE_FR = "Éclairage public par secteur (données de démonstration)"
# Illustrative figures, not the commune's: the demo says so in its title.
DEMO_CSV = (
    b"secteur,points_lumineux,dont_led,annee\r\n"
    b"Secteur 1,1250,610,2025\r\n"
    b"Secteur 2,980,420,2025\r\n"
    b"Secteur 3,1430,900,2025\r\n"
    b"Secteur 4,760,150,2025\r\n"
    b"Secteur 5,1105,530,2025\r\n"
)

Log = Callable[[str], None]


def _by_slug(slug: str) -> Collectivity | None:
    return Collectivity.objects.filter(slug=slug).first()


@transaction.atomic
def _upload(collectivity_by_slug: Callable[[str], Collectivity | None], log: Log) -> bool:
    commune = collectivity_by_slug(COMMUNE_SLUG)
    editor = User.objects.filter(email=EDITOR_EMAIL).first()
    category = Category.objects.filter(code=UPLOAD_CATEGORY).first()
    if commune is None or editor is None or category is None:
        log("open-data demo: demo commune, editor or category missing; no file uploaded")
        return False
    digest = hashlib.sha256(DEMO_CSV).hexdigest()
    if Document.objects.filter(collectivity=commune, sha256=digest).exists():
        return False
    document_publish(
        collectivity=commune,
        actor=editor,
        category=category,
        title_ar=TITLE_AR,
        title_fr=TITLE_FR,
        date=dt.date(2026, 1, 15),
        language=Language.MIXED,
        upload=ContentFile(DEMO_CSV, name=FILE_NAME),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        is_complete=True,
    )
    return True


def opendata_demo(
    collectivity_by_slug: Callable[[str], Collectivity | None] = _by_slug, log: Log = print
) -> SyncResult:
    """Upload the demo data file (once), then sync the whole catalogue."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    if _upload(collectivity_by_slug, log):
        log(f"open-data demo: {COMMUNE_SLUG}: one data file published in “{UPLOAD_CATEGORY}”")
    result = datasets_sync()
    log(f"open-data demo: catalogue synced ({result})")
    return result
