"""The one API action endpoint pattern of every process (docs/api.md).

    POST /api/v1/staff/<cases>/<reference>/<action>   (staff token)

- 404 for an unknown case, for another collectivity's case (its existence is not
  confirmed) and for an unknown action;
- 403 when the token's user lacks the action's role;
- 409 when the case's state (or a legal guard) forbids the action, with its message;
- 400 with one {field, message} per field for bad input;
- 200 with the case as its staff see it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ninja import Status
from ninja.errors import HttpError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.services import TransitionNotAllowed
from infitah.lib.casework import validation_detail

M = TypeVar("M", bound=Model)
# Takes the action: (case, the token's user, the request body) → anything.
ApiCall = Callable[[Any, User, Any], object]


def api_error(status: int, message: str, field: str = "") -> Status[Any]:
    return Status(status, {"detail": [{"field": field, "message": message}]})


def staff_case_or_404(
    request: HttpRequest, queryset: QuerySet[M], *, perm: Perm, message: str, **lookup: Any
) -> M:
    """The case of `queryset` matching `lookup` if the token's user holds `perm` in its
    collectivity; otherwise 404 (not 403: another collectivity's case is not confirmed)."""
    user: User = request.auth  # type: ignore[attr-defined]
    if any(isinstance(v, str) and "\x00" in v for v in lookup.values()):
        raise HttpError(404, message)  # PostgreSQL refuses NUL in text
    found = queryset.filter(**lookup).select_related("collectivity").first()
    if found is None or not has_perm(user, perm, found.collectivity):  # type: ignore[attr-defined]
        raise HttpError(404, message)
    return found


def api_act(
    request: HttpRequest,
    *,
    case: Any,
    action: str,
    actions: Mapping[str, ApiCall],
    payload: Any,
    out: Callable[[Any], Any],
    forbidden: str,
    unknown: str,
) -> Any:
    """Take `action` on `case` for the token's user and answer as the module says."""
    call = actions.get(action)
    if call is None:
        raise HttpError(404, unknown)
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        call(case, user, payload)
    except PermissionDenied:
        return api_error(403, forbidden)
    except TransitionNotAllowed as exc:
        return api_error(409, exc.message)
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    case.refresh_from_db()
    return out(case)


UNKNOWN_ACTION = gettext_lazy("Unknown action.")


@dataclass(frozen=True)
class ApiActions:
    """A process's API action endpoint: its actions, its output, its refusal of a role."""

    actions: Mapping[str, ApiCall]
    # The case as its staff see it, after the action.
    out: Callable[[Any], Any]
    # The 403's message (which role the action needs).
    forbidden: str | Promise
    unknown: str | Promise = UNKNOWN_ACTION

    def act(self, request: HttpRequest, case: Any, action: str, payload: Any) -> Any:
        return api_act(
            request,
            case=case,
            action=action,
            actions=self.actions,
            payload=payload,
            out=self.out,
            forbidden=str(self.forbidden),
            unknown=str(self.unknown),
        )
