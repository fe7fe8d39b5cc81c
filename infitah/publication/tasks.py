"""Background text extraction of published files (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from django.db import transaction

from infitah.publication.extraction import extract
from infitah.publication.indexing import document_index
from infitah.publication.models import Document, TextStatus
from infitah.publication.workflow import Status


@task()
def document_text_extract(document_id: int) -> str:
    """Extract the text of one document and re-index it if it is still published.

    Idempotent: a document whose text is already settled is skipped. The row is locked
    so that two workers cannot both write it.
    """
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .select_related("collectivity", "category")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.text_status != TextStatus.PENDING:
            return "skipped"
        with document.file.open("rb") as handle:
            text, status = extract(handle, document.file_type)  # type: ignore[arg-type]
        document.text = text
        document.text_status = status
        document.save(update_fields=["text", "text_status"])
        if document.status == Status.PUBLISHED:
            document_index(document)
        return status
