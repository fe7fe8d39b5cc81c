"""Open311 GeoReport v2 under /open311/v2/ (docs/open311.md), and the collectivity
administrator's page of the sending organisations' keys.

Every answer is in the format the path ends with (`.json` or `.xml`); every refusal is a
GeoReport error list (`[{code, description}]`, or `<errors>`), translated, and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from infitah.accounts.decorators import staff_collectivity, staff_user, staff_view
from infitah.accounts.permissions import Perm
from infitah.open311 import selectors, services
from infitah.open311.formats import FORMAT_NAMES, error_response, respond
from infitah.open311.forms import SenderKeyForm
from infitah.open311.models import SenderKey
from infitah.open311.selectors import Open311Error, RequestFilters
from infitah.territories.models import Collectivity

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"
MAX_IDS = selectors.MAX_REQUESTS

View = Callable[..., HttpResponse]


def georeport(*methods: str) -> Callable[[View], View]:
    """A GeoReport endpoint: the allowed methods, and Open311Error as an error answer."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error_response(
                    fmt,
                    405,
                    [
                        _("This method is not allowed here: use %(methods)s.")
                        % {"methods": ", ".join(methods)}
                    ],
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error.status, error.descriptions)

        return csrf_exempt(wrapped) if "POST" in methods else wrapped

    return decorator


def _param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    value = source.get(name) or request.GET.get(name) or ""
    return value if isinstance(value, str) else ""


def _jurisdiction(request: HttpRequest) -> Collectivity:
    return selectors.jurisdiction_get(_param(request, "jurisdiction_id"))


def _list(request: HttpRequest, name: str) -> list[str]:
    """A comma-delimited argument, which may also be repeated."""
    return [
        item.strip()
        for value in request.GET.getlist(name)
        for item in value.split(",")
        if item.strip()
    ]


