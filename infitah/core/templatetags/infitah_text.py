"""`{{ roles|listjoin }}`: a list separated as the page's language writes it."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html

from infitah.lib.lists import list_join

register = template.Library()


@register.filter
def listjoin(items: Iterable[object]) -> str:
    return list_join(items)


@register.filter
def bdi(value: object) -> str:
    """`value` isolated from the sentence around it (an e-mail address or a Latin name in
    an Arabic sentence keeps its own direction)."""
    return format_html("<bdi>{}</bdi>", value)
