"""Pages of access to information: filing, the requester's follow-up, the public register
and the officers' staff pages."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.forms import TextForm
from infitah.cases.recovery import RECOVERY_LIMIT as RECOVERY_LIMIT
from infitah.cases.recovery import RecoveryPage, recovery_view
from infitah.cases.selectors import case_deadlines
from infitah.cases.views import CasePage, PageAction, form_errors, list_filter, text_action
from infitah.idempotency.submissions import submission_result, submitted_once
from infitah.information import pdf, selectors, services
from infitah.information.forms import (
    AnswerForm,
    DecideForm,
    ExtendForm,
    RecoverForm,
    RefuseForm,
    RequestForm,
    SettingsForm,
    TransferForm,
)
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.process import PROCESS
from infitah.information.services import PAGE_CACHE_NAMESPACE, TransitionNotAllowed
from infitah.information.workflow import NOT_PUBLIC, Action, Status
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


@submitted_once
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
            form_errors(form, exc)
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
            return submission_result(redirect("information:track", token=token))
    status = 200 if request.method == "GET" else (409 if not accepting else 400)
    return render(
        request,
        "information/file.html",
        {"collectivity": collectivity, "info": info, "accepting": accepting, "form": form},
        status=status,
    )


class DeadLink(Http404):
    """No request has this secret link (mistyped, or replaced by a new one)."""


def _tracked_or_404(token: str) -> InformationRequest:
    found = services.request_by_token(token)
    if found is None:
        raise DeadLink
    return found


def _dead_link_answered(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A secret-link view that answers a dead link with a page (404) pointing to the
    recovery of a new link, instead of the bare "not found"."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except DeadLink:
            return private(render(request, "information/track_invalid.html", status=404))

    return wrapped


def _complainable(found: InformationRequest) -> bool:
    window_end = selectors.complaint_window_end(found)
    today = timezone.localdate()
    return (
        window_end is not None
        and today <= window_end
        and (not found.is_open or found.is_deemed_refused(today))
    )


# The requester's actions on the follow-up page (behind the secret link).
REQUESTER_ACTIONS = {
    "reply": text_action(
        TextForm,
        gettext_lazy("Your clarification"),
        Action.REPLY,
        lambda case, user, text: services.request_reply(request=case, text=text),
    ),
    "complain": text_action(
        TextForm,
        gettext_lazy("Your complaint"),
        Action.COMPLAIN,
        lambda case, user, text: services.request_complain(request=case, text=text),
        available=_complainable,
    ),
    "withdraw": text_action(
        TextForm,
        gettext_lazy("Reason (optional)"),
        Action.WITHDRAW,
        lambda case, user, text: services.request_withdraw(request=case, text=text),
        required=False,
    ),
}


def _track_draw(
    request: HttpRequest,
    found: InformationRequest,
    status: int,
    bound: dict[str, Form],
    *,
    token: str,
) -> HttpResponse:
    today = timezone.localdate()
    forms = TRACK.forms(found, bound)
    can = TRACK.availability(found)
    context = {
        "req": found,
        "collectivity": found.collectivity,
        "token": token,
        "deemed_refused": found.is_deemed_refused(today),
        "messages_list": selectors.request_messages(request=found),
        "deadlines": case_deadlines(found),
        "window_end": selectors.complaint_window_end(found),
        "can_complain": can["complain"],
        "can_reply": can["reply"],
        "can_withdraw": can["withdraw"],
        "appeal": selectors.appeal_path(request=found),
        "reply_form": forms["reply"],
        "complain_form": forms["complain"],
        "withdraw_form": forms["withdraw"],
    }
    return render(request, "information/track.html", context, status=status)


# The requester's follow-up page, behind the secret link of their e-mails.
TRACK = CasePage(
    PROCESS,
    REQUESTER_ACTIONS,
    find=lambda request, token: _tracked_or_404(token),
    draw=_track_draw,
    back=lambda request, found, token: reverse("information:track", kwargs={"token": token}),
    done=gettext_lazy("Done. The collectivity has been told."),
    private=True,
)


track = _dead_link_answered(TRACK.view)
# The requester's actions: reply to a clarification, complain, withdraw.
track_action = _dead_link_answered(TRACK.action_view)


def _recovery_told() -> str:
    """The one answer to every attempt: it tells nothing of whether anything matched."""
    return _(
        "If this reference and this e-mail address or phone number belong to the same "
        "request, a new follow-up link has been sent to the e-mail address given with it, "
        "and by SMS to its phone number if it has one; the previous link no longer works."
    )


# Ask for a new follow-up link: the reference and the e-mail address or phone number
# given with the request. The page answers the same whether they match or not.
recover = recovery_view(
    RecoveryPage(
        namespace="information",
        form=RecoverForm,
        template="information/recover.html",
        told=_recovery_told,
        renew=lambda data: services.request_link_renew(
            reference=data["reference"], contact=data["contact"]
        ),
    )
)


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
@_dead_link_answered
def receipt(request: HttpRequest, token: str) -> HttpResponseBase:
    found = _tracked_or_404(token)
    try:
        data = pdf.receipt_pdf(found)
    except PdfUnavailable:
        return _pdf_unavailable(request, token)
    return _pdf_response(data, f"{found.reference}-receipt.pdf")


@never_cache
@_dead_link_answered
def case_file(request: HttpRequest, token: str) -> HttpResponseBase:
    found = _tracked_or_404(token)
    language = "fr" if (request.LANGUAGE_CODE or "ar").startswith("fr") else "ar"
    try:
        data = pdf.case_file_pdf(found, language=language)
    except PdfUnavailable:
        return _pdf_unavailable(request, token)
    return _pdf_response(data, f"{found.reference}-file.pdf")


@never_cache
@_dead_link_answered
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
    identity; the requests kept private by their requesters are not in it."""
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
                    r.subject,
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
            "events": selectors.request_events(request=found, public=True),
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
    state = list_filter(request, selectors.STAFF_FILTERS)
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


