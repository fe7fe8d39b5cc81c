"""Labels of stored codes in the templates of public consultations."""

from __future__ import annotations

from django import template

from infitah.participation.consultations.workflow import (
    PHASE_LABELS,
    CommentStatus,
    Kind,
    Phase,
    RejectionReason,
    StanceValue,
)

register = template.Library()


def _label(choices: type[CommentStatus | Kind | RejectionReason | StanceValue], code: str) -> str:
    try:
        return str(choices(code).label) if code else ""
    except ValueError:
        return code


@register.filter
def phase_label(code: str) -> str:
    try:
        return str(PHASE_LABELS[Phase(code)])
    except ValueError:
        return code


@register.filter
def kind_label(code: str) -> str:
    return _label(Kind, code)


@register.filter
def comment_status_label(code: str) -> str:
    return _label(CommentStatus, code)


@register.filter
def reason_label(code: str) -> str:
    return _label(RejectionReason, code)


@register.filter
def stance_label(code: str) -> str:
    return _label(StanceValue, code)
