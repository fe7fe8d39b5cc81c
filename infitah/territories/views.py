"""Public pages of the network and of each collectivity.

Both homes show what happens (territories.highlights): their boards are built from the
sources the apps register, and their HTML — with the lists of the territorial tree — is
cached for a short while per collectivity and language (`highlights.cached_board`), so
that a view the page cache does not serve runs no query while it is current.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from infitah.lib.pagecache import cached_public_page
from infitah.territories import selectors
from infitah.territories.highlights import NETWORK, board_compute, cached_board
from infitah.territories.models import Collectivity
from infitah.territories.modules import modules_for, panels_for
from infitah.territories.presenters import collectivity_links, region_cards

MAX_QUERY_LENGTH = 200

# The lists the participation section of a collectivity's dashboard links to.
PARTICIPATION_MODULES = ("consultations", "surveys", "labs")


def _member_count(tree: list[selectors.RegionNode]) -> int:
    """Members of the network: the tree holds every region, prefecture and province and
    every member commune."""
    return sum(
        int(node.region.is_network_member)
        + sum(int(d.is_network_member) for d in node.divisions)
        + len(node.members)
        for node in tree
    )


@cached_public_page("territories")
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    results = selectors.collectivity_search(query=query) if query else None

    def board() -> str:
        tree = selectors.region_tree()
        return render_to_string(
            "territories/_home_board.html",
            {
                "board": board_compute(None),
                "members": _member_count(tree),
                "has_regions": bool(tree),
                "regions_html": region_cards(tree),
            },
        )

    board_html = cached_board(NETWORK, "home", board) or ""
    return render(
        request,
        "territories/home.html",
        {
            # Rendered (escaped) by `board`, then kept in the cache.
            "board_html": mark_safe(board_html),  # noqa: S308
            "query": query,
            "results": results,
        },
    )


def _collectivity_content(request: HttpRequest, collectivity: Collectivity) -> str:
    """The page of `collectivity` but the site's frame: its head, dashboard, services,
    the other apps' panels and its children. Depends on its data and the language only,
    never on the visitor (it is cached)."""
    modules = modules_for(collectivity)
    return render_to_string(
        "territories/_collectivity_content.html",
        {
            "c": collectivity,
            "board": board_compute(collectivity),
            "modules": modules,
            "module_urls": {module.key: url for module, url in modules},
            "participation_links": [
                (module, url) for module, url in modules if module.key in PARTICIPATION_MODULES
            ],
            "panels": panels_for(request, collectivity),
            "children_html": collectivity_links(
                selectors.collectivity_children(collectivity=collectivity), count_attr="child_count"
            ),
        },
    )


@cached_public_page("territories")
def collectivity_home(request: HttpRequest, slug: str) -> HttpResponse:
    def build() -> tuple[str, str] | None:
        collectivity = selectors.collectivity_get(slug=slug)
        if collectivity is None:
            raise Http404
        if collectivity.is_network_space:
            return None
        return collectivity.name, _collectivity_content(request, collectivity)

    page = cached_board(slug, "collectivity", build)
    if page is None:
        # Not a territory: its public space is the network's participation page.
        return redirect("network-participation:list")
    title, content = page
    return render(
        request,
        "territories/collectivity.html",
        # Rendered (escaped) by `_collectivity_content`, then kept in the cache.
        {"title": title, "content_html": mark_safe(content)},  # noqa: S308
    )
