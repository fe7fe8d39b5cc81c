"""Pages of complaints, observations and suggestions: submission, the citizen's follow-up,
the public account, and the complaints unit's staff pages."""

from __future__ import annotations

from collections.abc import Callable
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
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.complaints import selectors, services
from infitah.complaints.forms import (
    AnswerForm,
    CategoryForm,
    ExplanationForm,
    MergeForm,
    RateForm,
    RouteForm,
    SettingsForm,
    SubmitForm,
    TextForm,
    add_service_errors,
)
from infitah.complaints.models import Category, Complaint, ComplaintSettings, StateExplanation
from infitah.complaints.services import PAGE_CACHE_NAMESPACE, TransitionNotAllowed
from infitah.complaints.workflow import OPEN, Action, Status, is_allowed
from infitah.deadlines.selectors import deadline_list_for_subject
from infitah.lib.casework import private
from infitah.lib.pagecache import cached_public_page
from infitah.lib.pii import pii_decrypt
from infitah.territories.selectors import network_collectivity_or_404 as _collectivity_or_404

PAGE_SIZE = 20


def _subject(complaint: Complaint) -> dict[str, str]:
    return {"subject_type": Complaint._meta.label_lower, "subject_id": str(complaint.pk)}


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
            return redirect("complaints:track", token=token)
    return render(
        request,
        "complaints/submit.html",
        {"collectivity": collectivity, "form": form},
        status=200 if request.method == "GET" else 400,
    )


def _tracked_or_404(token: str) -> Complaint:
    found = services.complaint_by_token(token)
    if found is None:
        raise Http404
    return found


def _track_context(found: Complaint, token: str, **forms: Form) -> dict[str, Any]:
    today = timezone.localdate()
    until = services.reopen_until(found)
    return {
        "complaint": found,
        "collectivity": found.collectivity,
        "token": token,
        "explanation": selectors.explanations(collectivity=found.collectivity).get(
            found.status, ""
        ),
        "messages_list": selectors.complaint_messages(complaint=found),
        "attachments": list(found.attachments.all()),
        "deadlines": deadline_list_for_subject(**_subject(found)),
        "reopen_until": until,
        "can_reply": is_allowed(found.status, Action.REPLY),
        "can_rate": is_allowed(found.status, Action.RATE),
        "can_reopen": is_allowed(found.status, Action.REOPEN)
        and until is not None
        and today <= until,
        "reply_form": forms.get("reply_form")
        or TextForm(label=_("The information asked for"), auto_id="id_reply_%s"),
        "rate_form": forms.get("rate_form") or RateForm(auto_id="id_rate_%s"),
        "reopen_form": forms.get("reopen_form")
        or TextForm(label=_("Why the answer does not settle it"), auto_id="id_reopen_%s"),
    }


