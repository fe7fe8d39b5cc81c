"""The open-data catalogue in a real browser (issue 18): the search of every dataset,
a dataset's page and a collectivity's datasets, in Arabic (right to left) and French.

The data are written through the apps' own services (infitah/opendata/tests/world.py:
communes A and B with documents, information requests, complaints and petitions, and an
open-data CSV uploaded by A's staff), then `datasets_sync()` builds the catalogue from
every source the apps declare: seven datasets of A, one of B.

- with JavaScript off, the catalogue is searched with an Arabic word and a French word
  typed without its accent, and filtered by publisher and by format (plain GET forms);
- a dataset's page carries its schema.org JSON-LD block, whose downloads are the page's
  own links; the CSV, the JSON and the data package answer 200 with their media type,
  fetched through the browser's request context, and the link downloads the CSV;
- a collectivity's page lists its own datasets only;
- every page, in both languages, at 360 px and 1280 px: axe-core finds no violation,
  nothing sticks out sideways at 360 px, and the first view weighs at most 30 KB.

axe-core needs scripts to run: the audits use a context with JavaScript on (the pages
have no script of their own, so they render the same); everything a visitor does runs
with JavaScript off. axe-core is the copy shipped in the `axe-playwright-python` wheel
(the tests only read its file); without it the tests are skipped, unless
INFITAH_REQUIRE_BROWSER=1, where that fails.

Screenshots (`opendata-<page>-<lang>-<width>.png`) go to pytest's tmp_path, copied to the
folder INFITAH_SCREENSHOTS_DIR names, when set. The helpers below are shared with
test_openness.py.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from django.apps import apps as django_apps

from infitah.opendata.models import Dataset
from infitah.opendata.sources import registry
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.world import OPEN_DATA_CSV, World, build_world
from infitah.territories.models import Collectivity

# legal_limits (conftest.py): the limits a transactional test before this one emptied
# (the world's complaints and requests start their legal clocks).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

SCREENSHOTS_ENV = "INFITAH_SCREENSHOTS_DIR"
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
MAX_FIRST_VIEW_BYTES = 30 * 1024
# The reference rows the migrations seed, which a transactional test before this one
# emptied: the seed functions are idempotent.
SEEDS = (
    ("infitah.publication.migrations.0002_seed_catalogue", "seed"),
    ("infitah.information.migrations.0002_seed_court_appeal_limit", "seed"),
    ("infitah.petitions.migrations.0002_seed_integrity_settings", "seed"),
    ("infitah.finance.migrations.0002_seed_functions", "seed"),
    ("infitah.openness.migrations.0002_method_v1", "seed"),
    ("infitah.opendata.migrations.0002_open_data_category", "create"),
    ("infitah.opendata.migrations.0003_open_data_not_scored", "unscore"),
)


def seed_reference_data() -> None:
    for module, function in SEEDS:
        getattr(import_module(module), function)(django_apps, None)


# ------------------------------------------------------------------ shared helpers


def axe_source() -> str:
    """axe-core's script, as the `axe-playwright-python` wheel ships it."""
    try:
        return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        message = f"axe-core not found (pip install axe-playwright-python): {exc}"
        if os.environ.get("INFITAH_REQUIRE_BROWSER", "") == "1":
            pytest.fail(f"{message} (INFITAH_REQUIRE_BROWSER=1)")
        pytest.skip(message)


@contextmanager
def visitor(
    browser: Browser,
    viewport: ViewportSize = DESKTOP,
    *,
    javascript: bool = False,
    storage_state: Any = None,
) -> Iterator[Page]:
    """A fresh browser (its own cookies and cache), JavaScript off unless asked; a
    script, style or resource the Content-Security-Policy refuses fails the test."""
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, storage_state=storage_state
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not refused, f"refused by the Content-Security-Policy: {refused}"


def in_language(page: Page, lang: str) -> None:
    """The page is in `lang`, in its direction."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")


def fits(page: Page) -> None:
    """Nothing sticks out sideways: the page is no wider than the window."""
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{page.url} is {width}px wide in a {window}px window"


def shoot(page: Page, folder: Path, name: str) -> Path:
    """A full-page screenshot, copied to INFITAH_SCREENSHOTS_DIR when set."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    copies = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if copies:
        Path(copies).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copies) / path.name)
    return path


