"""The public pages of the openness index: the network's dashboard, a collectivity's
score and the method, in Arabic (right to left) and French, with a constant number of
queries whatever the number of collectivities.

Scores are stored directly (`put_score`), their items composed by the index's own
`score_compose` from evidence written here: the computation itself is tested in
test_items_* and test_services.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Mapping
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest

from django.apps import apps as django_apps
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.openness.items import ItemResult
from infitah.openness.models import ITEMS, Method, Score
from infitah.openness.services import score_compose
from infitah.openness.views import PAGE_SIZE
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import reference_load

MONTH = dt.date(2026, 6, 1)

# The evidence of a collectivity that does a bit of everything.
EVIDENCE: dict[str, ItemResult] = {
    "publication": ItemResult(
        0.5,
        {
            "records": 3,
            "categories": 4,
            "published": 3,
            "current": 2,
            "complete": 1,
            "open": 1,
            "points": 32,
            "max_points": 64,
            "missing": ["unknown-category"],
            "out_of_date": [],
        },
        ["publication.publish_missing", "publication.use_open_formats"],
    ),
    "information": ItemResult(
        0.75,
        {
            "records": 8,
            "received": 8,
            "judged": 6,
            "answered_on_time": 5,
            "deemed_refused": 1,
            "median_working_days": 12.5,
            "legal_limit_days": 20,
        },
        ["information.answer_on_time", "information.avoid_deemed_refusals"],
    ),
    "complaints": ItemResult(
        None,
        {
            "records": 0,
            "received": 0,
            "acknowledgements_judged": 0,
            "acknowledged_on_time": 0,
            "answers_judged": 0,
            "answered_on_time": 0,
            "rated": 0,
            "satisfaction_average": None,
        },
        [],
    ),
    "petitions": ItemResult(
        1.0, {"records": 2, "lodged": 2, "judged": 2, "decided_on_time": 2}, []
    ),
    "participation": ItemResult(
        0.4,
        {
            "records": 1,
            "consultations": 1,
            "consultations_closed": 1,
            "syntheses_published": 0,
            "labs": 0,
            "surveys": 0,
        },
        ["participation.hold_consultations", "participation.publish_syntheses"],
    ),
    "council": ItemResult(0.0, {"records": 0, "sessions": 0}, ["council.hold_sessions"]),
    "programme": ItemResult(
        0.8,
        {
            "records": 1,
            "adopted": 1,
            "programme": 1,
            "status": "adopted",
            "commitments": 4,
            "on_track": 2,
            "updated_on": "2026-05-02",
            "is_up_to_date": 1,
        },
        ["programme.keep_on_track"],
    ),
    "budget": ItemResult(
        0.3,
        {
            "records": 3,
            "years": "2025-2026",
            "key_documents": 3,
            "key_documents_max": 8,
            "missing": ["pre_budget", "audit"],
            "execution_published": 0,
        },
        ["budget.publish_key_documents", "budget.publish_execution"],
    ),
    "opendata": ItemResult(
        0.2, {"records": 1, "datasets": 1, "current": 0}, ["opendata.update_datasets"]
    ),
}
NOTHING: dict[str, ItemResult] = {
    code: ItemResult(None if code in {"information", "complaints", "petitions"} else 0.0,
                     {"records": 0}, [])
    for code in ITEMS
}  # fmt: skip


@pytest.fixture(autouse=True)
def method_v1(db: None) -> Method:
    """Version 1 of the method as its migration seeds it: a transactional test of
    another module may have emptied the table when it ended."""
    import_module("infitah.openness.migrations.0002_method_v1").seed(django_apps, None)
    return Method.objects.get(version=1)


def put_score(
    collectivity: Collectivity,
    score: Decimal | str | int | None,
    *,
    month: dt.date = MONTH,
    method: Method | None = None,
    evidence: Mapping[str, ItemResult] | None = None,
) -> Score:
    """Store `collectivity`'s score of `month` (None: no data), with items composed by
    the index from `evidence` (EVIDENCE, or NOTHING without data)."""
    method = method or Method.objects.current()
    results = evidence or (EVIDENCE if score is not None else NOTHING)
    _composed, _has_data, items = score_compose(results=results, weights=method.weights)
    return Score.objects.create(
        collectivity=collectivity,
        month=month,
        method=method,
        score=Decimal(score) if score is not None else Decimal(0),
        has_data=score is not None,
        items=items,
        computed_at=timezone.now(),
    )


def communes(parent: Collectivity, n: int, *, start: int = 0) -> list[Collectivity]:
    return [
        Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=f"commune-{start + i}",
            name_ar=f"جماعة {start + i}",
            name_fr=f"Commune {start + i:04d}",
            parent=parent,
            region=parent.region,
        )
        for i in range(n)
    ]


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def world(
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> dict[str, Collectivity]:
    """A scored at 62.5, B without data, the region at 30, the prefecture at 45.5; A
    had 40 three months before."""
    put_score(collectivity_a, "62.5")
    put_score(collectivity_b, None)
    put_score(region, "30")
    put_score(prefecture, "45.5")
    put_score(collectivity_a, "40", month=dt.date(2026, 3, 1))
    put_score(collectivity_b, None, month=dt.date(2026, 3, 1))
    return {"a": collectivity_a, "b": collectivity_b, "region": region}


# --------------------------------------------------------------------------- dashboard


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_dashboard_ranks_maps_and_links(
    client: Client, world: dict[str, Collectivity], lang: str, direction: str
) -> None:
    response = client.get(f"/{lang}/openness/")
    assert response.status_code == 200
    page = html(response)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    a = world["a"]
    name_a = a.name_ar if lang == "ar" else a.name_fr
    table = page[page.index('id="ranking-table"') : page.index("</table>")]
    rows = re.findall(
        r"<tr(?: data-no-data)?><td>(.*?)</td><th scope=\"row\"><a href=\"([^\"]+)\"", table
    )
    # Best first, ties share a rank; B (no data) last, unranked.
    assert [href for _rank, href in rows] == [
        f"/{lang}/c/commune-a/openness/",
        f"/{lang}/c/inezgane-test/openness/",
        f"/{lang}/c/souss-massa-test/openness/",
        f"/{lang}/c/commune-b/openness/",
    ]
    assert [rank for rank, _href in rows] == ["1", "2", "3", "—"]
    assert name_a in table
    assert "62,5" in table
    no_data = "لا معطيات" if lang == "ar" else "pas de données"
    assert ("no data" in table) or (no_data in table)
    assert "data-no-data" in table
    # The map, the charts and the text equivalents.
    assert 'class="region-map"' in page
    assert 'id="by-kind-t"' in page and 'id="region-table"' in page and 'id="kind-table"' in page
    assert 'id="progress-t"' in page
    # The members that improved most: A from 40 to 62.5.
    improved = page[page.index('id="improved"') :]
    assert "/c/commune-a/openness/" in improved.split("</ol>")[0]
    # The method and the dataset.
    assert f'href="/{lang}/openness/method/"' in page
    assert 'href="/data/network-openness.csv"' in page


def test_dashboard_filters_by_kind_and_region(
    client: Client, world: dict[str, Collectivity], region: Collectivity
) -> None:
    other = Collectivity.objects.create(
        kind=Kind.REGION, slug="oriental-test", name_ar="الشرق", name_fr="Oriental", code="02"
    )
    put_score(other, "90")
    communes_only = html(client.get("/fr/openness/?kind=commune"))
    table = communes_only[communes_only.index('id="ranking-table"') :].split("</table>")[0]
    assert "/c/commune-a/openness/" in table and "/c/commune-b/openness/" in table
    assert "/c/oriental-test/openness/" not in table and "/c/inezgane-test/" not in table
    in_region = html(client.get(f"/fr/openness/?region={region.slug}"))
    table = in_region[in_region.index('id="ranking-table"') :].split("</table>")[0]
    assert "/c/souss-massa-test/openness/" in table and "/c/commune-a/openness/" in table
    assert "/c/oriental-test/openness/" not in table
    # Among the region's collectivities A is first, the region itself third.
    assert '<option value="souss-massa-test" selected>' in in_region


def test_unknown_filters_are_ignored_and_said(
    client: Client, world: dict[str, Collectivity]
) -> None:
    response = client.get("/fr/openness/?kind=village&region=atlantis&page=abc")
    assert response.status_code == 200
    page = html(response)
    assert 'data-ignored="kind"' in page and 'data-ignored="region"' in page
    assert "/c/commune-a/openness/" in page


def test_dashboard_without_any_score(client: Client, region: Collectivity) -> None:
    for lang in ("ar", "fr"):
        response = client.get(f"/{lang}/openness/")
        assert response.status_code == 200
        assert 'id="summary"' in html(response)
        assert 'class="region-map"' not in html(response)


def test_the_map_colours_regions_with_official_codes(client: Client, db: None) -> None:
    oriental = Collectivity.objects.create(
        kind=Kind.REGION, slug="oriental-test", name_ar="الشرق", name_fr="Oriental", code="02"
    )
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE, slug="oujda-test", name_ar="وجدة", name_fr="Oujda-Angad",
        parent=oriental, region=oriental,
    )  # fmt: skip
    put_score(oriental, "85")
    put_score(province, "95")
    page = html(client.get("/fr/openness/"))
    path = re.search(r'<path [^>]*data-code="02"[^>]*>', page)
    assert path is not None
    # Median of 85 and 95: 90, the top band.
    assert 'fill="#253494"' in path.group(0) and 'data-band="4"' in path.group(0)
    other = re.search(r'<path [^>]*data-code="05"[^>]*>', page)
    assert other is not None and 'data-band="none"' in other.group(0)


def test_the_ranking_is_paged(client: Client, prefecture: Collectivity) -> None:
    for index, commune in enumerate(communes(prefecture, 60)):
        put_score(commune, Decimal(index))
    first = html(client.get("/fr/openness/"))
    table = first[first.index('id="ranking-table"') :].split("</table>")[0]
    assert table.count('<th scope="row">') == PAGE_SIZE
    assert "/c/commune-59/openness/" in table and "/c/commune-0/openness/" not in table
    assert 'rel="next"' in first
    pages = -(-60 // PAGE_SIZE)
    last = html(client.get(f"/fr/openness/?page={pages}"))
    table = last[last.index('id="ranking-table"') :].split("</table>")[0]
    assert table.count('<th scope="row">') == 60 - (pages - 1) * PAGE_SIZE
    assert "/c/commune-0/openness/" in table
    # A page beyond the last (or beyond any integer) gives the last page, not an error.
    huge = client.get("/fr/openness/?page=99999999999999999999")
    assert huge.status_code == 200 and "/c/commune-0/openness/" in html(huge)


def test_dashboard_queries_do_not_grow_with_the_network(
    client: Client, prefecture: Collectivity
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/fr/openness/").status_code == 200
        return len(captured)

    for commune in communes(prefecture, 3):
        put_score(commune, "50")
        put_score(commune, "20", month=dt.date(2026, 3, 1))
    few = count()
    for commune in communes(prefecture, 40, start=100):
        put_score(commune, "70")
        put_score(commune, "10", month=dt.date(2026, 3, 1))
    assert count() == few
    assert few <= 14


def test_the_dashboard_first_view_stays_small(client: Client, db: None) -> None:
    """The worst first view: the twelve regions (the reference data: their real names)
    on the map and in the charts, a full page of communes with long names, a year of
    months, ten members improved: at most 30 KB."""
    reference_load()
    regions = list(Collectivity.objects.regions().order_by("code"))
    province = Collectivity.objects.filter(kind=Kind.PROVINCE, region=regions[0]).first()
    assert len(regions) == 12 and province is not None
    places = regions + [
        Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=f"sidi-abdallah-ou-belaid-{n}",
            name_ar=f"سيدي عبد الله أوبلعيد {n}",
            name_fr=f"Sidi Abdallah Ou Belaid {n}",
            parent=province,
            region=regions[0],
        )
        for n in range(80)
    ]
    months = [dt.date(2025, m, 1) for m in range(7, 13)] + [
        dt.date(2026, m, 1) for m in range(1, 7)
    ]
    for index, place in enumerate(places):
        for back, month in enumerate(reversed(months)):
            put_score(place, Decimal(index % 100) * Decimal("0.9") / (back + 1), month=month)
    with open(finders.find("infitah/site.css") or "", "rb") as handle:
        css = len(gzip.compress(handle.read()))
    for lang in ("ar", "fr"):
        response = client.get(f"/{lang}/openness/")
        page = html(response)
        assert page.count('<th scope="row"><a href=') == PAGE_SIZE
        assert page.count('data-band="none"') == 1  # the map's legend: every region scored
        assert page.count("<li><a href=") >= 10
        # As the other public pages count it: the page and the stylesheet, compressed.
        assert len(gzip.compress(response.content)) + css <= 30_000
        # And uncompressed, in French (Arabic letters take two bytes each in UTF-8).
        if lang == "fr":
            assert len(response.content) <= 30_000, len(response.content)


# --------------------------------------------------------------------------- a collectivity


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_collectivity_page_shows_score_rank_items_and_history(
    client: Client, world: dict[str, Collectivity], lang: str, direction: str
) -> None:
    response = client.get(f"/{lang}/c/commune-a/openness/")
    assert response.status_code == 200
    page = html(response)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert 'data-score="62.5"' in page
    # First of the one commune with data (B has none).
    rank = page[page.index('id="peer-rank"') :].split("</dd>")[0]
    assert re.search(r"\b1\b", rank) and re.search(r"\b1\b", rank.split("1", 1)[1])
    for code in ITEMS:
        assert f'id="item-{code}"' in page
    # Evidence with its numbers, "how to gain points", the item that does not count.
    item = page[page.index('id="item-information"') :].split("</article>")[0]
    assert "5" in item and "6" in item and "12,5" in item and "20" in item
    assert 'id="item-complaints" data-fraction="none"' in page
    budget = page[page.index('id="item-budget"') :].split("</article>")[0]
    assert ("Audit report" in budget) or ("تقرير" in budget) or ("audit" in budget.lower())
    assert "<li>" in page[page.index('id="item-opendata"') :].split("</article>")[0]
    # The history: both months, newest first, with the method version.
    history = page[page.index('id="history"') :].split("</table>")[0]
    assert history.count("<tr>") == 3  # head + two months
    assert "62,5" in history and "40" in history
    assert f'href="/{lang}/openness/method/#v1"' in history
    assert 'id="history-t"' in page


def test_advice_and_evidence_are_readable_sentences(
    client: Client, world: dict[str, Collectivity]
) -> None:
    page = html(client.get("/fr/c/commune-a/openness/"))
    item = page[page.index('id="item-information"') :].split("</article>")[0]
    # French once the catalog has it, English (the source) before: a sentence either way.
    assert re.search(r"5 (of the|des) 6", item), item
    assert "{{" not in page and "{%" not in page


def test_a_collectivity_without_data_is_not_a_failure(
    client: Client, world: dict[str, Collectivity]
) -> None:
    page = html(client.get("/fr/c/commune-b/openness/"))
    assert 'data-score="none"' in page
    rank = page[page.index('id="peer-rank"') :].split("</dd>")[0]
    assert "1" in rank  # one commune of its kind has data; B is not ranked


def test_collectivity_without_score_and_unknown_slug(
    client: Client, world: dict[str, Collectivity]
) -> None:
    lone = Collectivity.objects.create(
        kind=Kind.COMMUNE, slug="lone", name_ar="وحيدة", name_fr="Lone",
        parent=world["a"].parent, region=world["region"],
    )  # fmt: skip
    response = client.get(f"/fr/c/{lone.slug}/openness/")
    assert response.status_code == 200
    assert 'id="score"' in html(response) and 'id="history"' not in html(response)
    assert client.get("/fr/c/no-such-place/openness/").status_code == 404


def test_collectivity_page_queries_do_not_grow_with_history(
    client: Client, world: dict[str, Collectivity]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/fr/c/commune-a/openness/").status_code == 200
        return len(captured)

    few = count()
    for month in (dt.date(2025, m, 1) for m in range(1, 13)):
        put_score(world["a"], "30", month=month)
    assert count() == few


def test_the_collectivity_home_links_to_its_score(
    client: Client, world: dict[str, Collectivity]
) -> None:
    for slug in ("commune-a", "commune-b"):
        page = html(client.get(f"/fr/c/{slug}/"))
        assert f'href="/fr/c/{slug}/openness/"' in page


# --------------------------------------------------------------------------- the method


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_method_page_publishes_items_weights_and_versions(
    client: Client, world: dict[str, Collectivity], lang: str, direction: str
) -> None:
    v1 = Method.objects.get(version=1)
    v2 = Method.objects.create(
        version=2,
        weights={**v1.weights, "budget": 20},
        note="Budget counts double.",
        created_at=timezone.now(),
    )
    response = client.get(f"/{lang}/openness/method/")
    assert response.status_code == 200
    page = html(response)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    for code in ITEMS:
        assert f'id="item-{code}"' in page
    assert 'id="v1"' in page and 'id="v2"' in page
    assert "Budget counts double." in page
    # The latest scores were all computed with version 1; version 2 is in force.
    in_force = page[page.index('id="in-force"') :].split("</p>")[0]
    assert "1" in in_force and "2" in in_force
    assert page.index('id="v2"') < page.index('id="v1"')
    assert v2.version == 2
    # Nobody but a network administrator sees the edit link.
    assert "/openness/weights/" not in page


def test_method_page_shows_the_edit_link_to_network_admins(
    client: Client, network_admin: Any
) -> None:
    client.force_login(network_admin)
    assert "/fr/openness/weights/" in html(client.get("/fr/openness/method/"))
