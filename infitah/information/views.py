"""Pages of access to information: filing, the requester's follow-up, the public register
and the officers' staff pages."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.deadlines.selectors import deadline_list_for_subject
from infitah.information import pdf, selectors, services
from infitah.information.forms import (
    AnswerForm,
    DecideForm,
    ExtendForm,
    RefuseForm,
    RequestForm,
    SettingsForm,
    TextForm,
    TransferForm,
)
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.services import PAGE_CACHE_NAMESPACE, TransitionNotAllowed
from infitah.information.workflow import NOT_PUBLIC, Action, Status, is_allowed
from infitah.lib.casework import private
from infitah.lib.pagecache import cached_public_page
from infitah.lib.pdf import PdfUnavailable
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

PAGE_SIZE = 30


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    return collectivity


def _form_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --------------------------------------------------------------------------- public


@cached_public_page(PAGE_CACHE_NAMESPACE)
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's access-to-information page: officers, desk, rights, statistics."""
    collectivity = _collectivity_or_404(slug)
    info = selectors.information_settings_get(collectivity=collectivity)
    return render(
        request,
        "information/home.html",
        {
            "collectivity": collectivity,
            "info": info,
            "officers": selectors.officer_list(collectivity=collectivity),
            "stats": selectors.statistics(collectivity=collectivity),
        },
    )


def file(request: HttpRequest, slug: str) -> HttpResponse:
    """The request form; a filed request lands on its follow-up page."""
    collectivity = _collectivity_or_404(slug)
    info = selectors.information_settings_get(collectivity=collectivity)
    accepting = info is not None and info.is_accepting
    form = RequestForm(request.POST or None)
    if request.method == "POST" and accepting and form.is_valid():
        try:
            filed, token = services.request_file(collectivity=collectivity, data=form.request_input)
        except TransitionNotAllowed as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your request %(reference)s is filed. Open the link we sent to %(email)s "
                    "and confirm your address: the request is received then. Keep this "
                    "page's address: it is your private link to follow the request."
                )
                % {"reference": filed.reference, "email": filed.email},
            )
            return redirect("information:track", token=token)
    status = 200 if request.method == "GET" else (409 if not accepting else 400)
    return render(
        request,
        "information/file.html",
        {"collectivity": collectivity, "info": info, "accepting": accepting, "form": form},
        status=status,
    )


def _tracked_or_404(token: str) -> InformationRequest:
    found = services.request_by_token(token)
    if found is None:
        raise Http404
    return found


@never_cache
def track(request: HttpRequest, token: str) -> HttpResponse:
    """The requester's follow-up page, behind the secret link."""
    found = _tracked_or_404(token)
    context = _track_context(found, token)
    return private(render(request, "information/track.html", context))


def _track_context(found: InformationRequest, token: str, **forms: Form) -> dict[str, Any]:
    window_end = selectors.complaint_window_end(found)
    today = timezone.localdate()
    can_complain = (
        is_allowed(found.status, Action.COMPLAIN)
        and window_end is not None
        and today <= window_end
        and (not found.is_open or found.is_deemed_refused(today))
    )
    return {
        "req": found,
        "collectivity": found.collectivity,
        "token": token,
        "deemed_refused": found.is_deemed_refused(today),
        "messages_list": selectors.request_messages(request=found),
        "deadlines": deadline_list_for_subject(
            subject_type=InformationRequest._meta.label_lower, subject_id=str(found.pk)
        ),
        "window_end": window_end,
        "can_complain": can_complain,
        "can_reply": found.status == Status.CLARIFICATION,
        "can_withdraw": is_allowed(found.status, Action.WITHDRAW),
        "appeal": selectors.appeal_path(request=found),
        "reply_form": forms.get("reply_form") or TextForm(label=_("Your clarification")),
        "complain_form": forms.get("complain_form") or TextForm(label=_("Your complaint")),
        "withdraw_form": forms.get("withdraw_form")
        or TextForm(label=_("Reason (optional)"), required=False),
    }


