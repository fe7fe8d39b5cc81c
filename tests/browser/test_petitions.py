"""Petitions in a real browser, in Arabic: draft → confirm the agent's e-mail → sign →
confirm the signature → the count shows 1 → the bureau imports paper signatures (CSV) →
the agent lodges → the receipt downloads.

An agent drafts a petition from the commune's petitions page and confirms the address
from the link of the e-mail (the page the link opens confirms nothing until its button
is pressed); a resident signs on the petition's page and confirms the signature from
their e-mail; the petitions bureau imports a paper list; the agent, on the private page,
lodges the petition once the threshold is met and downloads the receipt (a PDF with the
reference). No page needs JavaScript.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from infitah.accounts.models import Membership, Role, User
from infitah.notifications.models import OutboundEmail
from infitah.petitions.models import Petition, PetitionSettings, Signature
from infitah.petitions.workflow import Channel, SignatureStatus, Status
from infitah.territories.models import Collectivity

# legal_limits (conftest.py): the limits a transactional test before this one emptied.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

BUREAU_PASSWORD = "bureau-password-2026"
AGENT_EMAIL = "agent.massira@example.test"
SIGNER_EMAIL = "khadija.signer@example.test"
TITLE = "إحداث مساحة خضراء بحي المسيرة"
TEXT = "نحن سكان حي المسيرة نطالب المجلس بإحداث مساحة خضراء في العقار الجماعي غير المستغل."
REQUEST = "إدراج نقطة إحداث مساحة خضراء في جدول أعمال الدورة العادية المقبلة للمجلس."


@pytest.fixture
def three_signatures(collectivity_a: Collectivity) -> PetitionSettings:
    """The council applies 3 signatures (an override), so that the test can reach it."""
    return PetitionSettings.objects.create(
        collectivity=collectivity_a, threshold_override=3, threshold_basis="صفحة المجلس"
    )


@pytest.fixture
def bureau(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="bureau@commune-a.test", password=BUREAU_PASSWORD, full_name="مكتب المجلس"
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.PETITIONS_BUREAU)
    return user


def _assert_arabic_layout(page: Page) -> None:
    """The page is Arabic, right to left, and nothing sticks out sideways."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _link(email: str, pattern: str) -> str:
    """The path of the link matching `pattern` in the last e-mail to `email`."""
    mail = OutboundEmail.objects.filter(to=email).order_by("-pk").first()
    assert mail is not None, email
    found = re.search(r"https?://\S+" + pattern + r"\S*/", mail.body)
    assert found is not None, mail.body
    path = urlsplit(found.group(0)).path
    assert path.startswith("/ar/"), path
    return path


def _count_shows(page: Page, url: str, count: int, *, seconds: float = 8.0) -> None:
    """Reload `url` until the progress bar shows `count`: the public count is cached
    (≤ 5 s behind)."""
    deadline = time.monotonic() + seconds
    while True:
        if page.locator("main progress.progress").first.get_attribute("value") == str(count):
            if count > 2:  # Arabic says one and two in words ("توقيع مؤكد واحد")
                expect(page.locator("main p.signatures").first).to_contain_text(str(count))
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the count never showed {count}")
        time.sleep(0.5)
        page.goto(url)