def _moment(request: HttpRequest, name: str) -> dt.datetime | None:
    """A W3C date-time with its time zone (or a date: its first moment, site time)."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    refusal = Open311Error(
        400,
        _("%(name)s must be a date and time with its time zone, e.g. 2026-01-31T00:00:00Z.")
        % {"name": name},
    )
    try:
        moment = parse_datetime(value)
        day = parse_date(value) if moment is None else None
    except ValueError:
        raise refusal from None
    if moment is None and day is not None:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    if moment is None or timezone.is_naive(moment):
        raise refusal
    return moment


def _window(request: HttpRequest) -> tuple[dt.datetime, dt.datetime]:
    """[start, end]: the last 90 days by default; never more than 90 days."""
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - selectors.WINDOW
    if end is None:
        end = start + selectors.WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > selectors.WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return start, end


# --------------------------------------------------------------------------- GeoReport


@georeport("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = settings.INFITAH_SITE_URL + "/open311/v2"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("The complaints unit of each collectivity; the network for the service."),
            "key_service": _(
                "An api_key is issued to a sending organisation by the administrator of the "
                "collectivity it sends to."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": FORMAT_NAMES,
                }
            ],
        },
    )


@georeport("GET", "HEAD")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    return respond(fmt, "services", selectors.service_list(collectivity=collectivity))


@georeport("GET", "HEAD")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    service = selectors.service_get(collectivity=collectivity, code=code)
    return respond(fmt, "service_definition", selectors.service_definition(service))


def _requests_get(request: HttpRequest, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    ids = _list(request, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, _("Ask for %(max)d service_request_id at most.") % {"max": MAX_IDS})
    statuses = _list(request, "status")
    if any(status not in ("open", "closed") for status in statuses):
        raise Open311Error(400, _("status is open or closed."))
    start, end = _window(request)
    filters = RequestFilters(
        ids=ids, codes=_list(request, "service_code"), start=start, end=end, statuses=statuses
    )
    publish = selectors.publishes_answers(collectivity)
    return respond(
        fmt,
        "service_requests",
        [
            selectors.request_out(c, collectivity=collectivity, publish=publish)
            for c in selectors.request_list(collectivity=collectivity, filters=filters)
        ],
    )


def _notice(submitted: services.Submitted) -> str:
    complaint = submitted.complaint
    if submitted.awaits_confirmation:
        return _(
            "Registered as %(reference)s. The citizen must confirm the e-mail address with "
            "the link sent to it: the complaint is received then, and the legal time limits "
            "run from that day."
        ) % {"reference": complaint.reference}
    return _(
        "Received as %(reference)s. The collectivity acknowledges it by %(acknowledge)s and "
        "answers by %(answer)s (decree 2.17.265)."
    ) % {
        "reference": complaint.reference,
        "acknowledge": complaint.acknowledge_by.isoformat() if complaint.acknowledge_by else "",
        "answer": complaint.answer_by.isoformat() if complaint.answer_by else "",
    }


def _requests_post(request: HttpRequest, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    secret = request.POST.get("api_key", "")
    key = (
        services.sender_key_authenticate(secret=secret, collectivity=collectivity)
        if secret
        else None
    )
    if key is None:
        raise Open311Error(
            403, _("Invalid api_key: ask the collectivity's administrator for a key.")
        )
    if not request.POST.get("service_code", "").strip():
        raise Open311Error(400, _("service_code was not provided."))
    fields = {name: value for name, value in request.POST.items() if isinstance(value, str)}
    try:
        submitted = services.open311_request_submit(key=key, fields=fields, language=get_language())
    except ValidationError as error:
        raise Open311Error(400, *services.error_descriptions(error)) from None
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": submitted.complaint.reference,
                "service_notice": _notice(submitted),
                "account_id": None,
            }
        ],
    )


@georeport("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@georeport("GET", "HEAD")
def request_detail(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    found = selectors.request_get(collectivity=collectivity, reference=reference)
    if found is None:
        raise Open311Error(
            404,
            _("service_request_id not found in this jurisdiction (or not yet confirmed)."),
        )
    publish = selectors.publishes_answers(collectivity)
    return respond(
        fmt,
        "service_requests",
        [selectors.request_out(found, collectivity=collectivity, publish=publish)],
    )


@georeport("GET", "HEAD")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    collectivity = _jurisdiction(request)
    start, end = _window(request)
    return respond(
        fmt,
        "service_request_updates",
        selectors.update_list(collectivity=collectivity, start=start, end=end),
    )


# --------------------------------------------------------------------------- staff


def _keys_render(
    request: HttpRequest,
    *,
    form: SenderKeyForm | None = None,
    created: SenderKey | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    collectivity = staff_collectivity(request)
    return render(
        request,
        "open311/keys.html",
        {
            "collectivity": collectivity,
            "form": form or SenderKeyForm(),
            "created": created,
            "secret": secret,
            "keys": selectors.sender_key_list(collectivity=collectivity),
            "endpoint": settings.INFITAH_SITE_URL + "/open311/v2/",
        },
        status=status,
    )


@never_cache
@staff_view(Perm.MEMBERS_MANAGE)
def keys(request: HttpRequest) -> HttpResponse:
    """The keys of the organisations that send complaints over Open311: issue (the
    secret is shown once, in the answer to the POST), list, revoke."""
    if request.method != "POST":
        return _keys_render(request)
    form = SenderKeyForm(request.POST)
    if not form.is_valid():
        return _keys_render(request, form=form, status=400)
    try:
        created, secret = services.sender_key_issue(
            collectivity=staff_collectivity(request),
            organisation=form.cleaned_data["organisation"],
            actor=staff_user(request),
        )
    except ValidationError as error:
        form.add_error("organisation", error.message_dict.get("organisation", error.messages))
        return _keys_render(request, form=form, status=400)
    except PermissionError:
        raise Http404 from None
    return _keys_render(request, created=created, secret=secret)


@staff_view(Perm.MEMBERS_MANAGE)
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    collectivity = staff_collectivity(request)
    try:
        key = services.sender_key_revoke(
            collectivity=collectivity, key_id=pk, actor=staff_user(request)
        )
    except (SenderKey.DoesNotExist, PermissionError):
        raise Http404 from None
    messages.success(
        request,
        _("The key of “%(organisation)s” is revoked: it no longer creates complaints.")
        % {"organisation": key.organisation},
    )
    return redirect("open311-staff:keys", slug=collectivity.slug)
