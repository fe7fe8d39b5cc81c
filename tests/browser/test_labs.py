"""A collective-intelligence lab in a real browser, in Arabic: a verified participant opens
the lab, votes on three statements with the agree / disagree / pass buttons (plain form
posts, no script), and after each vote the next statement appears."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import import_module

import pytest
from playwright.sync_api import Page, expect

from django.conf import settings
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.participation.labs import services
from infitah.participation.labs.models import Lab, LabReport, Vote
from infitah.participation.models import Participant
from infitah.participation.selectors import SESSION_KEY
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENTS = [
    "يجب نشر ميزانية الجماعة بشكل مبسط.",
    "ينبغي بث دورات المجلس مباشرة على الإنترنت.",
    "يجب أن يبقى مكتب الاستقبال مفتوحا لمن لا يستعمل الإنترنت.",
    "التكوين في الحق في الحصول على المعلومات ضروري لموظفي الجماعة.",
]


@pytest.fixture
def lab(collectivity_a: Collectivity) -> Lab:
    focal = User.objects.create_user(email="focal@commune-a.test", password="focal-pass-2026")
    Membership.objects.create(user=focal, collectivity=collectivity_a, role=Role.FOCAL_POINT)
    now = timezone.now()
    lab = services.lab_create(
        collectivity=collectivity_a,
        actor=focal,
        data=services.LabInput(
            question_ar="كيف نجعل جماعتنا أكثر انفتاحا؟",
            question_fr="Comment rendre notre commune plus ouverte ?",
            description_ar="صوّتوا على العبارات واحدة تلو الأخرى.",
            description_fr="",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=7),
            moderate_statements=True,
        ),
        seed=7,
    )
    services.statements_seed(lab=lab, actor=focal, texts=STATEMENTS)
    return lab


def _sign_in_participant(page: Page, base: str, participant: Participant) -> None:
    """The session a confirmed e-mail link leaves behind (the join flow has its own
    browser-free tests): a session holding the participant's id, as a cookie."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = participant.pk
    store.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": base}]
    )


def _assert_arabic_layout(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def test_a_participant_votes_on_three_statements_in_arabic(
    page: Page,
    live_server,  # type: ignore[no-untyped-def]
    lab: Lab,
) -> None:
    base = live_server.url
    participant = make_participant(email="amina@example.test", display_name="أمينة")
    _sign_in_participant(page, base, participant)
    detail = f"/ar/c/{lab.collectivity.slug}/labs/{lab.pk}/"
    vote_path = f"{detail}vote/"

    page.goto(base + detail)
    _assert_arabic_layout(page)
    expect(page.locator("h1")).to_have_text("كيف نجعل جماعتنا أكثر انفتاحا؟")
    page.locator(f'main a[href="{vote_path}"]').click()
    expect(page).to_have_url(base + vote_path)
    _assert_arabic_layout(page)

    seen: list[str] = []
    for value in ("1", "-1", "0"):
        shown = page.locator("#statement-text")
        text = shown.inner_text().strip()
        assert text in STATEMENTS and text not in seen
        seen.append(text)
        page.locator(f'main form.vote button[name="vote"][value="{value}"]').click()
        expect(page).to_have_url(base + vote_path)
        expect(page.locator('.messages [class*="success"]')).to_have_count(1)
        # The next statement is on the page, not the one just voted on.
        expect(page.locator("#statement-text")).not_to_have_text(text)
        _assert_arabic_layout(page)

    votes = {v.statement.text: v.value for v in Vote.objects.select_related("statement")}
    assert votes == dict(zip(seen, (1, -1, 0), strict=True))
    assert page.locator("#statement-text").inner_text().strip() not in seen
    expect(page.locator("#current-title")).to_contain_text("4")

    # The report was computed in the background (the test backend runs the task when
    # the vote's transaction commits), and the public report page draws its map.
    assert LabReport.objects.filter(lab=lab).exists()
    page.locator(f'main a[href="{detail}report/"]').click()
    expect(page.locator("main svg[role=img] title")).to_have_count(1)
    assert re.search(r"/report/$", page.url)
    _assert_arabic_layout(page)
