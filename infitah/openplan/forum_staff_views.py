"""Staff pages of the forum and monitoring committee, meetings, the programme's
documents, the submission to OGP and the inception assessment, and the OGP Local
candidacy, under /<lang>/staff/<slug>/programmes/.

The forum page is open to the focal point (Perm.OPENPLAN_MANAGE) and to the independent
monitoring body (Perm.OPENPLAN_ASSESS); each sees the forms of what they may do. Every
other route needs the one permission its service needs. Anyone else gets 404, as on
every staff URL; objects are looked up within the collectivity of the URL (404 for
another collectivity's), and a service's PermissionDenied is a 404 too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from infitah.accounts.decorators import staff_collectivity as _collectivity
from infitah.accounts.decorators import staff_user as _user
from infitah.accounts.decorators import staff_view
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.services import TransitionNotAllowed
from infitah.lib.casework import private
from infitah.openplan import forum_selectors as selectors
from infitah.openplan.files import stored_file_response
from infitah.openplan.forum_forms import (
    AcceptForm,
    CandidacyForm,
    CandidacySubmitForm,
    ConfirmForm,
    InceptionForm,
    LetterForm,
    LinkForm,
    MeetingDocumentForm,
    MeetingForm,
    MemberEndForm,
    MemberForm,
    ProgrammeDocumentForm,
    SubmitForm,
    service_errors,
)
from infitah.openplan.models import (
    BodyMember,
    Candidacy,
    Meeting,
    Programme,
    SupportLetter,
)
from infitah.openplan.services import forum as services
from infitah.openplan.workflow import Kind, ProgrammeDocumentKind

View = Callable[..., HttpResponseBase]
EITHER = (Perm.OPENPLAN_MANAGE, Perm.OPENPLAN_ASSESS)
# Meetings of the staff page are paged by this many.
PAGE_SIZE = 20
# The programme documents each role adds from the documents form (the monitoring body's
# inception assessment has its own form: it meets the clock).
MANAGE_KINDS = [ProgrammeDocumentKind.ACTION_PLAN, ProgrammeDocumentKind.OTHER]
ASSESS_KINDS = [ProgrammeDocumentKind.FINAL]

manage = staff_view(Perm.OPENPLAN_MANAGE)
assess = staff_view(Perm.OPENPLAN_ASSESS)
get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def either_view(view: View) -> View:
    """A page the focal point and the monitoring body both open: the collectivity
    resolved as for any staff page, then 404 unless the member holds one of EITHER."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        collectivity = _collectivity(request)
        if not any(has_perm(_user(request), perm, collectivity) for perm in EITHER):
            raise Http404
        return cast(HttpResponse, view(request, *args, **kwargs))

    return staff_view(Perm.STAFF_ACCESS)(wrapped)


