"""Helpers shared by the event tests (no test here): events and registrations built
directly, and a fixed "now" to build dates around."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from infitah.network.event_selectors import event_rows
from infitah.network.event_services import EventInput
from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    Event,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.territories.models import Collectivity


def soon(days: int = 10, hours: int = 0) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days, hours=hours)).replace(microsecond=0)


def make_event(**fields: Any) -> Event:
    """A published training in ten days (two hours long), open, unless told otherwise."""
    starts = fields.pop("starts_at", soon())
    values: dict[str, Any] = {
        "kind": EventKind.TRAINING,
        "status": EventStatus.PUBLISHED,
        "title_ar": "تكوين",
        "title_fr": "Formation",
        "starts_at": starts,
        "ends_at": fields.pop("ends_at", starts + dt.timedelta(hours=2)),
        "registration_open": True,
    }
    values.update(fields)
    return event_rows().create(**values)


def register(
    event: Event,
    n: int,
    *,
    collectivity: Collectivity | None = None,
    role: str = AttendeeRole.STAFF,
    gender: str = AttendeeGender.MALE,
    attended: bool | None = None,
    prefix: str = "p",
) -> list[Registration]:
    rows = [
        Registration(
            event=event,
            collectivity=collectivity,
            full_name=f"Secret Name {prefix}{i}",
            email=f"{prefix}{i}-{event.pk}@example.test",
            role=role,
            gender=gender,
            attended=attended,
        )
        for i in range(n)
    ]
    return Registration.objects.bulk_create(rows)


def event_input(**fields: Any) -> EventInput:
    starts = fields.pop("starts_at", soon())
    values: dict[str, Any] = {
        "kind": EventKind.TRAINING,
        "title_ar": "تكوين نقط الارتكاز",
        "title_fr": "Formation des points focaux",
        "starts_at": starts,
        "ends_at": fields.pop("ends_at", (starts or soon()) + dt.timedelta(hours=3)),
    }
    values.update(fields)
    return EventInput(**values)
