"""The network's own space (Kind.NETWORK) is never scored nor shown by the openness
index: not computed (even when named), not a kind of the distribution or the filters, no
page and no API answer of its own."""

from __future__ import annotations

import pytest
import time_machine

from django.test import Client

from infitah.openness import selectors
from infitah.openness.items import kinds_get
from infitah.openness.models import Score
from infitah.openness.services import openness_compute
from infitah.territories.models import TERRITORIAL_KINDS, Collectivity
from infitah.territories.services import network_space

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(collectivity_a: Collectivity, collectivity_b: Collectivity) -> Collectivity:
    return network_space()


@time_machine.travel(TODAY, tick=False)
def test_the_computation_leaves_it_out(space: Collectivity, collectivity_a: Collectivity) -> None:
    assert space.pk not in kinds_get(None)
    assert openness_compute() == 4
    assert not Score.objects.filter(collectivity=space).exists()
    # Named explicitly (the tick names every collectivity with a new event): still not.
    assert openness_compute(collectivity_ids=[space.pk, collectivity_a.pk]) == 1
    assert not Score.objects.filter(collectivity=space).exists()


@time_machine.travel(TODAY, tick=False)
def test_the_distribution_and_the_filters_have_no_network_kind(
    space: Collectivity, client: Client
) -> None:
    openness_compute()
    month = selectors.latest_month()
    assert month is not None
    assert [row.key for row in selectors.distribution(month, by="kind")] == list(TERRITORIAL_KINDS)
    page = client.get("/fr/openness/").content.decode()
    assert 'value="network"' not in page
    ignored = client.get("/fr/openness/?kind=network").content.decode()
    assert 'data-ignored="kind"' in ignored


def test_it_has_no_openness_page_nor_api_answer(space: Collectivity, client: Client) -> None:
    assert client.get(f"/fr/c/{space.slug}/openness/").status_code == 404
    assert client.get(f"/api/v1/c/{space.slug}/openness").status_code == 404
