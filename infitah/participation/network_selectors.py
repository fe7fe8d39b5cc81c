"""Reads of the network's own participation: the consultations, surveys and labs of the
network's space (territories Kind.NETWORK), as the public sees them. Three queries,
whatever their number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Survey
from infitah.territories.models import Kind

CONSULTATION = "consultation"
SURVEY = "survey"
LAB = "lab"


@dataclass(frozen=True)
class NetworkItem:
    """One consultation, survey or lab of the network, for the list."""

    kind: str  # CONSULTATION, SURVEY or LAB
    pk: int
    slug: str  # the network space's slug, for the item's public page
    title: str
    audience: str
    audience_label: str
    opens_at: dt.datetime
    closes_at: dt.datetime


@dataclass
class NetworkItems:
    open: list[NetworkItem] = field(default_factory=list)
    upcoming: list[NetworkItem] = field(default_factory=list)
    closed: list[NetworkItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.open or self.upcoming or self.closed)


def network_item_list(*, now: dt.datetime | None = None) -> NetworkItems:
    """The network's public consultations (every phase, as a collectivity's list),
    published surveys and opened labs, grouped by phase: open ones closing soonest
    first, upcoming ones opening soonest first, closed ones most recent first."""
    now = now or timezone.now()
    found: list[NetworkItem] = []
    for c in Consultation.objects.filter(collectivity__kind=Kind.NETWORK).select_related(
        "collectivity"
    ):
        found.append(
            NetworkItem(
                CONSULTATION,
                c.pk,
                c.collectivity.slug,
                c.title,
                c.audience,
                c.get_audience_display(),
                c.opens_at,
                c.closes_at,
            )
        )
    for s in (
        Survey.objects.published()
        .filter(collectivity__kind=Kind.NETWORK)
        .select_related("collectivity")
    ):
        found.append(
            NetworkItem(
                SURVEY,
                s.pk,
                s.collectivity.slug,
                s.title,
                s.audience,
                s.get_audience_display(),
                s.opens_at,
                s.closes_at,
            )
        )
    for lab in (
        Lab.objects.published(now)
        .filter(collectivity__kind=Kind.NETWORK)
        .select_related("collectivity")
    ):
        found.append(
            NetworkItem(
                LAB,
                lab.pk,
                lab.collectivity.slug,
                lab.question,
                lab.audience,
                lab.get_audience_display(),
                lab.opens_at,
                lab.closes_at,
            )
        )
    items = NetworkItems()
    for item in found:
        if now < item.opens_at:
            items.upcoming.append(item)
        elif now < item.closes_at:
            items.open.append(item)
        else:
            items.closed.append(item)
    items.open.sort(key=lambda i: (i.closes_at, i.kind, i.pk))
    items.upcoming.sort(key=lambda i: (i.opens_at, i.kind, i.pk))
    items.closed.sort(key=lambda i: (i.closes_at, i.kind, i.pk), reverse=True)
    return items