@require_POST
def track_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    """The requester's actions: reply to a clarification, complain, withdraw."""
    found = _tracked_or_404(token)
    handlers: dict[str, tuple[str, Any, Callable[[str], Any]]] = {
        "reply": (
            "reply_form",
            _("Your clarification"),
            lambda text: services.request_reply(request=found, text=text),
        ),
        "complain": (
            "complain_form",
            _("Your complaint"),
            lambda text: services.request_complain(request=found, text=text),
        ),
        "withdraw": (
            "withdraw_form",
            _("Reason (optional)"),
            lambda text: services.request_withdraw(request=found, text=text),
        ),
    }
    if action not in handlers:
        raise Http404
    form_name, label, handler = handlers[action]
    form = TextForm(request.POST, label=label, required=action != "withdraw")
    status = 400
    if form.is_valid():
        try:
            handler(form.cleaned_data["text"])
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Done. The collectivity has been told."))
            return redirect("information:track", token=token)
    found.refresh_from_db()
    context = _track_context(found, token, **{form_name: form})
    return private(render(request, "information/track.html", context, status=status))


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page the confirmation e-mail links to: a GET shows a button, only a POST confirms
    (mail scanners open links; they do not submit forms)."""
    found = services.request_by_confirm_token(token)
    if request.method == "POST":
        if found is None:
            raise Http404
        try:
            services.request_confirm(request=found)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Thank you: your request %(reference)s is received.")
                % {"reference": found.reference},
            )
        return redirect("information:track", token=selectors.tracking_token(found))
    return private(
        render(
            request,
            "information/confirm.html",
            {"req": found},
            status=200 if found is not None else 404,
        )
    )


def _pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


def _pdf_unavailable(request: HttpRequest, token: str) -> HttpResponse:
    messages.error(
        request,
        _("PDF files cannot be made on this server at the moment. Please try again later."),
    )
    return private(redirect("information:track", token=token))


@never_cache
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    found = _tracked_or_404(token)
    try:
        data = pdf.receipt_pdf(found)
    except PdfUnavailable:
        return _pdf_unavailable(request, token)
    return _pdf_response(data, f"{found.reference}-receipt.pdf")


@never_cache
def case_file(request: HttpRequest, token: str) -> HttpResponse:
    found = _tracked_or_404(token)
    language = "fr" if (request.LANGUAGE_CODE or "ar").startswith("fr") else "ar"
    try:
        data = pdf.case_file_pdf(found, language=language)
    except PdfUnavailable:
        return _pdf_unavailable(request, token)
    return _pdf_response(data, f"{found.reference}-file.pdf")


@never_cache
def attachment(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """A file of the answer, for the requester."""
    found = _tracked_or_404(token)
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    return private(FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name))


@cached_public_page(PAGE_CACHE_NAMESPACE)
def register(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The public register of requests (one collectivity, or the whole network)."""
    collectivity = _collectivity_or_404(slug) if slug else None
    status = request.GET.get("status", "")
    rows = selectors.register_list(collectivity=collectivity, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "information/register.html",
        {
            "collectivity": collectivity,
            "page": page,
            "status": status,
            "statuses": [(v, label) for v, label in Status.choices if v not in NOT_PUBLIC],
            "stats": selectors.statistics(collectivity=collectivity),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def register_csv(request: HttpRequest, slug: str | None = None) -> StreamingHttpResponse:
    """The public register as open data (CSV, UTF-8 with BOM): never the requester's
    identity; a private request keeps its subject and answer out."""
    collectivity = _collectivity_or_404(slug) if slug else None
    rows = selectors.register_list(collectivity=collectivity).iterator(chunk_size=500)
    today = timezone.localdate()
    writer = csv.writer(_Echo())
    header = [
        "reference",
        "collectivity",
        "subject",
        "submitted_at",
        "received_on",
        "due_date",
        "status",
        "outcome",
        "answered_on",
        "answered_late",
        "deemed_refused",
    ]

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for r in rows:
            yield writer.writerow(
                [
                    r.reference,
                    r.collectivity.slug,
                    "" if r.is_private else r.subject,
                    r.submitted_at.isoformat(),
                    r.received_on.isoformat() if r.received_on else "",
                    r.due_date.isoformat() if r.due_date else "",
                    r.status,
                    r.outcome,
                    r.answered_on.isoformat() if r.answered_on else "",
                    int(r.is_answered_late),
                    int(r.deemed_refused_on is not None or r.is_deemed_refused(today)),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"information-requests-{slug or 'network'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@cached_public_page(PAGE_CACHE_NAMESPACE)
def register_detail(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.public_request_get(reference=reference)
    if found is None:
        raise Http404
    return render(
        request,
        "information/register_detail.html",
        {
            "req": found,
            "collectivity": found.collectivity,
            "events": selectors.request_events(request=found),
            "attachments": list(found.attachments.all()) if found.is_answer_public else [],
            "deemed_refused": found.is_deemed_refused(),
        },
    )


def public_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    found = selectors.public_request_get(reference=reference)
    if found is None or not found.is_answer_public:
        raise Http404
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


# ---------------------------------------------------------------------------- staff


@staff_view(Perm.INFORMATION_HANDLE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    state = request.GET.get("state", "open")
    if state not in selectors.STAFF_FILTERS:
        state = "open"
    today = timezone.localdate()
    rows = selectors.staff_request_list(collectivity=collectivity, state=state)
    return render(
        request,
        "information/staff/list.html",
        {
            "collectivity": collectivity,
            "rows": [(r, r.is_deemed_refused(today)) for r in rows],
            "state": state,
            "states": list(selectors.STAFF_FILTERS),
            "can_configure": has_perm(
                request.user,  # type: ignore[arg-type]
                Perm.MEMBERS_MANAGE,
                collectivity,
            ),
        },
    )


@staff_view(Perm.INFORMATION_HANDLE)
def staff_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    found = selectors.staff_request_get_by_pk(collectivity=collectivity, pk=pk)
    if found is None:
        raise Http404
    return redirect("information-staff:detail", slug=collectivity.slug, reference=found.reference)


def _staff_request(request: HttpRequest, reference: str) -> InformationRequest:
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    found = selectors.staff_request_get(collectivity=collectivity, reference=reference)
    if found is None:
        raise Http404
    return found


def _staff_forms(found: InformationRequest, **bound: Form) -> dict[str, Form]:
    collectivity = found.collectivity
    return {
        "clarify": bound.get("clarify")
        or TextForm(label=_("Question to the requester"), auto_id="id_clarify_%s"),
        "extend": bound.get("extend") or ExtendForm(auto_id="id_extend_%s"),
        "answer": bound.get("answer")
        or AnswerForm(collectivity=collectivity, auto_id="id_answer_%s"),
        "refuse": bound.get("refuse")
        or RefuseForm(collectivity=collectivity, auto_id="id_refuse_%s"),
        "transfer": bound.get("transfer")
        or TransferForm(collectivity=collectivity, auto_id="id_transfer_%s"),
        "decide": bound.get("decide") or DecideForm(auto_id="id_decide_%s"),
    }


def _staff_detail_render(
    request: HttpRequest, found: InformationRequest, *, status: int = 200, **bound: Form
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    actions = {
        "clarify": is_allowed(found.status, Action.CLARIFY),
        "extend": is_allowed(found.status, Action.EXTEND)
        and not found.is_extended
        and found.due_date is not None
        and found.due_date >= today,
        "answer": is_allowed(found.status, Action.ANSWER),
        "refuse": is_allowed(found.status, Action.REFUSE),
        "transfer": is_allowed(found.status, Action.TRANSFER),
        "decide": is_allowed(found.status, Action.DECIDE_COMPLAINT)
        and has_perm(user, Perm.INFORMATION_HEAD, found.collectivity),
    }
    return render(
        request,
        "information/staff/detail.html",
        {
            "collectivity": found.collectivity,
            "req": found,
            "deemed_refused": found.is_deemed_refused(today),
            "messages_list": selectors.request_messages(request=found),
            "events": selectors.request_events(request=found),
            "deadlines": deadline_list_for_subject(
                subject_type=InformationRequest._meta.label_lower, subject_id=str(found.pk)
            ),
            "same_requester": selectors.same_requester_count(request=found),
            "forms": _staff_forms(found, **bound),
            "actions": actions,
        },
        status=status,
    )


@staff_view(Perm.INFORMATION_HANDLE)
def staff_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _staff_detail_render(request, _staff_request(request, reference))


def _staff_act(
    request: HttpRequest, found: InformationRequest, action: str
) -> tuple[Form, Callable[[], Any]] | None:
    """The bound form of `action` and the service call it leads to (None: unknown)."""
    user: User = request.user  # type: ignore[assignment]
    collectivity = found.collectivity
    data, files = request.POST, request.FILES
    if action == "clarify":
        f1 = TextForm(data, label=_("Question to the requester"), auto_id="id_clarify_%s")
        return f1, lambda: services.request_clarify(
            request=found, actor=user, text=f1.cleaned_data["text"]
        )
    if action == "extend":
        f2 = ExtendForm(data, auto_id="id_extend_%s")
        return f2, lambda: services.request_extend(
            request=found, actor=user, reasons=f2.cleaned_data["reasons"]
        )
    if action == "answer":
        f3 = AnswerForm(data, files, collectivity=collectivity, auto_id="id_answer_%s")
        return f3, lambda: services.request_answer(
            request=found,
            actor=user,
            text=f3.cleaned_data["text"],
            partial=f3.cleaned_data["partial"],
            files=f3.cleaned_data["attachments"],
            document=f3.cleaned_data["document"],
            link=f3.cleaned_data["link"],
            personal=f3.cleaned_data["personal"],
        )
    if action == "refuse":
        f4 = RefuseForm(data, collectivity=collectivity, auto_id="id_refuse_%s")
        return f4, lambda: services.request_refuse(
            request=found,
            actor=user,
            reasons=f4.cleaned_data["reasons"],
            reasoning=f4.cleaned_data["reasoning"],
            document=f4.cleaned_data["document"],
            link=f4.cleaned_data["link"],
        )
    if action == "transfer":
        f5 = TransferForm(data, collectivity=collectivity, auto_id="id_transfer_%s")
        return f5, lambda: services.request_transfer(
            request=found, actor=user, to=f5.cleaned_data["to"], note=f5.cleaned_data["note"]
        )
    if action == "decide":
        if not has_perm(user, Perm.INFORMATION_HEAD, collectivity):
            raise PermissionDenied
        f6 = DecideForm(data, files, auto_id="id_decide_%s")
        return f6, lambda: services.request_decide_complaint(
            request=found,
            actor=user,
            decision=f6.cleaned_data["decision"],
            text=f6.cleaned_data["text"],
            files=f6.cleaned_data["attachments"],
        )
    return None


@staff_view(Perm.INFORMATION_HANDLE)  # outermost: an outsider gets 404, even on a GET
@require_POST
def staff_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    found = _staff_request(request, reference)
    acting = _staff_act(request, found, action)
    if acting is None:
        raise Http404
    form, call = acting
    status = 400
    if form.is_valid():
        try:
            call()
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Done. The requester has been told by e-mail."))
            return redirect(
                "information-staff:detail", slug=found.collectivity.slug, reference=reference
            )
    found.refresh_from_db()
    return _staff_detail_render(request, found, status=status, **{action: form})


@staff_view(Perm.MEMBERS_MANAGE)
def staff_settings(request: HttpRequest) -> HttpResponse:
    """The collectivity's CNDP authorisation, information desk and clock rule."""
    collectivity: Collectivity = request.collectivity  # type: ignore[attr-defined]
    instance = InformationSettings.objects.filter(collectivity=collectivity).first()
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        services.information_settings_save(
            collectivity=collectivity, actor=user, data=form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return redirect(reverse("information-staff:settings", kwargs={"slug": collectivity.slug}))
    return render(
        request,
        "information/staff/settings.html",
        {"collectivity": collectivity, "form": form},
        status=400 if request.method == "POST" else 200,
    )
