"""Languages that only the citizen-facing pages speak (settings.INFITAH_PARTIAL_LANGUAGES).

Tamazight (`zgh`) is offered on the pages citizens use: home, collectivities, documents
and search, requests, complaints, petitions, participation, tracking. Staff and
network-office pages stay in Arabic and French: a `/zgh/` address of one of them
redirects to the same page in Arabic (LANGUAGE_CODE), and the language switch of a staff
page does not offer Tamazight. Strings the Tamazight catalogue lacks fall back to Arabic
on the citizen pages too (Django's DjangoTranslation falls back to LANGUAGE_CODE).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Paths (after the language prefix) of the staff, account and network-office pages.
STAFF_PREFIXES = (
    "staff/",
    "accounts/",
    "network/office/",
    "network/mail/",
    "network/participation/",
)


def is_partial(code: str) -> bool:
    """Whether `code` is a language only the citizen-facing pages speak."""
    return code in settings.INFITAH_PARTIAL_LANGUAGES


def split_language(path: str) -> tuple[str, str]:
    """("zgh", "staff/x/") for "/zgh/staff/x/"; ("", path) without a known prefix."""
    head, _slash, rest = path.lstrip("/").partition("/")
    if head in {code for code, _name in settings.LANGUAGES}:
        return head, rest
    return "", path


def is_staff_path(path: str) -> bool:
    """Whether `path` ("/ar/staff/…" or "staff/…") is a staff or back-office page."""
    _code, rest = split_language(path)
    return rest.lstrip("/").startswith(STAFF_PREFIXES)


class CitizenLanguageMiddleware:
    """Send a staff page asked for in a citizen-only language to its Arabic address.

    GET and HEAD get a 302; other methods a 307, which keeps the method and the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code, rest = split_language(request.path_info)
        if code and is_partial(code) and rest.startswith(STAFF_PREFIXES):
            url = f"{request.META.get('SCRIPT_NAME', '')}/{settings.LANGUAGE_CODE}/{rest}"
            query = request.META.get("QUERY_STRING", "")
            if query:
                url = f"{url}?{query}"
            response = HttpResponseRedirect(url)
            if request.method not in ("GET", "HEAD"):
                response.status_code = 307
            return response
        return self.get_response(request)
