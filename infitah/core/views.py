"""Site-wide answers that belong to no domain app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """`/favicon.ico`, asked for by browsers on their own: the SVG icon (its hashed name
    in production, resolved per request since the manifest is read after startup)."""
    return HttpResponsePermanentRedirect(static("infitah/favicon.svg"))
