"""A council's whole tree, built with the ORM, for the OParl tests.

`build_tree(collectivity)` gives a term with members, committees and seats; sessions in
every state (a draft and a cancelled-before-publication one that must stay hidden, a
convened one, a held one with votes, attendance, a decision and signed minutes, an
adjourned one and the session that follows it, a cancelled one, a deleted one); public
and closed items and documents; an advisory body with members, meetings, documents and
referrals in every state (with a draft opinion that must stay hidden); and deleted rows
of several kinds. `Tree` names the rows the tests look at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyKind,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.workflow import Answer, Origin
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    Committee,
    CommitteeSeat,
    Document,
    DocumentKind,
    ItemResult,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Presence,
    SeatRole,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.territories.models import Collectivity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def moment(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


@dataclass
class Tree:
    collectivity: Collectivity
    term: Term
    members: list[Member]
    committees: list[Committee]
    held: Session
    convened: Session
    draft: Session
    cancelled_unpublished: Session
    deleted_session: Session
    adopted_item: AgendaItem
    closed_item: AgendaItem
    deleted_item: AgendaItem
    public_document: Document
    closed_document: Document
    draft_document: Document
    minutes: Minutes
    advisory_body: Body
    referrals: dict[str, Referral]
    draft_opinion: BodyDocument
    opinion_document: BodyDocument
    deleted_referral: Referral
    deleted_body_meeting: BodyMeeting
    hidden: list[str] = field(default_factory=list)


def _document(session: Session, kind: str, title: str, **extra: object) -> Document:
    return Document.objects.create(
        session=session,
        kind=kind,
        title=title,
        file=ContentFile(PDF, name="doc.pdf"),
        name=f"{kind}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        **extra,
    )


def _body_document(body: Body, kind: str, title: str, **extra: object) -> BodyDocument:
    return BodyDocument.objects.create(
        body=body,
        kind=kind,
        title=title,
        file=ContentFile(PDF, name="doc.pdf"),
        name=f"{kind}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="1" * 64,
        **extra,
    )


def _session(
    collectivity: Collectivity, term: Term, status: str, n: int, **extra: object
) -> Session:
    published = None if status == SessionStatus.DRAFT else moment(1, n)
    values: dict[str, object] = {
        "collectivity": collectivity,
        "term": term,
        "kind": SessionKind.ORDINARY,
        "status": status,
        "reference": f"S-2026-{n}",
        "title_ar": f"الدورة {n}",
        "title_fr": f"Session {n}",
        "starts_at": moment(2, n),
        "place": "قاعة الاجتماعات",
        "agenda_published_at": published,
    }
    values.update(extra)
    return Session.objects.create(**values)


def build_tree(collectivity: Collectivity) -> Tree:
    term = Term.objects.create(
        collectivity=collectivity,
        name_ar="الولاية 2021-2026",
        name_fr="Mandat 2021-2026",
        start_date=dt.date(2021, 9, 20),
        end_date=dt.date(2026, 9, 19),
    )
    roles = [
        MemberRole.PRESIDENT,
        MemberRole.VICE_PRESIDENT,
        MemberRole.SECRETARY,
        MemberRole.MEMBER,
        MemberRole.MEMBER,
    ]
    members = [
        Member.objects.create(
            collectivity=collectivity,
            term=term,
            name_ar=f"العضو {i}",
            name_fr=f"Membre {i}",
            role=role,
            party="حزب" if i % 2 else "",
            started_on=dt.date(2021, 9, 20),
            ended_on=dt.date(2024, 1, 1) if i == 4 else None,
        )
        for i, role in enumerate(roles)
    ]
    former = Member.objects.create(
        collectivity=collectivity,
        term=term,
        name_ar="عضو محذوف",
        started_on=dt.date(2021, 9, 20),
        deleted=True,
    )
    finance = Committee.objects.create(
        collectivity=collectivity,
        term=term,
        name_ar="لجنة الميزانية",
        name_fr="Commission du budget",
    )
    adhoc = Committee.objects.create(
        collectivity=collectivity, term=term, name_ar="لجنة مؤقتة", is_standing=False
    )
    CommitteeSeat.objects.create(committee=finance, member=members[0], role=SeatRole.CHAIR)
    CommitteeSeat.objects.create(committee=finance, member=members[1], role=SeatRole.RAPPORTEUR)
    CommitteeSeat.objects.create(committee=finance, member=members[3])
    CommitteeSeat.objects.create(committee=adhoc, member=members[2], role=SeatRole.DEPUTY_CHAIR)
    CommitteeSeat.objects.create(committee=adhoc, member=former)
    CommitteeSeat.objects.create(committee=adhoc, member=members[4], deleted=True)

    draft = _session(collectivity, term, SessionStatus.DRAFT, 1)
    draft_item = AgendaItem.objects.create(session=draft, number=1, title_ar="نقطة غير منشورة")
    draft_document = _document(draft, DocumentKind.AGENDA, "جدول أعمال غير منشور")

    convened = _session(collectivity, term, SessionStatus.CONVENED, 2, is_public=False)
    AgendaItem.objects.create(session=convened, number=1, title_ar="الميزانية", title_fr="Budget")
    AgendaItem.objects.create(session=convened, number=2, title_ar="النقل")
    closed_item = AgendaItem.objects.create(
        session=convened, number=3, title_ar="نقطة سرية", is_public=False
    )
    _document(convened, DocumentKind.AGENDA, "جدول الأعمال")
    closed_document = _document(convened, DocumentKind.ANNEX, "ملحق سري", is_public=False)
    closed_item_document = _document(
        convened, DocumentKind.REPORT, "تقرير نقطة سرية", item=closed_item
    )

    held = _session(
        collectivity,
        term,
        SessionStatus.SUMMARY_PUBLISHED,
        3,
        ends_at=moment(2, 3, 13),
        held_on=dt.date(2026, 2, 3),
        quorum_met=True,
        summary_ar="صادق المجلس على الميزانية",
        summary_fr="Le conseil a adopté le budget",
        summary_published_at=moment(2, 5),
        broadcast_url="https://example.org/live",
    )
    adopted_item = AgendaItem.objects.create(
        session=held,
        number=1,
        title_ar="المصادقة على الميزانية",
        title_fr="Adoption du budget",
        rapporteur=members[1],
        committee=finance,
        committee_report="تقرير اللجنة",
        result=ItemResult.ADOPTED,
        votes_for=3,
        votes_against=1,
        votes_abstain=1,
        decision_number="D-2026-1",
        decision_ar="صادق المجلس",
        decision_fr="Le conseil adopte",
        decided_at=moment(2, 3, 12),
    )
    rejected = AgendaItem.objects.create(
        session=held, number=2, title_ar="اتفاقية شراكة", result=ItemResult.REJECTED
    )
    deleted_item = AgendaItem.objects.create(
        session=held, number=3, title_ar="نقطة محذوفة", deleted=True
    )
    choices = [Choice.FOR, Choice.FOR, Choice.FOR, Choice.AGAINST, Choice.ABSTAIN]
    for voter, choice in zip(members, choices, strict=True):
        Vote.objects.create(item=adopted_item, member=voter, choice=choice)
        Attendance.objects.create(session=held, member=voter, presence=Presence.PRESENT)
    Attendance.objects.create(session=held, member=former, presence=Presence.ABSENT)
    public_document = _document(held, DocumentKind.DECISION, "مقرر الميزانية", item=adopted_item)
    _document(held, DocumentKind.REPORT, "تقرير", item=rejected)
    _document(held, DocumentKind.ANNEX, "ملحق محذوف", deleted=True)
    _document(held, DocumentKind.AGENDA, "جدول الأعمال")
    minutes = Minutes.objects.create(
        session=held,
        status=MinutesStatus.SIGNED,
        text_ar="محضر",
        approved_at=moment(2, 20),
        signed_pdf=ContentFile(PDF, name="minutes.pdf"),
        signed_sha256="2" * 64,
        signed_at=moment(2, 21),
    )

    adjourned = _session(collectivity, term, SessionStatus.ADJOURNED, 4, quorum_met=False, place="")
    _session(
        collectivity,
        term,
        SessionStatus.CONVENED,
        5,
        kind=SessionKind.EXTRAORDINARY,
        convocation=2,
        follows=adjourned,
    )
    _session(collectivity, term, SessionStatus.CANCELLED, 6)
    cancelled_unpublished = _session(
        collectivity, term, SessionStatus.CANCELLED, 7, agenda_published_at=None
    )
    deleted_session = _session(collectivity, term, SessionStatus.CONVENED, 8, deleted=True)
    AgendaItem.objects.create(session=deleted_session, number=1, title_ar="نقطة")

    advisory_body = Body.objects.create(
        collectivity=collectivity,
        kind=BodyKind.EQUITY,
        name_ar="هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
        name_fr="Instance de l'équité",
        legal_basis="113.14 art. 120",
        established_on=dt.date(2022, 3, 1),
    )
    for i, role in enumerate([BodyRole.PRESIDENT, BodyRole.RAPPORTEUR, BodyRole.MEMBER]):
        BodyMember.objects.create(
            body=advisory_body,
            name_ar=f"عضو الهيئة {i}",
            organisation="جمعية",
            role=role,
            started_on=dt.date(2022, 3, 1),
        )
    BodyMember.objects.create(
        body=advisory_body, name_ar="عضو سابق", started_on=dt.date(2022, 3, 1), deleted=True
    )
    meeting = BodyMeeting.objects.create(
        body=advisory_body, starts_at=moment(3, 2), place="دار الجمعيات", minutes="محضر الاجتماع"
    )
    BodyMeeting.objects.create(body=advisory_body, starts_at=moment(3, 9))
    deleted_body_meeting = BodyMeeting.objects.create(
        body=advisory_body, starts_at=moment(3, 16), deleted=True
    )
    _body_document(advisory_body, BodyDocumentKind.MINUTES, "محضر", meeting=meeting)
    _body_document(advisory_body, BodyDocumentKind.ANNUAL_REPORT, "التقرير السنوي", year=2025)

    def referral(status: str, n: int, **extra: object) -> Referral:
        values: dict[str, object] = {
            "collectivity": collectivity,
            "body": advisory_body,
            "status": status,
            "origin": Origin.COUNCIL,
            "reference": f"R-2026-{n}",
            "subject_ar": f"إحالة {n}",
            "subject_fr": f"Saisine {n}",
            "question": "ما رأي الهيئة؟",
            "referred_on": dt.date(2026, 1, n),
            "session": held,
        }
        values.update(extra)
        return Referral.objects.create(**values)

    opinion = {"opinion_ar": "رأي الهيئة", "opinion_fr": "Avis de l'instance"}
    referrals = {
        "referred": referral(ReferralStatus.REFERRED, 1),
        "drafting": referral(
            ReferralStatus.DRAFTING,
            2,
            origin=Origin.SELF,
            referred_on=None,
            session=None,
            opinion_ar="مسودة الرأي",
        ),
        "adopted": referral(ReferralStatus.ADOPTED, 3, adopted_on=dt.date(2026, 2, 10), **opinion),
        "transmitted": referral(
            ReferralStatus.TRANSMITTED,
            4,
            origin=Origin.PRESIDENT,
            adopted_on=dt.date(2026, 2, 10),
            transmitted_on=dt.date(2026, 2, 12),
            **opinion,
        ),
        "answered": referral(
            ReferralStatus.ANSWERED,
            5,
            adopted_on=dt.date(2026, 2, 10),
            transmitted_on=dt.date(2026, 2, 12),
            answer=Answer.PARTLY,
            answer_reasons_ar="أسباب",
            answered_on=dt.date(2026, 2, 20),
            agenda_item=adopted_item,
            **opinion,
        ),
        "withdrawn": referral(ReferralStatus.WITHDRAWN, 6),
    }
    deleted_referral = referral(ReferralStatus.REFERRED, 7, deleted=True)
    draft_opinion = _body_document(
        advisory_body, BodyDocumentKind.OPINION, "مسودة", referral=referrals["drafting"]
    )
    opinion_document = _body_document(
        advisory_body, BodyDocumentKind.OPINION, "الرأي", referral=referrals["answered"]
    )
    _body_document(
        advisory_body, BodyDocumentKind.OTHER, "رسالة الإحالة", referral=referrals["referred"]
    )

    hidden = [
        f"meeting/council/{draft.pk}",
        f"meeting/council/{cancelled_unpublished.pk}",
        f"location/council/{draft.pk}",
        f"agenda-item/{draft_item.pk}",
        f"agenda-item/{closed_item.pk}",
        f"file/council/{draft_document.pk}",
        f"file/council/{closed_document.pk}",
        f"file/council/{closed_item_document.pk}",
        f"file/advisory/{draft_opinion.pk}",
    ]
    return Tree(
        collectivity=collectivity,
        term=term,
        members=members,
        committees=[finance, adhoc],
        held=held,
        convened=convened,
        draft=draft,
        cancelled_unpublished=cancelled_unpublished,
        deleted_session=deleted_session,
        adopted_item=adopted_item,
        closed_item=closed_item,
        deleted_item=deleted_item,
        public_document=public_document,
        closed_document=closed_document,
        draft_document=draft_document,
        minutes=minutes,
        advisory_body=advisory_body,
        referrals=referrals,
        draft_opinion=draft_opinion,
        opinion_document=opinion_document,
        deleted_referral=deleted_referral,
        deleted_body_meeting=deleted_body_meeting,
        hidden=hidden,
    )


def build_small(collectivity: Collectivity) -> Term:
    """Another council: a term, one member, one session (for isolation)."""
    term = Term.objects.create(
        collectivity=collectivity, name_ar="الولاية", start_date=dt.date(2021, 9, 20)
    )
    member = Member.objects.create(
        collectivity=collectivity, term=term, name_ar="عضو ب", started_on=dt.date(2021, 9, 20)
    )
    session = _session(collectivity, term, SessionStatus.CONVENED, 9)
    AgendaItem.objects.create(session=session, number=1, title_ar="نقطة ب", rapporteur=member)
    return term
