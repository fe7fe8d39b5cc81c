"""`import_territories` with the public dataset (shared/data/territories)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from infitah.territories.models import Collectivity, Kind

DATASET = Path(settings.BASE_DIR).parent / "shared" / "data" / "territories"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (DATASET / "communes.json").is_file(),
        reason=f"the public territories dataset is not at {DATASET}",
    ),
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_territories", *args, stdout=out)
    return out.getvalue()


def test_fresh_import_loads_reference_and_881_communes():
    output = run(str(DATASET))

    assert Collectivity.objects.filter(kind=Kind.REGION).count() == 12
    assert Collectivity.objects.filter(kind__in=[Kind.PREFECTURE, Kind.PROVINCE]).count() >= 75
    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() == 881
    assert "881 created" in output


def test_second_import_creates_and_updates_nothing():
    run(str(DATASET))
    before = dict(Collectivity.objects.values_list("pk", "updated_at"))

    output = run(str(DATASET))

    assert "Nothing changed." in output
    assert " 0 created, 0 updated" in output
    assert "Reference data" not in output
    assert "881 unchanged" in output
    assert dict(Collectivity.objects.values_list("pk", "updated_at")) == before


def test_every_commune_has_a_prefecture_or_province_and_its_region():
    run(str(DATASET))

    communes = Collectivity.objects.filter(kind=Kind.COMMUNE).select_related("parent")
    for commune in communes:
        assert commune.parent is not None
        assert commune.parent.kind in (Kind.PREFECTURE, Kind.PROVINCE)
        assert commune.region_id is not None
        assert commune.region_id == commune.parent.region_id


def test_dataset_names_never_replace_reference_names():
    run(str(DATASET))

    # The dataset spells it "Taroudannt" and "Tanger-Asilah".
    assert Collectivity.objects.filter(name_fr="Taroudant", kind=Kind.PROVINCE).exists()
    assert not Collectivity.objects.filter(name_fr="Taroudannt", kind=Kind.PROVINCE).exists()
    assert Collectivity.objects.filter(name_fr="Tanger-Assilah").exists()


def test_arabic_french_name_falls_back_to_english():
    run(str(DATASET))

    commune = Collectivity.objects.get(kind=Kind.COMMUNE, code="COM_0881")
    assert commune.name_fr == "Dar Bel Amri"
    assert commune.name_ar == "دار بل عمري"
    assert commune.slug == "dar-bel-amri"


def test_slugs_of_the_demo_collectivities():
    run(str(DATASET))

    ait_melloul = Collectivity.objects.get(code="COM_0135")
    assert ait_melloul.slug == "ait-melloul"
    assert ait_melloul.is_urban is True
    assert ait_melloul.parent is not None and ait_melloul.parent.slug == "inezgane-ait-melloul"
    # A commune sharing its prefecture's name gets a suffix; the prefecture keeps the plain slug.
    assert Collectivity.objects.get(slug="marrakech").kind == Kind.PREFECTURE
    assert Collectivity.objects.get(slug="marrakech-commune").kind == Kind.COMMUNE


def test_uncoded_existing_commune_is_adopted_not_duplicated(collectivity_a):
    run(str(DATASET))

    collectivity_a.refresh_from_db()
    assert collectivity_a.code == "COM_0135"
    assert collectivity_a.slug == "commune-a"
    assert collectivity_a.population == 191_000  # the dataset has none; never cleared
    assert Collectivity.objects.filter(kind=Kind.COMMUNE, name_fr="Aït Melloul").count() == 1


def test_dry_run_writes_nothing():
    output = run(str(DATASET), "--dry-run")

    assert "881 created" in output
    assert "Dry run" in output
    assert Collectivity.objects.count() == 0


def test_single_file_of_communes_imports_into_a_fresh_database():
    run(str(DATASET / "communes.json"))

    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() == 881
    assert Collectivity.objects.filter(kind=Kind.REGION).count() == 12


def test_a_change_bumps_the_territories_page_cache(django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(str(DATASET))
    version = cache.get("pagever:territories")
    assert version is not None

    with django_capture_on_commit_callbacks(execute=True):
        run(str(DATASET))
    assert cache.get("pagever:territories") == version
