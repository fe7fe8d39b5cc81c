"""The council secretariat's session pages, and the members' documents pages.

- the secretariat (Perm.COUNCIL_MANAGE): the sessions (`home`), a new session, a
  session's page (details, agenda builder, documents and their distribution record,
  attendance and quorum, publication buttons, legal periods, history) and an item's page
  (its details, documents, the vote of each member present, the decision). Every action
  is a POST answered by the case engine's `action_post` (404, 403, 409, 400 with the
  errors beside the fields, else a message and a redirect);
- a member of the council (Perm.COUNCIL_VOTE): the documents distributed to them, each
  opening recorded (`my-documents`, `my-document`).

The vote grid is on the item's page (one per item), not on the session's: with 200
items and 200 members, a page with every grid would weigh tens of megabytes.

No page needs JavaScript; forms read on a 360 px phone (one fieldset per member).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.advisory import selectors as advisory_selectors
from infitah.cases.selectors import case_deadlines, case_events
from infitah.cases.views import CasePage, PageAction, action_availability, action_post, form_errors
from infitah.council import selectors, services
from infitah.council.forms import (
    AdjournForm,
    AttendanceForm,
    CancelForm,
    DecideForm,
    DocumentForm,
    EmptyForm,
    HoldForm,
    ItemForm,
    OpinionItemForm,
    PetitionItemForm,
    ReconveneForm,
    ReorderForm,
    SessionForm,
    SummaryForm,
    VoteForm,
)
from infitah.council.models import AgendaItem, Document, Member, Presence, Receipt, Session
from infitah.council.process import PROCESS
from infitah.council.workflow import Action, Status
from infitah.lib.casework import private

# How the session's history names each event.
EVENT_LABELS = {
    "council.convened": gettext_lazy("Session convened, agenda in preparation"),
    "council.updated": gettext_lazy("Details changed"),
    "council.reschedule": gettext_lazy("Sitting day moved, agenda period counted again"),
    "council.item_added": gettext_lazy("Item added to the agenda"),
    "council.item_updated": gettext_lazy("Agenda item changed"),
    "council.item_removed": gettext_lazy("Item taken off the agenda"),
    "council.items_reordered": gettext_lazy("Agenda reordered"),
    "council.document_added": gettext_lazy("Document added"),
    "council.publish_agenda": gettext_lazy("Agenda published and distributed"),
    "council.attendance_recorded": gettext_lazy("Attendance recorded"),
    "council.adjourn": gettext_lazy("Adjourned for want of quorum"),
    "council.reconvened": gettext_lazy("Convened again"),
    "council.hold": gettext_lazy("Sitting held"),
    "council.vote_recorded": gettext_lazy("Vote recorded"),
    "council.item_decided": gettext_lazy("Decision recorded"),
    "council.publish_summary": gettext_lazy("Summary of the decisions published"),
    "council.cancel": gettext_lazy("Session cancelled"),
}
# Opened in the browser (the others are downloaded). Types as lib/uploads gives them.
# The past sessions of the staff home are paged by this many.
PAGE_SIZE = 50
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "text/plain"})
DONE = gettext_lazy("Done.")


def _url(name: str, session: Session, **extra: Any) -> str:
    return reverse(
        f"council-staff:{name}",
        kwargs={"slug": session.collectivity.slug, "pk": session.pk, **extra},
    )


def _optional_url(name: str, **kwargs: Any) -> str:
    """The URL `name` if it is routed, else "" (a page another part is building)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _staff_session(request: HttpRequest, pk: int, **url: Any) -> Session:
    found = selectors.session_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _empty(case: Any, data: Any, files: Any) -> Form:
    return EmptyForm(data)


def _sitting_open(session: Session) -> bool:
    """Votes and decisions may be recorded (convened with the quorum, or held)."""
    if session.status == Status.HELD:
        return True
    return (
        session.status == Status.CONVENED
        and session.quorum_met is not None
        and (session.quorum_met or not services.quorum_needed(session))
    )


