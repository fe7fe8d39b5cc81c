"""Register entries for the tests: `count` documents numbered from `start`."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from infitah.ledger.register_services import RegisterItem, register_append_many
from infitah.territories.models import Collectivity


def register_items(collectivity: Collectivity, start: int, count: int) -> list[RegisterItem]:
    return [
        RegisterItem(
            action="publish",
            collectivity=collectivity,
            document_type="test.document",
            document_id=str(i),
            file_name=f"register-test/doc-{i}.pdf",
            file_sha256=hashlib.sha256(f"document {i}".encode()).hexdigest(),
            metadata={"title_ar": f"وثيقة {i}", "title_fr": f"Document {i}"},
            published_at=timezone.now(),
        )
        for i in range(start, start + count)
    ]


def register_grow(collectivity: Collectivity, start: int, count: int) -> None:
    """Append those documents to the register."""
    register_append_many(items=register_items(collectivity, start, count))
