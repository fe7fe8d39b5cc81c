"""Pages of public consultations: the public list and page of a consultation (comments,
replies and stances of verified participants, as plain forms), and the staff pages
(consultations and sections, moderation, synthesis and responses, report)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.idempotency.submissions import submission_result, submitted_once
from infitah.lib.casework import private
from infitah.lib.pdf import PdfUnavailable
from infitah.participation.access import join_url
from infitah.participation.consultations import report, selectors, services
from infitah.participation.consultations.forms import (
    CommentForm,
    ConsultationForm,
    ModerateForm,
    SectionForm,
    StanceForm,
    SynthesisForm,
    add_service_errors,
)
from infitah.participation.consultations.models import Comment, Consultation, Section
from infitah.participation.consultations.services import NotAllowed
from infitah.participation.consultations.workflow import (
    TRANSITIONS,
    CommentStatus,
    Moderation,
    ModerationAction,
    Phase,
    is_allowed,
)
from infitah.participation.selectors import participant_from_request
from infitah.participation.selectors import public_space_or_404 as _collectivity_or_404
from infitah.participation.services import eligibility_refusal

# Threads shown under each section of a consultation's page; the section's own page
# lists them all, THREADS_PAGE at a time.
THREADS_PREVIEW = 5
THREADS_PAGE = 20


def _consultation_or_404(slug: str, pk: int) -> Consultation:
    found = selectors.consultation_get(collectivity=_collectivity_or_404(slug), pk=pk)
    if found is None:
        raise Http404
    return found


def _section_or_404(consultation: Consultation, pk: int) -> Section:
    found = selectors.section_get(consultation=consultation, pk=pk)
    if found is None:
        raise Http404
    return found


def _detail_url(consultation: Consultation, section: Section | None = None) -> str:
    url = reverse(
        "consultations:detail",
        kwargs={"slug": consultation.collectivity.slug, "pk": consultation.pk},
    )
    return f"{url}#section-{section.pk}" if section is not None else url


def _section_url(section: Section) -> str:
    consultation = section.consultation
    return reverse(
        "consultations:section",
        kwargs={
            "slug": consultation.collectivity.slug,
            "pk": consultation.pk,
            "section_pk": section.pk,
        },
    )


# --------------------------------------------------------------------------- public


@never_cache
def consultation_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's consultations: open ones (with the days left), upcoming, closed."""
    collectivity = _collectivity_or_404(slug)
    groups: dict[Phase, list[Consultation]] = {phase: [] for phase in Phase}
    for c in selectors.consultation_list(collectivity=collectivity):
        groups[c.phase()].append(c)
    groups[Phase.OPEN].sort(key=lambda c: c.closes_at)
    groups[Phase.UPCOMING].sort(key=lambda c: c.opens_at)
    return render(
        request,
        "consultations/list.html",
        {
            "collectivity": collectivity,
            "open": groups[Phase.OPEN],
            "upcoming": groups[Phase.UPCOMING],
            "closed": groups[Phase.CLOSED],
        },
    )


def _section_block(
    section: Section,
    threads: list[selectors.Thread],
    *,
    own: dict[int, list[Comment]],
    stances: dict[int, str],
    bound: tuple[int, CommentForm] | None,
    preview: int | None,
) -> dict[str, Any]:
    form = bound[1] if bound is not None and bound[0] == section.pk else None
    shown = threads if preview is None else threads[-preview:]
    return {
        "section": section,
        "threads": shown,
        "more": len(threads) - len(shown),
        "own": own.get(section.pk, []),
        "stance": stances.get(section.pk, ""),
        "form": form or CommentForm(auto_id=f"id_comment_{section.pk}_%s"),
    }


def _page_context(
    request: HttpRequest,
    consultation: Consultation,
    *,
    section: Section | None = None,
    bound: tuple[int, CommentForm] | None = None,
) -> dict[str, Any]:
    participant = participant_from_request(request)
    sections = selectors.section_list(consultation=consultation)
    if section is not None:
        sections = [s for s in sections if s.pk == section.pk]
    threads = selectors.published_threads(consultation=consultation, section=section)
    own = selectors.participant_pending(consultation=consultation, participant=participant)
    stances = selectors.participant_stances(consultation=consultation, participant=participant)
    phase = consultation.phase()
    published = consultation.is_synthesis_published
    show_synthesis = phase == Phase.CLOSED and published
    refusal = None
    if participant is not None and phase == Phase.OPEN:
        refusal = eligibility_refusal(audience=consultation.audience, participant=participant)
    return {
        "collectivity": consultation.collectivity,
        "consultation": consultation,
        "phase": phase.value,
        "participant": participant,
        "join_url": join_url(_detail_url(consultation)),
        "blocks": [
            _section_block(
                s,
                threads.get(s.pk, []),
                own=own,
                stances=stances,
                bound=bound,
                preview=THREADS_PREVIEW if section is None else None,
            )
            for s in sections
        ],
        "show_synthesis": show_synthesis,
        "is_pre_moderated": consultation.moderation == Moderation.PRE,
        # Who may take part, and whether this participant may (network items).
        "refusal": refusal,
        "may_take_part": participant is not None and refusal is None,
        "breakdown": (
            selectors.consultation_breakdown(consultation=consultation)
            if show_synthesis and section is None
            else None
        ),
    }


