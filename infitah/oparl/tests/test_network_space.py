"""The network's own space (Kind.NETWORK) is never an OParl body, even if a council
term were recorded in it by mistake: it is not a territory and has no council."""

from __future__ import annotations

import datetime as dt

import pytest

from django.test import Client

from infitah.council.models import Term
from infitah.oparl.selectors import bodies, body_get
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


def test_the_network_space_is_no_body(collectivity_a: Collectivity, client: Client) -> None:
    space = network_space()
    for place in (space, collectivity_a):
        Term.objects.create(collectivity=place, name_ar="2021-2026", start_date=dt.date(2021, 9, 1))
    assert list(bodies().values_list("slug", flat=True)) == [collectivity_a.slug]
    assert body_get(space.slug) is None
    assert client.get(f"/oparl/v1/body/{space.slug}").status_code == 404
    listed = client.get("/oparl/v1/bodies").json()
    assert [b["id"].rstrip("/").rsplit("/", 1)[-1] for b in listed["data"]] == [collectivity_a.slug]