def _members(session: Session) -> list[Member]:
    return list(selectors.members_in_office(session.term, services.sitting_day(session)))


def _present(session: Session) -> list[Member]:
    presences = selectors.attendance_of(session)
    return [m for m in _members(session) if presences.get(m.pk) == Presence.PRESENT]


def _chosen(found: Any, field: str, message: Any) -> Any:
    """What the form chose to put on the agenda, found in the session's collectivity."""
    if found is None:
        raise ValidationError({field: message})
    return found


def _petition(session: Session, form: Form) -> Any:
    pk = form.cleaned_data["petition"]
    found = selectors.petition_candidate(session=session, pk=pk)
    return _chosen(found, "petition", gettext_lazy("Choose a petition of this list."))


def _referral(session: Session, form: Form) -> Any:
    pk = form.cleaned_data["referral"]
    found = advisory_selectors.referral_get(collectivity=session.collectivity, pk=pk)
    return _chosen(found, "referral", gettext_lazy("Choose an opinion of this list."))


def _history(session: Session) -> list[tuple[Any, Any]]:
    return [(e, EVENT_LABELS.get(e.action, e.action)) for e in case_events(session)]


# ------------------------------------------------------------------- sessions list


@staff_view(Perm.COUNCIL_MANAGE)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    today = timezone.localdate()
    past = selectors.sessions_past(collectivity=collectivity, today=today)
    return render(
        request,
        "council/staff/home.html",
        {
            "collectivity": collectivity,
            "upcoming": selectors.sessions_upcoming(collectivity=collectivity, today=today),
            "page": Paginator(past, PAGE_SIZE).get_page(request.GET.get("page")),
            "today": today,
            "organs_url": _optional_url("council-staff:organs", slug=collectivity.slug),
            "can_vote": has_perm(_user(request), Perm.COUNCIL_VOTE, collectivity),
        },
    )


