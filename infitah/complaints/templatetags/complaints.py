"""Labels of stored codes in templates, and the tone of a state's badge."""

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


# The colour of each state's badge (site.css: badge-ok, -warn, -bad, -info, -muted): done,
# waiting for the citizen, being handled, or over without an answer.
STATUS_TONES: dict[str, str] = {
    Status.AWAITING_CONFIRMATION: "muted",
    Status.LAPSED: "muted",
    Status.RECEIVED: "info",
    Status.ACKNOWLEDGED: "info",
    Status.IN_PROCESS: "info",
    Status.INFO_REQUESTED: "warn",
    Status.ANSWERED: "ok",
    Status.RATED: "ok",
    Status.CLOSED: "ok",
    Status.MERGED: "muted",
}


@register.filter
def status_tone(code: str) -> str:
    """The badge class of a state: "badge-ok", "badge-info"…"""
    return f"badge-{STATUS_TONES.get(code, 'muted')}"
