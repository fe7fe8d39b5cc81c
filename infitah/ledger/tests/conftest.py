"""Register test helpers: a temporary MEDIA_ROOT and a `publish` that stores a file and
appends it to the register (documents themselves belong to the publication app).

Its entries are of type "test.document", which no INFITAH_REGISTER_SOURCES entry names:
`verify_register` has no document to compare them with (test_register_verify_documents
covers real publications)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from infitah.ledger.models import RegisterEntry
from infitah.ledger.register_services import register_append
from infitah.territories.models import Collectivity

Publish = Callable[..., RegisterEntry]


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def publish(media, collectivity_a: Collectivity) -> Publish:  # type: ignore[no-untyped-def]
    def make(
        content: bytes,
        *,
        document_id: str = "1",
        action: str = "publish",
        collectivity: Collectivity | None = None,
        metadata: dict[str, object] | None = None,
    ) -> RegisterEntry:
        name = default_storage.save(f"register-test/doc-{document_id}.pdf", ContentFile(content))
        return register_append(
            action=action,
            collectivity=collectivity or collectivity_a,
            document_type="test.document",
            document_id=document_id,
            file_name=name,
            file_sha256=hashlib.sha256(content).hexdigest(),
            metadata=metadata if metadata is not None else {"title": f"Document {document_id}"},
            published_at=timezone.now(),
        )

    return make
