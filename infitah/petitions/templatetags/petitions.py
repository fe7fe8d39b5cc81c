"""Labels of stored petition codes in templates."""

from __future__ import annotations

from django import template
from django.db import models

from infitah.petitions.workflow import (
    EVENT_LABELS,
    Channel,
    Interest,
    PetitionerKind,
    SignatureStatus,
    Status,
)

register = template.Library()


def _label(choices: type[models.TextChoices], code: str) -> str:
    try:
        return str(choices(code).label) if code else ""
    except ValueError:
        return code


@register.filter
def status_label(code: str) -> str:
    return _label(Status, code)


@register.filter
def channel_label(code: str) -> str:
    return _label(Channel, code)


@register.filter
def interest_label(code: str) -> str:
    return _label(Interest, code)


@register.filter
def petitioner_label(code: str) -> str:
    return _label(PetitionerKind, code)


@register.filter
def signature_status_label(code: str) -> str:
    return _label(SignatureStatus, code)


@register.filter
def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action
