"""Staff add their own datasets through the publication module: the category
"open-data" (migration 0002) offered to every kind of collectivity, a data file
published in it on the staff page becomes a dataset at the next sync; what the upload
checks accept (CSV, XLSX, ODS; not JSON, see /tmp/req_h1.md); tenancy."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infitah.accounts.models import Role, User
from infitah.opendata.models import Dataset
from infitah.opendata.sources import Source
from infitah.opendata.sync import datasets_sync
from infitah.publication.models import Category, Document
from infitah.publication.selectors import category_list
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

NEW = "/fr/staff/commune-a/publication/new/"


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["quartier", "population"])
    sheet.append(["Al Massira", 12000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def form(category: Category, upload: SimpleUploadedFile, **extra: Any) -> dict[str, Any]:
    return {
        "category": category.pk,
        "title_ar": "السكان حسب الحي",
        "title_fr": "Population par quartier",
        "date": "2026-03-16",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "language": "mixed",
        "upload": upload,
        **extra,
    }


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> Client:
    client = Client()
    client.force_login(staff_for(Role.PUBLICATION_EDITOR))
    return client


def test_the_category_is_seeded_for_every_kind(
    open_data_category: Category,
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
) -> None:
    c = open_data_category
    assert (c.name_ar, c.name_fr) == ("بيانات مفتوحة", "Données ouvertes")
    assert set(c.applies_to) == {"region", "prefecture", "province", "commune"}
    assert (c.is_mandatory, c.is_smiig, c.frequency, c.is_active) == (
        False,
        False,
        "on_change",
        True,
    )
    assert c.description_ar and c.description_fr
    for collectivity in (region, prefecture, collectivity_a):
        assert c in category_list(collectivity=collectivity)


@pytest.mark.parametrize(
    ("name", "data", "file_type"),
    [
        ("population.csv", b"quartier,population\r\nAl Massira,12000\r\n", "csv"),
        ("population.xlsx", None, "xlsx"),
    ],
)
def test_a_staff_upload_becomes_a_dataset_after_the_sync(
    editor: Client,
    open_data_category: Category,
    collectivity_a: Collectivity,
    case_sources: dict[str, Source],
    name: str,
    data: bytes | None,
    file_type: str,
) -> None:
    upload = SimpleUploadedFile(name, data if data is not None else xlsx())
    response = editor.post(NEW, form(open_data_category, upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(category=open_data_category)
    assert document.file_type == file_type
    assert not Dataset.objects.filter(source=Dataset.UPLOAD).exists()
    result = datasets_sync()
    dataset = Dataset.objects.get(source=Dataset.UPLOAD)
    assert dataset.name in result.created
    assert dataset.collectivity == collectivity_a and dataset.is_active
    assert dataset.title_fr == "Population par quartier"
    (resource,) = dataset.resources.all()
    assert resource.format == file_type.upper() and resource.size == document.size
    # The catalogue and its page show it.
    assert dataset.name in Client().get("/fr/data/?source=upload").content.decode()
    html = Client().get(f"/fr/data/{dataset.name}/").content.decode()
    assert f'href="{resource.url}"' in html
    assert Client().get(resource.url).status_code == 200


def test_a_json_file_is_not_accepted_yet(editor: Client, open_data_category: Category) -> None:
    """lib/uploads knows no JSON type: the editor is told which types are accepted
    (requested: /tmp/req_h1.md)."""
    upload = SimpleUploadedFile("data.json", b'[{"a": 1}]')
    response = editor.post(NEW, form(open_data_category, upload))
    assert response.status_code == 200
    assert "csv" in response.content.decode() and not Document.objects.exists()


def test_charlie_cannot_upload_to_a(charlie: User, open_data_category: Category) -> None:
    client = Client()
    client.force_login(charlie)
    upload = SimpleUploadedFile("p.csv", b"a,b\r\n1,2\r\n")
    assert client.post(NEW, form(open_data_category, upload)).status_code == 404
    assert client.get(NEW).status_code == 404
    assert not Document.objects.exists()
