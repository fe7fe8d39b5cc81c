"""Labels of stored codes in templates."""

from __future__ import annotations

from django import template

from infitah.information.workflow import (
    EVENT_LABELS,
    ComplaintDecision,
    Outcome,
    RefusalReason,
    Status,
)

register = template.Library()


@register.filter
def refusal_label(code: str) -> str:
    try:
        return str(RefusalReason(code).label)
    except ValueError:
        return code


@register.filter
def outcome_label(code: str) -> str:
    try:
        return str(Outcome(code).label) if code else ""
    except ValueError:
        return code


@register.filter
def decision_label(code: str) -> str:
    try:
        return str(ComplaintDecision(code).label) if code else ""
    except ValueError:
        return code


@register.filter
def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action


@register.filter
def status_label(code: str) -> str:
    try:
        return str(Status(code).label) if code else ""
    except ValueError:
        return code
