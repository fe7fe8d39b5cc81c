"""Pages of participation: join (an e-mail with a link), confirm, my participation, leave."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from infitah.lib.casework import private
from infitah.participation import access, selectors, services
from infitah.participation.forms import JoinForm
from infitah.participation.models import Participant


def _service_errors(form: BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """Take part: e-mail, display name, commune, gender. The answer is the same page
    whether or not the address is known (it is never revealed)."""
    next_url = services.safe_next(request.POST.get("next") or request.GET.get("next"))
    form = JoinForm(request.POST if request.method == "POST" else None, initial={"next": next_url})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.participant_join(
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                    commune=form.commune_found,
                    gender=form.cleaned_data["gender"],
                    language=get_language() or "",
                    next_url=next_url,
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                return private(
                    render(
                        request,
                        "participation/join_sent.html",
                        {"email": form.cleaned_data["email"].strip().lower()},
                    )
                )
    return private(
        render(
            request,
            "participation/join.html",
            {
                "form": form,
                "participant": selectors.participant_from_request(request),
                "next_url": next_url,
            },
            status=status,
        )
    )


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page the e-mail links to: a GET shows a button, only a POST confirms (mail
    scanners open links; they do not submit forms). A link that does not work (unknown,
    expired, used) gets a page that says so, with a 404."""
    next_url = services.safe_next(request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        participant = services.participant_confirm(token=token)
        if participant is not None:
            access.participant_login(request, participant)
            messages.success(
                request,
                _("Welcome, %(name)s: your e-mail address is confirmed.")
                % {"name": participant.display_name},
            )
            return private(redirect(next_url or reverse("participation:me")))
        found: Participant | None = None
    else:
        found = selectors.confirm_link_participant(token)
    return private(
        render(
            request,
            "participation/confirm.html",
            {"participant": found, "next_url": next_url},
            status=200 if found is not None else 404,
        )
    )


@never_cache
@access.participant_required
def me(request: HttpRequest) -> HttpResponse:
    """The participant's page: their profile and their API token."""
    participant: Participant = request.participant  # type: ignore[attr-defined]
    return private(
        render(
            request,
            "participation/me.html",
            {
                "participant": participant,
                "api_token": selectors.participant_api_token(participant),
            },
        )
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the participant in this browser (the account stays; joining again signs
    in)."""
    if selectors.participant_from_request(request) is not None:
        access.participant_logout(request)
        messages.success(request, _("You left. Join again with your e-mail address."))
    return private(HttpResponseRedirect(reverse("participation:join")))
