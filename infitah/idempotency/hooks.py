"""The API's hook: every write of /api/v1/ accepts an Idempotency-Key.

    api.add_decorator(idempotent_writes, mode="view")

wraps each operation's `run` (authentication, validation, the view, its answer), so that
a POST carrying the header goes through `services.idempotent_call`; without the header,
or for a read, nothing changes. The OpenAPI document lists the header on every write
(infitah/lib/openapi.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from infitah.idempotency import services

Run = Callable[..., HttpResponseBase]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def idempotent_writes(run: Run) -> Run:
    """`run` (a ninja operation's) made idempotent for writes with an Idempotency-Key."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in WRITE_METHODS:
            return run(request, *args, **kwargs)
        try:
            key = services.key_read(request.headers.get(services.HEADER))
        except services.KeyInvalid:
            return services.key_invalid_response()
        if key is None:
            return run(request, *args, **kwargs)
        match = request.resolver_match
        scope = services.Scope(
            operation=f"{request.method} {match.route if match else request.path}",
            credentials=request.headers.get("Authorization", ""),
        )
        return services.idempotent_call(
            request=request, key=key, scope=scope, call=lambda: run(request, *args, **kwargs)
        )

    return wrapped
