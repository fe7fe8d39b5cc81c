"""The council demo (`infitah.council.demo.council_demo`): what the issue names is there,
through the engine, a second run creates nothing, and the public pages show it."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Any

import pytest

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Membership, Role, User
from infitah.council.demo import (
    COMMUNE_SLUG,
    MEMBER_EMAIL,
    REGION_SLUG,
    SECRETARY_EMAIL,
    council_demo,
)
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    Committee,
    CommitteeSeat,
    Document,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Presence,
    Receipt,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import Status
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event
from infitah.openplan.models import Version
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

MODELS = (
    Term,
    Member,
    Committee,
    CommitteeSeat,
    Session,
    AgendaItem,
    Document,
    Receipt,
    Attendance,
    Vote,
    Minutes,
    Deadline,
    Event,
    Membership,
    User,
)


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files (documents, signed minutes, development signing certificates) in a
    temporary folder, and no signing variable of the environment."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    for name in list(os.environ):
        if name.startswith(("INFITAH_SIGNING_P12", "INFITAH_SIGNING_PASSPHRASE")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("INFITAH_SIGNING_TRUST_ROOTS", raising=False)


@pytest.fixture
def places(db: None) -> dict[str, Collectivity]:
    """The two demo collectivities, as the core demo names them."""
    region = Collectivity.objects.create(
        kind=Kind.REGION,
        slug=REGION_SLUG,
        name_ar="بني ملال خنيفرة",
        name_fr="Béni Mellal-Khénifra",
        is_network_member=True,
    )
    souss = Collectivity.objects.create(
        kind=Kind.REGION, slug="souss-massa", name_ar="سوس ماسة", name_fr="Souss-Massa"
    )
    prefecture = Collectivity.objects.create(
        kind=Kind.PREFECTURE,
        slug="inezgane-ait-melloul",
        name_ar="إنزكان أيت ملول",
        name_fr="Inezgane-Aït Melloul",
        parent=souss,
        region=souss,
    )
    commune = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=COMMUNE_SLUG,
        name_ar="أيت ملول",
        name_fr="Aït Melloul",
        parent=prefecture,
        region=souss,
        is_network_member=True,
    )
    return {REGION_SLUG: region, COMMUNE_SLUG: commune}


def _finder(places: dict[str, Collectivity]) -> Callable[[str], Collectivity | None]:
    return places.get


def _snapshot() -> list[int]:
    return [model.objects.count() for model in MODELS]  # type: ignore[attr-defined]


def _run(places: dict[str, Collectivity]) -> list[str]:
    lines: list[str] = []
    council_demo(_finder(places), lines.append)
    return lines


def test_a_second_run_creates_nothing(places: dict[str, Collectivity]) -> None:
    _run(places)
    first = _snapshot()
    _run(places)
    assert _snapshot() == first


def test_the_regional_council_and_its_october_session(places: dict[str, Collectivity]) -> None:
    _run(places)
    region = places[REGION_SLUG]
    term = Term.objects.get(collectivity=region)
    assert term.start_date.year == 2021
    members = list(Member.objects.filter(term=term))
    assert len(members) >= 20
    roles = [m.role for m in members]
    assert roles.count(MemberRole.PRESIDENT) == 1
    assert roles.count(MemberRole.VICE_PRESIDENT) >= 2
    assert roles.count(MemberRole.SECRETARY) == 1
    assert all(m.name_ar and m.name_fr for m in members)
    committees = list(Committee.objects.filter(term=term, is_standing=True))
    assert len(committees) == 3
    assert all(c.name_ar and c.name_fr and c.seats.count() >= 3 for c in committees)

    secretary = User.objects.get(email=SECRETARY_EMAIL)
    member_user = User.objects.get(email=MEMBER_EMAIL)
    assert secretary.check_password(DEMO_PASSWORD) and member_user.check_password(DEMO_PASSWORD)
    assert Membership.objects.filter(
        user=secretary, collectivity=region, role=Role.COUNCIL_SECRETARY
    ).exists()
    assert Membership.objects.filter(
        user=member_user, collectivity=region, role=Role.COUNCIL_MEMBER
    ).exists()
    seat = Member.objects.get(term=term, user=member_user)

    session = Session.objects.get(collectivity=region)
    assert session.status == Status.SUMMARY_PUBLISHED
    assert session.starts_at.month == 10 and session.held_on is not None
    assert session.summary_ar and session.summary_fr and session.summary_published_at
    items = list(session.items.order_by("number"))
    open_gov = next(i for i in items if "اعتماد برنامج الانفتاح" in i.title_ar)
    assert open_gov.documents.filter(is_public=True).count() >= 1
    assert open_gov.result and open_gov.decision_ar and open_gov.decision_fr
    assert session.documents.filter(item__isnull=True).exists()  # the agenda
    assert Receipt.objects.filter(member=seat).exists()

    attendance = list(Attendance.objects.filter(session=session))
    assert len(attendance) == len(members)
    present = [a.member_id for a in attendance if a.presence == Presence.PRESENT]
    assert {a.presence for a in attendance} == set(Presence.values)
    # Every member present voted on each voted item; the item's counts are theirs.
    for item in items:
        votes = list(item.votes.all())
        if not votes:
            continue
        assert sorted(v.member_id for v in votes) == sorted(present)
        assert item.votes_for == sum(v.choice == Choice.FOR for v in votes)
        assert item.votes_against == sum(v.choice == Choice.AGAINST for v in votes)

    minutes = Minutes.objects.get(session=session)
    assert minutes.status in (MinutesStatus.APPROVED, MinutesStatus.SIGNED)
    assert minutes.text_ar and minutes.text_fr and minutes.approved_at

    # Through the engine: the ledger has each step, the legal periods were met.
    actions = set(
        Event.objects.filter(action__startswith="council.").values_list("action", flat=True)
    )
    assert {
        "council.convened",
        "council.publish_agenda",
        "council.hold",
        "council.publish_summary",
    } <= actions
    periods = Deadline.objects.filter(subject_type="council.session", subject_id=str(session.pk))
    assert sorted(periods.values_list("status", flat=True)) == [DeadlineStatus.MET] * 2


def test_the_communal_council_its_february_and_next_sessions(
    places: dict[str, Collectivity],
) -> None:
    _run(places)
    commune = places[COMMUNE_SLUG]
    term = Term.objects.get(collectivity=commune)
    assert Member.objects.filter(term=term).count() >= 15
    assert Committee.objects.filter(term=term).count() == 1
    february = Session.objects.get(collectivity=commune, starts_at__month=2, held_on__isnull=False)
    assert february.status in (Status.HELD, Status.SUMMARY_PUBLISHED)
    assert Vote.objects.filter(item__session=february).exists()
    assert february.items.exclude(decision_ar="").count() >= 2
    upcoming = Session.objects.get(collectivity=commune, status=Status.CONVENED)
    assert upcoming.starts_at > timezone.now()
    assert upcoming.agenda_published_at is not None
    assert upcoming.items.count() >= 2 and upcoming.documents.exists()
    secretary = User.objects.get(email=SECRETARY_EMAIL)
    assert Membership.objects.filter(
        user=secretary, collectivity=commune, role=Role.COUNCIL_SECRETARY
    ).exists()


def test_without_the_collectivities_nothing_is_made(places: dict[str, Collectivity]) -> None:
    lines: list[str] = []
    council_demo(lambda slug: None, lines.append)
    assert not Term.objects.exists() and not Session.objects.exists()
    assert any(REGION_SLUG in line for line in lines)
    assert any(COMMUNE_SLUG in line for line in lines)


def test_without_the_region_only_the_commune_is_made(places: dict[str, Collectivity]) -> None:
    lines: list[str] = []
    council_demo({COMMUNE_SLUG: places[COMMUNE_SLUG]}.get, lines.append)
    assert not Term.objects.filter(collectivity=places[REGION_SLUG]).exists()
    assert Term.objects.filter(collectivity=places[COMMUNE_SLUG]).exists()
    assert any(REGION_SLUG in line for line in lines)


def test_the_demo_is_refused_in_production(places: dict[str, Collectivity], settings: Any) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(RuntimeError):
        _run(places)
    assert not Term.objects.exists()


def test_without_the_minutes_service_the_minutes_stay_approved(
    places: dict[str, Collectivity], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "infitah.council.minutes", None)
    lines = _run(places)
    assert Minutes.objects.get().status == MinutesStatus.APPROVED
    assert any("approved" in line for line in lines)


@pytest.mark.pdf
def test_the_october_minutes_are_signed_where_pdfs_can_be_drawn(
    places: dict[str, Collectivity],
) -> None:
    lines = _run(places)
    try:
        from infitah.council.minutes import minutes_sign  # noqa: F401
    except ImportError:
        pytest.skip("no minutes service")
    minutes = Minutes.objects.get()
    assert minutes.status == MinutesStatus.SIGNED, lines
    assert minutes.signed_pdf


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_public_pages_show_the_demo(places: dict[str, Collectivity], lang: str) -> None:
    _run(places)
    client = Client()
    for slug in (REGION_SLUG, COMMUNE_SLUG):
        home = client.get(f"/{lang}/c/{slug}/council/")
        assert home.status_code == 200 and len(home.content) <= 30 * 1024
        for session in Session.objects.filter(collectivity__slug=slug):
            page = client.get(f"/{lang}/c/{slug}/council/sessions/{session.pk}/")
            assert page.status_code == 200 and len(page.content) <= 30 * 1024
            title = session.title_ar if lang == "ar" else session.title_fr
            assert escape(title) in page.content.decode()
        member = Member.objects.filter(collectivity__slug=slug).first()
        assert member is not None
        assert client.get(f"/{lang}/c/{slug}/council/members/{member.pk}/").status_code == 200
        assert client.get(f"/{lang}/c/{slug}/council/decisions/").status_code == 200
    document = Document.objects.filter(session__collectivity__slug=REGION_SLUG).first()
    assert document is not None
    response = client.get(f"/{lang}/c/{REGION_SLUG}/council/documents/{document.pk}/")
    assert response.status_code == 200


def test_after_the_core_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the collectivities and logins of `manage.py demo`: the slugs exist."""
    call_command("demo", "--no-dataset")
    before = User.objects.count()
    council_demo(lambda slug: Collectivity.objects.filter(slug=slug).first(), lambda _l: None)
    assert User.objects.count() == before  # the demo logins already exist
    # The opening programme demo adds the past sittings that adopted its plans.
    council_sessions = Session.objects.exclude(items__in=Version.objects.values("agenda_item"))
    assert council_sessions.filter(collectivity__slug=REGION_SLUG).count() == 1
    assert council_sessions.filter(collectivity__slug=COMMUNE_SLUG).count() == 2
    assert Member.objects.filter(user__email=MEMBER_EMAIL).count() == 1
    assert dt.date(2021, 1, 1) <= Term.objects.get(collectivity__slug=REGION_SLUG).start_date
