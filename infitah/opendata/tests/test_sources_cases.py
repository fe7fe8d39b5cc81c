"""The sources of the case registers (`sources/cases.py`): what each dataset holds,
checked row by row on a world written through the apps' services; what it never holds
(personal data, private requests, unpublished answers, withdrawn documents, drafts);
that the statistics agree with the apps' own statistics pages; one grouped query for
the holders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext

from infitah.complaints.selectors import statistics as complaint_statistics
from infitah.information.selectors import statistics as information_statistics
from infitah.opendata.files import csv_chunks
from infitah.opendata.sources import Source, dataset_name, registry
from infitah.opendata.sources.cases import SOURCES
from infitah.opendata.tests.world import PERSONAL, PRIVATE_SUBJECT, UNPUBLISHED_ANSWER, World
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}


def source(key: str) -> Source:
    return next(s for s in SOURCES if s.key == key)


def rows(key: str, collectivity: Collectivity) -> list[dict[str, object]]:
    return [dict(r) for r in source(key).rows(collectivity)]


def test_the_six_sources_are_registered_with_bilingual_titles_and_typed_columns() -> None:
    keys = [s.key for s in SOURCES]
    assert keys == [
        "documents",
        "information-register",
        "information-statistics",
        "complaint-statistics",
        "complaint-answers",
        "petitions",
    ]
    for s in SOURCES:
        assert registry()[s.key] is s
        assert not s.network
        for text in (s.title_ar, s.title_fr, s.description_ar, s.description_fr):
            assert "{name}" in text, (s.key, text)
        assert re.search("[\u0600-\u06ff]", s.title_ar + s.description_ar)
        names = [c.name for c in s.columns]
        assert len(names) == len(set(names))
        assert all(re.fullmatch("[a-z][a-z0-9_]*", n) for n in names)
        assert {c.type for c in s.columns} <= TYPES
        assert all(c.title_ar and c.title_fr for c in s.columns)
        assert s.tags and all(t == t.lower() for t in s.tags)


def test_documents_are_the_current_published_ones_with_their_public_addresses(
    world: World,
) -> None:
    found = rows("documents", world.a)
    assert [r["id"] for r in found] == [world.communique.pk, world.upload.pk]
    first = found[0]
    assert first["category_code"] == "communiques"
    assert (first["category_ar"], first["category_fr"]) == ("البلاغات", "Communiqués")
    assert (first["title_ar"], first["title_fr"]) == (
        "Communiqué de presse (ar)",
        "Communiqué de presse",
    )
    assert first["date"] == dt.date(2026, 3, 16)
    assert (first["language"], first["file_type"], first["size"]) == ("fr", "txt", 6)
    assert first["sha256"] == world.communique.sha256
    assert first["version"] == 1
    assert first["url"] == f"{SITE}/ar/c/commune-a/documents/{world.communique.pk}/"
    assert first["file_url"] == f"{SITE}/ar/c/commune-a/documents/{world.communique.pk}/file"
    assert found[1]["category_code"] == "open-data"
    assert [r["id"] for r in rows("documents", world.b)] == [world.document_b.pk]
    assert source("documents").temporal(world.a) == (dt.date(2026, 3, 16),) * 2  # type: ignore[misc]


def test_the_information_register_lists_what_the_public_register_shows(world: World) -> None:
    found = rows("information-register", world.a)
    assert [r["reference"] for r in found] == [
        world.answered.reference,
        world.refused.reference,
        world.in_progress.reference,
    ]
    answered, refused, open_ = found
    assert answered["subject"] == "Budget 2026"
    assert (answered["status"], answered["outcome"]) == ("answered", "answered")
    assert answered["answered_on"] == world.answered.answered_on
    assert answered["answered_late"] is False and answered["deemed_refused"] is False
    assert answered["due_date"] == world.answered.due_date
    assert answered["url"] == f"{SITE}/ar/information/r/{world.answered.reference}/"
    assert refused["status"] == "refused"
    assert open_["answered_on"] is None and open_["answered_late"] is None
    # The private request is not listed at all.
    assert all(PRIVATE_SUBJECT not in str(r) for r in found)
    assert rows("information-register", world.b) == []


def test_a_request_past_its_due_date_is_deemed_refused(world: World) -> None:
    due = world.in_progress.due_date
    assert due is not None
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(12))):
        found = {r["reference"]: r for r in rows("information-register", world.a)}
        stats = rows("information-statistics", world.a)
    assert found[world.in_progress.reference]["deemed_refused"] is True
    assert found[world.answered.reference]["deemed_refused"] is False
    # The private request is in progress too: both count in the statistics.
    assert stats[0]["deemed_refused"] == 2


def test_information_statistics_by_year_add_up_to_the_register_page(world: World) -> None:
    found = rows("information-statistics", world.a)
    year = world.answered.received_on.year  # type: ignore[union-attr]
    assert found == [
        {
            "year": year,
            "received": 4,
            "open": 2,
            "answered": 2,
            "answered_on_time": 2,
            "answered_late": 0,
            "median_working_days": 0.0,
            "refused": 1,
            "deemed_refused": 0,
            "partly_answered": 0,
            "transferred": 0,
            "complaints": 0,
        }
    ]
    page = information_statistics(collectivity=world.a)
    for name in ("received", "open", "answered", "answered_on_time", "refused", "complaints"):
        assert sum(r[name] for r in found) == getattr(page, name), name  # type: ignore[misc]


def test_complaint_statistics_by_year_kind_and_category(world: World) -> None:
    found = rows("complaint-statistics", world.a)
    assert found == [
        {
            "year": world.waiting.received_on.year,  # type: ignore[union-attr]
            "kind": "complaint",
            "category_ar": "الإنارة العمومية",
            "category_fr": "Éclairage public",
            "received": 3,
            "acknowledged": 2,
            "acknowledged_on_time": 2,
            "answered": 2,
            "answered_on_time": 2,
            "answered_on_time_percent": 100.0,
            "median_answer_days": 0.0,
            "rated": 1,
            "satisfaction_average": 5.0,
            "satisfied": 1,
        }
    ]
    page = complaint_statistics(collectivity=world.a)
    assert (page.received, page.answered, page.answered_on_time, page.rated) == (3, 2, 2, 1)


def test_only_published_answers_without_the_complaint_or_its_author(world: World) -> None:
    found = rows("complaint-answers", world.a)
    assert found == [
        {
            "reference": world.published_answer.reference,
            "kind": "complaint",
            "category_ar": "الإنارة العمومية",
            "category_fr": "Éclairage public",
            "received_on": world.published_answer.received_on,
            "answered_on": world.published_answer.answered_on,
            "outcome": "positive",
            "competent_body": "",
            "answer": "La lampe a été remplacée.",
        }
    ]
    assert UNPUBLISHED_ANSWER not in str(found)


def test_petitions_with_signatures_thresholds_and_state(world: World) -> None:
    found = rows("petitions", world.a)
    assert [r["title"] for r in found] == [world.collecting.title, world.lodged.title]
    collecting, lodged = found
    assert collecting["status"] == "collecting" and collecting["reference"] == ""
    assert (collecting["signatures"], collecting["threshold"], collecting["threshold_met"]) == (
        1,
        1,
        True,
    )
    assert lodged["status"] == "lodged" and lodged["reference"] == world.lodged.reference
    assert lodged["lodged_on"] == world.lodged.lodged_on
    assert lodged["decision_due"] == world.lodged.decision_due
    assert lodged["url"] == f"{SITE}/ar/c/commune-a/petitions/{world.lodged.pk}/"
    assert "Agent" not in str(found)


def test_no_file_holds_personal_data(world: World) -> None:
    for s in SOURCES:
        for collectivity in (world.a, world.b):
            text = "".join(csv_chunks(s.columns, list(s.rows(collectivity))))
            for secret in PERSONAL:
                assert secret not in text, (s.key, secret)


def test_holders_are_one_grouped_query(world: World) -> None:
    expected = {
        "documents": {world.a.pk, world.b.pk},
        "information-register": {world.a.pk},
        "information-statistics": {world.a.pk},
        "complaint-statistics": {world.a.pk},
        "complaint-answers": {world.a.pk},
        "petitions": {world.a.pk},
    }
    for s in SOURCES:
        with CaptureQueriesContext(connection) as queries:
            found = set(s.holders())
        assert found == expected[s.key], s.key
        assert len(queries) == 1, s.key
        # A holder has rows; a non-holder has none.
        for collectivity in (world.a, world.b):
            assert bool(list(s.rows(collectivity))) == (collectivity.pk in found), s.key


def test_a_collectivity_with_nothing_has_no_rows_nor_coverage(collectivity_b: Collectivity) -> None:
    for s in SOURCES:
        assert list(s.rows(collectivity_b)) == []
        assert s.temporal is not None and s.temporal(collectivity_b) == (None, None)
        assert dataset_name(collectivity_b, s.key) == f"commune-b-{s.key}"
