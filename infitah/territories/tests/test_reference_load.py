"""The shipped reference: 12 regions and 75 prefectures and provinces (reference/)."""

from __future__ import annotations

import pytest

from infitah.lib.text import fold
from infitah.territories.importers import read_reference
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import reference_load

RGPH_2024_TOTAL = 36_828_330


def test_reference_files_count_12_regions_13_prefectures_62_provinces():
    entries = read_reference()
    kinds = [e.kind for e in entries]
    assert kinds.count(Kind.REGION) == 12
    assert kinds.count(Kind.PREFECTURE) == 13
    assert kinds.count(Kind.PROVINCE) == 62


def test_reference_files_have_unique_codes_dataset_ids_and_folded_names():
    entries = read_reference()
    region_codes = [e.code for e in entries if e.kind == Kind.REGION]
    assert region_codes == [f"{n:02d}" for n in range(1, 13)]
    dataset_ids = [e.dataset_id for e in entries if e.dataset_id]
    assert len(dataset_ids) == len(set(dataset_ids)) == 12 + 64
    names = [fold(e.name_fr) for e in entries if e.kind != Kind.REGION]
    assert len(names) == len(set(names))
    assert all(e.region_code in region_codes for e in entries if e.kind != Kind.REGION)


@pytest.mark.django_db
def test_load_creates_12_regions_and_75_prefectures_and_provinces():
    report = reference_load()

    assert report.total("created") == 87
    assert Collectivity.objects.filter(kind=Kind.REGION).count() == 12
    assert Collectivity.objects.filter(kind=Kind.PREFECTURE).count() == 13
    assert Collectivity.objects.filter(kind=Kind.PROVINCE).count() == 62


@pytest.mark.django_db
def test_regional_populations_sum_to_the_rgph_2024_total():
    reference_load()
    regions = Collectivity.objects.filter(kind=Kind.REGION)

    assert sum(r.population or 0 for r in regions) == RGPH_2024_TOTAL
    assert {r.population_source for r in regions} == {"RGPH 2024, decree 2.24.1009"}
    assert regions.get(code="06").population == 7_688_967
    assert regions.get(code="12").population == 219_965


@pytest.mark.django_db
def test_every_name_is_set_in_arabic_and_french():
    reference_load()
    for row in Collectivity.objects.all():
        assert row.name_ar.strip()
        assert row.name_fr.strip()
        assert not any("\u0600" <= ch <= "\u06ff" for ch in row.name_fr)


@pytest.mark.django_db
def test_second_load_changes_nothing():
    reference_load()
    before = dict(Collectivity.objects.values_list("pk", "updated_at"))

    report = reference_load()

    assert report.total("created") == report.total("updated") == 0
    assert report.total("unchanged") == 87
    assert dict(Collectivity.objects.values_list("pk", "updated_at")) == before


@pytest.mark.django_db
def test_regions_hold_their_own_prefectures_and_provinces():
    reference_load()

    def children(region_slug: str) -> set[str]:
        region = Collectivity.objects.get(slug=region_slug)
        rows = Collectivity.objects.filter(parent=region)
        assert all(r.region_id == region.pk for r in rows)
        return {r.name_fr for r in rows}

    assert children("beni-mellal-khenifra") == {
        "Béni Mellal",
        "Azilal",
        "Fquih Ben Salah",
        "Khénifra",
        "Khouribga",
    }
    assert children("draa-tafilalet") == {
        "Errachidia",
        "Ouarzazate",
        "Midelt",
        "Tinghir",
        "Zagora",
    }
    assert children("laayoune-sakia-el-hamra") == {
        "Laâyoune",
        "Boujdour",
        "Tarfaya",
        "Es-Semara",
    }
    inezgane = Collectivity.objects.get(slug="inezgane-ait-melloul")
    assert inezgane.kind == Kind.PREFECTURE
    assert inezgane.parent is not None and inezgane.parent.slug == "souss-massa"
    assert len(children("tanger-tetouan-al-hoceima")) == 8
    assert len(children("casablanca-settat")) == 9


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["بنى ملال", "Beni Mellal", "béni-mellal"])
def test_spellings_of_beni_mellal_find_the_region(query):
    reference_load()

    regions = Collectivity.objects.matching(query).regions()

    assert [r.slug for r in regions] == ["beni-mellal-khenifra"]


@pytest.mark.django_db
def test_load_adopts_existing_rows_by_name_instead_of_duplicating(prefecture):
    region = prefecture.region
    assert region is not None

    reference_load()

    region.refresh_from_db()
    prefecture.refresh_from_db()
    assert region.code == "09"
    assert region.slug == "souss-massa-test"  # slugs of existing rows never change
    assert prefecture.name_fr == "Inezgane-Aït Melloul"
    assert Collectivity.objects.filter(kind=Kind.REGION).count() == 12
    assert Collectivity.objects.exclude(kind=Kind.REGION).count() == 75


@pytest.mark.django_db
def test_load_restores_reference_names(db):
    reference_load()
    Collectivity.objects.filter(slug="taroudant").update(name_fr="Taroudannt")

    report = reference_load()

    assert report.counts[Kind.PROVINCE].updated == 1
    assert Collectivity.objects.get(slug="taroudant").name_fr == "Taroudant"
