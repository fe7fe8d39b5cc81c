"""The publication's part of the home pages (territories.highlights): the latest
documents published, and a collectivity's account of what it published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from infitah.publication.models import Document
from infitah.publication.selectors import compliance_get
from infitah.territories.highlights import (
    PUBLICATIONS,
    Figure,
    FigureGroup,
    FigureSource,
    Found,
    HighlightSource,
    Item,
    Scope,
    count,
    percent,
    register_figures,
    register_highlights,
    scope_filter,
    watch,
)
from infitah.territories.models import Collectivity


def _collectivity_url(collectivity: Collectivity) -> str:
    if collectivity.is_network_space:
        return reverse("network-participation:list")
    return reverse("territories:collectivity", kwargs={"slug": collectivity.slug})


def documents_found(scope: Scope, *, limit: int, now: dt.datetime) -> Found:
    """The latest published documents (current versions only), newest first (1–2
    queries)."""
    qs = scope_filter(Document.objects.published(), scope)
    rows = list(
        qs.select_related("collectivity", "category")
        .only(
            "title_ar",
            "title_fr",
            "published_at",
            "collectivity__slug",
            "collectivity__kind",
            "collectivity__name_ar",
            "collectivity__name_fr",
            "category__name_ar",
            "category__name_fr",
        )
        .order_by("-published_at", "-pk")[:limit]
    )
    total = len(rows) if len(rows) < limit else qs.count()
    label = _("Document")
    items = [
        Item(
            section=PUBLICATIONS,
            kind="document",
            kind_label=label,
            title=d.title,
            url=reverse("publication:detail", kwargs={"slug": d.collectivity.slug, "pk": d.pk}),
            collectivity_name=d.collectivity.name,
            collectivity_url=_collectivity_url(d.collectivity),
            at=d.published_at,
            detail=d.category.name,
        )
        for d in rows
    ]
    return Found(items=items, total=total)


def publication_figures(collectivity: Collectivity | None, today: dt.date) -> FigureGroup:
    """Documents published (current versions), the latest publication and, for a
    collectivity that publishes or is a member, its compliance score (1–3 queries)."""
    qs = scope_filter(
        Document.objects.published(), None if collectivity is None else [collectivity]
    )
    totals: dict[str, Any] = qs.aggregate(
        n=Count("pk"), last=Max("published_at"), publishers=Count("collectivity", distinct=True)
    )
    n = int(totals["n"] or 0)
    documents = Figure(
        value=count(n), label=ngettext("document published", "documents published", n)
    )
    title = gettext_lazy("Proactive publication")
    if collectivity is None:
        publishers = int(totals["publishers"] or 0)
        return FigureGroup(
            key="publication",
            title=title,
            figures=[
                documents,
                Figure(
                    value=count(publishers),
                    label=ngettext(
                        "collectivity publishing", "collectivities publishing", publishers
                    ),
                ),
            ]
            if n
            else [],
            empty=gettext_lazy("No document has been published yet."),
            url=reverse("register:index"),
            url_label=gettext_lazy("The publication register"),
            headline=documents,
            order=10,
        )
    slug = collectivity.slug
    list_url = reverse("publication:list", kwargs={"slug": slug})
    figures: list[Figure] = []
    if n:
        last: dt.datetime | None = totals["last"]
        figures.append(
            Figure(
                value=documents.value,
                label=documents.label,
                note=_("latest on"),
                date=timezone.localdate(last) if last else None,
                url=list_url,
            )
        )
    if n or collectivity.is_network_member:
        compliance = compliance_get(collectivity=collectivity, today=today)
        if compliance.items:
            figures.append(
                Figure(
                    value=percent(compliance.score),
                    label=gettext_lazy("compliance with the publication obligations"),
                    note=_("%(published)d of %(all)d obligations published")
                    % {"published": compliance.published, "all": len(compliance.items)},
                    url=reverse("publication:compliance", kwargs={"slug": slug}),
                )
            )
    return FigureGroup(
        key="publication",
        title=title,
        figures=figures,
        empty=gettext_lazy("No document published on the platform yet."),
        url=list_url if n else "",
        url_label=gettext_lazy("Every document"),
        order=10,
    )


def highlights_register() -> None:
    register_highlights(
        HighlightSource(key="documents", section=PUBLICATIONS, collect=documents_found)
    )
    register_figures(FigureSource(key="publication", compute=publication_figures, order=10))
    watch(Document)
