"""Labels of stored codes in templates."""

from __future__ import annotations

from django import template

from infitah.complaints.workflow import EVENT_LABELS, Kind, Outcome, Status

register = template.Library()


def _label(choices: type[Kind | Outcome | Status], code: str) -> str:
    try:
        return str(choices(code).label) if code else ""
    except ValueError:
        return code


@register.filter
def kind_label(code: str) -> str:
    return _label(Kind, code)


@register.filter
def outcome_label(code: str) -> str:
    return _label(Outcome, code)


@register.filter
def status_label(code: str) -> str:
    return _label(Status, code)


@register.filter
def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action
