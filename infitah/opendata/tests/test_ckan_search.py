"""package_search: q and fq in the Solr syntax CKAN's clients send, sort, paging, facets,
CKAN's errors for bad parameters, and never a server error whatever the input."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from django.test import Client

from infitah.opendata import ckan, ckan_query
from infitah.opendata.models import Dataset
from infitah.opendata.tests.ckan_world import Small, build_small, ckan_get, ckan_post
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 15, 30, 45, 123456, tzinfo=dt.UTC)


@pytest.fixture
def small(
    make_dataset: Callable[..., Dataset], collectivity_a: Collectivity, collectivity_b: Collectivity
) -> Small:
    return build_small(make_dataset, collectivity_a, collectivity_b)


def names(client: Client, **params: Any) -> list[str]:
    """The names found, sorted by name (unless `sort` is given)."""
    params.setdefault("sort", "name asc")
    status, body = ckan_get(client, "package_search", **params)
    assert status == 200, body
    result = body["result"]
    assert result["count"] >= len(result["results"])
    return [p["name"] for p in result["results"]]


A_DOCS, A_BUDGET, B_COMPLAINTS, OPENNESS = (
    "commune-a-documents",
    "commune-a-budget",
    "commune-b-complaints",
    "network-openness",
)
EVERY = sorted([A_DOCS, A_BUDGET, B_COMPLAINTS, OPENNESS])


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("", EVERY),
        ("*:*", EVERY),
        ('""', EVERY),
        ("budget", [A_BUDGET]),
        ("BUDGET execution", [A_BUDGET]),  # folded: accents and case
        ("exécution", [A_BUDGET]),
        ("الميزانيه", [A_BUDGET]),  # ة typed as ه
        ("Aït Melloul", [A_BUDGET, A_DOCS]),  # the publisher's name
        ("budget plaintes", []),  # words are AND-ed
        ('"documents publies"', [A_DOCS]),  # a phrase
        ("tags:transparence", [A_DOCS, OPENNESS]),
        ("organization:commune-b", [B_COMPLAINTS]),
        ("budget OR plaintes", [A_BUDGET, B_COMPLAINTS]),
        ("transparence -tags:indice", [A_DOCS]),
        ("secret", []),  # only the inactive dataset has it
    ],
)
def test_q(client: Client, small: Small, q: str, found: list[str]) -> None:
    assert names(client, q=q) == found


@pytest.mark.parametrize(
    ("fq", "found"),
    [
        ("organization:commune-a", [A_BUDGET, A_DOCS]),
        ("organization:network", [OPENNESS]),
        ("+organization:commune-a +tags:budget", [A_BUDGET]),
        ("organization:commune-a tags:plaintes", []),  # AND-ed
        ("organization:commune-a OR organization:commune-b", [A_BUDGET, A_DOCS, B_COMPLAINTS]),
        ("-organization:commune-a", [B_COMPLAINTS, OPENNESS]),
        ("NOT organization:commune-a AND NOT organization:network", [B_COMPLAINTS]),
        ("tags:(budget OR indice)", [A_BUDGET, OPENNESS]),
        ('tags:"transparence"', [A_DOCS, OPENNESS]),
        ("res_format:datapackage", [A_DOCS]),
        ("res_format:csv", [A_BUDGET, A_DOCS, B_COMPLAINTS]),  # as Solr's lowercased field
        ("res_format:JSON -res_format:CSV", [OPENNESS]),
        (f"name:{A_BUDGET}", [A_BUDGET]),
        ("license_id:odc-odbl", [B_COMPLAINTS]),
        ("license_id:ODbL-1.0", [B_COMPLAINTS]),
        ("metadata_modified:[2026-11-01T10:00:00.123456Z TO *]", [A_BUDGET, A_DOCS, OPENNESS]),
        ("metadata_modified:{2026-11-01T10:00:00.123456Z TO *]", [A_BUDGET, OPENNESS]),
        ("metadata_modified:[2026-11-01T10:00:00 TO 2026-11-20T12:30:00]", [A_BUDGET, A_DOCS]),
        ("metadata_modified:[2026-11-01 TO 2026-11-20T12:30:00}", [A_DOCS]),
        ("metadata_modified:[* TO 2026-10-31T00:00:00Z]", [B_COMPLAINTS]),
        ('metadata_modified:["2026-11-21T00:00:00Z" TO NOW]', [OPENNESS]),
        ("metadata_created:[2026-03-01T00:00:00Z TO *]", [B_COMPLAINTS, OPENNESS]),
        ("metadata_modified:[NOW-1DAY TO NOW]", []),
        ("metadata_modified:[* TO NOW/DAY+1DAY]", EVERY),
        ("capacity:public +state:active site_id:default", EVERY),
        ("groups:anything", []),
        ("(tags:budget OR tags:indice) AND -organization:network", [A_BUDGET]),
    ],
)
def test_fq(client: Client, small: Small, fq: str, found: list[str]) -> None:
    with time_machine.travel(NOW, tick=False):
        assert names(client, fq=fq) == found


def test_fq_by_id_and_owner_org(client: Client, small: Small) -> None:
    assert names(client, fq=f"id:{small.budget.id}") == [A_BUDGET]
    assert names(client, fq=f"owner_org:{ckan.organization_id('commune-b')}") == [B_COMPLAINTS]
    assert names(client, fq=f"owner_org:{ckan.organization_id('network')}") == [OPENNESS]
    assert names(client, fq="owner_org:not-an-id") == []
    _status, body = ckan_post(client, "package_search", {"fq_list": ["tags:budget"]})
    assert [p["name"] for p in body["result"]["results"]] == [A_BUDGET]


@pytest.mark.parametrize(
    ("sort", "found"),
    [
        ("name asc", EVERY),
        ("name desc", EVERY[::-1]),
        ("metadata_modified desc", [OPENNESS, A_BUDGET, A_DOCS, B_COMPLAINTS]),
        ("metadata_modified asc", [B_COMPLAINTS, A_DOCS, A_BUDGET, OPENNESS]),
        ("score desc, metadata_modified desc", [OPENNESS, A_BUDGET, A_DOCS, B_COMPLAINTS]),
        ("metadata_created asc", [A_DOCS, A_BUDGET, B_COMPLAINTS, OPENNESS]),
    ],
)
def test_sort(client: Client, small: Small, sort: str, found: list[str]) -> None:
    assert names(client, sort=sort) == found


def test_the_default_sort_is_ckans_and_id_asc_pages_without_overlap(
    client: Client, small: Small
) -> None:
    _status, body = ckan_get(client, "package_search")
    assert body["result"]["sort"] == "score desc, metadata_modified desc"
    assert next(p["name"] for p in body["result"]["results"]) == OPENNESS
    ids = sorted(str(d.id) for d in small.active)
    seen: list[str] = []
    for start in range(0, 6, 2):
        _status, body = ckan_get(client, "package_search", sort="id asc", rows=2, start=start)
        assert body["result"]["count"] == 4
        seen += [p["id"] for p in body["result"]["results"]]
    assert seen == ids


def test_rows_start_and_fl(client: Client, small: Small) -> None:
    status, body = ckan_get(client, "package_search", rows=0)
    assert (body["result"]["count"], body["result"]["results"]) == (4, [])
    assert len(names(client, rows=5000)) == 4  # capped at 1,000, like CKAN
    assert names(client, start=99999999999999999999) == []
    status, body = ckan_post(client, "package_search", {"rows": 2.0, "start": "1", "fl": "id,name"})
    assert status == 200
    results = body["result"]["results"]
    assert len(results) == 2 and all(set(r) == {"id", "name"} for r in results)


def test_facets(client: Client, small: Small) -> None:
    status, body = ckan_get(
        client,
        "package_search",
        **{"facet.field": '["organization", "tags", "res_format", "license_id", "groups"]'},
    )
    assert status == 200
    facets = body["result"]["facets"]
    assert facets["organization"] == {"commune-a": 2, "commune-b": 1, "network": 1}
    assert facets["tags"]["transparence"] == 2
    assert facets["res_format"] == {"CSV": 3, "JSON": 3, "datapackage": 1}
    assert facets["license_id"] == {"cc-by": 3, "odc-odbl": 1}
    assert facets["groups"] == {}
    items = body["result"]["search_facets"]["organization"]["items"]
    assert body["result"]["search_facets"]["organization"]["title"] == "organization"
    assert {"name": "commune-a", "display_name": "أيت ملول", "count": 2} in items
    licences = body["result"]["search_facets"]["license_id"]["items"]
    assert {i["display_name"] for i in licences} == {
        "Creative Commons Attribution 4.0",
        "Open Data Commons Open Database License 1.0",
    }
    # Facets count the matches only; facet.limit keeps the most frequent.
    status, body = ckan_post(
        client,
        "package_search",
        {"fq": "organization:commune-a", "facet.field": ["tags"], "facet.limit": 1},
    )
    assert body["result"]["facets"] == {"tags": {"budget": 1}}
    status, body = ckan_post(
        client,
        "package_search",
        {"facet.field": ["tags"], "facet.limit": -1, "facet.mincount": 2},
    )
    assert body["result"]["facets"] == {"tags": {"transparence": 2}}
    _status, body = ckan_get(client, "package_search")
    assert (body["result"]["facets"], body["result"]["search_facets"]) == ({}, {})


def test_facets_of_a_filtered_search(client: Client, small: Small) -> None:
    _status, body = ckan_post(
        client,
        "package_search",
        {
            "q": "transparence OR budget",
            "facet.field": ["organization", "tags", "res_format", "license_id"],
            "rows": 0,
        },
    )
    result = body["result"]
    assert result["count"] == 3
    assert result["facets"] == {
        "organization": {"commune-a": 2, "network": 1},
        "tags": {
            "transparence": 2,
            "budget": 1,
            "documents": 1,
            "finances": 1,
            "indice": 1,
        },
        "res_format": {"JSON": 3, "CSV": 2, "datapackage": 1},
        "license_id": {"cc-by": 3},
    }


@pytest.mark.parametrize(
    ("params", "status", "kind", "field"),
    [
        ({"rows": "-1"}, 409, "Validation Error", "rows"),
        ({"rows": "ten"}, 409, "Validation Error", "rows"),
        ({"rows": 1.5}, 409, "Validation Error", "rows"),
        ({"rows": True}, 409, "Validation Error", "rows"),
        ({"start": "-5"}, 409, "Validation Error", "start"),
        ({"facet.limit": "x"}, 409, "Validation Error", "facet.limit"),
        ({"facet.field": "[not json"}, 409, "Validation Error", "facet.field"),
        ({"facet.field": [1]}, 409, "Validation Error", "facet.field"),
        ({"q": ["a", "b"]}, 409, "Validation Error", "q"),
        ({"sort": "popularity desc"}, 400, "Search Query Error", None),
        ({"sort": "name"}, 400, "Search Query Error", None),
        ({"colour": "red"}, 400, "Search Query Error", None),
        ({"fq": "author:someone"}, 409, "Search Error", None),
        ({"fq": 'tags:"unclosed'}, 409, "Search Error", None),
        ({"fq": "(tags:a"}, 409, "Search Error", None),
        ({"fq": "tags:a)"}, 409, "Search Error", None),
        ({"fq": "metadata_modified:[yesterday TO *]"}, 409, "Search Error", None),
        ({"fq": "metadata_modified:[NOW-1FORTNIGHT TO *]"}, 409, "Search Error", None),
        ({"fq": "metadata_modified:[2026-01-01 *]"}, 409, "Search Error", None),
        ({"fq": "tags:[a TO b]"}, 409, "Search Error", None),
        ({"fq": "(" * 20 + "tags:a" + ")" * 20}, 409, "Search Error", None),
        ({"q": " ".join(["x:y"] * 100)}, 409, "Search Error", None),
        ({"facet.field": '["author"]'}, 409, "Search Error", None),
    ],
)
def test_bad_parameters_get_ckans_errors(
    client: Client, small: Small, params: dict[str, Any], status: int, kind: str, field: str | None
) -> None:
    got, body = ckan_post(client, "package_search", params)
    assert got == status, body
    assert body["success"] is False
    error = body["error"]
    assert error["__type"] == kind
    if field is not None:
        assert isinstance(error[field], list) and error[field][0]
    else:
        assert error["message"]


NASTY = [
    "",
    " ",
    "\\",
    '"',
    "[",
    "]",
    "{",
    "}",
    ":",
    "::",
    "*",
    "+",
    "-",
    "!",
    "()",
    ")(",
    "AND",
    "OR OR",
    "NOT",
    "tags:",
    "tags: x",
    "x:*",
    "*:x",
    "metadata_modified:*",
    "metadata_modified:[* TO *]",
    "metadata_modified:[NOW+9999YEARS TO *]",
    "metadata_modified:[NOW-99999999DAYS TO *]",
    "metadata_modified:[0000-01-01 TO 9999-12-31T23:59:59Z]",
    "metadata_modified:[2026-02-30 TO *]",
    "id:" + "9" * 50,
    "name:" + "a" * 5000,
    "٣٤ ﻻ ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉",
    "'; DROP TABLE opendata_dataset; --",
    "%00",
    "a" * 3000,
    "tags:(a OR (b AND (c OR -d)))",
    "owner_org:" + "0" * 36,
]


@pytest.mark.parametrize("text", NASTY)
def test_no_q_or_fq_is_a_server_error(client: Client, small: Small, text: str) -> None:
    for params in ({"q": text}, {"fq": text}, {"sort": text}, {"facet.field": text}):
        response = client.get("/api/3/action/package_search", params)
        assert response.status_code in (200, 400, 409), (params, response.content[:300])
        assert "success" in response.json()


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        -1,
        0,
        10**30,
        -(10**30),
        1e300,
        float("inf"),
        "NaN",
        "9" * 5000,
        [],
        {},
        [None],
        {"a": [1, {"b": "c"}]},
        "x" * 10_000,
    ],
)
def test_no_parameter_value_is_a_server_error(client: Client, small: Small, value: Any) -> None:
    keys = ["id", "name", "q", "fq", "rows", "start", "limit", "offset", "page", "sort"]
    keys += ["facet.field", "facet.limit", "facet.mincount", "all_fields", "query", "fl"]
    keys += ["include_datasets", "organizations", "fq_list"]
    body = json.dumps(dict.fromkeys(keys, value), allow_nan=True)
    for action in ckan.ACTIONS:
        response = client.post(f"/api/3/action/{action}", body, content_type="application/json")
        assert response.status_code in (200, 400, 404, 409), (action, response.content[:300])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NOW", NOW),
        ("NOW-1DAY", NOW - dt.timedelta(days=1)),
        ("now+2hours", NOW + dt.timedelta(hours=2)),
        ("NOW/DAY", dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
        ("NOW/DAY-1MONTH", dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),
        ("NOW-1YEAR/MONTH", dt.datetime(2025, 12, 1, tzinfo=dt.UTC)),
        ("NOW+3MONTHS/YEAR", dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
        ("2026-11-30T10:00:00.123456Z", dt.datetime(2026, 11, 30, 10, 0, 0, 123456, dt.UTC)),
        ("2026-11-30T10:00:00", dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)),
        ("2026-11-30", dt.datetime(2026, 11, 30, tzinfo=dt.UTC)),
        (
            "2026-11-30T11:00:00+01:00",
            dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC),
        ),
    ],
)
def test_solr_dates(text: str, expected: dt.datetime) -> None:
    assert ckan_query.parse_moment(text, NOW) == expected


def test_month_arithmetic_keeps_to_the_month_end() -> None:
    assert ckan_query.parse_moment("NOW-1MONTH", dt.datetime(2026, 3, 31, tzinfo=dt.UTC)) == (
        dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    )


def test_the_parser_reads_lucene_precedence() -> None:
    tree = ckan_query.parse_query("a OR b c -d:e")
    assert tree == ckan_query.Group(
        False,
        (
            ckan_query.Group(True, (ckan_query.Term(None, "a"), ckan_query.Term(None, "b"))),
            ckan_query.Term(None, "c"),
            ckan_query.Not(ckan_query.Term("d", "e")),
        ),
    )
    assert ckan_query.parse_query(r"name:commune\-a") == ckan_query.Term("name", "commune-a")
    assert ckan_query.parse_query("metadata_modified:{A TO *]") == ckan_query.Term(
        "metadata_modified", ckan_query.Range("A", "*", False, True)
    )


@pytest.mark.parametrize("depth", [50, 400, 900, 3000])
def test_deeply_nested_json_is_no_server_error(client: Client, depth: int) -> None:
    nested = "[" * depth + '"x"' + "]" * depth
    keys = ["id", "name", "q", "fq", "fq_list", "facet.field", "fl", "organizations", "rows"]
    for key in keys:
        body = f'{{"{key}": {nested}}}'
        for action in ckan.ACTIONS:
            response = client.post(f"/api/3/action/{action}", body, content_type="application/json")
            assert response.status_code in (200, 400, 404, 409), (action, key, depth)
