"""Complaints in a real browser, in Arabic: submit → confirm → acknowledge → answer → rate
→ reopen → answer again.

A citizen sends a complaint with a photo from the collectivity's complaints page;
confirms the e-mail address from the link of the e-mail (the page the link opens
confirms nothing until its button is pressed); a complaints officer signs in,
acknowledges and answers; the citizen rates the answer and reopens the complaint from
the tracking page; the officer answers again. The tracking page shows each stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from infitah.accounts.models import Membership, Role, User
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.workflow import Status
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.models import Deadline
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

# legal_limits (conftest.py): the limits a transactional test before this one emptied.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

OFFICER_PASSWORD = "officer-password-2026"
EMAIL = "amina.citizen@example.test"
DESCRIPTION = "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا."
ANSWER = "تم تغيير المصابيح المعطلة في زنقة الورود."
REOPEN = "انطفأت الإنارة من جديد بعد يومين."
SECOND_ANSWER = "غُيّرت الأسلاك الكهربائية للعمود رقم 12 والإنارة تعمل الآن."


@pytest.fixture(autouse=True)
def _media_root(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


@pytest.fixture
def lighting(collectivity_a: Collectivity) -> Iterator[Category]:
    unit = ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الشكايات", name_fr="Réclamations"
    )
    lights = ServiceUnit.objects.create(
        collectivity=collectivity_a, name_ar="مصلحة الإنارة", name_fr="Éclairage"
    )
    ComplaintSettings.objects.create(collectivity=collectivity_a, complaints_unit=unit)
    yield Category.objects.create(
        collectivity=collectivity_a,
        name_ar="الإنارة العمومية",
        name_fr="Éclairage public",
        service=lights,
    )


@pytest.fixture
def officer(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="complaints@commune-a.test", password=OFFICER_PASSWORD, full_name="سلمى المسؤولة"
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.COMPLAINTS_OFFICER)
    return user


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "عمود-الإنارة.png"
    Image.new("RGB", (64, 48), (30, 30, 60)).save(path, format="PNG")
    return path


def _assert_arabic_layout(page: Page) -> None:
    """The page is Arabic, right to left, and nothing sticks out sideways."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _open_clocks(complaint: Complaint) -> set[str]:
    return set(
        Deadline.objects.open()
        .filter(subject_type="complaints.complaint", subject_id=str(complaint.pk))
        .values_list("limit__code", flat=True)
    )


