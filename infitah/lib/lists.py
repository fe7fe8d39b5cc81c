"""Lists written in the active language: Arabic separates items with the Arabic comma."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language


def list_separator() -> str:
    return "، " if (get_language() or "ar").startswith("ar") else ", "


def list_join(items: Iterable[object]) -> str:
    """The items as text, separated as the active language writes a list."""
    return list_separator().join(str(item) for item in items)
