"""Pages of surveys: the public list, a survey with its form, results, and the focal
point's staff pages (list, create and edit, questions, publish, results, CSV)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.idempotency.submissions import submission_result, submitted_once
from infitah.lib.casework import private
from infitah.participation.access import join_url
from infitah.participation.selectors import participant_from_request
from infitah.participation.services import eligibility_refusal
from infitah.participation.surveys import charts, exports, selectors, services
from infitah.participation.surveys.forms import (
    QuestionForm,
    ResponseForm,
    SurveyForm,
    answers_of,
)
from infitah.participation.surveys.models import Question, Survey
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get


def _collectivity_or_404(slug: str) -> Collectivity:
    """Any collectivity of the reference data (a survey is reached through its own)."""
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    return collectivity


def _service_errors(form: BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError on the form: per field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, errors)
        elif name not in form.fields:
            form.add_error(None, errors)


def _survey_or_404(collectivity: Collectivity, pk: int) -> Survey:
    survey = selectors.survey_get(pk=pk, collectivity=collectivity)
    if survey is None:
        raise Http404
    return survey


def _charts(results: selectors.Results) -> list[tuple[selectors.QuestionResult, str]]:
    rtl = get_language_bidi()
    return [
        (
            result,
            charts.bar_chart(
                title=result.question.text, bars=result.bars, rtl=rtl, ident=f"chart-{n}"
            )
            if result.bars
            else "",
        )
        for n, result in enumerate(results.questions, start=1)
    ]


def _csv(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------- public


def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's published surveys: open, coming and closed."""
    collectivity = _collectivity_or_404(slug)
    now = timezone.now()
    surveys = selectors.survey_list(collectivity=collectivity)
    return render(
        request,
        "surveys/list.html",
        {
            "collectivity": collectivity,
            "open": [s for s in surveys if s.is_open(now)],
            "upcoming": [s for s in surveys if s.is_upcoming(now)],
            "closed": [s for s in surveys if s.is_closed(now)],
            "now": now,
        },
    )


