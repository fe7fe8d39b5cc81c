"""HTML lists of collectivities for the public pages, built in Python.

The network home lists 75 prefectures and provinces and a province page up to a hundred
communes; a template tag per item (`{% url %}`, `{% blocktranslate count %}`) made the
template most of the cost of these pages (docs/benchmarks.md). Here the URL is reversed
once and each item is one `format_html` call, escaped as a template would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from infitah.territories.selectors import RegionNode


class Named(Protocol):
    """A collectivity as lists show it: a model instance or a `selectors.Listed` row."""

    @property
    def slug(self) -> str: ...
    @property
    def name_ar(self) -> str: ...
    @property
    def name_fr(self) -> str: ...
    @property
    def is_network_member(self) -> bool: ...


_MARKER = "slug-marker"


def collectivity_url() -> Callable[[str], str]:
    """A function slug -> URL of the collectivity home in the active language."""
    prefix, suffix = reverse("territories:collectivity", kwargs={"slug": _MARKER}).split(_MARKER)
    return lambda slug: f"{prefix}{slug}{suffix}"


def _name_getter() -> Callable[[Named], str]:
    if (get_language() or "ar").startswith("fr"):
        return lambda c: c.name_fr or c.name_ar
    return lambda c: c.name_ar or c.name_fr


def collectivity_links(items: Iterable[Named], *, count_attr: str = "") -> SafeString:
    """`<li>` links to each collectivity, with its commune count and membership when known.

    Every dynamic value goes through `escape()`; the markup is assembled with f-strings
    because `format_html` per item was a measurable share of the network home's time.
    """
    url = collectivity_url()
    name = _name_getter()
    member = f' <span class="tag">{escape(gettext("member"))}</span>'
    parts = []
    for c in items:
        extra = member if c.is_network_member else ""
        count = getattr(c, count_attr, 0) if count_attr else 0
        if count:
            label = ngettext("%(n)s commune", "%(n)s communes", count) % {"n": count}
            extra += f' <span class="muted">({escape(label)})</span>'
        parts.append(f'<li><a href="{escape(url(c.slug))}">{escape(name(c))}</a>{extra}</li>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def member_links(items: Iterable[Named]) -> SafeString:
    """Inline links to network members, separated by the language's list separator."""
    url = collectivity_url()
    name = _name_getter()
    separator = "، " if (get_language() or "ar").startswith("ar") else ", "
    return format_html_join(
        separator, '<a href="{}">{}</a>', ((url(c.slug), name(c)) for c in items)
    )


def region_cards(tree: list[RegionNode]) -> SafeString:
    """The network home's grid: one card per region, with its divisions and members."""
    url = collectivity_url()
    name = _name_getter()
    members_label = gettext("Network members:")
    cards = []
    for node in tree:
        region = node.region
        population = ""
        if region.population:
            population = format_html(
                '<p class="muted">{}</p>',
                gettext("Population: %(p)s")
                % {"p": number_format(region.population, force_grouping=True)},
            )
        members = ""
        if node.members:
            members = format_html(
                "<p><strong>{}</strong> {}</p>", members_label, member_links(node.members)
            )
        divisions = ""
        if node.divisions:
            n = len(node.divisions)
            summary = ngettext(
                "%(n)s prefecture or province", "%(n)s prefectures and provinces", n
            ) % {"n": n}
            divisions = format_html(
                "<details><summary>{}</summary><ul>{}</ul></details>",
                summary,
                collectivity_links(node.divisions, count_attr="child_count"),
            )
        cards.append(
            format_html(
                '<section class="card{}" aria-labelledby="r-{}">'
                '<h3 id="r-{}"><a href="{}">{}</a></h3>{}{}{}</section>',
                " member" if region.is_network_member else "",
                region.slug,
                region.slug,
                url(region.slug),
                name(region),
                population,
                members,
                divisions,
            )
        )
    return mark_safe("\n".join(cards))  # noqa: S308 - every card is format_html output
