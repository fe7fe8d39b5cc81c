"""Pages of complaints, observations and suggestions: submission, the citizen's follow-up,
the public account, and the complaints unit's staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.forms import TextForm
from infitah.cases.recovery import RECOVERY_LIMIT as RECOVERY_LIMIT
from infitah.cases.recovery import RecoveryPage, recovery_view
from infitah.cases.selectors import case_deadlines
from infitah.cases.views import CasePage, PageAction, list_filter, text_action
from infitah.complaints import pdf, selectors, services
from infitah.complaints.forms import (
    AnswerForm,
    CategoryForm,
    ExplanationForm,
    MergeForm,
    RateForm,
    RecoverForm,
    RouteForm,
    SettingsForm,
    SubmitForm,
    add_service_errors,
)
from infitah.complaints.models import Category, Complaint, ComplaintSettings, StateExplanation
from infitah.complaints.process import PROCESS
from infitah.complaints.services import PAGE_CACHE_NAMESPACE, TransitionNotAllowed
from infitah.complaints.workflow import OPEN, Action, Status
from infitah.idempotency.submissions import submission_result, submitted_once
from infitah.lib.casework import private
from infitah.lib.pagecache import cached_public_page
from infitah.lib.pdf import PdfUnavailable
from infitah.lib.pii import pii_decrypt
from infitah.territories.selectors import network_collectivity_or_404 as _collectivity_or_404

PAGE_SIZE = 20


# --------------------------------------------------------------------------- public


@cached_public_page(PAGE_CACHE_NAMESPACE)
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's complaints page: how to submit, what each state means, its
    statistics and the anonymised answers it publishes."""
    collectivity = _collectivity_or_404(slug)
    page = Paginator(selectors.published_answers(collectivity=collectivity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    explained = selectors.explanations(collectivity=collectivity)
    return render(
        request,
        "complaints/home.html",
        {
            "collectivity": collectivity,
            "stats": selectors.statistics(collectivity=collectivity),
            "page": page,
            "explanations": [
                (label, explained[value]) for value, label in Status.choices if value in explained
            ],
        },
    )


@submitted_once
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """The submission form; a submitted complaint lands on its follow-up page."""
    collectivity = _collectivity_or_404(slug)
    form = SubmitForm(request.POST or None, request.FILES or None, collectivity=collectivity)
    if request.method == "POST" and form.is_valid() and form.complaint_input is not None:
        try:
            complaint, token = services.complaint_submit(
                collectivity=collectivity,
                data=form.complaint_input,
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if complaint.status == Status.AWAITING_CONFIRMATION:
                text = _(
                    "Your message %(reference)s is registered. Open the link we sent to "
                    "%(email)s and confirm your address: it is received then. Keep this "
                    "page's address: it is your private link to follow it."
                ) % {"reference": complaint.reference, "email": complaint.email}
            else:
                text = _(
                    "Your message %(reference)s is received. Keep this page's address: it is "
                    "your private link to follow it."
                ) % {"reference": complaint.reference}
            messages.success(request, text)
            return submission_result(redirect("complaints:track", token=token))
    return render(
        request,
        "complaints/submit.html",
        {"collectivity": collectivity, "form": form},
        status=200 if request.method == "GET" else 400,
    )


class DeadLink(Http404):
    """No complaint has this secret link (mistyped, or replaced by a new one)."""


def _tracked_or_404(token: str) -> Complaint:
    found = services.complaint_by_token(token)
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
            return private(render(request, "complaints/track_invalid.html", status=404))

    return wrapped


def _reopenable(found: Complaint) -> bool:
    until = services.reopen_until(found)
    return until is not None and timezone.localdate() <= until


# The citizen's actions on the follow-up page (behind the secret link).
CITIZEN_ACTIONS = {
    "reply": text_action(
        TextForm,
        gettext_lazy("The information asked for"),
        Action.REPLY,
        lambda case, user, text: services.complaint_reply(complaint=case, text=text),
    ),
    "rate": PageAction(
        form=lambda case, data, files: RateForm(data, auto_id="id_rate_%s"),
        call=lambda case, user, form: services.complaint_rate(
            complaint=case, satisfaction=form.cleaned_data["satisfaction"]
        ),
        step=Action.RATE,
    ),
    "reopen": text_action(
        TextForm,
        gettext_lazy("Why the answer does not settle it"),
        Action.REOPEN,
        lambda case, user, text: services.complaint_reopen(complaint=case, text=text),
        available=_reopenable,
    ),
}


def _track_draw(
    request: HttpRequest, found: Complaint, status: int, bound: dict[str, Form], *, token: str
) -> HttpResponse:
    forms = TRACK.forms(found, bound)
    can = TRACK.availability(found)
    context = {
        "complaint": found,
        "collectivity": found.collectivity,
        "token": token,
        "explanation": selectors.explanations(collectivity=found.collectivity).get(
            found.status, ""
        ),
        "messages_list": selectors.complaint_messages(complaint=found),
        "attachments": list(found.attachments.all()),
        "deadlines": case_deadlines(found),
        "reopen_until": services.reopen_until(found),
        "can_reply": can["reply"],
        "can_rate": can["rate"],
        "can_reopen": can["reopen"],
        "reply_form": forms["reply"],
        "rate_form": forms["rate"],
        "reopen_form": forms["reopen"],
    }
    return render(request, "complaints/track.html", context, status=status)


# The citizen's follow-up page, behind the secret link of their e-mails.
TRACK = CasePage(
    PROCESS,
    CITIZEN_ACTIONS,
    find=lambda request, token: _tracked_or_404(token),
    draw=_track_draw,
    back=lambda request, found, token: reverse("complaints:track", kwargs={"token": token}),
    done=gettext_lazy("Done. The collectivity has been told."),
    private=True,
)


track = _dead_link_answered(TRACK.view)
# The citizen's actions: reply to a question, rate the answer, reopen once.
track_action = _dead_link_answered(TRACK.action_view)


@never_cache
@_dead_link_answered
def receipt(request: HttpRequest, token: str) -> HttpResponseBase:
    """The bilingual receipt (PDF), behind the secret link only."""
    found = _tracked_or_404(token)
    try:
        data = pdf.receipt_pdf(found)
    except PdfUnavailable:
        messages.error(
            request,
            _("PDF files cannot be made on this server at the moment. Please try again later."),
        )
        return private(redirect("complaints:track", token=token))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}-receipt.pdf"'
    return private(response)


def _recovery_told() -> str:
    """The one answer to every attempt: it tells nothing of whether anything matched."""
    return _(
        "If this reference and this e-mail address or phone number belong to the same "
        "message, a new follow-up link has been sent to the e-mail address given with it, "
        "or by SMS to its phone number if it has no e-mail address; the previous link no "
        "longer works."
    )


# Ask for a new follow-up link: the reference and the e-mail address or phone number
# given with the message. The page answers the same whether they match or not.
recover = recovery_view(
    RecoveryPage(
        namespace="complaints",
        form=RecoverForm,
        template="complaints/recover.html",
        told=_recovery_told,
        renew=lambda data: services.complaint_link_renew(
            reference=data["reference"], contact=data["contact"]
        ),
    )
)


@never_cache
@_dead_link_answered
def attachment(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    """A file the citizen gave, for the citizen (behind the secret link only)."""
    found = _tracked_or_404(token)
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    return private(FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name))


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page the confirmation e-mail links to: a GET shows a button, only a POST confirms
    (mail scanners open links; they do not submit forms)."""
    found = services.complaint_by_confirm_token(token)
    if request.method == "POST":
        if found is None:
            raise Http404
        try:
            services.complaint_confirm(complaint=found)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Thank you: your message %(reference)s is received.")
                % {"reference": found.reference},
            )
        tracking = pii_decrypt(found.tracking_token_encrypted)
        return private(redirect("complaints:track", token=tracking))
    return private(
        render(
            request,
            "complaints/confirm.html",
            {"complaint": found},
            status=200 if found is not None else 404,
        )
    )


# ---------------------------------------------------------------------------- staff


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    state = list_filter(request, selectors.STAFF_FILTERS)
    today = timezone.localdate()
    rows = selectors.staff_complaint_list(collectivity=collectivity, state=state)
    return render(
        request,
        "complaints/staff/list.html",
        {
            "collectivity": collectivity,
            "rows": [
                (
                    c,
                    c.acknowledged_on is None
                    and c.status in OPEN
                    and c.acknowledge_by is not None
                    and c.acknowledge_by < today,
                    c.status in OPEN and c.answer_by is not None and c.answer_by < today,
                )
                for c in rows
            ],
            "state": state,
            "states": list(selectors.STAFF_FILTERS),
            "can_configure": has_perm(_user(request), Perm.MEMBERS_MANAGE, collectivity),
        },
    )


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity = _collectivity(request)
    reference = (
        Complaint.objects.filter(collectivity=collectivity, pk=pk)
        .values_list("reference", flat=True)
        .first()
    )
    if reference is None:
        raise Http404
    return redirect("complaints-staff:detail", slug=collectivity.slug, reference=reference)


def _staff_complaint(request: HttpRequest, reference: str) -> Complaint:
    found = selectors.staff_complaint_get(collectivity=_collectivity(request), reference=reference)
    if found is None:
        raise Http404
    return found


def _merge(case: Complaint, user: Any, form: Form) -> Complaint:
    into = selectors.staff_complaint_get(
        collectivity=case.collectivity, reference=form.cleaned_data["into"].strip()
    )
    if into is None:
        raise ValidationError({"into": _("No complaint of this collectivity has it.")})
    return services.complaint_merge(complaint=case, actor=user, into=into)


def _answer_form(case: Complaint, data: Any, files: Any) -> Form:
    publish = services.complaint_settings_get(case.collectivity).publish_answered
    return AnswerForm(data, initial={"publish": publish}, auto_id="id_answer_%s")


# The complaints unit's actions on a complaint.
STAFF_ACTIONS = {
    "acknowledge": PageAction(
        form=lambda case, data, files: Form(data),
        call=lambda case, user, form: services.complaint_acknowledge(complaint=case, actor=user),
        step=Action.ACKNOWLEDGE,
    ),
    "route": PageAction(
        form=lambda case, data, files: RouteForm(
            data, collectivity=case.collectivity, auto_id="id_route_%s"
        ),
        call=lambda case, user, form: services.complaint_route(
            complaint=case, actor=user, service=form.cleaned_data["service"]
        ),
        step=Action.ROUTE,
    ),
    "ask_info": text_action(
        TextForm,
        gettext_lazy("Question to the citizen"),
        Action.ASK_INFO,
        lambda case, user, text: services.complaint_ask_info(complaint=case, actor=user, text=text),
    ),
    "answer": PageAction(
        form=_answer_form,
        call=lambda case, user, form: services.complaint_answer(
            complaint=case,
            actor=user,
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
            competent_body=form.cleaned_data["competent_body"],
            publish=form.cleaned_data["publish"],
        ),
        step=Action.ANSWER,
    ),
    "close": PageAction(
        form=lambda case, data, files: Form(data),
        call=lambda case, user, form: services.complaint_close(complaint=case, actor=user),
        step=Action.CLOSE,
    ),
    "merge": PageAction(
        form=lambda case, data, files: MergeForm(data, auto_id="id_merge_%s"),
        call=_merge,
        step=Action.MERGE,
    ),
}


def _staff_draw(
    request: HttpRequest, found: Complaint, status: int, bound: dict[str, Form], **url: Any
) -> HttpResponse:
    actions = STAFF_PAGE.availability(found, _user(request))
    context = {
        "collectivity": found.collectivity,
        "complaint": found,
        "today": timezone.localdate(),
        "attachments": [
            (a, a.content_type in PREVIEW_TYPES.values()) for a in found.attachments.all()
        ],
        "messages_list": selectors.complaint_messages(complaint=found),
        "events": selectors.complaint_events(complaint=found),
        "deadlines": case_deadlines(found),
        "duplicates": selectors.duplicate_list(complaint=found) if actions["merge"] else [],
        "merged": list(found.merged.only("reference", "status")),
        "reopen_until": services.reopen_until(found),
        "forms": STAFF_PAGE.forms(found, bound),
        "actions": actions,
    }
    return render(request, "complaints/staff/detail.html", context, status=status)


# The complaints unit's page of a complaint.
STAFF_PAGE = CasePage(
    PROCESS,
    STAFF_ACTIONS,
    find=_staff_complaint,
    draw=_staff_draw,
    back=lambda request, found, **url: reverse(
        "complaints-staff:detail",
        kwargs={"slug": found.collectivity.slug, "reference": found.reference},
    ),
)


staff_detail = staff_view(Perm.COMPLAINTS_HANDLE)(STAFF_PAGE.view)


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    found = _staff_complaint(request, reference)
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
    return private(response)  # type: ignore[return-value]


# The images a browser may show inline: their content type, by the magic bytes.
PREVIEW_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_type(head: bytes) -> str | None:
    """ "jpeg", "png" or "webp" when the first bytes of a file are those of such an image
    (as `infitah.lib.uploads` checks uploads by content), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_preview(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A photo of a complaint, for the unit's page to show (staff of its collectivity
    only: 404 for anyone else). Shown inline only when its bytes are a JPEG, PNG or WebP
    image, with that content type and `nosniff`; any other file is a download. Never
    stored by a shared cache (private, no-store)."""
    found = _staff_complaint(request, reference)
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    handle = item.file.open("rb")
    kind = image_type(handle.read(16))
    handle.seek(0)
    if kind is None:
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=item.name,
            content_type="application/octet-stream",
        )
    else:
        response = FileResponse(handle, filename=item.name, content_type=PREVIEW_TYPES[kind])
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
    return private(response)  # type: ignore[return-value]


# staff_view outermost: an outsider gets 404, even on a GET.
staff_action = staff_view(Perm.COMPLAINTS_HANDLE)(STAFF_PAGE.action_view)


def _settings_render(
    request: HttpRequest,
    *,
    status: int = 200,
    settings_form: SettingsForm | None = None,
    new_category: CategoryForm | None = None,
    bound_category: tuple[int, CategoryForm] | None = None,
    bound_explanation: ExplanationForm | None = None,
) -> HttpResponse:
    collectivity = _collectivity(request)
    instance = ComplaintSettings.objects.filter(collectivity=collectivity).first()
    categories = []
    for category in selectors.category_list(collectivity=collectivity, active_only=False):
        form = (
            bound_category[1]
            if bound_category and bound_category[0] == category.pk
            else CategoryForm(
                initial=CategoryForm.initial_of(category),
                collectivity=collectivity,
                auto_id=f"id_category_{category.pk}_%s",
            )
        )
        categories.append((category, form))
    stored = {e.status: e for e in StateExplanation.objects.filter(collectivity=collectivity)}
    explanations = []
    for value, label in Status.choices:
        if bound_explanation is not None and bound_explanation.data.get("status") == value:
            explanations.append((label, bound_explanation))
            continue
        found = stored.get(value)
        initial = {"status": value}
        if found is not None:
            initial.update(text_ar=found.text_ar, text_fr=found.text_fr)
        explanations.append(
            (label, ExplanationForm(initial=initial, auto_id=f"id_explanation_{value}_%s"))
        )
    return render(
        request,
        "complaints/staff/settings.html",
        {
            "collectivity": collectivity,
            "form": settings_form
            or SettingsForm(instance=instance, collectivity=collectivity, auto_id="id_settings_%s"),
            "new_category": new_category
            or CategoryForm(collectivity=collectivity, auto_id="id_new_category_%s"),
            "categories": categories,
            "explanations": explanations,
        },
        status=status,
    )


def _saved(request: HttpRequest) -> HttpResponse:
    messages.success(request, _("Saved."))
    slug = _collectivity(request).slug
    return redirect(reverse("complaints-staff:settings", kwargs={"slug": slug}))


@staff_view(Perm.MEMBERS_MANAGE)
def staff_settings(request: HttpRequest) -> HttpResponse:
    """The complaints unit, the reopening window, publication; categories; explanations."""
    collectivity = _collectivity(request)
    if request.method != "POST":
        return _settings_render(request)
    instance = ComplaintSettings.objects.filter(collectivity=collectivity).first()
    form = SettingsForm(
        request.POST, instance=instance, collectivity=collectivity, auto_id="id_settings_%s"
    )
    if form.is_valid():
        try:
            services.complaint_settings_save(
                collectivity=collectivity, actor=_user(request), data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request)
    return _settings_render(request, status=400, settings_form=form)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def staff_category_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a category (no pk) or change one."""
    collectivity = _collectivity(request)
    category = None
    if pk is not None:
        category = Category.objects.filter(collectivity=collectivity, pk=pk).first()
        if category is None:
            raise Http404
    prefix = f"id_category_{pk}_%s" if pk is not None else "id_new_category_%s"
    form = CategoryForm(request.POST, collectivity=collectivity, auto_id=prefix)
    if form.is_valid():
        try:
            services.category_save(
                collectivity=collectivity,
                actor=_user(request),
                name_ar=form.cleaned_data["name_ar"],
                name_fr=form.cleaned_data["name_fr"],
                service=form.cleaned_data["service"],
                category=category,
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request)
    if pk is None:
        return _settings_render(request, status=400, new_category=form)
    return _settings_render(request, status=400, bound_category=(pk, form))


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def staff_explanation_save(request: HttpRequest) -> HttpResponse:
    """What the collectivity tells citizens one state means."""
    collectivity = _collectivity(request)
    value = request.POST.get("status", "")
    value = value if value in Status.values else "unknown"
    form = ExplanationForm(request.POST, auto_id=f"id_explanation_{value}_%s")
    if form.is_valid():
        try:
            services.explanation_save(
                collectivity=collectivity,
                actor=_user(request),
                status=form.cleaned_data["status"],
                text_ar=form.cleaned_data["text_ar"],
                text_fr=form.cleaned_data["text_fr"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request)
    return _settings_render(request, status=400, bound_explanation=form)
