"""Public pages of the network and of each collectivity."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from infitah.lib.pagecache import cached_public_page
from infitah.territories import selectors
from infitah.territories.modules import modules_for, panels_for
from infitah.territories.presenters import collectivity_links, region_cards

MAX_QUERY_LENGTH = 200


@cached_public_page("territories")
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    results = selectors.collectivity_search(query=query) if query else None
    tree = selectors.region_tree()
    return render(
        request,
        "territories/home.html",
        {
            "has_regions": bool(tree),
            "regions_html": region_cards(tree),
            "query": query,
            "results": results,
        },
    )


@cached_public_page("territories")
def collectivity_home(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = selectors.collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    if collectivity.is_network_space:
        # Not a territory: its public space is the network's participation page.
        return redirect("network-participation:list")
    return render(
        request,
        "territories/collectivity.html",
        {
            "collectivity": collectivity,
            "children_html": collectivity_links(
                selectors.collectivity_children(collectivity=collectivity), count_attr="child_count"
            ),
            "modules": modules_for(collectivity),
            "panels": panels_for(request, collectivity),
        },
    )
