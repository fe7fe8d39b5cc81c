"""Public pages of a council: what citizens see of it, per collectivity.

The council (its term, bureau, members, committees, upcoming and past sessions), a
session (agenda, documents, attendance, results, each member's vote, decisions, summary,
signed minutes), a member (committees, attendance, votes), a public document's file, and
every decision. What is public is decided in `public_selectors` (drafts, deleted and
non-public objects never are). No JavaScript; readable at 360 px (lists, no wide table).

Not page-cached: votes, attendance and seats are written by several services (not all
of them case transitions, which alone make the `council` namespace stale), and each page
runs a handful of queries.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from infitah.council import public_selectors as selectors
from infitah.council.workflow import Status
from infitah.lib.bounds import whole_number
from infitah.territories.models import Collectivity
from infitah.territories.selectors import network_collectivity_or_404

PAGE_SIZE = 20
TEMPLATES = "council/public"


def _reverse_or_none(name: str, **kwargs: object) -> str | None:
    """The URL of a page another part of the project owns, or None while it is not
    routed (minutes, advisory bodies)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _id_or_404(pk: int) -> int:
    """`pk` if a database can look it up (lib/bounds), else Http404."""
    found = whole_number(pk, minimum=1)
    if found is None:
        raise Http404
    return found


def _page_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The council now: term, bureau, members, committees; the convened sessions with
    their agendas and documents; the past sessions (paged)."""
    collectivity = network_collectivity_or_404(slug)
    overview = selectors.council_overview(collectivity=collectivity, today=timezone.localdate())
    page = Paginator(selectors.past_sessions(collectivity=collectivity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        f"{TEMPLATES}/home.html",
        {
            "collectivity": collectivity,
            "overview": overview,
            "upcoming": selectors.upcoming_sessions(collectivity=collectivity),
            "page": page,
            "query": _page_query(request),
            "advisory_url": _reverse_or_none("advisory:home", slug=collectivity.slug),
        },
    )


def _links(collectivity: Collectivity, record: selectors.SessionRecord) -> dict[str, str]:
    """The session's links the page may draw: none of a closed sitting's; the live
    broadcast while convened, the recording once it sat."""
    session = record.session
    if not session.is_public:
        return {}
    links = {"video": selectors.safe_url(session.video_url)}
    if session.status == Status.CONVENED:
        links["live"] = selectors.safe_url(session.broadcast_url)
    if record.has_sat:
        links["recording"] = selectors.safe_url(session.recording_url)
    return {key: url for key, url in links.items() if url}


def session(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    record = selectors.session_record(collectivity=collectivity, pk=_id_or_404(pk))
    if record is None:
        raise Http404
    minutes_pdf = minutes_check = None
    if record.minutes is not None:
        minutes_pdf = _reverse_or_none("council:minutes-pdf", slug=collectivity.slug, pk=pk)
        minutes_check = _reverse_or_none("council:minutes-check", slug=collectivity.slug, pk=pk)
    return render(
        request,
        f"{TEMPLATES}/session.html",
        {
            "collectivity": collectivity,
            "record": record,
            "session": record.session,
            "links": _links(collectivity, record),
            "minutes_pdf": minutes_pdf,
            "minutes_check": minutes_check,
        },
    )


def member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    record = selectors.member_record(collectivity=collectivity, pk=_id_or_404(pk))
    if record is None:
        raise Http404
    return render(
        request,
        f"{TEMPLATES}/member.html",
        {"collectivity": collectivity, "record": record, "member": record.member},
    )


def document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A public document's file, as an attachment with its recorded type, never
    sniffed nor run by the browser."""
    collectivity = network_collectivity_or_404(slug)
    found = selectors.document_public_get(collectivity=collectivity, pk=_id_or_404(pk))
    if found is None or not found.file:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def decisions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every decision of the council, newest session first, paged."""
    collectivity = network_collectivity_or_404(slug)
    page = Paginator(selectors.decision_list(collectivity=collectivity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        f"{TEMPLATES}/decisions.html",
        {"collectivity": collectivity, "page": page, "query": _page_query(request)},
    )
