"""GET /api/v1/search."""

from __future__ import annotations

import datetime

import pytest

URL = "/api/v1/search"


@pytest.fixture
def docs(index, collectivity_a, collectivity_b):
    index("ميزانية أيت ملول", "مشروع الميزانية", collectivity=collectivity_a, category="budget")
    index(
        "ميزانية إنزكان",
        "مشروع الميزانية",
        collectivity=collectivity_b,
        date=datetime.date(2023, 3, 1),
    )


def test_search_returns_ranked_items(client, docs) -> None:
    body = client.get(URL, {"q": "الميزانيات"}).json()
    assert body["count"] == 2
    assert body["count_is_capped"] is False
    item = body["items"][0]
    assert set(item) >= {
        "id",
        "title",
        "collectivity",
        "category",
        "date",
        "url",
        "snippet",
        "score",
    }
    assert "<mark>" in item["snippet"]


def test_collectivity_scope_and_filters(client, docs) -> None:
    assert [
        i["collectivity"]
        for i in client.get(URL, {"q": "ميزانية", "collectivity": "commune-a"}).json()["items"]
    ] == ["commune-a"]
    assert client.get(URL, {"q": "ميزانية", "collectivity": "inezgane-test"}).json()["count"] == 2
    assert client.get(URL, {"q": "ميزانية", "year": 2023}).json()["count"] == 1
    assert client.get(URL, {"q": "ميزانية", "category": "budget"}).json()["count"] == 1
    assert client.get(URL, {"q": "ميزانية", "file_type": "csv"}).json()["count"] == 0


@pytest.mark.parametrize(
    "q",
    [
        "",
        "زرافة",
        "!!!???",
        'AND OR NOT NEAR * ^ " ( )',
        '"ميزانية',
        "ميزانية\x00",
        "\x00" * 50,
        "x" * 10_000,
        "ميزانية " * 3000,
        "title_lexemes:ميزانية",
        "{} [] <script>",
    ],
)
def test_hostile_or_empty_query_answers_200(client, docs, q: str) -> None:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response.json()["count"] in {0, 2}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"collectivity": "nowhere"}, 404),
        ({"collectivity": "bad\x00slug"}, 404),
        ({"collectivity": "../../etc"}, 404),
        ({"page": "0"}, 400),
        ({"page": "abc"}, 400),
        ({"page": "-3"}, 400),
        ({"page": "99999999999999999999"}, 400),
        ({"year": "abc"}, 400),
        ({"year": "99999"}, 400),
        ({"category": "a\x00b"}, 400),
        ({"file_type": "x" * 500}, 400),
    ],
)
def test_bad_parameters_are_client_errors_with_a_detail(client, docs, params, status) -> None:
    response = client.get(URL, {"q": "ميزانية", **params})
    assert response.status_code == status
    assert response.json()["detail"]


def test_page_past_the_end_is_empty(client, docs) -> None:
    body = client.get(URL, {"q": "ميزانية", "page": 9}).json()
    assert body["count"] == 2
    assert body["items"] == []


def test_private_entry_is_not_served(client, index) -> None:
    index("draft", "سري", is_public=False)
    assert client.get(URL, {"q": "سري"}).json()["count"] == 0
