"""Pages of petitions: the public list and page of a petition, drafting and signing, the
agent's private page, the council bureau's pages, and the network's integrity settings.

No page needs JavaScript. Public pages never show a signatory; the agent's page and every
confirmation page are private (no-store, noindex). Confirmations happen on POST only: a
GET of an e-mailed link shows a button (mail scanners open links, they do not submit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view, verified_login_required
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, Perm, has_network_perm
from infitah.cases.selectors import case_deadlines
from infitah.cases.views import CasePage, PageAction, list_filter
from infitah.idempotency.submissions import submission_result, submitted_once
from infitah.lib.bounds import whole_number
from infitah.lib.casework import private
from infitah.lib.pdf import PdfUnavailable
from infitah.lib.pii import pii_decrypt
from infitah.petitions import pdf, selectors, services, signatures
from infitah.petitions.forms import (
    AcceptForm,
    ChecklistMixin,
    DecideForm,
    DraftForm,
    ImportForm,
    IntegritySettingsForm,
    InvalidateForm,
    PaperPetitionForm,
    PetitionSettingsForm,
    RejectForm,
    ScheduleForm,
    SignForm,
    add_service_errors,
    place_choices,
)
from infitah.petitions.integrity import (
    client_ip,
    integrity_settings_get,
    integrity_settings_save,
)
from infitah.petitions.models import Petition
from infitah.petitions.process import PROCESS
from infitah.petitions.selectors import ChecklistFacts, PetitionSummary
from infitah.petitions.signatures import AlreadySigned, NotCollecting, RateLimited
from infitah.petitions.thresholds import Threshold, threshold_met
from infitah.petitions.workflow import (
    CHECKLIST,
    LODGED_STATES,
    Action,
    PetitionerKind,
    SignatureStatus,
    Status,
    TransitionNotAllowed,
)
from infitah.territories.models import Collectivity, Kind
from infitah.territories.selectors import network_collectivity_or_404 as _collectivity_or_404

SIGNATORIES_PAGE = 50
ACCEPTED = frozenset({Status.ACCEPTED, Status.SCHEDULED, Status.DELIBERATED})
PENDING = frozenset({Status.LODGED, Status.BUREAU_REVIEW})
# States in which the decision clock runs.
CLOCK_RUNNING = PENDING | {Status.ACCEPTED, Status.SCHEDULED}


def _public_or_404(slug: str, pk: int) -> Petition:
    petition = selectors.petition_get_public(pk)
    if petition is None or petition.collectivity.slug != slug:
        raise Http404
    return petition


def _places(collectivity: Collectivity, threshold: Threshold | None = None) -> list[Any]:
    """The <select> choices of the communes of the territory (grouped by prefecture or
    province for a region)."""
    places = selectors.residence_choices(collectivity)
    groups: dict[int, str] | None = None
    if collectivity.kind == Kind.REGION:
        provinces = (
            [p for p, _minimum in threshold.per_province]
            if threshold is not None
            else selectors.region_provinces(collectivity)
        )
        groups = {p.pk: p.name for p in provinces}
    return place_choices(places, groups)


def _percent(confirmed: int, required: int) -> int:
    return min(100, confirmed * 100 // required) if required > 0 else 100


def _language(request: HttpRequest) -> str:
    return "fr" if (getattr(request, "LANGUAGE_CODE", "") or "ar").startswith("fr") else "ar"


# --------------------------------------------------------------------------- public


@dataclass(frozen=True)
class PublicStatistics:
    """What the DGCT counts: petitions by filer type, accepted, rejected, pending."""

    total: int
    citizens: int
    associations: int
    collecting: int
    pending: int
    accepted: int
    rejected: int
    withdrawn: int


def _statistics(rows: list[PetitionSummary]) -> PublicStatistics:
    statuses = [row.petition.status for row in rows]
    kinds = [row.petition.petitioner_kind for row in rows]
    return PublicStatistics(
        total=len(rows),
        citizens=kinds.count(PetitionerKind.CITIZENS),
        associations=kinds.count(PetitionerKind.ASSOCIATION),
        collecting=statuses.count(Status.COLLECTING),
        pending=sum(1 for s in statuses if s in PENDING),
        accepted=sum(1 for s in statuses if s in ACCEPTED),
        rejected=statuses.count(Status.REJECTED),
        withdrawn=statuses.count(Status.WITHDRAWN),
    )


def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The collectivity's petitions (not drafts) with their progress, the rule of its
    threshold, and the statistics. Not page-cached: the counts move (≤ 5 s behind)."""
    collectivity = _collectivity_or_404(slug)
    rows = selectors.petition_public_list(collectivity)
    return render(
        request,
        "petitions/home.html",
        {
            "collectivity": collectivity,
            "threshold": selectors.threshold_for(collectivity),
            "rows": [(row, _percent(row.confirmed, row.required)) for row in rows],
            "stats": _statistics(rows),
        },
    )


