"""Pages of collective-intelligence labs: the public list, a lab, voting one statement at
a time (verified participants), the report and its downloads; the staff's pages to
create labs, seed statements and moderate participants' statements."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from infitah.lib.csvsafe import csv_cell
from infitah.participation.access import participant_required
from infitah.participation.breakdown import breakdown_csv_rows
from infitah.participation.labs import reports, selectors, services
from infitah.participation.labs.forms import (
    LabForm,
    RejectForm,
    SeedForm,
    StatementForm,
    VoteForm,
    add_service_errors,
)
from infitah.participation.labs.models import Lab, Statement, StatementStatus
from infitah.participation.models import Participant
from infitah.participation.selectors import public_space_or_404 as _collectivity_or_404
from infitah.participation.services import eligibility_refusal


def _lab_or_404(slug: str, pk: int) -> Lab:
    collectivity = _collectivity_or_404(slug)
    lab = selectors.lab_get(collectivity=collectivity, pk=pk)
    if lab is None:
        raise Http404
    lab.collectivity = collectivity  # the one loaded with its parents, for the crumbs
    return lab


def _participant(request: HttpRequest) -> Participant:
    return request.participant  # type: ignore[attr-defined,no-any-return]


# --------------------------------------------------------------------------- public


def lab_list(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    return render(
        request,
        "labs/list.html",
        {"collectivity": collectivity, "labs": selectors.lab_list(collectivity=collectivity)},
    )


def lab_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lab = _lab_or_404(slug, pk)
    return render(
        request,
        "labs/detail.html",
        {
            "collectivity": lab.collectivity,
            "lab": lab,
            "report": selectors.report_latest(lab=lab),
        },
    )


def _refusal(request: HttpRequest, lab: Lab) -> str | None:
    """Why the signed-in participant may not take part in `lab` (network items)."""
    if not lab.is_open:
        return None
    return eligibility_refusal(audience=lab.audience, participant=_participant(request))


def _vote_render(
    request: HttpRequest,
    lab: Lab,
    *,
    status: int = 200,
    statement_form: StatementForm | None = None,
) -> HttpResponse:
    participant = _participant(request)
    refusal = _refusal(request, lab)
    statement = (
        selectors.statement_next(lab=lab, participant=participant)
        if lab.is_open and refusal is None
        else None
    )
    return render(
        request,
        "labs/vote.html",
        {
            "collectivity": lab.collectivity,
            "lab": lab,
            "statement": statement,
            "progress": selectors.participant_progress(lab=lab, participant=participant),
            "mine": selectors.participant_statements(lab=lab, participant=participant),
            "statement_form": statement_form or StatementForm(),
            "closed_message": "" if lab.is_open else services.closed_message(lab),
            "refusal": refusal,
        },
        status=status,
    )


@never_cache
@participant_required
def vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One statement and three buttons (a form: no script needed). A POST records the
    vote and shows the next statement."""
    lab = _lab_or_404(slug, pk)
    if request.method != "POST":
        return _vote_render(request, lab)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose agree, disagree or pass."))
        return _vote_render(request, lab, status=400)
    try:
        services.vote_cast(
            lab=lab,
            participant=_participant(request),
            statement_id=form.cleaned_data["statement"],
            value=form.cleaned_data["vote"],
        )
    except services.LabRefused as exc:
        messages.error(request, exc.message)
        return _vote_render(request, lab, status=409)
    except services.StatementUnavailable:
        messages.error(request, _("This statement is not open to votes."))
        return _vote_render(request, lab, status=404)
    except ValidationError:
        messages.error(request, _("Choose agree, disagree or pass."))
        return _vote_render(request, lab, status=400)
    messages.success(request, _("Your vote is recorded."))
    return redirect("labs:vote", slug=lab.collectivity.slug, pk=lab.pk)


