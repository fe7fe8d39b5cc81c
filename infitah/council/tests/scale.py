"""Shared by the query-count tests at scale (council and advisory): a second network
commune for the big world, and a counter of the queries one page costs."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.territories.models import Collectivity, Kind

Counter = Callable[[str], tuple[int, str]]


def network_commune(prefecture: Collectivity, slug: str) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=slug,
        name_ar="جماعة كبيرة",
        name_fr="Grande commune",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )


def counter(client: Client) -> Counter:
    """`count(url)`: the number of queries of one GET (200) and the page. The page
    cache is emptied first: every count draws the page."""

    def count(url: str) -> tuple[int, str]:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured), response.content.decode()

    return count