def draft(request: HttpRequest, slug: str) -> HttpResponse:
    """The petition form; once entered, the agent confirms their e-mail from the link."""
    collectivity = _collectivity_or_404(slug)
    form = DraftForm(request.POST or None, collectivity=collectivity, seats=_places(collectivity))
    if request.method == "POST" and form.is_valid() and form.petition_input is not None:
        try:
            services.petition_draft(
                collectivity=collectivity,
                data=form.petition_input,
                language=_language(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("petitions:draft-sent", slug=collectivity.slug)
    return render(
        request,
        "petitions/draft.html",
        {
            "collectivity": collectivity,
            "form": form,
            "threshold": selectors.threshold_for(collectivity),
        },
        status=200 if request.method != "POST" else 400,
    )


def draft_sent(request: HttpRequest, slug: str) -> HttpResponse:
    collectivity = _collectivity_or_404(slug)
    return render(request, "petitions/sent.html", {"collectivity": collectivity, "what": "draft"})


def _detail_context(petition: Petition, *, sign_form: SignForm | None = None) -> dict[str, Any]:
    # Read once: the threshold and the privacy notice beside the signing form use them.
    petition_settings = selectors.petition_settings_get(petition.collectivity)
    threshold = selectors.threshold_for(petition, petition_settings=petition_settings)
    confirmed = selectors.confirmed_count(petition)
    required = petition.threshold_at_lodging or threshold.required
    progress = selectors.province_progress(petition, threshold=threshold)
    collecting = petition.status == Status.COLLECTING
    if collecting and sign_form is None:
        sign_form = SignForm(places=_places(petition.collectivity, threshold), auto_id="id_%s")
    return {
        "petition": petition,
        "collectivity": petition.collectivity,
        "threshold": threshold,
        "required": required,
        "confirmed": confirmed,
        "percent": _percent(confirmed, required),
        "provinces": [(row, _percent(row.confirmed, row.required)) for row in progress],
        "sign_form": sign_form if collecting else None,
        "petition_settings": petition_settings,
    }


def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The public page of a petition: never its signatories."""
    petition = _public_or_404(slug, pk)
    return render(request, "petitions/detail.html", _detail_context(petition))


@submitted_once
def sign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Sign a petition (POST); a GET goes back to the petition's form."""
    petition = _public_or_404(slug, pk)
    if request.method != "POST":
        return redirect(reverse("petitions:detail", kwargs={"slug": slug, "pk": pk}) + "#sign")
    threshold = selectors.threshold_for(petition)
    form = SignForm(request.POST, places=_places(petition.collectivity, threshold))
    status = 400
    headers: dict[str, str] = {}
    if form.is_valid():
        try:
            signatures.signature_submit(
                petition=petition,
                data=form.signature_input,
                ip=client_ip(request),
                language=_language(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        except AlreadySigned as exc:
            form.add_error("cin", exc.message)
            status = 409
        except RateLimited as exc:
            minutes = max(1, (exc.retry_after + 59) // 60)
            form.add_error(
                None,
                [
                    exc.message or _("Too many signatures in the last hour."),
                    _("Try again in %(minutes)d minutes.") % {"minutes": minutes},
                ],
            )
            status = 429
            headers["Retry-After"] = str(exc.retry_after)
        except NotCollecting as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return submission_result(redirect("petitions:sign-sent", slug=slug, pk=pk))
    response = render(
        request,
        "petitions/detail.html",
        _detail_context(petition, sign_form=form),
        status=status,
    )
    for name, value in headers.items():
        response[name] = value
    return response


def sign_sent(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    petition = _public_or_404(slug, pk)
    return render(
        request,
        "petitions/sent.html",
        {"collectivity": petition.collectivity, "petition": petition, "what": "signature"},
    )


@never_cache
def signature_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a signatory's e-mail: a GET shows a button, only a POST confirms."""
    found = signatures.signature_by_token(token)
    if request.method == "POST":
        if found is None:
            raise Http404
        petition = found.petition
        try:
            signature = signatures.signature_confirm(token=token)
        except NotCollecting as exc:
            messages.error(request, exc.message)
        else:
            if signature is not None and signature.status == SignatureStatus.CONFIRMED:
                messages.success(request, _("Thank you: your signature is confirmed and counted."))
            else:
                messages.error(request, _("This signature was not counted."))
        return private(
            redirect("petitions:detail", slug=petition.collectivity.slug, pk=petition.pk)
        )
    pending = found is not None and found.status == SignatureStatus.PENDING
    return private(
        render(
            request,
            "petitions/confirm.html",
            {
                "what": "signature",
                "petition": found.petition if pending and found is not None else None,
            },
            status=200 if pending else 404,
        )
    )


@never_cache
def agent_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the agent's first e-mail: a GET shows a button, a POST confirms the
    address and opens the petition to signatures."""
    found = services.petition_by_confirm_token(token)
    usable = found is not None and found.status == Status.DRAFT
    if request.method == "POST":
        if found is None or not usable:
            raise Http404
        try:
            services.petition_confirm_agent(petition=found)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your e-mail address is confirmed: the petition is open."))
        return private(
            redirect("petitions:manage", token=pii_decrypt(found.manage_token_encrypted))
        )
    return private(
        render(
            request,
            "petitions/confirm.html",
            {"what": "agent", "petition": found if usable else None},
            status=200 if usable else 404,
        )
    )


def _managed_or_404(token: str) -> Petition:
    found = services.petition_by_manage_token(token)
    if found is None:
        raise Http404
    return found


def _no_form(case: Petition, data: Any, files: Any) -> Form:
    # The agent's and some bureau's actions are one button: nothing to fill in.
    return Form(data)


# The agent's actions on their private page (behind the secret link of their e-mails).
AGENT_ACTIONS = {
    "confirm": PageAction(
        form=_no_form,
        call=lambda case, user, form: services.petition_confirm_agent(petition=case),
        step=Action.CONFIRM_AGENT,
        done=gettext_lazy("Your e-mail address is confirmed: the petition is open."),
    ),
    "lodge": PageAction(
        form=_no_form,
        call=lambda case, user, form: services.petition_lodge(petition=case),
        step=Action.LODGE,
        done=gettext_lazy("The petition is lodged. Download your receipt below."),
    ),
    "withdraw": PageAction(
        form=_no_form,
        call=lambda case, user, form: services.petition_withdraw(petition=case),
        step=Action.WITHDRAW,
        done=gettext_lazy("The petition is withdrawn."),
    ),
}


def _manage_draw(
    request: HttpRequest, petition: Petition, status: int, bound: dict[str, Form], *, token: str
) -> HttpResponse:
    threshold = selectors.threshold_for(petition)
    required = petition.threshold_at_lodging or threshold.required
    can = MANAGE.availability(petition)
    if can["lodge"]:
        # The agent decides on lodging: exact figures, not the cached ones.
        by_province = selectors.counts_by_province_exact(petition)
        confirmed = sum(by_province.values())
        progress = selectors.province_progress(petition, threshold=threshold, fresh=True)
        can_lodge = threshold_met(threshold, confirmed, by_province)
    else:
        confirmed = selectors.confirmed_count(petition)
        progress = selectors.province_progress(petition, threshold=threshold)
        can_lodge = False
    context = {
        "petition": petition,
        "collectivity": petition.collectivity,
        "token": token,
        "threshold": threshold,
        "required": required,
        "confirmed": confirmed,
        "percent": _percent(confirmed, required),
        "provinces": [(row, _percent(row.confirmed, row.required)) for row in progress],
        "can_confirm": can["confirm"],
        "can_lodge": can_lodge,
        "can_withdraw": can["withdraw"],
        "has_receipt": bool(petition.reference) and petition.status in LODGED_STATES,
        "deadlines": case_deadlines(petition),
    }
    return render(request, "petitions/manage.html", context, status=status)


# The agent's private page, behind the secret link of their e-mails.
MANAGE = CasePage(
    PROCESS,
    AGENT_ACTIONS,
    find=lambda request, token: _managed_or_404(token),
    draw=_manage_draw,
    back=lambda request, petition, token: reverse("petitions:manage", kwargs={"token": token}),
    private=True,
)


manage = MANAGE.view
# The agent confirms their address, lodges the petition or withdraws it.
manage_action = MANAGE.action_view


def _pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


def _receipt_response(request: HttpRequest, petition: Petition, back: str) -> HttpResponse:
    if not petition.reference or petition.status not in LODGED_STATES:
        raise Http404
    try:
        data = pdf.receipt_pdf(petition)
    except PdfUnavailable:
        messages.error(
            request,
            _("PDF files cannot be made on this server at the moment. Please try again later."),
        )
        return private(redirect(back))
    return _pdf_response(data, f"{petition.reference}-receipt.pdf")


@never_cache
def manage_receipt(request: HttpRequest, token: str) -> HttpResponse:
    petition = _managed_or_404(token)
    return _receipt_response(request, petition, reverse("petitions:manage", args=[token]))


# ---------------------------------------------------------------------------- staff


def _staff_petition(request: HttpRequest, pk: int) -> Petition:
    found = selectors.petition_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


@staff_view(Perm.PETITIONS_HANDLE)
def staff_list(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    state = list_filter(request, selectors.STAFF_FILTERS)
    today = timezone.localdate()
    rows = selectors.petition_staff_list(collectivity=collectivity, state=state)
    return render(
        request,
        "petitions/staff/list.html",
        {
            "collectivity": collectivity,
            "rows": [
                (
                    p,
                    p.status in CLOCK_RUNNING
                    and p.decision_due is not None
                    and p.decision_due < today,
                )
                for p in rows
            ],
            "state": state,
            "states": list(selectors.STAFF_FILTERS),
        },
    )


def _checklist_initial(petition: Petition) -> dict[str, bool]:
    return {key: bool(petition.checklist.get(key)) for key in CHECKLIST}


def _below_threshold(petition: Petition) -> ChecklistFacts | None:
    """The exact counts when a petition under review has fewer confirmed signatures than
    its threshold (the accept form then asks for an explicit confirmation), else None."""
    if petition.status != Status.BUREAU_REVIEW:
        return None
    facts = selectors.checklist_facts(petition)
    return facts if facts.confirmed < facts.required else None


def _checked(form: Form) -> dict[str, bool]:
    """The boxes ticked on an accept or reject form."""
    assert isinstance(form, ChecklistMixin)
    return form.checklist


# The bureau's actions on a petition (URL segment → its form, its service, its step).
STAFF_ACTIONS = {
    "review": PageAction(
        form=_no_form,
        call=lambda case, user, form: services.petition_review_start(petition=case, actor=user),
        step=Action.REVIEW,
    ),
    "accept": PageAction(
        form=lambda case, data, files: AcceptForm(
            data,
            initial=_checklist_initial(case),
            auto_id="id_accept_%s",
            below_threshold=_below_threshold(case) is not None,
        ),
        call=lambda case, user, form: services.petition_accept(
            petition=case,
            actor=user,
            checklist=_checked(form),
            note=form.cleaned_data["note"],
            confirm_below_threshold=bool(form.cleaned_data.get("confirm_below_threshold")),
            below_threshold_reason=form.cleaned_data.get("below_threshold_reason") or "",
        ),
        step=Action.ACCEPT,
    ),
    "reject": PageAction(
        form=lambda case, data, files: RejectForm(
            data, initial=_checklist_initial(case), auto_id="id_reject_%s"
        ),
        call=lambda case, user, form: services.petition_reject(
            petition=case,
            actor=user,
            reasons=form.cleaned_data["reasons"],
            checklist=_checked(form),
        ),
        step=Action.REJECT,
    ),
    "schedule": PageAction(
        form=lambda case, data, files: ScheduleForm(
            data,
            initial={"session_date": case.session_date, "session_title": case.session_title},
            auto_id="id_schedule_%s",
        ),
        call=lambda case, user, form: services.petition_schedule(
            petition=case,
            actor=user,
            session_date=form.cleaned_data["session_date"],
            session_title=form.cleaned_data["session_title"],
        ),
        step=Action.SCHEDULE,
    ),
    "decide": PageAction(
        form=lambda case, data, files: DecideForm(data, auto_id="id_decide_%s"),
        call=lambda case, user, form: services.petition_decide(
            petition=case,
            actor=user,
            decision_ar=form.cleaned_data["decision_ar"],
            decision_fr=form.cleaned_data["decision_fr"],
        ),
        step=Action.DECIDE,
    ),
    # At the agent's written request.
    "withdraw": PageAction(
        form=_no_form,
        call=lambda case, user, form: services.petition_withdraw(petition=case, actor=user),
        step=Action.WITHDRAW,
    ),
}


def _staff_draw(
    request: HttpRequest, petition: Petition, status: int, bound: dict[str, Form], **url: Any
) -> HttpResponse:
    facts = selectors.checklist_facts(petition)
    context = {
        "collectivity": petition.collectivity,
        "petition": petition,
        "today": timezone.localdate(),
        "facts": facts,
        "threshold": selectors.threshold_for(petition),
        "percent": _percent(facts.confirmed, facts.required),
        "below_threshold": (
            facts
            if petition.status == Status.BUREAU_REVIEW and facts.confirmed < facts.required
            else None
        ),
        "forms": STAFF_PAGE.forms(petition, bound),
        "actions": STAFF_PAGE.availability(petition, _user(request)),
        "checklist": [(label, petition.checklist.get(key)) for key, label in CHECKLIST.items()],
        "paper_allowed": signatures.paper_allowed(petition),
        "has_receipt": bool(petition.reference) and petition.status in LODGED_STATES,
        "deadlines": case_deadlines(petition),
        "events": selectors.petition_events(petition),
    }
    return render(request, "petitions/staff/detail.html", context, status=status)


# The bureau's page of a petition.
STAFF_PAGE = CasePage(
    PROCESS,
    STAFF_ACTIONS,
    find=_staff_petition,
    draw=_staff_draw,
    back=lambda request, petition, **url: reverse(
        "petitions-staff:detail", kwargs={"slug": petition.collectivity.slug, "pk": petition.pk}
    ),
)


staff_detail = staff_view(Perm.PETITIONS_HANDLE)(STAFF_PAGE.view)
# staff_view outermost: an outsider gets 404, even on a GET.
staff_action = staff_view(Perm.PETITIONS_HANDLE)(STAFF_PAGE.action_view)


@staff_view(Perm.PETITIONS_HANDLE)
def staff_signatures(request: HttpRequest, pk: int) -> HttpResponse:
    """The signatories (the bureau only): name, masked CIN, commune, date, channel."""
    petition = _staff_petition(request, pk)
    status = request.GET.get("status", SignatureStatus.CONFIRMED)
    if status not in SignatureStatus.values:
        status = "all"
    # Anything but a page number (ASCII digits, within the shared bound): the first page.
    page = whole_number(request.GET.get("page"), minimum=1) or 1
    rows = selectors.signatory_list(
        petition=petition,
        viewer=_user(request),
        status=status,
        offset=(page - 1) * SIGNATORIES_PAGE,
        limit=SIGNATORIES_PAGE + 1,
    )
    return private(
        render(
            request,
            "petitions/staff/signatures.html",
            {
                "collectivity": petition.collectivity,
                "petition": petition,
                "rows": rows[:SIGNATORIES_PAGE],
                "page": page,
                "has_next": len(rows) > SIGNATORIES_PAGE,
                "status": status,
                "statuses": [*SignatureStatus.choices, ("all", _("All"))],
                "first": (page - 1) * SIGNATORIES_PAGE,
            },
        )
    )


def _signature_add_render(
    request: HttpRequest, petition: Petition, form: SignForm, *, status: int = 200
) -> HttpResponse:
    return private(
        render(
            request,
            "petitions/staff/signature_add.html",
            {
                "collectivity": petition.collectivity,
                "petition": petition,
                "form": form,
                "paper_allowed": signatures.paper_allowed(petition),
            },
            status=status,
        )
    )


@staff_view(Perm.PETITIONS_HANDLE)
def staff_signature_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter one signature of a paper list: confirmed at once, channel paper."""
    petition = _staff_petition(request, pk)
    places = _places(petition.collectivity)
    if request.method != "POST":
        return _signature_add_render(request, petition, SignForm(places=places, paper=True))
    form = SignForm(request.POST, places=places, paper=True)
    status = 400
    if form.is_valid():
        try:
            signatures.signature_paper_add(
                petition=petition, actor=_user(request), data=form.signature_input
            )
        except AlreadySigned as exc:
            form.add_error("cin", exc.message)
            status = 409
        except NotCollecting as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The signature is entered and counted."))
            return redirect("petitions-staff:signature-add", slug=petition.collectivity.slug, pk=pk)
    return _signature_add_render(request, petition, form, status=status)


@staff_view(Perm.PETITIONS_HANDLE)
def staff_signatures_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a paper list from a CSV file: all lines or none, errors by line."""
    petition = _staff_petition(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = signatures.signatures_import_csv(
                    petition=petition, actor=_user(request), file=form.cleaned_data["file"]
                )
            except NotCollecting as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                if result.ok:
                    messages.success(
                        request,
                        _("%(count)d signatures imported and counted.")
                        % {"count": result.imported},
                    )
                    return redirect(
                        "petitions-staff:signatures", slug=petition.collectivity.slug, pk=pk
                    )
                errors = result.errors
                form.add_error(None, _("Nothing was imported: correct the lines below."))
    return private(
        render(
            request,
            "petitions/staff/import.html",
            {
                "collectivity": petition.collectivity,
                "petition": petition,
                "form": form,
                "errors": errors[:1000],
                "more_errors": max(0, len(errors) - 1000),
                "paper_allowed": signatures.paper_allowed(petition),
            },
            status=status,
        )
    )


@staff_view(Perm.PETITIONS_HANDLE)
def staff_integrity(request: HttpRequest, pk: int) -> HttpResponse:
    """Statistics of the signing, and bulk invalidation with a reason."""
    petition = _staff_petition(request, pk)
    form = InvalidateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = signatures.signatures_invalidate(
                    petition=petition,
                    actor=_user(request),
                    by_ip=form.cleaned_data["by_ip"] or None,
                    window=form.window,
                    domain=form.cleaned_data["domain"] or None,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("%(count)d signatures invalidated; the counts are recomputed.")
                    % {"count": done.count},
                )
                return redirect("petitions-staff:integrity", slug=petition.collectivity.slug, pk=pk)
    return private(
        render(
            request,
            "petitions/staff/integrity.html",
            {
                "collectivity": petition.collectivity,
                "petition": petition,
                "stats": selectors.signature_statistics(petition),
                "form": form,
                "invalidations": selectors.invalidation_list(petition),
            },
            status=status,
        )
    )


@staff_view(Perm.PETITIONS_HANDLE)
def staff_register(request: HttpRequest) -> HttpResponse:
    """Register a petition lodged on paper: lodged at once, even below the threshold."""
    collectivity = _collectivity(request)
    form = PaperPetitionForm(
        request.POST or None, collectivity=collectivity, seats=_places(collectivity)
    )
    if request.method == "POST" and form.is_valid() and form.petition_input is not None:
        try:
            petition = services.petition_register_paper(
                collectivity=collectivity,
                data=form.petition_input,
                actor=_user(request),
                lodged_on=form.cleaned_data.get("lodged_on"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Petition %(reference)s registered. Enter its signatures now.")
                % {"reference": petition.reference},
            )
            return redirect("petitions-staff:detail", slug=collectivity.slug, pk=petition.pk)
    return render(
        request,
        "petitions/staff/register.html",
        {"collectivity": collectivity, "form": form},
        status=200 if request.method != "POST" else 400,
    )


@staff_view(Perm.PETITIONS_HANDLE)
def staff_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _staff_petition(request, pk)
    back = reverse(
        "petitions-staff:detail", kwargs={"slug": petition.collectivity.slug, "pk": petition.pk}
    )
    return _receipt_response(request, petition, back)


SETTINGS_FIELDS = tuple(PetitionSettingsForm.base_fields)


@staff_view(Perm.PETITIONS_HANDLE)
def staff_settings(request: HttpRequest) -> HttpResponse:
    """The collectivity's petition settings: the council's own threshold (with its basis)
    beside the law's, the spread, the association's years, retention, CNDP number."""
    collectivity = _collectivity(request)
    current = selectors.petition_settings_get(collectivity)
    initial = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    form = PetitionSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.petition_settings_save(
                    collectivity=collectivity, actor=_user(request), data=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Saved."))
                return redirect("petitions-staff:settings", slug=collectivity.slug)
    return render(
        request,
        "petitions/staff/settings.html",
        {
            "collectivity": collectivity,
            "form": form,
            "law": selectors.law_threshold_for(collectivity),
            "threshold": selectors.threshold_for(collectivity, petition_settings=current),
        },
        status=status,
    )


# -------------------------------------------------------------------------- network


@verified_login_required
def integrity_settings(request: HttpRequest) -> HttpResponse:
    """The network-wide limits of online signing: network administrators only (404)."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, NetworkPerm.INTEGRITY_MANAGE):
        raise Http404
    current = integrity_settings_get()
    initial = {
        "ip_limit_per_hour": current.ip_limit_per_hour,
        "domain_limit_per_hour": current.domain_limit_per_hour,
        "disposable_domains": current.disposable_domains,
        "enabled": current.enabled,
    }
    form = IntegritySettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                integrity_settings_save(actor=user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved: in force now on every petition."))
                return redirect("petitions:integrity-settings")
    return render(
        request,
        "petitions/integrity_settings.html",
        {"form": form, "current": current},
        status=status,
    )
