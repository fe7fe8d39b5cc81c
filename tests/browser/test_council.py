"""A council session without paper, in a real browser, in Arabic (issue 15): convened,
its agenda built and published, a document opened by a member, the sitting (attendance,
votes, decisions), the summary, the minutes signed, and a citizen who downloads them and
has their signatures checked by an independent verifier (Debian's `pdfsig`).

- the council secretariat (Role.COUNCIL_SECRETARY) signs in, convenes an ordinary session
  in the next ordinary month, adds two agenda items, uploads a PDF to the first one and
  publishes the agenda;
- a member of the council (Role.COUNCIL_MEMBER, linked to a seat) signs in and opens the
  document from "my session documents": the opening is recorded, and the secretariat's
  session page shows it;
- the sitting: attendance (quorum met), each present member's vote on item 1 and its
  decision, item 2 noted without a vote, the sitting held, the summary published;
- the minutes: written, approved, signed (a PDF drawn by WeasyPrint: marked `pdf`);
- an anonymous citizen reads the public session page (votes, decision), downloads the
  signed minutes and opens their signature check; `pdfsig` finds both signatures valid,
  and not once one signed byte is flipped.

Every browser context runs with JavaScript off: no page needs it. Screenshots at 360 px
and 1280 px of the main pages go to pytest's tmp_path (and are copied to the folder
INFITAH_SCREENSHOTS_DIR names, when set); at 360 px nothing may stick out sideways.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from pypdf import PdfWriter

from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from infitah.accounts.models import Membership, Role, User
from infitah.council.models import (
    AgendaItem,
    Choice,
    Document,
    ItemResult,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Receipt,
    Session,
    Term,
)
from infitah.council.organs import ordinary_months
from infitah.council.workflow import SessionKind, Status
from infitah.lib.tests.test_pades import SIGNED_VALID, _flip_inside_signed_range, pdfsig
from infitah.territories.models import Collectivity

# legal_limits (conftest.py): the limits a transactional test before this one emptied.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

SECRETARIAT_PASSWORD = "secretariat-password-2026"
MEMBER_PASSWORD = "member-password-2026"
SCREENSHOTS_ENV = "INFITAH_SCREENSHOTS_DIR"
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

SESSION_AR = "الدورة العادية للمجلس الجماعي"
SESSION_FR = "Session ordinaire du conseil communal"
PLACE = "قاعة الاجتماعات بمقر الجماعة"
ITEM1_AR = "المصادقة على اتفاقية شراكة لتهيئة المساحات الخضراء"
ITEM1_FR = "Approbation d'une convention de partenariat pour l'aménagement des espaces verts"
ITEM2_AR = "نقطة إخبارية حول تنفيذ الميزانية"
ITEM2_FR = "Point d'information sur l'exécution du budget"
DOCUMENT_TITLE = "تقرير لجنة الميزانية حول الاتفاقية"
DELIBERATION = "تدخل الأعضاء حول كلفة التهيئة وجدولتها الزمنية."
DECISION_AR = "صادق المجلس على اتفاقية الشراكة لتهيئة المساحات الخضراء بحي المسيرة."
DECISION_FR = "Le conseil approuve la convention de partenariat pour les espaces verts."
SUMMARY_AR = "صادق المجلس على اتفاقية الشراكة، وأخذ علما بتنفيذ الميزانية."
SUMMARY_FR = "Le conseil approuve la convention et prend acte de l'exécution du budget."
MINUTES_AR = "افتتح الرئيس الجلسة في الساعة العاشرة صباحا بحضور أغلبية الأعضاء."
MINUTES_FR = "Le président ouvre la séance à dix heures, en présence de la majorité."


@pytest.fixture
def signing_world(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads, signed minutes and the development signing certificate in tmp_path (the
    live server runs in this process: it reads these settings), and no signing variable
    of the environment."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in list(os.environ):
        if name.startswith(("INFITAH_SIGNING_P12", "INFITAH_SIGNING_PASSPHRASE")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("INFITAH_SIGNING_TRUST_ROOTS", raising=False)


@pytest.fixture
def secretariat(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="secretariat@commune-a.test",
        password=SECRETARIAT_PASSWORD,
        full_name="كتابة المجلس",
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.COUNCIL_SECRETARY)
    return user


@pytest.fixture
def council(collectivity_a: Collectivity) -> dict[str, Member]:
    """The term in force, its president and secretary and three members; Khadija has an
    account (the council-member role): the documents are distributed to her."""
    term = Term.objects.create(
        collectivity=collectivity_a,
        name_ar="الولاية الانتدابية 2021-2027",
        name_fr="Mandat 2021-2027",
        start_date=dt.date(2021, 9, 20),
    )
    user = User.objects.create_user(
        email="khadija.amziane@commune-a.test",
        password=MEMBER_PASSWORD,
        full_name="خديجة أمزيان",
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.COUNCIL_MEMBER)
    people = {
        "president": ("أحمد العلوي", "Ahmed Alaoui", MemberRole.PRESIDENT, None),
        "secretary": ("فاطمة الزهراء بناني", "Fatima Zahra Bennani", MemberRole.SECRETARY, None),
        "khadija": ("خديجة أمزيان", "Khadija Amziane", MemberRole.MEMBER, user),
        "youssef": ("يوسف الإدريسي", "Youssef Idrissi", MemberRole.MEMBER, None),
        "mohamed": ("محمد أوبلا", "Mohamed Oubella", MemberRole.MEMBER, None),
    }
    return {
        key: Member.objects.create(
            collectivity=collectivity_a,
            term=term,
            user=account,
            name_ar=name_ar,
            name_fr=name_fr,
            role=role,
            started_on=term.start_date,
        )
        for key, (name_ar, name_fr, role, account) in people.items()
    }


# ------------------------------------------------------------------------------ helpers


@contextmanager
def _visitor(browser: Browser) -> Iterator[Page]:
    """A fresh browser (its own cookies) at 1280 px, JavaScript off. Every page is also a
    Content-Security-Policy test: a style or resource the policy refuses fails the test."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
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


