"""The open-data demo (demo.py): the demo commune's data file published once through the
publication service, then the whole catalogue synced; a second run changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from infitah.accounts.models import Membership, Role, User
from infitah.opendata.demo import COMMUNE_SLUG, EDITOR_EMAIL, opendata_demo
from infitah.opendata.models import Dataset
from infitah.opendata.sources import Source
from infitah.publication.models import Document
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune(prefecture: Collectivity) -> Collectivity:
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=COMMUNE_SLUG,
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )
    editor = User.objects.create_user(email=EDITOR_EMAIL, password="x-pass-123")
    Membership.objects.create(user=editor, collectivity=commune, role=Role.PUBLICATION_EDITOR)
    return commune


def test_the_demo_uploads_one_file_and_syncs(
    commune: Collectivity, case_sources: dict[str, Source]
) -> None:
    lines: list[str] = []
    first = opendata_demo(log=lines.append)
    (document,) = Document.objects.filter(collectivity=commune)
    assert document.category.code == "open-data" and document.file_type == "csv"
    names = set(first.created)
    assert names == {"ait-melloul-documents", Dataset.objects.get(source="upload").name}
    assert any("one data file" in line for line in lines)
    again = opendata_demo(log=lines.append)
    assert not again.changed and Document.objects.count() == 1


def test_without_the_demo_commune_it_only_syncs(db: None, case_sources: dict[str, Source]) -> None:
    lines: list[str] = []
    result = opendata_demo(log=lines.append)
    assert not result.changed and not Document.objects.exists()
    assert "no file uploaded" in lines[0]


def test_never_in_production(db: None, settings: Any) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(RuntimeError):
        opendata_demo(log=lambda line: None)