def axe_violations(page: Page, source: str) -> list[str]:
    """axe-core's violations on the page as loaded (every rule that axe runs by default:
    WCAG 2 A and AA, and its best practices), one line each: rule, impact, targets."""
    page.evaluate(source)
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:5]} — {v['help']}"
        for v in found["violations"]
    ]


def audit(
    browser: Browser,
    url: str,
    *,
    lang: str,
    folder: Path,
    name: str,
    storage_state: Any = None,
) -> list[str]:
    """The page at 360 px and 1280 px: in `lang` and its direction, axe-core's
    violations (returned, for the caller to assert or report), nothing wider than the
    phone's screen at 360 px, and a screenshot at each width (`<name>-<lang>-<width>`)."""
    source = axe_source()
    problems: list[str] = []
    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        with visitor(browser, viewport, javascript=True, storage_state=storage_state) as page:
            answer = page.goto(url)
            assert answer is not None and answer.status == 200, url
            in_language(page, lang)
            shoot(page, folder, f"{name}-{lang}-{width}")
            if width == PHONE["width"]:
                fits(page)
            problems += [f"{width}px: {v}" for v in axe_violations(page, source)]
    return problems


def first_view_bytes(browser: Browser, url: str, *, storage_state: Any = None) -> int:
    """What a first visit (empty cache) to `url` transfers: every response the browser
    asks for (the page, its stylesheet, any image), gzip-compressed as production sends
    them (HTML by the reverse proxy, static files pre-compressed by WhiteNoise:
    docs/operations.md) — the way the pages' own tests weigh a first view."""
    with visitor(browser, PHONE, storage_state=storage_state) as page:
        responses: list[Response] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(url)
        page.wait_for_load_state("load")
        total = 0
        for response in responses:
            if 300 <= response.status < 400:
                continue
            if response.headers.get("content-encoding"):
                total += response.request.sizes()["responseBodySize"]
            else:
                total += len(gzip.compress(response.body()))
        return total


def listed(page: Page) -> set[str]:
    """The names of the datasets the list shows."""
    ids = page.locator('main ul.tracker > li[id^="dataset-"]').evaluate_all(
        "items => items.map(item => item.id)"
    )
    return {str(i).removeprefix("dataset-") for i in ids}


# ------------------------------------------------------------------ the world


@pytest.fixture
def catalogue(
    collectivity_a: Collectivity, collectivity_b: Collectivity, settings: Any, tmp_path: Path
) -> World:
    """The world of the open-data tests and its catalogue (uploads in tmp_path: the live
    server runs in this process and reads the settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_reference_data()
    world = build_world(collectivity_a, collectivity_b)
    datasets_sync()
    return world


def _names(**filters: Any) -> set[str]:
    return set(Dataset.objects.active().filter(**filters).values_list("name", flat=True))


def _submit(page: Page) -> None:
    """Submit the catalogue's search form as a person does without any script."""
    page.locator('main form.search button[type="submit"]').click()
    page.wait_for_load_state("load")


# ------------------------------------------------------------------ the tests


