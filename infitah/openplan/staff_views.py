"""Staff pages of the programme's core, under /<lang>/staff/<slug>/programmes/.

Two roles open them: the open-government focal point (Perm.OPENPLAN_MANAGE: the
programme, its phases and axes, commitments, milestones, indicators and progress
reports) and the monitor (Perm.OPENPLAN_ASSESS: reads every page, records the
assessments). Everyone else gets 404, as on every staff URL; the write routes of one role
are 404 for the other. Every form posts to its own route: success redirects (with a
message) to the page it came from; bad input draws the form again with the errors
beside the fields and summed up above it (400).

No page needs JavaScript; lists, not wide tables, read on a 360 px phone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.selectors import case_deadlines
from infitah.openplan import selectors
from infitah.openplan.forms import (
    AssessmentForm,
    AxisForm,
    CommitmentForm,
    DeleteForm,
    IndicatorForm,
    IndicatorValueForm,
    MilestoneForm,
    PhaseForm,
    ProgrammeForm,
    ReportForm,
    service_errors,
)
from infitah.openplan.models import Commitment, Indicator, Milestone, Programme
from infitah.openplan.services import core, monitoring
from infitah.openplan.workflow import PhaseKind, current_phase

View = Callable[..., HttpResponse]
READERS = (Perm.OPENPLAN_MANAGE, Perm.OPENPLAN_ASSESS)
MANAGE = staff_view(Perm.OPENPLAN_MANAGE)
ASSESS = staff_view(Perm.OPENPLAN_ASSESS)
SAVED = gettext_lazy("Saved.")


def read_view(view: View) -> View:
    """A page both roles open: the collectivity resolved as for any staff page, then 404
    unless the member holds OPENPLAN_MANAGE or OPENPLAN_ASSESS there."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        collectivity = _collectivity(request)
        if not any(has_perm(_user(request), perm, collectivity) for perm in READERS):
            raise Http404
        return view(request, *args, **kwargs)

    return staff_view(Perm.STAFF_ACCESS)(wrapped)


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: a confirmation button), else None."""
    return request.POST if request.method == "POST" else None


def _can(request: HttpRequest, perm: Perm) -> bool:
    return has_perm(_user(request), perm, _collectivity(request))


def _programme(request: HttpRequest, pk: int) -> Programme:
    found = selectors.programme_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _commitment(request: HttpRequest, pk: int, commitment: int) -> Commitment:
    found = selectors.commitment_get(_programme(request, pk), commitment)
    if found is None:
        raise Http404
    return found


def _milestone(commitment: Commitment, pk: int) -> Milestone:
    found = selectors.milestone_get(commitment, pk)
    if found is None:
        raise Http404
    return found


def _indicator(commitment: Commitment, pk: int) -> Indicator:
    found = selectors.indicator_get(commitment, pk)
    if found is None:
        raise Http404
    return found


def _programme_url(programme: Programme, anchor: str = "") -> str:
    url = reverse(
        "openplan-staff:programme",
        kwargs={"slug": programme.collectivity.slug, "pk": programme.pk},
    )
    return url + anchor


def _commitment_url(commitment: Commitment, anchor: str = "") -> str:
    programme = commitment.programme
    url = reverse(
        "openplan-staff:commitment",
        kwargs={
            "slug": programme.collectivity.slug,
            "pk": programme.pk,
            "commitment": commitment.pk,
        },
    )
    return url + anchor


def _optional_url(name: str, **kwargs: Any) -> str:
    """The URL `name` if it is routed, else "" (a part another team is building)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[Form], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    done: str | Promise = SAVED,
    then: Callable[[Any], str] | None = None,
    programme: Programme | None = None,
    commitment: Commitment | None = None,
    multipart: bool = False,
    intro: str | Promise = "",
    danger: bool = False,
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(form)` (the service); its
    ValidationError goes beside the fields (400); success redirects to `then(result)`,
    else to `back`, with the message `done`."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = call(form)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, str(done))
                return redirect(then(result) if then is not None else back)
    return render(
        request,
        "openplan/staff/form.html",
        {
            "collectivity": _collectivity(request),
            "programme": programme,
            "commitment": commitment,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "multipart": multipart,
            "action": request.path,
            "intro": intro,
            "danger": danger,
        },
        status=status,
    )


# ----------------------------------------------------------------------------- home


@read_view
def home(request: HttpRequest) -> HttpResponse:
    """The collectivity's programmes, the latest cycle first, with their state,
    progress and the due dates of their clocks."""
    collectivity = _collectivity(request)
    return render(
        request,
        "openplan/staff/home.html",
        {
            "collectivity": collectivity,
            "programmes": selectors.programme_list(collectivity=collectivity),
            "can_manage": _can(request, Perm.OPENPLAN_MANAGE),
            # The candidacy is the managers' page (a monitor reads the programmes only).
            "candidacy_url": (
                _optional_url("openplan-staff:candidacy", slug=collectivity.slug)
                if _can(request, Perm.OPENPLAN_MANAGE)
                else ""
            ),
        },
    )


@MANAGE
def programme_create(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    return _form_page(
        request,
        ProgrammeForm(_posted(request)),
        lambda form: core.programme_create(
            collectivity=collectivity, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("New programme"),
        button=gettext_lazy("Create the programme"),
        back=reverse("openplan-staff:home", kwargs={"slug": collectivity.slug}),
        done=gettext_lazy("The programme is created, in co-creation."),
        then=_programme_url,
    )


# ------------------------------------------------------------------------ programme


@read_view
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard: state and legal clocks, the phases' timeline, the axes, the
    commitments with their progress; links to the other parts of the programme."""
    found = _programme(request, pk)
    timeline = selectors.phase_timeline(found)
    slug = found.collectivity.slug
    can_manage = _can(request, Perm.OPENPLAN_MANAGE)

    def managed(name: str, **kwargs: Any) -> str:
        """A link to a page of the managers only: none for a monitor."""
        return _optional_url(name, **kwargs) if can_manage else ""

    return render(
        request,
        "openplan/staff/programme.html",
        {
            "collectivity": found.collectivity,
            "programme": found,
            "deadlines": case_deadlines(found),
            "timeline": timeline,
            "current": current_phase(
                [row.phase for row in timeline if row.phase is not None], timezone.localdate()
            ),
            "axes": selectors.axis_list(found),
            "commitments": selectors.commitment_list(found),
            "can_manage": can_manage,
            "is_editable": found.status in core.EDITABLE,
            "is_draft": found.status in monitoring.DRAFT,
            "axis_form": AxisForm(auto_id="id_axis_%s") if can_manage else None,
            "links": {
                "public": _optional_url("openplan:programme", slug=slug, pk=found.pk),
                "cocreation": managed("openplan-staff:cocreation", slug=slug, pk=found.pk),
                "forum": _optional_url("openplan-staff:forum", slug=slug, pk=found.pk),
                "adoption": managed("openplan-staff:adoption", slug=slug, pk=found.pk),
                "candidacy": managed("openplan-staff:candidacy", slug=slug),
            },
        },
    )


@MANAGE
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _programme(request, pk)
    return _form_page(
        request,
        ProgrammeForm(_posted(request), initial=ProgrammeForm.initial_of(found)),
        lambda form: core.programme_update(
            programme=found, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("Edit the programme"),
        button=gettext_lazy("Save"),
        back=_programme_url(found),
        programme=found,
    )


def _phase_kind(kind: str) -> PhaseKind:
    if kind not in PhaseKind.values:
        raise Http404
    return PhaseKind(kind)


@MANAGE
def phase_set(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Set (or change) the planned dates of one phase of the timeline."""
    found = _programme(request, pk)
    phase_kind = _phase_kind(kind)
    existing = selectors.phase_get(found, phase_kind.value)
    return _form_page(
        request,
        PhaseForm(_posted(request), initial=PhaseForm.initial_of(existing)),
        lambda form: core.phase_set(
            programme=found,
            actor=_user(request),
            data={**form.cleaned_data, "kind": phase_kind.value},
        ),
        title=_("Phase: %(phase)s") % {"phase": phase_kind.label},
        button=gettext_lazy("Save the phase"),
        back=_programme_url(found, "#timeline"),
        programme=found,
    )


@MANAGE
def phase_delete(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    found = _programme(request, pk)
    phase = selectors.phase_get(found, _phase_kind(kind).value)
    if phase is None:
        raise Http404
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: core.phase_delete(phase=phase, actor=_user(request)),
        title=_("Remove the phase “%(phase)s” from the timeline")
        % {"phase": phase.get_kind_display()},
        button=gettext_lazy("Remove the phase"),
        back=_programme_url(found, "#timeline"),
        done=gettext_lazy("The phase is removed from the timeline."),
        programme=found,
        danger=True,
    )


@MANAGE
def axis_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _programme(request, pk)
    return _form_page(
        request,
        AxisForm(_posted(request), auto_id="id_axis_%s"),
        lambda form: core.axis_save(programme=found, actor=_user(request), data=form.cleaned_data),
        title=gettext_lazy("Add an axis"),
        button=gettext_lazy("Add the axis"),
        back=_programme_url(found, "#axes"),
        programme=found,
    )


@MANAGE
def axis_edit(request: HttpRequest, pk: int, axis: int) -> HttpResponse:
    found = _programme(request, pk)
    theme = selectors.axis_get(found, axis)
    if theme is None:
        raise Http404
    return _form_page(
        request,
        AxisForm(_posted(request), initial=AxisForm.initial_of(theme)),
        lambda form: core.axis_save(
            programme=found, actor=_user(request), data=form.cleaned_data, axis=theme
        ),
        title=_("Axis: %(title)s") % {"title": theme.title},
        button=gettext_lazy("Save"),
        back=_programme_url(found, "#axes"),
        programme=found,
    )


@MANAGE
def axis_delete(request: HttpRequest, pk: int, axis: int) -> HttpResponse:
    found = _programme(request, pk)
    theme = selectors.axis_get(found, axis)
    if theme is None:
        raise Http404
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: core.axis_delete(axis=theme, actor=_user(request)),
        title=_("Remove the axis “%(title)s”") % {"title": theme.title},
        button=gettext_lazy("Remove the axis"),
        back=_programme_url(found, "#axes"),
        done=gettext_lazy("The axis is removed."),
        programme=found,
        intro=gettext_lazy("An axis that workshops, proposals or commitments use stays."),
        danger=True,
    )


# ----------------------------------------------------------------------- commitments


@MANAGE
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    found = _programme(request, pk)
    return _form_page(
        request,
        CommitmentForm(_posted(request), programme=found),
        lambda form: core.commitment_create(
            programme=found, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("New commitment"),
        button=gettext_lazy("Add the commitment"),
        back=_programme_url(found, "#commitments"),
        done=gettext_lazy("The commitment is added. Add its milestones."),
        then=_commitment_url,
        programme=found,
    )


@read_view
def commitment(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    """A commitment with every OGP field, its milestones (nested), the reports and their
    evidence, the indicators and their values, the assessments of each source."""
    found = _commitment(request, pk, commitment)
    programme = found.programme
    can_manage = _can(request, Perm.OPENPLAN_MANAGE)
    tree = selectors.milestone_tree(found)
    return render(
        request,
        "openplan/staff/commitment.html",
        {
            "collectivity": programme.collectivity,
            "programme": programme,
            "commitment": found,
            "tree": tree,
            "reports": selectors.report_list(found),
            "indicators": selectors.indicator_list(found),
            "columns": selectors.assessment_columns(found),
            "can_manage": can_manage,
            "can_assess": _can(request, Perm.OPENPLAN_ASSESS),
            "is_editable": programme.status in core.EDITABLE,
            "is_draft": programme.status in monitoring.DRAFT,
            "can_report": programme.status in monitoring.REPORTING,
            "milestone_form": (
                MilestoneForm(commitment=found, auto_id="id_milestone_%s")
                if can_manage and programme.status in core.EDITABLE
                else None
            ),
            "public": _optional_url(
                "openplan:commitment",
                slug=programme.collectivity.slug,
                pk=programme.pk,
                number=found.number,
            ),
        },
    )


@MANAGE
def commitment_edit(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    return _form_page(
        request,
        CommitmentForm(
            _posted(request),
            programme=found.programme,
            initial=CommitmentForm.initial_of(found),
        ),
        lambda form: core.commitment_update(
            commitment=found, actor=_user(request), data=form.cleaned_data
        ),
        title=_("Edit commitment %(number)d") % {"number": found.number},
        button=gettext_lazy("Save"),
        back=_commitment_url(found),
        programme=found.programme,
        commitment=found,
    )


@MANAGE
def commitment_delete(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: monitoring.commitment_delete(commitment=found, actor=_user(request)),
        title=_("Remove commitment %(number)d") % {"number": found.number},
        button=gettext_lazy("Remove the commitment"),
        back=_commitment_url(found),
        done=gettext_lazy("The commitment is removed."),
        then=lambda result: _programme_url(found.programme, "#commitments"),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy(
            "Its milestones, indicators and assessments are removed with it. Only a draft "
            "programme loses a commitment: an adopted one changes by amendment."
        ),
        danger=True,
    )


@MANAGE
def milestone_add(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    return _form_page(
        request,
        MilestoneForm(_posted(request), commitment=found, auto_id="id_milestone_%s"),
        lambda form: core.milestone_create(
            commitment=found, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("Add a milestone"),
        button=gettext_lazy("Add the milestone"),
        back=_commitment_url(found, "#milestones"),
        programme=found.programme,
        commitment=found,
    )


@MANAGE
def milestone_edit(request: HttpRequest, pk: int, commitment: int, milestone: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    step = _milestone(found, milestone)
    return _form_page(
        request,
        MilestoneForm(
            _posted(request),
            commitment=found,
            milestone=step,
            initial=MilestoneForm.initial_of(step),
        ),
        lambda form: core.milestone_update(
            milestone=step, actor=_user(request), data=form.cleaned_data
        ),
        title=_("Milestone: %(title)s") % {"title": step.title},
        button=gettext_lazy("Save"),
        back=_commitment_url(found, "#milestones"),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy("Its progress is set by a progress report."),
    )


@MANAGE
def milestone_delete(
    request: HttpRequest, pk: int, commitment: int, milestone: int
) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    step = _milestone(found, milestone)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: monitoring.milestone_delete(milestone=step, actor=_user(request)),
        title=_("Remove the milestone “%(title)s”") % {"title": step.title},
        button=gettext_lazy("Remove the milestone"),
        back=_commitment_url(found, "#milestones"),
        done=gettext_lazy("The milestone is removed."),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy(
            "Its sub-milestones are removed with it. Only a draft programme loses a "
            "milestone: an adopted one changes by amendment."
        ),
        danger=True,
    )


# ------------------------------------------------------------------------ monitoring


@MANAGE
def report(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    """The lead unit reports progress, with evidence (files and links)."""
    found = _commitment(request, pk, commitment)
    form = ReportForm(
        _posted(request), request.FILES if request.method == "POST" else None, commitment=found
    )
    return _form_page(
        request,
        form,
        lambda bound: monitoring.report_submit(
            commitment=found,
            actor=_user(request),
            **bound.service_kwargs(),  # type: ignore[attr-defined]
        ),
        title=_("Report on commitment %(number)d") % {"number": found.number},
        button=gettext_lazy("Send the report"),
        back=_commitment_url(found, "#reports"),
        done=gettext_lazy("The report is recorded; the public page is up to date."),
        programme=found.programme,
        commitment=found,
        multipart=True,
        intro=gettext_lazy(
            "Documents and photos are published as evidence of the milestone, in the "
            "publication register: they cannot be withdrawn afterwards."
        ),
    )


@MANAGE
def indicator_add(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    return _form_page(
        request,
        IndicatorForm(_posted(request)),
        lambda form: monitoring.indicator_save(
            commitment=found, actor=_user(request), data=form.cleaned_data
        ),
        title=gettext_lazy("Add an indicator"),
        button=gettext_lazy("Add the indicator"),
        back=_commitment_url(found, "#indicators"),
        programme=found.programme,
        commitment=found,
    )


@MANAGE
def indicator_edit(request: HttpRequest, pk: int, commitment: int, indicator: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    measure = _indicator(found, indicator)
    return _form_page(
        request,
        IndicatorForm(_posted(request), initial=IndicatorForm.initial_of(measure)),
        lambda form: monitoring.indicator_save(
            commitment=found, actor=_user(request), data=form.cleaned_data, indicator=measure
        ),
        title=_("Indicator: %(name)s") % {"name": measure.name},
        button=gettext_lazy("Save"),
        back=_commitment_url(found, "#indicators"),
        programme=found.programme,
        commitment=found,
    )


@MANAGE
def indicator_delete(
    request: HttpRequest, pk: int, commitment: int, indicator: int
) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    measure = _indicator(found, indicator)
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: monitoring.indicator_delete(indicator=measure, actor=_user(request)),
        title=_("Remove the indicator “%(name)s”") % {"name": measure.name},
        button=gettext_lazy("Remove the indicator"),
        back=_commitment_url(found, "#indicators"),
        done=gettext_lazy("The indicator is removed."),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy("Only an indicator without a measured value can be removed."),
        danger=True,
    )


@MANAGE
def value_record(request: HttpRequest, pk: int, commitment: int, indicator: int) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    measure = _indicator(found, indicator)
    return _form_page(
        request,
        IndicatorValueForm(_posted(request), initial={"measured_on": timezone.localdate()}),
        lambda form: monitoring.indicator_value_record(
            indicator=measure, actor=_user(request), data=form.cleaned_data
        ),
        title=_("Record a value of “%(name)s”") % {"name": measure.name},
        button=gettext_lazy("Record the value"),
        back=_commitment_url(found, "#indicators"),
        done=gettext_lazy("The value is recorded."),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy("A value recorded for a day that already has one replaces it."),
    )


@MANAGE
def value_delete(
    request: HttpRequest, pk: int, commitment: int, indicator: int, value: int
) -> HttpResponse:
    found = _commitment(request, pk, commitment)
    measure = _indicator(found, indicator)
    measured = selectors.indicator_value_get(measure, value)
    if measured is None:
        raise Http404
    return _form_page(
        request,
        DeleteForm(_posted(request)),
        lambda form: monitoring.indicator_value_delete(value=measured, actor=_user(request)),
        title=_("Remove the value of %(day)s") % {"day": measured.measured_on.isoformat()},
        button=gettext_lazy("Remove the value"),
        back=_commitment_url(found, "#indicators"),
        done=gettext_lazy("The value is removed."),
        programme=found.programme,
        commitment=found,
        danger=True,
    )


@ASSESS
def assessment(request: HttpRequest, pk: int, commitment: int) -> HttpResponse:
    """The monitoring committee or the independent body records its assessment."""
    found = _commitment(request, pk, commitment)
    return _form_page(
        request,
        AssessmentForm(
            _posted(request),
            initial={"assessed_on": timezone.localdate()},
            auto_id="id_assessment_%s",
        ),
        lambda form: monitoring.assessment_record(
            commitment=found, actor=_user(request), data=form.cleaned_data
        ),
        title=_("Assess commitment %(number)d") % {"number": found.number},
        button=gettext_lazy("Record the assessment"),
        back=_commitment_url(found, "#assessments"),
        done=gettext_lazy("The assessment is recorded."),
        programme=found.programme,
        commitment=found,
        intro=gettext_lazy(
            "Each source keeps its own assessments: the public page shows the monitoring "
            "committee's and the independent body's side by side."
        ),
    )
