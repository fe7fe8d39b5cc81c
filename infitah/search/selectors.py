"""Reads of the search index: `search()`, one selector for PostgreSQL and SQLite.

How a search runs (both backends, same semantics):

1. the query is analyzed (`analyzer.analyze_query`); no token, no database query;
2. **candidates**: the `CANDIDATE_CAP + 1` most recently indexed (highest id) public
   entries matching every token (AND) within the filters — on PostgreSQL, chosen per
   query from the planner's estimates (one EXPLAIN): a GIN bitmap scan, limited when
   it pays to a window of the newest ids, when few entries match, or a walk of the
   primary key (or of a scope index) newest first that stops after enough matches when
   many do; on SQLite through FTS5;
3. only those candidates are ranked (PostgreSQL `ts_rank_cd`, title weighted A and body
   D; SQLite `bm25` with title weight 10), by score then id, which makes pages stable;
4. one more query loads the entries of the requested page and their collectivity, and
   the snippets are computed in Python from the stored text.

So a results page costs a fixed number of queries whatever the number of matches
(SQLite 2; PostgreSQL 4: EXPLAIN, SET LOCAL, candidates, page; +1 when the window
held too few, +1 inside a caller's transaction). `count` is exact
up to `CANDIDATE_CAP`; beyond it `count_is_capped` is true, `count` is `CANDIDATE_CAP`
("1000+"), and only the `CANDIDATE_CAP` most recently indexed matches are ranked and
reachable.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils.safestring import SafeString, mark_safe

from infitah.search.analyzer import analyze_query
from infitah.search.highlight import snippet
from infitah.search.models import SearchEntry
from infitah.territories.models import Collectivity, Kind

CANDIDATE_CAP = 1000
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchHit:
    id: str
    object_type: str
    title: str
    collectivity_slug: str
    collectivity_name: str
    category: str
    date: datetime.date
    url: str
    snippet: SafeString
    score: float


@dataclass(frozen=True)
class SearchPage:
    query_tokens: list[str]
    count: int
    count_is_capped: bool
    page: int
    page_size: int
    items: list[SearchHit] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


Params = list[int | str | bool]


def _filters(
    *,
    collectivity: Collectivity | None,
    include_children: bool,
    category: str,
    year: int | None,
    file_type: str,
) -> tuple[str, Params]:
    """SQL conditions on the entry table aliased `e`, and their parameters."""
    sql = ["e.is_public = %s"]
    params: Params = [True]
    if collectivity is not None:
        # One indexed equality per scope (see SearchEntry.region_scope_id).
        if include_children and collectivity.kind == Kind.REGION:
            sql.append("e.region_scope_id = %s")
        elif include_children and collectivity.kind != Kind.COMMUNE:
            sql.append("e.province_scope_id = %s")
        else:
            sql.append("e.collectivity_id = %s")
        params.append(collectivity.pk)
    if category:
        sql.append("e.category = %s")
        params.append(category)
    if year is not None:
        sql.append("e.year = %s")
        params.append(year)
    if file_type:
        sql.append("e.file_type = %s")
        params.append(file_type)
    return " AND ".join(sql), params


# The candidate scan on PostgreSQL, chosen per query from the planner's own estimates
# (left alone, the planner walks the primary key for a word in 1 % of the documents:
# ~85,000 rows read, each tsvector unpacked, 290 ms at 1M rows):
# - "walk": the primary key (or a scope index) newest first, stopping after
#   CANDIDATE_CAP + 1 matches: about (CANDIDATE_CAP + 1) / selectivity rows read;
# - "bitmap": the GIN index ANDed with the scope index and with a range of the newest
#   ids sized to hold about WINDOW_MARGIN x (CANDIDATE_CAP + 1) matches; only the
#   matches in that range are read, and the newest CANDIDATE_CAP + 1 kept by a top-N
#   sort. If the range held fewer (an estimate too high, matches not spread evenly over
#   the ids), a second query without the range reads every match.
# Costs, in rows read by the walk (~4 µs each, warm, 1M rows): a row read by the bitmap
# ~1.2, a GIN posting-list entry ~0.08 (the whole list of every token is read), an id
# of the window's primary-key range ~0.01. The window is used only when the rows it
# saves outweigh its range: not for a word the planner knows little about (outside its
# most common elements it estimates a floor, ~4,900 at 1M rows for a word in 1,013
# documents), whose window would be wide and mostly too small.
WINDOW_MARGIN = 2
BITMAP_ROW_COST = 1.2
POSTING_COST = 0.08
ID_RANGE_COST = 0.01
# Bitmap settings: no plain index scan (with an id range the planner would walk the
# primary key range, unpacking every row); 32 MB keeps the bitmaps exact (at the default
# 4 MB, a region's bitmap turns lossy and every row of a lossy page is rechecked).
BITMAP_SETTINGS = {"enable_indexscan": "off", "work_mem": "32MB"}
# Walk settings: without bitmap scans the planner can only walk (GIN has no plain scan).
WALK_SETTINGS = {"enable_bitmapscan": "off"}


def _estimates(cursor: CursorWrapper, text: str, where: str, params: Params) -> tuple[float, float]:
    """The planner's estimates of (matches, entries in scope); one EXPLAIN, no scan."""
    cursor.execute(
        f"""
        EXPLAIN (FORMAT JSON)
        SELECT 1 FROM search_searchentry e
        WHERE e.search_vector @@ plainto_tsquery('simple', %s) AND {where}
        UNION ALL
        SELECT 1 FROM search_searchentry e WHERE {where}
        """,  # noqa: S608 -- `where` is built from constants; values are parameters.
        [text, *params, *params],
    )
    raw = cursor.fetchone()[0]
    plan = json.loads(raw) if isinstance(raw, str) else raw
    children = plan[0]["Plan"].get("Plans", [])
    if len(children) != 2:  # pragma: no cover -- unexpected plan shape: keep the walk
        return (math.inf, math.inf)
    return (float(children[0]["Plan Rows"]), float(children[1]["Plan Rows"]))


