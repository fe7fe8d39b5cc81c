"""Real-browser fixtures: Playwright (sync API) driving Debian's chromium.

The browser is never downloaded: it is the system package at /usr/bin/chromium. Without
it the browser tests are skipped, unless INFITAH_REQUIRE_BROWSER=1 (set by .ci/run),
in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an asyncio event loop in this thread; Django would then
# refuse the ORM calls that the tests and the live server fixture make.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> bool:
    return os.environ.get("INFITAH_REQUIRE_BROWSER", "") == "1"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium package"
        if _require_browser():
            pytest.fail(f"{message} (INFITAH_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page at 1280 px. Every browser test is also a Content-Security-Policy test: a
    script, style or resource that the site's policy refuses fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
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
