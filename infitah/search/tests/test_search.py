"""search(): recall, filters, pagination and cost, on the database the suite runs on."""

from __future__ import annotations

import datetime

import pytest

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infitah.search import selectors
from infitah.search.models import SearchEntry
from infitah.search.selectors import search
from infitah.search.services import index_remove, index_upsert
from infitah.search.tests.variants import RECALL_PAIRS

SEEDS = settings.BASE_DIR.parent / "shared" / "seeds"


def found(query: str, **kwargs: object) -> set[str]:
    return {hit.title for hit in search(query=query, page_size=100, **kwargs).items}  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "indexed"), RECALL_PAIRS)
def test_spelling_variant_is_found(index, query: str, indexed: str) -> None:
    index("target", f"نص تمهيدي. {indexed}. خاتمة")
    index("decoy", "نص لا علاقة له بالموضوع Texte sans rapport")
    assert found(query) == {"target"}


def test_all_words_must_match(index) -> None:
    index("both", "الحكومة المنفتحة")
    index("one", "الحكومة فقط")
    assert found("الحكومة المنفتحة") == {"both"}
    assert found("الحكومة") == {"both", "one"}


def test_word_found_nowhere_gives_nothing(index) -> None:
    index("doc", "الحكومة المنفتحة")
    page = search(query="زرافة")
    assert page.count == 0
    assert page.items == []


def test_title_match_ranks_above_body_match(index) -> None:
    index("تقرير عن الميزانية", "نص")
    index("تقرير", "نص يذكر الميزانية مرة واحدة")
    items = search(query="الميزانية").items
    assert [hit.title for hit in items] == ["تقرير عن الميزانية", "تقرير"]
    assert items[0].score > items[1].score


def test_snippet_is_highlighted_and_escaped(index) -> None:
    index("doc", "<b>بلاغ</b> حول تقديم الشكايات")
    hit = search(query="شكاية").items[0]
    assert "<mark>الشكايات</mark>" in hit.snippet
    assert "<b>" not in hit.snippet


def test_private_entries_are_never_found(index) -> None:
    index("public", "الميزانية")
    index("draft", "الميزانية", is_public=False)
    assert found("الميزانية") == {"public"}


# -- filters -------------------------------------------------------------------------


@pytest.fixture
def spread(index, region, prefecture, collectivity_a, collectivity_b, other_region):
    index("in A", "ميزانية", collectivity=collectivity_a)
    index("in B", "ميزانية", collectivity=collectivity_b)
    index("in prefecture", "ميزانية", collectivity=prefecture)
    index("in region", "ميزانية", collectivity=region)
    index("elsewhere", "ميزانية", collectivity=other_region)


def test_region_search_covers_its_prefectures_and_communes(spread, region) -> None:
    assert found("ميزانية", collectivity=region) == {
        "in A",
        "in B",
        "in prefecture",
        "in region",
    }


def test_prefecture_search_covers_its_communes(spread, prefecture) -> None:
    assert found("ميزانية", collectivity=prefecture) == {"in A", "in B", "in prefecture"}


def test_commune_search_is_isolated_from_its_neighbour(spread, collectivity_a) -> None:
    assert found("ميزانية", collectivity=collectivity_a) == {"in A"}


def test_without_children_only_the_collectivity_itself(spread, region) -> None:
    assert found("ميزانية", collectivity=region, include_children=False) == {"in region"}


def test_category_year_and_file_type_filters(index) -> None:
    index("a", "ميزانية", category="budget", date=datetime.date(2023, 5, 1), file_type="pdf")
    index("b", "ميزانية", category="minutes", date=datetime.date(2024, 5, 1), file_type="csv")
    assert found("ميزانية", category="budget") == {"a"}
    assert found("ميزانية", year=2024) == {"b"}
    assert found("ميزانية", file_type="csv") == {"b"}
    assert found("ميزانية", year=2024, category="budget") == set()


# -- pagination and cost ------------------------------------------------------------


