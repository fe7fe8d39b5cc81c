"""The register pages name each document by its title, linked, the code only beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import Role, User
from infitah.lib.tests import files
from infitah.publication.models import Category, Document
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def publish(
    collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> Callable[[int], None]:
    editor = staff_for(Role.PUBLICATION_EDITOR)

    def make(n: int) -> None:
        for i in range(n):
            document_publish(
                collectivity=collectivity_a,
                actor=editor,
                category=Category.objects.get(code="communiques"),
                title_ar=f"الميزانية {i}",
                title_fr=f"Budget {i}",
                date=dt.date(2026, 3, 2),
                language="ar",
                upload=ContentFile(files.pdf_with_text(f"budget {i}"), name="report.pdf"),
            )

    return make


def test_index_shows_the_title_in_the_page_language_linked(publish, client: Client) -> None:
    publish(1)
    document = Document.objects.get()
    french = client.get("/fr/register/").content.decode()
    link = f'<a href="/fr/c/commune-a/documents/{document.pk}/">Budget 0</a>'
    assert link in french
    assert f'<code class="muted" dir="ltr">publication.document:{document.pk}</code>' in french
    arabic = client.get("/ar/register/").content.decode()
    assert f'<a href="/ar/c/commune-a/documents/{document.pk}/">الميزانية 0</a>' in arabic
    assert client.get(f"/fr/c/commune-a/documents/{document.pk}/").status_code == 200


def test_index_query_count_does_not_grow_with_entries(publish, client: Client) -> None:
    publish(1)
    with CaptureQueriesContext(connection) as few:
        client.get("/fr/register/")
    publish(4)
    with CaptureQueriesContext(connection) as many:
        client.get("/fr/register/")
    assert len(many.captured_queries) == len(few.captured_queries)
