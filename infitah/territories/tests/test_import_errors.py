"""`import_territories` refuses malformed input, names the record, and writes nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from django.core.management import CommandError, call_command

from infitah.territories.models import Collectivity
from infitah.territories.services import reference_load

pytestmark = pytest.mark.django_db

HEADER = "kind,code,name_ar,name_fr,parent_kind,parent_code,population,population_source,is_urban\n"


def commune(
    id_: str, *, fr: str = "Test", parent: str = "DIV_027", **extra: object
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": {"ar": "تجربة", "en": fr, "fr": fr},
        "region_division_id": parent,
        "type": "rural",
        **extra,
    }


def refused(path: Path) -> str:
    before = Collectivity.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_territories", str(path), stdout=StringIO())
    assert Collectivity.objects.count() == before
    return str(excinfo.value)


def test_invalid_json_is_refused(tmp_path):
    path = tmp_path / "communes.json"
    path.write_text('{"communes": [', encoding="utf-8")

    message = refused(path)

    assert "communes.json" in message
    assert "invalid JSON" in message


def test_missing_name_is_refused_naming_the_record(tmp_path):
    bad = commune("COM_0002")
    del bad["name"]["ar"]
    path = tmp_path / "communes.json"
    path.write_text(json.dumps({"communes": [commune("COM_0001"), bad]}), encoding="utf-8")

    message = refused(path)

    assert "communes.json, record COM_0002" in message
    assert "'ar'" in message
    assert Collectivity.objects.count() == 0  # not even the reference was loaded


def test_unknown_parent_is_refused_naming_the_record(tmp_path):
    reference_load()
    path = tmp_path / "communes.json"
    records = [commune("COM_0001"), commune("COM_0002", parent="DIV_999")]
    path.write_text(json.dumps({"communes": records}), encoding="utf-8")

    message = refused(path)

    assert "record COM_0002" in message
    assert "DIV_999" in message
    assert not Collectivity.objects.filter(code="COM_0001").exists()


def test_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "region-divisions.json"
    division = {"id": "DIV_100", "name": {"ar": "اسم", "fr": "A"}, "region_id": "REGION_01"}
    path.write_text(
        json.dumps({"region_divisions": [{**division, "type": "cercle"}]}), encoding="utf-8"
    )

    message = refused(path)

    assert "record DIV_100" in message
    assert "cercle" in message


def test_bad_csv_population_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text(
        HEADER
        + "commune,C-1,أ,A,prefecture,DIV_027,100,,\n"
        + "commune,C-2,ب,B,prefecture,DIV_027,-3,,\n",
        encoding="utf-8",
    )

    message = refused(path)

    assert "communes.csv, line 3" in message
    assert "population" in message


def test_csv_without_required_columns_is_refused(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("kind,code,name_fr\ncommune,C-1,A\n", encoding="utf-8")

    message = refused(path)

    assert "name_ar" in message
    assert "parent_code" in message


def test_duplicate_codes_are_refused(tmp_path):
    path = tmp_path / "communes.json"
    path.write_text(
        json.dumps({"communes": [commune("COM_0001"), commune("COM_0001")]}), encoding="utf-8"
    )

    assert "duplicate" in refused(path)


def test_refused_file_leaves_existing_rows_untouched(tmp_path):
    reference_load()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "commune,C-1,أ,A,prefecture,DIV_027,100,,\n", encoding="utf-8")
    call_command("import_territories", str(good), stdout=StringIO())
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "commune,C-1,أ,Changed,prefecture,DIV_027,200,,\n"
        + "commune,C-2,ب,B,prefecture,DIV_404,,,\n",
        encoding="utf-8",
    )

    message = refused(bad)

    assert "bad.csv, line 3" in message
    row = Collectivity.objects.get(code="C-1")
    assert (row.name_fr, row.population) == ("A", 100)


def test_missing_path_is_refused(tmp_path):
    assert "no such file" in refused(tmp_path / "nope.json")
