"""Public pages: list (filters, pagination, constant queries), detail, file, compliance."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.lib.tests import files
from infitah.publication.models import Category
from infitah.publication.services import document_new_version, document_withdraw
from infitah.territories.modules import modules_for


def _queries(url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_shows_published_documents_only(publish, editor) -> None:
    kept = publish(files.pdf_with_text("a"), title_fr="Gardé")
    gone = publish(files.pdf_with_text("b"), title_fr="Retiré", title_ar="")
    document_withdraw(document=gone, actor=editor, reason="Erreur")
    body = Client().get("/fr/c/commune-a/documents/").content.decode()
    assert f"/fr/c/commune-a/documents/{kept.pk}/" in body
    assert f"/fr/c/commune-a/documents/{gone.pk}/" not in body


def test_list_filters_by_category_and_year(publish) -> None:
    budget = Category.objects.get(code="budget.current")
    a = publish(files.pdf_with_text("a"), date=dt.date(2025, 5, 1))
    b = publish(files.pdf_with_text("b"), category=budget, date=dt.date(2026, 1, 10))
    body = Client().get("/fr/c/commune-a/documents/?year=2025").content.decode()
    assert f"documents/{a.pk}/" in body and f"documents/{b.pk}/" not in body
    body = Client().get("/fr/c/commune-a/documents/?category=budget.current").content.decode()
    assert f"documents/{b.pk}/" in body and f"documents/{a.pk}/" not in body
    bad = Client().get("/fr/c/commune-a/documents/?year=1800&category=nope")
    assert bad.status_code == 200


def test_list_query_count_is_constant(publish) -> None:
    publish(files.pdf_with_text("0"))
    few = _queries("/fr/c/commune-a/documents/?page=1")
    for i in range(1, 25):
        publish(files.pdf_with_text(f"doc {i}"), date=dt.date(2020 + i % 6, 1, 1))
    many = _queries("/fr/c/commune-a/documents/?page=1")
    assert few == many <= 6
    assert _queries("/fr/c/commune-a/documents/?page=2") == many


def test_unknown_collectivity_is_404(db) -> None:
    assert Client().get("/fr/c/nowhere/documents/").status_code == 404


def test_detail_shows_versions_hash_and_register_link(publish, editor) -> None:
    first = publish()
    second = document_new_version(
        document=first,
        actor=editor,
        upload=ContentFile(files.pdf_with_text("v2"), name="v2.pdf"),
    )
    body = Client().get(f"/fr/c/commune-a/documents/{first.pk}/").content.decode()
    assert "old version" in body or "ancienne version" in body
    assert f"/fr/c/commune-a/documents/{second.pk}/" in body
    assert f"/fr/register/verify/?sha256={first.sha256}" in body
    body = Client().get(f"/fr/c/commune-a/documents/{second.pk}/").content.decode()
    assert f"/fr/c/commune-a/documents/{first.pk}/" in body


def test_withdrawn_page_says_when_and_why_and_file_stays(publish, editor) -> None:
    document = publish()
    document_withdraw(document=document, actor=editor, reason="Données personnelles")
    body = Client().get(f"/fr/c/commune-a/documents/{document.pk}/").content.decode()
    assert "Données personnelles" in body and 'role="alert"' in body
    assert Client().get(f"/fr/c/commune-a/documents/{document.pk}/file").status_code == 200


def test_scanned_pdf_is_marked_on_its_page(publish) -> None:
    document = publish(files.pdf_blank(), name="scan.pdf")
    body = Client().get(f"/fr/c/commune-a/documents/{document.pk}/").content.decode()
    assert "no text layer" in body or "sans couche de texte" in body


def test_file_is_an_attachment_with_its_type_and_nosniff(publish) -> None:
    data = files.pdf_with_text()
    document = publish(data, name="Rapport 2026.pdf")
    response = Client().get(f"/fr/c/commune-a/documents/{document.pk}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Rapport" in response["Content-Disposition"]
    assert response.getvalue() == data


def test_documents_of_a_are_not_reachable_under_b(publish, collectivity_b) -> None:
    document = publish()
    assert Client().get(f"/fr/c/commune-b/documents/{document.pk}/").status_code == 404
    assert Client().get(f"/fr/c/commune-b/documents/{document.pk}/file").status_code == 404


def test_pages_fit_the_budget(publish) -> None:
    document = publish()
    for url in [
        "/ar/c/commune-a/documents/",
        f"/ar/c/commune-a/documents/{document.pk}/",
        "/ar/c/commune-a/documents/compliance/",
    ]:
        response = Client().get(url)
        assert response.status_code == 200
        assert len(response.content) <= 30 * 1024, url
        assert b"<script" not in response.content


def test_collectivity_home_links_to_documents_and_compliance(collectivity_a) -> None:
    urls = [url for _module, url in modules_for(collectivity_a)]
    assert any(url.endswith("/c/commune-a/documents/") for url in urls)
    assert any(url.endswith("/c/commune-a/documents/compliance/") for url in urls)
