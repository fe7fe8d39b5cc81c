"""The one way a page takes an action on a case: staff actions and the citizen's alike.

A process lists its page actions as `PageAction`s (the form, the service it calls, the
step of the table it takes); its views resolve the case (404 for another collectivity's)
and call `action_post`, which answers every action the same way:

- 404 for an unknown action;
- 403 when the actor lacks the action's permission (PermissionDenied);
- 409 when the state forbids the step (checked before the form: a form's errors would be
  beside the point), or the service refuses (TransitionNotAllowed), with its message;
- 400 with the errors beside the fields for bad input (form or service);
- otherwise a success message and a redirect to the case's page (POST/redirect/GET).

A process declares each such page once, as a `CasePage` (its actions, how it is drawn,
where a done action leads); its views resolve the case and call `page.act(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.services import TransitionNotAllowed, refused
from infitah.cases.workflow import Process
from infitah.lib.casework import private

# Builds the action's form: (case, POST data or None, files or None) → Form.
FormFactory = Callable[[Any, Any, Any], Form]
# Calls the service with the valid form: (case, acting user, form) → anything. The user
# is the signed-in staff member on staff pages, None on a citizen's secret-link page.
ServiceCall = Callable[[Any, Any, Form], object]


@dataclass(frozen=True)
class PageAction:
    """One action a page offers on a case."""

    form: FormFactory
    call: ServiceCall
    # The step of the state table it takes (its availability follows the table).
    step: str | None = None
    # A permission beyond the page's own (e.g. only the head decides a complaint).
    perm: Perm | None = None
    # A further condition for offering it (a legal guard, e.g. "before the due date").
    available: Callable[[Any], bool] | None = None
    # Its own success message, instead of the page's.
    done: str | Promise | None = None


def text_action(
    form: Callable[..., Form],
    label: Any,
    step: str,
    call: Callable[[Any, Any, str], object],
    *,
    required: bool = True,
    **options: Any,
) -> PageAction:
    """An action that takes one text (a question, a reply, reasons): `form` is a form
    class with a `text` field and a `label` (infitah.cases.forms.TextForm); `call` gets
    the case, the acting user and the text; the form's ids are named after the step."""
    return PageAction(
        form=lambda case, data, files: form(
            data, label=label, required=required, auto_id=f"id_{step}_%s"
        ),
        call=lambda case, user, bound: call(case, user, bound.cleaned_data["text"]),
        step=step,
        **options,
    )


def list_filter(request: HttpRequest, choices: Iterable[str], default: str = "open") -> str:
    """The filter of a staff list of cases from `?state=`: one of `choices`, else the
    default (a stale or forged link shows the default list, not an error)."""
    state = request.GET.get("state", default)
    return state if state in choices else default


def form_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the form's fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def action_forms(
    actions: Mapping[str, PageAction], case: Any, bound: Mapping[str, Form] | None = None
) -> dict[str, Form]:
    """A form for each action: the bound one given (after an error), else a blank one."""
    bound = bound or {}
    return {name: bound.get(name) or spec.form(case, None, None) for name, spec in actions.items()}


def action_availability(
    process: Process, actions: Mapping[str, PageAction], case: Any, user: User | None
) -> dict[str, bool]:
    """Which actions the page offers on `case` now (table, permission, legal guard)."""
    found = {}
    for name, spec in actions.items():
        found[name] = (
            (spec.step is None or process.is_allowed(case.status, spec.step))
            and (
                spec.perm is None
                or (user is not None and has_perm(user, spec.perm, case.collectivity))
            )
            and (spec.available is None or spec.available(case))
        )
    return found


def action_post(
    request: HttpRequest,
    *,
    process: Process,
    case: Any,
    name: str,
    actions: Mapping[str, PageAction],
    render: Callable[[int, dict[str, Form]], HttpResponse],
    done: str | Promise,
    next_url: str,
) -> HttpResponse:
    """Take the page action `name` on `case` from a POST (see the module docstring).

    `render(status, bound_forms)` draws the case's page again after a refusal or bad
    input; `next_url` is where a success redirects, with the message `done`.
    """
    spec = actions.get(name)
    if spec is None:
        raise Http404
    user: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    if spec.perm is not None and (user is None or not has_perm(user, spec.perm, case.collectivity)):
        raise PermissionDenied
    if spec.step is not None and not process.is_allowed(case.status, spec.step):
        messages.error(request, refused(process, case).message)
        return render(409, {})
    form = spec.form(case, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            spec.call(case, user, form)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            status = 409
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, str(spec.done or done))
            return redirect(next_url)
    case.refresh_from_db()
    return render(status, {name: form})


DONE = gettext_lazy("Done.")


@dataclass(frozen=True)
class CasePage:
    """A page of a case that offers actions: a staff member's, or the citizen's behind the
    secret link of their e-mails (`private`: never cached, never indexed).

    `view` (GET) and `action_view` (POST) are its views: a URL pattern names them with
    the URL's arguments (`token`, or the case's reference or id; `action`); a staff page
    wraps them in `staff_view(perm)`, which resolves the collectivity or answers 404.
    """

    process: Process
    actions: Mapping[str, PageAction]
    # Finds the case: (request, **the URL's arguments) → the case, or raises Http404.
    find: Callable[..., Any]
    # Draws the page: (request, case, status, bound forms, **the URL's arguments).
    draw: Callable[..., HttpResponse]
    # Where a done action leads: (request, case, **the URL's arguments) → the page's URL.
    back: Callable[..., str]
    done: str | Promise = DONE
    private: bool = False

    def forms(self, case: Any, bound: Mapping[str, Form] | None = None) -> dict[str, Form]:
        return action_forms(self.actions, case, bound)

    def availability(self, case: Any, user: User | None = None) -> dict[str, bool]:
        return action_availability(self.process, self.actions, case, user)

    def _private(self, response: HttpResponse) -> HttpResponse:
        if self.private:
            private(response)
            add_never_cache_headers(response)
        return response

    def view(self, request: HttpRequest, **url: Any) -> HttpResponse:
        """The page (GET)."""
        case = self.find(request, **url)
        return self._private(self.draw(request, case, 200, {}, **url))

    def action_view(self, request: HttpRequest, action: str, **url: Any) -> HttpResponse:
        """Take the page's action `action` (POST only; see `action_post`)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self.find(request, **url)
        response = action_post(
            request,
            process=self.process,
            case=case,
            name=action,
            actions=self.actions,
            render=lambda status, bound: self.draw(request, case, status, bound, **url),
            done=self.done,
            next_url=self.back(request, case, **url),
        )
        return self._private(response)