@never_cache
def consultation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A consultation: its sections with their counts, published comments and replies,
    the participant's stance buttons and comment forms; after closing, the synthesis
    and the responses."""
    consultation = _consultation_or_404(slug, pk)
    return render(request, "consultations/detail.html", _page_context(request, consultation))


@never_cache
def section_detail(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """One section and all its published comments, THREADS_PAGE at a time."""
    consultation = _consultation_or_404(slug, pk)
    section = _section_or_404(consultation, section_pk)
    context = _page_context(request, consultation, section=section)
    block = context["blocks"][0]
    page = Paginator(block["threads"], THREADS_PAGE).get_page(request.GET.get("page"))
    block["threads"], context["page"] = list(page.object_list), page
    return render(request, "consultations/section.html", context)


def _back(request: HttpRequest, section: Section) -> str:
    if request.POST.get("back") == "section":
        return _section_url(section) + f"#section-{section.pk}"
    return _detail_url(section.consultation, section)


def _refused(
    request: HttpRequest,
    consultation: Consultation,
    section: Section,
    *,
    status: int,
    form: CommentForm | None = None,
) -> HttpResponse:
    on_section = request.POST.get("back") == "section"
    bound = (section.pk, form) if form is not None else None
    context = _page_context(
        request, consultation, section=section if on_section else None, bound=bound
    )
    if on_section:
        page = Paginator(context["blocks"][0]["threads"], THREADS_PAGE).get_page(1)
        context["blocks"][0]["threads"], context["page"] = list(page.object_list), page
    template = "consultations/section.html" if on_section else "consultations/detail.html"
    return render(request, template, context, status=status)


@require_POST
@submitted_once
def comment_create(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """A verified participant comments on a section, or replies to a comment (`parent`)."""
    consultation = _consultation_or_404(slug, pk)
    section = _section_or_404(consultation, section_pk)
    participant = participant_from_request(request)
    if participant is None:
        return redirect(join_url(_detail_url(consultation, section)))
    form = CommentForm(request.POST, auto_id=f"id_comment_{section.pk}_%s")
    if not form.is_valid():
        return _refused(request, consultation, section, status=400, form=form)
    parent = None
    if form.cleaned_data["parent"]:
        parent = selectors.comment_get(consultation=consultation, pk=form.cleaned_data["parent"])
        if parent is None:
            form.add_error("parent", _("Reply to a published comment of this section."))
            return _refused(request, consultation, section, status=400, form=form)
    try:
        comment = services.comment_post(
            section=section, participant=participant, text=form.cleaned_data["text"], parent=parent
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _refused(request, consultation, section, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, consultation, section, status=400, form=form)
    if comment.status == CommentStatus.PUBLISHED:
        messages.success(request, _("Thank you: your comment is published."))
    else:
        messages.success(
            request,
            _("Thank you: your comment will be published once a moderator has approved it."),
        )
    return submission_result(redirect(_back(request, section)))


@require_POST
def stance_create(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """Support or oppose a section, change one's stance or withdraw it."""
    consultation = _consultation_or_404(slug, pk)
    section = _section_or_404(consultation, section_pk)
    participant = participant_from_request(request)
    if participant is None:
        return redirect(join_url(_detail_url(consultation, section)))
    form = StanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to support or to oppose."))
        return _refused(request, consultation, section, status=400)
    try:
        services.stance_set(
            section=section, participant=participant, value=form.cleaned_data["value"]
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _refused(request, consultation, section, status=409)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _refused(request, consultation, section, status=400)
    messages.success(request, _("Your stance is recorded."))
    return redirect(_back(request, section))


# ---------------------------------------------------------------------------- staff


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    found = selectors.consultation_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _staff_detail_url(consultation: Consultation) -> str:
    return reverse(
        "consultations-staff:detail",
        kwargs={"slug": consultation.collectivity.slug, "pk": consultation.pk},
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    return render(
        request,
        "consultations/staff/list.html",
        {
            "collectivity": collectivity,
            "consultations": selectors.staff_consultation_list(collectivity=collectivity),
        },
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_create(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    form = ConsultationForm(
        request.POST or None,
        initial={"moderation": Moderation.PRE, "kind": "action_plan"},
        network=collectivity.is_network_space,
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(
                collectivity=collectivity, actor=_user(request), data=form.consultation_input()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consultation is created: add its sections."))
            return redirect(_staff_detail_url(consultation))
    return render(
        request,
        "consultations/staff/create.html",
        {"collectivity": collectivity, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _staff_detail_render(
    request: HttpRequest,
    consultation: Consultation,
    *,
    status: int = 200,
    form: ConsultationForm | None = None,
    new_section: SectionForm | None = None,
    bound_section: tuple[int, SectionForm] | None = None,
) -> HttpResponse:
    sections = []
    for s in selectors.section_list(consultation=consultation):
        if bound_section is not None and bound_section[0] == s.pk:
            section_form = bound_section[1]
        else:
            section_form = SectionForm(
                initial=SectionForm.initial_of(s), auto_id=f"id_section_{s.pk}_%s"
            )
        sections.append((s, section_form))
    return render(
        request,
        "consultations/staff/detail.html",
        {
            "collectivity": consultation.collectivity,
            "consultation": consultation,
            "phase": consultation.phase().value,
            "form": form
            or ConsultationForm(
                initial=ConsultationForm.initial_of(consultation),
                auto_id="id_consultation_%s",
                network=consultation.collectivity.is_network_space,
            ),
            "sections": sections,
            "new_section": new_section or SectionForm(auto_id="id_new_section_%s"),
        },
        status=status,
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultation's settings (POST changes them) and its sections."""
    consultation = _staff_consultation(request, pk)
    if request.method != "POST":
        return _staff_detail_render(request, consultation)
    form = ConsultationForm(
        request.POST,
        auto_id="id_consultation_%s",
        network=consultation.collectivity.is_network_space,
    )
    status = 400
    if form.is_valid():
        try:
            services.consultation_update(
                consultation=consultation, actor=_user(request), data=form.consultation_input()
            )
        except NotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_staff_detail_url(consultation))
    consultation.refresh_from_db()
    return _staff_detail_render(request, consultation, status=status, form=form)


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open consultation now."""
    consultation = _staff_consultation(request, pk)
    try:
        services.consultation_close(consultation=consultation, actor=_user(request))
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _staff_detail_render(request, consultation, status=409)
    messages.success(request, _("The consultation is closed."))
    return redirect(_staff_detail_url(consultation))


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_section_save(
    request: HttpRequest, pk: int, section_pk: int | None = None
) -> HttpResponse:
    """Add a section (no section_pk) or change one."""
    consultation = _staff_consultation(request, pk)
    section = _section_or_404(consultation, section_pk) if section_pk is not None else None
    prefix = f"id_section_{section_pk}_%s" if section_pk is not None else "id_new_section_%s"
    form = SectionForm(request.POST, auto_id=prefix)
    status = 400
    if form.is_valid():
        try:
            services.section_save(
                consultation=consultation,
                actor=_user(request),
                section=section,
                order=form.cleaned_data["order"],
                title_ar=form.cleaned_data["title_ar"],
                title_fr=form.cleaned_data["title_fr"],
                body_ar=form.cleaned_data["body_ar"],
                body_fr=form.cleaned_data["body_fr"],
            )
        except NotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_staff_detail_url(consultation))
    if section_pk is None:
        return _staff_detail_render(request, consultation, status=status, new_section=form)
    return _staff_detail_render(
        request, consultation, status=status, bound_section=(section_pk, form)
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_section_delete(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    section = _section_or_404(consultation, section_pk)
    try:
        services.section_delete(section=section, actor=_user(request))
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _staff_detail_render(request, consultation, status=409)
    messages.success(request, _("The section is deleted."))
    return redirect(_staff_detail_url(consultation))


def _moderation_render(
    request: HttpRequest,
    consultation: Consultation,
    *,
    status: int = 200,
    bound: tuple[int, ModerateForm] | None = None,
) -> HttpResponse:
    state = request.GET.get("state", "pending")
    if state not in selectors.MODERATION_FILTERS:
        state = "pending"
    rows = []
    for c in selectors.moderation_queue(consultation=consultation, state=state):
        form = (
            bound[1]
            if bound is not None and bound[0] == c.pk
            else ModerateForm(auto_id=f"id_moderate_{c.pk}_%s")
        )
        actions = [a.value for a in ModerationAction if is_allowed(c.status, a)]
        rows.append((c, form, actions))
    return render(
        request,
        "consultations/staff/moderation.html",
        {
            "collectivity": consultation.collectivity,
            "consultation": consultation,
            "rows": rows,
            "state": state,
            "states": list(selectors.MODERATION_FILTERS),
        },
        status=status,
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_moderation(request: HttpRequest, pk: int) -> HttpResponse:
    """The moderation queue: comments awaiting approval (or, by `state`, the others)."""
    return _moderation_render(request, _staff_consultation(request, pk))


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_moderate(request: HttpRequest, pk: int, comment_pk: int, action: str) -> HttpResponse:
    """Approve, reject (with a reason) or hide (with a reason) one comment."""
    consultation = _staff_consultation(request, pk)
    comment = selectors.comment_get(consultation=consultation, pk=comment_pk)
    if comment is None or action not in {a.value for a in ModerationAction}:
        raise Http404
    form = ModerateForm(request.POST, auto_id=f"id_moderate_{comment.pk}_%s")
    status = 400
    if form.is_valid():
        needs_reason = TRANSITIONS[ModerationAction(action)][2]
        try:
            services.comment_moderate(
                comment=comment,
                actor=_user(request),
                action=action,
                reason=form.cleaned_data["reason"] if needs_reason else "",
                note=form.cleaned_data["note"] if needs_reason else "",
            )
        except NotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            url = reverse(
                "consultations-staff:moderation",
                kwargs={"slug": consultation.collectivity.slug, "pk": consultation.pk},
            )
            state = request.GET.get("state", "")
            return redirect(
                f"{url}?state={state}" if state in selectors.MODERATION_FILTERS else url
            )
    return _moderation_render(request, consultation, status=status, bound=(comment.pk, form))


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_synthesis(request: HttpRequest, pk: int) -> HttpResponse:
    """The synthesis and the response to each section, once the consultation has closed:
    "save" keeps them private, "publish" shows them on the consultation's page."""
    consultation = _staff_consultation(request, pk)
    sections = selectors.section_list(consultation=consultation)
    form = SynthesisForm(
        request.POST or None,
        sections=sections,
        initial=SynthesisForm.initial_of(consultation, sections),
        auto_id="id_synthesis_%s",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            call = (
                services.synthesis_publish if "publish" in request.POST else services.synthesis_save
            )
            try:
                call(
                    consultation=consultation,
                    actor=_user(request),
                    synthesis_ar=form.cleaned_data["synthesis_ar"],
                    synthesis_fr=form.cleaned_data["synthesis_fr"],
                    responses=form.responses(),
                )
            except NotAllowed as exc:
                messages.error(request, exc.message)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The synthesis is published.")
                    if consultation.is_synthesis_published
                    else _("Saved (not published)."),
                )
                return redirect(
                    reverse(
                        "consultations-staff:synthesis",
                        kwargs={"slug": consultation.collectivity.slug, "pk": consultation.pk},
                    )
                )
    return render(
        request,
        "consultations/staff/synthesis.html",
        {
            "collectivity": consultation.collectivity,
            "consultation": consultation,
            "is_closed": consultation.is_closed,
            "form": form,
        },
        status=status,
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts per section; participants by declared commune and gender (and, for a
    consultation of the network, by region and kind of collectivity); CSV and PDF."""
    consultation = _staff_consultation(request, pk)
    data = selectors.consultation_report(consultation=consultation)
    return render(
        request,
        "consultations/staff/report.html",
        {
            "collectivity": consultation.collectivity,
            "consultation": consultation,
            "report": data,
            "chart": report.stance_chart_svg(data),
            "breakdown": selectors.consultation_breakdown(consultation=consultation),
        },
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    data = selectors.consultation_report(consultation=consultation)
    breakdown = selectors.consultation_breakdown(consultation=consultation)
    response = HttpResponse(
        report.report_csv(data, breakdown=breakdown), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-{consultation.pk}-report.csv"'
    )
    return private(response)


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    data = selectors.consultation_report(consultation=consultation)
    breakdown = selectors.consultation_breakdown(consultation=consultation)
    try:
        pdf = report.report_pdf(data, breakdown=breakdown)
    except PdfUnavailable:
        messages.error(
            request,
            _("PDF files cannot be made on this server at the moment. Use the CSV file."),
        )
        return redirect(
            reverse(
                "consultations-staff:report",
                kwargs={"slug": consultation.collectivity.slug, "pk": consultation.pk},
            )
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="consultation-{consultation.pk}-report.pdf"'
    )
    return private(response)
