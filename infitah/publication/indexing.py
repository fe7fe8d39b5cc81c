"""The publication's side effects outside the app: the search index and the public
register. Shared by services.py and tasks.py (text extraction re-indexes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from infitah.ledger.register_services import RegisterItem, register_append
from infitah.publication.models import Document
from infitah.publication.workflow import Status
from infitah.search.services import index_remove, index_upsert

SEARCH_OBJECT_TYPE = "publication.document"
REGISTER_DOCUMENT_TYPE = "publication.document"


def document_path(document: Document) -> str:
    """The public page of `document`, under the default language (/ar/...)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(
            "publication:detail",
            kwargs={"slug": document.collectivity.slug, "pk": document.pk},
        )


def document_index(document: Document) -> None:
    """Put a published document in the search index (its text, or "" until extracted)."""
    index_upsert(
        object_type=SEARCH_OBJECT_TYPE,
        object_id=document.pk,
        collectivity=document.collectivity,
        title=" — ".join(t for t in (document.title_ar, document.title_fr) if t),
        body=document.text or "",
        url=document_path(document),
        date=document.date,
        category=document.category.code,
        file_type=document.file_type,
        language=document.language,
        is_public=True,
    )


def document_unindex(document: Document) -> None:
    index_remove(object_type=SEARCH_OBJECT_TYPE, object_id=document.pk)


def register_metadata(document: Document, action: str) -> dict[str, Any]:
    """The public metadata written to the register (docs/publication.md lists the keys).

    The register adds "action", "collectivity" (slug), "document" and "published_at"
    itself (they are reserved keys there)."""
    data: dict[str, Any] = {
        "category": document.category.code,
        "title_ar": document.title_ar,
        "title_fr": document.title_fr,
        "date": document.date.isoformat(),
        "period_start": document.period_start.isoformat() if document.period_start else None,
        "period_end": document.period_end.isoformat() if document.period_end else None,
        "language": document.language,
        "original_name": document.original_name,
        "file_type": document.file_type,
        "size": document.size,
        "version": document.version,
        "series": str(document.series),
        "supersedes": document.supersedes_id,
        "is_complete": document.is_complete,
    }
    if action == "withdraw":
        data["withdrawal_reason"] = document.withdrawal_reason
    return data


def document_register_item(document: Document, action: str) -> RegisterItem:
    """The register leaf of `action` (publish | new_version | withdraw) about `document`."""
    return RegisterItem(
        action=action,
        collectivity=document.collectivity,
        document_type=REGISTER_DOCUMENT_TYPE,
        document_id=str(document.pk),
        file_name=str(document.file.name),
        file_sha256=document.sha256,
        metadata=register_metadata(document, action),
        published_at=(
            document.withdrawn_at if action == "withdraw" and document.withdrawn_at else None
        )
        or document.published_at,
    )


def document_register(document: Document, action: str) -> None:
    """Append `action` (publish | new_version | withdraw) about `document` to the register."""
    item = document_register_item(document, action)
    register_append(
        action=item.action,
        collectivity=item.collectivity,
        document_type=item.document_type,
        document_id=item.document_id,
        file_name=item.file_name,
        file_sha256=item.file_sha256,
        metadata=item.metadata,
        published_at=item.published_at,
    )


def _latest_action(document: Document) -> str:
    """The action of a document's latest register entry, from its state."""
    if document.status == Status.WITHDRAWN:
        return "withdraw"
    return "new_version" if document.version > 1 else "publish"


def register_current() -> Iterator[RegisterItem]:
    """For every document, the leaf its latest register entry must hold, built from the
    document as it is now: `manage.py verify_register` compares the two, so that a change
    made to a published document outside the services shows up
    (settings.INFITAH_REGISTER_SOURCES names this function)."""
    documents = Document.objects.select_related("collectivity", "category").order_by("pk")
    for document in documents.iterator(chunk_size=1000):
        yield document_register_item(document, _latest_action(document))
