"""The programme's public pages, end to end through the test client (in /ar/ and /fr/):
a collectivity's programmes, a programme, a commitment, an evidence file.

Assertions look at data (titles, numbers, dates, links), status codes and structure,
never at translated text. The world is written with the ORM and `services/core.py` (the
other services of the app are tested in their own modules): these pages read whatever
the staff services write.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import User
from infitah.council.models import AgendaItem
from infitah.openplan import public_selectors
from infitah.openplan.models import (
    Assessment,
    Candidacy,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    ProgrammeDocument,
    ProgressReport,
    Proposal,
    Version,
)
from infitah.openplan.services import core
from infitah.openplan.tests.conftest import PDF, PNG, MakeItem
from infitah.openplan.workflow import (
    MILESTONE_STATUS_LABELS,
    AssessmentSource,
    Completion,
    EarlyResults,
    EvidenceKind,
    Kind,
    MilestoneStatus,
    PhaseKind,
    Potential,
    ProposalKind,
    ProposalStatus,
    Status,
)
from infitah.participation.consultations.models import Comment, Consultation, Section
from infitah.participation.consultations.workflow import CommentStatus
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
# A public page, gzip-compressed.
MAX_GZIP = 30 * 1024


def url(name: str, lang: str = "ar", **kwargs: Any) -> str:
    with translation.override(lang):
        return reverse(f"openplan:{name}", kwargs=kwargs)


def get(path: str) -> tuple[int, str]:
    response = Client().get(path)
    body = response.content.decode() if response.status_code == 200 else ""
    return response.status_code, body


def gzipped(body: str) -> int:
    return len(gzip.compress(body.encode()))


def stored(model: Any, **fields: Any) -> Any:
    """A StoredFile row with its file written (name, type, size and hash recorded)."""
    data: bytes = fields.pop("data")
    name: str = fields.pop("name")
    row = model(name=name, size=len(data), sha256="0" * 64, **fields)
    row.file.save(name, ContentFile(data), save=False)
    row.save()
    return row


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    collectivity: Collectivity
    programme: Programme
    commitment: Commitment  # number 1, on the first axis: everything hangs on it
    second: Commitment  # number 2, on the second axis, completed
    loose: Commitment  # number 3, on no axis
    done: Milestone
    parent: Milestone
    child: Milestone
    cancelled: Milestone
    late: Milestone
    document: Evidence
    photo: Evidence
    link: Evidence
    bad_link: Evidence
    indicator: Indicator
    empty_indicator: Indicator
    committee: Assessment
    committee_old: Assessment
    independent: Assessment
    proposal: Proposal
    hidden_proposal: Proposal
    consultation: Consultation
    section: Section
    item: AgendaItem
    version: Version
    candidacy: Candidacy
    report: ProgressReport

    @property
    def slug(self) -> str:
        return self.collectivity.slug

    def page(self, name: str, lang: str = "ar", **kwargs: Any) -> str:
        if name != "home":
            kwargs.setdefault("pk", self.programme.pk)
        return url(name, lang, slug=self.slug, **kwargs)


def _milestone(commitment: Commitment, actor: User, title: str, **data: Any) -> Milestone:
    return core.milestone_create(
        commitment=commitment, actor=actor, data={"title_ar": title, "title_fr": title, **data}
    )


@pytest.fixture
def world(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    participant: Participant,
) -> World:
    today = timezone.localdate()
    collectivity = programme.collectivity
    axes = list(programme.axes.order_by("order"))
    core.programme_update(
        programme=programme,
        actor=focal_point,
        data={
            "kind": Kind.REMACTO,
            "title_ar": programme.title_ar,
            "title_fr": programme.title_fr,
            "summary_ar": "ملخص البرنامج",
            "summary_fr": "Résumé du programme",
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "independent_monitor": "جمعية الرصد المستقل",
        },
    )
    for kind, start, end in (
        (PhaseKind.AWARENESS, -300, -240),
        (PhaseKind.COCREATION, -240, -120),
        (PhaseKind.CONSULTATION, -60, -30),
        (PhaseKind.ADOPTION, -20, -10),
        (PhaseKind.IMPLEMENTATION, -5, None),
    ):
        Phase.objects.create(
            programme=programme,
            kind=kind,
            starts_on=today + dt.timedelta(days=start),
            ends_on=None if end is None else today + dt.timedelta(days=end),
            note_fr=f"note {kind}" if kind == PhaseKind.IMPLEMENTATION else "",
        )
    Commitment.objects.filter(pk=commitment.pk).update(
        problem_fr="Problème public",
        description_ar="وصف الالتزام",
        description_fr="Description de l'engagement",
        solution_ar="كيف يحل المشكلة",
        solution_fr="Comment il résout le problème",
        value_participation=True,
        tag_technology=True,
        partners_government="وزارة الداخلية",
        partners_civil_society="جمعية المواطنة",
        budget=Decimal("1250000.00"),
        budget_line="30.10.20",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2028, 6, 30),
    )
    commitment.refresh_from_db()
    second = core.commitment_create(
        programme=programme,
        actor=focal_point,
        data={"axis": axes[1].pk, "title_ar": "بوابة العرائض", "title_fr": "Portail"},
    )
    loose = core.commitment_create(
        programme=programme, actor=focal_point, data={"title_fr": "Engagement sans axe"}
    )

    done = _milestone(commitment, focal_point, "إعداد الجرد", weight="2")
    parent = _milestone(commitment, focal_point, "نشر المعطيات")
    child = _milestone(commitment, focal_point, "نشر الميزانية", parent=parent.pk)
    cancelled = _milestone(commitment, focal_point, "تطبيق الهاتف", parent=parent.pk)
    late = _milestone(
        commitment,
        focal_point,
        "تكوين الموظفين",
        ends_on=(today - dt.timedelta(days=1)).isoformat(),
    )
    core.milestone_progress_set(milestone=done, progress=Decimal(100))
    core.milestone_progress_set(milestone=child, progress=Decimal(50))
    core.milestone_progress_set(milestone=cancelled, progress=Decimal(0), cancelled=True)
    core.milestone_progress_set(milestone=late, progress=Decimal(20))
    second_milestone = _milestone(second, focal_point, "إطلاق البوابة")
    core.milestone_progress_set(milestone=second_milestone, progress=Decimal(100))

    report = ProgressReport.objects.create(
        commitment=commitment,
        milestone=child,
        progress=Decimal(50),
        note="نشرت الميزانية جزئيا",
        unit="مصلحة التواصل",
        reported_at=timezone.now() - dt.timedelta(days=3),
    )
    ProgressReport.objects.create(
        commitment=commitment,
        milestone=done,
        progress=Decimal(100),
        note="تم الجرد",
        unit="مصلحة التواصل",
        reported_at=timezone.now() - dt.timedelta(days=30),
    )
    document = stored(
        Evidence,
        milestone=done,
        report=report,
        kind=EvidenceKind.DOCUMENT,
        title="محضر الجرد",
        content_type="application/pdf",
        data=PDF,
        name="jard.pdf",
    )
    photo = stored(
        Evidence,
        milestone=done,
        kind=EvidenceKind.PHOTO,
        title="صورة الورشة",
        content_type="image/png",
        data=PNG,
        name="photo.png",
    )
    link = Evidence.objects.create(
        milestone=child,
        kind=EvidenceKind.LINK,
        title="الميزانية المنشورة",
        url="https://data.example.test/budget",
        name="",
        content_type="",
        size=0,
        sha256="",
    )
    bad_link = Evidence.objects.create(
        milestone=late,
        kind=EvidenceKind.LINK,
        title="رابط مريب",
        url="javascript:alert(1)",
        name="",
        content_type="",
        size=0,
        sha256="",
    )

    indicator = Indicator.objects.create(
        commitment=commitment,
        name_ar="عدد مجموعات المعطيات المنشورة",
        name_fr="Jeux de données publiés",
        unit="مجموعة",
        baseline=Decimal(3),
        baseline_on=dt.date(2026, 12, 1),
        target=Decimal(40),
        target_on=dt.date(2028, 12, 1),
    )
    for day, value in ((dt.date(2027, 3, 1), "7"), (dt.date(2027, 8, 1), "12.5")):
        IndicatorValue.objects.create(
            indicator=indicator,
            measured_on=day,
            value=Decimal(value),
            note="قياس",
            source_url="https://data.example.test/count",
        )
    empty_indicator = Indicator.objects.create(
        commitment=commitment,
        order=2,
        name_fr="Délai de réponse",
        unit="jours",
        baseline=Decimal(60),
        target=Decimal(20),
    )

    committee_old = Assessment.objects.create(
        commitment=commitment,
        source=AssessmentSource.COMMITTEE,
        assessor="لجنة التتبع",
        assessed_on=today - dt.timedelta(days=200),
        completion=Completion.NOT_STARTED,
    )
    committee = Assessment.objects.create(
        commitment=commitment,
        source=AssessmentSource.COMMITTEE,
        assessor="لجنة التتبع",
        assessed_on=today - dt.timedelta(days=20),
        completion=Completion.LIMITED,
        is_verifiable=True,
        has_open_government_lens=False,
        potential=Potential.MODEST,
        comment="تقدم محدود",
    )
    independent = Assessment.objects.create(
        commitment=commitment,
        source=AssessmentSource.INDEPENDENT,
        assessor="جمعية الرصد المستقل",
        assessed_on=today - dt.timedelta(days=10),
        completion=Completion.SUBSTANTIAL,
        is_verifiable=True,
        has_open_government_lens=True,
        potential=Potential.SUBSTANTIAL,
        early_results=EarlyResults.MARGINAL,
        comment="تقدم جوهري",
    )

    proposal = Proposal.objects.create(
        programme=programme,
        axis=axes[0],
        kind=ProposalKind.SOLUTION,
        text="اقتراح نشر كل المعطيات " * 30,
        participant=participant,
    )
    hidden_proposal = Proposal.objects.create(
        programme=programme,
        axis=axes[0],
        kind=ProposalKind.PROBLEM,
        text="اقتراح مخفي",
        participant=participant,
        status=ProposalStatus.HIDDEN,
    )
    commitment.proposals.add(proposal, hidden_proposal)

    now = timezone.now()
    consultation = Consultation.objects.create(
        collectivity=collectivity,
        title_ar="الاستشارة حول مشروع البرنامج",
        title_fr="Consultation sur le projet",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        synthesis_ar="خلاصة",
        synthesis_published_at=now - dt.timedelta(days=25),
    )
    section = Section.objects.create(
        consultation=consultation,
        title_ar="الالتزام 1",
        response_ar="أخذنا بعين الاعتبار ملاحظاتكم",
        response_fr="Nous avons tenu compte de vos remarques",
    )
    for status in (CommentStatus.PUBLISHED,) * 3 + (CommentStatus.PENDING,):
        Comment.objects.create(
            consultation=consultation,
            section=section,
            participant=participant,
            text="تعليق",
            status=status,
        )
    Programme.objects.filter(pk=programme.pk).update(
        consultation=consultation, status=Status.ADOPTED
    )
    Commitment.objects.filter(pk=commitment.pk).update(section=section)

    item = make_item()
    version = stored(
        Version,
        programme=programme,
        number=1,
        agenda_item=item,
        adopted_on=today - dt.timedelta(days=2),
        note="الصيغة الأولى",
        content_type="application/json",
        data=b"{}",
        name="v1.json",
    )
    candidacy = Candidacy.objects.create(
        collectivity=collectivity,
        programme=programme,
        term_ends_on=dt.date(2027, 9, 30),
        track_record="برنامج سابق",
    )
    stored(
        ProgrammeDocument,
        programme=programme,
        kind="inception",
        title="تقرير التقييم الأولي",
        dated=today,
        content_type="application/pdf",
        data=PDF,
        name="inception.pdf",
    )
    core.programme_touch(programme)
    programme.refresh_from_db()
    commitment.refresh_from_db()
    return World(
        collectivity=collectivity,
        programme=programme,
        commitment=commitment,
        second=second,
        loose=loose,
        done=done,
        parent=parent,
        child=child,
        cancelled=cancelled,
        late=late,
        document=document,
        photo=photo,
        link=link,
        bad_link=bad_link,
        indicator=indicator,
        empty_indicator=empty_indicator,
        committee=committee,
        committee_old=committee_old,
        independent=independent,
        proposal=proposal,
        hidden_proposal=hidden_proposal,
        consultation=consultation,
        section=section,
        item=item,
        version=version,
        candidacy=candidacy,
        report=report,
    )


def other_programme(collectivity: Collectivity, **fields: Any) -> Programme:
    values: dict[str, Any] = {
        "kind": Kind.OGP_LOCAL,
        "title_ar": "برنامج آخر",
        "title_fr": "Autre programme",
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "status": Status.ADOPTED,
        **fields,
    }
    return Programme.objects.create(collectivity=collectivity, **values)


def no_inline_style_or_script(body: str) -> None:
    assert " style=" not in body
    assert "<style" not in body
    assert "<script" not in body


# --------------------------------------------------------------------------- home


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_the_public_programmes_newest_first(world: World, lang: str) -> None:
    older = other_programme(world.collectivity, reference="PRG-2025-1")
    other_programme(world.collectivity, title_fr="Abandonné", status=Status.ABANDONED)
    status, body = get(world.page("home", lang))
    assert status == 200
    with translation.override(lang):
        first, second = world.programme.title, older.title
        phase = str(PhaseKind.IMPLEMENTATION.label)
    assert escape(first) in body and escape(second) in body
    assert body.index(escape(first)) < body.index(escape(second))
    assert "Abandonné" not in body and "متروك" not in body
    assert world.page("programme", lang) in body
    assert escape(phase) in body
    card = body[body.index(escape(first)) : body.index(escape(second))]
    assert re.search(r"<dd>3 ", card)  # three commitments
    assert f'<progress max="100" value="{world.programme.progress}"' in body
    assert f'href="/{lang}/programmes/"' in body
    no_inline_style_or_script(body)


def test_home_is_paged(collectivity_a: Collectivity) -> None:
    for year in range(25):
        other_programme(
            collectivity_a,
            title_fr=f"Programme {year}",
            starts_on=dt.date(2000 + year, 1, 1),
            ends_on=dt.date(2001 + year, 1, 1),
        )
    status, body = get(url("home", "fr", slug="commune-a"))
    assert status == 200
    assert "Programme 24" in body and "Programme 4" not in body.replace("Programme 24", "")
    status, body = get(url("home", "fr", slug="commune-a") + "?page=2")
    assert "Programme 4" in body and "Programme 24" not in body
    assert get(url("home", "fr", slug="commune-a") + "?page=zz")[0] == 200


def test_pages_of_a_collectivity_outside_the_network_are_not_found(
    world: World, collectivity_b: Collectivity
) -> None:
    theirs = other_programme(collectivity_b)
    assert get(url("home", slug="commune-b"))[0] == 404
    assert get(url("programme", slug="commune-b", pk=theirs.pk))[0] == 404
    assert get(url("home", slug="no-such-place"))[0] == 404


# --------------------------------------------------------------------------- programme


@pytest.mark.parametrize("lang", LANGS)
def test_programme_page_shows_its_facts_timeline_and_commitments(world: World, lang: str) -> None:
    status, body = get(world.page("programme", lang))
    assert status == 200
    p = world.programme
    with translation.override(lang):
        title, summary = p.title, p.summary
        axes = [a.title for a in p.axes.order_by("order")]
        completion = str(world.commitment.completion.label)
    assert escape(title) in body and escape(summary) in body
    assert p.reference in body
    assert escape(p.independent_monitor) in body
    # Commitments grouped by axis, in the axes' order, the axis-less ones last.
    positions = [body.index(escape(axes[0])), body.index(escape(axes[1]))]
    assert positions == sorted(positions)
    for number in (1, 2, 3):
        assert world.page("commitment", lang, number=number) in body
    assert body.index(world.page("commitment", lang, number=2)) < body.index(
        world.page("commitment", lang, number=3)
    )
    # Progress bars with the figures.
    assert f'value="{world.commitment.progress}"' in body
    assert f'value="{p.progress}"' in body
    assert escape(completion) in body
    # Links of the cycle, versions and downloads.
    for name, kwargs in (
        ("cocreation", {}),
        ("forum", {}),
        ("version", {"number": 1}),
        ("commitments-csv", {}),
    ):
        assert world.page(name, lang, **kwargs) in body
    assert f"/api/v1/programmes/{p.pk}" in body
    with translation.override(lang):
        consultation = reverse(
            "consultations:detail", kwargs={"slug": world.slug, "pk": world.consultation.pk}
        )
        session = reverse(
            "council:session", kwargs={"slug": world.slug, "pk": world.item.session_id}
        )
        candidacy = reverse(
            "openplan:candidacy", kwargs={"slug": world.slug, "candidacy": world.candidacy.pk}
        )
    assert consultation in body
    assert f"{session}#item-{world.item.pk}" in body
    assert world.item.decision_number in body
    assert candidacy in body
    assert 'id="versions"' in body
    no_inline_style_or_script(body)


def test_the_timeline_shows_every_phase_in_order_and_marks_the_current_one(world: World) -> None:
    status, body = get(world.page("programme", "fr"))
    assert status == 200
    timeline = body[body.index('id="timeline"') : body.index('id="commitments"')]
    with translation.override("fr"):
        labels = [escape(str(kind.label)) for kind in PhaseKind]
    positions = [timeline.index(label) for label in labels]
    assert positions == sorted(positions)
    assert timeline.count("<li") == 7
    current = re.findall(r'<li aria-current="step"[^>]*>(.*?)</li>', timeline, re.S)
    assert len(current) == 1 and labels[PhaseKind.values.index("implementation")] in current[0]
    assert "note implementation" in current[0]
    # Drafting and evaluation were not planned: no date for them.
    for kind in ("drafting", "evaluation"):
        line = re.search(
            rf"<li[^>]*>[^<]*{labels[PhaseKind.values.index(kind)]}.*?</li>", timeline, re.S
        )
        assert line is not None and "<time" not in line.group(0)


def test_the_timeline_follows_the_calendar(world: World) -> None:
    today = timezone.localdate()
    record = public_selectors.programme_public_get(
        collectivity=world.collectivity, pk=world.programme.pk, today=today - dt.timedelta(days=50)
    )
    assert record is not None and record.current_phase == PhaseKind.CONSULTATION
    # Between co-creation and consultation: the latest started one.
    record = public_selectors.programme_public_get(
        collectivity=world.collectivity, pk=world.programme.pk, today=today - dt.timedelta(days=90)
    )
    assert record is not None and record.current_phase == PhaseKind.COCREATION
    record = public_selectors.programme_public_get(
        collectivity=world.collectivity, pk=world.programme.pk, today=today - dt.timedelta(days=900)
    )
    assert record is not None and record.current_phase is None
    assert [step.kind for step in record.timeline] == PhaseKind.values
    assert not any(step.is_current for step in record.timeline)


def _stale_block(body: str) -> bool:
    return 'id="stale"' in body


@pytest.mark.parametrize("lang", LANGS)
def test_the_stale_warning_appears_after_four_calendar_months(world: World, lang: str) -> None:
    updated = dt.datetime(2027, 1, 10, 12, tzinfo=timezone.get_current_timezone())
    Programme.objects.filter(pk=world.programme.pk).update(public_updated_at=updated)
    with time_machine.travel(dt.datetime(2027, 5, 10, 18, tzinfo=updated.tzinfo), tick=False):
        status, body = get(world.page("programme", lang))
        assert status == 200 and not _stale_block(body)
    with time_machine.travel(dt.datetime(2027, 5, 11, 9, tzinfo=updated.tzinfo), tick=False):
        status, body = get(world.page("programme", lang))
        assert status == 200 and _stale_block(body)
        with translation.override(lang):
            day = formats.date_format(dt.date(2027, 1, 10), "DATE_FORMAT")
        warning = body[body.index('id="stale"') : body.index("</div>", body.index('id="stale"'))]
        assert escape(day) in warning
        # The home and network lists flag it too.
        assert 'class="card spaced late"' in get(world.page("home", lang))[1]


def test_the_stale_months_are_a_setting(world: World, settings: Any) -> None:
    settings.INFITAH_OPENPLAN_STALE_MONTHS = 1
    Programme.objects.filter(pk=world.programme.pk).update(
        public_updated_at=timezone.now() - dt.timedelta(days=40)
    )
    assert _stale_block(get(world.page("programme"))[1])
    settings.INFITAH_OPENPLAN_STALE_MONTHS = 4
    assert not _stale_block(get(world.page("programme"))[1])


def test_a_closed_programme_is_never_stale(world: World) -> None:
    Programme.objects.filter(pk=world.programme.pk).update(
        status=Status.CLOSED, public_updated_at=timezone.now() - dt.timedelta(days=400)
    )
    assert not _stale_block(get(world.page("programme"))[1])


def test_the_consultation_says_whether_its_synthesis_is_published(world: World) -> None:
    body = get(world.page("programme", "fr"))[1]
    assert world.consultation.synthesis_published_at is not None
    assert formats.date_format(
        timezone.localdate(world.consultation.synthesis_published_at), "DATE_FORMAT"
    ) in body.replace("&#x27;", "'")
    Consultation.objects.filter(pk=world.consultation.pk).update(synthesis_published_at=None)
    record = public_selectors.programme_public_get(
        collectivity=world.collectivity, pk=world.programme.pk
    )
    assert record is not None and not record.is_synthesis_published


def test_a_private_decision_is_not_linked(world: World) -> None:
    AgendaItem.objects.filter(pk=world.item.pk).update(is_public=False)
    body = get(world.page("programme"))[1]
    assert f"#item-{world.item.pk}" not in body
    assert world.page("version", number=1) in body


def test_no_candidacy_no_consultation_no_version(collectivity_a: Collectivity) -> None:
    bare = other_programme(collectivity_a)
    status, body = get(url("programme", slug="commune-a", pk=bare.pk))
    assert status == 200
    assert "/candidacies/" not in body and "/consultations/" not in body
    assert 'id="versions"' not in body
    timeline = body[body.index('id="timeline"') : body.index('id="commitments"')]
    assert timeline.count("<li") == 7 and "<time" not in timeline


def test_programme_not_found(world: World, collectivity_b: Collectivity, prefecture: Any) -> None:
    abandoned = other_programme(world.collectivity, status=Status.ABANDONED)
    assert get(world.page("programme", pk=abandoned.pk))[0] == 404
    # Another network member's programme under A's slug.
    other = Collectivity.objects.create(
        kind="commune",
        slug="commune-c",
        name_ar="ج",
        name_fr="C",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )
    theirs = other_programme(other)
    assert get(world.page("programme", pk=theirs.pk))[0] == 404
    assert get(url("programme", slug="commune-c", pk=theirs.pk))[0] == 200
    assert get(f"/ar/c/{world.slug}/programmes/{2**40}/")[0] == 404
    assert get(f"/ar/c/{world.slug}/programmes/abc/")[0] == 404


# --------------------------------------------------------------------------- commitment


@pytest.mark.parametrize("lang", LANGS)
def test_commitment_page_shows_the_ogp_template(world: World, lang: str) -> None:
    status, body = get(world.page("commitment", lang, number=1))
    assert status == 200
    c = world.commitment
    with translation.override(lang):
        texts = [c.title, c.problem, c.description, c.solution, c.axis.title]  # type: ignore[union-attr]
        assert c.budget is not None
        budget = formats.number_format(c.budget, 0, use_l10n=True, force_grouping=True)
    for text in texts:
        assert escape(text) in body
    for text in (c.lead_unit, c.partners_government, c.partners_civil_society, c.budget_line):
        assert escape(text) in body
    assert budget in body
    assert f'value="{c.progress}"' in body
    no_inline_style_or_script(body)


def test_milestones_are_nested_with_status_late_and_cancelled(world: World) -> None:
    body = get(world.page("commitment", "fr", number=1))[1]
    parent = body[body.index(f'id="milestone-{world.parent.pk}"') :]
    # The sub-milestones are in a list inside their parent's item.
    nested = parent[: parent.index(f'id="milestone-{world.late.pk}"')]
    assert f'id="milestone-{world.child.pk}"' in nested
    assert f'id="milestone-{world.cancelled.pk}"' in nested
    assert f'<s dir="auto">{escape(world.cancelled.title)}</s>' in nested
    late = re.search(rf'<li class="[^"]*late[^"]*" id="milestone-{world.late.pk}"', body)
    assert late is not None
    assert not re.search(rf'<li class="[^"]*late[^"]*" id="milestone-{world.done.pk}"', body)
    with translation.override("fr"):
        for status in MilestoneStatus:
            if status != MilestoneStatus.NOT_STARTED:
                assert escape(str(MILESTONE_STATUS_LABELS[status])) in body
        weight = gettext("weight %(w)s") % {"w": "2"}
    # The weight given on the first milestone.
    done = body[body.index(f'id="milestone-{world.done.pk}"') :]
    assert escape(weight) in done[: done.index("</li>")]


def test_evidence_is_linked_and_links_are_safe(world: World) -> None:
    body = get(world.page("commitment", "fr", number=1))[1]
    for evidence in (world.document, world.photo):
        assert world.page("evidence", "fr", evidence=evidence.pk) in body
    assert f'<img src="{world.page("evidence", "fr", evidence=world.photo.pk)}"' in body
    assert f'alt="{escape(world.photo.title)}"' in body
    assert f'<a href="{world.link.url}" rel="noopener noreferrer nofollow"' in body
    assert "javascript:" not in body
    assert escape(world.bad_link.title) in body


@pytest.mark.parametrize("lang", LANGS)
def test_indicators_have_a_chart_and_their_values_as_text(world: World, lang: str) -> None:
    body = get(world.page("commitment", lang, number=1))[1]
    block = body[body.index(f'id="indicator-{world.indicator.pk}"') :]
    block = block[: block.index("</article>")]
    assert block.count('role="img"') == 1
    assert block.count("<circle") == 2
    with translation.override(lang):
        for value in world.indicator.values.all():
            assert formats.date_format(value.measured_on, "DATE_FORMAT") in block
        assert formats.number_format(Decimal("12.5"), 1, use_l10n=True) in block
        assert escape(world.indicator.name) in block
    assert 'href="https://data.example.test/count" rel="noopener noreferrer nofollow"' in block
    empty = body[body.index(f'id="indicator-{world.empty_indicator.pk}"') :]
    empty = empty[: empty.index("</article>")]
    assert empty.count('role="img"') == 1 and "<circle" not in empty


@pytest.mark.parametrize("lang", LANGS)
def test_both_assessments_side_by_side_and_their_disagreement(world: World, lang: str) -> None:
    body = get(world.page("commitment", lang, number=1))[1]
    committee = body[body.index('data-source="committee"') :]
    independent = body[body.index('data-source="independent"') :]
    with translation.override(lang):
        assert escape(world.committee.get_completion_display()) in committee[:3000]
        assert escape(world.independent.get_completion_display()) in independent[:3000]
        assert escape(world.independent.get_early_results_display()) in independent[:3000]
        assert escape(world.independent.get_potential_display()) in independent[:3000]
    assert 'id="disagreement"' in body
    # The older committee assessment is kept in the history.
    assert "<details>" in committee[: committee.index('data-source="independent"')]
    assert escape(world.committee.comment) in body and escape(world.independent.comment) in body


def test_no_disagreement_when_they_agree_or_only_one_assessed(world: World) -> None:
    Assessment.objects.filter(pk=world.committee.pk).update(completion=Completion.SUBSTANTIAL)
    assert 'id="disagreement"' not in get(world.page("commitment", number=1))[1]
    Assessment.objects.filter(source=AssessmentSource.INDEPENDENT).delete()
    Assessment.objects.filter(pk=world.committee.pk).update(completion=Completion.COMPLETED)
    assert 'id="disagreement"' not in get(world.page("commitment", number=1))[1]


def test_reports_and_the_co_creation_trail(world: World) -> None:
    body = get(world.page("commitment", "fr", number=1))[1]
    reports = body[body.index('id="reports"') :]
    assert reports.index(escape(world.report.note)) < reports.index(escape("تم الجرد"))
    assert world.page("proposal", "fr", proposal=world.proposal.pk) in body
    assert world.page("proposal", "fr", proposal=world.hidden_proposal.pk) not in body
    assert escape(world.hidden_proposal.text) not in body
    assert "…" in body  # the long proposal is cut
    with translation.override("fr"):
        section = reverse(
            "consultations:section",
            kwargs={
                "slug": world.slug,
                "pk": world.consultation.pk,
                "section_pk": world.section.pk,
            },
        )
    assert section in body
    assert re.search(r">\s*3\b", body[body.index(section) :][:300])
    assert escape(world.section.response_fr) in body


def test_the_response_waits_for_the_synthesis(world: World) -> None:
    Consultation.objects.filter(pk=world.consultation.pk).update(synthesis_published_at=None)
    body = get(world.page("commitment", "fr", number=1))[1]
    assert escape(world.section.response_fr) not in body


def test_commitment_not_found(world: World, collectivity_b: Collectivity) -> None:
    assert get(world.page("commitment", number=99))[0] == 404
    assert get(world.page("commitment", number=2**40))[0] == 404
    assert get(f"/ar/c/{world.slug}/programmes/{world.programme.pk}/commitments/x/")[0] == 404
    abandoned = other_programme(world.collectivity, status=Status.ABANDONED)
    Commitment.objects.create(programme=abandoned, number=1, title_fr="x")
    assert get(world.page("commitment", pk=abandoned.pk, number=1))[0] == 404
    theirs = other_programme(collectivity_b)
    Commitment.objects.create(programme=theirs, number=1, title_fr="x")
    assert get(world.page("commitment", pk=theirs.pk, number=1))[0] == 404
    assert get(url("commitment", slug="commune-b", pk=theirs.pk, number=1))[0] == 404


# --------------------------------------------------------------------------- evidence


def test_a_document_is_downloaded_with_safe_headers(world: World) -> None:
    response = Client().get(world.page("evidence", evidence=world.document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="jard.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_photo_is_shown_inline(world: World) -> None:
    response = Client().get(world.page("evidence", evidence=world.photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_not_found(world: World, collectivity_b: Collectivity) -> None:
    assert get(world.page("evidence", evidence=world.link.pk))[0] == 404
    assert get(world.page("evidence", evidence=99999))[0] == 404
    # A's evidence under another programme of A, or under B.
    other = other_programme(world.collectivity)
    assert get(world.page("evidence", pk=other.pk, evidence=world.document.pk))[0] == 404
    theirs = other_programme(collectivity_b)
    assert (
        get(url("evidence", slug="commune-b", pk=theirs.pk, evidence=world.document.pk))[0] == 404
    )
    Programme.objects.filter(pk=world.programme.pk).update(status=Status.ABANDONED)
    assert get(world.page("evidence", evidence=world.document.pk))[0] == 404


def test_a_missing_file_is_not_found(world: World) -> None:
    world.document.file.delete(save=False)
    assert get(world.page("evidence", evidence=world.document.pk))[0] == 404


# --------------------------------------------------------------------------- weight


def _realistic(world: World, focal_point: User) -> None:
    """20 commitments with 4 milestones, an indicator of 8 values and two reports."""
    axes = list(world.programme.axes.all())
    for n in range(4, 21):
        c = core.commitment_create(
            programme=world.programme,
            actor=focal_point,
            data={
                "axis": axes[n % 2].pk,
                "title_ar": f"الالتزام رقم {n} لتحسين الولوج إلى المعلومات والمشاركة",
                "title_fr": f"Engagement {n} pour l'accès à l'information et la participation",
                "value_access": True,
                "value_participation": n % 2 == 0,
            },
        )
        Milestone.objects.bulk_create(
            Milestone(commitment=c, order=k, title_ar=f"مرحلة {k}", progress=Decimal(25 * k))
            for k in range(1, 5)
        )
        core.progress_refresh(commitment=c)
    for k in range(8):
        IndicatorValue.objects.create(
            indicator=world.indicator,
            measured_on=dt.date(2027, 9, 1) + dt.timedelta(days=30 * k),
            value=Decimal(13 + k),
        )
    for k in range(12):
        Milestone.objects.create(
            commitment=world.commitment,
            order=10 + k,
            title_ar=f"مرحلة إضافية {k} لنشر المعطيات",
            ends_on=dt.date(2028, 1, 1),
        )


@pytest.mark.parametrize("lang", LANGS)
def test_pages_weigh_less_than_30_kb_compressed(world: World, focal_point: User, lang: str) -> None:
    _realistic(world, focal_point)
    for path in (
        world.page("home", lang),
        world.page("programme", lang),
        world.page("commitment", lang, number=1),
        f"/{lang}/programmes/",
    ):
        status, body = get(path)
        assert status == 200, path
        assert gzipped(body) <= MAX_GZIP, (path, gzipped(body))
