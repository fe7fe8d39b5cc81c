"""Access to information in a real browser, in Arabic, from the request to the register.

A citizen finds the collectivity's access-to-information page, fills the form in Arabic
and sends it; confirms the e-mail address from the link of the e-mail (the page the link
opens confirms nothing until its button is pressed); downloads the receipt and checks
its text; an information officer signs in and answers; the public register shows it.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from django.apps import apps as django_apps
from django.utils import translation
from django.utils.formats import date_format

from infitah.accounts.models import Membership, Role, User
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.workflow import Status
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICER_PASSWORD = "officer-password-2026"
CLEAR_ID = "AB123456"
EMAIL = "fatima.requester@example.test"
SUBJECT = "ميزانية الجماعة لسنة 2026"
# Text extraction puts a run of digits where it is drawn, not where it is read: the
# order of the Arabic words is checked on the words alone.
SUBJECT_WORDS = "ميزانية الجماعة لسنة"
DESCRIPTION = "أطلب نسخة من ميزانية الجماعة لسنة 2026 كما صادق عليها المجلس الجماعي."
ANSWER = "تجدون رفقته ميزانية الجماعة لسنة 2026 كما صادق عليها المجلس في دورة أكتوبر."
RECEIPT_TITLE = "وصل إيداع طلب الحصول على المعلومات"
# The check of infitah/information/tests/test_pdf.py: Arabic shaped by the font engine is
# extracted as letters in logical order, with no presentation-form character (what a
# "reshaper" library substitutes), and one letter (lam) drawn by several glyphs.
PRESENTATION_FORMS = [(0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]
LAM = "\u0644"
MAX_FIRST_VIEW_BYTES = 30 * 1024


@pytest.fixture(autouse=True)
def legal_limits(transactional_db: None) -> None:
    """The legal time limits (ati.answer, ati.urgent…) that the migrations seed.

    A transactional test empties the database when it ends, so the rows are gone if one
    ran before this test; the migrations' own seed functions (idempotent) put them back.
    (`serialized_rollback` would restore them too, but it fails on the content types that
    the flush of a previous non-serialized test recreated under other ids.)
    """
    for module in (
        "infitah.deadlines.migrations.0002_seed_legal_limits",
        "infitah.information.migrations.0002_seed_court_appeal_limit",
    ):
        import_module(module).seed(django_apps, None)


@pytest.fixture
def desk(collectivity_a: Collectivity) -> InformationSettings:
    return InformationSettings.objects.create(
        collectivity=collectivity_a,
        cndp_authorisation="A-RA-123/2026",
        desk_email="info@commune-a.test",
        desk_address_ar="مقر الجماعة، أيت ملول",
    )


@pytest.fixture
def officer(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="officer@commune-a.test", password=OFFICER_PASSWORD, full_name="سلمى المسؤولة"
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.INFORMATION_OFFICER)
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


def _first_view_bytes(browser: Browser, url: str) -> int:
    """Bytes of HTML and CSS a first visit (empty cache) to `url` receives."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    responses: list[Response] = []
    try:
        page = context.new_page()
        page.on("response", lambda response: responses.append(response))
        page.goto(url)
        page.wait_for_load_state("load")
        return sum(
            len(r.body())
            for r in responses
            if r.request.resource_type in {"document", "stylesheet"}
        )
    finally:
        context.close()


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _words(data: bytes) -> str:
    """The extracted text with each run of whitespace as one space (a phrase may wrap)."""
    return " ".join(_pdf_text(data).split())


def _presentation_forms(text: str) -> list[str]:
    return [c for c in text if any(lo <= ord(c) <= hi for lo, hi in PRESENTATION_FORMS)]


