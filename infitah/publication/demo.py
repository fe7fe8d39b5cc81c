"""Demo data of the publication.

- The project's own demo documents (demo_documents/, plain UTF-8 text written for the
  demo): the summary of the 2026 budget of Aït Melloul (citizen budget), the council's
  deliberation adopting it (October 2025 session) and the draft of its next opening
  plan (2027–2028), each in Arabic and in French: six documents, always published.
  Their figures, names and dates follow the finance, council and opening-programme
  demos.
- The seed texts of ../shared/seeds, when that folder is present, as communiqués of
  their collectivities (test material kept beside the project; a fresh clone has none).

Idempotent (a file already published in its collectivity, by SHA-256, is skipped).
Refused in production. Run after `infitah.core.demo.demo_load` has created the
collectivities and the demo publication editor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
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
DOCUMENTS_DIR = Path(__file__).resolve().parent / "demo_documents"
COMMUNE_SLUG = "ait-melloul"

# Seed file prefix -> slug of the collectivity that published it.
SEEDS: dict[str, str] = {
    "000": "beni-mellal-khenifra",
    "001": "beni-mellal-khenifra",
    "002": "draa-tafilalet",
    "003": "ait-melloul",
    "004": "laayoune-sakia-el-hamra",
}


@dataclass(frozen=True)
class DemoDocument:
    """One file of demo_documents/ and how it is published."""

    filename: str
    category: str
    language: str
    title_ar: str
    title_fr: str
    date: dt.date
    period: tuple[dt.date, dt.date] | None = None


_BUDGET_AR = "ملخص ميزانية جماعة أيت ملول برسم السنة المالية 2026 (ميزانية المواطن)"
_BUDGET_FR = "Résumé du budget 2026 de la commune d'Aït Melloul (budget citoyen)"
_DECISION_AR = "مقرر المجلس الجماعي رقم AM-2025-10/2 بالمصادقة على ميزانية 2026"
_DECISION_FR = "Délibération n° AM-2025-10/2 du conseil communal adoptant le budget 2026"
_PLAN_AR = "مشروع خطة انفتاح جماعة أيت ملول 2027-2028 (للتشاور العمومي)"
_PLAN_FR = "Projet de plan d'ouverture de la commune d'Aït Melloul 2027-2028 (consultation)"
_IN_FRENCH = " (النسخة الفرنسية)"
_IN_ARABIC = " (version arabe)"
_YEAR_2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))

# Each text in Arabic and in French: two documents, each with both titles so that it
# is listed under the visitor's language, the other language's copy named as such.
DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        "budget-2026.ar.txt",
        "budget.current",
        Language.ARABIC,
        _BUDGET_AR,
        _BUDGET_FR + _IN_ARABIC,
        dt.date(2026, 1, 20),
        _YEAR_2026,
    ),
    DemoDocument(
        "budget-2026.fr.txt",
        "budget.current",
        Language.FRENCH,
        _BUDGET_AR + _IN_FRENCH,
        _BUDGET_FR,
        dt.date(2026, 1, 20),
        _YEAR_2026,
    ),
    DemoDocument(
        "council-decision-2025-10.ar.txt",
        "council.sessions",
        Language.ARABIC,
        _DECISION_AR,
        _DECISION_FR + _IN_ARABIC,
        dt.date(2025, 10, 7),
    ),
    DemoDocument(
        "council-decision-2025-10.fr.txt",
        "council.sessions",
        Language.FRENCH,
        _DECISION_AR + _IN_FRENCH,
        _DECISION_FR,
        dt.date(2025, 10, 7),
    ),
    DemoDocument(
        "opening-plan-2027-2028-draft.ar.txt",
        "action.programme",
        Language.ARABIC,
        _PLAN_AR,
        _PLAN_FR + _IN_ARABIC,
        dt.date(2026, 11, 16),
    ),
    DemoDocument(
        "opening-plan-2027-2028-draft.fr.txt",
        "action.programme",
        Language.FRENCH,
        _PLAN_AR + _IN_FRENCH,
        _PLAN_FR,
        dt.date(2026, 11, 16),
    ),
)


def seeds_path() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "seeds"


def title_from(text: str) -> str:
    """The first non-empty line, cut at a word boundary to TITLE_MAX characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_MAX:
        return line
    return line[:TITLE_MAX].rsplit(" ", 1)[0] + "…"


def _is_published(collectivity: Collectivity, data: bytes) -> bool:
    sha256 = hashlib.sha256(data).hexdigest()
    return Document.objects.filter(collectivity=collectivity, sha256=sha256).exists()


def _own_documents(editor: User, log: Callable[[str], None]) -> int:
    commune = Collectivity.objects.filter(slug=COMMUNE_SLUG).first()
    if commune is None:
        log(f"publication demo: no collectivity {COMMUNE_SLUG!r}, demo documents skipped")
        return 0
    categories = {
        c.code: c for c in Category.objects.filter(code__in={d.category for d in DOCUMENTS})
    }
    today = timezone.localdate()
    published = 0
    for item in DOCUMENTS:
        category = categories.get(item.category)
        data = (DOCUMENTS_DIR / item.filename).read_bytes()
        if category is None or _is_published(commune, data):
            continue
        start, end = item.period or (None, None)
        document = document_publish(
            collectivity=commune,
            actor=editor,
            category=category,
            title_ar=item.title_ar,
            title_fr=item.title_fr,
            # A load under a travelled clock (tests) never dates a document in its future.
            date=min(item.date, today),
            period_start=start,
            period_end=end,
            language=item.language,
            upload=ContentFile(data, name=item.filename),
        )
        log(
            f"publication demo: {COMMUNE_SLUG}: {item.category}, {item.language}: "
            f"{document.title_fr if item.language == Language.FRENCH else document.title_ar}"
        )
        published += 1
    return published


def _seed_texts(editor: User, log: Callable[[str], None]) -> int:
    folder = seeds_path()
    if not folder.is_dir():
        log(f"publication demo: no seed texts at {folder}, no communiqués")
        return 0
    category = Category.objects.filter(code=CATEGORY_CODE).first()
    if category is None:
        return 0
    published = 0
    for path in sorted(folder.glob("*.txt")):
        slug = SEEDS.get(path.name[:3])
        collectivity = Collectivity.objects.filter(slug=slug).first() if slug else None
        if collectivity is None:
            continue
        data = path.read_bytes()
        if _is_published(collectivity, data):
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
    log(f"publication demo: {published} communiqué(s) published from the seed texts")
    return published


@transaction.atomic
def publication_demo_load(*, log: Callable[[str], None] = print) -> int:
    """Publish the demo documents, then the seed texts if present; return how many
    documents were published now (0 on a second run)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    editor = User.objects.filter(email=EDITOR_EMAIL).first()
    if editor is None:
        log("publication demo: no demo publication editor, skipped")
        return 0
    own = _own_documents(editor, log)
    log(f"publication demo: {own} demo document(s) published")
    return own + _seed_texts(editor, log)
