"""Public co-creation pages, under /<lang>/c/<slug>/programmes/<pk>/:

- `cocreation`: the board — per axis, its problems and its proposed solutions (main
  proposals, their duplicates folded in them, the most supported first, each column
  paged on its own: `?axis=<pk|none>&kind=<kind>`), support counts, "became commitment
  N" badges, and the workshops (`?view=workshops` lists them all);
- `workshop`: a workshop and its proposals, and the form to propose while its online
  window is open;
- `proposal`: a proposal, its author's display name (never the e-mail) or "recorded on
  site", its comments, the support button, its duplicates, and the commitments it
  became.

A participant who is not signed in gets the participation module's join link (and is
sent there by the POST routes). No JavaScript: every action is a plain form. Pages hold
the session's participant, so they are never cached; only network members have them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from infitah.lib.bounds import whole_number
from infitah.openplan import cocreation_selectors as selectors
from infitah.openplan.cocreation_forms import (
    SUPPORT,
    CommentForm,
    ProposalForm,
    SupportForm,
    service_errors,
)
from infitah.openplan.models import Axis, Programme, Proposal, Workshop
from infitah.openplan.services import cocreation as services
from infitah.openplan.services.cocreation import COCREATION, NotAllowed
from infitah.openplan.workflow import ProposalKind
from infitah.participation.access import join_url
from infitah.participation.models import Participant
from infitah.participation.selectors import participant_from_request
from infitah.territories.selectors import network_collectivity_or_404

TEMPLATES = "openplan/cocreation"
# The board shows this many proposals per axis and kind; the column's page shows them
# all, PAGE at a time. Workshops: the latest WORKSHOPS on the board.
PREVIEW = 3
PAGE = 20
WORKSHOPS = 8
COMMENTS_PAGE = 15
DUPLICATES = 10


def _id_or_404(raw: object) -> int:
    found = whole_number(raw, minimum=1)
    if found is None:
        raise Http404
    return found


def _programme_or_404(slug: str, pk: int) -> Programme:
    collectivity = network_collectivity_or_404(slug)
    found = selectors.programme_get(collectivity=collectivity, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _workshop_or_404(programme: Programme, pk: int) -> Workshop:
    found = selectors.workshop_get(programme=programme, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _proposal_or_404(programme: Programme, pk: int) -> Proposal:
    found = selectors.proposal_get(programme=programme, pk=_id_or_404(pk))
    if found is None:
        raise Http404
    return found


def _url(name: str, programme: Programme, **extra: Any) -> str:
    return reverse(
        f"openplan:{name}",
        kwargs={"slug": programme.collectivity.slug, "pk": programme.pk, **extra},
    )


def _page(request: HttpRequest, items: Any, size: int) -> Page[Any]:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _base(request: HttpRequest, programme: Programme, here: str) -> dict[str, Any]:
    participant = participant_from_request(request)
    return {
        "collectivity": programme.collectivity,
        "programme": programme,
        "participant": participant,
        "join_url": join_url(here),
        "is_cocreation": programme.status in COCREATION,
        "board_url": _url("cocreation", programme),
    }


# --- the board -----------------------------------------------------------------------


def _column(programme: Programme, request: HttpRequest) -> tuple[Axis | None, str] | None:
    """The column `?axis=&kind=` asks for (404 for an axis of another programme), or
    None for the whole board."""
    raw_axis, kind = request.GET.get("axis", ""), request.GET.get("kind", "")
    if not raw_axis and not kind:
        return None
    if kind not in ProposalKind.values:
        raise Http404
    if raw_axis == selectors.NO_AXIS:
        return None, kind
    pk = _id_or_404(raw_axis)
    axis = next((a for a in selectors.axis_list(programme) if a.pk == pk), None)
    if axis is None:
        raise Http404
    return axis, kind


@never_cache
@require_GET
def cocreation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The co-creation board, one column of it, or every workshop."""
    programme = _programme_or_404(slug, pk)
    context = _base(request, programme, request.get_full_path())
    column = _column(programme, request)
    if column is not None:
        axis, kind = column
        page = _page(request, selectors.column_proposals(programme, axis=axis, kind=kind), PAGE)
        context.update(
            axis=axis,
            kind=kind,
            kind_label=ProposalKind(kind).label,
            page=page,
            query=f"axis={axis.pk if axis is not None else selectors.NO_AXIS}&kind={kind}",
        )
        return render(request, f"{TEMPLATES}/column.html", context)
    if request.GET.get("view") == "workshops":
        context["page"] = _page(request, selectors.workshop_list(programme), PAGE)
        context["query"] = "view=workshops"
        return render(request, f"{TEMPLATES}/workshops.html", context)
    workshops = list(selectors.workshop_list(programme)[: WORKSHOPS + 1])
    context.update(
        blocks=selectors.board(programme, preview=PREVIEW),
        totals=selectors.totals(programme),
        workshops=workshops[:WORKSHOPS],
        more_workshops=len(workshops) > WORKSHOPS,
    )
    return render(request, f"{TEMPLATES}/board.html", context)


