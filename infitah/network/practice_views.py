"""The practices members share: the public exchange under /<lang>/network/practices/
and a member's own pages under /<lang>/staff/<slug>/practices/ (Perm.PRACTICES_PUBLISH).

Staff pages of a collectivity that is not a member explain that practices are shared by
members (nothing to edit); another collectivity's practice is 404, as on every staff
page. Public pages show only published practices of members.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infitah.accounts.decorators import staff_collectivity, staff_user, staff_view
from infitah.accounts.permissions import Perm
from infitah.lib.formerrors import service_errors
from infitah.network import practice_selectors as selectors
from infitah.network import practice_services as services
from infitah.network.models import Practice, PracticeStatus
from infitah.network.practice_forms import (
    ConfirmForm,
    DocumentForm,
    PracticeFilterForm,
    PracticeForm,
)

PAGE_SIZE = 20
# Photos are shown in the page; anything else is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
SECURE_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


# ------------------------------------------------------------------------- public


def practices(request: HttpRequest) -> HttpResponse:
    """Published practices of members, filtered by theme, region and words."""
    filters = selectors.practice_filters(request.GET.dict())
    regions = selectors.practice_regions()
    form = PracticeFilterForm(
        {"q": filters.q, "theme": filters.theme, "region": filters.region},
        regions=[(region.slug, region.name) for region in regions],
    )
    page = Paginator(selectors.practice_list_public(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in vars(filters).items() if v})
    return render(
        request,
        "network/practices/list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "query": query,
            "of_collectivity": selectors.practice_collectivity(slug=filters.c),
        },
    )


def practice(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.practice_get_public(pk=pk)
    if found is None:
        raise Http404
    return render(
        request,
        "network/practices/detail.html",
        {"practice": found, "documents": list(found.documents.all())},
    )


def practice_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """A document of a published practice, with the type its content was checked
    against on upload (never sniffed nor run by the browser)."""
    document = selectors.practice_document_get_public(practice_pk=pk, pk=doc_pk)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = services.document_content_type(document)
    name = str(document.file.name).rpartition("/")[2]
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=name,
        content_type=content_type,
    )
    for header, value in SECURE_FILE_HEADERS.items():
        response[header] = value
    return response


# -------------------------------------------------------------------------- staff

staff = staff_view(Perm.PRACTICES_PUBLISH)


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even empty: the form is bound), None for a GET."""
    return request.POST if request.method == "POST" else None


def _list_url(request: HttpRequest) -> str:
    return reverse("practices-staff:list", kwargs={"slug": staff_collectivity(request).slug})


def _edit_url(practice: Practice) -> str:
    return reverse(
        "practices-staff:edit", kwargs={"slug": practice.collectivity.slug, "pk": practice.pk}
    )


def _not_member(request: HttpRequest) -> HttpResponse | None:
    """The explanation page when the staff's collectivity is not a member (400 for a
    POST: nothing was done), else None."""
    collectivity = staff_collectivity(request)
    if collectivity.is_network_member:
        return None
    return render(
        request,
        "network/practices/staff/not_member.html",
        {"collectivity": collectivity},
        status=400 if request.method == "POST" else 200,
    )


def _practice(request: HttpRequest, pk: int) -> Practice:
    found = selectors.practice_get(collectivity=staff_collectivity(request), pk=pk)
    if found is None:
        raise Http404
    return found


