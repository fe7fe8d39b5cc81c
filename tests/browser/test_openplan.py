"""The opening programme's cycle in a real browser, in Arabic (issue 16): a citizen
proposes a solution in a workshop, staff turn it into a commitment, the draft is
consulted, the council adopts it, a unit reports a milestone with evidence, and the
public pages show the progress and the trail back to the proposal.

- set up with the services (not through the browser): commune A (a network member), its
  open-government focal point (Role.FOCAL_POINT: the programme and the participation
  permissions), a programme in co-creation with two axes and an online workshop open
  now on every axis, a verified participant;
- the participant signs in again from the workshop page (join form, link of the e-mail),
  proposes a solution on an axis and finds it on the co-creation board;
- the focal point ticks it on the staff board and drafts commitment 1 from it, writes
  the commitment's texts, adds two weighted milestones (3 and 1);
- the focal point puts the draft to consultation from the adoption page: the citizen
  reads the consultation, the commitment is its section, and supports it; the focal
  point closes the consultation from the consultation's own staff page;
- the council's decision (a held session with an adopted item, written with the ORM as
  the council's own tests do) is chosen on the adoption page: version 1 is frozen and
  registered;
- the focal point reports the first milestone at 100 % with a PDF as evidence: the
  commitment and the programme are at 75 % (3 of 4 weight units);
- an anonymous visitor reads the programme (progress, version, the council's decision),
  the commitment (milestones, evidence downloaded byte for byte, the trail to the
  proposal, which says which commitment it became) and the network page; the programme
  and the commitment in French too.

Every browser context runs with JavaScript off. Screenshots at 360 px and 1280 px go to
pytest's tmp_path (copied to the folder INFITAH_SCREENSHOTS_DIR names, when set); at
360 px nothing may stick out sideways.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect
from pypdf import PdfWriter

from django.utils import timezone, translation
from django.utils.translation import gettext

from infitah.accounts.models import Membership, Role, User
from infitah.council.models import AgendaItem, ItemResult, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.ledger.models import RegisterEntry
from infitah.notifications.models import OutboundEmail
from infitah.openplan.models import (
    Axis,
    Commitment,
    Evidence,
    Milestone,
    Programme,
    ProgressReport,
    Proposal,
    Version,
    Workshop,
)
from infitah.openplan.register import EVIDENCE_TYPE, VERSION_TYPE
from infitah.openplan.services import cocreation, core
from infitah.openplan.workflow import Kind, PhaseKind, ProposalKind, Status, WorkshopMode
from infitah.participation.consultations.models import Stance
from infitah.participation.models import Participant
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

# legal_limits (conftest.py): the limits a transactional test before this one emptied
# (the programme's `update` clock needs `openplan.update`).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("legal_limits"),
]

FOCAL_PASSWORD = "focal-point-password-2026"
SCREENSHOTS_ENV = "INFITAH_SCREENSHOTS_DIR"
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

PROGRAMME_AR = "برنامج انفتاح جماعة أيت ملول"
PROGRAMME_FR = "Programme d'ouverture d'Aït Melloul"
CITIZEN_EMAIL = "souad.citizen@example.test"
CITIZEN_NAME = "سعاد"
SOLUTION = "نشر ميزانية الجماعة كل سنة في صيغة مبسطة يفهمها الجميع، مع جلسة عمومية لتقديمها."
COMMITMENT_AR = "ميزانية مبسطة ومنشورة كل سنة"
COMMITMENT_FR = "Un budget simplifié publié chaque année"
PROBLEM_AR = "لا يجد المواطنون ميزانية الجماعة ولا يفهمون أرقامها."
DESCRIPTION_AR = "تنشر الجماعة كل سنة ميزانية مبسطة وتقدمها في جلسة عمومية."
SOLUTION_AR = "يعرف المواطنون أين تذهب الأموال العمومية ويناقشونها."
LEAD_UNIT = "مصلحة الشؤون المالية"
MILESTONE1_AR = "نشر الميزانية المبسطة الأولى"
MILESTONE2_AR = "تنظيم الجلسة العمومية لتقديم الميزانية"
REPORT_NOTE = "نشرت الميزانية المبسطة على موقع الجماعة وفي مكتب الاستقبال."


@pytest.fixture
def files_world(settings: Any, tmp_path: Path) -> None:
    """Uploads and the register's files in tmp_path (the live server runs in this
    process: it reads these settings)."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def focal(collectivity_a: Collectivity) -> User:
    user = User.objects.create_user(
        email="focal.point@commune-a.test", password=FOCAL_PASSWORD, full_name="نقطة الارتكاز"
    )
    Membership.objects.create(user=user, collectivity=collectivity_a, role=Role.FOCAL_POINT)
    return user


