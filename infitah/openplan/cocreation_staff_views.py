"""Staff co-creation pages, under /<lang>/staff/<slug>/programmes/<pk>/cocreation/
(Perm.OPENPLAN_MANAGE; everyone else gets 404, as on every staff URL):

- `cocreation`: the board, by axis and kind (main proposals followed by their
  duplicates), filtered and paged, with a checkbox per proposal and one form for the
  selection — group under a main proposal, turn into a new draft commitment (its title
  on the board), link to an existing commitment — plus the workshops;
- workshops: add, change, remove (without proposals);
- record an on-site proposal;
- a proposal's page: hide / restore it (with a reason), take it out of its group, unlink
  it from a commitment, hide / restore its comments.

Every action is a POST calling one service: its ValidationError goes beside the fields
(400), NotAllowed is a message on the page (409); success redirects. No JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm
from infitah.lib.bounds import whole_number
from infitah.openplan import cocreation_selectors as selectors
from infitah.openplan.cocreation_forms import (
    ReasonForm,
    RecordForm,
    SelectionForm,
    WorkshopForm,
    service_errors,
)
from infitah.openplan.models import Commitment, Programme, Proposal, ProposalComment, Workshop
from infitah.openplan.services import cocreation as services
from infitah.openplan.services.cocreation import COCREATION, NotAllowed
from infitah.openplan.workflow import ProposalKind

TEMPLATES = "openplan/cocreation/staff"
MANAGE = Perm.OPENPLAN_MANAGE
# Proposals per page of the staff board; comments per page of a proposal.
PAGE = 100
COMMENTS_PAGE = 50


def _id_or_404(raw: object) -> int:
    found = whole_number(raw, minimum=1)
    if found is None:
        raise Http404
    return found


def _programme(request: HttpRequest, pk: int) -> Programme:
    found = selectors.programme_get(
        collectivity=_collectivity(request), pk=_id_or_404(pk), public=False
    )
    if found is None:
        raise Http404
    return found


def _workshop(programme: Programme, pk: int) -> Workshop:
    found = selectors.workshop_get(programme=programme, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _proposal(programme: Programme, pk: int) -> Proposal:
    found = selectors.proposal_get(programme=programme, pk=_id_or_404(pk), staff=True)
    if found is None:
        raise Http404
    return found


def _commitment(programme: Programme, pk: int) -> Commitment:
    found = selectors.commitment_get(programme=programme, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _comment(proposal: Proposal, pk: int) -> ProposalComment:
    found = selectors.comment_get(proposal=proposal, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _url(name: str, programme: Programme, **extra: Any) -> str:
    return reverse(
        f"openplan-staff:{name}",
        kwargs={"slug": programme.collectivity.slug, "pk": programme.pk, **extra},
    )


def _board_url(programme: Programme) -> str:
    return _url("cocreation", programme)


# --- the board -----------------------------------------------------------------------


def _filters(request: HttpRequest) -> dict[str, str]:
    axis = request.GET.get("axis", "")
    if axis != selectors.NO_AXIS and whole_number(axis, minimum=1) is None:
        axis = ""
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "all")
    return {
        "axis": axis,
        "kind": kind if kind in ProposalKind.values else "",
        "state": state if state in selectors.STAFF_STATES else "all",
    }


def _board(
    request: HttpRequest,
    programme: Programme,
    *,
    form: SelectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(selectors.staff_proposals(programme, **filters), PAGE).get_page(
        request.GET.get("page")
    )
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v and v != "all")
    ticked: set[int] = set()
    if form is not None and form.is_bound:
        raw = request.POST.getlist("proposals")
        ticked = {n for n in (whole_number(v) for v in raw) if n is not None}
    return render(
        request,
        f"{TEMPLATES}/board.html",
        {
            "collectivity": programme.collectivity,
            "programme": programme,
            "is_cocreation": programme.status in COCREATION,
            "axes": selectors.axis_list(programme),
            "kinds": ProposalKind.choices,
            "states": selectors.STAFF_STATES,
            "filters": filters,
            "no_axis": selectors.NO_AXIS,
            "page": page,
            "query": query,
            "ticked": ticked,
            "workshops": selectors.workshop_list(programme, staff=True),
            "commitments": selectors.commitment_list(programme),
            "form": form or SelectionForm(programme=programme, auto_id="id_sel_%s"),
            "act_url": _url("cocreation-act", programme) + (f"?{query}" if query else ""),
        },
        status=status,
    )


@staff_view(MANAGE)
def board(request: HttpRequest, pk: int) -> HttpResponse:
    return _board(request, _programme(request, pk))


@staff_view(MANAGE)
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's selection: group, a new commitment, or a link to a commitment."""
    programme = _programme(request, pk)
    form = SelectionForm(request.POST, programme=programme, auto_id="id_sel_%s")
    if not form.is_valid():
        return _board(request, programme, form=form, status=400)
    data = form.cleaned_data
    chosen = selectors.proposals_of(programme, (p.pk for p in data["proposals"]))
    actor = _user(request)
    try:
        if data["action"] == SelectionForm.GROUP:
            moved = services.proposal_group(proposals=chosen, under=data["under"], actor=actor)
            done = ngettext("%(n)d proposal grouped.", "%(n)d proposals grouped.", moved) % {
                "n": moved
            }
        elif data["action"] == SelectionForm.COMMITMENT:
            commitment = services.proposals_to_commitment(
                programme=programme,
                actor=actor,
                proposals=chosen,
                data={"title_ar": data["title_ar"], "title_fr": data["title_fr"]},
            )
            done = _("Commitment %(number)d is drafted from these proposals.") % {
                "number": commitment.number
            }
        else:
            services.proposals_link(commitment=data["commitment"], proposals=chosen, actor=actor)
            done = _("The proposals are linked to commitment %(number)d.") % {
                "number": data["commitment"].number
            }
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _board(request, programme, form=form, status=409)
    except ValidationError as exc:
        service_errors(form, exc)
        return _board(request, programme, form=form, status=400)
    messages.success(request, done)
    query = request.GET.urlencode()
    return redirect(_board_url(programme) + (f"?{query}" if query else ""))


