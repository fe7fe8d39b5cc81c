"""Public procurement pages of a network member (404 for any other collectivity):

- `procurement`: a year — the forecast programme once published (its items, paged, with
  procedure, estimated amount, quarter, budget line, action-plan commitment and the stage
  of each item's process; totals per procedure and category), then the processes of the
  year (paged) with their stage;
- `process`: a process at every stage — call for tenders, awards and suppliers, contracts
  with their amendments and payments (totals and the share paid), documents, budget line,
  commitment, its ocid and the link to its OCDS record in the API;
- `process-document`: a document of a process, with the type recorded when it was
  checked, never sniffed nor run by the browser.

No JavaScript, no inline style; lists and definition lists, no wide table (360 px).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infitah.finance import procurement_selectors as selectors
from infitah.finance.models import StoredFile
from infitah.finance.services.procurement import YEAR_MAX, YEAR_MIN
from infitah.territories.selectors import network_collectivity_or_404

TEMPLATES = "finance/procurement"
ITEMS_PAGE_SIZE = 20
PROCESSES_PAGE_SIZE = 20
# Pictures are shown in the browser; anything else is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def year_or_404(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404
    return year


def record_url(slug: str, ocid: str) -> str:
    """The process's OCDS record in the API (served by the API's OCDS endpoints)."""
    return f"/api/v1/c/{slug}/ocds/records?{urlencode({'ocid': ocid})}"


def stored_file_response(stored: StoredFile) -> FileResponse:
    """The file under its original name and recorded type (inline for pictures, else an
    attachment), with headers that stop the browser from sniffing or running it; 404 when
    it is gone from the storage."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    recorded = stored.content_type or "application/octet-stream"
    inline = recorded.split(";")[0].strip().lower() in INLINE_TYPES
    response = FileResponse(
        handle, as_attachment=not inline, filename=stored.name, content_type=recorded
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


def _query(request: HttpRequest, drop: str) -> str:
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()


@require_GET
def procurement(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    year = year_or_404(year)
    plan = selectors.plan_public_get(collectivity=collectivity, year=year)
    items = None
    by_procedure: list[selectors.Total] = []
    by_category: list[selectors.Total] = []
    if plan is not None:
        items = Paginator(selectors.planned_item_list(plan=plan), ITEMS_PAGE_SIZE).get_page(
            request.GET.get("items")
        )
        by_procedure, by_category = selectors.plan_totals(plan=plan)
    processes = Paginator(
        selectors.process_list(collectivity=collectivity, year=year), PROCESSES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/public_year.html",
        {
            "collectivity": collectivity,
            "year": year,
            "plan": plan,
            "items": items,
            "by_procedure": by_procedure,
            "by_category": by_category,
            "plan_total": selectors.plan_total(by_procedure),
            "processes": processes,
            "stages": selectors.stage_counts(collectivity=collectivity, year=year),
            "years": selectors.procurement_years(collectivity=collectivity, public=True),
            "items_query": _query(request, "items"),
            "page_query": _query(request, "page"),
        },
    )


@require_GET
def process(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    detail = selectors.process_detail(collectivity=collectivity, pk=pk)
    if detail is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/public_process.html",
        {
            "collectivity": collectivity,
            "detail": detail,
            "process": detail.process,
            "year": detail.process.year,
            "record_url": record_url(collectivity.slug, detail.process.ocid),
        },
    )


@require_GET
def process_document(request: HttpRequest, slug: str, pk: int, doc: int) -> FileResponse:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.process_get(collectivity=collectivity, pk=pk)
    document = selectors.document_get(process=found, pk=doc) if found is not None else None
    if document is None:
        raise Http404
    return stored_file_response(document)
