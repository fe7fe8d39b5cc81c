"""The services of shared practices: create, update, publish, withdraw, documents.

Also the helpers the other practice test modules import (`DATA`, `practice_make`,
`pdf_upload`, `pptx_bytes`, the `media` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event as LedgerEvent
from infitah.lib.minimal_pdf import minimal_pdf
from infitah.network import practice_services as services
from infitah.network.models import (
    Event,
    EventKind,
    EventStatus,
    Practice,
    PracticeDocument,
    PracticeStatus,
    Theme,
)
from infitah.territories.models import Collectivity

DATA: dict[str, Any] = {
    "theme": Theme.ACCESS_TO_INFORMATION,
    "title_ar": "تعزيز الحق في الحصول على المعلومات",
    "title_fr": "Renforcer l'accès à l'information",
    "summary_ar": "النشر الاستباقي للمعطيات المالية.",
    "summary_fr": "Publication proactive des données financières.",
    "body_ar": "",
    "body_fr": "Le conseil a adopté un plan d'ouverture.",
    "contact_name": "Point focal",
    "contact_email": "focal@example.test",
    "contact_phone": "+212 5 28 00 00 00",
    "event": None,
}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def practice_make(
    collectivity: Collectivity, actor: User, *, publish: bool = False, **data: Any
) -> Practice:
    practice = services.practice_create(
        collectivity=collectivity, actor=actor, data={**DATA, **data}
    )
    if publish:
        practice = services.practice_publish(practice=practice, actor=actor)
    return practice


def pdf_upload(name: str = "presentation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(["Practice"]), content_type="application/pdf")


def pptx_bytes(*, presentation: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if presentation:
            archive.writestr("ppt/presentation.xml", "<p:presentation/>")
        else:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def event_make(status: str = EventStatus.PUBLISHED, **extra: Any) -> Event:
    start = timezone.make_aware(dt.datetime(2024, 11, 12, 9))
    return Event.objects.create(
        kind=extra.pop("kind", EventKind.GATHERING),
        status=status,
        title_ar=extra.pop("title_ar", "ملتقى الشبكة"),
        title_fr=extra.pop("title_fr", "Rencontre du réseau"),
        starts_at=start,
        ends_at=start + dt.timedelta(days=1),
        **extra,
    )


def _ledger(action: str) -> list[LedgerEvent]:
    return list(LedgerEvent.objects.filter(action=action))


# ---------------------------------------------------------------------- create


def test_create_stores_a_draft_with_folded_search_text_and_a_ledger_event(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    event = event_make()
    practice = practice_make(
        collectivity_a, staff_a, title_fr="Accès à l'Information", event=event.pk
    )
    assert practice.status == PracticeStatus.DRAFT
    assert practice.published_at is None
    assert practice.event == event
    assert practice.created_by == staff_a
    # Accents, case and hamza forms folded: "أ" -> "ا", "é" -> "e".
    assert "acces a l information" in practice.search_text
    assert "الحصول علي المعلومات" in practice.search_text
    assert "publication proactive" in practice.search_text
    [recorded] = _ledger("network.practice_create")
    assert recorded.collectivity == collectivity_a
    assert recorded.actor == staff_a
    assert recorded.object_id == str(practice.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_ar": "", "title_fr": "  "}, "title_ar"),
        ({"theme": "cooking"}, "theme"),
        ({"theme": ""}, "theme"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"title_fr": "x" * 301}, "title_fr"),
        ({"summary_fr": "x" * (services.SUMMARY_MAX + 1)}, "summary_fr"),
        ({"body_ar": "nul\x00"}, "body_ar"),
        ({"event": 999_999}, "event"),
        ({"event": "99999999999999999999999"}, "event"),
        ({"event": "abc"}, "event"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    collectivity_a: Collectivity, staff_a: User, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_make(collectivity_a, staff_a, **changes)
    assert field in caught.value.message_dict
    assert not Practice.objects.exists()
    assert not _ledger("network.practice_create")


def test_a_draft_event_cannot_be_named(collectivity_a: Collectivity, staff_a: User) -> None:
    draft = event_make(status=EventStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        practice_make(collectivity_a, staff_a, event=draft.pk)
    assert "event" in caught.value.message_dict


def test_a_collectivity_that_is_not_a_member_cannot_share(
    collectivity_b: Collectivity, charlie: User
) -> None:
    with pytest.raises(ValidationError):
        practice_make(collectivity_b, charlie)
    assert not Practice.objects.exists()


# ---------------------------------------------------------------------- update


def test_update_records_the_changed_fields_and_refolds(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    updated = services.practice_update(
        practice=practice,
        actor=staff_a,
        data={**DATA, "title_fr": "Budget participatif", "theme": Theme.BUDGET},
    )
    assert updated.title_fr == "Budget participatif"
    assert "budget participatif" in updated.search_text
    [recorded] = _ledger("network.practice_update")
    assert recorded.data == {"fields": ["theme", "title_fr"]}


def test_update_without_change_records_nothing(collectivity_a: Collectivity, staff_a: User) -> None:
    practice = practice_make(collectivity_a, staff_a)
    services.practice_update(practice=practice, actor=staff_a, data=DATA)
    assert not _ledger("network.practice_update")


def test_update_refuses_bad_input(collectivity_a: Collectivity, staff_a: User) -> None:
    practice = practice_make(collectivity_a, staff_a)
    with pytest.raises(ValidationError):
        services.practice_update(
            practice=practice, actor=staff_a, data={**DATA, "title_ar": "", "title_fr": ""}
        )
    practice.refresh_from_db()
    assert practice.title_fr == DATA["title_fr"]


# ------------------------------------------------------------ publish, withdraw


def test_publish_then_withdraw(collectivity_a: Collectivity, staff_a: User) -> None:
    practice = practice_make(collectivity_a, staff_a)
    published = services.practice_publish(practice=practice, actor=staff_a)
    assert published.status == PracticeStatus.PUBLISHED
    assert published.published_at is not None
    with pytest.raises(ValidationError):
        services.practice_publish(practice=published, actor=staff_a)
    withdrawn = services.practice_unpublish(practice=published, actor=staff_a)
    assert withdrawn.status == PracticeStatus.DRAFT
    with pytest.raises(ValidationError):
        services.practice_unpublish(practice=withdrawn, actor=staff_a)
    [up] = _ledger("network.practice_publish")
    [down] = _ledger("network.practice_unpublish")
    assert (up.from_state, up.to_state) == ("draft", "published")
    assert (down.from_state, down.to_state) == ("published", "draft")


def test_publish_needs_a_summary_or_a_description(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    practice = practice_make(
        collectivity_a, staff_a, summary_ar="", summary_fr="", body_ar="", body_fr=""
    )
    with pytest.raises(ValidationError):
        services.practice_publish(practice=practice, actor=staff_a)
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT


def test_a_collectivity_that_left_cannot_publish(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    Collectivity.objects.filter(pk=collectivity_a.pk).update(is_network_member=False)
    with pytest.raises(ValidationError):
        services.practice_publish(practice=practice, actor=staff_a)


# -------------------------------------------------------------------- documents


def test_documents_are_checked_by_content_and_stored(
    collectivity_a: Collectivity, staff_a: User, media: Path
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    pdf = services.practice_document_add(
        practice=practice, actor=staff_a, file=pdf_upload(), title_fr="Présentation"
    )
    pptx = services.practice_document_add(
        practice=practice,
        actor=staff_a,
        file=SimpleUploadedFile("slides.pptx", pptx_bytes()),
    )
    assert pdf.title_fr == "Présentation" and pdf.title_ar == ""
    assert pptx.title_fr == pptx.title_ar == "slides"  # the file's name by default
    assert (media / str(pdf.file.name)).read_bytes().startswith(b"%PDF-")
    assert pdf.file.name.startswith(f"network/practices/{practice.pk}/")
    assert services.document_content_type(pptx).endswith("presentationml.presentation")
    assert services.document_content_type(pdf) == "application/pdf"
    assert len(_ledger("network.practice_document_add")) == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("table.xlsx", b"PK\x03\x04whatever"),
        ("script.exe", b"MZ\x90\x00"),
        ("noextension", b"%PDF-1.4"),
        ("fdp\u202eexe.pdf", b"%PDF-1.4\n%%EOF"),
        ("empty.pdf", b""),
        ("slides.pptx", b"%PDF-1.4 a pdf named pptx"),
        ("slides.pptx", pptx_bytes(presentation=False)),
        ("slides.pptx", b"PK\x03\x04 broken zip"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    collectivity_a: Collectivity, staff_a: User, media: Path, name: str, content: bytes
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    with pytest.raises(ValidationError) as caught:
        services.practice_document_add(
            practice=practice, actor=staff_a, file=SimpleUploadedFile(name, content)
        )
    assert list(caught.value.message_dict) == ["file"]
    assert not PracticeDocument.objects.exists()
    assert not any(media.rglob("*.*")) if media.exists() else True


@pytest.mark.parametrize("name", ["big.pdf", "big.pptx"])
def test_files_over_the_limit_are_refused(
    collectivity_a: Collectivity,
    staff_a: User,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", 100)
    practice = practice_make(collectivity_a, staff_a)
    content = minimal_pdf(["x" * 50]) if name.endswith("pdf") else pptx_bytes()
    assert len(content) > 100
    with pytest.raises(ValidationError) as caught:
        services.practice_document_add(
            practice=practice, actor=staff_a, file=SimpleUploadedFile(name, content)
        )
    assert "100" in " ".join(caught.value.message_dict["file"])
    assert not PracticeDocument.objects.exists()


def test_the_limit_is_twenty_megabytes() -> None:
    assert services.DOCUMENT_MAX_BYTES == 20 * 1024 * 1024


def test_delete_a_document_removes_its_file_after_commit(
    collectivity_a: Collectivity,
    staff_a: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    document = services.practice_document_add(practice=practice, actor=staff_a, file=pdf_upload())
    path, pk = media / str(document.file.name), document.pk
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.practice_document_delete(document=document, actor=staff_a)
    assert not path.exists()
    assert not PracticeDocument.objects.exists()
    [recorded] = _ledger("network.practice_document_delete")
    assert recorded.data == {"document": pk}


def test_the_demo_pdf_is_a_valid_pdf() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(minimal_pdf(["Aït Melloul (démo)", "a) b\\ c"])))
    text = reader.pages[0].extract_text()
    assert "Aït Melloul (démo)" in text
    assert "a) b\\ c" in text
