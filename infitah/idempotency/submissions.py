"""A citizen's form sent twice is filed once: the retry gets the first result.

On a poor connection (2G in the mountains) the answer to a long form may never arrive:
the complaint was filed, but the browser shows an error. The citizen presses reload
(the browser posts the form again), or goes back and sends it again. Without a key that
is a second complaint, or an "already signed" error for a petition.

Each main citizen form carries a hidden submission key (`{% submission_key %}`,
infitah/idempotency/templatetags/submissions.py) and its view is wrapped in
`@submitted_once`. A POST with a key goes through the API's engine
(`services.idempotent_call`), so that:

- the view's result, which it marks with `submission_result(response)` (the redirect to
  the tracking page or the receipt), is kept in the same transaction as the write; the
  same form sent again gets that redirect again, with a message saying that nothing was
  sent twice, and the view does not run;
- anything else (the form drawn again with its errors and everything typed, a refusal,
  a redirect to join first) keeps nothing: the form can be corrected and sent again;
- "the same form" is the same key with the same fields (every field but the CSRF token
  and the key; an uploaded file by name, size and SHA-256), sent to the same view with
  the same URL arguments, from the same browser (the secret of its CSRF cookie, which
  every accepted POST carries), within `INFITAH_IDEMPOTENCY_HOURS`. A form changed and
  sent again is another submission: two tabs, or a correction after "back", are not
  lost in a replay of another one.

The key is one per browser until a form is accepted, not one per page drawn: after the
connection dropped, "back" asks the server for the form page again (the browser's cache
is not used for it: the page varies on cookies, which the POST changed), and the page
must carry the same key as the one sent. It is a keyed hash of a seed: the browser's
`infitah_form_seed` cookie, or, before it has one, its CSRF secret. Every accepted
submission (and every replay) answers with a new seed: the next form is a new key, so
that the same text sent again on purpose (a family answering a survey on one phone) is
a new submission. A lost answer never delivers its new seed: the retry still has the old
one.

A POST without a key, or with a key that is not 1 to 255 printable ASCII characters (an
old page, a hand-made request, a tampered field), is handled as before: the view runs,
as often as it is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from infitah.idempotency import services

FIELD = "submission_key"
SEED_COOKIE = "infitah_form_seed"
# Fields of a form that are not what the citizen sent.
_NOT_CONTENT = frozenset({"csrfmiddlewaretoken", FIELD})
# Set on the response a view returns for a submission it accepted.
_RESULT_ATTR = "infitah_submission_result"

R = TypeVar("R", bound=HttpResponseBase)
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def submission_key_new() -> str:
    """A random key (192 bits), for a form drawn without a request."""
    return secrets.token_urlsafe(24)


def submission_key_for(request: HttpRequest) -> str:
    """The key of the forms drawn for this browser now (module docstring)."""
    seed = request.COOKIES.get(SEED_COOKIE, "")
    if not 16 <= len(seed) <= 64:
        # Before its first accepted form: the CSRF secret (created here if the page has
        # no {% csrf_token %} before the key), which the browser keeps.
        get_token(request)
        seed = str(request.META.get("CSRF_COOKIE", ""))
    if not seed:
        return submission_key_new()
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"submission key\n" + seed.encode(), hashlib.sha256
    ).digest()
    return urlsafe_b64encode(digest[:24]).decode()


def submission_result(response: R) -> R:
    """Mark `response` as the result of an accepted submission: it is kept and given
    again to a retry of the same form."""
    setattr(response, _RESULT_ATTR, True)
    return response


def _is_result(response: HttpResponseBase) -> bool:
    return bool(getattr(response, _RESULT_ATTR, False))


def _content(request: HttpRequest) -> str:
    """A digest of what the citizen sent: every field but the CSRF token and the key,
    and each uploaded file by name, size and content."""
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        if name in _NOT_CONTENT:
            continue
        for value in request.POST.getlist(name):
            digest.update(f"{len(name)}:{name}={len(value)}:{value}\n".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"file {name}={upload.name}:{upload.size}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _scope(request: HttpRequest) -> services.Scope:
    match = request.resolver_match
    if match is not None:
        arguments = ",".join(f"{name}={value}" for name, value in sorted(match.kwargs.items()))
        operation = f"form {match.view_name} {arguments}"
    else:
        operation = f"form {request.path}"
    # CsrfViewMiddleware has put the secret of the browser's CSRF cookie here: a POST it
    # accepted carries one. Without it (a view exempt from CSRF), the session's key.
    browser = request.META.get("CSRF_COOKIE") or request.session.session_key or ""
    return services.Scope(operation=operation, credentials=str(browser))


def _new_seed(response: HttpResponseBase) -> None:
    response.set_cookie(
        SEED_COOKIE,
        secrets.token_urlsafe(24),
        max_age=int(getattr(settings, "INFITAH_IDEMPOTENCY_HOURS", 24)) * 3600,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def submitted_once(view: V) -> V:
    """`view` made idempotent for POSTs that carry a submission key (module docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            key = services.key_read(request.POST.get(FIELD))
        except services.KeyInvalid:
            key = None
        if key is None:
            return view(request, *args, **kwargs)
        response = services.idempotent_call(
            request=request,
            key=f"{key}\n{_content(request)}",
            scope=_scope(request),
            call=lambda: view(request, *args, **kwargs),
            kept=_is_result,
            same_request=False,
        )
        if response.has_header(services.REPLAYED_HEADER):
            messages.info(
                request,
                _(
                    "This form had already been sent and was received: here is its result. "
                    "Nothing was sent twice."
                ),
            )
            add_never_cache_headers(response)
            _new_seed(response)
        elif _is_result(response):
            _new_seed(response)
        return response

    return cast(V, wrapped)
