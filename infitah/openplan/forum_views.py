"""Public pages of the forum and monitoring committee and of the OGP Local candidacy,
under /<lang>/c/<slug>/programmes/.

- a programme's forum page: both bodies (composition with the shares of women and of
  civil society, coordinators, members by sector with their organisation: the
  programme publishes its members' names), the meetings with the documents shared
  before them (and when) and their minutes, paged; the programme's documents, among
  them the independent monitoring body's inception assessment;
- a document's file (a programme's or a meeting's);
- a submitted candidacy: the eligibility criteria met or not, the letters of support
  with their files, the dates.

Only network members have these pages, and only public programmes (not abandoned);
404 otherwise. Pages are cached for anonymous visitors in the `openplan` namespace,
which every change of the programme, its bodies or a candidacy makes stale.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from infitah.lib.pagecache import cached_public_page
from infitah.openplan import forum_selectors as selectors
from infitah.openplan.files import stored_file_response
from infitah.openplan.models import Programme
from infitah.openplan.process import PROCESS
from infitah.openplan.workflow import Status
from infitah.territories.selectors import network_collectivity_or_404

# Meetings of the public forum page are paged by this many (a page stays light on a
# phone: each meeting lists its documents).
PAGE_SIZE = 10


def _programme(slug: str, pk: int) -> Programme:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.programme_get(collectivity=collectivity, pk=pk, public=True)
    if found is None:
        raise Http404
    return found


@cached_public_page(PROCESS.name)
def forum(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = _programme(slug, pk)
    page = Paginator(selectors.meeting_query(programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "openplan/forum/forum.html",
        {
            "collectivity": programme.collectivity,
            "programme": programme,
            "bodies": selectors.compositions(programme=programme, today=timezone.localdate()),
            "page": page,
            "now": timezone.now(),
            "documents": selectors.programme_documents(programme),
        },
    )


def document(request: HttpRequest, slug: str, pk: int, doc: int) -> FileResponse:
    found = selectors.programme_document_get(_programme(slug, pk), doc)
    if found is None:
        raise Http404
    return stored_file_response(found, inline=False)


def meeting_document(
    request: HttpRequest, slug: str, pk: int, meeting: int, doc: int
) -> FileResponse:
    held = selectors.meeting_get(_programme(slug, pk), meeting)
    found = selectors.meeting_document_get(held, doc) if held is not None else None
    if found is None:
        raise Http404
    return stored_file_response(found, inline=False)


@cached_public_page(PROCESS.name)
def candidacy(request: HttpRequest, slug: str, candidacy: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.candidacy_get(collectivity=collectivity, pk=candidacy, public=True)
    if found is None:
        raise Http404
    assert found.submitted_on is not None  # public ones only
    plan = found.programme
    return render(
        request,
        "openplan/forum/candidacy.html",
        {
            "collectivity": collectivity,
            "candidacy": found,
            "eligibility": selectors.candidacy_eligibility(candidacy=found, on=found.submitted_on),
            "plan": plan if plan is not None and plan.status != Status.ABANDONED else None,
        },
    )


def letter(request: HttpRequest, slug: str, candidacy: int, letter: int) -> FileResponse:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.candidacy_get(collectivity=collectivity, pk=candidacy, public=True)
    chosen = selectors.letter_get(found, letter) if found is not None else None
    if chosen is None:
        raise Http404
    return stored_file_response(chosen, inline=False)
