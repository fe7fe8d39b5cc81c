"""The law's thresholds: every band and edge, the 5 % spread, override, unknown population."""

from __future__ import annotations

import math

import pytest

from infitah.petitions.models import PetitionSettings
from infitah.petitions.selectors import threshold_for
from infitah.petitions.thresholds import (
    commune_required,
    province_share,
    region_required,
    threshold_compute,
    threshold_met,
)
from infitah.territories.models import Collectivity, Kind


@pytest.mark.parametrize(
    ("population", "required"),
    [
        (0, 300),
        (999_999, 300),
        (1_000_000, 400),
        (2_000_000, 400),
        (3_000_000, 400),
        (3_000_001, 500),
        (7_000_000, 500),
    ],
)
def test_region_bands(population, required):
    assert region_required(population) == (required, True)


@pytest.mark.parametrize(
    ("population", "arrondissements", "required"),
    [
        (0, False, 100),
        (34_999, False, 100),
        (35_000, False, 200),
        (1_000_000, False, 200),
        (34_999, True, 400),
        (3_000_000, True, 400),
        (None, True, 400),
    ],
)
def test_commune_bands(population, arrondissements, required):
    assert commune_required(population, has_arrondissements=arrondissements)[0] == required


def test_unknown_population_takes_the_highest_band():
    assert region_required(None) == (500, False)
    assert commune_required(None, has_arrondissements=False) == (200, False)


@pytest.mark.parametrize(
    ("required", "percent", "share"),
    [(300, 5, 15), (400, 5, 20), (500, 5, 25), (600, 5, 30), (610, 5, 31), (301, 5, 16), (7, 5, 1)],
)
def test_province_share_rounds_up(required, percent, share):
    assert province_share(required, percent) == share
    assert share == math.ceil(required * percent / 100)


def test_province_share_has_no_float_error():
    # 0.07 * 100 = 7.000000000000001 in floats: a naive ceil would give 8.
    assert province_share(100, 7) == 7


def _region(population: int | None) -> Collectivity:
    return Collectivity(kind=Kind.REGION, slug="r", name_fr="R", name_ar="ج", population=population)


def test_region_threshold_lists_each_province(db):
    region = Collectivity.objects.create(
        kind=Kind.REGION, slug="r", name_ar="ج", name_fr="R", population=2_500_000
    )
    provinces = [
        Collectivity.objects.create(
            kind=kind, slug=f"p{i}", name_ar="إ", name_fr=f"P{i}", parent=region, region=region
        )
        for i, kind in enumerate([Kind.PROVINCE, Kind.PREFECTURE, Kind.PROVINCE])
    ]
    threshold = threshold_for(region)
    assert threshold.required == 400
    assert threshold.source == "law"
    assert [(p.slug, n) for p, n in threshold.per_province] == [("p0", 20), ("p1", 20), ("p2", 20)]
    assert "111.14" in threshold.basis
    counts = {provinces[0].pk: 380, provinces[1].pk: 20, provinces[2].pk: 19}
    assert not threshold_met(threshold, 419, counts)  # p2 short by one
    counts[provinces[2].pk] = 20
    assert threshold_met(threshold, 420, counts)
    assert not threshold_met(threshold, 399, counts)


def test_override_is_applied_with_its_basis_and_spread(region, prefecture):
    PetitionSettings.objects.create(
        collectivity=region, threshold_override=600, threshold_basis="Souss-Massa council page"
    )
    threshold = threshold_for(region)
    assert threshold.required == 600
    assert threshold.source == "override"
    assert threshold.law_required == 500  # population 3,020,431
    assert "Souss-Massa council page" in threshold.basis
    assert "111.14" in threshold.basis
    assert "600" in threshold.note and "500" in threshold.note
    assert threshold.per_province == [(prefecture, 30)]


def test_custom_share_percent(region, prefecture):
    PetitionSettings.objects.create(collectivity=region, province_share_percent=10)
    assert threshold_for(region).per_province == [(prefecture, 50)]


def test_unknown_population_is_said(region):
    region.population = None
    threshold = threshold_compute(region)
    assert threshold.required == 500
    assert threshold.source == "default-band"
    assert threshold.population_unknown
    assert "not recorded" in threshold.note


def test_prefecture_and_commune_levels(prefecture, collectivity_a):
    th = threshold_for(prefecture)
    assert (th.required, th.source, th.per_province) == (300, "law", [])
    assert "112.14" in th.basis
    th = threshold_for(collectivity_a)  # 191,000 inhabitants
    assert (th.required, th.source) == (200, "law")
    assert "113.14" in th.basis


def test_commune_with_arrondissements(prefecture):
    city = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="big-city",
        name_ar="م",
        name_fr="Big",
        parent=prefecture,
        region=prefecture.region,
        has_arrondissements=True,
    )
    th = threshold_for(city)
    assert (th.required, th.source) == (400, "law")


def test_commune_of_unknown_population(prefecture):
    village = Collectivity.objects.create(
        kind=Kind.COMMUNE, slug="v", name_ar="د", name_fr="V", parent=prefecture
    )
    th = threshold_for(village)
    assert (th.required, th.source) == (200, "default-band")


def test_population_edge_through_the_selector(prefecture):
    small = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="s",
        name_ar="ص",
        name_fr="S",
        parent=prefecture,
        population=34_999,
    )
    assert threshold_for(small).required == 100
    small.population = 35_000
    small.save()
    assert threshold_for(small).required == 200