def test_the_catalogue_is_searched_and_filtered_without_javascript(
    browser: Browser, live_server: LiveServer, catalogue: World
) -> None:
    base = live_server.url
    everything = _names()
    of_a = _names(collectivity=catalogue.a)
    assert len(everything) == 8 and len(of_a) == 7
    # The word "complaints" is in the titles of two datasets and in the description of
    # the information requests' statistics (which count the requests turned complaints).
    complaints = {
        "commune-a-complaint-answers",
        "commune-a-complaint-statistics",
        "commune-a-information-statistics",
    }
    assert complaints <= of_a

    with visitor(browser) as page:
        # Arabic: every dataset listed; a word finds the three that use it.
        page.goto(f"{base}/ar/data/")
        in_language(page, "ar")
        expect(page.locator("main h1")).to_have_count(1)
        assert listed(page) == everything
        form = page.locator("main form.search")
        expect(form).to_have_attribute("method", "get")
        expect(form.locator('label[for="id_q"]')).to_have_count(1)
        form.locator("#id_q").fill("الشكايات")
        _submit(page)
        query = parse_qs(urlsplit(page.url).query)
        assert urlsplit(page.url).path == "/ar/data/" and query["q"] == ["الشكايات"]
        in_language(page, "ar")
        assert listed(page) == complaints
        expect(page.locator("main #id_q")).to_have_value("الشكايات")
        # The publisher alone (the word emptied): B's one dataset.
        page.locator("main #id_q").fill("")
        page.locator("main #id_collectivity").select_option("commune-b")
        _submit(page)
        assert listed(page) == {"commune-b-documents"}
        expect(page.locator("main #id_collectivity")).to_have_value("commune-b")

        # French: a word typed without its accent, then a publisher and a format.
        page.goto(f"{base}/fr/data/")
        in_language(page, "fr")
        page.locator("main #id_q").fill("reclamations")
        _submit(page)
        assert listed(page) == complaints
        page.locator("main #id_q").fill("")
        page.locator("main #id_collectivity").select_option("commune-a")
        page.locator("main #id_format").select_option("JSON")
        _submit(page)
        query = parse_qs(urlsplit(page.url).query)
        assert query["collectivity"] == ["commune-a"] and query["format"] == ["JSON"]
        expected = _names(collectivity=catalogue.a, resources__format="JSON")
        assert listed(page) == expected and len(expected) == 6  # not the uploaded CSV
        # A result leads to its page.
        name = sorted(expected)[0]
        page.locator(f'main li#dataset-{name} h3 a[href="/fr/data/{name}/"]').click()
        expect(page).to_have_url(f"{base}/fr/data/{name}/")
        in_language(page, "fr")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_dataset_page_gives_its_files_and_its_json_ld(
    browser: Browser, live_server: LiveServer, catalogue: World, lang: str
) -> None:
    base = live_server.url
    dataset = Dataset.objects.get(name="commune-a-petitions")
    resources = list(dataset.resources.order_by("position"))
    assert [r.format for r in resources] == ["CSV", "JSON", "datapackage"]
    columns = [c.name for c in registry()["petitions"].columns]
    path = f"/{lang}/data/{dataset.name}/"

    with visitor(browser) as page:
        page.goto(f"{base}/{lang}/data/")
        page.locator(f'main a[href="{path}"]').click()
        expect(page).to_have_url(base + path)
        in_language(page, lang)
        title = dataset.title_ar if lang == "ar" else dataset.title_fr
        expect(page.locator("main h1")).to_have_text(title)

        # The JSON-LD block: a schema.org Dataset whose downloads are the page's links.
        blocks = page.locator('head script[type="application/ld+json"]')
        expect(blocks).to_have_count(1)
        described = json.loads(blocks.text_content() or "")
        assert described["@type"] == "Dataset" and described["name"] == title
        assert described["url"] == base + path
        assert str(dataset.id) in described["identifier"]
        assert described["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert described["spatialCoverage"]["name"] == (
            catalogue.a.name_ar if lang == "ar" else catalogue.a.name_fr
        )
        assert [(d["contentUrl"], d["encodingFormat"]) for d in described["distribution"]] == [
            (base + r.url, r.media_type) for r in resources
        ]

        # Every download link answers, with its media type.
        links = page.locator("main #resources-title ~ table a[download]")
        expect(links).to_have_count(len(resources))
        for resource, link in zip(resources, links.all(), strict=True):
            expect(link).to_have_attribute("href", resource.url)
            answer = page.context.request.get(base + resource.url)
            assert answer.status == 200, resource.url
            assert answer.headers["content-type"].split(";")[0] == resource.media_type
            body = answer.body()
            if resource.format == "CSV":
                header = body.decode("utf-8-sig").split("\r\n", 1)[0]
                assert header == ",".join(columns)
                assert body.decode("utf-8-sig").count("\r\n") == 1 + dataset.row_count
            elif resource.format == "JSON":
                rows = json.loads(body)
                assert rows["dataset"] == dataset.name and rows["count"] == dataset.row_count
                assert list(rows["rows"][0]) == columns
            else:
                package = json.loads(body)
                assert package["profile"] == "tabular-data-package"
                assert package["resources"][0]["path"] == base + resources[0].url
        # The link itself downloads the CSV (no script: the `download` attribute).
        with page.expect_download() as info:
            links.first.click()
        saved = Path(info.value.path()).read_bytes().decode("utf-8-sig")
        assert saved.startswith(",".join(columns))
        assert catalogue.collecting.title in saved and catalogue.lodged.title in saved

        # The file a collectivity uploaded: its page links the document's own file.
        upload = Dataset.objects.get(collectivity=catalogue.a, source=Dataset.UPLOAD)
        page.goto(f"{base}/{lang}/data/{upload.name}/")
        link = page.locator("main #resources-title ~ table a[download]")
        expect(link).to_have_count(1)
        href = link.get_attribute("href") or ""
        answer = page.context.request.get(base + href)
        assert answer.status == 200, href
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.body() == OPEN_DATA_CSV.encode()
        expect(page.locator('head script[type="application/ld+json"]')).to_have_count(1)


