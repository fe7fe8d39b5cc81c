"""Where a register entry's document is read: a link per document type.

The app that appends a document type registers, from its AppConfig.ready(), how to link
to one of its documents:

    register_document_link(
        "publication.document",
        lambda entry: reverse("publication:detail", args=[entry.collectivity.slug, ...]),
    )

The function receives the entry (its collectivity is loaded) and must not query the
database, so that the register's pages stay at a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infitah.ledger.models import RegisterEntry

_LINKS: dict[str, Callable[[RegisterEntry], str]] = {}


def register_document_link(document_type: str, url: Callable[[RegisterEntry], str]) -> None:
    """Register (or replace) how entries about `document_type` link to their document."""
    _LINKS[document_type] = url


def document_link_get(entry: RegisterEntry) -> str:
    """The page of the entry's document, or "" when its type registered none."""
    url = _LINKS.get(entry.document_type)
    return url(entry) if url else ""
