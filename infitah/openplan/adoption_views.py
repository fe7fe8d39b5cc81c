"""The adoption page of a programme (staff) and the programme's public files.

Staff (Perm.OPENPLAN_MANAGE, the collectivity from the URL: 404 for anybody else):

- `adoption`: the state of the programme and its legal periods; put the draft to
  public consultation (and links to the consultation's own pages, where the moderation,
  the synthesis and the responses per section are written); what the consultation said
  commitment by commitment and what changed since; put the adoption on a council
  agenda; adopt with the council's decision, amend, evaluate, close, abandon; the adopted
  versions; the CSV export and import of commitments and milestones. Each action is a
  POST answered by the case engine's `action_post` (403, 409, 400 with the errors beside
  the fields, else a message and a redirect);
- `adoption-import` (POST): the CSV import; its errors listed by line and column;
- `adoption-csv`, `adoption-version`: the CSV and a version's JSON file, for staff.

Public (a network member's programme, not abandoned, else 404):

- `version`: an adopted version's JSON file (application/json, shown in the browser,
  never sniffed nor run);
- `commitments-csv`: the commitments and milestones as CSV (a download).

No JavaScript; readable on a 360 px phone (lists, no table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.cases.selectors import case_deadlines
from infitah.cases.views import CasePage, PageAction, action_availability, form_errors
from infitah.lib.bounds import whole_number
from infitah.lib.casework import private
from infitah.openplan import exchange
from infitah.openplan.adoption_forms import (
    AbandonForm,
    ConsultForm,
    DecisionForm,
    ImportForm,
    NoteForm,
    ScheduleForm,
)
from infitah.openplan.files import SECURE_FILE_HEADERS, stored_file_response
from infitah.openplan.models import Programme, Version
from infitah.openplan.process import PROCESS
from infitah.openplan.services import adoption
from infitah.openplan.workflow import Action, Status
from infitah.territories.models import Collectivity
from infitah.territories.selectors import network_collectivity_or_404

TEMPLATE = "openplan/adoption/page.html"


def _id_or_404(raw: object, maximum: int | None = None) -> int:
    found = (
        whole_number(raw, minimum=1)
        if maximum is None
        else whole_number(raw, minimum=1, maximum=maximum)
    )
    if found is None:
        raise Http404
    return found


def _optional_url(name: str, **kwargs: Any) -> str:
    """The URL `name` if it is routed, else "" (a page another part is building)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _staff_programme(request: HttpRequest, pk: int, **url: Any) -> Programme:
    found = (
        Programme.objects.filter(collectivity=_collectivity(request), pk=_id_or_404(pk))
        .select_related("collectivity", "consultation")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _url(name: str, programme: Programme, **extra: Any) -> str:
    return reverse(
        f"openplan-staff:{name}",
        kwargs={"slug": programme.collectivity.slug, "pk": programme.pk, **extra},
    )


def _decision_form(case: Programme, data: Any, *, amend: bool, name: str) -> Form:
    return DecisionForm(
        data,
        items=adoption.decision_candidates(case),
        note_required=amend,
        auto_id=f"id_{name}_%s",
    )


ACTIONS: dict[str, PageAction] = {
    "consult": PageAction(
        form=lambda case, data, files: ConsultForm(data, auto_id="id_consult_%s"),
        call=lambda case, user, form: adoption.programme_consult(
            programme=case,
            actor=user,
            opens_at=form.cleaned_data["opens_at"],
            closes_at=form.cleaned_data["closes_at"],
            moderation=form.cleaned_data["moderation"],
        ),
        step=Action.CONSULT,
        perm=Perm.PARTICIPATION_MANAGE,
        done=gettext_lazy("The draft is put to public consultation, one section per commitment."),
    ),
    "schedule": PageAction(
        form=lambda case, data, files: ScheduleForm(
            data, sessions=adoption.sessions_to_schedule(case), auto_id="id_schedule_%s"
        ),
        call=lambda case, user, form: adoption.programme_schedule(
            programme=case, actor=user, session=cast(ScheduleForm, form).chosen()
        ),
        perm=Perm.COUNCIL_MANAGE,
        available=lambda case: (
            case.status not in adoption.FINAL and bool(adoption.sessions_to_schedule(case))
        ),
        done=gettext_lazy("The item is added to the agenda of the session."),
    ),
    "adopt": PageAction(
        form=lambda case, data, files: _decision_form(case, data, amend=False, name="adopt"),
        call=lambda case, user, form: adoption.programme_adopt(
            programme=case,
            actor=user,
            agenda_item=cast(DecisionForm, form).chosen(),
            note=form.cleaned_data["note"],
        ),
        step=Action.ADOPT,
        # After the consultation on the draft, if any, has closed (the service checks).
        available=lambda case: case.consultation is None or case.consultation.is_closed,
        done=gettext_lazy("The programme is adopted: version 1 is frozen and published."),
    ),
    "amend": PageAction(
        form=lambda case, data, files: _decision_form(case, data, amend=True, name="amend"),
        call=lambda case, user, form: adoption.programme_amend(
            programme=case,
            actor=user,
            agenda_item=cast(DecisionForm, form).chosen(),
            note=form.cleaned_data["note"],
        ),
        step=Action.AMEND,
        done=gettext_lazy("The amendment is adopted: the new version is frozen and published."),
    ),
    "evaluate": PageAction(
        form=lambda case, data, files: NoteForm(data, auto_id="id_evaluate_%s"),
        call=lambda case, user, form: adoption.programme_evaluate(
            programme=case, actor=user, note=form.cleaned_data["note"]
        ),
        step=Action.EVALUATE,
    ),
    "close": PageAction(
        form=lambda case, data, files: NoteForm(data, auto_id="id_close_%s"),
        call=lambda case, user, form: adoption.programme_close(
            programme=case, actor=user, note=form.cleaned_data["note"]
        ),
        step=Action.CLOSE,
    ),
    "abandon": PageAction(
        form=lambda case, data, files: AbandonForm(data, auto_id="id_abandon_%s"),
        call=lambda case, user, form: adoption.programme_abandon(
            programme=case, actor=user, reason=form.cleaned_data["reason"]
        ),
        step=Action.ABANDON,
    ),
}


def _forms(
    case: Programme, available: Mapping[str, bool], bound: Mapping[str, Form]
) -> dict[str, Form]:
    """The form of each action offered now (the bound one after an error)."""
    return {
        name: bound.get(name) or spec.form(case, None, None)
        for name, spec in ACTIONS.items()
        if available[name] or name in bound
    }


def _draw(
    request: HttpRequest,
    programme: Programme,
    status: int,
    bound: Mapping[str, Form],
    import_form: ImportForm | None = None,
    import_errors: list[exchange.LineError] | None = None,
    **url: Any,
) -> HttpResponse:
    collectivity = programme.collectivity
    available = action_availability(PROCESS, ACTIONS, programme, _user(request))
    consultation = programme.consultation
    slug = collectivity.slug
    importable = programme.status in exchange.IMPORTABLE
    context = {
        "collectivity": collectivity,
        "programme": programme,
        "forms": _forms(programme, available, bound),
        "actions": available,
        "consultation": consultation,
        "changes": adoption.consultation_changes(programme) if consultation else [],
        "consultation_links": {
            "staff": reverse(
                "consultations-staff:detail", kwargs={"slug": slug, "pk": consultation.pk}
            ),
            "moderation": reverse(
                "consultations-staff:moderation", kwargs={"slug": slug, "pk": consultation.pk}
            ),
            "synthesis": reverse(
                "consultations-staff:synthesis", kwargs={"slug": slug, "pk": consultation.pk}
            ),
            "public": reverse("consultations:detail", kwargs={"slug": slug, "pk": consultation.pk}),
        }
        if consultation
        else {},
        "versions": list(
            Version.objects.filter(programme=programme)
            .select_related("agenda_item__session")
            .order_by("number")
        ),
        "deadlines": case_deadlines(programme),
        "importable": importable,
        "import_form": import_form or (ImportForm(auto_id="id_import_%s") if importable else None),
        "import_errors": import_errors or [],
        "programme_url": _optional_url("openplan-staff:programme", slug=slug, pk=programme.pk),
        "public_url": _optional_url("openplan:programme", slug=slug, pk=programme.pk)
        if collectivity.is_network_member and programme.status != Status.ABANDONED
        else "",
    }
    return private(render(request, TEMPLATE, context, status=status))


ADOPTION_PAGE = CasePage(
    PROCESS,
    ACTIONS,
    find=_staff_programme,
    draw=_draw,
    back=lambda request, programme, **url: _url("adoption", programme),
)
adoption_page = staff_view(Perm.OPENPLAN_MANAGE)(require_GET(ADOPTION_PAGE.view))
# staff_view outermost: an outsider gets 404, even on a GET.
adoption_action = staff_view(Perm.OPENPLAN_MANAGE)(ADOPTION_PAGE.action_view)


@staff_view(Perm.OPENPLAN_MANAGE)
@require_POST
def adoption_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the commitments and milestones of a CSV file; its errors by line."""
    programme = _staff_programme(request, pk)
    form = ImportForm(request.POST, request.FILES, auto_id="id_import_%s")
    if programme.status not in exchange.IMPORTABLE:
        messages.error(
            request,
            _(
                "Commitments are imported only while the programme is in co-creation or under consultation."
            ),
        )
        return _draw(request, programme, 409, {}, import_form=form)
    errors: list[exchange.LineError] = []
    if form.is_valid():
        try:
            result = exchange.commitments_import(
                programme=programme, actor=_user(request), data=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect(_url("adoption", programme))
            errors = result.errors
    return _draw(request, programme, 400, {}, import_form=form, import_errors=errors)


def _csv_response(programme: Programme) -> HttpResponse:
    content = exchange.commitments_csv(programme).encode("utf-8")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = f"{programme.reference or programme.pk}-commitments.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


@staff_view(Perm.OPENPLAN_MANAGE)
@require_GET
def adoption_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return private(_csv_response(_staff_programme(request, pk)))


@staff_view(Perm.OPENPLAN_MANAGE)
@require_GET
def adoption_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    programme = _staff_programme(request, pk)
    version = programme.versions.filter(number=_id_or_404(number, 999)).first()
    if version is None:
        raise Http404
    return private(stored_file_response(version, inline=True, content_type="application/json"))  # type: ignore[return-value]


# --- public files ---------------------------------------------------------------------------


def _public_programme(collectivity: Collectivity, pk: int) -> Programme:
    found = (
        Programme.objects.public()
        .filter(collectivity=collectivity, pk=_id_or_404(pk))
        .select_related("collectivity")
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def version_file(request: HttpRequest, slug: str, pk: int, number: int) -> FileResponse:
    """An adopted version's JSON file (its bytes as frozen and registered)."""
    programme = _public_programme(network_collectivity_or_404(slug), pk)
    version = programme.versions.filter(number=_id_or_404(number, 999)).first()
    if version is None:
        raise Http404
    return stored_file_response(version, inline=True, content_type="application/json")


@require_GET
def commitments_csv_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The programme's commitments and milestones as CSV (exchange.py's layout)."""
    return _csv_response(_public_programme(network_collectivity_or_404(slug), pk))
