"""Public pages of the opening programme: a collectivity's programmes, a programme, a
commitment, an evidence file, and the network's page comparing every programme.

What is public is decided in `public_selectors` (programmes of network members, not
abandoned). No JavaScript, no inline style: charts are SVG drawn on the server
(`charts.py`), progress is a <progress> element with its figure in text, and every
chart's data is also written out as a list. Readable at 360 px (lists and cards, no wide
table).

Not page-cached: these pages read what several parts write (the programme's services,
the consultation module, the council's decisions), and whether a page is stale depends
on the day; each page runs a fixed handful of queries.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from infitah.lib.bounds import whole_number
from infitah.openplan import public_selectors as selectors
from infitah.openplan.files import stored_file_response
from infitah.openplan.models import Programme
from infitah.openplan.workflow import Kind, PhaseKind
from infitah.territories.models import Collectivity
from infitah.territories.selectors import network_collectivity_or_404

PAGE_SIZE = 20
NETWORK_PAGE_SIZE = 30
TEMPLATES = "openplan/public"
# Evidence shown in the browser (the page draws them as pictures); anything else is
# downloaded.
# A commitment's number is a PositiveSmallIntegerField.
NUMBER_MAX = 32_767


def _id_or_404(raw: object, maximum: int | None = None) -> int:
    """`raw` if a database can look it up (lib/bounds), else Http404."""
    found = (
        whole_number(raw, minimum=1)
        if maximum is None
        else whole_number(raw, minimum=1, maximum=maximum)
    )
    if found is None:
        raise Http404
    return found


def _page_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _programme_or_404(collectivity: Collectivity, pk: object) -> Programme:
    found = selectors.programme_public_by_pk(collectivity=collectivity, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's public programmes, newest first, paged."""
    collectivity = network_collectivity_or_404(slug)
    today = timezone.localdate()
    page = Paginator(
        selectors.programme_public_list(collectivity=collectivity), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/home.html",
        {
            "collectivity": collectivity,
            "page": page,
            "cards": selectors.programme_cards(page.object_list, today),
            "query": _page_query(request),
        },
    )


def programme(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A programme: its timeline, status, freshness, commitments by axis with their
    progress, adopted versions, documents and links to the rest of its cycle."""
    collectivity = network_collectivity_or_404(slug)
    record = selectors.programme_public_get(collectivity=collectivity, pk=_id_or_404(pk))
    if record is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/programme.html",
        {
            "collectivity": collectivity,
            "record": record,
            "programme": record.programme,
            "stale_months": settings.INFITAH_OPENPLAN_STALE_MONTHS,
        },
    )


def commitment(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """A commitment with every field of OGP's template, its milestones and evidence,
    its indicators (charts and values), the lead unit's reports, both assessments side
    by side and the co-creation trail it came from."""
    collectivity = network_collectivity_or_404(slug)
    found = _programme_or_404(collectivity, pk)
    record = selectors.commitment_public_get(programme=found, number=_id_or_404(number, NUMBER_MAX))
    if record is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/commitment.html",
        {
            "collectivity": collectivity,
            "record": record,
            "programme": found,
            "commitment": record.commitment,
        },
    )


def evidence(request: HttpRequest, slug: str, pk: int, evidence: int) -> FileResponse:
    """A document or photo given as evidence, with the type recorded when it was
    checked, never sniffed nor run by the browser: a photo is shown, anything else is
    downloaded."""
    collectivity = network_collectivity_or_404(slug)
    found = selectors.evidence_public_get(
        programme=_programme_or_404(collectivity, pk), pk=_id_or_404(evidence)
    )
    if found is None:
        raise Http404
    return stored_file_response(found)


# --------------------------------------------------------------------------- the network


def _network_filters(
    request: HttpRequest, regions: list[Collectivity]
) -> tuple[selectors.NetworkFilters, list[str]]:
    """The filters of the query string, and the names of those that were not understood
    (they are ignored, and the page says so)."""
    ignored: list[str] = []
    kind = request.GET.get("kind", "")
    if kind and kind not in Kind.values:
        ignored.append("kind")
        kind = ""
    phase = request.GET.get("phase", "")
    if phase and phase not in PhaseKind.values:
        ignored.append("phase")
        phase = ""
    wanted = request.GET.get("region", "")
    region = None
    if wanted:
        region = next((r for r in regions if r.slug == wanted), None)
        if region is None:
            ignored.append("region")
    return selectors.NetworkFilters(kind=kind, phase=phase, region=region), ignored


def network(request: HttpRequest) -> HttpResponse:
    """Every public programme of the network, compared: phase, status, commitments,
    completion, freshness; filtered by kind, phase and region, paged, with the number of
    programmes in each phase."""
    today = timezone.localdate()
    regions = selectors.network_regions()
    filters, ignored = _network_filters(request, regions)
    page = Paginator(
        selectors.network_programmes(filters=filters, today=today), NETWORK_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/network.html",
        {
            "page": page,
            "cards": selectors.network_cards(page.object_list, today),
            "summary": selectors.network_phase_summary(filters=filters, today=today),
            "filters": filters,
            "ignored": ignored,
            "regions": regions,
            "kinds": Kind.choices,
            "phases": PhaseKind.choices,
            "query": _page_query(request),
        },
    )