def _detail(
    request: HttpRequest,
    survey: Survey,
    *,
    form: ResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    participant = participant_from_request(request)
    questions = selectors.question_list(survey=survey)
    answered = selectors.has_answered(survey=survey, participant=participant)
    refusal = None
    if participant is not None and not answered and survey.is_open(now):
        refusal = eligibility_refusal(audience=survey.audience, participant=participant)
    return private(
        render(
            request,
            "surveys/detail.html",
            {
                "collectivity": survey.collectivity,
                "survey": survey,
                "participant": participant,
                # Who may take part, and why this participant may not (network items).
                "refusal": refusal,
                "is_open": survey.is_open(now),
                "is_closed": survey.is_closed(now),
                "days_left": survey.days_left(now),
                "answered": answered,
                "results_public": survey.results_public(now),
                "form": form or ResponseForm(questions=questions),
                "join_url": join_url(request.get_full_path()),
            },
            status=status,
        )
    )


@never_cache
def survey_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A survey: what it asks, until when, and its form for a signed-in participant."""
    return _detail(request, _survey_or_404(_collectivity_or_404(slug), pk))


@require_POST
@submitted_once
def survey_respond(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A participant's answers; once per survey, within its dates. Without a verified
    participant: to the join page, which comes back to the survey."""
    survey = _survey_or_404(_collectivity_or_404(slug), pk)
    participant = participant_from_request(request)
    if participant is None:
        return HttpResponseRedirect(join_url(reverse("surveys:detail", args=[slug, pk])))
    questions = selectors.question_list(survey=survey)
    form = ResponseForm(request.POST, questions=questions)
    form.is_valid()  # every field is optional: the service checks the answers
    try:
        services.response_submit(
            survey=survey, participant=participant, answers=answers_of(request.POST, questions)
        )
    except services.SurveyRefused as exc:
        messages.error(request, exc.message)
        return _detail(request, survey, status=409)
    except ValidationError as exc:
        _service_errors(form, exc)
        return _detail(request, survey, form=form, status=400)
    messages.success(request, _("Thank you: your answers are recorded."))
    return submission_result(private(redirect("surveys:detail", slug=slug, pk=pk)))


def _public_results(slug: str, pk: int) -> selectors.Results:
    survey = _survey_or_404(_collectivity_or_404(slug), pk)
    if not survey.results_public():
        raise Http404
    return selectors.survey_results(survey=survey)


def survey_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The results, when public (after closing, or while open if the collectivity
    chose so); counts only, never the free-text answers."""
    survey = _survey_or_404(_collectivity_or_404(slug), pk)
    if not survey.results_public():
        return render(
            request,
            "surveys/results_pending.html",
            {"collectivity": survey.collectivity, "survey": survey},
            status=404,
        )
    results = selectors.survey_results(survey=survey)
    return render(
        request,
        "surveys/results.html",
        {
            "collectivity": survey.collectivity,
            "survey": survey,
            "results": results,
            "charts": _charts(results),
            "staff": False,
            "breakdown": selectors.survey_breakdown(survey=survey),
        },
    )


def survey_results_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    results = _public_results(slug, pk)
    return _csv(exports.results_csv(results), f"survey-{pk}-results.csv")


def survey_breakdown_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A survey of the network: its respondents by region and kind of collectivity, when
    its results are public (404 for a collectivity's own survey)."""
    survey = _survey_or_404(_collectivity_or_404(slug), pk)
    breakdown = selectors.survey_breakdown(survey=survey) if survey.results_public() else None
    if breakdown is None:
        raise Http404
    return _csv(exports.breakdown_csv(breakdown), f"survey-{pk}-breakdown.csv")


# ---------------------------------------------------------------------------- staff


def _staff_survey(request: HttpRequest, pk: int) -> Survey:
    survey = selectors.staff_survey_get(collectivity=_collectivity(request), pk=pk)
    if survey is None:
        raise Http404
    return survey


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    return render(
        request,
        "surveys/staff/list.html",
        {
            "collectivity": collectivity,
            "surveys": selectors.staff_survey_list(collectivity=collectivity),
            "now": timezone.now(),
        },
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_create(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        network=collectivity.is_network_space,
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_save(
                collectivity=collectivity, actor=_user(request), data=form.survey_input()
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Saved. Now add the questions."))
            return redirect("surveys-staff:edit", slug=collectivity.slug, pk=survey.pk)
    return render(
        request,
        "surveys/staff/create.html",
        {"collectivity": collectivity, "form": form},
        status=200 if request.method != "POST" else 400,
    )


def _edit_render(
    request: HttpRequest,
    survey: Survey,
    *,
    status: int = 200,
    survey_form: SurveyForm | None = None,
    new_question: QuestionForm | None = None,
    bound_question: tuple[int, QuestionForm] | None = None,
) -> HttpResponse:
    questions = []
    for question in selectors.question_list(survey=survey):
        if bound_question is not None and bound_question[0] == question.pk:
            form = bound_question[1]
        else:
            form = QuestionForm(
                initial=QuestionForm.initial_of(question), auto_id=f"id_q{question.pk}_%s"
            )
        questions.append((question, form))
    count = selectors.response_count(survey=survey)
    return render(
        request,
        "surveys/staff/edit.html",
        {
            "collectivity": survey.collectivity,
            "survey": survey,
            "form": survey_form
            or SurveyForm(
                initial=SurveyForm.initial_of(survey),
                auto_id="id_survey_%s",
                network=survey.collectivity.is_network_space,
            ),
            "questions": questions,
            "new_question": new_question
            or QuestionForm(
                initial={"is_required": True, "order": len(questions) + 1},
                auto_id="id_new_%s",
            ),
            "response_count": count,
            "can_edit_questions": count == 0,
        },
        status=status,
    )


def _back(survey: Survey, text: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, text)
    return redirect("surveys-staff:edit", slug=survey.collectivity.slug, pk=survey.pk)


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's settings, its questions, and the publish button."""
    survey = _staff_survey(request, pk)
    if request.method != "POST":
        return _edit_render(request, survey)
    form = SurveyForm(
        request.POST, auto_id="id_survey_%s", network=survey.collectivity.is_network_space
    )
    if form.is_valid():
        try:
            services.survey_save(
                collectivity=survey.collectivity,
                actor=_user(request),
                data=form.survey_input(),
                survey=survey,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return _back(survey, _("Saved."), request)
    return _edit_render(request, survey, status=400, survey_form=form)


def _staff_question(survey: Survey, qid: int) -> Question:
    question = survey.questions.filter(pk=qid).first()
    if question is None:
        raise Http404
    return question


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_question_save(request: HttpRequest, pk: int, qid: int | None = None) -> HttpResponse:
    """Add a question (no qid) or change one."""
    survey = _staff_survey(request, pk)
    question = _staff_question(survey, qid) if qid is not None else None
    prefix = f"id_q{qid}_%s" if qid is not None else "id_new_%s"
    form = QuestionForm(request.POST, auto_id=prefix)
    if form.is_valid():
        try:
            services.question_save(
                survey=survey, actor=_user(request), data=form.question_input(), question=question
            )
        except services.SurveyRefused as exc:
            messages.error(request, exc.message)
            return _edit_render(request, survey, status=409)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            return _back(survey, _("Saved."), request)
    if qid is None:
        return _edit_render(request, survey, status=400, new_question=form)
    return _edit_render(request, survey, status=400, bound_question=(qid, form))


def _act(
    request: HttpRequest, pk: int, call: Callable[[Survey, User], Any], done: str
) -> HttpResponse:
    survey = _staff_survey(request, pk)
    try:
        call(survey, _user(request))
    except services.SurveyRefused as exc:
        messages.error(request, exc.message)
        return _edit_render(request, survey, status=409)
    return _back(survey, done, request)


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_question_delete(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    question = _staff_question(survey, qid)
    return _act(
        request,
        pk,
        lambda s, user: services.question_delete(question=question, actor=user),
        _("Question deleted."),
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda s, user: services.survey_publish(survey=s, actor=user),
        _("Published."),
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda s, user: services.survey_unpublish(survey=s, actor=user),
        _("Back to draft."),
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results at any time, with the free-text answers (never published)."""
    survey = _staff_survey(request, pk)
    results = selectors.survey_results(survey=survey, with_texts=True)
    return private(
        render(
            request,
            "surveys/results.html",
            {
                "collectivity": survey.collectivity,
                "survey": survey,
                "results": results,
                "charts": _charts(results),
                "staff": True,
                "breakdown": selectors.survey_breakdown(survey=survey),
            },
        )
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    content = exports.results_csv(selectors.survey_results(survey=survey))
    return private(_csv(content, f"survey-{pk}-results.csv"))


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_responses_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per response, one column per question; participants as opaque numbers."""
    survey = _staff_survey(request, pk)
    content = exports.responses_csv(
        selectors.question_list(survey=survey), selectors.response_rows(survey=survey)
    )
    return private(_csv(content, f"survey-{pk}-responses.csv"))


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_breakdown_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey of the network: its respondents by region and kind of collectivity, at
    any time (404 for a collectivity's own survey)."""
    survey = _staff_survey(request, pk)
    breakdown = selectors.survey_breakdown(survey=survey)
    if breakdown is None:
        raise Http404
    return private(_csv(exports.breakdown_csv(breakdown), f"survey-{pk}-breakdown.csv"))