@pytest.fixture
def programme(collectivity_a: Collectivity, focal: User) -> Programme:
    """Commune A's programme in co-creation: two axes, its phases around today."""
    today = timezone.localdate()
    found = core.programme_create(
        collectivity=collectivity_a,
        actor=focal,
        data={
            "kind": Kind.REMACTO,
            "title_ar": PROGRAMME_AR,
            "title_fr": PROGRAMME_FR,
            "summary_ar": "برنامج مشترك بين الجماعة والمجتمع المدني.",
            "summary_fr": "Un programme construit avec la société civile.",
            "starts_on": today + dt.timedelta(days=60),
            "ends_on": today + dt.timedelta(days=60 + 2 * 365),
        },
    )
    for title_ar, title_fr in (("الحكامة والشفافية", "Gouvernance"), ("الثقافة", "Culture")):
        core.axis_save(
            programme=found, actor=focal, data={"title_ar": title_ar, "title_fr": title_fr}
        )
    for kind, start, end in (
        (PhaseKind.AWARENESS, -60, -31),
        (PhaseKind.COCREATION, -30, 20),
        (PhaseKind.CONSULTATION, 21, 40),
        (PhaseKind.ADOPTION, 41, 59),
    ):
        core.phase_set(
            programme=found,
            actor=focal,
            data={
                "kind": kind,
                "starts_on": today + dt.timedelta(days=start),
                "ends_on": today + dt.timedelta(days=end),
            },
        )
    return found


@pytest.fixture
def workshop(programme: Programme, focal: User) -> Workshop:
    """An online workshop on every axis, open now (the participant picks the axis)."""
    now = timezone.now()
    return cocreation.workshop_save(
        programme=programme,
        actor=focal,
        data={
            "axis": "",
            "title_ar": "ورشة رقمية: ميزانية منفتحة",
            "title_fr": "Atelier en ligne : un budget ouvert",
            "description_ar": "اقترحوا حلولا لجعل ميزانية الجماعة مفهومة للجميع.",
            "mode": WorkshopMode.ONLINE,
            "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=10),
        },
    )


@pytest.fixture
def citizen(collectivity_a: Collectivity) -> Participant:
    """A participant who confirmed their address before (a verified participant)."""
    return make_participant(email=CITIZEN_EMAIL, display_name=CITIZEN_NAME, commune=collectivity_a)


def _decision(collectivity: Collectivity) -> AgendaItem:
    """The council's decision, written with the ORM (the council's own pages have their
    browser test, tests/browser/test_council.py): a session sitting since an hour ago
    (held) whose item 1, adopting the programme, was voted and decided just now, after
    the consultation on the draft closed."""
    term = Term.objects.create(
        collectivity=collectivity,
        name_ar="الولاية الانتدابية 2021-2027",
        name_fr="Mandat 2021-2027",
        start_date=dt.date(2021, 9, 20),
    )
    held = timezone.now() - dt.timedelta(hours=1)
    session = Session.objects.create(
        collectivity=collectivity,
        term=term,
        kind=SessionKind.ORDINARY,
        status=SessionStatus.HELD,
        reference=f"SES-{held.year}-1",
        title_ar="الدورة العادية لشهر أكتوبر",
        title_fr="Session ordinaire d'octobre",
        starts_at=held,
        held_on=timezone.localdate(held),
        quorum_met=True,
        agenda_published_at=held - dt.timedelta(days=12),
    )
    return AgendaItem.objects.create(
        session=session,
        number=1,
        title_ar="المصادقة على برنامج انفتاح الجماعة",
        title_fr="Adoption du programme d'ouverture de la commune",
        result=ItemResult.ADOPTED,
        votes_for=21,
        votes_against=3,
        votes_abstain=1,
        decision_number="37/2026",
        decision_ar="صادق المجلس على برنامج انفتاح الجماعة.",
        decision_fr="Le conseil adopte le programme d'ouverture de la commune.",
        decided_at=timezone.now(),
    )


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
            path = folder / f"openplan-{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 0
    finally:
        page.set_viewport_size(DESKTOP)
    copies = os.environ.get(SCREENSHOTS_ENV, "").strip()
    if copies:
        Path(copies).mkdir(parents=True, exist_ok=True)
        for label in ("360", "1280"):
            shot = f"openplan-{name}-{label}.png"
            shutil.copy(folder / shot, Path(copies) / shot)


