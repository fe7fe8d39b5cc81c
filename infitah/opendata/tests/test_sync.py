"""`datasets_sync` and `datasets_sync_changed` (sync.py): one dataset per collectivity and
source with rows, its record and resources; idempotent; `metadata_modified` moves only
on a change; datasets without rows become inactive, never deleted; staff uploads;
network-wide sources; the incremental run of the tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.ledger.models import Event
from infitah.opendata import sync
from infitah.opendata.models import Dataset, Resource, SyncState
from infitah.opendata.sources import Column, Link, Source
from infitah.opendata.sync import datasets_sync, datasets_sync_changed
from infitah.opendata.tests.world import World
from infitah.publication.models import Category, Document, Language
from infitah.publication.services import document_new_version, document_publish, document_withdraw

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)
T2 = T0 + dt.timedelta(hours=2)
A_NAMES = {
    "commune-a-documents",
    "commune-a-information-register",
    "commune-a-information-statistics",
    "commune-a-complaint-statistics",
    "commune-a-complaint-answers",
    "commune-a-petitions",
}


@pytest.fixture
def sources(case_sources: dict[str, Source]) -> dict[str, Source]:
    return case_sources


def generated(**filters: Any) -> dict[str, Dataset]:
    qs = Dataset.objects.exclude(source=Dataset.UPLOAD).filter(**filters)
    return {d.name: d for d in qs}


def publish(world: World, collectivity: Any, code: str = "communiques", **extra: Any) -> Document:
    return document_publish(
        collectivity=collectivity,
        actor=world.staff,
        category=Category.objects.get(code=code),
        title_ar="بلاغ جديد",
        title_fr="Nouveau communiqué",
        date=dt.date(2026, 4, 1),
        language=Language.ARABIC,
        upload=SimpleUploadedFile(extra.pop("name", "n.txt"), extra.pop("data", b"Nouveau.")),
        **extra,
    )


def test_one_dataset_per_collectivity_and_source_then_a_second_run_changes_nothing(
    world: World, sources: dict[str, Source]
) -> None:
    first = datasets_sync(now=T0)
    assert set(first.created) == A_NAMES | {
        "commune-b-documents",
        f"commune-a-population-par-quartier-{world.upload.series.hex[:8]}",
    }
    assert first.updated == first.deactivated == []
    before = {d.name: (d.metadata_modified, d.digest, d.pk) for d in Dataset.objects.all()}
    resources = {r.pk: r.last_modified for r in Resource.objects.all()}
    second = datasets_sync(now=T1)
    assert (second.created, second.updated, second.deactivated) == ([], [], [])
    assert second.unchanged == len(before) == 8
    assert not second.changed
    assert {d.name: (d.metadata_modified, d.digest, d.pk) for d in Dataset.objects.all()} == before
    assert {r.pk: r.last_modified for r in Resource.objects.all()} == resources
    assert str(second) == "0 created, 0 updated, 0 deactivated, 8 unchanged"
    assert SyncState.objects.get(key="datasets").synced_at == T1


def test_the_record_of_a_generated_dataset(
    world: World, sources: dict[str, Source], settings: Any
) -> None:
    datasets_sync(now=T0)
    d = Dataset.objects.get(name="commune-a-petitions")
    assert d.collectivity == world.a and d.source == "petitions" and d.is_active
    assert d.title_ar == "العرائض — أيت ملول"
    assert d.title_fr == "Pétitions — Aït Melloul"
    assert "Aït Melloul" in d.description_fr and "أيت ملول" in d.description_ar
    assert sorted(t.name for t in d.tags.all()) == ["council", "participation", "petitions"]
    assert (d.theme, d.frequency, d.license_id) == (
        "GOVE",
        "CONT",
        settings.INFITAH_OPENDATA_LICENSE,
    )
    assert d.row_count == 2 and len(d.digest) == 64
    assert d.temporal_start == d.temporal_end == timezone.localdate(world.collecting.created_at)
    assert d.metadata_created == d.metadata_modified == T0
    # Folded: accents, hamza and case do not matter to the search.
    assert "ait melloul" in d.search_text and "ايت ملول" in d.search_text
    assert "petitions" in d.search_text and "commune a" in d.search_text
    found = [(r.format, r.media_type, r.url, r.position) for r in d.resources.all()]
    assert found == [
        ("CSV", "text/csv", "/data/commune-a-petitions.csv", 0),
        ("JSON", "application/json", "/data/commune-a-petitions.json", 1),
        ("datapackage", "application/json", "/data/commune-a-petitions/datapackage.json", 2),
    ]
    csv, json_, package = d.resources.all()
    assert csv.size and json_.size and package.size is None
    assert csv.name_fr == "Données (CSV)" and csv.name_ar == "البيانات (CSV)"
    assert csv.last_modified == T0


def test_a_change_of_data_moves_only_its_dataset(world: World, sources: dict[str, Source]) -> None:
    datasets_sync(now=T0)
    before = {d.name: d.metadata_modified for d in Dataset.objects.all()}
    old = Dataset.objects.get(name="commune-b-documents")
    old_size = old.resources.get(format="CSV").size
    publish(world, world.b)
    result = datasets_sync(now=T1)
    assert result.updated == ["commune-b-documents"] and result.created == []
    new = Dataset.objects.get(name="commune-b-documents")
    assert new.pk == old.pk and new.digest != old.digest and new.row_count == 2
    assert new.metadata_modified == T1 and new.metadata_created == T0
    assert {r.last_modified for r in new.resources.all()} == {T1}
    assert new.resources.get(format="CSV").size > old_size  # type: ignore[operator]
    after = {d.name: d.metadata_modified for d in Dataset.objects.all()}
    assert {n for n in after if after[n] != before[n]} == {"commune-b-documents"}


def test_a_dataset_whose_rows_are_gone_becomes_inactive_and_comes_back(
    world: World, sources: dict[str, Source]
) -> None:
    datasets_sync(now=T0)
    document_withdraw(document=world.document_b, actor=world.staff, reason="Erreur.")
    result = datasets_sync(now=T1)
    assert result.deactivated == ["commune-b-documents"]
    gone = Dataset.objects.get(name="commune-b-documents")
    assert not gone.is_active and gone.metadata_modified == T1
    assert gone.resources.count() == 3  # kept, never deleted
    assert not datasets_sync(now=T2).changed
    publish(world, world.b)
    back = datasets_sync(now=T2)
    assert back.updated == ["commune-b-documents"]
    again = Dataset.objects.get(name="commune-b-documents")
    assert again.is_active and again.pk == gone.pk and again.metadata_modified == T2


def test_a_staff_upload_is_a_dataset_that_follows_its_document(
    world: World, sources: dict[str, Source]
) -> None:
    datasets_sync(now=T0)
    upload = Dataset.objects.get(source=Dataset.UPLOAD)
    name = upload.name
    assert name == f"commune-a-population-par-quartier-{world.upload.series.hex[:8]}"
    assert upload.document_series == world.upload.series
    assert upload.collectivity == world.a
    assert (upload.title_ar, upload.title_fr) == (
        "Population par quartier (ar)",
        "Population par quartier",
    )
    category = Category.objects.get(code="open-data")
    assert upload.description_fr == category.description_fr != ""
    assert upload.digest == world.upload.sha256
    assert upload.temporal_start == upload.temporal_end == dt.date(2026, 3, 16)
    (resource,) = upload.resources.all()
    assert (resource.format, resource.media_type, resource.size) == (
        "CSV",
        "text/csv",
        world.upload.size,
    )
    assert resource.url == f"/ar/c/commune-a/documents/{world.upload.pk}/file"
    assert resource.name_fr == "population.csv"

    newer = document_new_version(
        document=world.upload,
        actor=world.staff,
        upload=SimpleUploadedFile("population-2.csv", b"quartier,population\r\nX,1\r\n"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
    )
    result = datasets_sync(now=T1)
    assert result.updated == ["commune-a-documents", name]  # the catalogue lists it too
    upload.refresh_from_db()
    assert upload.digest == newer.sha256 and upload.metadata_modified == T1
    assert (upload.temporal_start, upload.temporal_end) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    )
    assert upload.resources.get().url == f"/ar/c/commune-a/documents/{newer.pk}/file"

    document_withdraw(document=newer, actor=world.staff, reason="Données erronées.")
    assert datasets_sync(now=T2).deactivated == [name]
    assert not Dataset.objects.get(name=name).is_active


def test_only_the_given_collectivities(world: World, sources: dict[str, Source]) -> None:
    result = datasets_sync(collectivity_ids=[world.b.pk], now=T0)
    assert result.created == ["commune-b-documents"]
    assert set(generated()) == {"commune-b-documents"}
    # A partial run is not a full one: the incremental runs do not start from it.
    assert not SyncState.objects.exists()


def test_the_incremental_run_visits_the_collectivities_that_changed(
    world: World, sources: dict[str, Source]
) -> None:
    started = timezone.now()
    first = datasets_sync_changed()  # no state yet: a full run
    assert len(first.created) == 8
    assert SyncState.objects.get(key="datasets").synced_at >= started
    publish(world, world.b)  # its case event names B
    second = datasets_sync_changed()
    assert second.updated == ["commune-b-documents"]
    assert second.unchanged == 0  # A was not even looked at
    assert not datasets_sync_changed().changed


def test_a_change_without_an_event_waits_for_the_first_run_of_the_next_day(
    world: World, sources: dict[str, Source]
) -> None:
    datasets_sync()
    Document.objects.filter(pk=world.document_b.pk).update(title_fr="Titre corrigé")
    assert not datasets_sync_changed().changed
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert datasets_sync_changed(now=tomorrow).updated == ["commune-b-documents"]
    assert SyncState.objects.get(key="datasets.full").synced_at == tomorrow
    assert not datasets_sync_changed(now=tomorrow + dt.timedelta(minutes=1)).changed


def test_a_network_wide_event_makes_the_incremental_run_a_full_one(
    world: World, sources: dict[str, Source]
) -> None:
    datasets_sync()
    Document.objects.filter(pk=world.document_b.pk).update(title_fr="Titre corrigé")
    Event.objects.create(
        at=timezone.now(),
        process="calendar",
        collectivity=None,
        object_type="deadlines.calendaroverride",
        object_id="1",
        action="add",
    )
    assert datasets_sync_changed().updated == ["commune-b-documents"]


def _network_source(rows: list[dict[str, object]]) -> Source:
    return Source(
        key="test-network",
        title_ar="مؤشر — {name}",
        title_fr="Indice — {name}",
        description_ar="وصف {name}",
        description_fr="Description de {name}",
        columns=(
            Column("code", "string", "الرمز", "Code"),
            Column("score", "integer", "ن", "Score"),
        ),
        rows=lambda c: list(rows),
        network=True,
        tags=("Openness Index", "réseau!"),
        frequency="MONTHLY",
        links=lambda c: [
            Link("XLSX", "application/vnd.ms-excel", "ملف", "Fichier", "/network/index.xlsx")
        ],
        datapackage=False,
    )


def test_a_network_wide_source_is_one_dataset_without_collectivity(
    world: World, sources: dict[str, Source]
) -> None:
    rows: list[dict[str, object]] = [{"code": "a", "score": 40}]
    sources["test-network"] = _network_source(rows)
    datasets_sync(collectivity_ids=[], now=T0)  # the network sources run in every run
    d = Dataset.objects.get(source="test-network")
    assert d.name == "network-test-network" and d.collectivity is None
    assert (d.title_ar, d.title_fr) == ("مؤشر — شبكة انفتاح", "Indice — le réseau Infitah")
    assert sorted(t.name for t in d.tags.all()) == ["openness index", "réseau"]
    assert [(r.format, r.url) for r in d.resources.all()] == [
        ("CSV", "/data/network-test-network.csv"),
        ("JSON", "/data/network-test-network.json"),
        ("XLSX", "/network/index.xlsx"),
    ]
    rows.append({"code": "b", "score": 70})
    assert datasets_sync(collectivity_ids=[], now=T1).updated == [d.name]
    rows.clear()
    assert datasets_sync(collectivity_ids=[], now=T2).deactivated == [d.name]


def test_a_removed_source_leaves_inactive_datasets(
    world: World, sources: dict[str, Source]
) -> None:
    datasets_sync(now=T0)
    del sources["petitions"]
    result = datasets_sync(now=T1)
    assert result.deactivated == ["commune-a-petitions"]
    assert Dataset.objects.filter(name="commune-a-petitions", is_active=False).exists()


def test_two_names_that_would_collide_get_a_suffix(
    world: World, sources: dict[str, Source], make_dataset: Callable[..., Dataset]
) -> None:
    make_dataset(None, "other", name="commune-b-documents")
    datasets_sync(now=T0)
    assert (
        Dataset.objects.get(collectivity=world.b, source="documents").name
        == "commune-b-documents-2"
    )


def test_a_change_of_licence_is_a_change_of_every_record(
    world: World, sources: dict[str, Source], settings: Any
) -> None:
    datasets_sync(now=T0)
    settings.INFITAH_OPENDATA_LICENSE = "CC0-1.0"
    result = datasets_sync(now=T1)
    assert len(result.updated) == 8
    assert set(Dataset.objects.values_list("license_id", flat=True)) == {"CC0-1.0"}
    # The data did not change: the files' dates stay.
    csv = Resource.objects.get(dataset__name="commune-a-documents", format="CSV")
    assert csv.last_modified == T0


def test_a_dataset_another_run_created_meanwhile_is_left_to_the_next_run(
    world: World, sources: dict[str, Source], make_dataset: Callable[..., Dataset]
) -> None:
    """Two runs at once (the tick beside the demo): the second one's insert fails on the
    one-dataset-per-source constraint and counts as unchanged, without failing the run."""
    record = sync._generated_record(
        source=sources["documents"], collectivity=world.b, existing=None
    )
    assert record is not None
    make_dataset(world.b, "documents", name="made-meanwhile")
    result = sync.SyncResult()
    sync._Writer(T0, result).write(record, None)
    assert (result.created, result.unchanged) == ([], 1)
    assert Dataset.objects.get(collectivity=world.b, source="documents").name == "made-meanwhile"
    assert datasets_sync(now=T1).updated == ["made-meanwhile"]
