"""Staff pages of advisory bodies, under /<lang>/staff/<slug>/advisory/.

Two secretariats share them: the body's (Perm.ADVISORY_MANAGE: composition, meetings,
documents, opinions) and the council's (Perm.COUNCIL_MANAGE: referrals and answers).
The home, a body's page and a referral's page admit either; each shows only the actions
its viewer may take (the state table and their permission). Everyone else gets 404, as
on every staff URL; the action routes of one secretariat are 404 for the other.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.advisory import selectors, services
from infitah.advisory.forms import (
    AdoptForm,
    AnswerForm,
    BodyForm,
    DeleteForm,
    DocumentForm,
    MatterForm,
    MeetingForm,
    MemberEndForm,
    MemberForm,
    ReferralForm,
    TransmitForm,
    WithdrawForm,
    service_errors,
)
from infitah.advisory.models import Body, BodyMeeting, BodyMember, Referral
from infitah.advisory.process import PROCESS
from infitah.advisory.workflow import Action
from infitah.cases.selectors import case_deadlines, case_events
from infitah.cases.views import CasePage, PageAction, list_filter
from infitah.lib.casework import private

View = Callable[..., HttpResponseBase]
EITHER = (Perm.ADVISORY_MANAGE, Perm.COUNCIL_MANAGE)
# The referrals of the staff home are paged by this many.
PAGE_SIZE = 50


def either_view(view: View) -> View:
    """A page both secretariats open: the collectivity resolved as for any staff page,
    then 404 unless the member holds ADVISORY_MANAGE or COUNCIL_MANAGE there."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        collectivity = _collectivity(request)
        if not any(has_perm(_user(request), perm, collectivity) for perm in EITHER):
            raise Http404
        # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
        return cast(HttpResponse, view(request, *args, **kwargs))

    return staff_view(Perm.STAFF_ACCESS)(wrapped)


def _can(request: HttpRequest, perm: Perm) -> bool:
    return has_perm(_user(request), perm, _collectivity(request))


