"""The public search page /<lang>/search/."""

from __future__ import annotations

import pytest

from django.db import connection
from django.urls import reverse
from django.utils import translation


def url(lang: str = "ar") -> str:
    with translation.override(lang):
        return reverse("search:search")


def test_empty_page_shows_the_form(client, db) -> None:
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_q">' in html
    assert "<script" not in html


def test_results_are_ranked_highlighted_and_linked(client, index) -> None:
    entry = index("تقرير الميزانية", "مشروع الميزانية لسنة 2024")
    response = client.get(url(), {"q": "ميزانية"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{entry.url}"' in html
    assert "<mark>الميزانية</mark>" in html
    assert len(response.content) <= 30 * 1024
    assert "<script" not in html


def test_query_is_escaped(client, index) -> None:
    response = client.get(url("fr"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_pagination_links_keep_the_filters(client, index) -> None:
    for i in range(25):
        index(f"doc {i}", "ميزانية", category="budget")
    response = client.get(url("fr"), {"q": "ميزانية", "category": "budget"})
    html = response.content.decode()
    assert 'rel="next"' in html
    assert "page=2" in html
    assert "category=budget" in html
    page2 = client.get(url("fr"), {"q": "ميزانية", "category": "budget", "page": 2})
    assert page2.status_code == 200
    assert 'start="21"' in page2.content.decode()
    assert len(page2.content) <= 30 * 1024


def test_full_page_stays_small(client, index) -> None:
    for i in range(20):
        index("عنوان طويل " * 10 + str(i), "ميزانية " + "نص طويل جدا " * 2000)
    response = client.get(url(), {"q": "ميزانية"})
    assert len(response.content) <= 30 * 1024


def test_scope_to_a_collectivity(client, index, collectivity_a, collectivity_b) -> None:
    index("in A", "ميزانية", collectivity=collectivity_a)
    index("in B", "ميزانية", collectivity=collectivity_b)
    html = client.get(url(), {"q": "ميزانية", "collectivity": "commune-b"}).content.decode()
    assert "in B" in html
    assert "in A" not in html


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"collectivity": "nowhere"}, 404),
        ({"page": "abc"}, 400),
        ({"page": "0"}, 400),
        ({"year": "1"}, 400),
        ({"q": "x" * 5000}, 400),
    ],
)
def test_bad_parameters(client, db, params, status) -> None:
    assert client.get(url(), params).status_code == status


def test_results_page_query_count_is_constant(client, index, django_assert_max_num_queries) -> None:
    for i in range(20):
        index(f"doc {i}", "ميزانية")
    # search(): 2 queries on SQLite, 5 on PostgreSQL (see test_search.py).
    with django_assert_max_num_queries(4 if connection.vendor == "sqlite" else 7):
        client.get(url(), {"q": "ميزانية"})


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_form_labels_are_human(client, db, lang) -> None:
    html = client.get(url(lang)).content.decode()
    assert "slug" not in html.lower().replace('name="collectivity"', "")
    assert '<label for="id_collectivity">' in html