def test_pages_are_stable_without_duplicates_or_gaps(index) -> None:
    for i in range(45):
        index(f"doc {i}", "ميزانية " * (1 + i % 4), date=datetime.date(2024, 1, 1))
    seen: list[str] = []
    for page in (1, 2, 3):
        result = search(query="ميزانية", page=page, page_size=20)
        assert result.count == 45
        seen += [hit.id for hit in result.items]
    assert len(seen) == 45 == len(set(seen))
    assert [h.id for h in search(query="ميزانية", page=2).items] == seen[20:40]
    assert search(query="ميزانية", page=4).items == []


def test_count_is_capped_beyond_the_candidate_cap(index, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "CANDIDATE_CAP", 5)
    for i in range(8):
        index(f"doc {i}", "ميزانية")
    page = search(query="ميزانية")
    assert (page.count, page.count_is_capped, len(page.items)) == (5, True, 5)


def test_a_results_page_costs_a_constant_number_of_queries(
    index, collectivity_a, collectivity_b
) -> None:
    for i in range(30):
        index(f"doc {i}", "ميزانية", collectivity=collectivity_a if i % 2 else collectivity_b)
    with CaptureQueriesContext(connection) as ctx:
        page = search(query="ميزانية", page_size=20)
        [hit.collectivity_name for hit in page.items]
    assert len(page.items) == 20
    # SQLite: candidates, page. PostgreSQL: EXPLAIN, SET LOCAL, candidates, page, and,
    # inside a caller's transaction (as here), the setting restored.
    assert len(ctx.captured_queries) == (2 if connection.vendor == "sqlite" else 5)


@pytest.mark.parametrize(
    ("matches", "in_scope", "bitmap"),
    [
        (967_000, 1_000_000, False),  # most frequent word: the walk stops after ~1,000 rows
        (100_000, 1_000_000, False),  # 10 %: the walk reads ~10,000 rows
        (40_000, 1_000_000, True),  # 4 %: the walk would read ~25,000 rows
        (11_000, 1_000_000, True),  # 1 %: the walk would read ~90,000 rows
        (5_500, 55_000, True),  # 10 % of a region: 10,000 rows walked
        (54_000, 55_000, False),  # the most frequent word in a region
        (1, 1_000_000, True),  # rare or absent word
        (0, 0, False),  # empty scope
    ],
)
def test_the_candidate_scan_is_chosen_from_the_estimates(matches, in_scope, bitmap) -> None:
    assert selectors.use_bitmap(matches, in_scope) is bitmap


def test_the_id_window_holds_twice_the_candidates_and_is_used_when_it_pays() -> None:
    assert selectors.window_floor(20_020, 1, 1_000_000) == 900_000
    assert selectors.window_floor(1_500, 1, 1_000_000) is None  # the whole table
    # The planner's floor for a word outside its statistics: the window (412,000 ids)
    # would cost more than the ~2,900 rows it saves.
    assert selectors.window_floor(4_856, 1, 1_000_000) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
@pytest.mark.parametrize(
    ("matches", "queries"),
    # (no EXPLAIN here) the window holds enough (the newest 8 ids); it holds 1 id: 1 more
    [(15.0, 4), (1e9, 5)],
)
def test_the_bitmap_falls_back_when_its_id_window_holds_too_few(
    index, monkeypatch, matches, queries
) -> None:
    monkeypatch.setattr(selectors, "CANDIDATE_CAP", 2)
    monkeypatch.setattr(selectors, "_estimates", lambda *args: (matches, 1e12))
    monkeypatch.setattr(selectors, "use_bitmap", lambda matches, in_scope: True)
    entries = [index(f"doc {i}", "ميزانية" if i % 2 else "other") for i in range(20)]
    with CaptureQueriesContext(connection) as ctx:
        page = search(query="ميزانية")
    assert len(ctx.captured_queries) == queries
    assert (page.count, page.count_is_capped) == (2, True)
    newest = {e.object_id for e in entries if e.title in {"doc 17", "doc 19"}}
    assert {hit.id for hit in page.items} == newest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