def _body(request: HttpRequest, pk: int) -> Body:
    found = selectors.body_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _body_url(body: Body) -> str:
    return reverse("advisory-staff:body", kwargs={"slug": body.collectivity.slug, "pk": body.pk})


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[dict[str, Any]], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    done: str | Promise = "",
    body: Body | None = None,
    multipart: bool = False,
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(cleaned data)` (the service); its
    ValidationError goes beside the fields (400); success redirects to `back`."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, str(done or _("Saved.")))
                return redirect(back)
    return render(
        request,
        "advisory/staff/form.html",
        {
            "collectivity": _collectivity(request),
            "body": body,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "multipart": multipart,
            "action": request.path,
        },
        status=status,
    )


# --------------------------------------------------------------------------- home


@either_view
def home(request: HttpRequest) -> HttpResponse:
    """The bodies (with their sitting members) and the referrals with their clocks."""
    collectivity = _collectivity(request)
    today = timezone.localdate()
    state = list_filter(request, selectors.STAFF_FILTERS)
    bodies = selectors.body_list(collectivity=collectivity, today=today)
    kinds = {body.kind for body in bodies}
    missing = [r for r in services.bodies_required(collectivity) if r.kind not in kinds]
    referrals = selectors.referral_query(collectivity=collectivity, state=state)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "advisory/staff/home.html",
        {
            "collectivity": collectivity,
            "bodies": bodies,
            "missing": missing,
            "tracks": selectors.tracker(page.object_list, today=today),
            "page": page,
            "query": urlencode({"state": state}),
            "state": state,
            "states": selectors.STAFF_FILTERS,
            "can_advise": _can(request, Perm.ADVISORY_MANAGE),
            "can_council": _can(request, Perm.COUNCIL_MANAGE),
        },
    )


@staff_view(Perm.ADVISORY_MANAGE)
def bodies_required(request: HttpRequest) -> HttpResponse:
    """Create the bodies the law requires that are missing (POST)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    collectivity = _collectivity(request)
    created = services.body_ensure_required(collectivity=collectivity, actor=_user(request))
    messages.success(
        request,
        _("Bodies created: %(count)d.") % {"count": len(created)}
        if created
        else _("The bodies the law requires are all set up."),
    )
    return redirect("advisory-staff:home", slug=collectivity.slug)


@staff_view(Perm.ADVISORY_MANAGE)
def body_create(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    created: list[Body] = []

    def call(data: dict[str, Any]) -> None:
        created.append(
            services.body_create(collectivity=collectivity, actor=_user(request), **data)
        )

    response = _form_page(
        request,
        BodyForm(request.POST or None),
        call,
        title=gettext_lazy("New advisory body"),
        button=gettext_lazy("Create the body"),
        back=reverse("advisory-staff:home", kwargs={"slug": collectivity.slug}),
    )
    if created:
        return redirect(_body_url(created[0]))
    return response


# --------------------------------------------------------------------------- body


@either_view
def body(request: HttpRequest, pk: int) -> HttpResponse:
    """A body's composition (sitting and former members), meetings, documents and
    referrals; the advisory secretariat's forms."""
    found = _body(request, pk)
    today = timezone.localdate()
    can_advise = _can(request, Perm.ADVISORY_MANAGE)
    referrals = selectors.referral_list(collectivity=found.collectivity, body=found)
    context: dict[str, Any] = {
        "collectivity": found.collectivity,
        "body": found,
        "members": selectors.member_list(found, today=today),
        "former": selectors.member_list(found, today=today, former=True),
        "meetings": selectors.meeting_list(found, public=False),
        "documents": selectors.document_list(found, public=False),
        "tracks": selectors.tracker(referrals, today=today),
        "can_advise": can_advise,
        "can_council": _can(request, Perm.COUNCIL_MANAGE),
    }
    if can_advise:
        context.update(
            member_form=MemberForm(auto_id="id_member_%s"),
            meeting_form=MeetingForm(auto_id="id_meeting_%s"),
            document_form=DocumentForm(body=found, auto_id="id_document_%s"),
            matter_form=MatterForm(auto_id="id_matter_%s"),
        )
    return render(request, "advisory/staff/body.html", context)


@staff_view(Perm.ADVISORY_MANAGE)
def body_update(request: HttpRequest, pk: int) -> HttpResponse:
    found = _body(request, pk)
    return _form_page(
        request,
        BodyForm(request.POST or None, initial=BodyForm.initial_of(found)),
        lambda data: services.body_update(body=found, actor=_user(request), **data),
        title=gettext_lazy("Edit the body"),
        button=gettext_lazy("Save"),
        back=_body_url(found),
        body=found,
    )


def _member(body: Body, pk: int) -> BodyMember:
    found = selectors.member_get(body, pk)
    if found is None:
        raise Http404
    return found


@staff_view(Perm.ADVISORY_MANAGE)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _body(request, pk)
    return _form_page(
        request,
        MemberForm(request.POST or None, auto_id="id_member_%s"),
        lambda data: services.body_member_add(body=found, actor=_user(request), **data),
        title=gettext_lazy("Add a member"),
        button=gettext_lazy("Add the member"),
        back=_body_url(found),
        body=found,
    )


@staff_view(Perm.ADVISORY_MANAGE)
def member_update(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    found = _body(request, pk)
    seat = _member(found, member)
    initial = {
        "name_ar": seat.name_ar,
        "name_fr": seat.name_fr,
        "organisation": seat.organisation,
        "role": seat.role,
        "started_on": seat.started_on,
        "user_email": seat.user.email if seat.user else "",
    }
    return _form_page(
        request,
        MemberForm(request.POST or None, initial=initial),
        lambda data: services.body_member_update(member=seat, actor=_user(request), **data),
        title=seat.name,
        button=gettext_lazy("Save"),
        back=_body_url(found),
        body=found,
    )


@staff_view(Perm.ADVISORY_MANAGE)
def member_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    found = _body(request, pk)
    seat = _member(found, member)
    return _form_page(
        request,
        MemberEndForm(request.POST or None, initial={"ended_on": timezone.localdate()}),
        lambda data: services.body_member_end(
            member=seat, actor=_user(request), ended_on=data["ended_on"]
        ),
        title=_("End the seat of %(name)s") % {"name": seat.name},
        button=gettext_lazy("End the seat"),
        back=_body_url(found),
        body=found,
    )


def _meeting(body: Body, pk: int) -> BodyMeeting:
    found = selectors.meeting_get(body, pk)
    if found is None:
        raise Http404
    return found


@staff_view(Perm.ADVISORY_MANAGE)
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _body(request, pk)
    return _form_page(
        request,
        MeetingForm(request.POST or None, auto_id="id_meeting_%s"),
        lambda data: services.meeting_add(body=found, actor=_user(request), **data),
        title=gettext_lazy("Record a meeting"),
        button=gettext_lazy("Record the meeting"),
        back=_body_url(found),
        body=found,
    )


@staff_view(Perm.ADVISORY_MANAGE)
def meeting_update(request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
    found = _body(request, pk)
    held = _meeting(found, meeting)
    initial = {
        "starts_at": timezone.localtime(held.starts_at),
        "place": held.place,
        "minutes": held.minutes,
    }
    return _form_page(
        request,
        MeetingForm(request.POST or None, initial=initial),
        lambda data: services.meeting_update(meeting=held, actor=_user(request), **data),
        title=gettext_lazy("Meeting and minutes"),
        button=gettext_lazy("Save"),
        back=_body_url(found),
        body=found,
    )


@staff_view(Perm.ADVISORY_MANAGE)
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _body(request, pk)
    return _form_page(
        request,
        DocumentForm(
            request.POST or None, request.FILES or None, body=found, auto_id="id_document_%s"
        ),
        lambda data: services.document_add(body=found, actor=_user(request), **data),
        title=gettext_lazy("Add a document"),
        button=gettext_lazy("Add the document"),
        back=_body_url(found),
        body=found,
        multipart=True,
    )


@either_view
def document_file(request: HttpRequest, pk: int, doc: int) -> HttpResponseBase:
    """Any live document of the body, published or not yet (an opinion before it is
    transmitted)."""
    found = selectors.document_get(_body(request, pk), doc, public=False)
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


@staff_view(Perm.ADVISORY_MANAGE)
def document_delete(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    found = _body(request, pk)
    document = selectors.document_get(found, doc, public=False)
    if document is None:
        raise Http404
    return _form_page(
        request,
        DeleteForm(request.POST or None),
        lambda data: services.document_delete(
            document=document, actor=_user(request), reason=data["reason"]
        ),
        title=_("Delete the document “%(title)s”") % {"title": document.title},
        button=gettext_lazy("Delete the document"),
        back=_body_url(found),
        done=gettext_lazy("The document is deleted."),
        body=found,
    )


@staff_view(Perm.ADVISORY_MANAGE)
def opinion_initiate(request: HttpRequest, pk: int) -> HttpResponse:
    """The body takes up a matter on its own initiative."""
    found = _body(request, pk)
    created: list[Referral] = []

    def call(data: dict[str, Any]) -> None:
        created.append(services.opinion_initiate(body=found, actor=_user(request), **data))

    response = _form_page(
        request,
        MatterForm(request.POST or None, auto_id="id_matter_%s"),
        call,
        title=gettext_lazy("Take up a matter on the body's own initiative"),
        button=gettext_lazy("Open the opinion"),
        back=_body_url(found),
        body=found,
    )
    if created:
        return redirect(_referral_url(created[0]))
    return response


# ---------------------------------------------------------------------- referrals


def _referral_url(referral: Referral) -> str:
    return reverse(
        "advisory-staff:referral",
        kwargs={"slug": referral.collectivity.slug, "pk": referral.pk},
    )


@staff_view(Perm.COUNCIL_MANAGE)
def referral_create(request: HttpRequest) -> HttpResponse:
    """The council secretariat refers a matter to a body."""
    collectivity = _collectivity(request)
    created: list[Referral] = []

    def call(data: dict[str, Any]) -> None:
        created.append(
            services.referral_create(collectivity=collectivity, actor=_user(request), **data)
        )

    response = _form_page(
        request,
        ReferralForm(request.POST or None, collectivity=collectivity),
        call,
        title=gettext_lazy("Refer a matter to an advisory body"),
        button=gettext_lazy("Refer the matter"),
        back=reverse("advisory-staff:home", kwargs={"slug": collectivity.slug}),
    )
    if created:
        messages.success(request, _("The body is told by e-mail."))
        return redirect(_referral_url(created[0]))
    return response


def _find(request: HttpRequest, pk: int) -> Referral:
    found = selectors.referral_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _file(form: Form) -> Any:
    return form.cleaned_data.get("file") or None


ACTIONS = {
    "adopt": PageAction(
        form=lambda case, data, files: AdoptForm(data, files, auto_id="id_adopt_%s"),
        call=lambda case, user, form: services.opinion_adopt(
            referral=case,
            actor=user,
            opinion_ar=form.cleaned_data["opinion_ar"],
            opinion_fr=form.cleaned_data["opinion_fr"],
            adopted_on=form.cleaned_data["adopted_on"],
            file=_file(form),
        ),
        step=Action.ADOPT,
        perm=Perm.ADVISORY_MANAGE,
        done=gettext_lazy("The opinion is recorded. Transmit it to the council."),
    ),
    "transmit": PageAction(
        form=lambda case, data, files: TransmitForm(data),
        call=lambda case, user, form: services.opinion_transmit(referral=case, actor=user),
        step=Action.TRANSMIT,
        perm=Perm.ADVISORY_MANAGE,
        done=gettext_lazy("The opinion is transmitted and public; the council is told."),
    ),
    "answer": PageAction(
        form=lambda case, data, files: AnswerForm(
            data,
            collectivity=case.collectivity,
            initial=AnswerForm.initial_of(case),
            auto_id="id_answer_%s",
        ),
        call=lambda case, user, form: services.referral_answer(
            referral=case,
            actor=user,
            answer=form.cleaned_data["answer"],
            reasons_ar=form.cleaned_data["answer_reasons_ar"],
            reasons_fr=form.cleaned_data["answer_reasons_fr"],
            agenda_item=form.cleaned_data["agenda_item"],
        ),
        step=Action.ANSWER,
        perm=Perm.COUNCIL_MANAGE,
        done=gettext_lazy("The council's answer is public; the body is told."),
    ),
    "withdraw": PageAction(
        form=lambda case, data, files: WithdrawForm(data, auto_id="id_withdraw_%s"),
        call=lambda case, user, form: services.referral_withdraw(
            referral=case, actor=user, reason=form.cleaned_data["reason"]
        ),
        step=Action.WITHDRAW,
        perm=Perm.COUNCIL_MANAGE,
        done=gettext_lazy("The referral is withdrawn; the body is told."),
    ),
}


EVENT_LABELS = {
    "advisory.referred": gettext_lazy("Referred to the body"),
    "advisory.initiated": gettext_lazy("Taken up by the body on its own initiative"),
    "advisory.adopt": gettext_lazy("Opinion adopted by the body"),
    "advisory.transmit": gettext_lazy("Opinion transmitted to the council"),
    "advisory.answer": gettext_lazy("Answered by the council"),
    "advisory.withdraw": gettext_lazy("Referral withdrawn"),
    "advisory.item_linked": gettext_lazy("Put on the agenda of a council session"),
    "advisory.item_unlinked": gettext_lazy("Taken off the council's agenda"),
}


def _draw(
    request: HttpRequest, referral: Referral, status: int, bound: dict[str, Form], **url: Any
) -> HttpResponse:
    return render(
        request,
        "advisory/staff/referral.html",
        {
            "collectivity": referral.collectivity,
            "body": referral.body,
            "referral": referral,
            "track": selectors.track(referral, today=timezone.localdate()),
            "forms": PAGE.forms(referral, bound),
            "actions": PAGE.availability(referral, _user(request)),
            "documents": selectors.referral_documents(referral, public=False),
            "deadlines": case_deadlines(referral),
            "events": [
                (event, EVENT_LABELS.get(event.action, event.action))
                for event in case_events(referral)
            ],
        },
        status=status,
    )


# A referral's page: the body's secretariat adopts and transmits the opinion, the
# council's answers it or withdraws the referral.
PAGE = CasePage(
    PROCESS, ACTIONS, find=_find, draw=_draw, back=lambda r, case, **url: _referral_url(case)
)

referral = either_view(PAGE.view)
# either_view outermost: an outsider gets 404, even on a POST.
referral_action = either_view(PAGE.action_view)
