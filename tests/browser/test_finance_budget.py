"""The citizen budget in a real browser (issue 17): commune A's budget of 2026, written
with the ORM (infitah/finance/tests/budget_public_world.py: an amended budget, an
execution, the year before, key documents, a funded commitment, gender markers).

- at 360 px in Arabic, JavaScript off: the page is right-to-left, its charts are drawn
  and fit the screen, the bars are mirrored (they start on the right), the table of a
  chart opens without JavaScript (<details>), and nothing sticks out sideways; the link
  to the gender report leads to it, its charts fit too;
- the budgets' list and the gender report at 360 px;
- at 1280 px in French: the same page, left-to-right, the charts no wider than their
  container, the links to the CSV and the data package answer.

Screenshots at 360 px and 1280 px go to pytest's tmp_path (copied to the folder
INFITAH_SCREENSHOTS_DIR names, when set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from django.apps import apps as django_apps

from infitah.finance.tests.budget_public_world import World, build_world
from infitah.territories.models import Collectivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS_ENV = "INFITAH_SCREENSHOTS_DIR"
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture
def world(collectivity_a: Collectivity, prefecture: Collectivity) -> World:
    # The reference data a transactional test before this one may have emptied.
    import_module("infitah.finance.migrations.0002_seed_functions").seed(django_apps, None)
    import_module("infitah.publication.migrations.0002_seed_catalogue").seed(django_apps, None)
    return build_world(collectivity_a, prefecture)


@contextmanager
def _visitor(browser: Browser, viewport: ViewportSize) -> Iterator[Page]:
    """A fresh browser, JavaScript off; a resource the Content-Security-Policy refuses
    fails the test."""
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
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


def _fits(page: Page, lang: str) -> None:
    """The page is in `lang`, in its direction, and nothing sticks out sideways."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _shoot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot at the page's viewport, copied when asked."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"finance-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    copies = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if copies:
        Path(copies).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copies) / path.name)


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def _charts_fit(page: Page, width: int) -> int:
    """Every chart is drawn (not empty) inside the viewport's width; their number."""
    charts = page.locator("main figure > svg.bar-chart")
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 100 and box["height"] > 40, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
    return count


def test_citizen_budget_at_360_px_in_arabic_and_1280_px_in_french(
    live_server: object, browser: Browser, world: World, tmp_path: Path
) -> None:
    base = str(getattr(live_server, "url"))  # noqa: B009 - pytest-django's LiveServer
    slug = world.collectivity.slug
    path = f"/ar/c/{slug}/finance/budgets/2026/"
    shots = tmp_path / "shots"

    with _visitor(browser, PHONE) as phone:
        # The budgets' list leads to the year.
        phone.goto(f"{base}/ar/c/{slug}/finance/")
        _fits(phone, "ar")
        expect(phone.locator("main ul.tracker > li.card")).to_have_count(2)
        _shoot(phone, shots, "budgets-ar-360")
        phone.locator(f'main a[href="{path}"]').first.click()
        expect(phone).to_have_url(base + path)
        _fits(phone, "ar")

        # Five charts (revenue by section and chapter, expenditure by section and
        # function, the years), each drawn within the screen.
        assert _charts_fit(phone, PHONE["width"]) == 5
        # Mirrored: a bar starts at the right end of its chart.
        figure = _box(phone, "main figure#expenditure-section > svg")
        bar = _box(phone, "main figure#expenditure-section svg rect.bar >> nth=0")
        assert abs((bar["x"] + bar["width"]) - (figure["x"] + figure["width"])) < 8
        # The largest bar is the whole plot, the second one in proportion (5.7 M and
        # 4.8 M of expenditure by section).
        second = _box(phone, "main figure#expenditure-section svg rect.bar >> nth=1")
        assert second["width"] / bar["width"] == pytest.approx(4.8 / 5.7, abs=0.01)
        # The table alternative opens without JavaScript, and fits.
        details = phone.locator("main figure#expenditure-function + details")
        table = details.locator("table")
        expect(table).to_be_hidden()
        details.locator("summary").click()
        expect(table).to_be_visible()
        expect(table.locator("tbody tr")).to_have_count(4)
        _fits(phone, "ar")
        # The key documents: eight, the enacted budget linked to the publication page.
        expect(phone.locator("main #documents + ul > li")).to_have_count(8)
        enacted = phone.locator('main li[data-kind="enacted"] a')
        expect(enacted).to_have_attribute("href", f"/ar/c/{slug}/documents/{world.enacted_doc.pk}/")
        _shoot(phone, shots, "budget-ar-360")

        # The gender report, from the page's link.
        gender = f"/ar/c/{slug}/finance/budgets/2026/gender/"
        phone.locator(f'main a[href="{gender}"]').click()
        expect(phone).to_have_url(base + gender)
        _fits(phone, "ar")
        assert _charts_fit(phone, PHONE["width"]) == 2
        expect(phone.locator("main #unmarked-lines > li")).to_have_count(2)
        expect(phone.locator("main #marker-shares tbody tr")).to_have_count(4)
        _shoot(phone, shots, "gender-ar-360")

    with _visitor(browser, DESKTOP) as desktop:
        french = f"/fr/c/{slug}/finance/budgets/2026/"
        desktop.goto(base + french)
        _fits(desktop, "fr")
        assert _charts_fit(desktop, DESKTOP["width"]) == 5
        # Not mirrored: bars start on the left; a chart is no wider than its container.
        figure = _box(desktop, "main figure#expenditure-section > svg")
        bar = _box(desktop, "main figure#expenditure-section svg rect.bar >> nth=0")
        assert abs(bar["x"] - figure["x"]) < 8
        assert figure["width"] <= 480.5
        _shoot(desktop, shots, "budget-fr-1280")
        # The downloads answer.
        csv_link = desktop.locator(f'main a[href="{french}lines.csv"]')
        expect(csv_link).to_have_count(1)
        answer = desktop.context.request.get(base + french + "lines.csv")
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.text().startswith("direction,phase,section,")
        package = desktop.locator(f'main a[href="/api/v1/c/{slug}/budgets/2026/datapackage.json"]')
        expect(package).to_have_count(1)
        described = desktop.context.request.get(
            f"{base}/api/v1/c/{slug}/budgets/2026/datapackage.json"
        ).json()
        assert described["profile"] == "tabular-data-package"
        assert described["resources"][0]["path"].endswith(
            f"/api/v1/c/{slug}/budgets/2026/lines.csv"
        )
        desktop.goto(f"{base}/fr/c/{slug}/finance/budgets/2026/gender/")
        _fits(desktop, "fr")
        _shoot(desktop, shots, "gender-fr-1280")