# --- one-form pages ------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    programme: Programme,
    form: Form,
    call: Callable[[dict[str, Any]], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(cleaned data)` (the service); its
    errors go beside the fields (400) or above them (409); success goes back to the
    board."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except NotAllowed as exc:
                messages.error(request, exc.message)
                status = 409
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(back)
    return render(
        request,
        f"{TEMPLATES}/form.html",
        {
            "collectivity": programme.collectivity,
            "programme": programme,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "action": request.path,
        },
        status=status,
    )


@staff_view(MANAGE)
def workshop_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form = WorkshopForm(request.POST or None, programme=programme, auto_id="id_workshop_%s")
    return _form_page(
        request,
        programme,
        form,
        lambda data: services.workshop_save(
            programme=programme, actor=_user(request), data=form.to_data()
        ),
        title=gettext_lazy("New workshop"),
        button=gettext_lazy("Add the workshop"),
        back=_board_url(programme),
    )


@staff_view(MANAGE)
def workshop_edit(request: HttpRequest, pk: int, workshop: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _workshop(programme, workshop)
    form = WorkshopForm(
        request.POST or None,
        programme=programme,
        initial=WorkshopForm.initial_of(found),
        auto_id="id_workshop_%s",
    )
    return _form_page(
        request,
        programme,
        form,
        lambda data: services.workshop_save(
            programme=programme, actor=_user(request), data=form.to_data(), workshop=found
        ),
        title=found.title,
        button=gettext_lazy("Save"),
        back=_board_url(programme),
    )


@staff_view(MANAGE)
@require_POST
def workshop_delete(request: HttpRequest, pk: int, workshop: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _workshop(programme, workshop)
    try:
        services.workshop_delete(workshop=found, actor=_user(request))
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _board(request, programme, status=409)
    messages.success(request, _("The workshop is removed."))
    return redirect(_board_url(programme))


@staff_view(MANAGE)
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a proposal made on site."""
    programme = _programme(request, pk)
    initial = {}
    chosen = whole_number(request.GET.get("workshop", ""), minimum=1)
    if chosen is not None:
        initial["workshop"] = chosen
    form = RecordForm(
        request.POST or None, programme=programme, initial=initial, auto_id="id_record_%s"
    )

    def call(data: dict[str, Any]) -> object:
        found: Workshop = data["workshop"]
        found.programme = programme
        return services.proposal_record(
            workshop=found,
            actor=_user(request),
            kind=data["kind"],
            text=data["text"],
            axis=data["axis"],
            author_label=data["author_label"],
        )

    return _form_page(
        request,
        programme,
        form,
        call,
        title=gettext_lazy("Record a proposal made on site"),
        button=gettext_lazy("Record the proposal"),
        back=request.path + (f"?workshop={chosen}" if chosen is not None else ""),
    )


# --- a proposal ----------------------------------------------------------------------


def _proposal_page(
    request: HttpRequest,
    programme: Programme,
    proposal: Proposal,
    *,
    form: ReasonForm | None = None,
    comment_form: tuple[int, ReasonForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}/proposal.html",
        {
            "collectivity": programme.collectivity,
            "programme": programme,
            "is_cocreation": programme.status in COCREATION,
            "proposal": proposal,
            "duplicates": selectors.duplicates_of(proposal, staff=True),
            "trail": selectors.trail(proposal),
            "page": Paginator(selectors.comment_list(proposal, staff=True), COMMENTS_PAGE).get_page(
                request.GET.get("page")
            ),
            "form": form or ReasonForm(auto_id="id_hide_%s"),
            "comment_form": comment_form,
        },
        status=status,
    )


def _proposal_url(proposal: Proposal) -> str:
    return _url("cocreation-proposal", proposal.programme, proposal=proposal.pk)


@staff_view(MANAGE)
def proposal(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _proposal_page(request, programme, _proposal(programme, proposal))


def _proposal_action(
    request: HttpRequest,
    programme: Programme,
    proposal: Proposal,
    call: Callable[[], object],
    done: str,
    form: ReasonForm | None = None,
    comment: int | None = None,
) -> HttpResponse:
    def again(status: int) -> HttpResponse:
        if comment is not None and form is not None:
            return _proposal_page(
                request, programme, proposal, comment_form=(comment, form), status=status
            )
        return _proposal_page(request, programme, proposal, form=form, status=status)

    try:
        call()
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return again(409)
    except ValidationError as exc:
        if form is None:
            raise
        service_errors(form, exc)
        return again(400)
    messages.success(request, done)
    return redirect(_proposal_url(proposal))


@staff_view(MANAGE)
@require_POST
def proposal_hide(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    form = ReasonForm(request.POST, auto_id="id_hide_%s")
    if not form.is_valid():
        return _proposal_page(request, programme, found, form=form, status=400)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.proposal_hide(
            proposal=found, actor=_user(request), reason=form.cleaned_data["reason"]
        ),
        _("The proposal is hidden."),
        form,
    )


@staff_view(MANAGE)
@require_POST
def proposal_restore(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.proposal_restore(proposal=found, actor=_user(request)),
        _("The proposal is published again."),
    )


@staff_view(MANAGE)
@require_POST
def proposal_ungroup(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.proposal_ungroup(proposal=found, actor=_user(request)),
        _("The proposal is out of its group."),
    )


@staff_view(MANAGE)
@require_POST
def proposal_unlink(request: HttpRequest, pk: int, proposal: int, commitment: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    chosen = _commitment(programme, commitment)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.proposal_unlink(proposal=found, commitment=chosen, actor=_user(request)),
        _("The proposal is unlinked from the commitment."),
    )


@staff_view(MANAGE)
@require_POST
def comment_hide(request: HttpRequest, pk: int, proposal: int, comment: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    chosen = _comment(found, comment)
    form = ReasonForm(request.POST, auto_id=f"id_comment_{chosen.pk}_%s")
    if not form.is_valid():
        return _proposal_page(request, programme, found, comment_form=(chosen.pk, form), status=400)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.comment_hide(
            comment=chosen, actor=_user(request), reason=form.cleaned_data["reason"]
        ),
        _("The comment is hidden."),
        form,
        comment=chosen.pk,
    )


@staff_view(MANAGE)
@require_POST
def comment_restore(request: HttpRequest, pk: int, proposal: int, comment: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _proposal(programme, proposal)
    chosen = _comment(found, comment)
    return _proposal_action(
        request,
        programme,
        found,
        lambda: services.comment_restore(comment=chosen, actor=_user(request)),
        _("The comment is published again."),
    )
