"""The generated files (files.py): the CSV (UTF-8 with a byte-order mark, formula-safe),
the JSON, the Tabular Data Package descriptor validated by `frictionless` (0 errors, on
a copy beside its CSV and through a live server by the CSV's absolute URL), ETags and
304, 404 for unknown, inactive and uploaded datasets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from frictionless import validate

from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infitah.accounts.models import User
from infitah.opendata.models import Dataset, Resource
from infitah.opendata.sources import Source
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.world import World
from infitah.publication.models import Category, Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(world: World, case_sources: dict[str, Source]) -> World:
    datasets_sync()
    return world


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def errors(report: Any) -> list[str]:
    return [str(e) for e in report.flatten(["type", "note"])]


def test_the_csv_is_utf8_with_a_bom_and_one_line_per_row(synced: World) -> None:
    response = Client().get("/data/commune-a-information-register.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="commune-a-information-register.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbfreference,subject,received_on,")
    assert data.endswith(b"\r\n")
    rows = csv_rows(data)
    assert [r["reference"] for r in rows] == [
        synced.answered.reference,
        synced.refused.reference,
        synced.in_progress.reference,
    ]
    answered = rows[0]
    assert answered["received_on"] == synced.answered.received_on.isoformat()  # type: ignore[union-attr]
    assert (answered["answered_late"], answered["deemed_refused"]) == ("false", "false")
    assert rows[2]["answered_on"] == "" and rows[2]["answered_late"] == ""
    # The size the catalogue states is the file's.
    resource = Resource.objects.get(dataset__name="commune-a-information-register", format="CSV")
    assert resource.size == len(data)


def test_date_times_are_utc_and_formulas_are_quoted(synced: World) -> None:
    document_publish(
        collectivity=synced.b,
        actor=synced.staff,
        category=Category.objects.get(code="communiques"),
        title_ar="",
        title_fr='=HYPERLINK("http://evil.test","x")',
        date=synced.document_b.date,
        language=Language.FRENCH,
        upload=SimpleUploadedFile("x.txt", b"x"),
    )
    rows = csv_rows(body(Client().get("/data/commune-b-documents.csv")))
    assert rows[1]["title_fr"] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[0]["published_at"].endswith("Z") and "T" in rows[0]["published_at"]
    found = json.loads(body(Client().get("/data/commune-b-documents.json")))
    # JSON is no spreadsheet: the text is given as it is.
    assert found["rows"][1]["title_fr"] == '=HYPERLINK("http://evil.test","x")'


def test_the_json_gives_typed_rows(synced: World, settings: Any) -> None:
    response = Client().get("/data/commune-a-petitions.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="commune-a-petitions.json"'
    data = body(response)
    found = json.loads(data)
    licence = settings.INFITAH_OPENDATA_LICENSES[settings.INFITAH_OPENDATA_LICENSE]["url"]
    assert list(found) == ["dataset", "license", "count", "rows"]
    assert (found["dataset"], found["license"], found["count"]) == (
        "commune-a-petitions",
        licence,
        2,
    )
    first = found["rows"][0]
    assert first["signatures"] == 1 and first["threshold_met"] is True
    assert first["lodged_on"] is None and first["title"] == synced.collecting.title
    assert list(first)[:3] == ["reference", "title", "status"]
    stats = json.loads(body(Client().get("/data/commune-a-complaint-statistics.json")))
    assert stats["rows"][0]["satisfaction_average"] == 5.0
    resource = Resource.objects.get(dataset__name="commune-a-petitions", format="JSON")
    assert resource.size == len(data)


def test_an_unchanged_file_answers_304(synced: World) -> None:
    client = Client()
    first = client.get("/data/commune-b-documents.csv")
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('-csv"')
    again = client.get("/data/commune-b-documents.csv", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    json_etag = client.get("/data/commune-b-documents.json")["ETag"]
    assert json_etag != etag
    document_publish(
        collectivity=synced.b,
        actor=synced.staff,
        category=Category.objects.get(code="communiques"),
        title_ar="جديد",
        title_fr="",
        date=synced.document_b.date,
        language=Language.ARABIC,
        upload=SimpleUploadedFile("y.txt", b"y"),
    )
    # The live rows changed (before any sync): a new ETag, the whole file.
    changed = client.get("/data/commune-b-documents.csv", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(csv_rows(body(changed))) == 2


def test_the_descriptor_describes_the_csv(synced: World, settings: Any) -> None:
    response = Client().get("/data/commune-a-documents/datapackage.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'inline; filename="datapackage.json"'
    found = json.loads(response.content)
    dataset = Dataset.objects.get(name="commune-a-documents")
    assert found["profile"] == "tabular-data-package"
    assert (found["name"], found["id"]) == ("commune-a-documents", str(dataset.id))
    assert found["title"] == f"{dataset.title_fr} / {dataset.title_ar}"
    assert found["homepage"] == "http://testserver/ar/data/commune-a-documents/"
    licence = settings.INFITAH_OPENDATA_LICENSES[settings.INFITAH_OPENDATA_LICENSE]
    assert found["licenses"] == [
        {
            "name": settings.INFITAH_OPENDATA_LICENSE,
            "path": licence["url"],
            "title": licence["title"],
        }
    ]
    assert found["keywords"] == ["documents", "law 31.13", "proactive publication"]
    (resource,) = found["resources"]
    assert resource["path"] == "http://testserver/data/commune-a-documents.csv"
    assert resource["name"] == "documents" and resource["encoding"] == "utf-8"
    fields = resource["schema"]["fields"]
    assert fields[0] == {
        "name": "id",
        "type": "integer",
        "title": "Identifiant du document / معرف الوثيقة",
    }
    assert [f["name"] for f in fields] == list(csv_rows(body(Client().get(resource["path"])))[0])


def test_every_data_package_is_valid_for_frictionless(synced: World, tmp_path: Path) -> None:
    """Each descriptor with its CSV beside it (the path made relative): 0 errors."""
    client = Client()
    names = Dataset.objects.exclude(source=Dataset.UPLOAD).values_list("name", flat=True)
    assert len(names) == 7
    for name in names:
        folder = tmp_path / name
        folder.mkdir()
        found = json.loads(client.get(f"/data/{name}/datapackage.json").content)
        (folder / "data.csv").write_bytes(body(client.get(f"/data/{name}.csv")))
        found["resources"][0]["path"] = "data.csv"
        (folder / "datapackage.json").write_text(json.dumps(found, ensure_ascii=False))
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, (name, errors(report))
        assert report.tasks[0].stats["rows"] == Dataset.objects.get(name=name).row_count


def test_a_broken_csv_is_caught_by_the_same_check(synced: World, tmp_path: Path) -> None:
    client = Client()
    found = json.loads(client.get("/data/commune-a-petitions/datapackage.json").content)
    data = body(client.get("/data/commune-a-petitions.csv")).replace(b",1,1,true,", b",1,x,true,")
    (tmp_path / "data.csv").write_bytes(data)
    found["resources"][0]["path"] = "data.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(found))
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert {row[0] for row in report.flatten(["type"])} == {"type-error"}


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """The catalogue rows the migrations seed, put back for a transactional test (one
    that ran before emptied the database)."""
    import_module("infitah.publication.migrations.0002_seed_catalogue").seed(django_apps, None)
    import_module("infitah.opendata.migrations.0002_open_data_category").create(django_apps, None)


def test_frictionless_reads_the_package_from_the_live_site(
    seeded: None, live_server: Any, collectivity_b: Collectivity, case_sources: dict[str, Source]
) -> None:
    """As a harvester does: the descriptor by its URL, the CSV by its absolute path."""
    staff = User.objects.create_user(email="staff-live@example.test", password="x-pass-123")
    document_publish(
        collectivity=collectivity_b,
        actor=staff,
        category=Category.objects.get(code="communiques"),
        title_ar="بلاغ",
        title_fr="Communiqué",
        date=collectivity_b.created_at.date(),
        language=Language.MIXED,
        upload=SimpleUploadedFile("c.txt", b"Texte."),
    )
    datasets_sync()
    url = f"{live_server.url}/data/commune-b-documents/datapackage.json"
    report = validate(url)
    assert report.valid, errors(report)
    assert report.tasks[0].stats["rows"] == 1
    assert report.tasks[0].place == f"{live_server.url}/data/commune-b-documents.csv"


def test_no_file_for_unknown_inactive_or_uploaded_datasets(
    synced: World, make_dataset: Callable[..., Dataset]
) -> None:
    client = Client()
    upload = Dataset.objects.get(source=Dataset.UPLOAD)
    Dataset.objects.filter(name="commune-a-petitions").update(is_active=False)
    other = make_dataset(synced.b, "not-a-source")
    for name in ("nothing-here", upload.name, "commune-a-petitions", other.name):
        for url in (f"/data/{name}.csv", f"/data/{name}.json", f"/data/{name}/datapackage.json"):
            assert client.get(url).status_code == 404, url
    assert client.get("/data/commune-b-documents.csv").status_code == 200
    assert client.head("/data/commune-b-documents.csv").status_code == 200
    assert client.post("/data/commune-b-documents.csv").status_code == 405
    assert client.get("/data/%00.csv").status_code == 404