def test_a_collectivity_lists_its_own_datasets(
    browser: Browser, live_server: LiveServer, catalogue: World
) -> None:
    base = live_server.url
    with visitor(browser) as page:
        for lang in ("ar", "fr"):
            path = f"/{lang}/c/{catalogue.a.slug}/data/"
            # Linked from the collectivity's home.
            page.goto(f"{base}/{lang}/c/{catalogue.a.slug}/")
            page.locator(f'main a[href="{path}"]').first.click()
            expect(page).to_have_url(base + path)
            in_language(page, lang)
            expect(page.locator("main h1")).to_contain_text(
                catalogue.a.name_ar if lang == "ar" else catalogue.a.name_fr
            )
            assert listed(page) == _names(collectivity=catalogue.a)
            expect(page.locator('main li[id^="dataset-commune-b"]')).to_have_count(0)
            # …and from there, every collectivity's.
            page.locator(f'main a[href="/{lang}/data/"]').click()
            expect(page).to_have_url(f"{base}/{lang}/data/")
            assert listed(page) == _names()
        page.goto(f"{base}/fr/c/{catalogue.b.slug}/data/")
        assert listed(page) == {"commune-b-documents"}


PAGES = {
    "catalogue": "/{lang}/data/",
    "filtered": "/{lang}/data/?collectivity=commune-a&format=CSV",
    "dataset": "/{lang}/data/commune-a-petitions/",
    "collectivity": "/{lang}/c/commune-a/data/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_are_accessible_fit_a_phone_and_stay_light(
    browser: Browser, live_server: LiveServer, catalogue: World, name: str, tmp_path: Path
) -> None:
    problems: list[str] = []
    for lang in ("ar", "fr"):
        url = live_server.url + PAGES[name].format(lang=lang)
        problems += [
            f"{lang} {p}"
            for p in audit(
                browser, url, lang=lang, folder=tmp_path / "shots", name=f"opendata-{name}"
            )
        ]
        weight = first_view_bytes(browser, url)
        assert weight <= MAX_FIRST_VIEW_BYTES, f"{url}: {weight} bytes on a first view"
    assert not problems, "axe-core:\n" + "\n".join(problems)


def test_a_bad_filter_is_said_and_never_run_as_markup(
    browser: Browser, live_server: LiveServer, catalogue: World
) -> None:
    base = live_server.url
    with visitor(browser) as page:
        answer = page.goto(f"{base}/ar/data/?collectivity=nowhere&q=%3Cb%3Ex%3C%2Fb%3E")
        assert answer is not None and answer.status == 200
        in_language(page, "ar")
        expect(page.locator('main form.search [role="alert"]')).to_have_count(1)
        expect(page.locator("main b")).to_have_count(0)
        expect(page.locator("main #id_q")).to_have_value("<b>x</b>")