@never_cache
@participant_required
@require_POST
def statement_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lab = _lab_or_404(slug, pk)
    form = StatementForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            statement = services.statement_submit(
                lab=lab, participant=_participant(request), text=form.cleaned_data["text"]
            )
        except services.LabRefused as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if statement.status == StatementStatus.PENDING:
                messages.success(
                    request,
                    _("Thank you: your statement will be shown once the collectivity approves it."),
                )
            else:
                messages.success(request, _("Thank you: your statement is added."))
            return redirect("labs:vote", slug=lab.collectivity.slug, pk=lab.pk)
    return _vote_render(request, lab, status=status, statement_form=form)


def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The opinion map, the groups and what sets each apart, and the consensus."""
    lab = _lab_or_404(slug, pk)
    found = selectors.report_latest(lab=lab)
    view = reports.report_view(lab=lab, report=found) if found is not None else None
    return render(
        request,
        "labs/report.html",
        {
            "collectivity": lab.collectivity,
            "lab": lab,
            "report": found,
            "view": view,
            "breakdown": selectors.lab_breakdown(lab=lab),
        },
    )


EXPORTS = {"votes.csv", "votes.json", "report.csv", "report.json", "breakdown.csv"}


def _csv(rows: list[list[Any]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheets then read UTF-8 (Arabic) correctly
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(data: Any, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """Public downloads: the anonymised votes and the latest report, in CSV and JSON."""
    if name not in EXPORTS:
        raise Http404
    lab = _lab_or_404(slug, pk)
    filename = f"lab-{lab.pk}-{name}"
    if name == "breakdown.csv":
        breakdown = selectors.lab_breakdown(lab=lab)
        if breakdown is None:
            raise Http404
        return _csv(breakdown_csv_rows(breakdown), filename)
    if name.startswith("votes"):
        rows = selectors.export_votes(lab=lab)
        if name.endswith(".csv"):
            return _csv([["voter", "statement", "vote"], *map(list, rows)], filename)
        return _json(
            {
                "lab": lab.pk,
                "statements": [
                    {"id": s.pk, "text": s.text} for s in selectors.statement_list(lab=lab)
                ],
                "votes": [{"voter": v, "statement": s, "vote": x} for v, s, x in rows],
            },
            filename,
        )
    found = selectors.report_latest(lab=lab)
    if found is None:
        raise Http404
    if name.endswith(".csv"):
        return _csv(reports.report_csv_rows(lab=lab, report=found), filename)
    return _json(reports.report_json(lab=lab, report=found), filename)


# ---------------------------------------------------------------------------- staff


def _staff_lab(request: HttpRequest, pk: int) -> Lab:
    lab = selectors.lab_get(collectivity=_collectivity(request), pk=pk, public=False)
    if lab is None:
        raise Http404
    return lab


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    pending = selectors.pending_count(collectivity=collectivity)
    return render(
        request,
        "labs/staff/list.html",
        {
            "collectivity": collectivity,
            "rows": [
                (lab, pending.get(lab.pk, 0))
                for lab in selectors.lab_list(collectivity=collectivity, public=False)
            ],
        },
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_create(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    form = LabForm(request.POST or None, network=collectivity.is_network_space)
    if request.method == "POST" and form.is_valid():
        try:
            lab = services.lab_create(
                collectivity=collectivity, actor=_user(request), data=form.to_input()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The lab is created. Now seed its statements."))
            return redirect("labs-staff:detail", slug=collectivity.slug, pk=lab.pk)
    return render(
        request,
        "labs/staff/create.html",
        {"collectivity": collectivity, "form": form},
        status=200 if request.method != "POST" else 400,
    )


def _staff_detail_render(
    request: HttpRequest,
    lab: Lab,
    *,
    status: int = 200,
    form: LabForm | None = None,
    seed_form: SeedForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "labs/staff/detail.html",
        {
            "collectivity": lab.collectivity,
            "lab": lab,
            "form": form
            or LabForm(initial=LabForm.initial_of(lab), network=lab.collectivity.is_network_space),
            "seed_form": seed_form or SeedForm(),
            "statements": selectors.staff_statement_list(lab=lab),
            "report": selectors.report_latest(lab=lab),
        },
        status=status,
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The lab's settings (a POST saves them) and its statements."""
    lab = _staff_lab(request, pk)
    if request.method != "POST":
        return _staff_detail_render(request, lab)
    form = LabForm(request.POST, network=lab.collectivity.is_network_space)
    if form.is_valid():
        try:
            services.lab_update(lab=lab, actor=_user(request), data=form.to_input())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("labs-staff:detail", slug=lab.collectivity.slug, pk=lab.pk)
    return _staff_detail_render(request, lab, status=400, form=form)


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_seed(request: HttpRequest, pk: int) -> HttpResponse:
    lab = _staff_lab(request, pk)
    form = SeedForm(request.POST)
    if form.is_valid():
        try:
            created = services.statements_seed(lab=lab, actor=_user(request), texts=form.lines())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(count)d statement(s) added.") % {"count": len(created)})
            return redirect("labs-staff:detail", slug=lab.collectivity.slug, pk=lab.pk)
    return _staff_detail_render(request, lab, status=400, seed_form=form)


