"""The network admin's dead letters on a 360 px phone, in Arabic, without any script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from django.core import mail

from infitah.accounts.models import User
from infitah.notifications.models import EmailStatus, OutboundEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_ERROR = (
    "SMTPRecipientsRefused: {'fatima.zahra.benali@example.test': (550, b'5.1.1 "
    "<fatima.zahra.benali@example.test>: Recipient address rejected: User unknown in "
    "virtual mailbox table; see https://mail.example.test/postmaster/very/long/path')}"
)


def _assert_layout(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def test_dead_letter_resent_from_a_phone_in_arabic(
    browser: Browser, live_server, network_admin: User, tmp_path: Path
) -> None:
    email = OutboundEmail.objects.create(
        key="petition:signature:1",
        to="fatima.zahra.benali@example.test",
        subject="تأكيد توقيعكم على العريضة",
        body="https://example.test/ar/petitions/signatures/confirm/SECRET/",
        status=EmailStatus.DEAD,
        attempts=17,
        last_error=LONG_ERROR,
    )
    base = live_server.url
    path = "/ar/network/mail/"
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/ar/accounts/login/?next=/ar/accounts/")
        page.locator("#id_username").fill(network_admin.email)
        page.locator("#id_password").fill("test-password-123")
        page.locator('main form button[type="submit"]').click()
        page.locator(f'main a[href="{path}"]').click()  # linked from the workspace
        expect(page).to_have_url(base + path)
        _assert_layout(page)
        main = page.locator("main")
        expect(main).to_contain_text("f•••@example.test")
        expect(main).not_to_contain_text("fatima.zahra")
        expect(main).not_to_contain_text("SECRET")
        page.screenshot(path=str(tmp_path / "dead-letters-360.png"), full_page=True)

        # The button's accessible name says which e-mail it re-sends.
        button = page.get_by_role("button", name=re.compile("تأكيد توقيعكم"))
        expect(button).to_have_count(1)
        button.click()
        expect(page).to_have_url(base + path)
        _assert_layout(page)
        expect(page.locator(".messages")).to_have_count(1)
    finally:
        context.close()
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.resent_by == network_admin
    assert [m.to for m in mail.outbox] == [["fatima.zahra.benali@example.test"]]
