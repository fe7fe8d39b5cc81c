"""Every page of the demo, as a person would meet it, in a real browser.

The demo (`manage.py demo`) is loaded; the crawler (tests/browser/pages.py) walks it as
a visitor and as each demo account, and keeps one address per route. Each page is then
opened in Debian's chromium in every language, at 360 px (a phone) and at 1280 px, and
must:

- answer 200 in its language and direction;
- not be wider than the window (no sideways scrolling);
- break no word of a table cell over two lines, nor let a cell's text stick out of it
  (a table cell narrower than its longest word);
- have no axe-core violation (WCAG 2.0, 2.1 and 2.2, levels A and AA);
- show no code, template leftover or untranslated English (tests/browser/pages.py);
- weigh at most 30 KB on a first view (everything the browser fetches, compressed as
  production sends it).

Every link a person is shown must lead somewhere: a link answering 4xx or 5xx is a
finding too. All findings are reported together.

With INFITAH_SCREENSHOTS_DIR set, every page is photographed there (at each width and in
each language); INFITAH_UPDATE_SCREENSHOTS=1 rewrites the README's screenshots in
docs/screenshots/.
"""

from __future__ import annotations

import gzip
import io
import os
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response
from pytest_django.live_server_helper import LiveServer

from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import User
from infitah.complaints.models import Complaint
from infitah.core.demo import DEMO_COMMUNE_SLUG, demo_accounts, demo_load
from infitah.information.models import InformationRequest
from infitah.lib.languages import is_partial, is_staff_path
from infitah.lib.pii import pii_decrypt
from tests.browser.pages import Crawl, Found, crawl, raw_text_problems
from tests.browser.test_opendata import (
    DESKTOP,
    MAX_FIRST_VIEW_BYTES,
    PHONE,
    SCREENSHOTS_ENV,
    axe_source,
    visitor,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]
# The rows the data migrations seed besides the legal limits (the `legal_limits`
# fixture): the flush after another transactional test deletes them, and the site a
# newcomer runs has them.
SEEDS = [
    "infitah.information.migrations.0002_seed_court_appeal_limit",
    "infitah.finance.migrations.0002_seed_functions",
    "infitah.openness.migrations.0002_method_v1",
    "infitah.petitions.migrations.0002_seed_integrity_settings",
    "infitah.publication.migrations.0002_seed_catalogue",
]

ROOT = Path(__file__).resolve().parents[2]
README_SHOTS = ROOT / "docs" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# What the browser measures on the page: the page's width against the window's, and the
# table cells whose words break over two lines or stick out of the cell.
MEASURE = """() => {
  const problems = [];
  const page = document.scrollingElement.scrollWidth, window_ = window.innerWidth;
  if (page > window_) problems.push(`${page}px wide in a ${window_}px window`);
  const name = el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.getClientRects().length) continue;
    if (cell.scrollWidth > cell.clientWidth + 1) {
      problems.push(`a ${name(cell)} cell's text sticks out: "${cell.innerText.trim().slice(0, 40)}"`);
      continue;
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let broken = null;
    for (let node = walker.nextNode(); node && !broken; node = walker.nextNode()) {
      const re = /[^\\s\\-\u2010\u2013\u2014]+/g;  // a line may break after a hyphen or a dash
      let m;
      while ((m = re.exec(node.data)) && !broken) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.bottom / 4)));
        if (tops.size > 1) broken = m[0];
      }
    }
    if (broken) problems.push(`the word "${broken.slice(0, 40)}" breaks in a ${name(cell)} cell`);
  }
  return problems;
}"""


def _signed_in(client: Client, email: str) -> Client:
    assert client.login(username=email, password=DEMO_PASSWORD), email
    return client


def _state(client: Client, base: str) -> dict[str, Any] | None:
    """The browser cookies of a signed-in test client (its session)."""
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if session is None:
        return None
    host = base.split("://", 1)[1].split(":", 1)[0]
    cookie = {"name": session.key, "value": session.value, "domain": host, "path": "/"}
    return {"cookies": [cookie], "origins": []}


def _tracking_pages() -> list[str]:
    """The citizens' own pages, reached by the secret link sent to them."""
    pages = []
    request = InformationRequest.objects.order_by("pk").first()
    if request is not None:
        pages.append(f"/ar/information/track/{pii_decrypt(request.tracking_token_encrypted)}/")
    complaint = Complaint.objects.order_by("pk").first()
    if complaint is not None:
        pages.append(f"/ar/complaints/track/{pii_decrypt(complaint.tracking_token_encrypted)}/")
    return pages


def everything() -> tuple[Crawl, dict[str, Client]]:
    """The demo's pages, each with the first person who reaches it."""
    found = Crawl()
    clients: dict[str, Client] = {"visitor": Client()}
    public = ["/ar/", f"/ar/c/{DEMO_COMMUNE_SLUG}/", "/ar/search/?q=ميزانية"]
    crawl(clients["visitor"], "visitor", public + _tracking_pages(), found)
    for email, _description in demo_accounts():
        if not User.objects.filter(email=email).exists():
            continue
        clients[email] = _signed_in(Client(), email)
        crawl(clients[email], email, ["/ar/accounts/", "/ar/staff/", *public], found)
    return found, clients


