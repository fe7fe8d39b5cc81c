"""Petitions collecting signatures, on the home pages (territories.highlights): each
with its confirmed signatures and the number its collectivity's rule requires.

Only petitions open for signatures (a draft, whose agent has not confirmed, is never
shown) of the network's members (only they take petitions on the platform); the title
only, never the agent or a signatory.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from infitah.petitions.models import Petition, PetitionSettings, Tally
from infitah.petitions.thresholds import threshold_compute
from infitah.territories.highlights import (
    PETITIONS,
    Found,
    HighlightSource,
    Item,
    Scope,
    register_highlights,
    scope_filter,
    watch,
)


def petitions_found(scope: Scope, *, limit: int, now: dt.datetime) -> Found:
    """Petitions collecting signatures, the most recently opened first (2–4 queries:
    the petitions, their count, their tallies, their collectivities' settings)."""
    qs = scope_filter(
        Petition.objects.collecting().filter(collectivity__is_network_member=True), scope
    )
    rows = list(
        qs.select_related("collectivity")
        .only("title", "collecting_since", "created_at", "threshold_at_lodging", "collectivity")
        .order_by("-collecting_since", "-pk")[:limit]
    )
    if not rows:
        return Found(items=[], total=0)
    total = len(rows) if len(rows) < limit else qs.count()
    confirmed = dict(
        Tally.objects.filter(petition__in=[p.pk for p in rows])
        .values_list("petition_id")
        .annotate(total=Sum("count"))
    )
    collectivities = {p.collectivity_id: p.collectivity for p in rows}
    own = {
        s.collectivity_id: s
        for s in PetitionSettings.objects.filter(collectivity__in=list(collectivities))
    }
    # The threshold's total does not depend on a region's provinces (only the spread does).
    required = {
        pk: threshold_compute(c, settings=own.get(pk), provinces=[]).required
        for pk, c in collectivities.items()
    }
    label = _("Petition")
    items = [
        Item(
            section=PETITIONS,
            kind="petition",
            kind_label=label,
            title=p.title,
            url=reverse("petitions:detail", kwargs={"slug": p.collectivity.slug, "pk": p.pk}),
            collectivity_name=p.collectivity.name,
            collectivity_url=reverse(
                "territories:collectivity", kwargs={"slug": p.collectivity.slug}
            ),
            at=p.collecting_since or p.created_at,
            value=int(confirmed.get(p.pk) or 0),
            target=p.threshold_at_lodging or required[p.collectivity_id],
        )
        for p in rows
    ]
    return Found(items=items, total=total)


def highlights_register() -> None:
    register_highlights(
        HighlightSource(key="petitions", section=PETITIONS, collect=petitions_found)
    )
    watch(Petition)
