"""What every page's shell needs: the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, get_language_info, override

from infitah.lib.languages import is_partial, is_staff_path


def _url_in(request: HttpRequest, code: str) -> str:
    """This page in language `code`: the resolved URL reversed again under that language
    (what django.urls.translate_url does, without resolving the path a second time)."""
    match = request.resolver_match
    if match is None or not match.url_name:
        return f"/{code}/"
    try:
        with override(code):
            url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return f"/{code}/"
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def shell(request: HttpRequest) -> dict[str, object]:
    current = get_language() or settings.LANGUAGE_CODE
    # Staff pages are not offered in a citizen-only language such as Tamazight.
    staff = is_staff_path(request.path_info)
    languages = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": _url_in(request, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
        if not (staff and is_partial(code))
    ]
    return {"shell": {"languages": languages, "env": settings.INFITAH_ENV}}
