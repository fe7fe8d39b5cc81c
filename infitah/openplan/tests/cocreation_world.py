"""Shared by the co-creation tests: workshops (an online one open now, an on-site one),
participants, and proposals written straight through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from infitah.accounts.models import User
from infitah.openplan.models import Axis, Programme, Proposal, Workshop
from infitah.openplan.services import cocreation
from infitah.openplan.workflow import ProposalKind, WorkshopMode
from infitah.participation.models import Participant
from infitah.participation.testing import make_participant


def online_workshop(
    programme: Programme,
    actor: User,
    *,
    axis: Axis | None = None,
    opens: dt.timedelta = dt.timedelta(days=-1),
    closes: dt.timedelta = dt.timedelta(days=10),
    **extra: Any,
) -> Workshop:
    """An online workshop whose window opened `opens` from now and closes `closes` from
    now (open now by default)."""
    now = timezone.now()
    data = {
        "axis": axis.pk if axis is not None else "",
        "title_ar": "ورشة رقمية",
        "title_fr": "Atelier en ligne",
        "mode": WorkshopMode.ONLINE,
        "opens_at": now + opens,
        "closes_at": now + closes,
        **extra,
    }
    return cocreation.workshop_save(programme=programme, actor=actor, data=data)


def onsite_workshop(programme: Programme, actor: User, *, axis: Axis | None = None) -> Workshop:
    return cocreation.workshop_save(
        programme=programme,
        actor=actor,
        data={
            "axis": axis,
            "title_ar": "ورشة حضورية",
            "title_fr": "Atelier sur place",
            "mode": WorkshopMode.ON_SITE,
            "place": "قاعة الاجتماعات",
            "held_at": timezone.now() - dt.timedelta(days=3),
            "onsite_participants": "42",
        },
    )


def person(n: int) -> Participant:
    return make_participant(email=f"p{n}@example.test", display_name=f"مشارك {n}")


def propose(
    workshop: Workshop,
    participant: Participant,
    text: str = "غياب المعلومات حول الميزانية",
    *,
    kind: str = ProposalKind.PROBLEM,
    axis: Axis | None = None,
) -> Proposal:
    return cocreation.proposal_submit(
        workshop=workshop, participant=participant, kind=kind, text=text, axis=axis
    )