def use_bitmap(matches: float, in_scope: float) -> bool:
    """True when the (windowed) bitmap should read less than the walk."""
    matches = max(matches, 1.0)
    walk = min(in_scope, (CANDIDATE_CAP + 1) * in_scope / matches)
    read = min(matches, WINDOW_MARGIN * (CANDIDATE_CAP + 1))
    return matches * POSTING_COST + read * BITMAP_ROW_COST < walk


def window_floor(matches: float, min_id: int, max_id: int) -> int | None:
    """The id above which about WINDOW_MARGIN x (CANDIDATE_CAP + 1) of `matches` lie,
    if they are spread evenly over the ids; None when such a window would not pay."""
    wanted = WINDOW_MARGIN * (CANDIDATE_CAP + 1)
    ids = math.ceil(wanted / max(matches, 1.0) * (max_id - min_id + 1))
    if ids > max_id - min_id or (matches - wanted) * BITMAP_ROW_COST <= ids * ID_RANGE_COST:
        return None
    return max_id - ids


def _candidates_postgresql(
    tokens: list[str], where: str, params: Params
) -> list[tuple[int, float]]:
    # Tokens are analyzer output (letters and digits only) and are passed as a parameter;
    # plainto_tsquery ANDs them and knows no operators anyway.
    text = " ".join(tokens)
    # The planner settings are SET LOCAL: they need a transaction and end with it.
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        matches, in_scope = _estimates(cursor, text, where, params)
        bitmap = use_bitmap(matches, in_scope)
        settings = BITMAP_SETTINGS if bitmap else WALK_SETTINGS
        # The previous values and the id range of the table, with the settings.
        setup = ", ".join(["current_setting(%s), set_config(%s, %s, true)"] * len(settings))
        cursor.execute(
            f"SELECT {setup}, (SELECT min(id) FROM search_searchentry),"  # noqa: S608
            " (SELECT max(id) FROM search_searchentry)",
            [v for name, value in settings.items() for v in (name, name, value)],
        )
        row = cursor.fetchone()
        previous = dict(zip(settings, row[0 : 2 * len(settings) : 2], strict=True))
        min_id, max_id = row[-2], row[-1]
        floor = window_floor(matches, min_id, max_id) if bitmap and max_id else None
        # `e.id + 0` cannot be read from an index in order: no walk for the bitmap.
        order = "e.id + 0" if bitmap else "e.id"
        sql = """
            SELECT c.id, ts_rank_cd(c.search_vector, q.query) AS score
            FROM (
                SELECT e.id, e.search_vector FROM search_searchentry e
                WHERE e.search_vector @@ plainto_tsquery('simple', %s) AND {where}
                ORDER BY {order} DESC
                LIMIT %s
            ) c, plainto_tsquery('simple', %s) q(query)
            ORDER BY score DESC, c.id DESC
        """
        rows: list[tuple[int, float]] = []
        if floor is not None:
            cursor.execute(
                sql.format(where=f"{where} AND e.id > %s", order=order),
                [text, *params, floor, CANDIDATE_CAP + 1, text],
            )
            rows = [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
        if len(rows) <= CANDIDATE_CAP:  # no window, or too few matches in it
            cursor.execute(
                sql.format(where=where, order=order), [text, *params, CANDIDATE_CAP + 1, text]
            )
            rows = [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
        if nested:  # the caller's transaction goes on: restore its settings
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(previous)),
                [v for item in previous.items() for v in item],
            )
    return rows


