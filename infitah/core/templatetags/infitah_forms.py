"""Forms in the site's design.

- `{% error_entries as errors %}`: every error of the page's bound `form` (and of each
  form or formset listed in `error_forms`), for the error summary at the top of <main>;
- `{{ field|with_error_attrs }}`: a field's widget marked invalid and described by its
  help text and its error message (ids `<id>_helptext` and `<id>_err`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField
from django.utils.safestring import SafeString

register = template.Library()


@dataclass(frozen=True)
class ErrorEntry:
    """One line of the summary: `href` is the id of the control to jump to ("" when
    there is none: an error of the whole form, or of a hidden field)."""

    href: str
    label: str
    message: str


def _anchor(field: BoundField) -> str:
    """The id of the control a link should land on: the field's own, or its first
    choice's for radio buttons and lists of checkboxes (their group has no id)."""
    if not field.auto_id:
        return ""
    found = field.id_for_label
    if not found and field.subwidgets:
        found = field.subwidgets[0].id_for_label
    return str(found or "")


def _form_entries(form: BaseForm) -> Iterator[ErrorEntry]:
    if not form.is_bound or not form.errors:
        return
    for message in form.non_field_errors():
        yield ErrorEntry("", "", str(message))
    for field in form:
        label = str(field.label or field.name)
        href = "" if field.is_hidden else _anchor(field)
        for message in field.errors:
            yield ErrorEntry(href, "" if field.is_hidden else label, str(message))


def _entries(item: object) -> Iterator[ErrorEntry]:
    if isinstance(item, BaseFormSet):
        if not item.is_bound:
            return
        for message in item.non_form_errors():
            yield ErrorEntry("", "", str(message))
        for form in item.forms:
            yield from _form_entries(form)
    elif isinstance(item, BaseForm):
        yield from _form_entries(item)


@register.simple_tag(takes_context=True)
def error_entries(context: template.Context) -> list[ErrorEntry]:
    """The errors of the page's `form` and of the forms in `error_forms`, in order,
    without repeats (a form may be both)."""
    items: list[object] = []
    form = context.get("form")
    if form is not None:
        items.append(form)
    extra = context.get("error_forms")
    if isinstance(extra, Iterable) and not isinstance(extra, (str, bytes)):
        items.extend(item for item in extra if all(item is not seen for seen in items))
    return [entry for item in items for entry in _entries(item)]


@register.filter
def with_error_attrs(field: BoundField) -> SafeString:
    """The field's widget; when it has errors, with `aria-invalid="true"` and an
    `aria-describedby` naming its own describers, its help text and its error."""
    if not field.errors or not field.auto_id:
        return SafeString(str(field))
    ids: list[str] = []
    own: Any = field.field.widget.attrs.get("aria-describedby")
    if own:
        ids.append(str(own))
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    ids.append(f"{field.auto_id}_err")
    html = field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": " ".join(ids)})
    if field.field.show_hidden_initial:
        html += field.as_hidden(only_initial=True)
    return SafeString(html)
