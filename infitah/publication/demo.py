"""Demo data of the publication: the five seed texts as communiqués of their collectivities.

Idempotent (a text already published in its collectivity, by SHA-256, is skipped);
skipped when the seeds folder (../shared/seeds) is absent. Refused in production.
Run after `infitah.core.demo.demo_load`, which creates the collectivities and the demo
publication editor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from infitah.accounts.models import User
from infitah.publication.models import Category, Document, Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

EDITOR_EMAIL = "publication-editor@demo.infitah.ma"
CATEGORY_CODE = "communiques"
TITLE_MAX = 200

# Seed file prefix -> slug of the collectivity that published it.
SEEDS: dict[str, str] = {
    "000": "beni-mellal-khenifra",
    "001": "beni-mellal-khenifra",
    "002": "draa-tafilalet",
    "003": "ait-melloul",
    "004": "laayoune-sakia-el-hamra",
}


def seeds_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "seeds"


def title_from(text: str) -> str:
    """The first non-empty line, cut at a word boundary to TITLE_MAX characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_MAX:
        return line
    return line[:TITLE_MAX].rsplit(" ", 1)[0] + "…"


@transaction.atomic
def publication_demo_load(*, log: Callable[[str], None] = print) -> int:
    """Publish the seed texts; return how many were published now."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    folder = seeds_path()
    if not folder.is_dir():
        log(f"publication demo: no seeds at {folder}, skipped")
        return 0
    editor = User.objects.filter(email=EDITOR_EMAIL).first()
    category = Category.objects.filter(code=CATEGORY_CODE).first()
    if editor is None or category is None:
        log("publication demo: demo editor or category missing, skipped")
        return 0
    published = 0
    for path in sorted(folder.glob("*.txt")):
        slug = SEEDS.get(path.name[:3])
        collectivity = Collectivity.objects.filter(slug=slug).first() if slug else None
        if collectivity is None:
            continue
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        if Document.objects.filter(collectivity=collectivity, sha256=sha256).exists():
            continue
        document_publish(
            collectivity=collectivity,
            actor=editor,
            category=category,
            title_ar=title_from(data.decode("utf-8")),
            title_fr="",
            date=timezone.localdate(),
            language=Language.ARABIC,
            upload=ContentFile(data, name=f"communique-{path.name[:3]}.txt"),
        )
        published += 1
    log(f"publication demo: {published} communiqué(s) published")
    return published