def _extendable(found: InformationRequest) -> bool:
    return (
        not found.is_extended
        and found.due_date is not None
        and found.due_date >= timezone.localdate()
    )


# The officers' actions on a request (and the head's decision on a complaint).
STAFF_ACTIONS = {
    "clarify": PageAction(
        form=lambda case, data, files: TextForm(
            data, label=gettext_lazy("Question to the requester"), auto_id="id_clarify_%s"
        ),
        call=lambda case, user, form: services.request_clarify(
            request=case, actor=user, text=form.cleaned_data["text"]
        ),
        step=Action.CLARIFY,
    ),
    "extend": PageAction(
        form=lambda case, data, files: ExtendForm(data, auto_id="id_extend_%s"),
        call=lambda case, user, form: services.request_extend(
            request=case, actor=user, reasons=form.cleaned_data["reasons"]
        ),
        step=Action.EXTEND,
        available=_extendable,
    ),
    "answer": PageAction(
        form=lambda case, data, files: AnswerForm(
            data, files, collectivity=case.collectivity, auto_id="id_answer_%s"
        ),
        call=lambda case, user, form: services.request_answer(
            request=case,
            actor=user,
            text=form.cleaned_data["text"],
            partial=form.cleaned_data["partial"],
            files=form.cleaned_data["attachments"],
            document=form.cleaned_data["document"],
            link=form.cleaned_data["link"],
            personal=form.cleaned_data["personal"],
        ),
        step=Action.ANSWER,
    ),
    "refuse": PageAction(
        form=lambda case, data, files: RefuseForm(
            data, collectivity=case.collectivity, auto_id="id_refuse_%s"
        ),
        call=lambda case, user, form: services.request_refuse(
            request=case,
            actor=user,
            reasons=form.cleaned_data["reasons"],
            reasoning=form.cleaned_data["reasoning"],
            document=form.cleaned_data["document"],
            link=form.cleaned_data["link"],
        ),
        step=Action.REFUSE,
    ),
    "transfer": PageAction(
        form=lambda case, data, files: TransferForm(
            data, collectivity=case.collectivity, auto_id="id_transfer_%s"
        ),
        call=lambda case, user, form: services.request_transfer(
            request=case, actor=user, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
        ),
        step=Action.TRANSFER,
    ),
    "decide": PageAction(
        form=lambda case, data, files: DecideForm(data, files, auto_id="id_decide_%s"),
        call=lambda case, user, form: services.request_decide_complaint(
            request=case,
            actor=user,
            decision=form.cleaned_data["decision"],
            text=form.cleaned_data["text"],
            files=form.cleaned_data["attachments"],
        ),
        step=Action.DECIDE_COMPLAINT,
        perm=Perm.INFORMATION_HEAD,
    ),
}


def _staff_draw(
    request: HttpRequest, found: InformationRequest, status: int, bound: dict[str, Form], **url: Any
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "collectivity": found.collectivity,
        "req": found,
        "deemed_refused": found.is_deemed_refused(),
        "messages_list": selectors.request_messages(request=found),
        "events": selectors.request_events(request=found),
        "deadlines": case_deadlines(found),
        "same_requester": selectors.same_requester_count(request=found),
        "forms": STAFF_PAGE.forms(found, bound),
        "actions": STAFF_PAGE.availability(found, user),
    }
    return render(request, "information/staff/detail.html", context, status=status)


# The officers' page of a request.
STAFF_PAGE = CasePage(
    PROCESS,
    STAFF_ACTIONS,
    find=_staff_request,
    draw=_staff_draw,
    back=lambda request, found, **url: reverse(
        "information-staff:detail",
        kwargs={"slug": found.collectivity.slug, "reference": found.reference},
    ),
    done=gettext_lazy("Done. The requester has been told by e-mail."),
)


staff_detail = staff_view(Perm.INFORMATION_HANDLE)(STAFF_PAGE.view)
# staff_view outermost: an outsider gets 404, even on a GET.
staff_action = staff_view(Perm.INFORMATION_HANDLE)(STAFF_PAGE.action_view)


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