def _collected(page: Page) -> list[Response]:
    """The responses the page receives from now on (Playwright wants a function of
    its own, not a bound method)."""
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    return responses


def languages_of(page: Found) -> list[str]:
    """Every language of the site for a page; a partial language (Tamazight) only for
    the pages a visitor reaches outside the staff's (docs/tamazight.md)."""
    return [
        code
        for code, _name in settings.LANGUAGES
        if not is_partial(code) or (page.who == "visitor" and not is_staff_path(page.path))
    ]


def _weigh(responses: list[Response]) -> int:
    total = 0
    for response in responses:
        if 300 <= response.status < 400:
            continue
        if response.headers.get("content-encoding"):
            total += response.request.sizes()["responseBodySize"]
        else:
            total += len(gzip.compress(response.body()))
    return total


def _axe(page: Page, source: str) -> list[str]:
    page.evaluate(source)
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"axe {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found["violations"]
    ]


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def check(
    browser: Browser, base: str, found: Found, lang: str, source: str, state: Any
) -> list[str]:
    """Everything the browser finds wrong with one page in one language."""
    path = found.path.replace("/ar/", f"/{lang}/", 1)
    problems: list[str] = []
    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        with visitor(browser, viewport, javascript=True, storage_state=state) as page:
            responses = _collected(page)
            answer = page.goto(base + path)
            if answer is None or answer.status != 200:
                return [f"{path}: answers {answer and answer.status}"]
            page.wait_for_load_state("load")
            html = page.locator("html")
            if html.get_attribute("lang") != lang:
                problems.append(f"lang={html.get_attribute('lang')!r}")
            direction = "rtl" if lang in settings.LANGUAGES_BIDI else "ltr"
            if html.get_attribute("dir") != direction:
                problems.append(f"dir={html.get_attribute('dir')!r}")
            if width == PHONE["width"] and (weight := _weigh(responses)) > MAX_FIRST_VIEW_BYTES:
                problems.append(f"{weight} bytes on a first view (at most {MAX_FIRST_VIEW_BYTES})")
            problems += page.evaluate(MEASURE)
            problems += _axe(page, source)
            if width == DESKTOP["width"]:
                problems += raw_text_problems(page.content(), lang)
            slug = path.strip("/").replace("/", "_")[:90] or "home"
            _shot(page, f"{slug}-{width}")
    return [f"{path} at {width}px as {found.who}: {p}" for p in dict.fromkeys(problems)]


def _readme_screenshots(browser: Browser, base: str, clients: dict[str, Client]) -> None:
    """The README's pictures, as JPEG (docs/screenshots/)."""
    from PIL import Image

    staff = _state(clients.get("complaints-officer@demo.infitah.ma", Client()), base)
    commune = f"/c/{DEMO_COMMUNE_SLUG}/"
    shots = [
        ("home", "/", None, ("ar-1280", "ar-360", "fr-360")),
        ("collectivity", commune, None, ("ar-1280", "ar-360", "fr-360")),
        ("documents", f"{commune}documents/", None, ("ar-1280",)),
        ("complaint-form", f"{commune}complaints/new/", None, ("ar-360",)),
        ("staff-inbox", "/staff/complaints/", staff, ("ar-1280",)),
    ]
    for name, path, state, variants in shots:
        for variant in variants:
            lang, width = variant.split("-")
            viewport = PHONE if width == "360" else DESKTOP
            with visitor(browser, viewport, storage_state=state) as page:
                page.goto(f"{base}/{lang}{path}")
                png = page.screenshot(full_page=width == "360")
            image = Image.open(io.BytesIO(png)).convert("RGB")
            image.save(README_SHOTS / f"{name}-{variant}.jpg", quality=72, optimize=True)


def test_every_page_reads_well_on_a_phone_and_a_desk_in_every_language(
    browser: Browser, live_server: LiveServer
) -> None:
    for seed in SEEDS:
        import_module(seed).seed(django_apps, None)
    # Then the limits' names in Arabic and French, as the migration after them does.
    import_module("infitah.deadlines.migrations.0005_legallimit_names").name(django_apps, None)
    demo_load(log=lambda _line: None, import_dataset=False)
    found, clients = everything()
    assert len(found.pages) > 100, (found.fetched, found.broken[:5], sorted(found.pages))
    source = axe_source()
    base = live_server.url
    problems = list(found.broken)
    states = {who: _state(client, base) for who, client in clients.items()}
    for page in found.pages.values():
        for lang in languages_of(page):
            problems += check(browser, base, page, lang, source, states[page.who])
    if os.environ.get("INFITAH_UPDATE_SCREENSHOTS") == "1":
        _readme_screenshots(browser, base, clients)
    assert not problems, f"{len(problems)} problems on {len(found.pages)} pages:\n" + "\n".join(
        problems
    )
