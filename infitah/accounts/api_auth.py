"""Token authentication of the staff API (django-ninja).

A staff member creates a personal token at /<lang>/accounts/tokens/ and sends it as
`Authorization: Bearer inf_…`. A router of staff endpoints requires it::

    from infitah.accounts.api_auth import StaffToken

    router = Router(auth=StaffToken())

Without a valid token (missing, malformed, unknown, revoked, expired, or its owner
deactivated) ninja answers 401. With one, `request.user` and `request.auth` are the
token's owner. The token says *who* acts, not *where*: each endpoint still resolves the
collectivity with `infitah.accounts.permissions.staff_collectivity_or_404(request.user,
slug, perm)` (404 where the user holds no role) or checks `has_perm`, exactly as staff
views do.

The token stands in for the session and its second factor: it can only be created from
a session that passed TOTP when TOTP is required (`verified_login_required`), so the
user is marked as verified for the request. Session cookies play no part, hence no CSRF
check. Do not put `cached_public_page` on these endpoints: it caches by URL.
"""

from __future__ import annotations

from ninja.security import HttpBearer

from django.http import HttpRequest

from infitah.accounts.models import User
from infitah.accounts.services import api_token_authenticate


def _verified() -> bool:
    return True


class StaffToken(HttpBearer):
    """`Authorization: Bearer <secret>` of a live personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip())
        if user is None:
            return None
        # What django-otp's middleware gives a session user, so that code shared with
        # the staff views (needs_second_factor) behaves the same.
        user.otp_device = None  # type: ignore[attr-defined]
        user.is_verified = _verified  # type: ignore[attr-defined]
        request.user = user
        return user
