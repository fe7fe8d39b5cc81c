"""Routes under construction answer 404 (removed once every part is built)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
