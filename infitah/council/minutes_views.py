"""Pages of the minutes (محضر): the secretariat's page (draft, approve, sign), and the
public download of signed minutes with their signature check."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from infitah.accounts.decorators import staff_collectivity, staff_user, staff_view
from infitah.accounts.permissions import Perm
from infitah.council import minutes as services
from infitah.council.minutes_forms import (
    CHECK_MAX_BYTES,
    MinutesCheckForm,
    MinutesForm,
    too_large_message,
)
from infitah.council.minutes_selectors import (
    MINUTES_STATES,
    minutes_session_get,
    minutes_signed_get,
    minutes_signers_get,
)
from infitah.council.models import Minutes, MinutesStatus, Session
from infitah.lib.casework import private
from infitah.lib.pades import PdfCheck, pdf_check, signing_trust_roots
from infitah.lib.uploads import check_upload
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

logger = logging.getLogger(__name__)

# A request body a little larger than the largest accepted file (multipart overhead).
CHECK_MAX_BODY = CHECK_MAX_BYTES + 64 * 1024


def _stored_check(minutes: Minutes, collectivity: Collectivity) -> PdfCheck | None:
    """The signature check of the stored signed PDF (None when the file is missing)."""
    try:
        with minutes.signed_pdf.open("rb") as f:
            data = f.read()
    except (FileNotFoundError, ValueError):
        logger.error(
            "minutes %s: the signed PDF %r is missing", minutes.pk, minutes.signed_pdf.name
        )
        return None
    return pdf_check(data, trust_roots=signing_trust_roots(collectivity))


def _pdf_response(minutes: Minutes, session: Session) -> HttpResponse:
    """The signed PDF as stored (tens of kilobytes: read whole), as an attachment."""
    try:
        with minutes.signed_pdf.open("rb") as f:
            data = f.read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    reference = re.sub(r"[^A-Za-z0-9._-]", "-", session.reference or str(session.pk))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- The secretariat ----------------------------------------------------------------------


def _session_or_404(collectivity: Collectivity, pk: int) -> Session:
    session = minutes_session_get(collectivity=collectivity, pk=pk)
    if session is None:
        raise Http404
    return session


def _minutes_of(session: Session) -> Minutes | None:
    try:
        return session.minutes
    except Minutes.DoesNotExist:
        return None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for messages_ in exc.message_dict.values() for m in messages_]
    return [str(m) for m in exc.messages]


@staff_view(Perm.COUNCIL_MANAGE)
@require_http_methods(["GET", "POST"])
def minutes_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the minutes of a held session, record their approval, sign them; once
    signed, download them and see their signature check."""
    collectivity = staff_collectivity(request)
    session = _session_or_404(collectivity, pk)
    minutes = _minutes_of(session)
    form = MinutesForm(
        initial={"text_ar": minutes.text_ar, "text_fr": minutes.text_fr} if minutes else None
    )
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = staff_user(request)
        try:
            if action == "save":
                form = MinutesForm(request.POST)
                if form.is_valid():
                    services.minutes_save(
                        session=session,
                        actor=actor,
                        text_ar=form.cleaned_data["text_ar"],
                        text_fr=form.cleaned_data["text_fr"],
                    )
                    messages.success(request, _("The minutes are saved."))
                    return redirect(request.path)
            elif action == "approve":
                services.minutes_approve(session=session, actor=actor)
                messages.success(request, _("The approval of the minutes is recorded."))
                return redirect(request.path)
            elif action == "sign":
                services.minutes_sign(session=session, actor=actor)
                messages.success(request, _("The minutes are signed."))
                return redirect(request.path)
            else:
                errors.append(_("Unknown action."))
        except ValidationError as exc:
            if action == "save" and hasattr(exc, "error_dict"):
                for field, field_errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                errors.extend(_errors(exc))
        status = 400
    signers = minutes_signers_get(session=session)
    is_signed = minutes is not None and minutes.status == MinutesStatus.SIGNED
    return private(
        render(
            request,
            "council/minutes/staff.html",
            {
                "collectivity": collectivity,
                "session": session,
                "minutes": minutes,
                "form": form,
                "errors": errors,
                "can_write": session.status in MINUTES_STATES and not is_signed,
                "president": signers["president"],
                "secretary": signers["secretary"],
                "check": _stored_check(minutes, collectivity) if minutes and is_signed else None,
            },
            status=status,
        )
    )


