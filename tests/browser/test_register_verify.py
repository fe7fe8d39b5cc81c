"""Checking a file against the publication register in a real browser, on a phone.

The live server enforces CSRF as in production (the test client does not): a visitor
uploads a file, then pastes a SHA-256, in Arabic and in French at 360 px, and sees where
and when it was published; a POST without the form's token is refused (403).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from django.utils import timezone

from infitah.ledger.register_services import checkpoint_sign, register_append
from infitah.territories.models import Collectivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = b"%PDF-1.7 budget 2026 of the commune"
MINUTES = b"%PDF-1.7 minutes of the council, October session"


@pytest.fixture
def register(collectivity_a: Collectivity) -> None:
    for document_id, content in (("1", BUDGET), ("2", MINUTES)):
        register_append(
            action="publish",
            collectivity=collectivity_a,
            document_type="test.document",
            document_id=document_id,
            file_name=f"register-test/doc-{document_id}.pdf",
            file_sha256=hashlib.sha256(content).hexdigest(),
            metadata={"title": f"Document {document_id}"},
            published_at=timezone.now(),
        )
    checkpoint_sign()


def _assert_fits(page: Page, lang: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _submit(page: Page) -> None:
    with page.expect_response(re.compile(r"/register/verify/$")) as answer:
        page.locator('main form[method="post"] button[type="submit"]').click()
    assert answer.value.status == 200, answer.value.status
    page.wait_for_load_state("load")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_upload_a_file_then_paste_a_sha256_on_a_phone(
    page: Page,
    live_server,  # type: ignore[no-untyped-def]
    register: None,
    tmp_path: Path,
    lang: str,
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    url = f"{live_server.url}/{lang}/register/verify/"
    page.goto(url)
    _assert_fits(page, lang)

    # A file: hashed as it arrives, found in the register with a valid proof.
    page.locator('input[type="file"][name="file"]').set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": BUDGET}
    )
    _submit(page)
    result = page.locator("#result-title").locator("..")
    expect(result).to_contain_text(hashlib.sha256(BUDGET).hexdigest())
    expect(result).to_contain_text("test.document:1")
    expect(result.locator('[role="alert"]')).to_have_count(0)
    _assert_fits(page, lang)
    shot = tmp_path / f"register-verify-file-{lang}-360.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    # A pasted SHA-256 (upper case, with spaces, as copied from elsewhere).
    sha = hashlib.sha256(MINUTES).hexdigest()
    spaced = " ".join(sha[i : i + 8] for i in range(0, 64, 8)).upper()
    page.locator('input[name="sha256"]').fill(spaced)
    _submit(page)
    result = page.locator("#result-title").locator("..")
    expect(result).to_contain_text(sha)
    expect(result).to_contain_text("test.document:2")
    _assert_fits(page, lang)
    shot = tmp_path / f"register-verify-sha256-{lang}-360.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    # An unknown file: a plain answer, not an error page.
    page.locator('input[name="sha256"]').fill("")
    page.locator('input[type="file"][name="file"]').set_input_files(
        {"name": "other.pdf", "mimeType": "application/pdf", "buffer": b"not published"}
    )
    _submit(page)
    expect(page.locator("#result-title").locator("..")).to_contain_text(
        hashlib.sha256(b"not published").hexdigest()
    )


def test_a_post_without_the_csrf_token_is_refused(
    page: Page,
    live_server,  # type: ignore[no-untyped-def]
    register: None,
) -> None:
    url = f"{live_server.url}/fr/register/verify/"
    page.goto(url)  # the CSRF cookie is set, but the POST below carries no token
    sha = hashlib.sha256(BUDGET).hexdigest()
    refused = page.request.post(url, multipart={"sha256": sha}, headers={"Referer": url})
    assert refused.status == 403
    refused = page.request.post(
        url,
        multipart={"file": {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": BUDGET}},
        headers={"Referer": url},
    )
    assert refused.status == 403
