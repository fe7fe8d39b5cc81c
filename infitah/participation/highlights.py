"""What is open for participation now, on the home pages (territories.highlights): the
public consultations, surveys and labs open today, closing soonest first.

Public means what their own pages show: consultations and labs of the network's members
and of the network's own space (`Collectivity.has_public_space`), published surveys of
any collectivity. An item of the network's space is the network's, never a
collectivity's: it is listed on the network home only, under the network's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Survey
from infitah.territories.highlights import (
    PARTICIPATION,
    Found,
    HighlightSource,
    Item,
    Scope,
    register_highlights,
    scope_filter,
    watch,
)
from infitah.territories.models import Collectivity, Kind

_COLLECTIVITY = (
    "collectivity__slug",
    "collectivity__kind",
    "collectivity__name_ar",
    "collectivity__name_fr",
)
# Consultations and labs are public in a collectivity with a public space only.
_PUBLIC_SPACE = Q(collectivity__is_network_member=True) | Q(collectivity__kind=Kind.NETWORK)


def _collectivity_url(collectivity: Collectivity) -> str:
    if collectivity.is_network_space:
        return reverse("network-participation:list")
    return reverse("territories:collectivity", kwargs={"slug": collectivity.slug})


def _found(
    qs: QuerySet[Any],
    *,
    limit: int,
    kind: str,
    label: str,
    title: Callable[[Any], str],
    url_name: str,
) -> Found:
    rows = list(qs.select_related("collectivity").order_by("closes_at", "pk")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    items = [
        Item(
            section=PARTICIPATION,
            kind=kind,
            kind_label=label,
            title=title(row),
            url=reverse(url_name, kwargs={"slug": row.collectivity.slug, "pk": row.pk}),
            collectivity_name=row.collectivity.name,
            collectivity_url=_collectivity_url(row.collectivity),
            at=row.closes_at,
        )
        for row in rows
    ]
    return Found(items=items, total=total)


def consultations_found(scope: Scope, *, limit: int, now: dt.datetime) -> Found:
    """Public consultations open at `now` (1–2 queries)."""
    qs = scope_filter(Consultation.objects.open(now).filter(_PUBLIC_SPACE), scope)
    return _found(
        qs.only("title_ar", "title_fr", "closes_at", *_COLLECTIVITY),
        limit=limit,
        kind="consultation",
        label=_("Consultation"),
        title=lambda c: c.title,
        url_name="consultations:detail",
    )


def surveys_found(scope: Scope, *, limit: int, now: dt.datetime) -> Found:
    """Published surveys open at `now` (1–2 queries)."""
    qs = scope_filter(Survey.objects.open(now), scope)
    return _found(
        qs.only("title_ar", "title_fr", "closes_at", "status", *_COLLECTIVITY),
        limit=limit,
        kind="survey",
        label=_("Survey"),
        title=lambda s: s.title,
        url_name="surveys:detail",
    )


def labs_found(scope: Scope, *, limit: int, now: dt.datetime) -> Found:
    """Collective-intelligence labs open at `now` (1–2 queries)."""
    qs = scope_filter(Lab.objects.open(now).filter(_PUBLIC_SPACE), scope)
    return _found(
        qs.only("question_ar", "question_fr", "closes_at", *_COLLECTIVITY),
        limit=limit,
        kind="lab",
        label=_("Lab"),
        title=lambda lab: lab.question,
        url_name="labs:detail",
    )


def highlights_register() -> None:
    register_highlights(
        HighlightSource(
            key="consultations", section=PARTICIPATION, collect=consultations_found, order=10
        )
    )
    register_highlights(
        HighlightSource(key="surveys", section=PARTICIPATION, collect=surveys_found, order=20)
    )
    register_highlights(
        HighlightSource(key="labs", section=PARTICIPATION, collect=labs_found, order=30)
    )
    for model in (Consultation, Survey, Lab):
        watch(model)
