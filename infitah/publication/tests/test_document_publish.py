"""Publish, new version and withdraw through the services, with every side effect."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from infitah.ledger.models import Event, RegisterEntry
from infitah.lib.tests import files
from infitah.publication.models import Category, Document, TextStatus
from infitah.publication.services import (
    document_new_version,
    document_withdraw,
)
from infitah.publication.workflow import Status
from infitah.search.models import SearchEntry


def _entry(document: Document) -> SearchEntry | None:
    return SearchEntry.objects.filter(
        object_type="publication.document", object_id=str(document.pk)
    ).first()


def test_publish_stores_the_file_under_a_random_name(publish, collectivity_a) -> None:
    data = files.pdf_with_text("Hello information")
    document = publish(data, name="Rapport annuel.pdf")
    assert document.status == Status.PUBLISHED and document.version == 1
    assert document.original_name == "Rapport annuel.pdf"
    name = document.file.name
    assert name.startswith(f"documents/{collectivity_a.slug}/") and name.endswith(".pdf")
    assert "Rapport" not in name
    assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == data
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data) and document.file_type == "pdf"


def test_publish_writes_event_register_index_and_extracts_text(publish, editor) -> None:
    document = publish(files.pdf_with_text("Hello information"))
    document.refresh_from_db()
    assert document.text_status == TextStatus.EXTRACTED
    assert "Hello information" in document.text
    event = Event.objects.for_object(document).get()
    assert event.action == "publish" and event.actor == editor
    entry = RegisterEntry.objects.get(document_id=str(document.pk))
    assert entry.action == "publish" and entry.file_sha256 == document.sha256
    assert entry.metadata["category"] == "communiques"
    assert entry.metadata["title_ar"] == "بلاغ" and entry.metadata["version"] == 1
    assert entry.metadata["collectivity"] == "commune-a"
    indexed = _entry(document)
    assert indexed is not None and "Hello information" in indexed.body
    assert indexed.url == f"/ar/c/commune-a/documents/{document.pk}/"


def test_pdf_without_text_layer_is_published_and_marked(publish) -> None:
    document = publish(files.pdf_blank(), name="scan.pdf")
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED
    assert document.text_status == TextStatus.NO_TEXT_LAYER


def test_image_has_no_text(publish) -> None:
    document = publish(files.png_header(100, 100), name="map.png")
    assert document.text_status == TextStatus.NOT_APPLICABLE


def test_new_version_supersedes_and_keeps_the_old_one(publish, editor) -> None:
    first = publish(files.pdf_with_text("one"))
    second = document_new_version(
        document=first,
        actor=editor,
        upload=ContentFile(files.pdf_with_text("two"), name="v2.pdf"),
        title_fr="Communiqué corrigé",
    )
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert Path(settings.MEDIA_ROOT, first.file.name).exists()
    assert second.series == first.series and second.version == 2
    assert second.supersedes == first and second.title_ar == "بلاغ"
    assert second.title_fr == "Communiqué corrigé"
    assert _entry(first) is None and _entry(second) is not None
    assert RegisterEntry.objects.get(document_id=str(second.pk)).action == "new_version"
    assert [e.action for e in Event.objects.for_object(first)] == ["publish", "supersede"]
    with pytest.raises(ValidationError):
        document_new_version(
            document=first, actor=editor, upload=ContentFile(files.pdf_blank(), name="v3.pdf")
        )


def test_identical_new_version_refused(publish, editor) -> None:
    first = publish()
    with pytest.raises(ValidationError) as exc:
        document_new_version(
            document=first, actor=editor, upload=ContentFile(files.pdf_with_text(), name="same.pdf")
        )
    assert "upload" in exc.value.error_dict


def test_withdraw_keeps_the_row_and_the_file(publish, editor) -> None:
    document = publish()
    with pytest.raises(ValidationError):
        document_withdraw(document=document, actor=editor, reason="  ")
    withdrawn = document_withdraw(document=document, actor=editor, reason="Erreur de chiffres")
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason == "Erreur de chiffres"
    assert Path(settings.MEDIA_ROOT, str(withdrawn.file.name)).exists()
    assert _entry(document) is None
    entry = RegisterEntry.objects.filter(document_id=str(document.pk)).order_by("index").last()
    assert entry.action == "withdraw"
    assert entry.metadata["withdrawal_reason"] == "Erreur de chiffres"
    with pytest.raises(ValidationError):
        document_withdraw(document=withdrawn, actor=editor, reason="again")


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.pdf", "empty"),
        (files.pdf_with_text(), "../../etc/cron.pdf", "name_path"),
        (files.pdf_with_text(), "invoice\u202efdp.pdf", "name_control"),
        (files.pdf_with_text(), "report.docx", "mismatch"),
        (files.zip_bomb_docx(), "bomb.docx", "zip_bomb"),
        (files.png_header(50_000, 50_000), "huge.png", "image_dimensions"),
    ],
)
def test_hostile_upload_refused_and_nothing_stored(publish, data, name, code) -> None:
    with pytest.raises(ValidationError) as exc:
        publish(data, name=name)
    assert exc.value.error_dict["upload"][0].code == code
    assert not Document.objects.exists()
    assert not RegisterEntry.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "documents").exists()


def test_category_of_another_kind_refused(publish, communiques) -> None:
    Category.objects.filter(pk=communiques.pk).update(applies_to=["region"])
    communiques.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        publish()
    assert "category" in exc.value.error_dict


def test_a_title_is_required(publish) -> None:
    with pytest.raises(ValidationError) as exc:
        publish(title_ar="", title_fr=" ")
    assert "title_ar" in exc.value.error_dict


def test_failure_after_storing_removes_the_file(publish, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("register down")

    monkeypatch.setattr("infitah.publication.indexing.register_append", boom)
    with pytest.raises(RuntimeError):
        publish()
    assert not Document.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / "documents" / "commune-a").iterdir())


def test_isolation_charlie_cannot_publish_in_a_through_views(client, charlie) -> None:
    client.force_login(charlie)
    response = client.post(
        "/fr/staff/commune-a/publication/new/",
        {"title_fr": "x", "date": dt.date(2026, 1, 1).isoformat()},
    )
    assert response.status_code == 404
