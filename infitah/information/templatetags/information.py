"""Labels of stored codes in templates, and the tone of a state's badge."""

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


# The colour of each state's badge (site.css: badge-ok, -warn, -bad, -info, -muted).
STATUS_TONES: dict[str, str] = {
    Status.AWAITING_CONFIRMATION: "muted",
    Status.IN_PROGRESS: "info",
    Status.CLARIFICATION: "warn",
    Status.ANSWERED: "ok",
    Status.PARTIALLY_ANSWERED: "warn",
    Status.REFUSED: "bad",
    Status.TRANSFERRED: "info",
    Status.WITHDRAWN: "muted",
    Status.LAPSED: "muted",
    Status.INTERNAL_COMPLAINT: "warn",
    Status.COMPLAINT_DECIDED: "ok",
}


@register.filter
def status_tone(code: str) -> str:
    """The badge class of a state: "badge-ok", "badge-bad"…"""
    return f"badge-{STATUS_TONES.get(code, 'muted')}"
