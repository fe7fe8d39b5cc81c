"""Whole-page caching of public pages for anonymous visitors.

Each cached page belongs to a namespace (e.g. "territories") whose version number is
part of the key; `bump(namespace)` makes every cached page of it stale at once, which
is how a change of the data invalidates the pages built from it.
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


def _version(namespace: str) -> int:
    version = cache.get(f"pagever:{namespace}")
    if version is None:
        version = 1
        cache.add(f"pagever:{namespace}", version, None)
    return int(version)


def bump(namespace: str) -> None:
    """Make every cached page of `namespace` stale."""
    key = f"pagever:{namespace}"
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
            key = f"page:{namespace}:{_version(namespace)}:{get_language()}:{digest}"
            hit = cache.get(key)
            if hit is not None:
                content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorator
