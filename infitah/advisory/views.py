"""Public pages of advisory bodies, under /<lang>/c/<slug>/advisory/.

- the collectivity's bodies (and those the law requires of it);
- a body: its members with their bureau, its meetings and minutes, its annual reports,
  and its public tracker (every referral, opinion and answer, with dates and delays);
- a referral: the matter, the opinion once transmitted, the council's answer with its
  reasons;
- a document's file.

Only network members have these pages (404 otherwise); deleted objects are never shown.
Pages are cached for anonymous visitors in the `advisory` namespace, which every change
(the engine's transitions and the services) makes stale.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from infitah.advisory import selectors
from infitah.advisory.models import Body, BodyDocumentKind
from infitah.advisory.process import PROCESS
from infitah.advisory.services import bodies_required
from infitah.lib.pagecache import cached_public_page
from infitah.territories.models import Collectivity
from infitah.territories.selectors import network_collectivity_or_404


def _body_or_404(collectivity: Collectivity, pk: int) -> Body:
    body = selectors.body_get(collectivity=collectivity, pk=pk)
    if body is None:
        raise Http404
    return body


@cached_public_page(PROCESS.name)
def home(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    bodies = selectors.body_list(collectivity=collectivity, today=timezone.localdate())
    kinds = {body.kind for body in bodies}
    return render(
        request,
        "advisory/home.html",
        {
            "collectivity": collectivity,
            "bodies": bodies,
            "required": [(r, r.kind in kinds) for r in bodies_required(collectivity)],
        },
    )


@cached_public_page(PROCESS.name)
def body(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    found = _body_or_404(collectivity, pk)
    today = timezone.localdate()
    referrals = selectors.referral_list(collectivity=collectivity, body=found)
    documents = selectors.document_list(found)
    return render(
        request,
        "advisory/body.html",
        {
            "collectivity": collectivity,
            "body": found,
            "members": selectors.member_list(found, today=today),
            "meetings": selectors.meeting_list(found),
            "reports": [d for d in documents if d.kind == BodyDocumentKind.ANNUAL_REPORT],
            # Minutes of a meeting are listed with it.
            "others": [
                d
                for d in documents
                if d.kind != BodyDocumentKind.ANNUAL_REPORT and d.meeting_id is None
            ],
            "tracks": selectors.tracker(referrals, today=today),
        },
    )


@cached_public_page(PROCESS.name)
def referral(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.referral_get(collectivity=collectivity, pk=pk)
    if found is None:
        raise Http404
    return render(
        request,
        "advisory/referral.html",
        {
            "collectivity": collectivity,
            "body": found.body,
            "referral": found,
            "track": selectors.track(found, today=timezone.localdate()),
            "documents": selectors.referral_documents(found),
        },
    )


def document_file(request: HttpRequest, slug: str, pk: int, doc: int) -> FileResponse:
    """A document's file, as an attachment with the type found when it was checked."""
    collectivity = network_collectivity_or_404(slug)
    found = selectors.document_get(_body_or_404(collectivity, pk), doc)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