@staff_view(Perm.COUNCIL_MANAGE)
def session_new(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    form = SessionForm(request.POST or None, auto_id="id_new_%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                session = services.session_create(
                    collectivity=collectivity, actor=_user(request), data=form.to_input()
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return redirect(_url("session", session))
    return render(
        request,
        "council/staff/session_new.html",
        {"collectivity": collectivity, "form": form},
        status=status,
    )


# ------------------------------------------------------------------- session page

SESSION_ACTIONS: dict[str, PageAction] = {
    "update": PageAction(
        form=lambda case, data, files: SessionForm(
            data,
            initial=SessionForm.initial_of(case),
            editable=services.SESSION_EDITABLE.get(case.status, ()),
            auto_id="id_update_%s",
        ),
        call=lambda case, user, form: services.session_update(
            session=case, actor=user, data=cast(SessionForm, form).to_input()
        ),
        available=lambda case: case.status in services.SESSION_EDITABLE,
    ),
    "item_add": PageAction(
        form=lambda case, data, files: ItemForm(data, session=case, auto_id="id_item_%s"),
        call=lambda case, user, form: services.item_add(
            session=case, actor=user, data=cast(ItemForm, form).to_input()
        ),
        available=lambda case: case.status == Status.DRAFT,
    ),
    "petition_add": PageAction(
        form=lambda case, data, files: PetitionItemForm(
            data, petitions=selectors.petitions_to_add(session=case), auto_id="id_petition_%s"
        ),
        call=lambda case, user, form: services.item_add_from_petition(
            session=case, actor=user, petition=_petition(case, form)
        ),
        available=lambda case: case.status == Status.DRAFT,
    ),
    "opinion_add": PageAction(
        form=lambda case, data, files: OpinionItemForm(
            data,
            referrals=advisory_selectors.opinions_to_schedule(collectivity=case.collectivity),
            auto_id="id_opinion_%s",
        ),
        call=lambda case, user, form: services.item_add_from_opinion(
            session=case, actor=user, referral=_referral(case, form)
        ),
        available=lambda case: case.status == Status.DRAFT,
    ),
    "reorder": PageAction(
        form=lambda case, data, files: ReorderForm(
            data, items=selectors.items_of(case), auto_id="id_reorder_%s"
        ),
        call=lambda case, user, form: services.items_reorder(
            session=case, actor=user, order=cast(ReorderForm, form).order()
        ),
        available=lambda case: case.status == Status.DRAFT,
    ),
    "document_add": PageAction(
        form=lambda case, data, files: DocumentForm(
            data, files, items=selectors.items_of(case), auto_id="id_document_%s"
        ),
        call=lambda case, user, form: services.document_add(
            session=case,
            actor=user,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            item=cast(DocumentForm, form).chosen_item(),
            is_public=form.cleaned_data["is_public"],
        ),
        available=lambda case: case.status in services.DOCUMENT_STATES,
    ),
    "publish": PageAction(
        form=_empty,
        call=lambda case, user, form: services.agenda_publish(session=case, actor=user),
        step=Action.PUBLISH_AGENDA,
        done=gettext_lazy("The agenda is published and distributed to the members."),
    ),
    "attendance": PageAction(
        form=lambda case, data, files: AttendanceForm(
            data,
            members=_members(case),
            initial_presences=selectors.attendance_of(case),
            auto_id="id_attendance_%s",
        ),
        call=lambda case, user, form: services.attendance_record(
            session=case, actor=user, presences=cast(AttendanceForm, form).presences()
        ),
        # From the sitting day on (the service refuses earlier).
        available=lambda case: (
            case.status == Status.CONVENED and timezone.localdate() >= services.sitting_day(case)
        ),
    ),
    "adjourn": PageAction(
        form=lambda case, data, files: AdjournForm(data, auto_id="id_adjourn_%s"),
        call=lambda case, user, form: services.session_adjourn(
            session=case, actor=user, note=form.cleaned_data["note"]
        ),
        step=Action.ADJOURN,
        available=lambda case: case.quorum_met is False and services.quorum_needed(case),
    ),
    "hold": PageAction(
        form=lambda case, data, files: HoldForm(
            data, initial={"held_on": services.sitting_day(case)}, auto_id="id_hold_%s"
        ),
        call=lambda case, user, form: services.session_hold(
            session=case, actor=user, held_on=form.cleaned_data["held_on"]
        ),
        step=Action.HOLD,
        available=lambda case: (
            case.quorum_met is not None and (case.quorum_met or not services.quorum_needed(case))
        ),
    ),
    "reconvene": PageAction(
        form=lambda case, data, files: ReconveneForm(
            data,
            initial={"place": case.place, "video_url": case.video_url},
            auto_id="id_reconvene_%s",
        ),
        call=lambda case, user, form: services.session_reconvene(
            session=case,
            actor=user,
            starts_at=form.cleaned_data["starts_at"],
            place=form.cleaned_data["place"],
            video_url=form.cleaned_data["video_url"],
        ),
        available=lambda case: (
            case.status == Status.ADJOURNED and not selectors.session_followers(case)
        ),
        done=gettext_lazy("The session is convened again: prepare and publish its agenda."),
    ),
    "summary": PageAction(
        form=lambda case, data, files: SummaryForm(data, auto_id="id_summary_%s"),
        call=lambda case, user, form: services.summary_publish(
            session=case,
            actor=user,
            summary_ar=form.cleaned_data["summary_ar"],
            summary_fr=form.cleaned_data["summary_fr"],
        ),
        step=Action.PUBLISH_SUMMARY,
    ),
    "cancel": PageAction(
        form=lambda case, data, files: CancelForm(data, auto_id="id_cancel_%s"),
        call=lambda case, user, form: services.session_cancel(
            session=case, actor=user, reason=form.cleaned_data["reason"]
        ),
        step=Action.CANCEL,
    ),
}


def _forms(
    actions: Mapping[str, PageAction],
    case: Any,
    available: Mapping[str, bool],
    bound: Mapping[str, Form],
) -> dict[str, Form]:
    """The form of each action offered now (the bound one after an error)."""
    return {
        name: bound.get(name) or spec.form(case, None, None)
        for name, spec in actions.items()
        if available[name] or name in bound
    }


@dataclass(frozen=True)
class Distribution:
    """One document and to whom it went: who received it, who opened it and when."""

    document: Document
    receipts: list[Receipt]

    @property
    def opened(self) -> int:
        return sum(1 for r in self.receipts if r.opened_at is not None)


def _distribution(documents: list[Document]) -> list[Distribution]:
    return [Distribution(d, list(d.receipts.all())) for d in documents]


def _session_draw(
    request: HttpRequest, session: Session, status: int, bound: dict[str, Form], **url: Any
) -> HttpResponse:
    user = _user(request)
    collectivity = session.collectivity
    available = action_availability(PROCESS, SESSION_ACTIONS, session, user)
    members = _members(session)
    context = {
        "collectivity": collectivity,
        "session": session,
        "items": selectors.items_of(session, origins=True),
        "documents": _distribution(selectors.documents_of(session)),
        "members": len(members),
        "reached": sum(1 for m in members if m.user is not None and m.user.is_active),
        "attendance": selectors.attendance_count(session, len(members)),
        "quorum_needed": services.quorum_needed(session),
        "forms": _forms(SESSION_ACTIONS, session, available, bound),
        "actions": available,
        "followers": selectors.session_followers(session),
        "deadlines": case_deadlines(session),
        "events": _history(session),
        "can_petitions": has_perm(user, Perm.PETITIONS_HANDLE, collectivity),
        "minutes_url": _optional_url("council-staff:minutes", slug=collectivity.slug, pk=session.pk)
        if session.status in (Status.HELD, Status.SUMMARY_PUBLISHED)
        else "",
        "public_url": _optional_url("council:session", slug=collectivity.slug, pk=session.pk)
        if session.status != Status.DRAFT
        else "",
    }
    return render(request, "council/staff/session.html", context, status=status)


SESSION_PAGE = CasePage(
    PROCESS,
    SESSION_ACTIONS,
    find=_staff_session,
    draw=_session_draw,
    back=lambda request, session, **url: _url("session", session),
)
session_page = staff_view(Perm.COUNCIL_MANAGE)(require_GET(SESSION_PAGE.view))
# staff_view outermost: an outsider gets 404, even on a GET.
session_action = staff_view(Perm.COUNCIL_MANAGE)(SESSION_PAGE.action_view)


# ----------------------------------------------------------------------- item page


def _item_actions(item: AgendaItem) -> dict[str, PageAction]:
    """The actions on one item (the forms and services close over it)."""
    return {
        "update": PageAction(
            form=lambda case, data, files: ItemForm(
                data,
                session=case,
                initial=ItemForm.initial_of(item),
                editable=services.ITEM_EDITABLE.get(case.status, ()),
                auto_id="id_update_%s",
            ),
            call=lambda case, user, form: services.item_update(
                item=item, actor=user, data=cast(ItemForm, form).to_input()
            ),
            available=lambda case: case.status in services.ITEM_EDITABLE,
        ),
        "remove": PageAction(
            form=_empty,
            call=lambda case, user, form: services.item_remove(item=item, actor=user),
            available=lambda case: case.status == Status.DRAFT,
            done=gettext_lazy("The item is taken off the agenda."),
        ),
        "document_add": PageAction(
            form=lambda case, data, files: DocumentForm(
                data, files, item=item, auto_id="id_document_%s"
            ),
            call=lambda case, user, form: services.document_add(
                session=case,
                actor=user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                item=item,
                is_public=form.cleaned_data["is_public"],
            ),
            available=lambda case: case.status in services.DOCUMENT_STATES,
        ),
        "vote": PageAction(
            form=lambda case, data, files: VoteForm(
                data,
                members=_present(case),
                initial_votes=selectors.votes_of(item),
                auto_id="id_vote_%s",
            ),
            call=lambda case, user, form: services.vote_record(
                item=item, actor=user, votes=cast(VoteForm, form).votes()
            ),
            available=_sitting_open,
        ),
        "decide": PageAction(
            form=lambda case, data, files: DecideForm(
                data, initial=DecideForm.initial_of(item), auto_id="id_decide_%s"
            ),
            call=lambda case, user, form: services.item_decide(
                item=item,
                actor=user,
                outcome=form.cleaned_data["outcome"],
                deliberation=form.cleaned_data["deliberation"],
                decision_ar=form.cleaned_data["decision_ar"],
                decision_fr=form.cleaned_data["decision_fr"],
                decision_number=form.cleaned_data["decision_number"],
            ),
            available=_sitting_open,
        ),
    }


def _staff_item(session: Session, pk: int) -> AgendaItem:
    found = selectors.item_get(session=session, pk=pk)
    if found is None:
        raise Http404
    return found


def _item_draw(
    request: HttpRequest,
    session: Session,
    item: AgendaItem,
    status: int,
    bound: Mapping[str, Form],
) -> HttpResponse:
    actions = _item_actions(item)
    available = action_availability(PROCESS, actions, session, _user(request))
    context = {
        "collectivity": session.collectivity,
        "session": session,
        "item": item,
        "documents": _distribution(selectors.documents_of(session, item=item)),
        "forms": _forms(actions, session, available, bound),
        "actions": available,
        "absent": len(_members(session)) - len(_present(session)) if available["vote"] else 0,
        "can_petitions": has_perm(_user(request), Perm.PETITIONS_HANDLE, session.collectivity),
    }
    return render(request, "council/staff/item.html", context, status=status)


@staff_view(Perm.COUNCIL_MANAGE)
@require_GET
def item_page(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    session = _staff_session(request, pk)
    return _item_draw(request, session, _staff_item(session, item), 200, {})


@staff_view(Perm.COUNCIL_MANAGE)
def item_action(request: HttpRequest, pk: int, item: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = _staff_session(request, pk)
    found = _staff_item(session, item)
    next_url = (
        _url("session", session) if action == "remove" else _url("item", session, item=found.pk)
    )
    return action_post(
        request,
        process=PROCESS,
        case=session,
        name=action,
        actions=_item_actions(found),
        render=lambda status, bound: _item_draw(request, session, found, status, bound),
        done=DONE,
        next_url=next_url,
    )


# ------------------------------------------------------------------------- files


def _file_response(document: Document) -> FileResponse:
    """The file with its detected type (never sniffed), shown in the browser when it can
    be, else downloaded; never cached."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    base = document.content_type.split(";")[0].strip()
    response = FileResponse(
        handle,
        as_attachment=base not in INLINE_TYPES,
        filename=document.name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return private(response)


@staff_view(Perm.COUNCIL_MANAGE)
@require_GET
def document_file(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    """A document of the session, for the secretariat (not recorded as an opening)."""
    session = _staff_session(request, pk)
    found = selectors.document_get(session=session, pk=document)
    if found is None:
        raise Http404
    # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
    return _file_response(found)  # type: ignore[return-value]


# ---------------------------------------------------------------------- members


def _member(request: HttpRequest) -> User:
    return _user(request)


@staff_view(Perm.COUNCIL_VOTE)
@require_GET
def my_documents(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    sessions = selectors.my_documents(collectivity=collectivity, user=_member(request))
    response = render(
        request,
        "council/staff/my_documents.html",
        {"collectivity": collectivity, "sessions": sessions},
    )
    return private(response)


@staff_view(Perm.COUNCIL_VOTE)
@require_GET
def my_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a document distributed to the signed-in member: the opening is recorded,
    then the file served. Anybody else's receipt is a 404."""
    user = _member(request)
    receipt = selectors.my_receipt(collectivity=_collectivity(request), user=user, pk=pk)
    if receipt is None:
        raise Http404
    response = _file_response(receipt.document)
    services.receipt_open(receipt=receipt, actor=user)
    return response  # type: ignore[return-value]


__all__: list[str] = [
    "document_file",
    "home",
    "item_action",
    "item_page",
    "my_document",
    "my_documents",
    "session_action",
    "session_new",
    "session_page",
]
