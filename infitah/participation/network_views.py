"""The network's own participation page, /<lang>/network/participation/: its
consultations, surveys and labs (open, upcoming, closed), each with its audience."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from infitah.participation import network_selectors
from infitah.participation.network_selectors import CONSULTATION, SURVEY, NetworkItem

_DETAIL = {
    CONSULTATION: "consultations:detail",
    SURVEY: "surveys:detail",
    network_selectors.LAB: "labs:detail",
}


def item_url(item: NetworkItem) -> str:
    return reverse(_DETAIL[item.kind], kwargs={"slug": item.slug, "pk": item.pk})


def participation_list(request: HttpRequest) -> HttpResponse:
    """Every public consultation, survey and lab of the network's space, by phase (three
    queries); each links to its public page."""
    now = timezone.now()
    items = network_selectors.network_item_list(now=now)
    groups = [
        ("open", [(item, item_url(item)) for item in items.open]),
        ("upcoming", [(item, item_url(item)) for item in items.upcoming]),
        ("closed", [(item, item_url(item)) for item in items.closed]),
    ]
    return render(
        request,
        "participation/network_list.html",
        {"groups": groups, "is_empty": items.is_empty, "now": now},
    )