def _officer_acts(page: Page, path: str, action: str, **fields: str) -> None:
    form = page.locator(f'main form[action="{path}{action}/"]')
    for name, value in fields.items():
        if name == "outcome":
            form.locator(f'input[name="outcome"][value="{value}"]').check()
        else:
            form.locator(f'[name="{name}"]').fill(value)
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def test_complaint_submitted_answered_rated_reopened_and_answered_again_in_arabic(
    page: Page,
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    collectivity_a: Collectivity,
    lighting: Category,
    officer: User,
    photo: Path,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    home = f"/ar/c/{slug}/complaints/"
    form_path = f"{home}new/"

    # The complaints page links to the form.
    page.goto(base + home)
    _assert_arabic_layout(page)
    page.locator(f'main a[href="{form_path}"]').click()
    expect(page).to_have_url(base + form_path)
    _assert_arabic_layout(page)

    # Submit with a photo: the tracking page, awaiting the confirmation of the address.
    form = page.locator('main form[method="post"]')
    form.locator('input[name="kind"][value="complaint"]').check()
    form.locator('select[name="category"]').select_option(str(lighting.pk))
    form.locator('textarea[name="description"]').fill(DESCRIPTION)
    form.locator('input[name="address"]').fill("زنقة الورود، حي المسيرة، أيت ملول")
    form.locator('input[name="attachments"]').set_input_files(str(photo))
    form.locator('input[name="name"]').fill("أمينة")
    form.locator('input[name="email"]').fill(EMAIL)
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/ar/complaints/track/[^/]+/$"))
    track_url = page.url
    complaint = Complaint.objects.get(collectivity=collectivity_a)
    assert complaint.status == Status.AWAITING_CONFIRMATION
    assert (complaint.description, complaint.category_id) == (DESCRIPTION, lighting.pk)
    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png"
    main = page.locator("main")
    expect(main).to_contain_text(complaint.reference)
    expect(main).to_contain_text(DESCRIPTION)
    expect(main.locator(f'a[href$="/files/{attachment.pk}"]')).to_have_count(1)
    _assert_arabic_layout(page)

    # The e-mail links to the confirmation page; opening it changes nothing.
    mail = OutboundEmail.objects.get(to=EMAIL, key__contains=":citizen:submitted:")
    link = re.search(r"https?://\S+/complaints/confirm/\S+/", mail.body)
    assert link is not None, mail.body
    confirm_path = urlsplit(link.group(0)).path
    assert confirm_path.startswith("/ar/")
    page.goto(base + confirm_path)
    _assert_arabic_layout(page)
    button = page.locator('main form[method="post"] button[type="submit"]')
    expect(button).to_have_count(1)
    complaint.refresh_from_db()
    assert complaint.status == Status.AWAITING_CONFIRMATION and complaint.received_on is None
    button.click()
    expect(page).to_have_url(track_url)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert complaint.service is not None and complaint.service.name_fr == "Éclairage"
    assert _open_clocks(complaint) == {"complaint.acknowledge", "complaint.answer"}
    _assert_arabic_layout(page)

    # The officer signs in, acknowledges and answers.
    staff_path = f"/ar/staff/{slug}/complaints/{complaint.reference}/"
    officer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        staff = officer_context.new_page()
        staff.set_default_timeout(10_000)
        staff.goto(f"{base}/ar/accounts/login/?next={staff_path}")
        staff.locator("#id_username").fill(officer.email)
        staff.locator("#id_password").fill(OFFICER_PASSWORD)
        staff.locator('main form button[type="submit"]').click()
        expect(staff).to_have_url(base + staff_path)
        _assert_arabic_layout(staff)
        expect(staff.locator("main")).to_contain_text(DESCRIPTION)
        _officer_acts(staff, staff_path, "acknowledge")
        complaint.refresh_from_db()
        assert complaint.status == Status.ACKNOWLEDGED
        assert _open_clocks(complaint) == {"complaint.answer"}
        _officer_acts(staff, staff_path, "answer", outcome="positive", text=ANSWER)
        complaint.refresh_from_db()
        assert complaint.status == Status.ANSWERED and complaint.answer_text == ANSWER
        assert _open_clocks(complaint) == set()

        # The citizen reads the answer, rates it, then reopens the complaint.
        page.goto(track_url)
        _assert_arabic_layout(page)
        expect(main).to_contain_text(ANSWER)
        rate = page.locator('main form[action$="/rate/"]')
        rate.locator('input[name="satisfaction"][value="2"]').check()
        rate.locator('button[type="submit"]').click()
        expect(page).to_have_url(track_url)
        complaint.refresh_from_db()
        assert (complaint.status, complaint.satisfaction) == (Status.RATED, 2)
        expect(page.locator('main form[action$="/rate/"]')).to_have_count(0)
        reopen = page.locator('main form[action$="/reopen/"]')
        reopen.locator('textarea[name="text"]').fill(REOPEN)
        reopen.locator('button[type="submit"]').click()
        expect(page).to_have_url(track_url)
        complaint.refresh_from_db()
        assert complaint.status == Status.IN_PROCESS and complaint.reopen_count == 1
        assert _open_clocks(complaint) == {"complaint.answer"}
        expect(main).to_contain_text(REOPEN)
        expect(page.locator('main form[action$="/reopen/"]')).to_have_count(0)
        _assert_arabic_layout(page)

        # The officer answers again.
        staff.goto(base + staff_path)
        expect(staff.locator("main")).to_contain_text(REOPEN)
        _officer_acts(staff, staff_path, "answer", outcome="positive", text=SECOND_ANSWER)
    finally:
        officer_context.close()
    complaint.refresh_from_db()
    assert complaint.status == Status.ANSWERED and complaint.answer_text == SECOND_ANSWER
    assert _open_clocks(complaint) == set()

    # The tracking page: the second answer, the whole exchange, no second reopening.
    page.goto(track_url)
    _assert_arabic_layout(page)
    for text in (complaint.reference, SECOND_ANSWER, ANSWER, REOPEN, DESCRIPTION):
        expect(main).to_contain_text(text)
    expect(page.locator('main form[action$="/reopen/"]')).to_have_count(0)
    expect(page.locator('main form[action$="/rate/"]')).to_have_count(1)
    stages = [
        key.split(":")[3]
        for key in OutboundEmail.objects.filter(
            to=EMAIL, key__startswith=f"complaint:{complaint.pk}:citizen:"
        )
        .order_by("pk")
        .values_list("key", flat=True)
    ]
    assert stages == ["submitted", "received", "acknowledged", "answered", "answered"]