@staff_view(Perm.COUNCIL_MANAGE)
@require_GET
def minutes_staff_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF for the secretariat (a sitting in camera's too)."""
    session = _session_or_404(staff_collectivity(request), pk)
    minutes = _minutes_of(session)
    if minutes is None or minutes.status != MinutesStatus.SIGNED or not minutes.signed_pdf:
        raise Http404
    return private(_pdf_response(minutes, session))


# --- The public -----------------------------------------------------------------------------


def _public_or_404(slug: str, pk: int) -> tuple[Collectivity, Minutes]:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    minutes = minutes_signed_get(collectivity=collectivity, session_pk=pk)
    if minutes is None:
        raise Http404
    return collectivity, minutes


@require_GET
def minutes_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The signed minutes of a public session, as signed (404 before that)."""
    _collectivity, minutes = _public_or_404(slug, pk)
    return _pdf_response(minutes, minutes.session)


@dataclass(frozen=True)
class UploadVerdict:
    """What the check of an uploaded file found."""

    name: str
    sha256: str
    # The very file that was signed and stored (the same SHA-256).
    is_same_file: bool
    check: PdfCheck


def _render_check(
    request: HttpRequest,
    collectivity: Collectivity,
    minutes: Minutes,
    form: MinutesCheckForm,
    verdict: UploadVerdict | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    session = minutes.session
    return render(
        request,
        "council/minutes/check.html",
        {
            "collectivity": collectivity,
            "session": session,
            "minutes": minutes,
            "check": _stored_check(minutes, collectivity),
            "form": form,
            "verdict": verdict,
            "error": error,
            "pdf_url": reverse(
                "council:minutes-pdf", kwargs={"slug": collectivity.slug, "pk": session.pk}
            ),
        },
        status=status,
    )


@csrf_protect
def _check_post(request: HttpRequest, collectivity: Collectivity, minutes: Minutes) -> HttpResponse:
    form = MinutesCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_check(request, collectivity, minutes, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        checked = check_upload(upload, name=str(upload.name or ""), max_bytes=CHECK_MAX_BYTES)
        if checked.file_type != "pdf":
            raise ValidationError(_("Choose a PDF file."))
    except ValidationError as exc:
        form.add_error("file", exc)
        return _render_check(request, collectivity, minutes, form, status=400)
    data = upload.read()
    verdict = UploadVerdict(
        name=checked.display_name,
        sha256=checked.sha256,
        is_same_file=checked.sha256 == minutes.signed_sha256,
        check=pdf_check(data, trust_roots=signing_trust_roots(collectivity)),
    )
    return _render_check(request, collectivity, minutes, MinutesCheckForm(), verdict)


# The size is checked before anything reads the body, so this view is exempt and the
# CSRF check is made by `_check_post`, the first reader (as register:verify does).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def minutes_check(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Whether the stored signed minutes' signatures are valid, who signed and when; and
    a form where anyone checks a PDF file: is it these signed minutes, unchanged?"""
    collectivity, minutes = _public_or_404(slug, pk)
    if request.method == "POST":
        try:
            too_large = int(request.META.get("CONTENT_LENGTH") or 0) > CHECK_MAX_BODY
        except ValueError:
            too_large = True
        if too_large:
            return _render_check(
                request,
                collectivity,
                minutes,
                MinutesCheckForm(),
                status=413,
                error=too_large_message(),
            )
        return _check_post(request, collectivity, minutes)
    return _render_check(request, collectivity, minutes, MinutesCheckForm())
