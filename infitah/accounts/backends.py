"""Authentication by e-mail, refusing development passwords in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from infitah.accounts.models import User

# The password of the demo accounts (`manage.py demo`); production never accepts it.
DEMO_PASSWORD = "infitah-demo-2026"  # noqa: S105
DEVELOPMENT_PASSWORDS = frozenset({DEMO_PASSWORD})


class EmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        if settings.IS_PRODUCTION and password in DEVELOPMENT_PASSWORDS:
            return None
        user = super().authenticate(request, username=email, password=password, **kwargs)
        return user if isinstance(user, User) else None
