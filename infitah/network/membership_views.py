"""Membership pages of the network (docs: the network's membership).

Public: the members (kind, region, the date each joined, counts and the composition over
time), the charter, and the application form (no account needed). Office: the network
administrators' pages (NetworkPerm.MEMBERS_MANAGE; 404 for everyone else, signed in or
not): the applications, each with its deliberation (served only here, never under a
public address), the decisions, a member's history and changes, the charter's versions,
and the invitation to apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from infitah.accounts.decorators import needs_second_factor
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.lib.casework import private, site_language
from infitah.lib.formerrors import service_errors
from infitah.lib.pagecache import cached_public_page
from infitah.network import membership_selectors as selectors
from infitah.network import membership_services as services
from infitah.network.membership_forms import (
    ApplicationForm,
    CharterForm,
    ContactForm,
    InviteApplyForm,
    MemberChangeForm,
    RejectForm,
)
from infitah.network.models import Application, ApplicationStatus, ChangeKind
from infitah.territories.models import Collectivity, Kind

PAGE_SIZE = 25
QUERY_MAX = 200
PERM = NetworkPerm.MEMBERS_MANAGE
TEMPLATES = "network/membership"

View = Callable[..., HttpResponseBase]


def _query(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "")[:QUERY_MAX].split())


# --- The composition chart (server-drawn SVG: no script, no inline style) --------------

WIDTH = 360
FONT = 14
PAD = 4.0
LABEL = 20.0
BAR = 18.0
GAP = 12.0
ROW = LABEL + BAR + GAP
FIGURE_ROOM = 44.0
# One colour per kind group (colour-blind safe, dark enough against white), always with
# the legend and the table beside the chart.
GROUP_COLOURS = {"regions": "#1b7837", "provincial": "#d95f02", "communes": "#7570b3"}
OUTLINE = "#1b1f24"
LRI, PDI = "\u2066", "\u2069"


def _n(number: float) -> str:
    rounded = round(number, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def point_label(point: selectors.CompositionPoint) -> str:
    day = formats.date_format(point.on, "DATE_FORMAT")
    if point.is_today:
        return _("Today (%(date)s)") % {"date": day}
    return day


def composition_chart(points: Sequence[selectors.CompositionPoint]) -> SafeString:
    """One horizontal bar per date, split by kind group, its total written at its end;
    mirrored in Arabic. The page prints the same figures in a table."""
    rtl = bool(get_language_bidi())
    title = _("Members of the network over time")
    desc = _("The same figures are in the table below.")
    height = max(len(points), 1) * ROW - GAP + 2 * PAD
    most = max((p.total for p in points), default=0) or 1
    plot = WIDTH - 2 * PAD - FIGURE_ROOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="composition-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" font-size="{FONT}" '
        f'fill="currentColor" aria-labelledby="composition-t composition-d" '
        f'direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="composition-t">{escape(title)}</title>',
        f'<desc id="composition-d">{escape(desc)}</desc>',
    ]
    start = WIDTH - PAD if rtl else PAD
    for i, point in enumerate(points):
        top = PAD + i * ROW
        parts.append(
            f'<text x="{_n(start)}" y="{_n(top + LABEL - 5)}">{escape(point_label(point))}</text>'
        )
        offset = 0.0
        for group in selectors.KIND_GROUPS:
            count = getattr(point, group.key)
            if not count:
                continue
            width = count / most * plot
            x = PAD + offset
            x = WIDTH - x - width if rtl else x
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(top + LABEL)}" width="{_n(max(width, 1))}" '
                f'height="{_n(BAR)}" fill="{GROUP_COLOURS[group.key]}" stroke="{OUTLINE}">'
                f"<title>{escape(str(group.label))}: {count}</title></rect>"
            )
            offset += width
        figure_x = PAD + offset + 6
        figure_x = WIDTH - figure_x if rtl else figure_x
        parts.append(
            f'<text x="{_n(figure_x)}" y="{_n(top + LABEL + BAR - 4)}" font-weight="700">'
            f"{LRI}{point.total}{PDI}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped


# --- Public pages ----------------------------------------------------------------------


@cached_public_page(services.PAGES)
def members(request: HttpRequest) -> HttpResponse:
    """Every member with its kind, region and the date it joined; counts by kind group
    and by region; the composition over time. A fixed number of queries."""
    rows = selectors.member_rows()
    regions = selectors.region_list()
    ignored: list[str] = []
    kind = request.GET.get("kind", "")
    if kind and kind not in (Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE, Kind.COMMUNE):
        ignored.append("kind")
        kind = ""
    wanted = request.GET.get("region", "")
    region = next((r for r in regions if r.slug == wanted), None) if wanted else None
    if wanted and region is None:
        ignored.append("region")
    shown = selectors.member_rows_filter(rows, kind=kind, region=region)
    points = selectors.composition()
    user = request.user
    return render(
        request,
        f"{TEMPLATES}/members.html",
        {
            "rows": shown,
            "total": len(rows),
            "filtered": bool(kind or region),
            "kind": kind,
            "region": region,
            "regions": regions,
            "kinds": [(k.value, k.label) for k in Kind if k != Kind.NETWORK],
            "ignored": ignored,
            "by_group": selectors.counts_by_group(rows),
            "by_region": selectors.counts_by_region(rows, regions),
            "points": [(point_label(p), p) for p in points],
            "chart": composition_chart(points) if points else "",
            "groups": [(g, GROUP_COLOURS[g.key]) for g in selectors.KIND_GROUPS],
            "may_manage": isinstance(user, User) and has_network_perm(user, PERM),
        },
    )


@cached_public_page(services.PAGES)
def charter(request: HttpRequest) -> HttpResponse:
    """The charter in force, and its earlier versions."""
    versions = selectors.charter_list()
    return render(
        request,
        f"{TEMPLATES}/charter.html",
        {"current": versions[0] if versions else None, "earlier": versions[1:]},
    )


def _apply_context(request: HttpRequest) -> dict[str, Any]:
    return {"charter": selectors.charter_current(), "query": _query(request)}


def apply(request: HttpRequest) -> HttpResponse:
    """The application form: first find the collectivity by its name (or come with a
    signed invitation), then the council's decision, the charter, the focal point."""
    context = _apply_context(request)
    charter_now = context["charter"]
    status = 200
    collectivity: Collectivity | None = None
    invitation = None
    token = request.GET.get("invitation", "")
    if token:
        invitation = selectors.apply_invitation_read(token[:1000])
        if invitation is None:
            context["invitation_error"] = _(
                "This invitation link is not valid or has expired (it works 30 days). Find "
                "the collectivity by its name below, or ask the network for a new link."
            )
            status = 400
        else:
            collectivity = invitation.collectivity
    slug = request.POST.get("collectivity") if request.method == "POST" else None
    slug = slug or request.GET.get("collectivity", "")
    if slug and collectivity is None:
        collectivity = selectors.candidate_get(slug[:120])
        if collectivity is None:
            context["collectivity_error"] = _("No collectivity has this address: search again.")
            status = 404 if request.method == "GET" else 400
    if charter_now is None:
        context["closed"] = True
        return private(render(request, f"{TEMPLATES}/apply.html", context, status=status))
    if collectivity is None:
        if request.method == "POST":
            status = 400
        if context["query"]:
            context["candidates"] = selectors.candidate_search(context["query"])
        return private(render(request, f"{TEMPLATES}/apply.html", context, status=status))
    context["collectivity"] = collectivity
    refusal = services.membership_refusal(collectivity)
    if refusal:
        context["refusal"] = refusal
        return private(render(request, f"{TEMPLATES}/apply.html", context, status=409))
    user = request.user
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                services.application_submit(
                    actor=user if isinstance(user, User) else None,
                    collectivity=collectivity,
                    data=form.application_input(),
                    deliberation=form.cleaned_data["deliberation"],
                    deliberation_name=str(form.cleaned_data["deliberation"].name or ""),
                    language=site_language(get_language()),
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                return redirect("network:application-sent")
        # The next submission accepts the version the page now shows.
        data = request.POST.copy()
        data["charter_version"] = str(charter_now.version)
        form.data = data
    else:
        initial: dict[str, Any] = {
            "collectivity": collectivity.slug,
            "charter_version": charter_now.version,
        }
        if invitation is not None:
            initial["applicant_email"] = invitation.email
        if isinstance(user, User):
            initial.setdefault("applicant_email", user.email)
            initial["applicant_name"] = user.full_name
        form = ApplicationForm(initial=initial)
    context["form"] = form
    return private(render(request, f"{TEMPLATES}/apply.html", context, status=status))


def application_sent(request: HttpRequest) -> HttpResponse:
    return render(request, f"{TEMPLATES}/application_sent.html")


# --- Office ----------------------------------------------------------------------------


def office_view(view: View) -> View:
    """A network administrator's page: 404 for everyone else (anonymous included: the
    page's existence is not confirmed), the second factor when required, never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not isinstance(user, User) or not has_network_perm(user, PERM):
            raise Http404
        if needs_second_factor(user):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp')}?{query}")
        return private(view(request, *args, **kwargs))

    return wrapped


def _admin(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # office_view checked it
    return user


def _application_or_404(pk: int) -> Application:
    application = selectors.application_get(pk)
    if application is None:
        raise Http404
    return application


@office_view
def office_applications(request: HttpRequest) -> HttpResponse:
    """The applications, pending first; and a search of members by name."""
    page = Paginator(selectors.application_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(request)
    return render(
        request,
        f"{TEMPLATES}/office_applications.html",
        {
            "page": page,
            "query": query,
            "found": selectors.office_member_search(query) if query else None,
        },
    )


@office_view
def office_application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: accept it, or reject it with a note."""
    application = _application_or_404(pk)
    reject_form = RejectForm()
    status = 200
    if request.method == "POST":
        actor = _admin(request)
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                services.application_accept(actor=actor, application=application)
                messages.success(
                    request,
                    _("%(name)s is a member of the network; its focal point is invited.")
                    % {"name": application.collectivity.name},
                )
                return redirect("network:office-member", slug=application.collectivity.slug)
            if action == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    services.application_reject(
                        actor=actor, application=application, note=reject_form.cleaned_data["note"]
                    )
                    messages.success(
                        request, _("The application is rejected; the applicant is told why.")
                    )
                    return redirect("network:office-application", pk=application.pk)
                status = 400
            else:
                status = 400
                messages.error(request, _("Choose to accept or to reject the application."))
        except ValidationError as exc:
            status = 400
            if action == "reject":
                service_errors(reject_form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        application = _application_or_404(pk)
    return render(
        request,
        f"{TEMPLATES}/office_application.html",
        {
            "application": application,
            "consents": selectors.application_consents(application),
            "is_pending": application.status == ApplicationStatus.PENDING,
            "reject_form": reject_form,
        },
        status=status,
    )


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "deliberation"


@office_view
def office_deliberation(request: HttpRequest, pk: int) -> FileResponse:
    """The application's deliberation, as an attachment (network administrators only:
    it is not under any public address)."""
    application = _application_or_404(pk)
    if not application.deliberation:
        raise Http404
    try:
        handle = application.deliberation.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    name = _safe_name(f"deliberation-{application.collectivity.slug}-{application.pk}") + ".pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@office_view
def office_member(request: HttpRequest, slug: str) -> HttpResponse:
    """A member's history, its focal point's public contact, and its changes (suspend,
    reinstate, leave)."""
    panel = selectors.office_member_get(slug)
    if panel is None:
        raise Http404
    collectivity = panel.collectivity
    member = panel.member
    contact_form = ContactForm(
        initial={
            "name": member.focal_point_name if member else "",
            "email": member.focal_point_public_email if member else "",
            "phone": member.focal_point_public_phone if member else "",
        }
    )
    change_form = MemberChangeForm(initial={"on": timezone.localdate().isoformat()})
    status = 200
    if request.method == "POST":
        actor = _admin(request)
        status = 400
        if request.POST.get("form") == "contact":
            contact_form = ContactForm(request.POST)
            if contact_form.is_valid():
                d = contact_form.cleaned_data
                try:
                    services.member_contact_update(
                        actor=actor,
                        collectivity=collectivity,
                        name=d["name"],
                        email=d["email"],
                        phone=d["phone"],
                    )
                except ValidationError as exc:
                    service_errors(contact_form, exc)
                else:
                    messages.success(request, _("The published contact is saved."))
                    return redirect("network:office-member", slug=slug)
        else:
            change_form = MemberChangeForm(request.POST)
            if change_form.is_valid():
                d = change_form.cleaned_data
                action = {
                    ChangeKind.SUSPENDED: services.member_suspend,
                    ChangeKind.REINSTATED: services.member_reinstate,
                    ChangeKind.LEFT: services.member_leave,
                }[d["change"]]
                try:
                    action(actor=actor, collectivity=collectivity, on=d["on"], note=d["note"])
                except ValidationError as exc:
                    service_errors(change_form, exc)
                else:
                    messages.success(request, _("The change of membership is recorded."))
                    return redirect("network:office-member", slug=slug)
    return render(
        request,
        f"{TEMPLATES}/office_member.html",
        {
            "panel": panel,
            "collectivity": collectivity,
            "contact_form": contact_form,
            "change_form": change_form,
        },
        status=status,
    )


@office_view
def office_charter(request: HttpRequest) -> HttpResponse:
    """Publish a new version of the charter (the current text as a start)."""
    current = selectors.charter_current()
    status = 200
    if request.method == "POST":
        form = CharterForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                created = services.charter_publish(actor=_admin(request), **form.cleaned_data)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the charter is published.")
                    % {"version": created.version},
                )
                return redirect("network:charter")
    else:
        initial = {}
        if current is not None:
            initial = {
                "title_ar": current.title_ar,
                "title_fr": current.title_fr,
                "body_ar": current.body_ar,
                "body_fr": current.body_fr,
            }
        form = CharterForm(initial=initial)
    return render(
        request,
        f"{TEMPLATES}/office_charter.html",
        {"form": form, "current": current, "next_version": selectors.charter_next_version()},
        status=status,
    )


@office_view
def office_invite_apply(request: HttpRequest) -> HttpResponse:
    """Invite a collectivity to apply: find it by name, then an e-mail address."""
    query = _query(request)
    slug = (
        request.POST.get("collectivity") if request.method == "POST" else None
    ) or request.GET.get("collectivity", "")
    collectivity = selectors.candidate_get(slug[:120]) if slug else None
    if slug and collectivity is None:
        raise Http404
    context: dict[str, Any] = {"query": query, "collectivity": collectivity}
    status = 200
    if collectivity is None:
        if query:
            context["candidates"] = selectors.candidate_search(query)
        return render(request, f"{TEMPLATES}/office_invite_apply.html", context)
    context["refusal"] = services.membership_refusal(collectivity)
    if request.method == "POST":
        form = InviteApplyForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                link = services.application_invite(
                    actor=_admin(request),
                    collectivity=collectivity,
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                context["sent_link"] = link
                context["sent_to"] = form.cleaned_data["email"]
                form = InviteApplyForm(initial={"collectivity": collectivity.slug})
                status = 200
    else:
        form = InviteApplyForm(
            initial={"collectivity": collectivity.slug, "language": get_language()}
        )
    context["form"] = form
    return render(request, f"{TEMPLATES}/office_invite_apply.html", context, status=status)
