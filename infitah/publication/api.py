"""/api/v1/c/{slug}/documents and /api/v1/documents/{id}: published documents, read-only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.lib.bounds import whole_number
from infitah.publication import selectors
from infitah.publication.models import Category, Document
from infitah.territories.selectors import collectivity_get

router = Router(tags=["documents"])

PAGE_SIZE = 50


class DocumentOut(Schema):
    id: int
    title: str
    title_ar: str
    title_fr: str
    category: str
    date: dt.date
    file_type: str
    sha256: str
    url: str
    status: str
    version: int


class DocumentList(Schema):
    count: int
    items: list[DocumentOut]


class VersionOut(Schema):
    id: int
    version: int
    status: str
    date: dt.date
    sha256: str
    published_at: dt.datetime
    url: str


class DocumentDetailOut(DocumentOut):
    collectivity: str
    category_name_ar: str
    category_name_fr: str
    language: str
    period_start: dt.date | None
    period_end: dt.date | None
    size: int
    file_url: str
    text_status: str
    is_complete: bool
    published_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    series: str
    versions: list[VersionOut]


def _path(name: str, document: Document) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs={"slug": document.collectivity.slug, "pk": document.pk})


def _out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.pk,
        title=document.title_ar or document.title_fr,
        title_ar=document.title_ar,
        title_fr=document.title_fr,
        category=document.category.code,
        date=document.date,
        file_type=document.file_type,
        sha256=document.sha256,
        url=_path("publication:detail", document),
        status=document.status,
        version=document.version,
    )


def _parse_year(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"\d{4}", raw) or not 1900 <= int(raw) <= 2100:
        raise HttpError(400, _("Give a year such as 2026."))
    return int(raw)


@router.get(
    "/c/{slug}/documents",
    response={200: DocumentList, 400: Any, 404: Any},
    summary="Published documents",
)
def document_list(
    request: HttpRequest,
    slug: str,
    category: str | None = None,
    year: str | None = None,
    page: str | None = None,
) -> DocumentList:
    """Published documents of one collectivity, newest first, 50 a page."""
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise HttpError(404, _("Unknown collectivity."))
    parsed_year = _parse_year(year)
    page_number = 1
    if page not in (None, ""):
        parsed_page = whole_number(page, minimum=1)
        if parsed_page is None:
            raise HttpError(400, _("Give a page number from 1."))
        page_number = parsed_page
    category_obj = None
    if category:
        category_obj = Category.objects.filter(code=category[:64]).first()
        if category_obj is None:
            raise HttpError(400, _("Unknown category code."))
    qs = selectors.document_list(
        collectivity=collectivity, category=category_obj, year=parsed_year
    ).select_related("collectivity")
    total = qs.count()
    start = (page_number - 1) * PAGE_SIZE
    return DocumentList(count=total, items=[_out(d) for d in qs[start : start + PAGE_SIZE]])


@router.get(
    "/documents/{document_id}",
    response={200: DocumentDetailOut, 400: Any, 404: Any},
    summary="One document",
)
def document_detail(request: HttpRequest, document_id: str) -> DocumentDetailOut:
    """One document (any status) with every version of its series."""
    pk = whole_number(document_id, minimum=1)
    if pk is None:
        raise HttpError(400, _("A document id is a number."))
    document = selectors.document_get_public(pk=pk)
    if document is None:
        raise HttpError(404, _("Unknown document."))
    base = _out(document)
    versions = [
        VersionOut(
            id=v.pk,
            version=v.version,
            status=v.status,
            date=v.date,
            sha256=v.sha256,
            published_at=v.published_at,
            url=_path("publication:detail", v),
        )
        for v in selectors.document_versions(document=document)
    ]
    return DocumentDetailOut(
        **base.dict(),
        collectivity=document.collectivity.slug,
        category_name_ar=document.category.name_ar,
        category_name_fr=document.category.name_fr,
        language=document.language,
        period_start=document.period_start,
        period_end=document.period_end,
        size=document.size,
        file_url=_path("publication:file", document),
        text_status=document.text_status,
        is_complete=document.is_complete,
        published_at=document.published_at,
        withdrawn_at=document.withdrawn_at,
        withdrawal_reason=document.withdrawal_reason,
        series=str(document.series),
        versions=versions,
    )
