"""The publication register's public pages: what it is, and checking a file against it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from infitah.ledger import register_selectors as selectors
from infitah.ledger import signing
from infitah.ledger.forms import (
    VERIFY_MAX_BYTES,
    HashingUploadHandler,
    VerifyForm,
    too_large_message,
)

# A request body a little larger than the largest accepted file (multipart overhead).
MAX_BODY = VERIFY_MAX_BYTES + 64 * 1024


def _checkpoint_context() -> dict[str, object]:
    checkpoint = selectors.checkpoint_latest()
    return {
        "checkpoint": checkpoint,
        "checkpoint_timestamp": signing.format_timestamp(checkpoint.timestamp)
        if checkpoint
        else "",
        "is_checkpoint_valid": checkpoint is not None and selectors.checkpoint_is_valid(checkpoint),
        "public_key": signing.public_key_b64(),
        "algorithm": signing.ALGORITHM,
    }


def index(request: HttpRequest) -> HttpResponse:
    """What the register is, its latest signed checkpoint, its key and its last entries."""
    return render(
        request,
        "register/index.html",
        {
            **_checkpoint_context(),
            "entries": selectors.register_entry_list(limit=50),
            "witnesses": selectors.witness_status_list(),
            "vkeys": signing.vkeys(),
            "log_prefix": request.build_absolute_uri(reverse("register_log:checkpoint"))[
                : -len("checkpoint")
            ],
        },
    )


def _render_verify(request: HttpRequest, form: VerifyForm, error: str = "") -> HttpResponse:
    result = None
    if not error and form.is_bound and form.is_valid():
        result = selectors.register_file_check(sha256=form.cleaned_data["sha256"])
    context = {**_checkpoint_context(), "form": form, "result": result, "error": error}
    return render(request, "register/verify.html", context)


@csrf_protect
def _verify_post(request: HttpRequest, handler: HashingUploadHandler) -> HttpResponse:
    # The CSRF check above read the body (request.POST) through `handler`.
    form = VerifyForm(request.POST, request.FILES)
    if handler.is_too_large:
        return _render_verify(request, VerifyForm(), too_large_message())
    return _render_verify(request, form)


# Django's documented pattern for upload handlers ("Modifying upload handlers on the
# fly"): this view is exempt, installs the hashing handler before anything reads the
# body, then calls `_verify_post`, whose CSRF check is the first reader. Checking CSRF
# here first (or in the middleware) would parse the body with the default handlers, after
# which the handlers can no longer be changed.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a file (hashed in chunks, at most VERIFY_MAX_BYTES) or a SHA-256 against the
    register. GET ?sha256=... works too, so that a result can be linked to."""
    if request.method == "POST":
        try:
            too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
        except ValueError:
            too_large = True
        if too_large:  # Refused without reading the body (so without a CSRF check: it
            # changes nothing and shows only the size limit).
            return _render_verify(request, VerifyForm(), too_large_message())
        # The file is hashed as it arrives, not kept.
        handler = HashingUploadHandler(request)
        request.upload_handlers = [handler]
        return _verify_post(request, handler)
    form = VerifyForm(request.GET) if "sha256" in request.GET else VerifyForm()
    return _render_verify(request, form)
