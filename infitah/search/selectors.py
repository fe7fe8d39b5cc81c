"""Reads of the search index: `search()`, one selector for PostgreSQL and SQLite.

How a search runs (both backends, same semantics):

1. the query is analyzed (`analyzer.analyze_query`); no token, no database query;
2. **candidates**: the `CANDIDATE_CAP + 1` most recently indexed (highest id) public
   entries matching every token (AND) within the filters — on PostgreSQL through the GIN
   index for rarer words, or, for a frequent word, a walk of the primary key (or of a
   scope index) newest first that stops after enough matches; on SQLite through FTS5;
3. only those candidates are ranked (PostgreSQL `ts_rank_cd`, title weighted A and body
   D; SQLite `bm25` with title weight 10), by score then id, which makes pages stable;
4. one more query loads the entries of the requested page and their collectivity, and
   the snippets are computed in Python from the stored text.

So a results page costs two queries whatever the number of matches. `count` is exact
up to `CANDIDATE_CAP`; beyond it `count_is_capped` is true, `count` is `CANDIDATE_CAP`
("1000+"), and only the `CANDIDATE_CAP` most recently indexed matches are ranked and
reachable.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
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


def _candidates_postgresql(
    tokens: list[str], where: str, params: Params
) -> list[tuple[int, float]]:
    # Tokens are analyzer output (letters and digits only) and are passed as a parameter;
    # plainto_tsquery ANDs them and knows no operators anyway.
    sql = f"""
        SELECT c.id, ts_rank_cd(c.search_vector, q.query) AS score
        FROM (
            SELECT e.id, e.search_vector FROM search_searchentry e
            WHERE e.search_vector @@ plainto_tsquery('simple', %s) AND {where}
            ORDER BY e.id DESC
            LIMIT %s
        ) c, plainto_tsquery('simple', %s) q(query)
        ORDER BY score DESC, c.id DESC
    """  # noqa: S608 -- `where` is built from constants; values are parameters.
    text = " ".join(tokens)
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, *params, CANDIDATE_CAP + 1, text])
        return [(int(row[0]), float(row[1])) for row in cursor.fetchall()]


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
