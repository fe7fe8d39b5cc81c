"""`import_territories` with the CSV shape of docs/territories.md."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from django.core.management import call_command

from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

HEADER = "kind,code,name_ar,name_fr,parent_kind,parent_code,population,population_source,is_urban\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_territories", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, body: str, name: str = "territories.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_csv_import_and_reimport_is_idempotent(tmp_path):
    path = write(
        tmp_path,
        "commune,HCP-1,آيت ملول,Aït Melloul,prefecture,DIV_027,171847,test source,1\n"
        "commune,HCP-2,أولاد داحو,Oulad Dahou,prefecture,inezgane-ait-melloul,,,rural\n"
        "commune,HCP-3,تنغير,Tinghir,province,tinghir,,,urbain\n"
        "province,P-NEW,إقليم تجريبي,Province Test,region,09,1000,test,\n"
        "commune,HCP-4,جماعة تجريبية,Commune Test,province,P-NEW,,,0\n",
    )

    first = run(str(path))
    before = dict(Collectivity.objects.values_list("pk", "updated_at"))
    second = run(str(path))

    assert "Commune: 4 created" in first
    assert "Nothing changed." in second
    assert "Commune: 0 created, 0 updated, 4 unchanged" in second
    assert dict(Collectivity.objects.values_list("pk", "updated_at")) == before
    ait_melloul = Collectivity.objects.get(kind=Kind.COMMUNE, code="HCP-1")
    assert ait_melloul.population == 171_847
    assert ait_melloul.population_source == "test source"
    assert ait_melloul.is_urban is True
    assert ait_melloul.parent is not None and ait_melloul.parent.slug == "inezgane-ait-melloul"
    tinghir = Collectivity.objects.get(code="HCP-3")
    assert tinghir.region is not None and tinghir.region.slug == "draa-tafilalet"
    test_commune = Collectivity.objects.get(code="HCP-4")
    assert test_commune.region is not None and test_commune.region.code == "09"
    assert Collectivity.objects.get(code="P-NEW").kind == Kind.PROVINCE


def test_csv_changes_are_applied_on_reimport(tmp_path):
    run(str(write(tmp_path, "commune,HCP-1,آيت ملول,Ait Melloul,prefecture,DIV_027,,,\n")))

    output = run(
        str(write(tmp_path, "commune,HCP-1,آيت ملول,Aït Melloul,prefecture,DIV_027,5,src,1\n"))
    )

    assert "Commune: 0 created, 1 updated" in output
    commune = Collectivity.objects.get(code="HCP-1")
    assert (commune.name_fr, commune.population, commune.is_urban) == ("Aït Melloul", 5, True)


def test_csv_keeps_reference_names_but_fills_a_missing_province_population(tmp_path):
    path = write(
        tmp_path,
        "region,09,سوس,Souss,,,1,x,\n"
        "prefecture,DIV_027,إنزكان,Inezgane,region,09,123456,RGPH 2024,\n",
    )

    output = run(str(path))

    region = Collectivity.objects.get(kind=Kind.REGION, code="09")
    assert (region.name_fr, region.population) == ("Souss-Massa", 3_020_431)
    prefecture = Collectivity.objects.get(slug="inezgane-ait-melloul")
    assert (prefecture.name_fr, prefecture.population) == ("Inezgane-Aït Melloul", 123_456)
    assert "Region: 0 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "Prefecture: 0 created, 1 updated" in output
