"""The baseline of the page benchmark (bench/pages.py): the cheapest possible view.

It runs through the whole middleware stack like every real page, so that the ratio of a
page's throughput to this view's, on the same server, measures what the page itself
costs: queries, template rendering and the page cache.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")
