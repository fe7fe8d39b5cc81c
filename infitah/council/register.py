"""Council documents in the publication register (docs/register.md).

A published agenda and each decision (مقرر) become a text file of the session (a
`Document` of kind agenda or decision, distributed to the members like any other) and a
leaf of the tamper-evident register, document type `council.document`. A corrected
decision is a new document: the former one is kept (marked deleted) and its leaf is
followed by a `withdraw` leaf; the new one gets its own `publish` leaf.

The register's metadata is built from the document and the session or item it belongs
to, from fields that no longer change once the agenda is published (titles, numbers), so
that `register_current` (for `manage.py verify_register`, through
settings.INFITAH_REGISTER_SOURCES) rebuilds exactly what each latest entry hashed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import NoReverseMatch, reverse

from infitah.council.models import AgendaItem, Document, DocumentKind, Session
from infitah.ledger.models import RegisterEntry
from infitah.ledger.register_services import RegisterItem, register_append

DOCUMENT_TYPE = "council.document"
REGISTERED_KINDS = frozenset({DocumentKind.AGENDA, DocumentKind.DECISION})


def _titles(document: Document) -> tuple[str, str]:
    """The document's title in Arabic and in French, as the register records it (the
    register is a record: these words are not translated with the page)."""
    session: Session = document.session
    item: AgendaItem | None = document.item
    if document.kind == DocumentKind.AGENDA or item is None:
        return (
            f"جدول أعمال: {session.title_ar or session.title_fr}",
            f"Ordre du jour : {session.title_fr or session.title_ar}",
        )
    return (
        f"مقرر النقطة {item.number}: {item.title_ar or item.title_fr}",
        f"Délibération, point {item.number} : {item.title_fr or item.title_ar}",
    )


def register_metadata(document: Document) -> dict[str, Any]:
    """What the register hashes besides the file (it adds its own reserved keys)."""
    title_ar, title_fr = _titles(document)
    return {
        "kind": document.kind,
        "title_ar": title_ar,
        "title_fr": title_fr,
        "session": document.session_id,
        "session_reference": document.session.reference,
        "item": document.item_id,
        "file_type": document.content_type.split(";")[0],
        "size": document.size,
    }


def register_item(document: Document, action: str) -> RegisterItem:
    return RegisterItem(
        action=action,
        collectivity=document.session.collectivity,
        document_type=DOCUMENT_TYPE,
        document_id=str(document.pk),
        file_name=str(document.file.name),
        file_sha256=document.sha256,
        metadata=register_metadata(document),
        # A withdrawal is dated by the save that marked the document deleted.
        published_at=document.modified_at if action == "withdraw" else document.created_at,
    )


def document_register(document: Document, action: str = "publish") -> RegisterEntry:
    """Append `action` about `document` (an agenda or a decision) to the register; call it
    inside the transaction that publishes."""
    item = register_item(document, action)
    return register_append(
        action=item.action,
        collectivity=item.collectivity,
        document_type=item.document_type,
        document_id=item.document_id,
        file_name=item.file_name,
        file_sha256=item.file_sha256,
        metadata=item.metadata,
        published_at=item.published_at,
    )


def registered_ids(document_ids: list[int]) -> set[int]:
    """Which of these council documents have an entry in the register (one query)."""
    if not document_ids:
        return set()
    found = RegisterEntry.objects.filter(
        document_type=DOCUMENT_TYPE, document_id__in=[str(pk) for pk in document_ids]
    ).values_list("document_id", flat=True)
    return {int(pk) for pk in found}


def register_current() -> Iterator[RegisterItem]:
    """For every council document in the register, the leaf its latest entry must hold,
    built from the document as it is now (`withdraw` for a superseded one)."""
    registered = (
        RegisterEntry.objects.filter(document_type=DOCUMENT_TYPE)
        .values_list("document_id", flat=True)
        .distinct()
    )
    ids = [int(pk) for pk in registered if str(pk).isdigit()]
    documents = (
        Document.objects.filter(pk__in=ids)
        .select_related("session__collectivity", "item")
        .order_by("pk")
    )
    for document in documents.iterator(chunk_size=1000):
        yield register_item(document, "withdraw" if document.deleted else "publish")


def register_link(entry: RegisterEntry) -> str:
    """The public page of the session an entry is about (its item's anchor for a
    decision); no query: the session and item ids are in the entry's metadata."""
    session = entry.metadata.get("session")
    if not isinstance(session, int):
        return ""
    try:
        url = reverse("council:session", kwargs={"slug": entry.collectivity.slug, "pk": session})
    except NoReverseMatch:  # the public pages are not routed (yet)
        return ""
    item = entry.metadata.get("item")
    return f"{url}#item-{item}" if isinstance(item, int) else url