def _moderation_render(
    request: HttpRequest,
    lab: Lab,
    *,
    status: int = 200,
    bound: tuple[int, RejectForm] | None = None,
) -> HttpResponse:
    rows = [
        (
            s,
            bound[1] if bound and bound[0] == s.pk else RejectForm(auto_id=f"id_reject_{s.pk}_%s"),
        )
        for s in selectors.moderation_queue(lab=lab)
    ]
    return render(
        request,
        "labs/staff/moderation.html",
        {"collectivity": lab.collectivity, "lab": lab, "rows": rows},
        status=status,
    )


@staff_view(Perm.PARTICIPATION_MANAGE)
def staff_moderation(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants' statements awaiting approval, oldest first."""
    return _moderation_render(request, _staff_lab(request, pk))


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_moderate(request: HttpRequest, pk: int, statement_pk: int, action: str) -> HttpResponse:
    """Approve or reject (with a reason) one statement; rejecting an approved statement
    withdraws it from the lab and from the maths."""
    lab = _staff_lab(request, pk)
    if action not in {"approve", "reject"}:
        raise Http404
    statement = Statement.objects.filter(lab=lab, pk=statement_pk).first()
    if statement is None:
        raise Http404
    form = RejectForm(request.POST, auto_id=f"id_reject_{statement.pk}_%s")
    if action == "reject" and not form.is_valid():
        return _moderation_render(request, lab, status=400, bound=(statement.pk, form))
    try:
        services.statement_moderate(
            statement=statement,
            actor=_user(request),
            approve=action == "approve",
            reason=form.cleaned_data.get("reason", "") if action == "reject" else "",
        )
    except services.ModerationNotAllowed as exc:
        messages.error(request, exc.message)
        return _moderation_render(request, lab, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _moderation_render(request, lab, status=400, bound=(statement.pk, form))
    messages.success(request, _("Done."))
    back = request.POST.get("back") == "detail"
    name = "labs-staff:detail" if back else "labs-staff:moderation"
    return redirect(reverse(name, kwargs={"slug": lab.collectivity.slug, "pk": lab.pk}))


@staff_view(Perm.PARTICIPATION_MANAGE)
@require_POST
def staff_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the report to be recomputed (in the background, still throttled)."""
    lab = _staff_lab(request, pk)
    if services.lab_recompute_request(lab=lab, actor=_user(request)):
        messages.success(request, _("The report will be recomputed in a moment."))
    else:
        messages.info(request, _("A recomputation was asked for less than a minute ago."))
    return redirect("labs-staff:detail", slug=lab.collectivity.slug, pk=lab.pk)
