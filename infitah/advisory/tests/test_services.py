"""The services of advisory bodies: each rule, and each refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from infitah.accounts.models import Role, User
from infitah.advisory import services
from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyKind,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.tests.conftest import MakeReferral, council_session, pdf_file
from infitah.advisory.tests.helpers import refused, snapshot
from infitah.advisory.workflow import Origin, Status
from infitah.council.models import AgendaItem, Session
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# ------------------------------------------------------------------ required bodies


def test_the_law_requires_three_bodies_of_a_region_one_of_the_others(
    region: Collectivity, prefecture: Collectivity, collectivity_a: Collectivity
) -> None:
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE, slug="p", name_ar="إقليم", name_fr="Province", parent=region
    )
    assert [(r.kind, r.legal_basis) for r in services.bodies_required(region)] == [
        (BodyKind.EQUITY, "111.14 art. 117"),
        (BodyKind.YOUTH, "111.14 art. 117"),
        (BodyKind.ECONOMIC, "111.14 art. 117"),
    ]
    for collectivity in (prefecture, province):
        assert [(r.kind, r.legal_basis) for r in services.bodies_required(collectivity)] == [
            (BodyKind.EQUITY, "112.14")
        ]
    assert [(r.kind, r.legal_basis) for r in services.bodies_required(collectivity_a)] == [
        (BodyKind.EQUITY, "113.14 art. 120")
    ]
    for required in services.bodies_required(region):
        assert required.name_ar and required.name_fr
        with translation.override("fr"):
            assert required.name == required.name_fr
        with translation.override("ar"):
            assert required.name == required.name_ar


def test_ensure_required_creates_the_missing_bodies_once(
    region: Collectivity, staff_for: Callable[[str], User]
) -> None:
    secretary = User.objects.create_user(email="s@example.test", password="x-123456789")
    from infitah.accounts.models import Membership

    Membership.objects.create(user=secretary, collectivity=region, role=Role.ADVISORY_SECRETARY)
    created = services.body_ensure_required(collectivity=region, actor=secretary)
    assert sorted(b.kind for b in created) == sorted(
        [BodyKind.EQUITY, BodyKind.YOUTH, BodyKind.ECONOMIC]
    )
    for body in created:
        assert body.name_ar and body.name_fr and body.legal_basis == "111.14 art. 117"
    events = Event.objects.count()
    assert services.body_ensure_required(collectivity=region, actor=secretary) == []
    assert Body.objects.filter(collectivity=region).count() == 3
    assert Event.objects.count() == events
    # A deleted body is missing again.
    Body.objects.filter(collectivity=region, kind=BodyKind.YOUTH).update(deleted=True)
    again = services.body_ensure_required(collectivity=region, actor=secretary)
    assert [b.kind for b in again] == [BodyKind.YOUTH]


@pytest.mark.parametrize("who", ["council_secretary", "charlie", "citizen"])
def test_only_the_advisory_secretariat_sets_up_bodies(
    who: str, request: pytest.FixtureRequest, collectivity_a: Collectivity
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.body_ensure_required(collectivity=collectivity_a, actor=actor)
    with pytest.raises(PermissionDenied):
        services.body_create(collectivity=collectivity_a, actor=actor, name_ar="هيئة")
    assert not Body.objects.exists()


# --------------------------------------------------------------------------- bodies


def test_body_create_and_update(collectivity_a: Collectivity, advisory_secretary: User) -> None:
    body = services.body_create(
        collectivity=collectivity_a,
        actor=advisory_secretary,
        name_ar="  هيئة البيئة  ",
        name_fr="Instance de l'environnement",
        established_on=dt.date(2023, 1, 5),
    )
    assert body.kind == BodyKind.OTHER and body.legal_basis == "" and body.name_ar == "هيئة البيئة"
    services.body_update(
        body=body,
        actor=advisory_secretary,
        name_ar="هيئة البيئة والمناخ",
        description_fr="Avis sur le plan climat.",
    )
    body.refresh_from_db()
    assert (
        body.name_ar == "هيئة البيئة والمناخ" and body.description_fr == "Avis sur le plan climat."
    )
    assert body.established_on is None
    assert Event.objects.filter(action="advisory.body_updated").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_ar": "  "}, "name_ar"),
        ({"name_ar": "ه" * 201}, "name_ar"),
        ({"name_ar": "هيئة", "name_fr": "x\x00"}, "name_fr"),
        ({"name_ar": "هيئة", "description_ar": "و" * 10_001}, "description_ar"),
        (
            {"name_ar": "هيئة", "established_on": dt.date.today() + dt.timedelta(days=2)},
            "established_on",
        ),
    ],
)
def test_body_input_is_checked(
    values: dict, field: str, collectivity_a: Collectivity, advisory_secretary: User, equity_a: Body
) -> None:
    refused(
        lambda: services.body_create(
            collectivity=collectivity_a, actor=advisory_secretary, **values
        ),
        field,
    )
    refused(lambda: services.body_update(body=equity_a, actor=advisory_secretary, **values), field)


def test_a_deleted_body_is_not_changed(equity_a: Body, advisory_secretary: User) -> None:
    Body.objects.filter(pk=equity_a.pk).update(deleted=True)
    equity_a.refresh_from_db()
    refused(
        lambda: services.body_update(body=equity_a, actor=advisory_secretary, name_ar="x"), "body"
    )
    refused(
        lambda: services.body_member_add(
            body=equity_a, actor=advisory_secretary, name_ar="س", started_on=TODAY()
        ),
        "body",
    )


# -------------------------------------------------------------------------- members


def _seat(body: Body, actor: User, **values: object) -> BodyMember:
    data: dict = {"name_ar": "سعاد الإدريسي", "started_on": dt.date(2022, 3, 1)}
    data.update(values)
    return services.body_member_add(body=body, actor=actor, **data)


def test_members_and_their_bureau(equity_a: Body, advisory_secretary: User, citizen: User) -> None:
    president = _seat(
        equity_a,
        advisory_secretary,
        role=BodyRole.PRESIDENT,
        organisation="جمعية النساء المبادرات",
        user_email="CITIZEN@example.test",
    )
    assert president.user == citizen and president.role == BodyRole.PRESIDENT
    _seat(equity_a, advisory_secretary, name_ar="نادية", role=BodyRole.VICE_PRESIDENT)
    _seat(equity_a, advisory_secretary, name_ar="محمد", role=BodyRole.VICE_PRESIDENT)
    _seat(equity_a, advisory_secretary, name_ar="أيوب", role=BodyRole.RAPPORTEUR)
    # One president, one rapporteur at a time.
    refused(lambda: _seat(equity_a, advisory_secretary, name_ar="ب", role="president"), "role")
    refused(lambda: _seat(equity_a, advisory_secretary, name_ar="ب", role="rapporteur"), "role")
    # The same account holds one seat.
    refused(
        lambda: _seat(equity_a, advisory_secretary, name_ar="ج", user_email="citizen@example.test"),
        "user_email",
    )
    services.body_member_end(member=president, actor=advisory_secretary, ended_on=TODAY())
    president.refresh_from_db()
    assert president.ended_on == TODAY()
    successor = _seat(equity_a, advisory_secretary, name_ar="لطيفة", role=BodyRole.PRESIDENT)
    assert successor.role == BodyRole.PRESIDENT
    # The member may be seated again with their account once their seat ended.
    _seat(equity_a, advisory_secretary, name_ar="سعاد", user_email="citizen@example.test")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_ar": ""}, "name_ar"),
        ({"organisation": "ج" * 201}, "organisation"),
        ({"role": "king"}, "role"),
        ({"started_on": None}, "started_on"),
        ({"started_on": dt.date.today() + dt.timedelta(days=1)}, "started_on"),
        ({"user_email": "nobody@example.test"}, "user_email"),
    ],
)
def test_member_input_is_checked(
    values: dict, field: str, equity_a: Body, advisory_secretary: User
) -> None:
    refused(lambda: _seat(equity_a, advisory_secretary, **values), field)
    member = _seat(equity_a, advisory_secretary, name_ar="عضو")
    refused(
        lambda: services.body_member_update(
            member=member,
            actor=advisory_secretary,
            **{"name_ar": "عضو", "started_on": dt.date(2022, 3, 1), **values},
        ),
        field,
    )


def test_member_update_and_end(equity_a: Body, advisory_secretary: User, citizen: User) -> None:
    member = _seat(equity_a, advisory_secretary, role=BodyRole.RAPPORTEUR)
    # Keeping their own role is not "another rapporteur".
    services.body_member_update(
        member=member,
        actor=advisory_secretary,
        name_ar="سعاد",
        name_fr="Souad",
        role=BodyRole.RAPPORTEUR,
        started_on=dt.date(2022, 3, 1),
        user_email="citizen@example.test",
    )
    member.refresh_from_db()
    assert (member.name_fr, member.user) == ("Souad", citizen)
    refused(
        lambda: services.body_member_end(
            member=member, actor=advisory_secretary, ended_on=dt.date(2022, 2, 1)
        ),
        "ended_on",
    )
    refused(
        lambda: services.body_member_end(member=member, actor=advisory_secretary, ended_on=None),
        "ended_on",
    )
    refused(
        lambda: services.body_member_end(
            member=member, actor=advisory_secretary, ended_on=TODAY() + dt.timedelta(days=1)
        ),
        "ended_on",
    )
    services.body_member_end(member=member, actor=advisory_secretary, ended_on=TODAY())
    refused(
        lambda: services.body_member_end(member=member, actor=advisory_secretary, ended_on=TODAY()),
        "member",
    )
    refused(
        lambda: services.body_member_update(
            member=member, actor=advisory_secretary, name_ar="س", started_on=TODAY()
        ),
        "member",
    )


def test_members_are_kept_by_the_advisory_secretariat_only(
    equity_a: Body, advisory_secretary: User, council_secretary: User
) -> None:
    member = _seat(equity_a, advisory_secretary)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        _seat(equity_a, council_secretary)
    with pytest.raises(PermissionDenied):
        services.body_member_end(member=member, actor=council_secretary, ended_on=TODAY())
    assert snapshot() == before


# ----------------------------------------------------------------- meetings, files


def test_meetings_and_minutes(equity_a: Body, advisory_secretary: User, citizen: User) -> None:
    _seat(equity_a, advisory_secretary, user_email="citizen@example.test")
    past = timezone.now() - dt.timedelta(days=3)
    held = services.meeting_add(
        body=equity_a, actor=advisory_secretary, starts_at=past, place="القاعة", minutes="محضر"
    )
    assert held.minutes == "محضر"
    assert not OutboundEmail.objects.filter(to=citizen.email).exists()
    coming = timezone.now() + dt.timedelta(days=7)
    refused(
        lambda: services.meeting_add(
            body=equity_a, actor=advisory_secretary, starts_at=coming, minutes="محضر"
        ),
        "minutes",
    )
    refused(
        lambda: services.meeting_add(body=equity_a, actor=advisory_secretary, starts_at=None),
        "starts_at",
    )
    refused(
        lambda: services.meeting_add(
            body=equity_a, actor=advisory_secretary, starts_at=past, place="ق" * 301
        ),
        "place",
    )
    announced = services.meeting_add(body=equity_a, actor=advisory_secretary, starts_at=coming)
    assert OutboundEmail.objects.filter(to=citizen.email).count() == 1
    # Once held, its minutes are added.
    services.meeting_update(
        meeting=held, actor=advisory_secretary, starts_at=past, place="القاعة", minutes="محضر 2"
    )
    held.refresh_from_db()
    assert held.minutes == "محضر 2"
    assert announced.starts_at == coming


def test_documents_are_checked_by_content(
    equity_a: Body,
    advisory_secretary: User,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    meeting = services.meeting_add(
        body=equity_a, actor=advisory_secretary, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    report = services.document_add(
        body=equity_a,
        actor=advisory_secretary,
        kind=BodyDocumentKind.ANNUAL_REPORT,
        title="التقرير السنوي 2025",
        year=2025,
        file=pdf_file("rapport.pdf"),
    )
    assert report.content_type == "application/pdf" and len(report.sha256) == 64
    assert report.file.name.startswith(f"advisory/{collectivity_a.pk}/")
    minutes = services.document_add(
        body=equity_a,
        actor=advisory_secretary,
        kind=BodyDocumentKind.MINUTES,
        title="محضر",
        file=pdf_file(),
        meeting=meeting,
    )
    assert minutes.meeting == meeting
    other = Body.objects.create(collectivity=collectivity_b, kind=BodyKind.EQUITY, name_ar="هيئة")
    other_meeting = other.meetings.create(starts_at=timezone.now())
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": BodyDocumentKind.ANNUAL_REPORT}, "year"),
        ({"kind": BodyDocumentKind.ANNUAL_REPORT, "year": 1990}, "year"),
        ({"kind": "poster"}, "kind"),
        ({"title": " "}, "title"),
        ({"file": None}, "file"),
        ({"file": SimpleUploadedFile("avis.pdf", b"MZ\x90\x00 not a pdf")}, "file"),
        ({"file": SimpleUploadedFile("avis.exe", b"MZ\x90\x00")}, "file"),
        ({"meeting": other_meeting}, "meeting"),
    ]
    for values, field in cases:
        data: dict[str, Any] = {
            "kind": BodyDocumentKind.OTHER,
            "title": "وثيقة",
            "file": pdf_file(),
            **values,
        }
        refused(
            functools.partial(
                services.document_add, body=equity_a, actor=advisory_secretary, **data
            ),
            field,
        )
    refused(
        lambda: services.document_delete(document=report, actor=advisory_secretary, reason=""),
        "reason",
    )
    services.document_delete(document=report, actor=advisory_secretary, reason="خطأ في الملف")
    report.refresh_from_db()
    assert report.deleted
    assert BodyDocument.objects.filter(deleted=False).count() == 1


# ------------------------------------------------------------------------ referrals


def test_referral_references_follow_each_other(
    make_referral: MakeReferral, collectivity_a: Collectivity
) -> None:
    year = TODAY().year
    first = make_referral()
    second = make_referral(origin=Origin.SELF)
    assert (first.reference, second.reference) == (f"REF-{year}-1", f"REF-{year}-2")
    assert first.referred_on == TODAY() and second.referred_on is None


def test_referral_input_is_checked(
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    equity_a: Body,
    council_secretary: User,
    session_a: Session,
) -> None:
    other_body = Body.objects.create(collectivity=collectivity_b, kind=BodyKind.EQUITY, name_ar="ه")
    other_session = council_session(collectivity_b)

    def create(**values: object) -> Referral:
        data: dict = {
            "collectivity": collectivity_a,
            "body": equity_a,
            "actor": council_secretary,
            "origin": Origin.COUNCIL,
            "subject_ar": "موضوع",
            "question": "سؤال",
        }
        data.update(values)
        return services.referral_create(**data)

    refused(lambda: create(origin=Origin.SELF), "origin")
    refused(lambda: create(origin="mayor"), "origin")
    refused(lambda: create(body=other_body), "body")
    refused(lambda: create(session=other_session), "session")
    refused(lambda: create(origin=Origin.PRESIDENT, session=session_a), "session")
    refused(lambda: create(subject_ar=""), "subject_ar")
    refused(lambda: create(subject_fr="s" * 301), "subject_fr")
    refused(lambda: create(question=""), "question")
    deleted = Body.objects.create(
        collectivity=collectivity_a, kind=BodyKind.OTHER, name_ar="ه", deleted=True
    )
    refused(lambda: create(body=deleted), "body")
    referral = create(session=session_a)
    assert referral.session == session_a and referral.status == Status.REFERRED


@pytest.mark.parametrize("who", ["advisory_secretary", "charlie", "citizen"])
def test_only_the_council_secretariat_refers(
    who: str, request: pytest.FixtureRequest, collectivity_a: Collectivity, equity_a: Body
) -> None:
    actor = request.getfixturevalue(who)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.referral_create(
            collectivity=collectivity_a,
            body=equity_a,
            actor=actor,
            origin=Origin.COUNCIL,
            subject_ar="موضوع",
            question="سؤال",
        )
    assert snapshot() == before


def test_only_the_advisory_secretariat_initiates(
    equity_a: Body, council_secretary: User, charlie: User
) -> None:
    before = snapshot()
    for actor in (council_secretary, charlie):
        with pytest.raises(PermissionDenied):
            services.opinion_initiate(body=equity_a, actor=actor, subject_ar="م", question="س")
    assert snapshot() == before
    refused(
        lambda: services.opinion_initiate(body=equity_a, actor=None, subject_ar="", question=""),
        "subject_ar",
        "question",
    )


def test_opinion_input_is_checked(make_referral: MakeReferral, advisory_secretary: User) -> None:
    referral = make_referral()

    def adopt(**values: object) -> Referral:
        data: dict = {"opinion_ar": "رأي", "adopted_on": TODAY()}
        data.update(values)
        return services.opinion_adopt(referral=referral, actor=advisory_secretary, **data)

    refused(lambda: adopt(opinion_ar="", opinion_fr=" "), "opinion_ar")
    refused(lambda: adopt(adopted_on=None), "adopted_on")
    refused(lambda: adopt(adopted_on=TODAY() + dt.timedelta(days=1)), "adopted_on")
    refused(lambda: adopt(adopted_on=TODAY() - dt.timedelta(days=1)), "adopted_on")
    refused(lambda: adopt(file=SimpleUploadedFile("a.pdf", b"not a pdf")), "file")
    # French alone is an opinion, with its signed document.
    done = adopt(opinion_ar="", opinion_fr="Avis favorable.", file=pdf_file())
    assert done.status == Status.ADOPTED and done.opinion_fr == "Avis favorable."
    document = BodyDocument.objects.get(referral=referral)
    assert document.kind == BodyDocumentKind.OPINION


def test_answer_input_is_checked(
    make_referral: MakeReferral,
    council_secretary: User,
    collectivity_b: Collectivity,
    item_a: AgendaItem,
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    other_item = AgendaItem.objects.create(
        session=council_session(collectivity_b), number=1, title_ar="نقطة"
    )

    def answer(**values: object) -> Referral:
        data: dict = {"answer": "partly", "reasons_ar": "الأسباب"}
        data.update(values)
        return services.referral_answer(referral=referral, actor=council_secretary, **data)

    refused(lambda: answer(answer="maybe"), "answer")
    refused(lambda: answer(answer=""), "answer")
    refused(lambda: answer(reasons_ar="", reasons_fr=""), "answer_reasons_ar")
    refused(lambda: answer(reasons_ar="x" * 50_001), "answer_reasons_ar")
    refused(lambda: answer(agenda_item=other_item), "agenda_item")
    AgendaItem.objects.filter(pk=item_a.pk).update(deleted=True)
    item_a.refresh_from_db()
    refused(lambda: answer(agenda_item=item_a), "agenda_item")


def test_withdraw_needs_a_reason(make_referral: MakeReferral, council_secretary: User) -> None:
    referral = make_referral()
    refused(
        lambda: services.referral_withdraw(referral=referral, actor=council_secretary, reason=" "),
        "reason",
    )
    services.referral_withdraw(referral=referral, actor=council_secretary, reason="سبب")
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN and referral.closed_at is not None