def _form_page(
    request: HttpRequest,
    form: Form,
    call: Callable[[dict[str, Any]], str],
    *,
    title: str | Promise,
    button: str | Promise,
    back: str,
    done: str | Promise,
    practice: Practice | None = None,
    multipart: bool = False,
    intro: str | Promise = "",
) -> HttpResponse:
    """A page with one form: on a valid POST, `call(cleaned data)` (the service), which
    returns where to go; its ValidationError goes beside the fields (400)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                target = call(form.cleaned_data)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, str(done))
                return redirect(target)
    return render(
        request,
        "network/practices/staff/form.html",
        {
            "collectivity": staff_collectivity(request),
            "practice": practice,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "multipart": multipart,
            "intro": intro,
        },
        status=status,
    )


@staff
def staff_list(request: HttpRequest) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    collectivity = staff_collectivity(request)
    return render(
        request,
        "network/practices/staff/list.html",
        {
            "collectivity": collectivity,
            "practices": list(selectors.practice_list(collectivity=collectivity)),
            "published": PracticeStatus.PUBLISHED,
        },
    )


@staff
def create(request: HttpRequest) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    collectivity = staff_collectivity(request)

    def call(data: dict[str, Any]) -> str:
        created = services.practice_create(
            collectivity=collectivity, actor=staff_user(request), data=data
        )
        return _edit_url(created)

    return _form_page(
        request,
        PracticeForm(_posted(request)),
        call,
        title=gettext_lazy("Share a practice"),
        button=gettext_lazy("Save the draft"),
        back=_list_url(request),
        done=gettext_lazy("The practice is saved as a draft. Add its documents, then publish it."),
        intro=gettext_lazy(
            "Describe what your collectivity did, so that other members can learn from it "
            "and contact you. The practice stays a draft until you publish it."
        ),
    )


@staff
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The practice's form, its documents and its publication buttons."""
    refused = _not_member(request)
    if refused is not None:
        return refused
    found = _practice(request, pk)
    if request.method == "POST":
        form = PracticeForm(request.POST)
    else:
        form = PracticeForm(
            initial={
                **{name: getattr(found, name) for name in services.FIELDS if name != "event"},
                "event": found.event_id,
            }
        )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.practice_update(
                    practice=found, actor=staff_user(request), data=form.cleaned_data
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The practice is saved."))
                return redirect(_edit_url(found))
    return render(
        request,
        "network/practices/staff/edit.html",
        {
            "collectivity": staff_collectivity(request),
            "practice": found,
            "form": form,
            "documents": [
                (document, str(document.file.name).rpartition("/")[2])
                for document in selectors.practice_documents(found)
            ],
            "document_form": DocumentForm(auto_id="id_document_%s"),
            "is_published": found.status == PracticeStatus.PUBLISHED,
        },
        status=status,
    )


@staff
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    found = _practice(request, pk)

    def call(data: dict[str, Any]) -> str:
        services.practice_publish(practice=found, actor=staff_user(request))
        return _edit_url(found)

    return _form_page(
        request,
        ConfirmForm(_posted(request)),
        call,
        title=_("Publish “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Publish the practice"),
        back=_edit_url(found),
        done=gettext_lazy("The practice is published on the network's exchange."),
        practice=found,
        intro=gettext_lazy(
            "Everyone will see the practice, its documents and its contact on the "
            "network's exchange and on your collectivity's page."
        ),
    )


@staff
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    found = _practice(request, pk)

    def call(data: dict[str, Any]) -> str:
        services.practice_unpublish(practice=found, actor=staff_user(request))
        return _edit_url(found)

    return _form_page(
        request,
        ConfirmForm(_posted(request)),
        call,
        title=_("Withdraw “%(title)s”") % {"title": found.title},
        button=gettext_lazy("Withdraw the practice"),
        back=_edit_url(found),
        done=gettext_lazy("The practice is withdrawn: it is a draft again."),
        practice=found,
        intro=gettext_lazy("The practice will no longer be public; you can publish it again."),
    )


@staff
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    found = _practice(request, pk)

    def call(data: dict[str, Any]) -> str:
        services.practice_document_add(
            practice=found,
            actor=staff_user(request),
            file=data["file"],
            title_ar=data["title_ar"],
            title_fr=data["title_fr"],
        )
        return _edit_url(found)

    return _form_page(
        request,
        DocumentForm(_posted(request), request.FILES or None, auto_id="id_document_%s"),
        call,
        title=gettext_lazy("Add a document"),
        button=gettext_lazy("Add the document"),
        back=_edit_url(found),
        done=gettext_lazy("The document is added."),
        practice=found,
        multipart=True,
    )


@staff
def document_delete(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    refused = _not_member(request)
    if refused is not None:
        return refused
    found = _practice(request, pk)
    document = selectors.practice_document_get(practice=found, pk=doc_pk)
    if document is None:
        raise Http404

    def call(data: dict[str, Any]) -> str:
        services.practice_document_delete(document=document, actor=staff_user(request))
        return _edit_url(found)

    return _form_page(
        request,
        ConfirmForm(_posted(request)),
        call,
        title=_("Delete the document “%(title)s”") % {"title": document.title},
        button=gettext_lazy("Delete the document"),
        back=_edit_url(found),
        done=gettext_lazy("The document is deleted."),
        practice=found,
    )
