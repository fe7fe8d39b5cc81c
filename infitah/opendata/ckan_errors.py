"""The errors of the CKAN Action API, in CKAN's shape (docs/ckan.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class ActionError(Exception):
    """An answer in CKAN's error shape: `error` is the body's "error" object."""

    status = 400

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error


class NotFound(ActionError):
    status = 404

    def __init__(self, what: str = "") -> None:
        message = _("Not found")
        super().__init__(
            {"__type": "Not Found Error", "message": f"{message}: {what}" if what else message}
        )


class ValidationError(ActionError):
    """409, with CKAN's `{field: [messages]}` beside the type."""

    status = 409

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__({"__type": "Validation Error", **errors})


class SearchQueryError(ActionError):
    """400: a parameter Solr would not take (CKAN's own wording)."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(
            {"__type": "Search Query Error", "message": f"Search Query is invalid: {(reason,)!r}"}
        )


class SearchError(ActionError):
    """409: a query Solr would refuse (syntax, unknown field)."""

    status = 409

    def __init__(self, reason: str) -> None:
        super().__init__({"__type": "Search Error", "message": f"Search error: {(reason,)!r}"})
