"""Fixtures of the publication tests: stored files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from django.core.files.base import ContentFile

from infitah.accounts.models import Role, User
from infitah.lib.tests import files
from infitah.publication.models import Category, Document
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


@pytest.fixture
def communiques(db: None) -> Category:
    return Category.objects.get(code="communiques")


@pytest.fixture
def publish(
    collectivity_a: Collectivity, editor: User, communiques: Category
) -> Callable[..., Document]:
    """Publish a document in A (a PDF with a text layer unless told otherwise)."""

    def make(data: bytes | None = None, name: str = "report.pdf", **kwargs: Any) -> Document:
        fields: dict[str, Any] = {
            "collectivity": collectivity_a,
            "actor": editor,
            "category": communiques,
            "title_ar": "بلاغ",
            "title_fr": "Communiqué",
            "date": dt.date(2026, 3, 2),
            "language": "ar",
            **kwargs,
        }
        content = files.pdf_with_text() if data is None else data
        return document_publish(upload=ContentFile(content, name=name), **fields)

    return make
