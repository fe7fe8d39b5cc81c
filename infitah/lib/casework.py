"""Small pieces shared by the case apps (information requests, complaints, the
correspondence register): text checks, secret-link digests, private pages, API errors."""

from __future__ import annotations

import hashlib
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

# Longest free text a citizen or an officer may write in one field.
TEXT_MAX = 10_000

_R = TypeVar("_R", bound=HttpResponseBase)


def too_long(limit: int) -> str:
    return _("At most %(max)d characters.") % {"max": limit}


def require_text(text: str, field_name: str, message: str, *, max_length: int = TEXT_MAX) -> str:
    """`text` stripped, or ValidationError on `field_name`: empty (`message`), too long,
    or with a NUL character (which PostgreSQL refuses in text)."""
    text = text.strip()
    if not text:
        raise ValidationError({field_name: message})
    if len(text) > max_length:
        raise ValidationError({field_name: too_long(max_length)})
    if "\x00" in text:
        raise ValidationError({field_name: _("This text contains a forbidden character.")})
    return text


def token_digest(token: str) -> str:
    """What is stored of a secret link's token: its SHA-256, for look-up."""
    return hashlib.sha256(token.encode()).hexdigest()


def site_language(language: str | None) -> str:
    """A language the site serves (links in e-mails use it); the default otherwise."""
    code = (language or "").split("-")[0].lower()  # "zgh" has three letters
    served = {code for code, _name in settings.LANGUAGES}
    return code if code in served else settings.LANGUAGE_CODE


def private(response: _R) -> _R:
    """A page behind a secret link or with personal data: never cached, never indexed,
    never sent to another site as a referrer."""
    response["Cache-Control"] = "no-store, private"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the
    # page's own forms, which the CSRF check refuses; the link still never leaves the site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def validation_detail(
    exc: ValidationError, *, aliases: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """The API's `detail`: one {field, message} per field of a ValidationError."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": (aliases or {}).get(name, name), "message": " ".join(messages)}
            for name, messages in exc.message_dict.items()
        ]
    return [{"field": "", "message": " ".join(exc.messages)}]
