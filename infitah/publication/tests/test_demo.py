"""The publication demo: the project's own six documents (three texts, each in Arabic and
in French) always, the seed texts as communiqués when ../shared/seeds is present;
idempotent, found by the search in both languages, listed in the public register."""

from __future__ import annotations

import hashlib
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from infitah.accounts.models import Membership, Role, User
from infitah.ledger.register_selectors import register_file_check
from infitah.publication import demo
from infitah.publication.demo import (
    CATEGORY_CODE,
    COMMUNE_SLUG,
    DOCUMENTS,
    DOCUMENTS_DIR,
    EDITOR_EMAIL,
    publication_demo_load,
    seeds_path,
    title_from,
)
from infitah.publication.indexing import SEARCH_OBJECT_TYPE
from infitah.publication.models import Document, TextStatus
from infitah.search.selectors import search
from infitah.territories.models import Collectivity, Kind

SEED_TEXT = "بلاغ حول دورة المجلس الجماعي\nعقد المجلس دورته العادية بحضور الساكنة.\n"


def quiet(line: str) -> None:
    pass


@pytest.fixture
def no_seeds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh clone: no ../shared/seeds."""
    folder = tmp_path / "no-shared" / "seeds"
    monkeypatch.setattr(demo, "seeds_path", lambda: folder)
    return folder


@pytest.fixture
def commune(prefecture: Collectivity) -> Collectivity:
    """The demo commune and its demo publication editor, as core.demo creates them."""
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=COMMUNE_SLUG,
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )
    editor = User.objects.create_user(email=EDITOR_EMAIL, password="demo-pass-123")
    Membership.objects.create(user=editor, collectivity=commune, role=Role.PUBLICATION_EDITOR)
    return commune


def _by_file(commune: Collectivity) -> dict[str, Document]:
    return {d.original_name: d for d in Document.objects.filter(collectivity=commune)}


def _found(query: str, **kwargs: Any) -> set[str]:
    """The original names of the demo documents a search finds."""
    page = search(query=query, page_size=100, **kwargs)
    assert all(hit.object_type == SEARCH_OBJECT_TYPE for hit in page.items)
    ids = [int(hit.id) for hit in page.items]
    return set(Document.objects.filter(pk__in=ids).values_list("original_name", flat=True))


def test_title_from_first_line() -> None:
    assert title_from("\n  بلاغ عن مجلس الجهة \nنص") == "بلاغ عن مجلس الجهة"
    long = "كلمة " * 100
    assert len(title_from(long)) <= 201 and title_from(long).endswith("…")


def test_every_demo_text_is_in_the_repository_in_utf8() -> None:
    names = sorted(p.name for p in DOCUMENTS_DIR.glob("*.txt"))
    assert names == sorted(d.filename for d in DOCUMENTS) and len(names) == 6
    for item in DOCUMENTS:
        text = (DOCUMENTS_DIR / item.filename).read_text(encoding="utf-8")
        assert 300 <= len(text.split()) <= 850
        assert ("أيت ملول" if item.language == "ar" else "Aït Melloul") in text


@pytest.mark.django_db
def test_without_the_seeds_the_six_documents_are_published_once(
    commune: Collectivity, no_seeds: Path
) -> None:
    lines: list[str] = []
    assert publication_demo_load(log=lines.append) == 6

    documents = _by_file(commune)
    assert set(documents) == {d.filename for d in DOCUMENTS}
    assert Counter((d.category.code, d.language) for d in documents.values()) == {
        ("budget.current", "ar"): 1,
        ("budget.current", "fr"): 1,
        ("council.sessions", "ar"): 1,
        ("council.sessions", "fr"): 1,
        ("action.programme", "ar"): 1,
        ("action.programme", "fr"): 1,
    }
    for item in DOCUMENTS:
        document = documents[item.filename]
        data = (DOCUMENTS_DIR / item.filename).read_bytes()
        assert document.sha256 == hashlib.sha256(data).hexdigest()
        assert document.file_type == "txt" and document.is_published
        assert document.text_status == TextStatus.EXTRACTED
        assert document.title_ar == item.title_ar and document.title_fr == item.title_fr
        assert document.created_by is not None and document.created_by.email == EDITOR_EMAIL
        assert document.date == item.date
    budget = documents["budget-2026.fr.txt"]
    assert (budget.period_start, budget.period_end) == DOCUMENTS[0].period
    assert "144 000 000 DH" in budget.text
    assert "المصادقة على ميزانية" in documents["council-decision-2025-10.ar.txt"].text
    # Nothing anywhere else, no communiqué without the seeds, and the log names them.
    assert Document.objects.count() == 6
    assert not Document.objects.filter(category__code=CATEGORY_CODE).exists()
    assert any("no seed texts" in line for line in lines)
    assert sum(COMMUNE_SLUG in line for line in lines) == 6

    assert publication_demo_load(log=quiet) == 0  # a second run adds nothing
    assert Document.objects.count() == 6


@pytest.mark.django_db
def test_the_demo_documents_are_found_by_search_in_both_languages(
    commune: Collectivity, collectivity_b: Collectivity, no_seeds: Path
) -> None:
    publication_demo_load(log=quiet)
    # Words of the bodies only (the extracted text is indexed, not only the titles).
    assert _found("تمزارت") == {"budget-2026.ar.txt"}
    assert _found("Tamazart") == {"budget-2026.fr.txt"}
    assert _found("ترانسبرانسي") == {"opening-plan-2027-2028-draft.ar.txt"}
    assert _found("Transparency", collectivity=commune) == {"opening-plan-2027-2028-draft.fr.txt"}
    assert _found("مداولات") == {"council-decision-2025-10.ar.txt"}
    assert _found("quorum") == {"council-decision-2025-10.fr.txt"}
    assert _found("النصاب") == {"council-decision-2025-10.ar.txt"}
    # Both copies of the budget text match its title words in both languages.
    assert {"budget-2026.ar.txt", "budget-2026.fr.txt"} <= _found("ميزانية المواطن")
    assert {"budget-2026.ar.txt", "budget-2026.fr.txt"} <= _found("budget citoyen")
    # Another commune's search shows none of them.
    assert _found("Tamazart", collectivity=collectivity_b) == set()


@pytest.mark.django_db
def test_the_register_lists_every_demo_document(commune: Collectivity, no_seeds: Path) -> None:
    publication_demo_load(log=quiet)
    page = Client().get("/fr/register/").content.decode()
    for document in Document.objects.filter(collectivity=commune):
        (check,) = register_file_check(sha256=document.sha256).entries
        entry = check.entry
        assert entry.action == "publish" and entry.collectivity_id == commune.pk
        assert entry.document_id == str(document.pk)
        assert entry.metadata["title_fr"] == document.title_fr
        assert escape(document.title_fr) in page


@pytest.mark.django_db
def test_the_seed_texts_are_extra_communiques_when_present(
    commune: Collectivity, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "003_test.txt").write_text(SEED_TEXT, encoding="utf-8")
    # A seed of a collectivity absent here, and a file of no known collectivity.
    (folder / "000_test.txt").write_text("بلاغ عن مجلس الجهة\n", encoding="utf-8")
    (folder / "999_test.txt").write_text("نص\n", encoding="utf-8")
    monkeypatch.setattr(demo, "seeds_path", lambda: folder)

    assert publication_demo_load(log=quiet) == 7
    (communique,) = Document.objects.filter(category__code=CATEGORY_CODE)
    assert communique.collectivity_id == commune.pk
    assert communique.title_ar == "بلاغ حول دورة المجلس الجماعي"
    assert communique.original_name == "communique-003.txt"
    assert publication_demo_load(log=quiet) == 0
    assert Document.objects.count() == 7


@pytest.mark.django_db
def test_never_in_production(settings: Any) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(RuntimeError):
        publication_demo_load(log=quiet)


@pytest.mark.django_db
def test_a_fresh_clone_demo_prints_and_registers_the_documents(no_seeds: Path) -> None:
    """`manage.py demo` without ../shared: the whole country and the six documents of
    Aït Melloul, printed, searchable and in the register."""
    out = StringIO()
    call_command("demo", "--no-dataset", stdout=out)
    output = out.getvalue()
    commune = Collectivity.objects.get(slug=COMMUNE_SLUG)
    documents = _by_file(commune)
    for item in DOCUMENTS:
        title = item.title_fr if item.language == "fr" else item.title_ar
        assert title in output
        assert register_file_check(sha256=documents[item.filename].sha256).entries
    assert "6 demo document(s) published" in output
    assert _found("Tamazart", collectivity=commune) == {"budget-2026.fr.txt"}
    assert _found("تمزارت", collectivity=commune) == {"budget-2026.ar.txt"}
    out = StringIO()
    call_command("demo", "--no-dataset", stdout=out)
    assert "0 demo document(s) published" in out.getvalue()


@pytest.mark.skipif(not seeds_path().is_dir(), reason="no seed texts beside the project")
@pytest.mark.django_db
def test_demo_publishes_the_seed_texts_once() -> None:
    call_command("demo", "--no-dataset", stdout=StringIO())
    # The finance demo publishes Aït Melloul's enacted and citizens budgets (not seeds).
    seeds = Document.objects.filter(category__code=CATEGORY_CODE)
    assert seeds.count() == 5
    assert publication_demo_load(log=quiet) == 0  # a second run adds nothing
    assert seeds.count() == 5
    documents = seeds.select_related("collectivity")
    counts = Counter(d.collectivity.slug for d in documents)
    assert counts == {
        "beni-mellal-khenifra": 2,
        "draa-tafilalet": 1,
        "ait-melloul": 1,
        "laayoune-sakia-el-hamra": 1,
    }
    first = documents.get(original_name="communique-000.txt")
    assert first.title_ar == "بلاغ عن مجلس الجهة" and first.file_type == "txt"
    assert first.text_status == TextStatus.EXTRACTED and "الشفافية" in first.text
    own = Document.objects.filter(original_name__in=[d.filename for d in DOCUMENTS])
    assert own.count() == 6