def _can(request: HttpRequest, perm: Perm) -> bool:
    return has_perm(_user(request), perm, _collectivity(request))


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    call: Callable[[dict[str, Any]], object],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    programme: Programme | None = None,
    done: str | Promise = "",
    multipart: bool = False,
    intro: str | Promise = "",
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(cleaned data)` (the service); its
    ValidationError goes beside the fields (400), its refusal above them (409), its
    PermissionDenied is a 404; success redirects to `back`."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as exc:
                service_errors(form, exc)
            except TransitionNotAllowed as exc:
                form.add_error(None, exc.message)
                status = 409
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, str(done or _("Saved.")))
                return redirect(back)
    return render(
        request,
        "openplan/forum/staff/form.html",
        {
            "collectivity": _collectivity(request),
            "programme": programme,
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
            "back": back,
            "multipart": multipart,
            "action": request.path,
        },
        status=status,
    )


# --- the forum page -----------------------------------------------------------------------


def _programme(request: HttpRequest, pk: int) -> Programme:
    found = selectors.programme_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _forum_url(programme: Programme) -> str:
    return reverse(
        "openplan-staff:forum", kwargs={"slug": programme.collectivity.slug, "pk": programme.pk}
    )


@either_view
@require_safe
def forum(request: HttpRequest, pk: int) -> HttpResponse:
    """Both bodies (composition, serving, coming and former members), the meetings with
    their documents (paged), the programme's documents, the submission to OGP and the
    inception assessment; the forms of what the viewer may do."""
    programme = _programme(request, pk)
    collectivity = programme.collectivity
    can_manage = _can(request, Perm.OPENPLAN_MANAGE)
    can_assess = _can(request, Perm.OPENPLAN_ASSESS)
    page = Paginator(selectors.meeting_query(programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    is_ogp = programme.kind == Kind.OGP_LOCAL
    kinds = (MANAGE_KINDS if can_manage else []) + (ASSESS_KINDS if can_assess else [])
    context: dict[str, Any] = {
        "collectivity": collectivity,
        "programme": programme,
        "bodies": selectors.compositions(programme=programme, today=timezone.localdate()),
        "page": page,
        "now": timezone.now(),
        "documents": selectors.programme_documents(programme),
        "removable": services.REMOVABLE,
        "is_ogp": is_ogp,
        "can_manage": can_manage,
        "can_assess": can_assess,
        "document_form": ProgrammeDocumentForm(kinds=kinds, auto_id="id_document_%s")
        if kinds
        else None,
    }
    if can_manage:
        context.update(
            member_form=MemberForm(collectivity=collectivity, auto_id="id_member_%s"),
            meeting_form=MeetingForm(auto_id="id_meeting_%s"),
        )
        if is_ogp and programme.submitted_on is None:
            context["submit_form"] = SubmitForm(
                initial={"submitted_on": timezone.localdate()}, auto_id="id_submit_%s"
            )
    if can_assess:
        context["inception_form"] = InceptionForm(auto_id="id_inception_%s")
    return render(request, "openplan/forum/staff/forum.html", context)


# --- members --------------------------------------------------------------------------------


def _member(programme: Programme, pk: int) -> BodyMember:
    found = selectors.member_get(programme, pk)
    if found is None:
        raise Http404
    return found


@manage
@get_or_post
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _form_page(
        request,
        MemberForm(_data(request), collectivity=programme.collectivity, auto_id="id_member_%s"),
        lambda data: services.member_save(programme=programme, actor=_user(request), data=data),
        title=gettext_lazy("Add a member"),
        button=gettext_lazy("Add the member"),
        back=_forum_url(programme),
        programme=programme,
    )


@manage
@get_or_post
def member_edit(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _member(programme, member)
    initial = {name: getattr(found, name) for name in services.MEMBER_FIELDS}
    return _form_page(
        request,
        MemberForm(_data(request), collectivity=programme.collectivity, initial=initial),
        lambda data: services.member_save(
            programme=programme, actor=_user(request), data=data, member=found
        ),
        title=found.name,
        button=gettext_lazy("Save"),
        back=_forum_url(programme),
        programme=programme,
    )


@manage
@get_or_post
def member_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _member(programme, member)
    return _form_page(
        request,
        MemberEndForm(_data(request), initial={"left_on": timezone.localdate()}),
        lambda data: services.member_end(
            member=found, actor=_user(request), left_on=data["left_on"]
        ),
        title=_("%(name)s leaves the body") % {"name": found.name},
        button=gettext_lazy("Record the departure"),
        back=_forum_url(programme),
        programme=programme,
    )


@manage
@get_or_post
def member_delete(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _member(programme, member)
    return _form_page(
        request,
        ConfirmForm(_data(request)),
        lambda data: services.member_delete(member=found, actor=_user(request)),
        title=_("Delete the member “%(name)s”") % {"name": found.name},
        intro=gettext_lazy(
            "For a member recorded by mistake. A member who left the body is recorded as "
            "leaving, not deleted."
        ),
        button=gettext_lazy("Delete the member"),
        back=_forum_url(programme),
        done=gettext_lazy("The member is deleted."),
        programme=programme,
    )


# --- meetings and their documents -----------------------------------------------------------


def _meeting(programme: Programme, pk: int) -> Meeting:
    found = selectors.meeting_get(programme, pk)
    if found is None:
        raise Http404
    return found


@manage
@get_or_post
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _form_page(
        request,
        MeetingForm(_data(request), auto_id="id_meeting_%s"),
        lambda data: services.meeting_save(programme=programme, actor=_user(request), data=data),
        title=gettext_lazy("Record a meeting"),
        button=gettext_lazy("Record the meeting"),
        back=_forum_url(programme),
        programme=programme,
    )


@manage
@get_or_post
def meeting_edit(request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _meeting(programme, meeting)
    initial = {name: getattr(found, name) for name in services.MEETING_FIELDS}
    initial["starts_at"] = timezone.localtime(found.starts_at)
    return _form_page(
        request,
        MeetingForm(_data(request), initial=initial),
        lambda data: services.meeting_save(
            programme=programme, actor=_user(request), data=data, meeting=found
        ),
        title=found.title,
        button=gettext_lazy("Save"),
        back=_forum_url(programme),
        programme=programme,
    )


@manage
@get_or_post
def meeting_delete(request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _meeting(programme, meeting)
    return _form_page(
        request,
        ConfirmForm(_data(request)),
        lambda data: services.meeting_delete(meeting=found, actor=_user(request)),
        title=_("Delete the meeting “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Delete the meeting"),
        back=_forum_url(programme),
        done=gettext_lazy("The meeting is deleted."),
        programme=programme,
    )


@manage
@get_or_post
def meeting_document_add(request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _meeting(programme, meeting)
    return _form_page(
        request,
        MeetingDocumentForm(_data(request), _files(request)),
        lambda data: services.meeting_document_add(
            meeting=found,
            actor=_user(request),
            kind=data["kind"],
            title=data["title"],
            file=data["file"],
        ),
        title=_("Add a document to “%(title)s”") % {"title": found.title},
        intro=gettext_lazy(
            "Documents shared before the meeting starts are shown as shared in time; later, "
            "as shared late. Minutes are added once the meeting has started."
        ),
        button=gettext_lazy("Add the document"),
        back=_forum_url(programme),
        programme=programme,
        multipart=True,
    )


@manage
@get_or_post
def meeting_document_delete(request: HttpRequest, pk: int, meeting: int, doc: int) -> HttpResponse:
    programme = _programme(request, pk)
    found = _meeting(programme, meeting)
    document = selectors.meeting_document_get(found, doc)
    if document is None:
        raise Http404
    return _form_page(
        request,
        ConfirmForm(_data(request)),
        lambda data: services.meeting_document_delete(document=document, actor=_user(request)),
        title=_("Delete the document “%(title)s”") % {"title": document.title},
        button=gettext_lazy("Delete the document"),
        back=_forum_url(programme),
        done=gettext_lazy("The document is deleted."),
        programme=programme,
    )


# --- the programme's documents, submission, inception ------------------------------------


@either_view
@get_or_post
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme document: the kinds the viewer may add (the service checks again)."""
    programme = _programme(request, pk)
    kinds = (MANAGE_KINDS if _can(request, Perm.OPENPLAN_MANAGE) else []) + (
        ASSESS_KINDS if _can(request, Perm.OPENPLAN_ASSESS) else []
    )
    return _form_page(
        request,
        ProgrammeDocumentForm(_data(request), _files(request), kinds=kinds),
        lambda data: services.programme_document_add(
            programme=programme,
            actor=_user(request),
            kind=data["kind"],
            title=data["title"],
            dated=data["dated"],
            file=data["file"],
        ),
        title=gettext_lazy("Add a programme document"),
        button=gettext_lazy("Add the document"),
        back=_forum_url(programme),
        programme=programme,
        multipart=True,
    )


@either_view
@require_safe
def document_file(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    found = selectors.programme_document_get(_programme(request, pk), doc)
    if found is None:
        raise Http404
    return private(stored_file_response(found, inline=False))


@either_view
@require_safe
def meeting_document_file(request: HttpRequest, pk: int, meeting: int, doc: int) -> FileResponse:
    found = selectors.meeting_document_get(_meeting(_programme(request, pk), meeting), doc)
    if found is None:
        raise Http404
    return private(stored_file_response(found, inline=False))


@manage
@get_or_post
def document_delete(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    programme = _programme(request, pk)
    document = selectors.programme_document_get(programme, doc)
    if document is None:
        raise Http404
    return _form_page(
        request,
        ConfirmForm(_data(request)),
        lambda data: services.programme_document_delete(document=document, actor=_user(request)),
        title=_("Delete the document “%(title)s”") % {"title": document.title},
        button=gettext_lazy("Delete the document"),
        back=_forum_url(programme),
        done=gettext_lazy("The document is deleted."),
        programme=programme,
    )


@manage
@get_or_post
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _form_page(
        request,
        SubmitForm(_data(request), _files(request), auto_id="id_submit_%s"),
        lambda data: services.programme_submit(
            programme=programme,
            actor=_user(request),
            submitted_on=data["submitted_on"],
            document=data.get("file") or None,
        ),
        title=gettext_lazy("Submit the action plan to OGP"),
        intro=gettext_lazy(
            "The independent monitoring body's inception assessment is then due within 2 months."
        ),
        button=gettext_lazy("Record the submission"),
        back=_forum_url(programme),
        done=gettext_lazy("The submission is recorded; the inception assessment is awaited."),
        programme=programme,
        multipart=True,
    )


@assess
@get_or_post
def inception(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    return _form_page(
        request,
        InceptionForm(_data(request), _files(request), auto_id="id_inception_%s"),
        lambda data: services.inception_record(
            programme=programme,
            actor=_user(request),
            file=data["file"],
            title=data["title"],
            dated=data["dated"],
        ),
        title=gettext_lazy("Record the inception assessment"),
        button=gettext_lazy("Record the assessment"),
        back=_forum_url(programme),
        done=gettext_lazy("The inception assessment is recorded."),
        programme=programme,
        multipart=True,
    )


# --- the OGP Local candidacy --------------------------------------------------------------


def _candidacy(request: HttpRequest, pk: int) -> Candidacy:
    found = selectors.candidacy_get(collectivity=_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _candidacy_url(candidacy: Candidacy) -> str:
    return reverse(
        "openplan-staff:candidacy-file",
        kwargs={"slug": candidacy.collectivity.slug, "candidacy": candidacy.pk},
    )


def _candidacy_page(request: HttpRequest, shown: Candidacy | None) -> HttpResponse:
    collectivity = _collectivity(request)
    candidacies = selectors.candidacy_list(collectivity=collectivity)
    if shown is None and candidacies:
        shown = candidacies[0]
    preparing = any(c.submitted_on is None for c in candidacies)
    context: dict[str, Any] = {
        "collectivity": collectivity,
        "candidacies": candidacies,
        "candidacy": shown,
    }
    if not preparing:
        context["create_form"] = CandidacyForm(
            programmes=selectors.candidacy_earlier(collectivity=collectivity),
            initial={"term_ends_on": services.candidacy_term_end(collectivity)},
            auto_id="id_candidacy_%s",
        )
    if shown is not None:
        today = timezone.localdate()
        context["eligibility"] = selectors.candidacy_eligibility(
            candidacy=shown, on=shown.submitted_on or today
        )
        plans = selectors.candidacy_plans(collectivity=collectivity)
        if shown.submitted_on is None:
            context["letter_form"] = LetterForm(auto_id="id_letter_%s")
            context["submit_form"] = CandidacySubmitForm(
                initial={"submitted_on": today}, auto_id="id_csubmit_%s"
            )
        elif shown.accepted_on is None:
            context["accept_form"] = AcceptForm(
                programmes=plans, initial={"accepted_on": today}, auto_id="id_accept_%s"
            )
        else:
            context["link_form"] = LinkForm(
                programmes=plans,
                initial={"programme": shown.programme_id},
                auto_id="id_link_%s",
            )
    return render(request, "openplan/forum/staff/candidacy.html", context)


@manage
@require_safe
def candidacy(request: HttpRequest) -> HttpResponse:
    """The collectivity's latest candidacy (its eligibility, letters, dates and forms),
    the earlier ones as links; the form to open one when none is being prepared."""
    return _candidacy_page(request, None)


@manage
@require_safe
def candidacy_file(request: HttpRequest, candidacy: int) -> HttpResponse:
    return _candidacy_page(request, _candidacy(request, candidacy))


@manage
@get_or_post
def candidacy_new(request: HttpRequest) -> HttpResponse:
    collectivity = _collectivity(request)
    created: list[Candidacy] = []

    def call(data: dict[str, Any]) -> None:
        created.append(
            services.candidacy_save(collectivity=collectivity, actor=_user(request), data=data)
        )

    back = reverse("openplan-staff:candidacy", kwargs={"slug": collectivity.slug})
    response = _form_page(
        request,
        CandidacyForm(
            _data(request),
            programmes=selectors.candidacy_earlier(collectivity=collectivity),
            initial={"term_ends_on": services.candidacy_term_end(collectivity)},
            auto_id="id_candidacy_%s",
        ),
        call,
        title=gettext_lazy("Open an OGP Local candidacy"),
        button=gettext_lazy("Open the candidacy"),
        back=back,
    )
    if created:
        return redirect(_candidacy_url(created[0]))
    return response


@manage
@get_or_post
def candidacy_edit(request: HttpRequest, candidacy: int) -> HttpResponse:
    collectivity = _collectivity(request)
    found = _candidacy(request, candidacy)
    initial = {
        "term_ends_on": found.term_ends_on,
        "track_record": found.track_record,
        "track_record_programme": found.track_record_programme_id,
        "ambition": found.ambition,
    }
    return _form_page(
        request,
        CandidacyForm(
            _data(request),
            programmes=selectors.candidacy_earlier(collectivity=collectivity),
            initial=initial,
        ),
        lambda data: services.candidacy_save(
            collectivity=collectivity, actor=_user(request), data=data, candidacy=found
        ),
        title=gettext_lazy("Edit the candidacy"),
        button=gettext_lazy("Save"),
        back=_candidacy_url(found),
    )


@manage
@get_or_post
def letter_add(request: HttpRequest, candidacy: int) -> HttpResponse:
    found = _candidacy(request, candidacy)
    return _form_page(
        request,
        LetterForm(_data(request), _files(request), auto_id="id_letter_%s"),
        lambda data: services.letter_add(
            candidacy=found, actor=_user(request), data=data, file=data["file"]
        ),
        title=gettext_lazy("Attach a letter of support"),
        button=gettext_lazy("Attach the letter"),
        back=_candidacy_url(found),
        multipart=True,
    )


def _letter(candidacy: Candidacy, pk: int) -> SupportLetter:
    found = selectors.letter_get(candidacy, pk)
    if found is None:
        raise Http404
    return found


@manage
@require_safe
def letter_file(request: HttpRequest, candidacy: int, letter: int) -> HttpResponse:
    # staff_view is typed for HttpResponse; a streamed file serves the same purpose.
    return cast(
        HttpResponse,
        private(
            stored_file_response(_letter(_candidacy(request, candidacy), letter), inline=False)
        ),
    )


@manage
@get_or_post
def letter_delete(request: HttpRequest, candidacy: int, letter: int) -> HttpResponse:
    found = _candidacy(request, candidacy)
    chosen = _letter(found, letter)
    return _form_page(
        request,
        ConfirmForm(_data(request)),
        lambda data: services.letter_delete(letter=chosen, actor=_user(request)),
        title=_("Remove the letter of %(author)s") % {"author": chosen.author},
        button=gettext_lazy("Remove the letter"),
        back=_candidacy_url(found),
        done=gettext_lazy("The letter is removed."),
    )


@manage
@get_or_post
def candidacy_submit(request: HttpRequest, candidacy: int) -> HttpResponse:
    found = _candidacy(request, candidacy)
    return _form_page(
        request,
        CandidacySubmitForm(_data(request), auto_id="id_csubmit_%s"),
        lambda data: services.candidacy_submit(
            candidacy=found, actor=_user(request), submitted_on=data["submitted_on"]
        ),
        title=gettext_lazy("Record the submission of the candidacy"),
        intro=gettext_lazy(
            "The candidacy is checked against the eligibility criteria on that day."
        ),
        button=gettext_lazy("Record the submission"),
        back=_candidacy_url(found),
        done=gettext_lazy("The submission is recorded; the candidacy is public."),
    )


@manage
@get_or_post
def candidacy_accept(request: HttpRequest, candidacy: int) -> HttpResponse:
    found = _candidacy(request, candidacy)
    plans = selectors.candidacy_plans(collectivity=found.collectivity)
    return _form_page(
        request,
        AcceptForm(_data(request), programmes=plans, auto_id="id_accept_%s"),
        lambda data: services.candidacy_accept(
            candidacy=found,
            actor=_user(request),
            accepted_on=data["accepted_on"],
            programme=data["programme"],
        ),
        title=gettext_lazy("Record OGP's acceptance"),
        button=gettext_lazy("Record the acceptance"),
        back=_candidacy_url(found),
    )


@manage
@get_or_post
def candidacy_link(request: HttpRequest, candidacy: int) -> HttpResponse:
    found = _candidacy(request, candidacy)
    plans = selectors.candidacy_plans(collectivity=found.collectivity)
    return _form_page(
        request,
        LinkForm(_data(request), programmes=plans, auto_id="id_link_%s"),
        lambda data: services.candidacy_link(
            candidacy=found, actor=_user(request), programme=data["programme"]
        ),
        title=gettext_lazy("Link the OGP Local action plan"),
        button=gettext_lazy("Save"),
        back=_candidacy_url(found),
    )
