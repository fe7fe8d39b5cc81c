"""The API's documentation page, /api/v1/docs, in a real browser: Swagger UI is served by
the site itself (django-ninja's static files), with no request to another host, and works
under the site's Content-Security-Policy (`script-src 'self'`, no inline script or style:
the `page` fixture fails the test on any refusal)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_loads_from_the_site_under_its_policy(page: Page, live_server) -> None:
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def note(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https"} and parts.netloc != own:
            elsewhere.append(request.url)

    page.on("request", note)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    # The operations are listed: the document was fetched and rendered by the scripts.
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/collectivities").first
    ).to_be_visible()
    expect(page.locator(".info .title")).to_contain_text("Infitah API")
    # An operation opens (Swagger UI's own interactivity).
    page.locator(".opblock-summary-path", has_text="/api/v1/calendar/limits").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