def _glyphs_per_character(data: bytes) -> dict[str, set[tuple[str, str]]]:
    """For each character, the (font, glyph id) pairs that draw it, from the ToUnicode
    maps of the embedded fonts (one `<glyph> <utf-16>` line per glyph)."""
    glyphs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for reference in cast(DictionaryObject, resources["/Font"].get_object()).values():
            font = cast(DictionaryObject, reference.get_object())
            to_unicode = cast(StreamObject, font["/ToUnicode"].get_object())
            in_chars = False
            for line in to_unicode.get_data().decode("ascii").splitlines():
                if line.endswith("beginbfchar"):
                    in_chars = True
                elif line == "endbfchar":
                    in_chars = False
                elif in_chars:
                    glyph, unicode_hex = line.strip("<>").split("> <")
                    text = bytes.fromhex(unicode_hex).decode("utf-16-be")
                    if len(text) == 1:
                        glyphs[text].add((str(font["/BaseFont"]), glyph))
    return glyphs


def _assert_arabic_shaped(data: bytes, *phrases: str) -> None:
    words = _words(data)
    for phrase in phrases:
        assert phrase in words, phrase
    assert _presentation_forms(_pdf_text(data)) == []
    assert len(_glyphs_per_character(data)[LAM]) >= 2


def _arabic_date(day: date) -> str:
    with translation.override("ar"):
        return date_format(day, "DATE_FORMAT")


def _fill_request_form(page: Page) -> None:
    form = page.locator('main form[method="post"]')
    form.locator('input[name="requester_type"][value="citizen"]').check()
    form.locator("#id_first_name").fill("فاطمة")
    form.locator("#id_last_name").fill("الزهراء")
    form.locator('input[name="id_type"][value="cin"]').check()
    form.locator("#id_id_number").fill(CLEAR_ID)
    form.locator("#id_address").fill("12 زنقة الليمون، حي المسيرة، أيت ملول")
    form.locator("#id_email").fill(EMAIL)
    form.locator("#id_subject").fill(SUBJECT)
    form.locator("#id_description").fill(DESCRIPTION)
    form.locator("#id_urgent").check()
    form.locator("#id_urgency_reason").fill("الميزانية ستناقش في دورة المجلس الأسبوع المقبل.")
    form.locator('input[name="delivery"][value="email"]').check()
    # "Keep my request off the public register" stays unticked: the register must show it.
    expect(form.locator("#id_private")).not_to_be_checked()
    form.locator("#id_consent").check()
    form.locator('button[type="submit"]').click()


