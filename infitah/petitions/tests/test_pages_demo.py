"""The demo petitions: one open petition per demo collectivity, with confirmed
signatures spread over the provinces of the regions, shown on the pages; recorded once."""

from __future__ import annotations

from typing import Any

import pytest

from django.core.cache import cache
from django.test import Client

from infitah.core.demo import demo_load
from infitah.petitions.demo import petitions_demo
from infitah.petitions.models import Petition, Signature
from infitah.petitions.selectors import confirmed_count, province_progress
from infitah.petitions.workflow import Channel, SignatureStatus, Status
from infitah.territories.models import Kind


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Petition.objects.order_by("pk").values_list("collectivity__slug", "status", "title")),
        Signature.objects.count(),
        list(
            Petition.objects.filter(collectivity__kind=Kind.REGION)
            .order_by("pk")
            .values_list("collectivity__population", flat=True)
        ),
    )


@pytest.mark.django_db
def test_the_demo_opens_one_signed_petition_per_demo_collectivity_once() -> None:
    lines: list[str] = []
    demo_load(log=lines.append, import_dataset=False)
    petitions_demo(log=lines.append)
    first = _snapshot()
    petitions_demo(log=lines.append)
    assert _snapshot() == first
    assert lines[-1] == "petitions demo: 0 petition(s) recorded"

    petitions = list(Petition.objects.select_related("collectivity"))
    assert len(petitions) == 4
    assert {p.collectivity.kind for p in petitions} == {Kind.COMMUNE, Kind.REGION}
    assert all(p.status == Status.COLLECTING for p in petitions)
    assert {p.language for p in petitions} == {"ar", "fr"}
    for petition in petitions:
        assert petition.agent_email.endswith("@example.org")
        confirmed = Signature.objects.filter(
            petition=petition, status=SignatureStatus.CONFIRMED
        ).count()
        assert confirmed >= 20
        cache.clear()
        assert confirmed_count(petition) == confirmed
        if petition.collectivity.kind == Kind.REGION:
            progress = province_progress(petition)
            assert len(progress) >= 4
            assert any(row.is_met for row in progress)
            assert any(not row.is_met for row in progress)
        else:
            assert Signature.objects.filter(petition=petition, channel=Channel.PAPER).count() == 5
        response = Client().get(f"/ar/c/{petition.collectivity.slug}/petitions/{petition.pk}/")
        assert response.status_code == 200
        assert response.context["confirmed"] == confirmed
        assert len(response.content) <= 30 * 1024
        home = Client().get(f"/fr/c/{petition.collectivity.slug}/petitions/")
        assert petition.title in home.content.decode()