def fts5_match(tokens: list[str]) -> str:
    """An FTS5 MATCH expression requiring every token, each quoted as a string, so that
    no FTS operator, column filter or quote in user input reaches FTS5 as syntax."""
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def _candidates_sqlite(tokens: list[str], where: str, params: Params) -> list[tuple[int, float]]:
    sql = f"""
        SELECT e.id, -bm25(search_fts, 10.0, 1.0) AS score
        FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid
        WHERE search_fts MATCH %s AND {where}
        ORDER BY e.id DESC
        LIMIT %s
    """  # noqa: S608 -- `where` is built from constants; values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_match(tokens), *params, CANDIDATE_CAP + 1])
        rows = [(int(row[0]), float(row[1])) for row in cursor.fetchall()]
    rows.sort(key=lambda row: (-row[1], -row[0]))
    return rows


def search(
    *,
    query: str,
    collectivity: Collectivity | None = None,
    include_children: bool = True,
    category: str = "",
    year: int | None = None,
    file_type: str = "",
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """One page of the public entries matching every word of `query`, best first.

    `collectivity` limits the search to it and, with `include_children`, to the
    collectivities under it. `page` starts at 1; a page past the end is empty.
    """
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    tokens = analyze_query(query)
    if not tokens:
        return SearchPage(tokens, 0, False, page, page_size)
    where, params = _filters(
        collectivity=collectivity,
        include_children=include_children,
        category=category,
        year=year,
        file_type=file_type,
    )
    if connection.vendor == "postgresql":
        ranked = _candidates_postgresql(tokens, where, params)
    else:
        ranked = _candidates_sqlite(tokens, where, params)
    is_capped = len(ranked) > CANDIDATE_CAP
    ranked = ranked[:CANDIDATE_CAP]
    start = (page - 1) * page_size
    page_rows = ranked[start : start + page_size]
    if not page_rows:
        return SearchPage(tokens, len(ranked), is_capped, page, page_size)
    entries = SearchEntry.objects.select_related("collectivity").in_bulk(
        [pk for pk, _ in page_rows]
    )
    items = []
    for pk, score in page_rows:
        entry = entries.get(pk)
        if entry is None:  # removed between the two queries
            continue
        text = entry.body or entry.title
        items.append(
            SearchHit(
                id=entry.object_id,
                object_type=entry.object_type,
                title=entry.title,
                collectivity_slug=entry.collectivity.slug,
                collectivity_name=entry.collectivity.name,
                category=entry.category,
                date=entry.date,
                url=entry.url,
                # snippet() escapes the text and adds only <mark> tags.
                snippet=mark_safe(snippet(text, tokens)),  # noqa: S308
                score=round(score, 6),
            )
        )
    return SearchPage(tokens, len(ranked), is_capped, page, page_size, items)
