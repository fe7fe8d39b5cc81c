"""The public search page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from infitah.search import selectors
from infitah.search.forms import SearchForm
from infitah.territories.selectors import collectivity_get

PAGE_SIZE = 20


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = None
    scope = None
    page_links: dict[str, str] = {}
    if form.is_bound and not form.is_valid():
        return render(request, "search/search.html", {"form": form}, status=400)
    if form.is_bound:
        data = form.cleaned_data
        if data["collectivity"]:
            scope = collectivity_get(slug=data["collectivity"])
            # The network's own space is not a territory with collectivities under it.
            if scope is None or scope.is_network_space:
                raise Http404
        result = selectors.search(
            query=data["q"],
            collectivity=scope,
            category=data["category"],
            year=data["year"],
            file_type=data["file_type"],
            page=data["page"] or 1,
            page_size=PAGE_SIZE,
        )
        params = {k: v for k, v in request.GET.items() if k != "page" and k in form.fields}
        if result.has_previous:
            page_links["previous"] = "?" + urlencode({**params, "page": result.page - 1})
        if result.has_next:
            page_links["next"] = "?" + urlencode({**params, "page": result.page + 1})
    return render(
        request,
        "search/search.html",
        {"form": form, "result": result, "scope": scope, "page_links": page_links},
    )
