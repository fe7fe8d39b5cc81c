"""A public consultation in a real browser, in Arabic: join → comment → approve → visible.

A visitor opens the commune's consultation on its draft action plan, follows "take
part", joins with an e-mail address, confirms it from the link of the e-mail (a page
with a button) and comes back to the consultation; supports the first section and
comments on it. The comment waits for moderation (pre-moderation): the author sees it,
the public does not. The focal point signs in, approves it from the moderation queue;
an anonymous visitor then reads it under the section, with the author's display name.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.notifications.models import OutboundEmail
from infitah.participation.consultations import services
from infitah.participation.consultations.models import Comment, Consultation, Stance
from infitah.participation.consultations.workflow import Kind, Moderation
from infitah.territories.models import Collectivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCAL_PASSWORD = "focal-point-password-2026"
EMAIL = "souad.participant@example.test"
NAME = "سعاد"
COMMENT = "أقترح نشر جدول زمني لمعالجة كل طلب معلومات حتى يتتبع المواطن طلبه."


@pytest.fixture
def focal(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="focal@commune-a.test", password=FOCAL_PASSWORD, full_name="نقطة الارتكاز"
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.FOCAL_POINT)
    return user


@pytest.fixture
def consultation(collectivity_a: Collectivity, focal: User) -> Consultation:
    now = timezone.now()
    found = services.consultation_create(
        collectivity=collectivity_a,
        actor=focal,
        data=services.ConsultationInput(
            kind=Kind.ACTION_PLAN,
            title_ar="مسودة خطة عمل الجماعة المنفتحة",
            title_fr="Projet de plan d’action de la commune ouverte",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=10),
            moderation=Moderation.PRE,
        ),
    )
    for order, (title, body) in enumerate(
        [
            ("الحق في الحصول على المعلومات والنشر الاستباقي", "نشر المعطيات المالية استباقيا."),
            ("إشراك المواطنات والمواطنين في الميزانية", "تقديم ميزانية مبسطة كل سنة."),
        ],
        start=1,
    ):
        services.section_save(
            consultation=found,
            actor=focal,
            order=order,
            title_ar=title,
            title_fr="",
            body_ar=body,
            body_fr="",
        )
    return found


def _assert_arabic_layout(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def test_participant_comments_in_arabic_staff_approves_comment_visible(
    page: Page,
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    collectivity_a: Collectivity,
    consultation: Consultation,
    focal: User,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    detail = f"/ar/c/{slug}/consultations/{consultation.pk}/"
    section = consultation.sections.order_by("order").first()  # type: ignore[attr-defined]
    assert section is not None

    # The list links to the consultation; the consultation invites to take part.
    page.goto(f"{base}/ar/c/{slug}/consultations/")
    _assert_arabic_layout(page)
    page.locator(f'main a[href="{detail}"]').click()
    expect(page).to_have_url(base + detail)
    _assert_arabic_layout(page)
    expect(page.locator("main textarea")).to_have_count(0)
    page.locator('main a[href*="/ar/participation/join/"]').click()

    # Join, then confirm from the e-mail's link: back on the consultation.
    form = page.locator('main form[method="post"]')
    form.locator('input[name="email"]').fill(EMAIL)
    form.locator('input[name="display_name"]').fill(NAME)
    form.locator('input[name="commune"]').fill(collectivity_a.name_ar)
    form.locator('input[name="gender"][value="female"]').check()
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    mail = OutboundEmail.objects.get(to=EMAIL)
    link = re.search(r"https?://\S+/participation/confirm/\S+", mail.body)
    assert link is not None, mail.body
    parts = urlsplit(link.group(0))
    page.goto(f"{base}{parts.path}?{parts.query}")
    _assert_arabic_layout(page)
    page.locator('main form[method="post"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base + detail) + r"(#.*)?$"))
    _assert_arabic_layout(page)

    # Support the first section, then comment on it.
    stance = page.locator(f'main form[action$="/sections/{section.pk}/stance/"]')
    stance.locator('button[value="support"]').click()
    expect(page).to_have_url(re.compile(re.escape(base + detail) + rf"#section-{section.pk}$"))
    assert Stance.objects.get().value == "support"
    expect(
        page.locator(f'main form[action$="/sections/{section.pk}/stance/"] button[value="support"]')
    ).to_have_attribute("aria-pressed", "true")
    comment_form = page.locator(f'main form[action$="/sections/{section.pk}/comment/"]').last
    comment_form.locator('textarea[name="text"]').fill(COMMENT)
    comment_form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base + detail) + rf"#section-{section.pk}$"))
    comment = Comment.objects.get()
    assert (comment.text, comment.status, comment.section_id) == (COMMENT, "pending", section.pk)
    assert comment.participant.display_name == NAME
    # The author sees it awaiting moderation; the public does not.
    expect(page.locator(f"main #comment-{comment.pk}")).to_contain_text(COMMENT)
    _assert_arabic_layout(page)
    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        public = visitor.new_page()
        public.set_default_timeout(10_000)
        public.goto(base + detail)
        expect(public.locator("main")).not_to_contain_text(COMMENT)

        # The focal point approves it from the moderation queue.
        staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            staff = staff_context.new_page()
            staff.set_default_timeout(10_000)
            queue = f"/ar/staff/{slug}/consultations/{consultation.pk}/moderation/"
            staff.goto(f"{base}/ar/accounts/login/?next={queue}")
            staff.locator("#id_username").fill(focal.email)
            staff.locator("#id_password").fill(FOCAL_PASSWORD)
            staff.locator('main form button[type="submit"]').click()
            expect(staff).to_have_url(base + queue)
            _assert_arabic_layout(staff)
            expect(staff.locator("main")).to_contain_text(COMMENT)
            staff.locator(f'main form[action*="/comments/{comment.pk}/approve/"] button').click()
            expect(staff).to_have_url(re.compile(re.escape(base + queue)))
            expect(staff.locator("main")).not_to_contain_text(COMMENT)
        finally:
            staff_context.close()
        comment.refresh_from_db()
        assert comment.status == "published"

        # Now everyone reads it under the section, with the author's name.
        public.goto(base + detail)
        _assert_arabic_layout(public)
        published = public.locator(f"main #section-{section.pk} #comment-{comment.pk}")
        expect(published).to_contain_text(COMMENT)
        expect(published).to_contain_text(NAME)
        expect(public.locator("main")).not_to_contain_text(EMAIL)
    finally:
        visitor.close()
