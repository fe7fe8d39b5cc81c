"""Public pages of a collectivity's documents, and the publication editors' staff pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.lib.pagecache import cached_public_page
from infitah.lib.uploads import CONTENT_TYPES
from infitah.publication import selectors, services
from infitah.publication.forms import DocumentForm, FilterForm, VersionForm, WithdrawForm
from infitah.publication.models import Document
from infitah.publication.services import PAGE_CACHE_NAMESPACE
from infitah.publication.workflow import Status
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    return collectivity


def _document_or_404(collectivity: Collectivity, pk: int) -> Document:
    document = selectors.document_get(collectivity=collectivity, pk=pk)
    if document is None:
        raise Http404
    return document


@cached_public_page(PAGE_CACHE_NAMESPACE)
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Published documents of one collectivity, filtered by category and year (5 queries)."""
    collectivity = _collectivity_or_404(slug)
    categories = selectors.category_list(collectivity=collectivity)
    years = selectors.document_years(collectivity=collectivity)
    form = FilterForm(request.GET or None, categories=categories, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    documents = selectors.document_list(
        collectivity=collectivity, category=data.get("category"), year=data.get("year")
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publication/list.html",
        {
            "collectivity": collectivity,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


@cached_public_page(PAGE_CACHE_NAMESPACE)
def document_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    document = _document_or_404(collectivity, pk)
    versions = selectors.document_versions(document=document)
    current = next((v for v in versions if v.status == Status.PUBLISHED), None)
    return render(
        request,
        "publication/detail.html",
        {
            "collectivity": collectivity,
            "document": document,
            "versions": versions,
            "current": current,
        },
    )


def document_file(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The file itself, always as an attachment with its detected type (never sniffed).

    Withdrawn and superseded files stay downloadable: the register lists their hashes,
    and anyone must be able to check them."""
    collectivity = _collectivity_or_404(slug)
    document = _document_or_404(collectivity, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=CONTENT_TYPES.get(document.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@cached_public_page(PAGE_CACHE_NAMESPACE)
def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    result = selectors.compliance_get(collectivity=collectivity, today=timezone.localdate())
    return render(
        request,
        "publication/compliance.html",
        {
            "collectivity": collectivity,
            "compliance": result,
            "points": {
                "current": selectors.POINTS_CURRENT,
                "complete": selectors.POINTS_COMPLETE,
                "open": selectors.POINTS_OPEN,
                "max": selectors.POINTS_MAX,
            },
            "open_formats": ", ".join(sorted(selectors.OPEN_FORMATS)),
        },
    )


# Staff pages: `staff_view` resolves request.collectivity or answers 404.


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _apply_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@staff_view(Perm.PUBLICATION_EDIT)
def staff_document_list(request: HttpRequest) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    documents = selectors.document_list(collectivity=collectivity, include_all=True)
    page = Paginator(documents, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publication/staff_list.html",
        {"collectivity": collectivity, "page": page},
    )


def _described(data: dict[str, Any]) -> dict[str, Any]:
    """The description fields a publication and a new version share, from a valid form."""
    return {
        "title_ar": data.get("title_ar") or "",
        "title_fr": data.get("title_fr") or "",
        "date": data["date"],
        "period_start": data.get("period_start"),
        "period_end": data.get("period_end"),
        "language": data["language"],
        "is_complete": bool(data.get("is_complete")),
    }


@staff_view(Perm.PUBLICATION_EDIT)
def staff_document_new(request: HttpRequest) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    categories = selectors.category_list(collectivity=collectivity)
    form = DocumentForm(request.POST or None, request.FILES or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_publish(
                collectivity=collectivity,
                actor=_actor(request),
                category=data["category"],
                **_described(data),
                upload=data["upload"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The document is published."))
            return redirect("publication:detail", slug=collectivity.slug, pk=document.pk)
    return render(
        request,
        "publication/staff_form.html",
        {"collectivity": collectivity, "form": form, "document": None},
    )


@staff_view(Perm.PUBLICATION_EDIT)
def staff_document_version(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    document = _document_or_404(collectivity, pk)
    if document.status != Status.PUBLISHED:
        raise Http404
    initial: dict[str, Any] = {
        "title_ar": document.title_ar,
        "title_fr": document.title_fr,
        "date": document.date,
        "period_start": document.period_start,
        "period_end": document.period_end,
        "language": document.language,
        "is_complete": document.is_complete,
    }
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.document_new_version(
                document=document,
                actor=_actor(request),
                upload=data["upload"],
                **_described(data),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The new version is published."))
            return redirect("publication:detail", slug=collectivity.slug, pk=new.pk)
    return render(
        request,
        "publication/staff_form.html",
        {"collectivity": collectivity, "form": form, "document": document},
    )


@staff_view(Perm.PUBLICATION_EDIT)
def staff_document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    document = _document_or_404(collectivity, pk)
    if document.status == Status.WITHDRAWN:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_withdraw(
                document=document, actor=_actor(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The document is withdrawn."))
            return redirect("publication_staff:document-list", slug=collectivity.slug)
    return render(
        request,
        "publication/staff_withdraw.html",
        {"collectivity": collectivity, "form": form, "document": document},
    )
