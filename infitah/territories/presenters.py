"""HTML lists of collectivities for the public pages, built in Python.

The network home lists 75 prefectures and provinces and a province page up to a hundred
communes; a template tag per item (`{% url %}`, `{% blocktranslate count %}`) made the
template most of the cost of these pages (docs/benchmarks.md). Here the URL is reversed
once and each item is one `format_html` call, escaped as a template would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from infitah.territories.models import Collectivity

_MARKER = "slug-marker"


def collectivity_url() -> Callable[[str], str]:
    """A function slug -> URL of the collectivity home in the active language."""
    prefix, suffix = reverse("territories:collectivity", kwargs={"slug": _MARKER}).split(_MARKER)
    return lambda slug: f"{prefix}{slug}{suffix}"


def _name_getter() -> Callable[[Collectivity], str]:
    if (get_language() or "ar").startswith("fr"):
        return lambda c: c.name_fr or c.name_ar
    return lambda c: c.name_ar or c.name_fr


def collectivity_links(items: Iterable[Collectivity], *, count_attr: str = "") -> SafeString:
    """`<li>` links to each collectivity, with its commune count and membership when known."""
    url = collectivity_url()
    name = _name_getter()
    member = format_html(' <span class="tag">{}</span>', gettext("member"))

    def extra(c: Collectivity) -> SafeString:
        parts = []
        if c.is_network_member:
            parts.append(member)
        count = getattr(c, count_attr, 0) if count_attr else 0
        if count:
            label = ngettext("%(n)s commune", "%(n)s communes", count) % {"n": count}
            parts.append(format_html(' <span class="muted">({})</span>', label))
        return mark_safe("".join(parts))  # noqa: S308 - every part is format_html output

    return format_html_join(
        "", '<li><a href="{}">{}</a>{}</li>', ((url(c.slug), name(c), extra(c)) for c in items)
    )


def member_links(items: Iterable[Collectivity]) -> SafeString:
    """Inline links to network members, separated by the language's list separator."""
    url = collectivity_url()
    name = _name_getter()
    separator = "، " if (get_language() or "ar").startswith("ar") else ", "
    return format_html_join(
        separator, '<a href="{}">{}</a>', ((url(c.slug), name(c)) for c in items)
    )