@pytest.mark.pdf
def test_petition_drafted_signed_completed_on_paper_lodged_in_arabic(
    page: Page,
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    collectivity_a: Collectivity,
    three_signatures: PetitionSettings,
    bureau: User,
    tmp_path: Path,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    home = f"/ar/c/{slug}/petitions/"

    # The petitions page links to the form.
    page.goto(base + home)
    _assert_arabic_layout(page)
    page.locator(f'main a[href="{home}new/"]').click()
    expect(page).to_have_url(base + home + "new/")
    _assert_arabic_layout(page)

    # Draft: the "check your e-mail" page, nothing public yet.
    form = page.locator('main form[method="post"]')
    form.locator('input[name="petitioner_kind"][value="citizens"]').check()
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('textarea[name="text"]').fill(TEXT)
    form.locator('textarea[name="request"]').fill(REQUEST)
    form.locator('input[name="agent_name"]').fill("أمينة الإدريسي")
    form.locator('input[name="agent_cin"]').fill("JB445566")
    form.locator('input[name="agent_email"]').fill(AGENT_EMAIL)
    form.locator('input[name="agent_phone"]').fill("0612345678")
    form.locator('input[name="agent_address"]').fill("12 زنقة الورود، أيت ملول")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(base + home + "new/sent/")
    expect(page.locator('main [role="status"]')).to_have_count(1)
    _assert_arabic_layout(page)
    petition = Petition.objects.get(collectivity=collectivity_a)
    assert petition.status == Status.DRAFT and petition.language == "ar"

    # The agent's e-mail links to a confirmation page; opening it changes nothing.
    confirm_path = _link(AGENT_EMAIL, r"/petitions/confirm/")
    page.goto(base + confirm_path)
    _assert_arabic_layout(page)
    petition.refresh_from_db()
    assert petition.status == Status.DRAFT
    page.locator('main form[method="post"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/ar/petitions/manage/[^/]+/$"))
    manage_url = page.url
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING
    _assert_arabic_layout(page)
    detail_path = f"{home}{petition.pk}/"
    expect(page.locator(f'main a[href="{detail_path}"]')).to_have_count(1)
    expect(page.locator('main form[action$="/lodge/"]')).to_have_count(0)

    # A resident signs on the public page.
    page.locator(f'main a[href="{detail_path}"]').click()
    expect(page).to_have_url(base + detail_path)
    _assert_arabic_layout(page)
    sign = page.locator('main form[action$="/sign/"]')
    sign.locator('input[name="full_name"]').fill("خديجة أوشن")
    sign.locator('input[name="cin"]').fill("EE778899")
    sign.locator('select[name="residence"]').select_option(slug)
    sign.locator('input[name="interest"][value="resident"]').check()
    sign.locator('input[name="electoral_declaration"]').check()
    sign.locator('input[name="email"]').fill(SIGNER_EMAIL)
    sign.locator('button[type="submit"]').click()
    expect(page).to_have_url(base + detail_path + "sign/sent/")
    _assert_arabic_layout(page)
    signature = Signature.objects.get(petition=petition)
    assert signature.status == SignatureStatus.PENDING

    # The signatory confirms from the e-mail: a GET shows the button, the POST counts.
    signature_path = _link(SIGNER_EMAIL, r"/petitions/signatures/confirm/")
    page.goto(base + signature_path)
    _assert_arabic_layout(page)
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.PENDING
    page.locator('main form[method="post"] button[type="submit"]').click()
    expect(page).to_have_url(base + detail_path)
    signature.refresh_from_db()
    assert signature.status == SignatureStatus.CONFIRMED
    _count_shows(page, base + detail_path, 1)
    # The public page never names the signatory.
    expect(page.locator("main")).not_to_contain_text("خديجة أوشن")
    _assert_arabic_layout(page)

    # The bureau imports a paper list of two signatures.
    csv_path = tmp_path / "توقيعات.csv"
    csv_path.write_text(
        "full_name,cin,residence,interest,electoral_declaration\n"
        f"يوسف العمراني,K112233,{slug},resident,نعم\n"
        f"سلمى التازي,K445566,{slug},activity,نعم\n",
        encoding="utf-8",
    )
    import_path = f"/ar/staff/{slug}/petitions/{petition.pk}/signatures/import/"
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        staff = staff_context.new_page()
        staff.set_default_timeout(10_000)
        staff.goto(f"{base}/ar/accounts/login/?next={import_path}")
        staff.locator("#id_username").fill(bureau.email)
        staff.locator("#id_password").fill(BUREAU_PASSWORD)
        staff.locator('main form button[type="submit"]').click()
        expect(staff).to_have_url(base + import_path)
        _assert_arabic_layout(staff)
        upload = staff.locator('main form[enctype="multipart/form-data"]')
        upload.locator('input[name="file"]').set_input_files(str(csv_path))
        upload.locator('button[type="submit"]').click()
        expect(staff).to_have_url(
            re.compile(rf"/ar/staff/{slug}/petitions/{petition.pk}/signatures/$")
        )
        _assert_arabic_layout(staff)
        expect(staff.locator("main table")).to_contain_text("يوسف العمراني")
        expect(staff.locator("main table")).to_contain_text("خديجة أوشن")
    finally:
        staff_context.close()
    assert Signature.objects.filter(petition=petition, channel=Channel.PAPER).count() == 2

    # The agent lodges from the private page and downloads the receipt.
    page.goto(manage_url)
    _assert_arabic_layout(page)
    lodge = page.locator('main form[action$="/lodge/"] button[type="submit"]')
    expect(lodge).to_have_count(1)
    lodge.click()
    expect(page).to_have_url(manage_url)
    petition.refresh_from_db()
    assert petition.status == Status.LODGED and petition.reference
    assert petition.confirmed_at_lodging == 3 and petition.decision_due is not None
    expect(page.locator("main")).to_contain_text(petition.reference)
    expect(page.locator('main form[action$="/sign/"]')).to_have_count(0)
    _assert_arabic_layout(page)
    with page.expect_download() as info:
        page.locator('main a[href$="/receipt.pdf"]').click()
    download = info.value
    assert download.suggested_filename == f"{petition.reference}-receipt.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert petition.reference in text and "Récépissé de dépôt d’une pétition" in text

    # Signing is closed on the public page.
    page.goto(base + detail_path)
    expect(page.locator('main form[action$="/sign/"]')).to_have_count(0)
    _assert_arabic_layout(page)
