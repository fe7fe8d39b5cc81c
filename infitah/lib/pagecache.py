"""Whole-page caching of public pages for anonymous visitors.

Each cached page belongs to a namespace (e.g. "territories") with a version number;
`bump(namespace)` makes every cached page of it stale at once, which is how a change of
the data invalidates the pages built from it. A cached entry stores the version it was
built at, so that a hit costs one cache round trip (`get_many` of the version and the
page) rather than two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

View = Callable[..., HttpResponse]


def version_key(namespace: str) -> str:
    """The cache key holding the version of `namespace` (read it with the page keys in
    one get_many)."""
    return f"pagever:{namespace}"


def bump(namespace: str) -> None:
    """Make every cached page of `namespace` stale."""
    key = version_key(namespace)
    if not cache.add(key, 2, None):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 2, None)


def cached_public_page(namespace: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            seconds = settings.INFITAH_PAGE_CACHE_SECONDS
            if seconds <= 0 or request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            ver_key = version_key(namespace)
            page_key = f"page:{namespace}:{get_language()}:{digest}"
            found = cache.get_many([ver_key, page_key])
            version = found.get(ver_key)
            if version is None:
                version = 1
                cache.add(ver_key, version, None)
            hit = found.get(page_key)
            if hit is not None and hit[0] == version:
                response = HttpResponse(hit[1], content_type=hit[2])
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                cache.set(page_key, (version, response.content, response["Content-Type"]), seconds)
            response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorator
