"""The openness index in a real browser (issue 18): the network's dashboard, a
collectivity's score, the method, and the weights that a network administrator changes,
in Arabic (right to left) and French.

The data are written through the apps' own services: the country's 12 regions and 75
prefectures and provinces (`reference_load`, so that the map has its regions), communes
A and B with documents, information requests, complaints and petitions
(infitah/opendata/tests/world.py). The index is computed by `openness_compute` three
months back before the catalogue exists, then this month after `datasets_sync()` built
it. A published a communiqué four months ago (written then, the clock moved back with
time-machine): it has a history with data, and rose since.

- with JavaScript off: the ranking (best first, "no data" last and unranked), the
  filters by kind and region submitted as plain GET forms, the pager, the map of the
  regions and the charts drawn (server-side SVG), the members that improved most, the
  scores' CSV;
- a collectivity's page: its score, rank, the nine items with their evidence and how
  to gain points, its history month by month; a province with no data says so;
- the method page; the weights page, reached by a network administrator who passes the
  second factor (TOTP, enrolled from the key the page shows, as in production), changes
  a weight and saves: version 2 is shown on the method page, in force, and the scores
  are recomputed with it; anybody else gets 404;
- every page, in both languages, at 360 px and 1280 px: axe-core finds no violation,
  nothing sticks out sideways at 360 px, the first view weighs at most 30 KB.

Screenshots (`openness-<page>-<lang>-<width>.png`) go to pytest's tmp_path, copied to
the folder INFITAH_SCREENSHOTS_DIR names, when set. The helpers are test_opendata.py's.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.world import World, build_world
from infitah.openness.models import DEFAULT_WEIGHTS, ITEMS, Method, Score
from infitah.openness.services import openness_compute
from infitah.openness.views import PAGE_SIZE
from infitah.publication.models import Category, Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import reference_load
from tests.browser.test_opendata import (
    DESKTOP,
    MAX_FIRST_VIEW_BYTES,
    audit,
    first_view_bytes,
    fits,
    in_language,
    seed_reference_data,
    shoot,
    visitor,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

PASSWORD = "test-password-123"  # the root conftest's personas
NOTE = "Le budget compte davantage : les huit documents clés sont attendus partout."
MONTHS_BACK = 3


def _months_ago(today: dt.date, months: int) -> dt.date:
    """The 15th of the month `months` before `today`'s."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, 15)


@pytest.fixture
def index(
    collectivity_a: Collectivity, collectivity_b: Collectivity, settings: Any, tmp_path: Path
) -> World:
    """The world, its history and this month's index (see the module docstring)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_reference_data()
    reference_load()
    today = timezone.localdate()
    first = _months_ago(today, MONTHS_BACK)
    # Four months ago A published its first communiqué: A has data from then on.
    with time_machine.travel(
        dt.datetime.combine(first - dt.timedelta(days=30), dt.time(10), tzinfo=dt.UTC),
        tick=False,
    ):
        clerk = User.objects.create_user(email="clerk@commune-a.test", password=PASSWORD)
        Membership.objects.create(user=clerk, collectivity=collectivity_a, role=Role.ADMIN)
        document_publish(
            collectivity=collectivity_a,
            actor=clerk,
            category=Category.objects.get(code="communiques"),
            title_ar="بلاغ",
            title_fr="Communiqué",
            date=timezone.localdate(),
            language=Language.FRENCH,
            upload=SimpleUploadedFile("c.txt", b"Texte.", content_type="text/plain"),
        )
    for back in range(MONTHS_BACK, 0, -1):
        openness_compute(today=_months_ago(today, back))
    # Since then: everything else, and the catalogue.
    world = build_world(collectivity_a, collectivity_b)
    datasets_sync()
    openness_compute()
    return world


def _number(text: str) -> Decimal:
    """A score as the page writes it ("32,3" in both languages)."""
    found = re.search(r"\d+(?:[.,]\d+)?", text)
    assert found is not None, text
    return Decimal(found.group(0).replace(",", "."))


def _ranking(page: Page) -> Locator:
    return page.locator("main #ranking-table tbody tr")


def _ranked_slugs(page: Page) -> list[str]:
    hrefs = page.locator('main #ranking-table tbody th[scope="row"] a').evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [str(h).split("/c/", 1)[1].split("/", 1)[0] for h in hrefs]


def _filter(page: Page, *, kind: str, region: str) -> None:
    """Choose the filters and submit the form, as a person does without any script."""
    form = page.locator("main form.search")
    form.locator("#filter-kind").select_option(kind)
    form.locator("#filter-region").select_option(region)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state("load")


def _drawn(svg: Locator, width: int) -> None:
    """A chart is on screen, not empty, within the window's width."""
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 100 and box["height"] > 40, box
    assert box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5, box


# ------------------------------------------------------------------ the dashboard


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_dashboard_ranks_filters_and_draws_without_javascript(
    browser: Browser, live_server: LiveServer, index: World, lang: str, tmp_path: Path
) -> None:
    base = live_server.url
    a, b = index.a, index.b
    month = Score.objects.latest("month").month
    scores = Score.objects.filter(month=month)
    total = scores.count()
    assert total == Collectivity.objects.count() > 80
    with_data = list(scores.filter(has_data=True).order_by("-score"))
    assert with_data[0].collectivity == a

    with visitor(browser) as page:
        # From the menu of the network home.
        page.goto(f"{base}/{lang}/")
        page.locator(f'header nav a[href="/{lang}/openness/"]').click()
        expect(page).to_have_url(f"{base}/{lang}/openness/")
        in_language(page, lang)

        # The ranking: best first, those without data last and unranked; one page.
        rows = _ranking(page)
        expect(rows).to_have_count(PAGE_SIZE)
        first = rows.first
        expect(first.locator("td").first).to_have_text("1")
        expect(first.locator(f'th a[href="/{lang}/c/{a.slug}/openness/"]')).to_have_text(
            a.name_ar if lang == "ar" else a.name_fr
        )
        assert _number(first.locator("td").last.inner_text()) == with_data[0].score
        ranked = _ranked_slugs(page)
        assert ranked[: len(with_data)] == [s.collectivity.slug for s in with_data]
        no_data = page.locator("main #ranking-table tbody tr[data-no-data]")
        expect(no_data).to_have_count(PAGE_SIZE - len(with_data))
        expect(no_data.first.locator("td").first).to_have_text("—")

        # The map of the regions, drawn by the server: A's region coloured, the others
        # (nothing but provinces without data) white.
        region_map = page.locator("main svg.region-map")
        _drawn(region_map, DESKTOP["width"])
        expect(region_map.locator("path[data-code]")).to_have_count(12)
        assert a.region_id is not None
        souss = Collectivity.objects.get(pk=a.region_id)  # its code set by reference_load
        assert souss.code == "09"
        expect(region_map.locator('path[data-code="09"]')).not_to_have_attribute(
            "data-band", "none"
        )
        expect(region_map.locator('path[data-code][data-band="none"]')).to_have_count(11)
        # The charts: by region, by kind, month by month.
        charts = page.locator("main figure > svg")
        assert charts.count() >= 4
        for n in range(charts.count()):
            _drawn(charts.nth(n), DESKTOP["width"])
        # The figures behind a chart open without a script.
        details = page.locator("main #progress-title ~ details")
        expect(details.locator("table")).to_be_hidden()
        details.locator("summary").click()
        expect(details.locator("table tbody tr")).to_have_count(MONTHS_BACK + 1)
        # A rose since its first month scored: the most improved.
        improved = page.locator("main ol#improved > li")
        expect(improved.first.locator(f'a[href="/{lang}/c/{a.slug}/openness/"]')).to_have_count(1)
        shoot(page, tmp_path / "shots", f"openness-dashboard-flow-{lang}")

        # Filtered by kind: the communes only (A, then B).
        _filter(page, kind=Kind.COMMUNE, region="")
        query = parse_qs(urlsplit(page.url).query)
        assert query["kind"] == [Kind.COMMUNE]
        in_language(page, lang)
        expect(page.locator("main #filter-kind")).to_have_value(Kind.COMMUNE)
        assert _ranked_slugs(page) == [a.slug, b.slug]
        expect(page.locator("main nav a[rel=next]")).to_have_count(0)
        # By region: the Oriental's region and provinces, none with data.
        oriental = Collectivity.objects.get(kind=Kind.REGION, code="02")
        _filter(page, kind="", region=oriental.slug)
        expect(page.locator("main #filter-region")).to_have_value(oriental.slug)
        expected = set(
            Collectivity.objects.filter(region=oriental).values_list("slug", flat=True)
        ) | {oriental.slug}
        assert set(_ranked_slugs(page)) == expected
        expect(_ranking(page)).to_have_count(len(expected))
        expect(page.locator("main #ranking-table tbody tr:not([data-no-data])")).to_have_count(0)
        # Both: the communes of Souss-Massa.
        _filter(page, kind=Kind.COMMUNE, region=souss.slug)
        assert _ranked_slugs(page) == [a.slug, b.slug]

        # The pager keeps the filters; the last page holds the rest.
        page.goto(f"{base}/{lang}/openness/?kind={Kind.PROVINCE}")
        provinces = scores.filter(collectivity__kind=Kind.PROVINCE).count()
        assert provinces > PAGE_SIZE
        page.locator("main nav a[rel=next]").click()
        query = parse_qs(urlsplit(page.url).query)
        assert query == {"kind": [Kind.PROVINCE], "page": ["2"]}
        expect(_ranking(page)).to_have_count(min(PAGE_SIZE, provinces - PAGE_SIZE))

        # The scores as a dataset: the CSV answers.
        page.goto(f"{base}/{lang}/openness/")
        csv_link = page.locator("main ul.council-links a[download]")
        href = csv_link.get_attribute("href") or ""
        answer = page.context.request.get(base + href)
        assert answer.status == 200, href
        assert answer.headers["content-type"].startswith("text/csv")
        assert a.slug in answer.text()
        # The method, from its link.
        page.locator(f'main a[href="/{lang}/openness/method/"]').first.click()
        expect(page).to_have_url(f"{base}/{lang}/openness/method/")
        in_language(page, lang)


# ------------------------------------------------------------------ a collectivity


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_collectivity_page_shows_its_score_items_and_history(
    browser: Browser, live_server: LiveServer, index: World, lang: str
) -> None:
    base = live_server.url
    a = index.a
    score = Score.objects.filter(collectivity=a).latest("month")
    assert score.has_data
    stored = {item["code"]: item for item in score.items}
    history = list(Score.objects.filter(collectivity=a).order_by("-month"))
    assert len(history) == MONTHS_BACK + 1
    path = f"/{lang}/c/{a.slug}/openness/"

    with visitor(browser) as page:
        page.goto(f"{base}/{lang}/openness/")
        page.locator(f'main #ranking-table a[href="{path}"]').click()
        expect(page).to_have_url(base + path)
        in_language(page, lang)
        expect(page.locator("main h1")).to_contain_text(a.name_ar if lang == "ar" else a.name_fr)

        # The score, its rank among the communes with data, the method's version.
        expect(page.locator("main #score [data-score]")).to_have_attribute(
            "data-score", str(score.score)
        )
        assert _number(page.locator("main #score [data-score]").inner_text()) == score.score
        expect(page.locator("main #peer-rank")).to_contain_text("1")
        expect(page.locator(f'main #score a[href="/{lang}/openness/method/#v1"]')).to_have_count(1)

        # The nine items, each with its evidence and, where it has some, its advice.
        items = page.locator("main article[id^=item-]")
        expect(items).to_have_count(len(ITEMS))
        for code in ITEMS:
            item = page.locator(f"main article#item-{code}")
            expect(item.locator("h3")).to_have_count(1)
            expect(item.locator("ul.evidence > li").first).to_be_visible()
            advice = stored[code]["advice"]
            expect(item.locator("ul:not(.evidence) > li")).to_have_count(len(advice))
            # For programs: not localized ("0.0329" in Arabic and French alike).
            fraction = stored[code]["fraction"]
            expect(item).to_have_attribute(
                "data-fraction", "none" if fraction is None else str(fraction)
            )
        # The open-data item: A's seven datasets, current.
        expect(page.locator("main article#item-opendata ul.evidence")).to_contain_text("7")

        # Month by month: the chart and the table, newest first.
        chart = page.locator("main #history-title ~ figure > svg")
        _drawn(chart, DESKTOP["width"])
        rows = page.locator("main table#history tbody tr")
        expect(rows).to_have_count(len(history))
        assert _number(rows.first.locator("td").first.inner_text()) == score.score
        expect(rows.last.locator(f'a[href="/{lang}/openness/method/#v1"]')).to_have_count(1)

        # A province without anything to judge: "no data", not a failure, unranked.
        province = Collectivity.objects.filter(kind=Kind.PROVINCE).order_by("slug").first()
        assert province is not None
        page.goto(f"{base}/{lang}/c/{province.slug}/openness/")
        in_language(page, lang)
        expect(page.locator('main #score [data-score="none"]')).to_have_count(1)


# ------------------------------------------------------------------ method and weights


def _sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/ar/accounts/login/?next={next_path}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state("load")


def _second_factor(page: Page) -> None:
    """Enrol the authenticator from the key the page shows and give its code."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    key = (page.locator("main code[dir=ltr]").inner_text() or "").replace(" ", "")
    padded = key + "=" * (-len(key) % 8)
    token = totp(base64.b32decode(padded))
    page.locator("main input[name=token]").fill(f"{token:06d}")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state("load")


def test_a_network_admin_changes_a_weight_and_the_method_shows_version_2(
    browser: Browser,
    live_server: LiveServer,
    index: World,
    network_admin: User,
    staff_a: User,
    settings: Any,
    tmp_path: Path,
) -> None:
    # The second factor, as in production (the live server reads this setting).
    settings.INFITAH_REQUIRE_2FA = True
    base = live_server.url
    method = "/ar/openness/method/"
    weights = "/ar/openness/weights/"
    assert list(Method.objects.values_list("version", flat=True)) == [1]

    # Anonymous: sent to sign in; the method page offers no change.
    with visitor(browser) as page:
        page.goto(base + method)
        in_language(page, "ar")
        expect(page.locator(f'main a[href="{weights}"]')).to_have_count(0)
        page.goto(base + weights)
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    # Staff of a collectivity, past their second factor: the page does not exist.
    with visitor(browser) as page:
        _sign_in(page, base, staff_a.email, weights)
        _second_factor(page)
        answer = page.goto(base + weights)
        assert answer is not None and answer.status == 404
        page.goto(base + method)
        expect(page.locator(f'main a[href="{weights}"]')).to_have_count(0)

    with visitor(browser) as page:
        # The network admin signs in from the method page, follows its link and passes
        # the second factor.
        _sign_in(page, base, network_admin.email, method)
        expect(page).to_have_url(base + method)
        page.locator(f'main a[href="{weights}"]').click()
        _second_factor(page)
        expect(page).to_have_url(base + weights)
        in_language(page, "ar")
        fits(page)
        form = page.locator("main form[method=post]")
        for code in ITEMS:
            expect(form.locator(f'label[for="id_weight_{code}"]')).to_have_count(1)
            expect(form.locator(f"#id_weight_{code}")).to_have_value(str(DEFAULT_WEIGHTS[code]))

        # The weights in force again: said, nothing recorded.
        form.locator("#id_note").fill(NOTE)
        form.locator('button[type="submit"]').click()
        expect(page).to_have_url(base + weights)
        expect(page.locator('main form > [role="alert"]')).to_have_count(1)
        expect(page.locator("main form fieldset [role=alert]")).to_have_count(0)
        assert Method.objects.count() == 1
        # A weight that is no whole number: said beside its field, nothing recorded.
        form = page.locator("main form[method=post]")
        form.locator("#id_weight_budget").fill("-3")
        form.locator('button[type="submit"]').click()
        expect(page.locator("main form fieldset [role=alert]")).to_have_count(1)
        expect(page.locator("main form p:has(#id_weight_budget) [role=alert]")).to_have_count(1)
        expect(page.locator("main form #id_weight_budget")).to_have_value("-3")
        assert Method.objects.count() == 1

        # Budget from 10 to 20, with the note: version 2, shown on the method page.
        form = page.locator("main form[method=post]")
        form.locator("#id_weight_budget").fill("20")
        form.locator("#id_note").fill(NOTE)
        form.locator('button[type="submit"]').click()
        expect(page).to_have_url(base + method)
        expect(page.locator('main .messages[role="status"] > li.success')).to_have_count(1)
        in_language(page, "ar")
        v2 = page.locator("main article#v2")
        expect(v2).to_contain_text(NOTE)
        expect(v2.locator("h3 .tag")).to_have_count(1)  # in force
        expect(page.locator("main article#v1 h3 .tag")).to_have_count(0)
        expect(page.locator("main article#v1")).to_have_count(1)
        expect(page.locator("main #in-force")).to_contain_text("2")
        shoot(page, tmp_path / "shots", "openness-method-v2-ar")

        created = Method.objects.get(version=2)
        assert created.weights == {**DEFAULT_WEIGHTS, "budget": 20}
        assert created.note == NOTE and created.created_by == network_admin
        assert Method.objects.get(version=1).weights == DEFAULT_WEIGHTS
        # This month's scores were recomputed with version 2; A's page says so.
        month = Score.objects.latest("month").month
        assert not Score.objects.filter(month=month).exclude(method=created).exists()
        assert Score.objects.filter(month__lt=month).exclude(method__version=1).count() == 0
        page.goto(f"{base}/fr/c/{index.a.slug}/openness/")
        expect(page.locator('main #score a[href="/fr/openness/method/#v2"]')).to_have_count(1)

        # The weights page, audited signed in, in both languages.
        signed_in = page.context.storage_state()
    problems: list[str] = []
    for lang in ("ar", "fr"):
        url = f"{base}/{lang}/openness/weights/"
        problems += audit(
            browser,
            url,
            lang=lang,
            folder=tmp_path / "shots",
            name="openness-weights",
            storage_state=signed_in,
        )
        weight = first_view_bytes(browser, url, storage_state=signed_in)
        assert weight <= MAX_FIRST_VIEW_BYTES, f"{url}: {weight} bytes on a first view"
    assert not problems, "axe-core:\n" + "\n".join(problems)


# ------------------------------------------------------------------ every page


PAGES = {
    "dashboard": "/{lang}/openness/",
    "filtered": "/{lang}/openness/?kind=commune&region=souss-massa-test",
    "collectivity": "/{lang}/c/commune-a/openness/",
    "no-data": "/{lang}/c/oriental/openness/",
    "method": "/{lang}/openness/method/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_are_accessible_fit_a_phone_and_stay_light(
    browser: Browser, live_server: LiveServer, index: World, name: str, tmp_path: Path
) -> None:
    problems: list[str] = []
    for lang in ("ar", "fr"):
        url = live_server.url + PAGES[name].format(lang=lang)
        problems += [
            f"{lang} {p}"
            for p in audit(
                browser, url, lang=lang, folder=tmp_path / "shots", name=f"openness-{name}"
            )
        ]
        weight = first_view_bytes(browser, url)
        assert weight <= MAX_FIRST_VIEW_BYTES, f"{url}: {weight} bytes on a first view"
    assert not problems, "axe-core:\n" + "\n".join(problems)
