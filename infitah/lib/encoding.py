"""Refuse a form whose text is not valid UTF-8, rather than store it damaged.

Django decodes submitted fields with `errors="replace"`: bytes that are not UTF-8 become
U+FFFD, and a complaint or a petition would be stored with "�" where the citizen's words
were, without anyone being told. The API refuses such a body (400); the pages now do too:
a form post whose fields are not valid UTF-8 is answered 400 with a page in the current
language saying so, before any view runs, and nothing is recorded.

- `application/x-www-form-urlencoded`: every name and value is percent-decoded and
  decoded as strict UTF-8 (the body is in memory already: Django read it to parse it).
- `multipart/form-data`: the raw parts are not kept once parsed, so the parsed text
  fields are checked for U+FFFD, which only a decoding error puts there (no keyboard types
  it). File contents are not text and are not checked.

It runs as a view middleware after `CsrfViewMiddleware`, which has parsed the form for
every view it protects; a view exempt from CSRF that parses the form itself (the register
check, which hashes the upload as it arrives) is not made to parse it earlier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

REPLACEMENT = "\ufffd"


def urlencoded_is_utf8(body: bytes) -> bool:
    """Whether every name and value of an urlencoded body decodes as strict UTF-8."""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def _parsed_is_utf8(request: HttpRequest) -> bool:
    return not any(REPLACEMENT in key for key in request.POST) and not any(
        REPLACEMENT in value for values in request.POST.lists() for value in values[1]
    )


def bad_encoding_response(request: HttpRequest) -> HttpResponse:
    message = _(
        "The form holds characters that are not valid text (UTF-8). Nothing was recorded: "
        "copy your text again and resubmit."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(
        request,
        "bad_request.html",
        {"title": _("The form could not be read"), "message": message},
        status=400,
    )


class StrictFormEncodingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            valid = urlencoded_is_utf8(request.body)
        elif content_type == "multipart/form-data" and hasattr(request, "_post"):
            valid = _parsed_is_utf8(request)
        else:
            valid = True
        return None if valid else bad_encoding_response(request)
