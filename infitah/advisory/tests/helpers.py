"""Assertions shared by the advisory tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django.core.exceptions import ValidationError

from infitah.advisory.models import Body, BodyDocument, BodyMeeting, BodyMember, Referral
from infitah.deadlines.models import Deadline
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail


def snapshot() -> tuple[Any, ...]:
    """Every row an advisory service may write, as plain values."""
    return (
        list(Body.objects.order_by("pk").values()),
        list(BodyMember.objects.order_by("pk").values()),
        list(BodyMeeting.objects.order_by("pk").values()),
        list(BodyDocument.objects.order_by("pk").values()),
        list(Referral.objects.order_by("pk").values()),
        list(Deadline.objects.order_by("pk").values()),
        Event.objects.count(),
        OutboundEmail.objects.count(),
    )


def refused(call: Callable[[], object], *fields: str) -> ValidationError:
    """`call` raises a ValidationError naming `fields`, and nothing is written."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    assert set(fields) <= set(caught.value.message_dict), caught.value.message_dict
    assert snapshot() == before
    return caught.value
