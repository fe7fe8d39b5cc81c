"""/api/v1/c/{slug}/documents and /api/v1/documents/{id}."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.test import Client

from infitah.lib.tests import files
from infitah.publication.models import Category
from infitah.publication.services import document_new_version, document_withdraw


def test_list_with_filters_and_pages(publish, editor) -> None:
    a = publish(files.pdf_with_text("a"), date=dt.date(2025, 1, 1))
    publish(files.pdf_with_text("b"), category=Category.objects.get(code="budget.current"))
    gone = publish(files.pdf_with_text("c"))
    document_withdraw(document=gone, actor=editor, reason="x")
    data = Client().get("/api/v1/c/commune-a/documents").json()
    assert data["count"] == 2
    data = Client().get("/api/v1/c/commune-a/documents?category=communiques&year=2025").json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item == {
        "id": a.pk,
        "title": "بلاغ",
        "title_ar": "بلاغ",
        "title_fr": "Communiqué",
        "category": "communiques",
        "date": "2025-01-01",
        "file_type": "pdf",
        "sha256": a.sha256,
        "url": f"/ar/c/commune-a/documents/{a.pk}/",
        "status": "published",
        "version": 1,
    }
    assert Client().get("/api/v1/c/commune-a/documents?page=2").json()["items"] == []


def test_bad_parameters_are_400_and_unknowns_404(db, collectivity_a) -> None:
    client = Client()
    for query in ["year=20x5", "year=1800", "page=0", "page=abc", "category=nope"]:
        response = client.get(f"/api/v1/c/commune-a/documents?{query}")
        assert response.status_code == 400, query
        assert "detail" in response.json()
    assert client.get("/api/v1/c/nowhere/documents").status_code == 404
    assert client.get("/api/v1/documents/999999").status_code == 404
    assert client.get("/api/v1/documents/999999").json()["detail"]
    assert client.get("/api/v1/documents/abc").status_code == 400


def test_detail_includes_versions(publish, editor) -> None:
    first = publish()
    second = document_new_version(
        document=first, actor=editor, upload=ContentFile(files.pdf_with_text("2"), name="2.pdf")
    )
    data = Client().get(f"/api/v1/documents/{first.pk}").json()
    assert data["status"] == "superseded" and data["collectivity"] == "commune-a"
    assert data["file_url"] == f"/ar/c/commune-a/documents/{first.pk}/file"
    assert [v["version"] for v in data["versions"]] == [2, 1]
    assert data["versions"][0]["id"] == second.pk
    assert data["versions"][0]["status"] == "published"