@pytest.mark.parametrize("bitmap", [True, False])
def test_both_candidate_scans_give_the_same_newest_candidates(
    index, collectivity_b, monkeypatch, bitmap
) -> None:
    monkeypatch.setattr(selectors, "CANDIDATE_CAP", 5)
    monkeypatch.setattr(selectors, "use_bitmap", lambda matches, in_scope: bitmap)
    entries = [index(f"doc {i}", "ميزانية " * (1 + i % 3)) for i in range(9)]
    index("other", "ميزانية", collectivity=collectivity_b)
    settings_sql = "SELECT current_setting('work_mem'), current_setting('enable_bitmapscan')"
    with connection.cursor() as cursor:
        cursor.execute(settings_sql)
        before = cursor.fetchone()
    page = search(query="ميزانية", collectivity=entries[0].collectivity, include_children=False)
    assert (page.count, page.count_is_capped) == (5, True)
    assert {hit.id for hit in page.items} == {e.object_id for e in entries[-5:]}
    with connection.cursor() as cursor:  # the planner settings did not leak
        cursor.execute(settings_sql)
        assert cursor.fetchone() == before


def test_empty_query_costs_no_query(db) -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert search(query=" ... ").count == 0
    assert ctx.captured_queries == []


@pytest.mark.parametrize(
    "hostile",
    [
        'الحكومة" OR "x',
        "NEAR(a b) AND * ^ NOT",
        "title_lexemes:x",
        '"""',
        "a\x00b\x00 الحكومة",
        "ميزانية " * 2000,
        "(" * 300,
        "'; DROP TABLE search_searchentry; --",
        "!!!",
        "-ميزانية",
    ],
)
def test_hostile_queries_are_harmless(index, hostile: str) -> None:
    index("doc", "الحكومة ميزانية")
    result = search(query=hostile)
    assert result.count in {0, 1}
    assert SearchEntry.objects.count() == 1


# -- services ------------------------------------------------------------------------


def test_upsert_replaces_and_remove_deletes(index, collectivity_a) -> None:
    entry = index("old title", "الميزانية", object_id="42")
    again = index_upsert(
        object_type="publication.document",
        object_id=42,
        collectivity=collectivity_a,
        title="new title",
        body="الصفقات",
        url="/x/",
        date=datetime.date(2025, 2, 3),
        category="tenders",
        file_type="pdf",
        language="ar",
    )
    assert again.pk == entry.pk
    assert again.year == 2025
    assert found("الميزانية") == set()
    assert found("صفقة") == {"new title"}
    assert index_remove(object_type="publication.document", object_id=42) is True
    assert index_remove(object_type="publication.document", object_id=42) is False
    assert found("صفقة") == set()


def test_bulk_delete_outside_the_services_keeps_the_index_in_sync(index, other_region) -> None:
    # What a collectivity's CASCADE does: a queryset delete, no service call.
    index("gone", "ميزانية", collectivity=other_region)
    index("kept", "ميزانية")
    SearchEntry.objects.filter(collectivity=other_region).delete()
    assert found("ميزانية") == {"kept"}


# -- the five seed texts --------------------------------------------------------------


@pytest.fixture
def seeds(index) -> None:
    """The five seed texts, each indexed with its file name as title ("003_…")."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed texts not found in {SEEDS}")
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5
    for path in paths:
        index(path.stem, path.read_text(encoding="utf-8"))


def test_seeds_open_government(seeds) -> None:
    # AND semantics also finds texts with both words apart; the two texts about the
    # Open Government Partnership rank first.
    items = search(query="الحكومة المنفتحة").items
    assert {hit.title[:3] for hit in items[:2]} == {"001", "004"}


def test_seeds_right_of_access_to_information(seeds) -> None:
    assert "003" in {t[:3] for t in found("الحق في الحصول على المعلومات")}


def test_seeds_ait_melloul(seeds) -> None:
    assert {t[:3] for t in found("أيت ملول")} == {"003"}
    assert {t[:3] for t in found("ايت ملول")} == {"003"}


def test_seeds_region_names(seeds) -> None:
    assert {t[:3] for t in found("بنى ملال")} >= {"000", "001"}
    assert "002" in {t[:3] for t in found("درعة تافيلالت")}
    assert "004" in {t[:3] for t in found("العيون الساقية الحمراء")}


def test_seeds_snippets_mark_the_query(seeds) -> None:
    hit = search(query="أيت ملول").items[0]
    assert "<mark>" in hit.snippet
