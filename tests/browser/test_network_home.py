"""The network home in a real browser: direction, language switch, search, keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from infitah.territories.models import Collectivity, Kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def beni_mellal() -> Collectivity:
    region = Collectivity.objects.create(
        kind=Kind.REGION,
        slug="beni-mellal-khenifra",
        name_ar="بني ملال خنيفرة",
        name_fr="Béni Mellal-Khénifra",
        code="R-05-TEST",
        population=2_525_801,
    )
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="azilal-test",
        name_ar="أزيلال",
        name_fr="Azilal",
        parent=region,
        region=region,
    )
    Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="demnate-test",
        name_ar="دمنات",
        name_fr="Demnate",
        parent=province,
        region=region,
        population=31_000,
        is_network_member=True,
    )
    return region


def _search(page: Page, text: str) -> None:
    # By id, not by label text: the label ("Find a collectivity") gets translated.
    field = page.locator("input#q")
    expect(page.locator('label[for="q"]')).to_have_count(1)
    field.fill(text)
    field.press("Enter")  # a plain GET form: Enter submits it without any script
    page.wait_for_load_state("load")


def test_network_home_rtl_language_switch_and_search(
    page: Page, live_server, beni_mellal: Collectivity, tmp_path: Path
) -> None:
    page.goto(f"{live_server.url}/ar/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    screenshot = tmp_path / "network-home-ar.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    page.locator('a[hreflang="fr"]').click()
    expect(page).to_have_url(re.compile(r"/fr/"))
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")

    _search(page, "béni-mellal")
    expect(page).to_have_url(re.compile(r"/fr/\?q=b"))
    results = page.locator("ul.results")
    expect(results.locator('a[href="/fr/c/beni-mellal-khenifra/"]')).to_have_text(
        "Béni Mellal-Khénifra"
    )

    page.goto(f"{live_server.url}/ar/")
    _search(page, "بنى ملال")  # alef maqsura for yeh: a frequent spelling
    link = page.locator('ul.results a[href="/ar/c/beni-mellal-khenifra/"]')
    expect(link).to_have_text("بني ملال خنيفرة")
    link.click()
    expect(page).to_have_url(f"{live_server.url}/ar/c/beni-mellal-khenifra/")
    expect(page.locator("h1")).to_have_text("بني ملال خنيفرة")
    expect(page.locator("ul.children")).to_contain_text("أزيلال")


def test_network_home_keyboard_and_landmarks(
    page: Page, live_server, beni_mellal: Collectivity
) -> None:
    page.goto(f"{live_server.url}/ar/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_class(re.compile(r"\bskip\b"))
    expect(focused).to_have_attribute("href", "#main")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    for landmark in ("main", "banner", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    assert page.get_by_role("navigation").count() >= 2  # main menu and languages
    assert page.locator("body > header").count() == 1
    assert page.locator("body > footer").count() == 1
