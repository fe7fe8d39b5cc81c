"""The network's own space (Kind.NETWORK) is not a territory to search within: the page
and the API answer 404 for it, as for an unknown collectivity."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation

from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


def test_searching_within_the_network_space_is_404(
    client: Client, collectivity_a: Collectivity
) -> None:
    space = network_space()
    with translation.override("fr"):
        page = reverse("search:search")
    assert client.get(page, {"q": "budget", "collectivity": space.slug}).status_code == 404
    assert client.get(page, {"q": "budget", "collectivity": collectivity_a.slug}).status_code == 200
    api = "/api/v1/search"
    assert client.get(api, {"q": "budget", "collectivity": space.slug}).status_code == 404
    assert client.get(api, {"q": "budget", "collectivity": collectivity_a.slug}).status_code == 200