def _layout(page: Page, lang: str = "ar") -> None:
    """The page is in `lang`, in its direction, and nothing sticks out sideways."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _shoot(page: Page, folder: Path, name: str) -> None:
    """Full-page screenshots at 360 px and 1280 px; at 360 px the page must fit."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for label, viewport in (("360", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(viewport)
            if label == "360":
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= PHONE["width"] + 1, f"{page.url} is {width}px wide at 360px"
            path = folder / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 0
    finally:
        page.set_viewport_size(DESKTOP)
    copies = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if copies:
        Path(copies).mkdir(parents=True, exist_ok=True)
        for label in ("360", "1280"):
            shutil.copy(folder / f"{name}-{label}.png", Path(copies) / f"{name}-{label}.png")


def _sign_in(page: Page, base: str, email: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/ar/accounts/login/?next={next_path}")
    _layout(page)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(base + next_path)


def _form(page: Page, action: str) -> Locator:
    """The form of a staff page's action (`…/act/<action>/`)."""
    form = page.locator(f'main form[action$="/act/{action}/"]')
    expect(form).to_have_count(1)
    return form


def _open(page: Page, action: str) -> Locator:
    """The form of `action`, inside a <details> that is opened first if closed."""
    form = _form(page, action)
    details = page.locator("main details", has=page.locator(f'form[action$="/act/{action}/"]'))
    if details.count() and details.first.get_attribute("open") is None:
        details.first.locator(":scope > summary").click()
    expect(form).to_be_visible()
    return form


def _submit(page: Page, form: Locator, url: str) -> None:
    """Press the form's button; the action succeeded: redirected, with a message."""
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(url)
    expect(page.locator('main .messages[role="status"]')).to_have_count(1)
    _layout(page)


def _sitting_start(collectivity: Collectivity) -> dt.datetime:
    """10:00 on the 10th of the next month in which the council holds its ordinary
    sessions (communes: February, May, October)."""
    today = timezone.localdate()
    months = ordinary_months(collectivity)
    for ahead in range(1, 13):
        month = (today.month - 1 + ahead) % 12 + 1
        if month in months:
            year = today.year + (today.month - 1 + ahead) // 12
            return timezone.make_aware(dt.datetime(year, month, 10, 10, 0))
    raise AssertionError(f"no ordinary month: {months}")


def _small_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Rapport de la commission du budget"})
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


# -------------------------------------------------------------------------------- test


@pytest.mark.pdf
def test_council_session_convened_held_and_its_minutes_signed_in_arabic(
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    collectivity_a: Collectivity,
    secretariat: User,
    council: dict[str, Member],
    signing_world: None,
    tmp_path: Path,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    staff_home = f"/ar/staff/{slug}/council/"
    shots = tmp_path / "shots"
    starts_at = _sitting_start(collectivity_a)

    with _visitor(browser) as staff:
        # ---- 1. The secretariat convenes a session and builds its agenda.
        _sign_in(staff, base, secretariat.email, SECRETARIAT_PASSWORD, staff_home)
        _layout(staff)
        staff.locator(f'main a[href="{staff_home}sessions/new/"]').click()
        expect(staff).to_have_url(f"{base}{staff_home}sessions/new/")
        _layout(staff)
        form = staff.locator('main form[action$="/council/sessions/new/"]')
        form.locator('input[name="kind"][value="ordinary"]').check()
        form.locator('input[name="title_ar"]').fill(SESSION_AR)
        form.locator('input[name="title_fr"]').fill(SESSION_FR)
        form.locator('input[name="starts_at"]').fill(
            timezone.localtime(starts_at).strftime("%Y-%m-%dT%H:%M")
        )
        form.locator('input[name="place"]').fill(PLACE)
        expect(form.locator('input[name="is_public"]')).to_be_checked()
        form.locator('button[type="submit"]').click()
        expect(staff).to_have_url(re.compile(rf"{staff_home}sessions/\d+/$"))
        _layout(staff)
        session = Session.objects.get(collectivity=collectivity_a)
        session_url = f"{base}{staff_home}sessions/{session.pk}/"
        assert staff.url == session_url
        assert session.status == Status.DRAFT and session.kind == SessionKind.ORDINARY
        assert session.starts_at == starts_at and session.reference.startswith("SES-")

        # Two items (the form is open while the agenda is empty).
        for title_ar, title_fr, rapporteur in (
            (ITEM1_AR, ITEM1_FR, council["youssef"]),
            (ITEM2_AR, ITEM2_FR, None),
        ):
            form = _open(staff, "item_add")
            form.locator('input[name="title_ar"]').fill(title_ar)
            form.locator('input[name="title_fr"]').fill(title_fr)
            if rapporteur is not None:
                form.locator('select[name="rapporteur"]').select_option(str(rapporteur.pk))
            _submit(staff, form, session_url)
        item1, item2 = AgendaItem.objects.filter(session=session).order_by("number")
        assert (item1.title_ar, item1.number, item1.rapporteur) == (
            ITEM1_AR,
            1,
            council["youssef"],
        )
        assert (item2.title_ar, item2.number) == (ITEM2_AR, 2)
        expect(staff.locator("main #agenda + ol > li")).to_have_count(2)

        # A report (a PDF) on item 1, from the item's page.
        item1_url = f"{session_url}items/{item1.pk}/"
        staff.locator(f'main li#item-{item1.pk} a[href$="/items/{item1.pk}/"]').click()
        expect(staff).to_have_url(item1_url)
        _layout(staff)
        report = _small_pdf(tmp_path / "rapport-commission.pdf")
        form = _open(staff, "document_add")
        form.locator('input[name="file"]').set_input_files(str(report))
        form.locator('select[name="kind"]').select_option("committee_report")
        form.locator('input[name="title"]').fill(DOCUMENT_TITLE)
        expect(form.locator('input[name="is_public"]')).to_be_checked()
        _submit(staff, form, item1_url)
        document = Document.objects.get(session=session, item=item1)
        assert document.title == DOCUMENT_TITLE and document.content_type == "application/pdf"
        assert document.size == report.stat().st_size

        # The agenda is published: the session is convened, the document distributed.
        staff.goto(session_url)
        _submit(staff, _form(staff, "publish"), session_url)
        session.refresh_from_db()
        assert session.status == Status.CONVENED and session.agenda_published_at is not None
        receipt = Receipt.objects.get(document=document)
        assert receipt.member == council["khadija"] and receipt.opened_at is None

        # ---- 2. The member opens the document from their documents page.
        my_path = f"{staff_home}my/"
        with _visitor(browser) as member:
            khadija = council["khadija"].user
            assert khadija is not None
            _sign_in(member, base, khadija.email, MEMBER_PASSWORD, my_path)
            _layout(member)
            link = member.locator(f'main a[href="{my_path}documents/{receipt.pk}/"]')
            expect(link).to_have_text(DOCUMENT_TITLE)
            document_url = f"{base}{my_path}documents/{receipt.pk}/"
            # Chromium shows the PDF in its own viewer (inline, not downloaded).
            with member.expect_response(document_url) as response:
                link.click()
            opened = response.value
            assert opened.status == 200, opened.status
            assert opened.headers["content-type"] == "application/pdf"
            expect(member).to_have_url(document_url)
            receipt.refresh_from_db()
            first_opened, openings = receipt.opened_at, receipt.open_count
            assert first_opened is not None and openings >= 1
            # The viewer hides the bytes it shows: read them again with the member's
            # cookies. One more opening is counted; the first one's time is kept.
            again = member.context.request.get(document_url)
            assert again.status == 200 and again.body() == report.read_bytes()
            receipt.refresh_from_db()
            assert receipt.opened_at == first_opened and receipt.open_count == openings + 1
            member.goto(base + my_path)
            expect(link.locator("xpath=..").locator("time")).to_have_count(1)
            _layout(member)

        # The secretariat sees who opened it, and when.
        staff.reload()
        row = staff.locator("main ul.council-docs > li", has_text=DOCUMENT_TITLE)
        expect(row).to_have_count(1)
        opener = row.locator("ul.members > li")
        expect(opener).to_have_count(1)
        expect(opener).to_contain_text(council["khadija"].name_ar)
        # Sent and first opened: two times (an unopened document shows one, and a warning).
        expect(opener.locator("time")).to_have_count(2)
        expect(opener.locator("strong")).to_have_count(0)
        expect(opener.locator("time").nth(1)).to_have_attribute(
            "datetime", re.compile(rf"^{timezone.localtime(receipt.opened_at):%Y-%m-%dT%H:%M}")
        )

        # ---- 3. The sitting. The browser cannot travel in time and the attendance is
        # recorded from the sitting day on (the page offers no form before it): the
        # sitting is brought forward to an hour ago through the ORM, as if the council
        # had been convened for today. Everything else goes through the pages.
        assert staff.locator('main form[action$="/act/attendance/"]').count() == 0
        Session.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=1)
        )
        staff.reload()
        form = _open(staff, "attendance")
        presence = {"president": "present", "secretary": "present", "khadija": "present"}
        presence |= {"youssef": "present", "mohamed": "excused"}
        for key, value in presence.items():
            form.locator(f'input[name="member_{council[key].pk}"][value="{value}"]').check()
        _submit(staff, form, session_url)
        session.refresh_from_db()
        assert session.quorum_met is True
        _shoot(staff, shots, "staff-session-sitting-ar")

        # Each present member's vote on item 1, then its decision.
        staff.goto(item1_url)
        form = _form(staff, "vote")
        votes = {
            "president": Choice.FOR,
            "secretary": Choice.FOR,
            "khadija": Choice.FOR,
            "youssef": Choice.AGAINST,
        }
        # Only the members present vote: the excused member has no choice to make.
        expect(form.locator(f'input[name="member_{council["mohamed"].pk}"]')).to_have_count(0)
        for key, choice in votes.items():
            form.locator(f'input[name="member_{council[key].pk}"][value="{choice}"]').check()
        _submit(staff, form, item1_url)
        item1.refresh_from_db()
        assert (item1.votes_for, item1.votes_against, item1.votes_abstain) == (3, 1, 0)
        assert item1.result == ItemResult.ADOPTED
        # The recorded votes are shown checked again.
        for key, choice in votes.items():
            expect(
                _form(staff, "vote").locator(
                    f'input[name="member_{council[key].pk}"][value="{choice}"]'
                )
            ).to_be_checked()
        _shoot(staff, shots, "staff-item-vote-ar")

        form = _form(staff, "decide")
        form.locator('input[name="outcome"][value=""]').check()
        form.locator('textarea[name="deliberation"]').fill(DELIBERATION)
        form.locator('textarea[name="decision_ar"]').fill(DECISION_AR)
        form.locator('textarea[name="decision_fr"]').fill(DECISION_FR)
        _submit(staff, form, item1_url)
        item1.refresh_from_db()
        assert item1.decision_ar == DECISION_AR and item1.decided_at is not None
        assert re.fullmatch(r"\d+/\d{4}", item1.decision_number), item1.decision_number
        expect(staff.locator("main")).to_contain_text(item1.decision_number)

        # Item 2 is an information point: noted, without a vote.
        item2_url = f"{session_url}items/{item2.pk}/"
        staff.goto(item2_url)
        _layout(staff)
        form = _form(staff, "decide")
        form.locator(f'input[name="outcome"][value="{ItemResult.NOTED}"]').check()
        _submit(staff, form, item2_url)
        item2.refresh_from_db()
        assert item2.result == ItemResult.NOTED

        # The sitting is held (on its day, the form's default), then the summary published.
        staff.goto(session_url)
        _submit(staff, _form(staff, "hold"), session_url)
        session.refresh_from_db()
        assert session.status == Status.HELD
        assert session.held_on == timezone.localdate(session.starts_at)
        form = _form(staff, "summary")
        form.locator('textarea[name="summary_ar"]').fill(SUMMARY_AR)
        form.locator('textarea[name="summary_fr"]').fill(SUMMARY_FR)
        _submit(staff, form, session_url)
        session.refresh_from_db()
        assert session.status == Status.SUMMARY_PUBLISHED
        assert session.summary_ar == SUMMARY_AR and session.summary_published_at is not None
        _shoot(staff, shots, "staff-session-ar")

        # ---- 4. The minutes: written, approved, signed.
        minutes_path = f"{staff_home}sessions/{session.pk}/minutes/"
        staff.locator(f'main a[href="{minutes_path}"]').click()
        expect(staff).to_have_url(base + minutes_path)
        _layout(staff)
        form = staff.locator('main form:has(input[name="action"][value="save"])')
        form.locator('textarea[name="text_ar"]').fill(MINUTES_AR)
        form.locator('textarea[name="text_fr"]').fill(MINUTES_FR)
        _submit(staff, form, base + minutes_path)
        minutes = Minutes.objects.get(session=session)
        assert minutes.status == MinutesStatus.DRAFT and minutes.text_ar == MINUTES_AR
        form = staff.locator('main form:has(input[name="action"][value="approve"])')
        _submit(staff, form, base + minutes_path)
        minutes.refresh_from_db()
        assert minutes.status == MinutesStatus.APPROVED and minutes.approved_at is not None
        form = staff.locator('main form:has(input[name="action"][value="sign"])')
        _submit(staff, form, base + minutes_path)
        minutes.refresh_from_db()
        assert minutes.status == MinutesStatus.SIGNED and minutes.signed_sha256
        assert [s["member"] for s in minutes.signers] == [
            council["president"].pk,
            council["secretary"].pk,
        ]
        # The secretariat's page checks the stored signatures: valid.
        expect(staff.locator("main p.minutes-verdict")).to_have_count(1)
        expect(staff.locator("main p.minutes-verdict.is-invalid")).to_have_count(0)
        _shoot(staff, shots, "staff-minutes-ar")

    # ---- 5. A citizen reads the session, downloads the minutes, checks the signature.
    public_session = f"/ar/c/{slug}/council/sessions/{session.pk}/"
    with _visitor(browser) as citizen:
        citizen.goto(base + public_session)
        _layout(citizen)
        expect(citizen.locator("main h1")).to_have_text(SESSION_AR)
        expect(citizen.locator("main #summary ~ p.pre-line")).to_have_text(SUMMARY_AR)
        card = citizen.locator(f"main article#item-{item1.pk}")
        expect(card).to_contain_text(DECISION_AR)
        expect(card.locator("h4", has_text=item1.decision_number)).to_have_count(1)
        expect(card).to_contain_text(DOCUMENT_TITLE)
        with translation.override("ar"):
            groups = [
                (pgettext("vote", "For"), ["president", "secretary", "khadija"]),
                (pgettext("vote", "Against"), ["youssef"]),
                (pgettext("vote", "Abstain"), []),
                (pgettext("vote", "Did not vote"), ["mohamed"]),
            ]
            adopted = str(ItemResult.ADOPTED.label)
        expect(card.locator("strong", has_text=adopted)).to_have_count(1)
        labels = card.locator("dl.council-votes > dt")
        names = card.locator("dl.council-votes > dd")
        expect(labels).to_have_count(len(groups))
        for n, (label, keys) in enumerate(groups):
            expect(labels.nth(n)).to_have_text(f"{label} ({len(keys)})")
            expect(names.nth(n).locator("li")).to_have_count(len(keys))
            for key in keys:
                expect(names.nth(n)).to_contain_text(council[key].name_ar)
        _shoot(citizen, shots, "public-session-ar")

        # The signed minutes, downloaded as they were signed.
        pdf_path = f"/ar/c/{slug}/council/sessions/{session.pk}/minutes.pdf"
        with citizen.expect_download() as info:
            citizen.locator(f'main #minutes ~ ul a[href="{pdf_path}"]').click()
        download = info.value
        assert download.suggested_filename == f"minutes-{session.reference}.pdf"
        signed = Path(download.path()).read_bytes()
        assert signed.startswith(b"%PDF-")
        minutes.refresh_from_db()
        assert hashlib.sha256(signed).hexdigest() == minutes.signed_sha256

        # The signature check page: valid, two signatures (the president's, the secretary's).
        check_path = f"/ar/c/{slug}/council/sessions/{session.pk}/minutes/check/"
        citizen.locator(f'main #minutes ~ ul a[href="{check_path}"]').click()
        expect(citizen).to_have_url(base + check_path)
        _layout(citizen)
        verdict = citizen.locator("main > p.minutes-verdict")
        expect(verdict).to_have_count(1)
        expect(verdict).not_to_have_class(re.compile(r"\bis-invalid\b"))
        with translation.override("ar"):
            expect(verdict).to_contain_text(gettext("Signature valid"))
        expect(citizen.locator("main > ul.minutes-signatures > li")).to_have_count(2)

        # The downloaded copy is exactly the signed file; a copy with one byte flipped is not.
        altered = _flip_inside_signed_range(signed)
        for name, content, same in (
            ("pv.pdf", signed, True),
            ("pv-modifie.pdf", altered, False),
        ):
            upload = citizen.locator('main form[action="#upload"]')
            upload.locator('input[name="file"]').set_input_files(
                {"name": name, "mimeType": "application/pdf", "buffer": content}
            )
            upload.locator('button[type="submit"]').click()
            expect(citizen).to_have_url(re.compile(rf"{check_path}#upload$"))
            result = citizen.locator('main section[aria-labelledby="verdict-title"]')
            expect(result).to_contain_text(hashlib.sha256(content).hexdigest())
            expect(result.locator(".minutes-verdict.is-invalid")).to_have_count(0 if same else 2)
            _layout(citizen)
        _shoot(citizen, shots, "public-minutes-check-ar")

        # The council's public home, in Arabic and in French.
        for lang in ("ar", "fr"):
            citizen.goto(f"{base}/{lang}/c/{slug}/council/")
            _layout(citizen, lang)
            past = citizen.locator(f'main #past ~ ul a[href="/{lang}{public_session[3:]}"]')
            expect(past).to_have_text(SESSION_AR if lang == "ar" else SESSION_FR)
            _shoot(citizen, shots, f"public-council-{lang}")

    # ---- 6. An independent verifier: poppler's pdfsig (NSS), not pyHanko.
    report = pdfsig(signed, tmp_path)
    assert report.count(SIGNED_VALID) == 2, report
    assert "Signature Field Name: President" in report, report
    assert "Signature Field Name: Secretary" in report, report
    report = pdfsig(altered, tmp_path)
    assert SIGNED_VALID not in report, report