def _sign_in(page: Page, base: str, email: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/ar/accounts/login/?next={next_path}")
    _layout(page)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(base + next_path)


def _succeeded(page: Page, url: str | re.Pattern[str]) -> None:
    """The POST succeeded: redirected to `url`, with a success message."""
    expect(page).to_have_url(url)
    expect(page.locator('main .messages[role="status"] > li.success')).to_have_count(1)
    _layout(page)


def _progress(locator: Locator) -> Decimal:
    """The value of a <progress> element (0–100)."""
    value = locator.get_attribute("value")
    assert value is not None
    return Decimal(value)


def _small_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "الميزانية المبسطة"})
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


def _local(moment: dt.datetime) -> str:
    """A datetime-local input's value."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# -------------------------------------------------------------------------------- test


def test_a_proposal_becomes_an_adopted_commitment_reported_with_evidence_in_arabic(
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    collectivity_a: Collectivity,
    focal: User,
    programme: Programme,
    workshop: Workshop,
    citizen: Participant,
    files_world: None,
    tmp_path: Path,
) -> None:
    base = live_server.url
    slug = collectivity_a.slug
    public = f"/ar/c/{slug}/programmes/{programme.pk}/"
    staff_home = f"/ar/staff/{slug}/programmes/{programme.pk}/"
    workshop_path = f"{public}workshops/{workshop.pk}/"
    shots = tmp_path / "shots"
    axis = Axis.objects.filter(programme=programme).order_by("order", "pk").first()
    assert axis is not None

    # The citizen's browser and the focal point's, each with its own cookies.
    with _visitor(browser) as person, _visitor(browser) as staff:
        # ---- 1. The citizen signs in again from the workshop page (join form, the
        # e-mail's link, its confirmation button) and comes back to the workshop.
        person.goto(base + workshop_path)
        _layout(person)
        expect(person.locator("main h1")).to_have_text(workshop.title_ar)
        expect(person.locator("main textarea")).to_have_count(0)
        person.locator('main #propose ~ p a[href*="/ar/participation/join/"]').click()
        form = person.locator('main form[method="post"]')
        form.locator('input[name="email"]').fill(CITIZEN_EMAIL)
        form.locator('input[name="display_name"]').fill(CITIZEN_NAME)
        form.locator('input[name="gender"][value="female"]').check()
        form.locator('input[name="consent"]').check()
        form.locator('button[type="submit"]').click()
        expect(person.locator('main p[role="status"]')).to_have_count(1)
        mail = OutboundEmail.objects.get(to=CITIZEN_EMAIL, key__startswith="participation:join:")
        link = re.search(r"https?://\S+/participation/confirm/\S+", mail.body)
        assert link is not None, mail.body
        parts = urlsplit(link.group(0))
        person.goto(f"{base}{parts.path}?{parts.query}")
        _layout(person)
        person.locator('main form[method="post"] button[type="submit"]').click()
        expect(person).to_have_url(base + workshop_path)
        _layout(person)

        # ---- 2. A proposed solution on the first axis, published at once.
        form = person.locator(f'main form[action="{workshop_path}propose/"]')
        form.locator(f'input[name="kind"][value="{ProposalKind.SOLUTION}"]').check()
        form.locator('select[name="axis"]').select_option(str(axis.pk))
        form.locator('textarea[name="text"]').fill(SOLUTION)
        form.locator('button[type="submit"]').click()
        proposal = Proposal.objects.get(programme=programme)
        proposal_path = f"{public}proposals/{proposal.pk}/"
        _succeeded(person, base + proposal_path)
        assert (proposal.kind, proposal.axis_id, proposal.text) == (
            ProposalKind.SOLUTION,
            axis.pk,
            SOLUTION,
        )
        assert proposal.participant_id == citizen.pk and proposal.workshop_id == workshop.pk
        expect(person.locator("main blockquote")).to_have_text(SOLUTION)
        expect(person.locator("main #trail ~ ul a")).to_have_count(0)

        # The workshop lists it; the board shows it under its axis, with the solutions.
        person.goto(base + workshop_path)
        _layout(person)
        expect(person.locator(f"main #proposals ~ ol > li#proposal-{proposal.pk}")).to_have_count(1)
        _shoot(person, shots, "workshop-ar")
        person.goto(f"{base}{public}cocreation/")
        _layout(person)
        block = person.locator(f'main section[aria-labelledby="axis-{axis.pk}"]')
        expect(block.locator("h2")).to_have_text(axis.title_ar)
        listed = block.locator(f"li#proposal-{proposal.pk}")
        expect(listed).to_contain_text(SOLUTION[:60])
        expect(listed.locator(f'a[href="{proposal_path}"]')).to_have_count(1)

        # ---- 3. The focal point drafts commitment 1 from it, on the staff board.
        _sign_in(staff, base, focal.email, FOCAL_PASSWORD, staff_home)
        _layout(staff)
        board = f"{staff_home}cocreation/"
        staff.locator(f'main a[href="{board}"]').first.click()
        expect(staff).to_have_url(base + board)
        _layout(staff)
        form = staff.locator(f'main form[action="{board}act/"]')
        row = form.locator(f"li#proposal-{proposal.pk}")
        expect(row).to_contain_text(CITIZEN_NAME)
        row.locator(f'input[name="proposals"][value="{proposal.pk}"]').check()
        form.locator('input[name="title_ar"]').fill(COMMITMENT_AR)
        form.locator('input[name="title_fr"]').fill(COMMITMENT_FR)
        form.locator('button[name="action"][value="commitment"]').click()
        _succeeded(staff, base + board)
        commitment = Commitment.objects.get(programme=programme)
        assert (commitment.number, commitment.title_ar, commitment.axis_id) == (
            1,
            COMMITMENT_AR,
            axis.pk,
        )
        assert list(commitment.proposals.values_list("pk", flat=True)) == [proposal.pk]
        expect(staff.locator(f"main li#proposal-{proposal.pk} .badge")).to_contain_text("1")
        _shoot(staff, shots, "staff-board-ar")
        # The author is told, with the links to the commitment and to their proposal.
        told = OutboundEmail.objects.get(
            to=CITIZEN_EMAIL, key=f"openplan.proposal:{proposal.pk}:commitment:{commitment.pk}"
        )
        assert f"/programmes/{programme.pk}/commitments/1/" in told.body
        assert f"/programmes/{programme.pk}/proposals/{proposal.pk}/" in told.body

        # Its texts (the consultation needs them), then two weighted milestones.
        commitment_staff = f"{staff_home}commitments/{commitment.pk}/"
        staff.goto(base + staff_home)
        staff.locator(f'main a[href="{commitment_staff}"]').click()
        expect(staff).to_have_url(base + commitment_staff)
        _layout(staff)
        staff.locator(f'main a[href="{commitment_staff}edit/"]').click()
        expect(staff).to_have_url(base + commitment_staff + "edit/")
        form = staff.locator(f'main form[action="{commitment_staff}edit/"]')
        expect(form.locator('input[name="title_ar"]')).to_have_value(COMMITMENT_AR)
        form.locator('textarea[name="problem_ar"]').fill(PROBLEM_AR)
        form.locator('textarea[name="description_ar"]').fill(DESCRIPTION_AR)
        form.locator('textarea[name="solution_ar"]').fill(SOLUTION_AR)
        form.locator('input[name="value_access"]').check()
        form.locator('input[name="value_participation"]').check()
        form.locator('input[name="lead_unit"]').fill(LEAD_UNIT)
        form.locator('button[type="submit"]').click()
        _succeeded(staff, base + commitment_staff)
        commitment.refresh_from_db()
        assert (commitment.problem_ar, commitment.lead_unit) == (PROBLEM_AR, LEAD_UNIT)
        assert commitment.value_access and commitment.value_participation

        add = f"{commitment_staff}milestones/add/"
        for count, (title, weight) in enumerate(((MILESTONE1_AR, "3"), (MILESTONE2_AR, "1")), 1):
            details = staff.locator("main #milestones ~ details")
            if details.get_attribute("open") is None:
                details.locator(":scope > summary").click()
            form = staff.locator(f'main form[action="{add}"]')
            expect(form).to_be_visible()
            form.locator('input[name="title_ar"]').fill(title)
            form.locator('input[name="weight"]').fill(weight)
            form.locator('button[type="submit"]').click()
            expect(staff.locator("main #milestones ~ ol > li")).to_have_count(count)
            _succeeded(staff, base + commitment_staff + "#milestones")
        first, second = Milestone.objects.filter(commitment=commitment).order_by("pk")
        assert (first.title_ar, first.weight, second.weight) == (
            MILESTONE1_AR,
            Decimal(3),
            Decimal(1),
        )

        # ---- 4. The draft put to consultation from the adoption page.
        adoption = f"{staff_home}adoption/"
        staff.goto(base + staff_home)
        staff.locator(f'main a[href="{adoption}"]').click()
        expect(staff).to_have_url(base + adoption)
        _layout(staff)
        now = timezone.now()
        form = staff.locator(f'main form[action="{adoption}act/consult/"]')
        form.locator('input[name="opens_at"]').fill(_local(now))
        form.locator('input[name="closes_at"]').fill(_local(now + dt.timedelta(days=5)))
        expect(form.locator('input[name="moderation"]:checked')).to_have_count(1)
        form.locator('button[type="submit"]').click()
        _succeeded(staff, base + adoption)
        programme.refresh_from_db()
        commitment.refresh_from_db()
        consultation = programme.consultation
        assert programme.status == Status.CONSULTING and consultation is not None
        assert consultation.is_open
        section = commitment.section
        assert section is not None and section.consultation_id == consultation.pk
        assert section.title_ar == COMMITMENT_AR and section.order == commitment.number
        # Not adoptable while the consultation runs.
        expect(staff.locator(f'main form[action="{adoption}act/adopt/"]')).to_have_count(0)

        # The citizen reads the consultation from the programme's page: the commitment
        # is its section; they support it.
        consultation_path = f"/ar/c/{slug}/consultations/{consultation.pk}/"
        person.goto(base + public)
        _layout(person)
        person.locator(f'main a[href="{consultation_path}"]').click()
        expect(person).to_have_url(base + consultation_path)
        _layout(person)
        part = person.locator(f"main section#section-{section.pk}")
        # The section is the commitment: its title (see /tmp/req_f.md: the page adds
        # the section's order before a title that already starts with the number).
        expect(part.locator("h2")).to_contain_text(COMMITMENT_AR)
        expect(part).to_contain_text(PROBLEM_AR)
        expect(part).to_contain_text(DESCRIPTION_AR)
        support = f'main form[action$="/sections/{section.pk}/stance/"] button[value="support"]'
        person.locator(support).click()
        expect(person.locator(support)).to_have_attribute("aria-pressed", "true")
        expect(person).to_have_url(re.compile(re.escape(base + consultation_path)))
        assert Stance.objects.get(section=section, participant=citizen).value == "support"
        _shoot(person, shots, "consultation-ar")

        # The focal point closes it from the consultation's own staff page ("close
        # now": the browser cannot wait five days; the service keeps the planned date
        # in the ledger).
        staff.goto(base + adoption)
        consultation_staff = f"/ar/staff/{slug}/consultations/{consultation.pk}/"
        staff.locator(f'main a[href="{consultation_staff}"]').click()
        expect(staff).to_have_url(base + consultation_staff)
        _layout(staff)
        staff.locator(f'main form[action="{consultation_staff}close/"] button').click()
        _succeeded(staff, base + consultation_staff)
        consultation.refresh_from_db()
        assert consultation.is_closed

        # ---- 5. The council adopted it: the focal point chooses its decision.
        item = _decision(collectivity_a)
        staff.goto(base + adoption)
        _layout(staff)
        said = staff.locator(f"main li#commitment-{commitment.number}")
        expect(said).to_contain_text(COMMITMENT_AR)
        form = staff.locator(f'main form[action="{adoption}act/adopt/"]')
        expect(form.locator('input[name="agenda_item"]')).to_have_count(1)
        form.locator(f'input[name="agenda_item"][value="{item.pk}"]').check()
        form.locator('button[type="submit"]').click()
        _succeeded(staff, base + adoption)
        programme.refresh_from_db()
        assert programme.status == Status.ADOPTED
        version = Version.objects.get(programme=programme)
        assert (version.number, version.agenda_item_id) == (1, item.pk)
        assert version.adopted_on == timezone.localdate(item.decided_at)
        assert version.size > 0 and len(version.sha256) == 64
        entry = RegisterEntry.objects.get(document_type=VERSION_TYPE, document_id=str(version.pk))
        assert entry.file_sha256 == version.sha256
        assert entry.collectivity_id == collectivity_a.pk
        assert entry.metadata["version"] == 1 and entry.metadata["agenda_item"] == item.pk
        expect(staff.locator("main #versions + ol > li")).to_have_count(1)
        expect(staff.locator("main #versions + ol > li")).to_contain_text(item.decision_number)
        _shoot(staff, shots, "staff-adoption-ar")

        # ---- 6. The lead unit reports milestone 1 done, with a PDF as evidence.
        evidence_pdf = _small_pdf(tmp_path / "budget-simplifie.pdf")
        staff.goto(base + commitment_staff)
        staff.locator(f'main a[href="{commitment_staff}report/"]').click()
        expect(staff).to_have_url(base + commitment_staff + "report/")
        _layout(staff)
        form = staff.locator(f'main form[action="{commitment_staff}report/"]')
        expect(form).to_have_attribute("enctype", "multipart/form-data")
        form.locator('select[name="milestone"]').select_option(str(first.pk))
        form.locator('input[name="progress"]').fill("100")
        form.locator('textarea[name="note"]').fill(REPORT_NOTE)
        form.locator('input[name="unit"]').fill(LEAD_UNIT)
        form.locator('input[name="evidence"]').set_input_files(str(evidence_pdf))
        form.locator('button[type="submit"]').click()
        _succeeded(staff, base + commitment_staff + "#reports")
        report = ProgressReport.objects.get(commitment=commitment)
        assert (report.milestone_id, report.progress, report.note) == (
            first.pk,
            Decimal(100),
            REPORT_NOTE,
        )
        evidence = Evidence.objects.get(milestone=first)
        assert (evidence.report_id, evidence.content_type) == (report.pk, "application/pdf")
        assert evidence.size == evidence_pdf.stat().st_size
        assert RegisterEntry.objects.filter(
            document_type=EVIDENCE_TYPE, document_id=str(evidence.pk), file_sha256=evidence.sha256
        ).exists()
        first.refresh_from_db()
        commitment.refresh_from_db()
        programme.refresh_from_db()
        # Weights 3 and 1, the first done: 3 / 4 of the commitment, and of the programme
        # (its only commitment).
        assert first.progress == Decimal(100) and first.completed_on is not None
        assert commitment.progress == Decimal(75) and programme.progress == Decimal(75)
        evidence_path = f"{public}evidence/{evidence.pk}/"
        expect(staff.locator(f'main #reports ~ ol a[href="{evidence_path}"]')).to_have_count(1)
        assert _progress(staff.locator("main h1 ~ p progress").first) == Decimal(75)
        _shoot(staff, shots, "staff-commitment-ar")

    # ---- 7. Anybody reads the programme, the commitment, the trail and the network.
    commitment_path = f"{public}commitments/{commitment.number}/"
    with _visitor(browser) as visitor:
        visitor.goto(base + public)
        _layout(visitor)
        expect(visitor.locator("main h1")).to_have_text(PROGRAMME_AR)
        assert _progress(visitor.locator("main dl.facts progress")) == Decimal(75)
        card = visitor.locator("main #commitments ~ ul.tracker > li")
        expect(card).to_have_count(1)
        expect(card.locator(f'a[href="{commitment_path}"]')).to_contain_text(COMMITMENT_AR)
        assert _progress(card.locator("progress")) == Decimal(75)
        adopted = visitor.locator("main #versions li.card")
        expect(adopted).to_have_count(1)
        expect(adopted.locator(f'a[href="{public}versions/1/"]')).to_have_count(1)
        decision_path = f"/ar/c/{slug}/council/sessions/{item.session_id}/#item-{item.pk}"
        decision = adopted.locator(f'a[href="{decision_path}"]')
        expect(decision).to_have_text(item.title_ar)
        expect(adopted).to_contain_text(item.decision_number)
        expect(adopted.locator(f'time[datetime="{version.adopted_on:%Y-%m-%d}"]')).to_have_count(1)
        _shoot(visitor, shots, "programme-ar")
        # The decision's link leads to the council's public session, to that item.
        decision.click()
        expect(visitor).to_have_url(base + decision_path)
        expect(visitor.locator(f"main article#item-{item.pk}")).to_contain_text(item.decision_ar)
        # The version's file: the bytes frozen and registered.
        frozen = visitor.context.request.get(f"{base}{public}versions/1/")
        assert frozen.status == 200
        assert frozen.headers["content-type"].startswith("application/json")
        with version.file.open("rb") as stored:
            assert frozen.body() == stored.read()

        # The commitment: its milestones, the evidence, the trail to the proposal.
        visitor.goto(base + public)
        visitor.locator(f'main a[href="{commitment_path}"]').click()
        expect(visitor).to_have_url(base + commitment_path)
        _layout(visitor)
        expect(visitor.locator("main h1")).to_contain_text(COMMITMENT_AR)
        assert _progress(visitor.locator("main dl.facts progress")) == Decimal(75)
        done = visitor.locator(f"main li#milestone-{first.pk}")
        assert _progress(done.locator("progress")) == Decimal(100)
        assert _progress(visitor.locator(f"main li#milestone-{second.pk} progress")) == Decimal(0)
        proof = done.locator(f'ul a[href="{evidence_path}"]')
        expect(proof).to_have_text(evidence.title)
        expect(visitor.locator("main #reports ~ ol > li")).to_contain_text(REPORT_NOTE)
        trail = visitor.locator(f'main #trail ~ ul a[href="{proposal_path}"]')
        expect(trail).to_have_count(1)
        # …and to its section of the consultation on the draft.
        consulted = f"{consultation_path}sections/{section.pk}/"
        expect(visitor.locator(f'main #trail ~ p a[href="{consulted}"]')).to_have_count(1)
        _shoot(visitor, shots, "commitment-ar")
        with visitor.expect_download() as info:
            proof.click()
        download = info.value
        assert Path(download.path()).read_bytes() == evidence_pdf.read_bytes()

        # The proposal says which commitment it became.
        trail.click()
        expect(visitor).to_have_url(base + proposal_path)
        _layout(visitor)
        became = visitor.locator(f'main #trail ~ ul a[href="{commitment_path}"]')
        expect(became).to_have_count(1)
        with translation.override("ar"):
            expected = gettext("Commitment %(n)s: %(title)s") % {
                "n": commitment.number,
                "title": COMMITMENT_AR,
            }
        expect(became).to_have_text(expected)
        # And on the board, its badge links to commitment 1.
        visitor.goto(f"{base}{public}cocreation/")
        badge = visitor.locator(f'main li#proposal-{proposal.pk} a.tag[href="{commitment_path}"]')
        expect(badge).to_have_count(1)

        # The network compares the programmes: this one, at 75 %.
        visitor.goto(f"{base}/ar/programmes/")
        _layout(visitor)
        on_network = visitor.locator(
            "main #list ~ ul.tracker > li", has=visitor.locator(f'a[href="{public}"]')
        )
        expect(on_network).to_have_count(1)
        expect(on_network.locator(f'h3 a[href="{public}"]')).to_have_text(PROGRAMME_AR)
        assert _progress(on_network.locator("progress")) == Decimal(75)
        _shoot(visitor, shots, "network-ar")

        # In French: the programme and the commitment.
        public_fr = f"/fr/c/{slug}/programmes/{programme.pk}/"
        visitor.goto(base + public_fr)
        _layout(visitor, "fr")
        expect(visitor.locator("main h1")).to_have_text(PROGRAMME_FR)
        expect(
            visitor.locator(f'main a[href="{public_fr}commitments/{commitment.number}/"]')
        ).to_contain_text(COMMITMENT_FR)
        _shoot(visitor, shots, "programme-fr")
        visitor.goto(f"{base}{public_fr}commitments/{commitment.number}/")
        _layout(visitor, "fr")
        expect(visitor.locator("main h1")).to_contain_text(COMMITMENT_FR)
        expect(visitor.locator(f'main a[href="{public_fr}evidence/{evidence.pk}/"]')).to_have_count(
            1
        )
        _shoot(visitor, shots, "commitment-fr")