# --- a workshop ----------------------------------------------------------------------


def _workshop_page(
    request: HttpRequest,
    programme: Programme,
    workshop: Workshop,
    *,
    form: ProposalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _base(request, programme, _url("workshop", programme, workshop=workshop.pk))
    context.update(
        workshop=workshop,
        page=_page(request, selectors.workshop_proposals(workshop), PAGE),
        can_propose=workshop.is_open and context["is_cocreation"],
        form=form or ProposalForm(workshop=workshop, auto_id="id_proposal_%s"),
    )
    return render(request, f"{TEMPLATES}/workshop.html", context, status=status)


@never_cache
@require_GET
def workshop(request: HttpRequest, slug: str, pk: int, workshop: int) -> HttpResponse:
    programme = _programme_or_404(slug, pk)
    return _workshop_page(request, programme, _workshop_or_404(programme, workshop))


@require_POST
def proposal_submit(request: HttpRequest, slug: str, pk: int, workshop: int) -> HttpResponse:
    """A verified participant proposes a problem or a solution in an open workshop."""
    programme = _programme_or_404(slug, pk)
    found = _workshop_or_404(programme, workshop)
    participant = participant_from_request(request)
    if participant is None:
        return redirect(join_url(_url("workshop", programme, workshop=found.pk)))
    form = ProposalForm(request.POST, workshop=found, auto_id="id_proposal_%s")
    if not form.is_valid():
        return _workshop_page(request, programme, found, form=form, status=400)
    try:
        proposal = services.proposal_submit(
            workshop=found,
            participant=participant,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            axis=form.cleaned_data.get("axis"),
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _workshop_page(request, programme, found, form=form, status=409)
    except ValidationError as exc:
        service_errors(form, exc)
        return _workshop_page(request, programme, found, form=form, status=400)
    messages.success(request, _("Thank you: your proposal is published."))
    return redirect(_url("proposal", programme, proposal=proposal.pk))


# --- a proposal ----------------------------------------------------------------------


def _proposal_page(
    request: HttpRequest,
    programme: Programme,
    proposal: Proposal,
    *,
    form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _base(request, programme, _url("proposal", programme, proposal=proposal.pk))
    participant: Participant | None = context["participant"]
    duplicates = list(selectors.duplicates_of(proposal)[: DUPLICATES + 1])
    context.update(
        proposal=proposal,
        trail=selectors.trail(proposal) if proposal.is_published else [],
        duplicates=duplicates[:DUPLICATES],
        more_duplicates=max(proposal.n_duplicates - DUPLICATES, 0),  # type: ignore[attr-defined]
        page=_page(request, selectors.comment_list(proposal), COMMENTS_PAGE),
        supported=bool(selectors.supported_by(participant, [proposal])),
        form=form or CommentForm(auto_id="id_comment_%s"),
    )
    return render(request, f"{TEMPLATES}/proposal.html", context, status=status)


@never_cache
@require_GET
def proposal(request: HttpRequest, slug: str, pk: int, proposal: int) -> HttpResponse:
    programme = _programme_or_404(slug, pk)
    return _proposal_page(request, programme, _proposal_or_404(programme, proposal))


@require_POST
def proposal_comment(request: HttpRequest, slug: str, pk: int, proposal: int) -> HttpResponse:
    """A verified participant comments on a published proposal."""
    programme = _programme_or_404(slug, pk)
    found = _proposal_or_404(programme, proposal)
    participant = participant_from_request(request)
    if participant is None:
        return redirect(join_url(_url("proposal", programme, proposal=found.pk)))
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if not form.is_valid():
        return _proposal_page(request, programme, found, form=form, status=400)
    try:
        comment = services.proposal_comment(
            proposal=found, participant=participant, text=form.cleaned_data["text"]
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _proposal_page(request, programme, found, form=form, status=409)
    except ValidationError as exc:
        service_errors(form, exc)
        return _proposal_page(request, programme, found, form=form, status=400)
    messages.success(request, _("Thank you: your comment is published."))
    return redirect(_url("proposal", programme, proposal=found.pk) + f"#comment-{comment.pk}")


@require_POST
def proposal_support(request: HttpRequest, slug: str, pk: int, proposal: int) -> HttpResponse:
    """Support a proposal (`value=support`) or withdraw one's support (`unsupport`)."""
    programme = _programme_or_404(slug, pk)
    found = _proposal_or_404(programme, proposal)
    participant = participant_from_request(request)
    if participant is None:
        return redirect(join_url(_url("proposal", programme, proposal=found.pk)))
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to support or to withdraw your support."))
        return _proposal_page(request, programme, found, status=400)
    try:
        if form.cleaned_data["value"] == SUPPORT:
            services.proposal_support(proposal=found, participant=participant)
        else:
            services.proposal_unsupport(proposal=found, participant=participant)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _proposal_page(request, programme, found, status=409)
    messages.success(
        request,
        _("Your support is recorded.")
        if form.cleaned_data["value"] == SUPPORT
        else _("Your support is withdrawn."),
    )
    return redirect(_url("proposal", programme, proposal=found.pk))