@pytest.mark.pdf
def test_request_filed_confirmed_answered_and_published_in_arabic(
    page: Page,
    browser: Browser,
    live_server,
    collectivity_a: Collectivity,
    desk: InformationSettings,
    officer: User,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    home = f"/ar/c/{slug}/information/"
    form_path = f"{home}request/"

    # The collectivity's page links to its access-to-information page, which names the
    # officer and links to the form.
    page.goto(f"{base}/ar/c/{slug}/")
    _assert_arabic_layout(page)
    page.locator(f'main a[href="{home}"]').first.click()  # the dashboard and the services
    expect(page).to_have_url(base + home)
    _assert_arabic_layout(page)
    expect(page.locator("main")).to_contain_text(officer.full_name)
    expect(page.locator("main")).to_contain_text(desk.desk_address_ar)
    page.locator(f'main a[href="{form_path}"]').click()
    expect(page).to_have_url(base + form_path)
    _assert_arabic_layout(page)
    expect(page.locator("main")).to_contain_text(desk.cndp_authorisation)
    page.set_viewport_size({"width": 360, "height": 740})
    _assert_arabic_layout(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    weight = _first_view_bytes(browser, base + form_path)
    assert weight <= MAX_FIRST_VIEW_BYTES, weight

    # File: the follow-up page, awaiting the confirmation of the address.
    _fill_request_form(page)
    expect(page).to_have_url(re.compile(r"/ar/information/track/[^/]+/$"))
    track_url = page.url
    filed = InformationRequest.objects.get(collectivity=collectivity_a)
    assert filed.status == Status.AWAITING_CONFIRMATION
    assert (filed.subject, filed.first_name, filed.is_urgent) == (SUBJECT, "فاطمة", True)
    assert (filed.requester_type, filed.id_type, filed.delivery) == ("citizen", "cin", "email")
    assert filed.id_number_masked == "•••••456"
    expect(page.locator("main")).to_contain_text(filed.reference)
    _assert_arabic_layout(page)

    # The e-mail of the outbox links to the confirmation page; opening it (as a mail
    # scanner would) changes nothing.
    mail = OutboundEmail.objects.get(to=EMAIL, key__contains=":requester:filed:")
    assert filed.reference in mail.body and CLEAR_ID not in mail.body
    link = re.search(r"https?://\S+/information/confirm/\S+/", mail.body)
    assert link is not None, mail.body
    confirm_path = urlsplit(link.group(0)).path
    assert confirm_path.startswith("/ar/")
    page.goto(base + confirm_path)
    _assert_arabic_layout(page)
    button = page.locator('main form[method="post"] button[type="submit"]')
    expect(button).to_have_count(1)
    filed.refresh_from_db()
    assert filed.status == Status.AWAITING_CONFIRMATION and filed.received_on is None
    assert not OutboundEmail.objects.filter(key__contains=":requester:received:").exists()

    # The secret-link pages must let the browser send its Origin with this POST: with
    # `Referrer-Policy: no-referrer` the browser sends "Origin: null" and CSRF refuses it.
    button.click()
    expect(page).to_have_url(track_url)
    filed.refresh_from_db()
    assert filed.status == Status.IN_PROGRESS and filed.due_date is not None
    main = page.locator("main")
    expect(main).to_contain_text(filed.reference)
    expect(main).to_contain_text(_arabic_date(filed.due_date))
    _assert_arabic_layout(page)

    # The receipt, downloaded by the browser: the reference and Arabic in logical order,
    # shaped by the font engine (no presentation-form characters).
    with page.expect_download() as download_info:
        page.locator('main a[href$="/receipt.pdf"]').click()
    download = download_info.value
    assert download.suggested_filename == f"{filed.reference}-receipt.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert filed.reference in text
    with translation.override("fr"):
        assert date_format(filed.due_date, "DATE_FORMAT") in text  # 10 décembre 2026
    assert filed.due_date.isoformat() not in text
    assert filed.id_number_masked in text and CLEAR_ID not in text
    _assert_arabic_shaped(data, RECEIPT_TITLE, SUBJECT_WORDS, "فاطمة الزهراء")

    # The officer signs in and answers from the request's staff page.
    staff_path = f"/ar/staff/{slug}/information/{filed.reference}/"
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
        expect(staff.locator("main")).to_contain_text(filed.id_number_masked)
        assert CLEAR_ID not in staff.content()
        answer_form = staff.locator(f'main form[action="{staff_path}answer/"]')
        answer_form.locator('textarea[name="text"]').fill(ANSWER)
        answer_form.locator('button[type="submit"]').click()
        expect(staff).to_have_url(base + staff_path)
        expect(staff.locator("main .messages")).to_have_count(1)
    finally:
        officer_context.close()
    filed.refresh_from_db()
    assert filed.status == Status.ANSWERED and filed.answer_text == ANSWER

    # The public register lists the request and its page shows the answer, never the
    # requester's identity.
    register = f"/ar/c/{slug}/information/register/"
    page.goto(base + register)
    _assert_arabic_layout(page)
    page.locator(f'main a[href="/ar/information/r/{filed.reference}/"]').click()
    expect(page).to_have_url(f"{base}/ar/information/r/{filed.reference}/")
    _assert_arabic_layout(page)
    expect(page.locator("main h1")).to_have_text(SUBJECT)
    expect(page.locator("main")).to_contain_text(ANSWER)
    html = page.content()
    for private in (CLEAR_ID, filed.id_number_masked, EMAIL, "فاطمة", "الزهراء"):
        assert private not in html, private
