"""Pages of the network's events and trainings.

Public: the list of published events (upcoming first), an event's page (programme,
workshops, documents, the report once published, attendance counts once marked) with
its registration form while registration is open. The collectivity is found by a search
of its name (GET ?q=, or the form's own "search" button, which keeps what was typed);
no JavaScript, no list of every collectivity.

The office (`office/`, NetworkPerm.EVENTS_MANAGE; 404 for everyone else): events
(create, edit, publish, cancel), registrations with attendance marking, documents,
the report and the statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from infitah.accounts.decorators import verified_login_required
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.lib.bounds import whole_number
from infitah.lib.casework import private
from infitah.lib.formerrors import service_errors
from infitah.network import event_selectors as selectors
from infitah.network import event_services as services
from infitah.network.event_forms import (
    NONE,
    CancelForm,
    DocumentForm,
    EventForm,
    RegistrationForm,
    ReportForm,
)
from infitah.network.event_services import DOCUMENT_TYPES, NotAllowed
from infitah.network.models import Event, EventKind, EventStatus, Registration

View = Callable[..., HttpResponse]

PAGE_SIZE = 20
OFFICE_PAGE_SIZE = 50
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _event_or_404(pk: int) -> Event:
    if whole_number(pk, minimum=1) is None:
        raise Http404
    found = selectors.event_get_public(pk=pk)
    if found is None:
        raise Http404
    return found


def _event_url(event: Event) -> str:
    return reverse("network:event", kwargs={"pk": event.pk})


# ------------------------------------------------------------------------------ public


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Published events, upcoming first then past ones, PAGE_SIZE a page; ?kind= one
    kind (workshops of gatherings are listed only then)."""
    kind = request.GET.get("kind", "")
    if kind not in EventKind.values:
        kind = ""
    page = Paginator(selectors.event_list_public(kind=kind or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "network/events/list.html",
        {"page": page, "kind": kind, "kinds": EventKind.choices},
    )


def _already(event: Event, user: User | None) -> bool:
    if user is None:
        return False
    mine = Q(user=user) | Q(email=user.email.lower())
    return Registration.objects.filter(mine, event=event).exists()


def _page(
    request: HttpRequest,
    event: Event,
    *,
    form: RegistrationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _signed_in(request)
    refusal = services.registration_refusal(event)
    registered = _already(event, user)
    if form is None and refusal is None and not registered:
        query = request.GET.get("q", "")[:100]
        form = RegistrationForm(
            user=user,
            matches=selectors.collectivity_matches(query=query),
            initial={"q": query},
        )
    shown_again = form is not None and form.is_bound and bool(form.errors)
    stats = selectors.event_stats(event=event)
    context: dict[str, Any] = {
        "event": event,
        "workshops": selectors.event_children_public(event=event),
        "documents": selectors.event_documents(event=event),
        "stats": stats,
        "show_stats": stats.is_marked,
        "show_report": event.report_published_at is not None and bool(event.report),
        "refusal": refusal,
        "registered": registered,
        "has_ended": event.ends_at < timezone.now(),
        # A form refused for its content is shown again as typed, whatever the state.
        "form": form if (refusal is None and not registered) or shown_again else None,
        "places_left": (
            max(event.capacity - stats.registered, 0) if event.capacity is not None else None
        ),
    }
    return render(request, "network/events/detail.html", context, status=status)


@never_cache
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event: its programme, workshops, documents, the report once published, the
    attendance counts once marked (never a name), and the registration form."""
    return _page(request, _event_or_404(pk))


def _search_form(request: HttpRequest, user: User | None) -> RegistrationForm:
    """The form as typed, unbound (no error shown yet), with the collectivities found."""
    query = request.POST.get("q", "")[:100]
    initial: dict[str, Any] = {
        name: request.POST.get(name, "")
        for name in ("full_name", "email", "role", "gender", "collectivity")
    }
    initial["q"] = query
    if whole_number(initial["collectivity"]) is None:
        initial["collectivity"] = NONE
    form = RegistrationForm(
        user=user, matches=selectors.collectivity_matches(query=query), initial=initial
    )
    if user is not None and not initial["full_name"]:
        form.initial["full_name"] = user.full_name
    return form


@never_cache
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register for an event. The "search" button (name `find`) only looks for the
    collectivity and shows the form again, as typed."""
    event = _event_or_404(pk)
    user = _signed_in(request)
    if "find" in request.POST:
        return _page(request, event, form=_search_form(request, user))
    query = request.POST.get("q", "")[:100]
    form = RegistrationForm(
        request.POST, user=user, matches=selectors.collectivity_matches(query=query)
    )
    if not form.is_valid():
        return _page(request, event, form=form, status=400)
    try:
        registration = services.registration_create(
            event=event,
            actor=user,
            data=form.registration_input(),
            language=get_language() or "ar",
        )
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _page(request, event, status=409)
    except ValidationError as exc:
        service_errors(form, exc)
        return _page(request, event, form=form, status=400)
    messages.success(
        request,
        _("You are registered. A receipt is on its way to %(email)s.")
        % {"email": registration.email},
    )
    return redirect(_event_url(event) + "#register")


def event_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """A document of a published event, as an attachment that the browser may neither
    sniff nor run."""
    event = _event_or_404(pk)
    if whole_number(doc_pk, minimum=1) is None:
        raise Http404
    document = selectors.document_get(event=event, pk=doc_pk)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    ext = document.file.name.rpartition(".")[2].lower() if document.file.name else ""
    title = (document.title or "document").replace("/", "-").replace("\\", "-")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{title}.{ext}" if ext else title,
        content_type=DOCUMENT_TYPES.get(ext, "application/octet-stream"),
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


# ------------------------------------------------------------------------------ office


def _manager(request: HttpRequest) -> User:
    """The signed-in network admin who runs events, or Http404."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, NetworkPerm.EVENTS_MANAGE):
        raise Http404
    return user


def office_view(*methods: str) -> Callable[[View], View]:
    """An office page: signed in (login page otherwise), NetworkPerm.EVENTS_MANAGE
    (404 otherwise, whatever the method), then one of `methods` (405 otherwise)."""

    def decorator(view: View) -> View:
        @verified_login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            _manager(request)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _office_event_or_404(pk: int) -> Event:
    if whole_number(pk, minimum=1) is None:
        raise Http404
    found = selectors.office_event_get(pk=pk)
    if found is None:
        raise Http404
    return found


def _office_url(name: str, event: Event) -> str:
    return reverse(f"network:{name}", kwargs={"pk": event.pk})


def _office(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return private(render(request, template, context))


@office_view("GET")
def office_events(request: HttpRequest) -> HttpResponse:
    """Every event, drafts included, with its registrations and attendance counts."""
    _manager(request)
    page = Paginator(selectors.office_event_list(), OFFICE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _office(request, "network/events/office/list.html", {"page": page})


@office_view("GET", "POST")
def office_event_create(request: HttpRequest) -> HttpResponse:
    """A new event, as a draft (?parent=<gathering> starts a workshop of it)."""
    user = _manager(request)
    initial: dict[str, Any] = {"kind": EventKind.TRAINING, "registration_open": True}
    parent = whole_number(request.GET.get("parent"), minimum=1)
    if parent is not None:
        initial.update(kind=EventKind.WORKSHOP, parent=parent, registration_open=False)
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=user, data=form.event_input())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The event is created as a draft."))
            return redirect(_office_url("office-event", event))
    return _office(request, "network/events/office/form.html", {"form": form, "event": None})


def _office_event_context(event: Event, form: EventForm, cancel: CancelForm) -> dict[str, Any]:
    return {
        "event": event,
        "form": form,
        "cancel_form": cancel,
        "children": selectors.office_children(event=event),
        "can_publish": event.status in services.PUBLISHABLE,
        "can_cancel": event.status in services.CANCELLABLE,
        "is_gathering": event.kind == EventKind.GATHERING,
    }


@office_view("GET", "POST")
def office_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an event; `action` publish or cancel it."""
    user = _manager(request)
    event = _office_event_or_404(pk)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = EventForm(
        request.POST if action == "save" else None,
        initial=EventForm.initial_of(event),
        event=event,
    )
    cancel = CancelForm(request.POST if action == "cancel" else None)
    try:
        if action == "save" and form.is_valid():
            try:
                services.event_update(event=event, actor=user, data=form.event_input())
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The event is saved."))
                return redirect(_office_url("office-event", event))
        elif action == "publish":
            services.event_publish(event=event, actor=user)
            messages.success(request, _("The event is published."))
            return redirect(_office_url("office-event", event))
        elif action == "cancel" and cancel.is_valid():
            sent = services.event_cancel(event=event, actor=user, note=cancel.cleaned_data["note"])
            messages.success(
                request,
                ngettext(
                    "The event is cancelled; %(count)d registrant is notified.",
                    "The event is cancelled; %(count)d registrants are notified.",
                    sent,
                )
                % {"count": sent},
            )
            return redirect(_office_url("office-event", event))
    except NotAllowed as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        raise Http404 from exc
    status = 400 if action in {"save", "cancel"} else 200
    response = render(
        request,
        "network/events/office/event.html",
        _office_event_context(event, form, cancel),
        status=status if request.method == "POST" else 200,
    )
    return private(response)


def _ids(values: list[str]) -> set[int]:
    found = {whole_number(v, minimum=1) for v in values}
    return {pk for pk in found if pk is not None}


@office_view("GET", "POST")
def office_event_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrants (names, addresses, capacities) and the attendance form: one
    checkbox each, saved in one go."""
    user = _manager(request)
    event = _office_event_or_404(pk)
    if request.method == "POST":
        try:
            present, absent = services.attendance_mark(
                event=event,
                actor=user,
                shown=_ids(request.POST.getlist("shown")),
                attended=_ids(request.POST.getlist("attended")),
            )
        except NotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)d present, %(absent)d absent.")
                % {"present": present, "absent": absent},
            )
        return redirect(_office_url("office-event-registrations", event))
    return _office(
        request,
        "network/events/office/registrations.html",
        {
            "event": event,
            "registrations": selectors.registration_list(event=event),
            "stats": selectors.event_stats(event=event),
            "can_mark": event.status == EventStatus.PUBLISHED,
        },
    )


@office_view("GET", "POST")
def office_event_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's documents: upload (checked by content, at most 20 MB) and remove."""
    user = _manager(request)
    event = _office_event_or_404(pk)
    form = DocumentForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "remove":
        doc_pk = whole_number(request.POST.get("document"), minimum=1)
        document = selectors.document_get(event=event, pk=doc_pk) if doc_pk else None
        if document is None:
            raise Http404
        services.event_document_remove(document=document, actor=user)
        messages.success(request, _("The document is removed."))
        return redirect(_office_url("office-event-documents", event))
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.event_document_add(
                    event=event,
                    actor=user,
                    kind=data["kind"],
                    title_ar=data["title_ar"],
                    title_fr=data["title_fr"],
                    file=data["file"],
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The document is added."))
                return redirect(_office_url("office-event-documents", event))
        status = 400
    response = render(
        request,
        "network/events/office/documents.html",
        {"event": event, "form": form, "documents": selectors.event_documents(event=event)},
        status=status,
    )
    return private(response)


@office_view("GET", "POST")
def office_event_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The statistics (registered, present, by collectivity, region and capacity,
    women's share) and the report, published on the event's page when ticked."""
    user = _manager(request)
    event = _office_event_or_404(pk)
    form = ReportForm(request.POST or None, initial=ReportForm.initial_of(event))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.event_report_save(
                    event=event,
                    actor=user,
                    report_ar=data["report_ar"],
                    report_fr=data["report_fr"],
                    publish=data["publish"],
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The report is saved."))
                return redirect(_office_url("office-event-report", event))
        status = 400
    response = render(
        request,
        "network/events/office/report.html",
        {"event": event, "form": form, "stats": selectors.event_stats(event=event)},
        status=status,
    )
    return private(response)