@never_cache
def track(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen's follow-up page, behind the secret link."""
    found = _tracked_or_404(token)
    return private(render(request, "complaints/track.html", _track_context(found, token)))


def _citizen_act(found: Complaint, action: str, data: Any) -> tuple[Form, Callable[[], Any]] | None:
    """The bound form of the citizen's `action` and the service call it leads to."""
    if action == "reply":
        f1 = TextForm(data, label=_("The information asked for"), auto_id="id_reply_%s")
        return f1, lambda: services.complaint_reply(complaint=found, text=f1.cleaned_data["text"])
    if action == "rate":
        f2 = RateForm(data, auto_id="id_rate_%s")
        return f2, lambda: services.complaint_rate(
            complaint=found, satisfaction=f2.cleaned_data["satisfaction"]
        )
    if action == "reopen":
        f3 = TextForm(data, label=_("Why the answer does not settle it"), auto_id="id_reopen_%s")
        return f3, lambda: services.complaint_reopen(complaint=found, text=f3.cleaned_data["text"])
    return None


@require_POST
def track_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    """The citizen's actions: reply to a question, rate the answer, reopen once."""
    found = _tracked_or_404(token)
    acting = _citizen_act(found, action, request.POST)
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
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done. The collectivity has been told."))
            return private(redirect("complaints:track", token=token))
    found.refresh_from_db()
    context = _track_context(found, token, **{f"{action}_form": form})
    return private(render(request, "complaints/track.html", context, status=status))


@never_cache
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
    state = request.GET.get("state", "open")
    if state not in selectors.STAFF_FILTERS:
        state = "open"
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


def _staff_forms(found: Complaint, **bound: Form) -> dict[str, Form]:
    collectivity = found.collectivity
    publish = services.complaint_settings_get(collectivity).publish_answered
    return {
        "route": bound.get("route") or RouteForm(collectivity=collectivity, auto_id="id_route_%s"),
        "ask_info": bound.get("ask_info")
        or TextForm(label=_("Question to the citizen"), auto_id="id_ask_info_%s"),
        "answer": bound.get("answer")
        or AnswerForm(initial={"publish": publish}, auto_id="id_answer_%s"),
        "merge": bound.get("merge") or MergeForm(auto_id="id_merge_%s"),
        "acknowledge": bound.get("acknowledge") or Form(),
        "close": bound.get("close") or Form(),
    }


def _staff_detail_render(
    request: HttpRequest, found: Complaint, *, status: int = 200, **bound: Form
) -> HttpResponse:
    today = timezone.localdate()
    actions = {a.value: is_allowed(found.status, a) for a in STAFF_ACTIONS.values()}
    return render(
        request,
        "complaints/staff/detail.html",
        {
            "collectivity": found.collectivity,
            "complaint": found,
            "today": today,
            "attachments": list(found.attachments.all()),
            "messages_list": selectors.complaint_messages(complaint=found),
            "events": selectors.complaint_events(complaint=found),
            "deadlines": deadline_list_for_subject(**_subject(found)),
            "duplicates": selectors.duplicate_list(complaint=found) if actions["merge"] else [],
            "merged": list(found.merged.only("reference", "status")),
            "reopen_until": services.reopen_until(found),
            "forms": _staff_forms(found, **bound),
            "actions": actions,
        },
        status=status,
    )


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _staff_detail_render(request, _staff_complaint(request, reference))


@staff_view(Perm.COMPLAINTS_HANDLE)
def staff_attachment(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    found = _staff_complaint(request, reference)
    item = found.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
    return private(response)  # type: ignore[return-value]


# URL segment → workflow action.
STAFF_ACTIONS = {
    "acknowledge": Action.ACKNOWLEDGE,
    "route": Action.ROUTE,
    "ask_info": Action.ASK_INFO,
    "answer": Action.ANSWER,
    "close": Action.CLOSE,
    "merge": Action.MERGE,
}


def _staff_act(
    request: HttpRequest, found: Complaint, action: str
) -> tuple[Form, Callable[[], Any]] | None:
    """The bound form of `action` and the service call it leads to (None: unknown)."""
    user = _user(request)
    data = request.POST
    if action == "acknowledge":
        f0 = Form(data)
        return f0, lambda: services.complaint_acknowledge(complaint=found, actor=user)
    if action == "route":
        f1 = RouteForm(data, collectivity=found.collectivity, auto_id="id_route_%s")
        return f1, lambda: services.complaint_route(
            complaint=found, actor=user, service=f1.cleaned_data["service"]
        )
    if action == "ask_info":
        f2 = TextForm(data, label=_("Question to the citizen"), auto_id="id_ask_info_%s")
        return f2, lambda: services.complaint_ask_info(
            complaint=found, actor=user, text=f2.cleaned_data["text"]
        )
    if action == "answer":
        f3 = AnswerForm(data, auto_id="id_answer_%s")
        return f3, lambda: services.complaint_answer(
            complaint=found,
            actor=user,
            outcome=f3.cleaned_data["outcome"],
            text=f3.cleaned_data["text"],
            competent_body=f3.cleaned_data["competent_body"],
            publish=f3.cleaned_data["publish"],
        )
    if action == "close":
        f4 = Form(data)
        return f4, lambda: services.complaint_close(complaint=found, actor=user)
    if action == "merge":
        f5 = MergeForm(data, auto_id="id_merge_%s")

        def merge() -> Complaint:
            into = selectors.staff_complaint_get(
                collectivity=found.collectivity, reference=f5.cleaned_data["into"].strip()
            )
            if into is None:
                raise ValidationError({"into": _("No complaint of this collectivity has it.")})
            return services.complaint_merge(complaint=found, actor=user, into=into)

        return f5, merge
    return None


@staff_view(Perm.COMPLAINTS_HANDLE)
@require_POST
def staff_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    found = _staff_complaint(request, reference)
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
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect(
                "complaints-staff:detail", slug=found.collectivity.slug, reference=reference
            )
    found.refresh_from_db()
    return _staff_detail_render(request, found, status=status, **{action: form})


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
