"""The DCAT-AP catalogue's addresses (docs/dcat.md): public, no account, no language prefix.

- `/catalog.ttl`, `/catalog.jsonld`, `/catalog.rdf`: the network's catalogue, and
  `/c/<slug>/catalog.<ext>` one collectivity's, `?page=N` (from 1) with Hydra links;
- `/catalog` and `/c/<slug>/catalog` (the catalogues' IRIs): 303 to the format the
  Accept header prefers (Turtle by default), or to the catalogue's page for a browser;
- `/dataset/<uuid>` and `/dataset/<uuid>/resource/<uuid>` (the datasets' and
  distributions' IRIs): 303 to the dataset's page and to the file.

Bad input answers in plain text: 400 for a page that is not a whole number from 1, 404
after the last page or for an unknown collectivity or dataset.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from infitah.lib.bounds import whole_number
from infitah.opendata import dcat
from infitah.opendata.models import Dataset, Resource
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

# Media type → the format's extension, for the Accept header of the catalogues' IRIs.
NEGOTIATED = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "text/html": "",
}


class _SeeOther(HttpResponseRedirect):
    status_code = 303


def _text(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _unknown_collectivity() -> HttpResponse:
    return _text(_("No collectivity has this address."), status=404)


def _serve(request: HttpRequest, *, collectivity: Collectivity | None, ext: str) -> HttpResponse:
    number = whole_number(request.GET.get("page", "1"), minimum=1)
    if number is None:
        return _text(_("The page must be a whole number from 1."), status=400)
    try:
        page = dcat.catalogue_page(collectivity=collectivity, number=number, size=dcat.PAGE_SIZE)
    except dcat.PageOutOfRange as error:
        return _text(
            _("This catalogue has no page %(page)s: its last page is %(last)s.")
            % {"page": number, "last": error.last},
            status=404,
        )
    path = request.path

    def page_url(n: int) -> str:
        return request.build_absolute_uri(f"{path}?page={n}")

    addresses = dcat.Addresses(base=request.build_absolute_uri("/")[:-1], page_url=page_url)
    graph = dcat.catalogue_graph(page=page, addresses=addresses)
    response = HttpResponse(
        dcat.catalogue_serialize(graph, ext=ext), content_type=dcat.FORMATS[ext][1]
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog(request: HttpRequest, ext: str) -> HttpResponse:
    return _serve(request, collectivity=None, ext=ext)


@require_safe
def collectivity_catalog(request: HttpRequest, slug: str, ext: str) -> HttpResponse:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        return _unknown_collectivity()
    return _serve(request, collectivity=collectivity, ext=ext)


def _negotiate(
    request: HttpRequest, *, html: str | None, url_for: Callable[[str], str]
) -> HttpResponse:
    """303 to the catalogue in the format the Accept header prefers (`url_for(ext)`), the
    page query kept; to the HTML page `html`, when there is one, for a browser."""
    preferred = request.get_preferred_type(list(NEGOTIATED)) or "text/turtle"
    ext = NEGOTIATED[preferred]
    if not ext and html is not None:
        response = _SeeOther(html)
    else:
        query = request.META.get("QUERY_STRING", "")
        response = _SeeOther(url_for(ext or "ttl") + (f"?{query}" if query else ""))
    response["Vary"] = "Accept"
    return response


@require_safe
def catalog_any(request: HttpRequest) -> HttpResponse:
    with translation.override("ar"):
        html = reverse("opendata:catalogue")
    return _negotiate(
        request, html=html, url_for=lambda ext: reverse("dcat:catalog", kwargs={"ext": ext})
    )


@require_safe
def collectivity_catalog_any(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        return _unknown_collectivity()
    html = None
    if collectivity.is_network_member:  # the others have no public pages
        with translation.override("ar"):
            html = reverse("opendata:collectivity", kwargs={"slug": slug})
    return _negotiate(
        request,
        html=html,
        url_for=lambda ext: reverse("dcat:collectivity-catalog", kwargs={"slug": slug, "ext": ext}),
    )


@require_safe
def dataset(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    name = Dataset.objects.active().filter(pk=dataset_id).values_list("name", flat=True).first()
    if name is None:
        return _text(_("This dataset is not in the catalogue."), status=404)
    with translation.override("ar"):
        return _SeeOther(reverse("opendata:dataset", kwargs={"name": name}))


@require_safe
def distribution(
    request: HttpRequest, dataset_id: uuid.UUID, resource_id: uuid.UUID
) -> HttpResponse:
    url = (
        Resource.objects.filter(pk=resource_id, dataset_id=dataset_id, dataset__is_active=True)
        .values_list("url", flat=True)
        .first()
    )
    if url is None:
        return _text(_("This dataset is not in the catalogue."), status=404)
    return _SeeOther(request.build_absolute_uri(url))
