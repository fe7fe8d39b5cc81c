"""The public budget pages end to end through the test client, in /ar/ and /fr/: the
budgets' list, the citizen budget of a year, the gender budgeting report and the CSV.

The world (budget_public_world.py) is written with the ORM; its figures are computed by
hand in the module's docstring and here. Assertions look at data (figures as the page's
language writes them, links, ids, data- attributes), status codes and structure, never
at translated text (messages are compared through gettext).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from decimal import Decimal
from typing import Any

import pytest

from django.contrib.staticfiles import finders
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.finance.models import Budget, BudgetItem, GenderComment, GenderIndicator
from infitah.finance.tests.budget_public_world import (
    EXPENDITURE,
    INVESTMENT,
    OPERATING,
    REVENUE,
    World,
    amounts,
    build_world,
    item_of,
    version_of,
)
from infitah.finance.workflow import KeyDocument, Phase
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
MAX_GZIP = 30 * 1024


def url(name: str, lang: str = "ar", **kwargs: Any) -> str:
    with translation.override(lang):
        return reverse(f"finance:{name}", kwargs=kwargs)


def get(path: str) -> tuple[int, str]:
    response = Client().get(path)
    body = response.content.decode() if response.status_code == 200 else ""
    return response.status_code, body


def money(amount: int | str | Decimal, lang: str) -> str:
    """An amount as the pages write it: rounded to the dirham, grouped, with the unit."""
    with translation.override(lang):
        return f"{floatformat(Decimal(amount), '0g')} {gettext('MAD')}"


@pytest.fixture
def world(collectivity_a: Collectivity, prefecture: Collectivity) -> World:
    return build_world(collectivity_a, prefecture)


# --------------------------------------------------------------------------- 404s


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_404_for_a_collectivity_outside_the_network(
    world: World, collectivity_b: Collectivity, lang: str
) -> None:
    Budget.objects.create(collectivity=collectivity_b, year=2026)
    slug = collectivity_b.slug
    assert get(url("home", lang, slug=slug))[0] == 404
    for name in ("budget", "gender", "budget-csv"):
        assert get(url(name, lang, slug=slug, year=2026))[0] == 404, name
    assert get(f"/{lang}/c/no-such-commune/finance/")[0] == 404


@pytest.mark.parametrize("year", ["2024", "1999", "2101", "0", "99999999999999999999"])
def test_a_year_without_budget_or_that_cannot_be_one_is_404(world: World, year: str) -> None:
    for name in ("budgets/{year}/", "budgets/{year}/gender/", "budgets/{year}/lines.csv"):
        path = "/ar/c/commune-a/finance/" + name.format(year=year)
        assert get(path)[0] == 404, path


def test_non_numeric_years_and_posts_are_refused(world: World) -> None:
    assert get("/ar/c/commune-a/finance/budgets/abc/")[0] == 404
    assert get("/ar/c/commune-a/finance/budgets/٢٠٢٦/")[0] == 404
    assert Client().post(url("budget", slug="commune-a", year=2026)).status_code == 405


# --------------------------------------------------------------------------- the list


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_the_budgets_newest_first_with_their_links(world: World, lang: str) -> None:
    status, body = get(url("home", lang, slug="commune-a"))
    assert status == 200
    assert body.index('id="year-2026"') < body.index('id="year-2025"')
    card = body[body.index('id="year-2026"') : body.index('id="year-2025"')]
    assert re.findall(r'data-phase="(\w+)"', card) == [
        "proposed",
        "approved",
        "amended",
        "executed",
    ]
    assert money(10_500_000, lang) in card  # budgeted revenue and expenditure
    assert money(5_230_000, lang) in card  # executed expenditure
    assert 'data-rate="49.8"' in card
    assert 'datetime="2026-09-30"' in card
    for name in ("budget", "gender", "budget-csv", "procurement"):
        assert f'href="{url(name, lang, slug="commune-a", year=2026)}"' in card, name
    previous = body[body.index('id="year-2025"') :]
    assert 'data-rate="87.5"' in previous
    assert 'href="/api/v1/c/commune-a/budgets"' in body
    # Commune C's budget is not A's.
    assert "77" not in re.sub(r"<[^>]+>", "", body).replace("2026", "")


def test_home_without_budget(collectivity_a: Collectivity) -> None:
    status, body = get(url("home", slug="commune-a"))
    assert status == 200
    assert 'class="card spaced"' not in body
    with translation.override("ar"):
        assert escape(gettext("No budget published yet.")) in body


# --------------------------------------------------------------------------- a year


def _section(body: str, ident: str) -> str:
    start = body.index(f'id="{ident}"')
    end = body.find("</section>", start)
    return body[start:end]


@pytest.mark.parametrize("lang", LANGS)
def test_the_citizen_budget_figures(world: World, lang: str) -> None:
    status, body = get(url("budget", lang, slug="commune-a", year=2026))
    assert status == 200
    # The figures of the latest amended version (v2), not of v1 nor of the approved.
    assert 'id="shown"><span data-phase="amended">' in body
    assert f'id="total-revenue">{money(10_500_000, lang)}<' in body
    assert f'id="total-expenditure">{money(10_500_000, lang)}<' in body
    # Per inhabitant (191,000): 10,500,000 / 191,000 = 54.97; executed 5,230,000 /
    # 191,000 = 27.38.
    assert 'id="revenue-per-inhabitant" data-value="54.97"' in body
    assert 'id="expenditure-per-inhabitant" data-value="54.97"' in body
    assert 'id="executed-per-inhabitant" data-value="27.38"' in body
    with translation.override(lang):
        assert floatformat(Decimal("27.38"), "-2g") in _section(body, "per-inhabitant")
    # Execution (executed v2 as of 30 September): revenue 4.4 M / 10.5 M = 41.9 %,
    # expenditure 5.23 M / 10.5 M = 49.8 %, operating 3.75 M / 5.7 M = 65.8 %,
    # investment 1.48 M / 4.8 M = 30.8 %.
    execution = _section(body, "execution")
    assert re.findall(r'data-rate="([\d.]+)"', execution) == ["41.9", "49.8", "65.8", "30.8"]
    assert 'datetime="2026-09-30"' in execution
    assert money(3_750_000, lang) in execution
    # Where the money comes from and goes: the four charts and their tables.
    for ident in (
        "revenue-section",
        "revenue-chapter",
        "expenditure-section",
        "expenditure-function",
    ):
        assert f'<figure class="opinion-map flush" id="{ident}"><svg' in body, ident
        assert f'aria-labelledby="{ident}-t {ident}-d"' in body
    money_in = _section(body, "from")
    assert money(6_500_000, lang) in money_in and money(4_000_000, lang) in money_in
    with translation.override(lang):
        assert escape(gettext("Chapter %(code)s") % {"code": "30"}) in money_in
    assert "Taxes locales" in money_in if lang == "fr" else "الرسوم المحلية" in money_in
    money_out = _section(body, "to")
    for amount in (5_700_000, 4_800_000, 4_200_000, 2_500_000, 1_500_000, 2_300_000):
        assert money(amount, lang) in money_out, amount
    with translation.override(lang):
        assert escape(gettext("Not classified")) in money_out
    cofog = "Services généraux des administrations publiques" if lang == "fr" else "الخدمات العامة"
    assert cofog in money_out
    # The comparison: both years, in a chart and its table.
    history = _section(body, "history")
    assert 'class="bar-chart"' in history
    assert money(8_000_000, lang) in history and money(7_000_000, lang) in history
    assert f'href="{url("budget", lang, slug="commune-a", year=2025)}"' in history
    # Nothing of commune C; no script, no inline style.
    assert "Ligne lointaine" not in body and "بند بعيد" not in body
    assert "<script" not in body and "style=" not in body


@pytest.mark.parametrize("lang", LANGS)
def test_the_eight_key_documents(world: World, lang: str) -> None:
    body = get(url("budget", lang, slug="commune-a", year=2026))[1]
    documents = _section(body, "documents")
    kinds = re.findall(r'<li data-kind="(\w+)">', documents)
    assert kinds == list(KeyDocument.values)

    def item(kind: str) -> str:
        start = documents.index(f'data-kind="{kind}"')
        return documents[start : documents.index("</li>", start)]

    detail = f"/{lang}/c/commune-a/documents/"
    assert f'href="{detail}{world.enacted_doc.pk}/"' in item("enacted")
    # The superseded citizens budget leads to its current version.
    assert f'href="{detail}{world.citizens_new.pk}/"' in item("citizens")
    with translation.override(lang):
        assert escape(gettext("withdrawn")) in item("audit") and "href" not in item("audit")
        for kind in ("pre_budget", "proposal", "in_year", "mid_year", "year_end"):
            assert escape(gettext("not published")) in item(kind) and "href" not in item(kind)


@pytest.mark.parametrize("lang", LANGS)
def test_funded_commitments_downloads_and_links(world: World, lang: str) -> None:
    body = get(url("budget", lang, slug="commune-a", year=2026))[1]
    commitments = _section(body, "commitments")
    link = f"/{lang}/c/commune-a/programmes/{world.commitment.programme_id}/commitments/3/"
    assert f'href="{link}"' in commitments
    assert money(2_500_000, lang) in commitments  # E3's amended credits
    # The abandoned programme's commitment: listed, not linked.
    assert "التزام قديم" in commitments
    assert commitments.count("href=") == 1
    more = _section(body, "more")
    for name in ("gender", "budget-csv", "procurement"):
        assert f'href="{url(name, lang, slug="commune-a", year=2026)}"' in more, name
    assert 'href="/api/v1/c/commune-a/budgets/2026/datapackage.json"' in more


def test_an_unknown_population_is_said(world: World) -> None:
    Collectivity.objects.filter(pk=world.collectivity.pk).update(population=None)
    body = get(url("budget", slug="commune-a", year=2026))[1]
    assert 'id="population-unknown"' in body
    assert 'per-inhabitant" data-value' not in body


def test_a_year_without_figures_yet(world: World) -> None:
    """A budget with no version (the pre-budget statement may come first): the page says
    so, lists the key documents, draws no breakdown."""
    Budget.objects.create(collectivity=world.collectivity, year=2027)
    status, body = get(url("budget", slug="commune-a", year=2027))
    assert status == 200
    assert 'id="revenue-section"' not in body and 'id="no-execution"' in body
    assert len(re.findall(r'<li data-kind="', body)) == 8
    gender = get(url("gender", slug="commune-a", year=2027))
    assert gender[0] == 200 and 'id="marker-shares"' not in gender[1]


def test_a_year_without_execution(world: World) -> None:
    body = get(url("budget", slug="commune-a", year=2026))[1]
    assert 'id="no-execution"' not in body
    world.executed.budget.versions.filter(phase=Phase.EXECUTED).delete()
    body = get(url("budget", slug="commune-a", year=2026))[1]
    assert 'id="no-execution"' in body
    assert 'id="executed-per-inhabitant"' not in body


def test_only_an_execution_shows_its_figures(collectivity_a: Collectivity) -> None:
    budget = Budget.objects.create(collectivity=collectivity_a, year=2024)
    spent = item_of(budget, EXPENDITURE, INVESTMENT, "1.1")
    amounts(version_of(budget, Phase.EXECUTED, 1, dt.date(2024, 12, 31)), {spent: 1_910_000})
    body = get(url("budget", "fr", slug="commune-a", year=2024))[1]
    assert 'id="shown"><span data-phase="executed">' in body
    assert 'id="expenditure-per-inhabitant" data-value="10.00"' in body
    assert 'id="no-execution"' in body  # no rate without a budgeted version


# --------------------------------------------------------------------------- gender


@pytest.mark.parametrize("lang", LANGS)
def test_the_gender_report(world: World, lang: str) -> None:
    status, body = get(url("gender", lang, slug="commune-a", year=2026))
    assert status == 200
    # Amended v2's expenditure (10.5 M): marker 2 2.5 M = 23.8 %, 1 1.0 M = 9.5 %, 0
    # 4.2 M = 40 %, not marked 2.8 M = 26.7 %.
    shares = _section(body, "markers")
    assert re.findall(r'<tr data-marker="(\w+)">', shares) == ["2", "1", "0", "none"]
    assert re.findall(r'data-share="([\d.]+)"', shares) == ["23.8", "9.5", "40.0", "26.7"]
    assert money(2_800_000, lang) in shares
    assert 'aria-labelledby="gender-markers-t gender-markers-d"' in shares
    # Its evolution: 2025 (nothing marked) and 2026.
    evolution = _section(body, "evolution")
    assert re.findall(r'<li data-year="(\d+)">', evolution) == ["2025", "2026"]
    assert 'aria-labelledby="gender-evolution-t gender-evolution-d"' in evolution
    # The lines without a marker: E5 (operating) then E4 (investment), with credits.
    unmarked = _section(body, "unmarked")
    assert unmarked.index("10.30.10.1") < unmarked.index("20.20.10.1")
    assert money(2_300_000, lang) in unmarked and money(500_000, lang) in unmarked
    assert "10.10.10.1" not in unmarked  # marked 0: not "unmarked"
    # Beneficiaries: 120 women of 150 = 80 %; none counted: no share.
    beneficiaries = _section(body, "beneficiaries")
    assert f'id="indicator-{world.indicator.pk}"' in beneficiaries
    assert 'data-share="80.0"' in beneficiaries and 'data-share="None"' in beneficiaries
    # The equality body's comments, in order, the second on line E4.
    comments = _section(body, "comments")
    assert comments.index(f'id="comment-{world.comment.pk}"') < comments.index(
        f'id="comment-{world.line_comment.pk}"'
    )
    assert "نوصي بتوسيع المؤشرات حسب الجنس." in comments
    assert "<script" not in body and "style=" not in body


def test_the_lines_without_a_marker_are_paged(world: World) -> None:
    for k in range(30):
        item_of(world.budget, EXPENDITURE, OPERATING, f"50.{k:02d}.1", label_fr=f"Ligne {k}")
    path = url("gender", "fr", slug="commune-a", year=2026)
    first = _section(get(path)[1], "unmarked")
    assert first.count('<li><bdi dir="ltr">') == 25 and 'rel="next"' in first
    second = _section(get(path + "?page=2")[1], "unmarked")
    assert second.count('<li><bdi dir="ltr">') == 7 and 'rel="prev"' in second
    # A page that is not one: the last or the first, never an error.
    assert get(path + "?page=99")[0] == 200
    assert get(path + "?page=abc")[0] == 200
    assert get(path + "?page=%00")[0] == 200


def test_gender_texts_are_escaped(world: World) -> None:
    GenderComment.objects.filter(pk=world.comment.pk).update(text="<script>alert(1)</script>")
    GenderIndicator.objects.filter(pk=world.indicator.pk).update(name_ar="<b>x</b>")
    BudgetItem.objects.filter(pk=world.items["E4"].pk).update(label_ar="<img src=x>")
    body = get(url("gender", slug="commune-a", year=2026))[1]
    assert "<script>alert" not in body and "<b>x</b>" not in body and "<img src=x>" not in body
    assert "&lt;script&gt;" in body


# --------------------------------------------------------------------------- the CSV


def test_the_csv_download(world: World) -> None:
    response = Client().get(url("budget-csv", "fr", slug="commune-a", year=2026))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="budget-commune-a-2026.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode("utf-8")
    assert text.startswith("direction,phase,section,chapter,")
    assert text.count("\r\n") == 30  # the header and 29 rows
    assert "Ligne lointaine" not in text


# --------------------------------------------------------------------------- weight


def _realistic(world: World) -> None:
    """A commune's real-sized budget: 300 lines with long bilingual labels, many
    chapters and functions, five years, indicators and comments."""
    budget = world.budget
    version = world.amended
    figures = {}
    for k in range(300):
        direction = REVENUE if k % 3 == 0 else EXPENDITURE
        section = OPERATING if k % 2 else INVESTMENT
        item = item_of(
            budget,
            direction,
            section,
            f"{40 + k % 25}.{k:03d}.10.1",
            label_ar=f"بند مفصل رقم {k} لتمويل المرافق العمومية والخدمات الاجتماعية للساكنة",
            label_fr=f"Ligne détaillée n° {k} de financement des équipements publics",
        )
        figures[item] = 10_000 + k * 137
    amounts(version, figures)
    for year in (2021, 2022, 2023):
        older = Budget.objects.create(collectivity=world.collectivity, year=year)
        line = item_of(older, EXPENDITURE, OPERATING, "1.1")
        amounts(version_of(older, Phase.APPROVED), {line: 5_000_000 + year})
    for k in range(10):
        GenderIndicator.objects.create(
            item=world.items["E3"], name_ar=f"مؤشر رقم {k} للمستفيدين", women=10 + k, men=k
        )


@pytest.mark.parametrize("lang", LANGS)
def test_pages_weigh_less_than_30_kb_compressed(world: World, lang: str) -> None:
    """The first view: the page and the stylesheet, gzip-compressed."""
    _realistic(world)
    css_path = finders.find("infitah/site.css")
    assert isinstance(css_path, str)
    with open(css_path, "rb") as handle:
        css = len(gzip.compress(handle.read()))
    for path in (
        url("home", lang, slug="commune-a"),
        url("budget", lang, slug="commune-a", year=2026),
        url("gender", lang, slug="commune-a", year=2026),
    ):
        status, body = get(path)
        assert status == 200, path
        weight = len(gzip.compress(body.encode())) + css
        assert weight <= MAX_GZIP, (path, weight)
