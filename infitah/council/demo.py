"""Demo data of the council: two councils, their sessions, votes, decisions and minutes.

- Béni Mellal-Khénifra (region): the term 2021–2027, twenty members (president, four
  vice-presidents, secretary and deputy, members), three standing committees with their
  seats; the October 2025 ordinary session, held: its agenda (with the adoption of the
  open-government programme, اعتماد برنامج الانفتاح), documents, attendance, each
  member's vote, the decisions, the published summary, and the minutes drafted and
  approved, then signed when the minutes service and PDF rendering are available.
- Aït Melloul (commune): the term, fifteen members, the budget committee; the February
  2026 ordinary session, held (votes, decisions, summary); the next ordinary session,
  convened with its agenda published.

The council's secretariat (council-secretary@demo.infitah.ma, Role.COUNCIL_SECRETARY)
and one member with an account (council-member@demo.infitah.ma, Role.COUNCIL_MEMBER,
linked to a seat of the regional council) get their roles in both collectivities.

Sessions go through the case engine (`case_created`, `case_transition` with the
council's PROCESS, the secretariat acting), so that their legal periods and ledger
events are those of a real session; the rest (members, items, votes) is written with
the ORM, whatever the staff services are. The events are dated the day the demo is
loaded: only the sessions' own fields carry the dates of the story.

Idempotent: a collectivity whose council already has a term is left as it is (only the
signature of the demo minutes is tried again). Refused in production. Names are made up.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Role, User
from infitah.accounts.services import membership_grant
from infitah.cases.services import case_created, case_transition
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
    Receipt,
    SeatRole,
    Session,
    Term,
    Vote,
)
from infitah.council.process import PROCESS
from infitah.council.workflow import CONVENED, Action, SessionKind
from infitah.lib.pdf import PdfUnavailable
from infitah.lib.uploads import check_upload
from infitah.territories.models import Collectivity

DEMO_DOMAIN = "demo.infitah.ma"
SECRETARY_EMAIL = f"council-secretary@{DEMO_DOMAIN}"
MEMBER_EMAIL = f"council-member@{DEMO_DOMAIN}"
REGION_SLUG = "beni-mellal-khenifra"
COMMUNE_SLUG = "ait-melloul"
# The demo session whose minutes are signed.
OCTOBER_REFERENCE = "BMK-2025-10"
# Ordinary sessions of a commune: the first week of February, May and October (113.14
# art. 33; May UNCONFIRMED, docs/domain.md §5).
COMMUNE_MONTHS = (2, 5, 10)
# The next session is convened at least this long before its sitting (the agenda
# notice is 10 days by default).
NOTICE = dt.timedelta(days=15)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Person:
    name_ar: str
    name_fr: str
    party: str
    role: str = MemberRole.MEMBER
    rank: int = 0


RNI = "التجمع الوطني للأحرار (RNI)"
PAM = "الأصالة والمعاصرة (PAM)"
ISTIQLAL = "الاستقلال (PI)"
USFP = "الاتحاد الاشتراكي للقوات الشعبية (USFP)"
MP = "الحركة الشعبية (MP)"
UC = "الاتحاد الدستوري (UC)"
PPS = "التقدم والاشتراكية (PPS)"
PJD = "العدالة والتنمية (PJD)"

VP = MemberRole.VICE_PRESIDENT
REGION_COUNCIL = [
    Person("محمد الإدريسي", "Mohamed El Idrissi", RNI, MemberRole.PRESIDENT),
    Person("فاطمة الزهراء بنعلي", "Fatima Zahra Benali", PAM, VP, 1),
    Person("عبد الرحيم أوعلي", "Abderrahim Ouali", ISTIQLAL, VP, 2),
    Person("نادية الحمداوي", "Nadia El Hamdaoui", RNI, VP, 3),
    Person("يوسف أمزيان", "Youssef Amezian", MP, VP, 4),
    Person("خديجة الصديقي", "Khadija Seddiki", USFP, MemberRole.SECRETARY),
    Person("رشيد بوعزة", "Rachid Bouazza", PAM, MemberRole.DEPUTY_SECRETARY),
    Person("سعيد الفاسي", "Said El Fassi", ISTIQLAL),
    Person("مريم العلوي", "Meryem Alaoui", RNI),
    Person("إبراهيم أيت حدو", "Brahim Ait Haddou", MP),
    Person("حسناء الزياني", "Hasna Ziani", PAM),
    Person("عبد الله الموساوي", "Abdellah Moussaoui", PJD),
    Person("لطيفة أوبلا", "Latifa Oubella", USFP),
    Person("مصطفى بلحاج", "Mustapha Belhaj", UC),
    Person("سلمى الشرقاوي", "Salma Cherkaoui", RNI),
    Person("حميد أزناك", "Hamid Aznag", PPS),
    Person("زينب الكبير", "Zineb El Kebir", PAM),
    Person("عمر التازي", "Omar Tazi", ISTIQLAL),
    Person("إيمان الناصري", "Imane Naciri", RNI),
    Person("الحسين بن الطيب", "Lahcen Ben Taieb", MP),
]
# The seat of the demo member with an account (council-member@).
REGION_MEMBER_WITH_ACCOUNT = 8

COMMUNE_COUNCIL = [
    Person("عبد الرحمان أوحمو", "Abderrahmane Ouhammou", RNI, MemberRole.PRESIDENT),
    Person("حفيظة بومهدي", "Hafida Boumahdi", PAM, VP, 1),
    Person("محمد أيت بلعيد", "Mohamed Ait Belaid", ISTIQLAL, VP, 2),
    Person("سميرة الدرقاوي", "Samira Derkaoui", RNI, VP, 3),
    Person("لحسن أكرام", "Lahcen Akram", USFP, MemberRole.SECRETARY),
    Person("نعيمة أوبركة", "Naima Oubarka", MP, MemberRole.DEPUTY_SECRETARY),
    Person("ياسين بوفتاس", "Yassine Bouftas", RNI),
    Person("عائشة أمغار", "Aicha Amghar", PAM),
    Person("عبد الكريم الصافي", "Abdelkrim Essafi", PJD),
    Person("رشيدة أيت وعلي", "Rachida Ait Ouali", ISTIQLAL),
    Person("مولاي أحمد العمراني", "Moulay Ahmed El Amrani", UC),
    Person("سعاد إدبلقاس", "Souad Idbelkas", RNI),
    Person("أيوب أوشن", "Ayoub Ouchen", PPS),
    Person("حنان بنعيسى", "Hanane Benaissa", PAM),
    Person("جمال أزنكض", "Jamal Aznkad", MP),
]


@dataclass(frozen=True)
class DemoCommittee:
    name_ar: str
    name_fr: str
    # (index in the council, seat role)
    seats: Sequence[tuple[int, str]]


REGION_COMMITTEES = [
    DemoCommittee(
        "لجنة الميزانية والشؤون المالية والبرمجة",
        "Commission du budget, des affaires financières et de la programmation",
        [(7, SeatRole.CHAIR), (10, SeatRole.DEPUTY_CHAIR), (12, SeatRole.RAPPORTEUR)]
        + [(i, SeatRole.MEMBER) for i in (2, 13, 16, 19)],
    ),
    DemoCommittee(
        "لجنة التنمية الاقتصادية والاجتماعية والثقافية والبيئية",
        "Commission du développement économique, social, culturel et environnemental",
        [(3, SeatRole.CHAIR), (8, SeatRole.DEPUTY_CHAIR), (14, SeatRole.RAPPORTEUR)]
        + [(i, SeatRole.MEMBER) for i in (11, 15, 18)],
    ),
    DemoCommittee(
        "لجنة إعداد التراب",
        "Commission de l'aménagement du territoire",
        [(9, SeatRole.CHAIR), (17, SeatRole.DEPUTY_CHAIR), (15, SeatRole.RAPPORTEUR)]
        + [(i, SeatRole.MEMBER) for i in (4, 6, 11)],
    ),
]

COMMUNE_COMMITTEE = DemoCommittee(
    "لجنة الميزانية والشؤون المالية والبرمجة",
    "Commission du budget, des finances et de la programmation",
    [(6, SeatRole.CHAIR), (9, SeatRole.DEPUTY_CHAIR), (11, SeatRole.RAPPORTEUR)]
    + [(i, SeatRole.MEMBER) for i in (2, 7, 12)],
)


@dataclass(frozen=True)
class DemoDocument:
    kind: str
    title: str
    filename: str
    text: str


@dataclass(frozen=True)
class DemoItem:
    title_ar: str
    title_fr: str
    description: str
    rapporteur: int | None  # index in the council
    committee: int | None  # index among the committees
    documents: Sequence[DemoDocument]
    # What the sitting did (held sessions only).
    result: str = ""
    # Per member index, how they voted; present members not listed voted for.
    votes: Mapping[int, str] | None = None
    decision_ar: str = ""
    decision_fr: str = ""


def _txt(title: str, body: str) -> str:
    return f"{title}\n{'=' * 40}\n\n{body.strip()}\n"


OPEN_GOV_AR = "اعتماد برنامج الانفتاح (الحكومة المنفتحة) لجهة بني ملال خنيفرة 2022-2027"
OPEN_GOV_FR = "Adoption du programme de gouvernement ouvert de la région Béni Mellal-Khénifra"

OCTOBER_ITEMS = [
    DemoItem(
        title_ar=OPEN_GOV_AR,
        title_fr=OPEN_GOV_FR,
        description=(
            "برنامج مشترك الإعداد مع الهيئات الاستشارية وجمعيات المجتمع المدني: نشر "
            "المعطيات المفتوحة، الحق في الحصول على المعلومات، العرائض، الميزانية التشاركية."
        ),
        rapporteur=14,
        committee=1,
        documents=[
            DemoDocument(
                DocumentKind.REPORT,
                "برنامج الانفتاح 2022-2027 — الوثيقة الكاملة",
                "programme-infitah-bmk.txt",
                _txt(
                    "برنامج الانفتاح لجهة بني ملال خنيفرة / Programme de gouvernement ouvert",
                    """
1. نشر المعطيات المفتوحة للجهة / Publication des données ouvertes de la région
2. الحق في الحصول على المعلومات (القانون 31.13) / Droit d'accès à l'information
3. العرائض والمشاركة المواطنة / Pétitions et participation citoyenne
4. الميزانية التشاركية / Budget participatif
5. تتبع وتقييم البرنامج مع الهيئات الاستشارية / Suivi avec les instances consultatives
""",
                ),
            ),
            DemoDocument(
                DocumentKind.COMMITTEE_REPORT,
                "تقرير لجنة التنمية الاقتصادية والاجتماعية حول برنامج الانفتاح",
                "rapport-commission-infitah.txt",
                _txt(
                    "تقرير اللجنة / Rapport de la commission",
                    "درست اللجنة البرنامج في اجتماعها المنعقد يوم 29 شتنبر 2025 وأوصت "
                    "بالمصادقة عليه.\nLa commission recommande l'adoption du programme.",
                ),
            ),
        ],
        result=ItemResult.ADOPTED,
        votes={12: Choice.ABSTAIN, 11: Choice.AGAINST},
        decision_ar=(
            "صادق مجلس الجهة على برنامج الانفتاح (الحكومة المنفتحة) 2022-2027، ويكلف "
            "رئيس المجلس بتنفيذه وبتتبعه مع الهيئات الاستشارية للجهة."
        ),
        decision_fr=(
            "Le conseil régional adopte le programme de gouvernement ouvert 2022-2027 et "
            "charge son président de sa mise en œuvre et de son suivi avec les instances "
            "consultatives de la région."
        ),
    ),
    DemoItem(
        title_ar="الدراسة والتصويت على مشروع ميزانية الجهة برسم السنة المالية 2026",
        title_fr="Examen et vote du projet de budget de la région pour l'exercice 2026",
        description="",
        rapporteur=12,
        committee=0,
        documents=[
            DemoDocument(
                DocumentKind.REPORT,
                "مذكرة تقديم مشروع الميزانية 2026",
                "note-budget-2026.txt",
                _txt(
                    "مشروع ميزانية 2026 / Projet de budget 2026",
                    "مداخيل التسيير / Recettes de fonctionnement : 1.182.000.000 MAD\n"
                    "نفقات التجهيز / Dépenses d'équipement : 905.000.000 MAD",
                ),
            ),
        ],
        result=ItemResult.ADOPTED,
        votes={11: Choice.AGAINST, 15: Choice.AGAINST, 13: Choice.NONE},
        decision_ar="صادق المجلس على ميزانية الجهة برسم السنة المالية 2026.",
        decision_fr="Le conseil adopte le budget de la région pour l'exercice 2026.",
    ),
    DemoItem(
        title_ar="الدراسة والتصويت على اتفاقية شراكة لتأهيل المسالك القروية بإقليم أزيلال",
        title_fr="Convention de partenariat pour la mise à niveau des pistes rurales d'Azilal",
        description="",
        rapporteur=17,
        committee=2,
        documents=[
            DemoDocument(
                DocumentKind.ANNEX,
                "مشروع الاتفاقية",
                "convention-pistes-azilal.txt",
                _txt(
                    "اتفاقية شراكة / Convention de partenariat",
                    "طول المسالك: 120 كلم / Longueur : 120 km",
                ),
            ),
        ],
        result=ItemResult.ADOPTED,
        votes={},
        decision_ar="صادق المجلس بالإجماع على اتفاقية الشراكة.",
        decision_fr="Le conseil adopte la convention de partenariat à l'unanimité.",
    ),
    DemoItem(
        title_ar="تقديم تقرير رئيس المجلس حول الأعمال المنجزة",
        title_fr="Rapport du président sur les actions réalisées",
        description="",
        rapporteur=0,
        committee=None,
        documents=[],
        result=ItemResult.NOTED,
    ),
]

FEBRUARY_ITEMS = [
    DemoItem(
        title_ar="الدراسة والتصويت على برمجة الفائض التقديري لميزانية 2026",
        title_fr="Programmation de l'excédent prévisionnel du budget 2026",
        description="",
        rapporteur=11,
        committee=0,
        documents=[
            DemoDocument(
                DocumentKind.REPORT,
                "جدول برمجة الفائض",
                "programmation-excedent-2026.txt",
                _txt(
                    "برمجة الفائض / Programmation de l'excédent",
                    "الإنارة العمومية / Éclairage public : 4.500.000 MAD\n"
                    "تهيئة الطرق / Voirie : 7.200.000 MAD",
                ),
            ),
        ],
        result=ItemResult.ADOPTED,
        votes={8: Choice.AGAINST, 12: Choice.ABSTAIN},
        decision_ar="صادق المجلس على برمجة الفائض التقديري لميزانية 2026.",
        decision_fr="Le conseil adopte la programmation de l'excédent prévisionnel 2026.",
    ),
    DemoItem(
        title_ar="الدراسة والتصويت على اتفاقية شراكة لتهيئة ملعب القرب بحي المسيرة",
        title_fr="Convention pour l'aménagement d'un terrain de proximité à Al Massira",
        description="نقطة مدرجة بناء على عريضة مقدمة من سكان الحي.",
        rapporteur=2,
        committee=None,
        documents=[],
        result=ItemResult.ADOPTED,
        votes={},
        decision_ar="صادق المجلس بالإجماع على الاتفاقية.",
        decision_fr="Le conseil adopte la convention à l'unanimité.",
    ),
    DemoItem(
        title_ar="الدراسة والتصويت على مراجعة تعريفة الوقوف بالمنطقة الصناعية",
        title_fr="Révision du tarif de stationnement de la zone industrielle",
        description="",
        rapporteur=3,
        committee=0,
        documents=[],
        result=ItemResult.REJECTED,
        votes=dict.fromkeys((2, 6, 7, 8, 9, 10, 12), Choice.AGAINST)
        | {13: Choice.ABSTAIN, 14: Choice.NONE},
        decision_ar="رفض المجلس مشروع مراجعة تعريفة الوقوف.",
        decision_fr="Le conseil rejette le projet de révision du tarif de stationnement.",
    ),
]

NEXT_ITEMS = [
    DemoItem(
        title_ar="تقديم تقرير حول تنفيذ برنامج عمل الجماعة",
        title_fr="Rapport sur l'exécution du programme d'action de la commune",
        description="",
        rapporteur=0,
        committee=None,
        documents=[
            DemoDocument(
                DocumentKind.REPORT,
                "تقرير تنفيذ برنامج عمل الجماعة",
                "rapport-pac.txt",
                _txt(
                    "برنامج عمل الجماعة / Programme d'action de la commune",
                    "نسبة الإنجاز: 46% / Taux de réalisation : 46 %",
                ),
            ),
        ],
    ),
    DemoItem(
        title_ar="الدراسة والتصويت على اتفاقية لتأهيل الإنارة العمومية",
        title_fr="Convention pour la mise à niveau de l'éclairage public",
        description="",
        rapporteur=11,
        committee=0,
        documents=[
            DemoDocument(
                DocumentKind.ANNEX,
                "مشروع اتفاقية الإنارة العمومية",
                "convention-eclairage.txt",
                _txt(
                    "اتفاقية / Convention",
                    "تعويض 6000 مصباح بمصابيح LED / Remplacement de 6 000 luminaires",
                ),
            ),
        ],
    ),
    DemoItem(
        title_ar="تحيين تركيبة هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
        title_fr="Mise à jour de la composition de l'instance de l'équité et du genre",
        description="",
        rapporteur=1,
        committee=None,
        documents=[],
    ),
]


# --------------------------------------------------------------------------- helpers


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    # Aware from the start: the sitting's hour in the site's time zone (Africa/Casablanca).
    zone = timezone.get_default_timezone()
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _council(term: Term, people: Sequence[Person]) -> list[Member]:
    return [
        Member.objects.create(
            collectivity=term.collectivity,
            term=term,
            name_ar=p.name_ar,
            name_fr=p.name_fr,
            role=p.role,
            rank=p.rank,
            party=p.party,
            started_on=term.start_date,
        )
        for p in people
    ]


def _committee(term: Term, members: list[Member], demo: DemoCommittee) -> Committee:
    committee = Committee.objects.create(
        collectivity=term.collectivity, term=term, name_ar=demo.name_ar, name_fr=demo.name_fr
    )
    for index, role in demo.seats:
        CommitteeSeat.objects.create(committee=committee, member=members[index], role=role)
    return committee


def _document(session: Session, item: AgendaItem | None, demo: DemoDocument) -> Document:
    data = demo.text.encode()
    checked = check_upload(io.BytesIO(data), name=demo.filename)
    document = Document(
        session=session,
        item=item,
        kind=demo.kind,
        title=demo.title,
        name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    document.file.save(demo.filename, ContentFile(data), save=False)
    document.save()
    return document


@dataclass(frozen=True)
class Sitting:
    """A session to create: its agenda, and, if held, what happened."""

    reference: str
    title_ar: str
    title_fr: str
    day: dt.date
    place: str
    items: Sequence[DemoItem]
    agenda: DemoDocument
    held: bool
    # Member indexes excused and absent (the others are present), if held.
    excused: Sequence[int] = ()
    absent: Sequence[int] = ()
    summary_ar: str = ""
    summary_fr: str = ""
    broadcast_url: str = ""
    recording_url: str = ""


def _session(
    term: Term,
    members: list[Member],
    committees: list[Committee],
    sitting: Sitting,
    actor: User,
) -> Session:
    """Convene the session, publish its agenda and, if held, record the sitting, hold it
    and publish its summary: each step through the engine."""
    day = sitting.day
    session = Session.objects.create(
        collectivity=term.collectivity,
        term=term,
        kind=SessionKind.ORDINARY,
        reference=sitting.reference,
        title_ar=sitting.title_ar,
        title_fr=sitting.title_fr,
        starts_at=_at(day),
        place=sitting.place,
        broadcast_url=sitting.broadcast_url,
    )
    case_created(PROCESS, session, CONVENED, actor=actor)
    items: list[tuple[AgendaItem, DemoItem]] = []
    for number, demo in enumerate(sitting.items, start=1):
        item = AgendaItem.objects.create(
            session=session,
            number=number,
            title_ar=demo.title_ar,
            title_fr=demo.title_fr,
            description=demo.description,
            rapporteur=members[demo.rapporteur] if demo.rapporteur is not None else None,
            committee=committees[demo.committee] if demo.committee is not None else None,
        )
        for document in demo.documents:
            _document(session, item, document)
        items.append((item, demo))
    _document(session, None, sitting.agenda)
    published = min(timezone.now(), _at(day - dt.timedelta(days=13), 12))
    case_transition(
        PROCESS,
        session,
        Action.PUBLISH_AGENDA,
        actor=actor,
        changes={"agenda_published_at": published},
    )
    if not sitting.held:
        return session

    away = dict.fromkeys(sitting.excused, Presence.EXCUSED) | dict.fromkeys(
        sitting.absent, Presence.ABSENT
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, member=m, presence=away.get(i, Presence.PRESENT))
        for i, m in enumerate(members)
    )
    present = [i for i in range(len(members)) if i not in away]
    for number, (item, demo) in enumerate(items, start=1):
        _decide(item, demo, members, present, sitting, number, _at(day, 12))
    case_transition(
        PROCESS,
        session,
        Action.HOLD,
        actor=actor,
        changes={
            "held_on": day,
            "ends_at": _at(day, 14),
            "quorum_met": True,
            "recording_url": sitting.recording_url,
        },
    )
    case_transition(
        PROCESS,
        session,
        Action.PUBLISH_SUMMARY,
        actor=actor,
        changes={
            "summary_ar": sitting.summary_ar,
            "summary_fr": sitting.summary_fr,
            "summary_published_at": _at(day + dt.timedelta(days=6), 11),
        },
    )
    return session


def _decide(
    item: AgendaItem,
    demo: DemoItem,
    members: list[Member],
    present: list[int],
    sitting: Sitting,
    number: int,
    at: dt.datetime,
) -> None:
    """The votes of the members present and the item's result and decision."""
    if demo.votes is not None:
        choices = {i: demo.votes.get(i, Choice.FOR) for i in present}
        Vote.objects.bulk_create(
            Vote(item=item, member=members[i], choice=c) for i, c in choices.items()
        )
        values = list(choices.values())
        item.votes_for = values.count(Choice.FOR)
        item.votes_against = values.count(Choice.AGAINST)
        item.votes_abstain = values.count(Choice.ABSTAIN)
    item.result = demo.result
    item.decision_ar = demo.decision_ar
    item.decision_fr = demo.decision_fr
    if demo.decision_ar:
        item.decision_number = f"{sitting.reference}/{number}"
        item.decided_at = at
    item.save()


def _next_sitting(today: dt.date) -> dt.date:
    """The first Tuesday of the next ordinary month at least NOTICE from today."""
    day = dt.date(today.year, today.month, 1)
    while True:
        if day.month in COMMUNE_MONTHS:
            tuesday = day + dt.timedelta(days=(1 - day.weekday()) % 7)
            if tuesday >= today + NOTICE:
                return tuesday
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --------------------------------------------------------------------------- the councils


def _region(region: Collectivity, secretary: User, member_user: User, log: Log) -> None:
    term = Term.objects.create(
        collectivity=region,
        name_ar="الولاية الانتدابية 2021-2027",
        name_fr="Mandat 2021-2027",
        start_date=dt.date(2021, 9, 21),
    )
    members = _council(term, REGION_COUNCIL)
    seat = members[REGION_MEMBER_WITH_ACCOUNT]
    seat.user = member_user
    seat.save(update_fields=["user"])
    committees = [_committee(term, members, c) for c in REGION_COMMITTEES]
    october = Sitting(
        reference=OCTOBER_REFERENCE,
        title_ar="الدورة العادية لشهر أكتوبر 2025",
        title_fr="Session ordinaire d'octobre 2025",
        day=dt.date(2025, 10, 7),
        place="مقر مجلس الجهة، بني ملال / Siège du conseil régional, Béni Mellal",
        items=OCTOBER_ITEMS,
        agenda=DemoDocument(
            DocumentKind.AGENDA,
            "جدول أعمال دورة أكتوبر 2025",
            "ordre-du-jour-octobre-2025.txt",
            _txt(
                "جدول الأعمال / Ordre du jour",
                "\n".join(f"{n}. {i.title_ar}" for n, i in enumerate(OCTOBER_ITEMS, 1)),
            ),
        ),
        held=True,
        excused=(13, 17, 19),
        absent=(15,),
        summary_ar=(
            "عقد مجلس جهة بني ملال خنيفرة دورته العادية لشهر أكتوبر يوم 7 أكتوبر 2025، "
            "وصادق على برنامج الانفتاح 2022-2027، وعلى ميزانية الجهة برسم 2026، وعلى "
            "اتفاقية تأهيل المسالك القروية بإقليم أزيلال، وأخذ علما بتقرير الرئيس."
        ),
        summary_fr=(
            "Le conseil de la région Béni Mellal-Khénifra a tenu sa session ordinaire "
            "d'octobre le 7 octobre 2025. Il a adopté le programme de gouvernement ouvert "
            "2022-2027, le budget 2026 et la convention des pistes rurales d'Azilal, et "
            "pris acte du rapport du président."
        ),
        broadcast_url="https://www.youtube.com/@region-bmk-demo/live",
        recording_url="https://www.youtube.com/watch?v=demo-bmk-2025-10",
    )
    session = _session(term, members, committees, october, secretary)
    for document in session.documents.all():
        Receipt.objects.create(
            document=document,
            member=seat,
            sent_at=session.agenda_published_at or timezone.now(),
            opened_at=(session.agenda_published_at or timezone.now()) + dt.timedelta(hours=5),
            open_count=2,
        )
    Minutes.objects.create(
        session=session,
        status=MinutesStatus.APPROVED,
        text_ar=_minutes_text(session, members, "ar"),
        text_fr=_minutes_text(session, members, "fr"),
        approved_at=_at(dt.date(2025, 10, 21), 11),
    )
    log(
        f"council demo: {region.slug}: term, {len(members)} members, "
        f"{len(committees)} committees, the October 2025 session held, minutes approved"
    )


def _minutes_text(session: Session, members: list[Member], language: str) -> str:
    items = list(session.items.order_by("number"))
    if language == "ar":
        lines = [
            f"محضر {session.title_ar}",
            f"انعقدت الدورة يوم 7 أكتوبر 2025 برئاسة السيد {members[0].name_ar}، "
            f"وتولى كتابة الجلسة السيدة {members[5].name_ar}.",
            *(f"{i.number}. {i.title_ar}: {i.decision_ar or 'أخذ المجلس علما.'}" for i in items),
        ]
    else:
        lines = [
            f"Procès-verbal de la {session.title_fr[0].lower()}{session.title_fr[1:]}",
            f"La session s'est tenue le 7 octobre 2025 sous la présidence de "
            f"M. {members[0].name_fr} ; secrétaire de séance : Mme {members[5].name_fr}.",
            *(
                f"{i.number}. {i.title_fr} : {i.decision_fr or 'Le conseil en prend acte.'}"
                for i in items
            ),
        ]
    return "\n\n".join(lines)


def _commune(commune: Collectivity, secretary: User, log: Log) -> None:
    term = Term.objects.create(
        collectivity=commune,
        name_ar="الولاية الانتدابية 2021-2027",
        name_fr="Mandat 2021-2027",
        start_date=dt.date(2021, 9, 17),
    )
    members = _council(term, COMMUNE_COUNCIL)
    committees = [_committee(term, members, COMMUNE_COMMITTEE)]
    place = "قاعة الاجتماعات بمقر الجماعة، أيت ملول / Salle des délibérations, Aït Melloul"
    february = Sitting(
        reference="AM-2026-02",
        title_ar="الدورة العادية لشهر فبراير 2026",
        title_fr="Session ordinaire de février 2026",
        day=dt.date(2026, 2, 3),
        place=place,
        items=FEBRUARY_ITEMS,
        agenda=DemoDocument(
            DocumentKind.AGENDA,
            "جدول أعمال دورة فبراير 2026",
            "ordre-du-jour-fevrier-2026.txt",
            _txt(
                "جدول الأعمال / Ordre du jour",
                "\n".join(f"{n}. {i.title_ar}" for n, i in enumerate(FEBRUARY_ITEMS, 1)),
            ),
        ),
        held=True,
        excused=(10,),
        absent=(13,),
        summary_ar=(
            "صادق مجلس جماعة أيت ملول في دورته العادية لشهر فبراير 2026 على برمجة الفائض "
            "التقديري وعلى اتفاقية ملعب القرب بحي المسيرة، ورفض مراجعة تعريفة الوقوف."
        ),
        summary_fr=(
            "En sa session ordinaire de février 2026, le conseil communal d'Aït Melloul a "
            "adopté la programmation de l'excédent et la convention du terrain de proximité "
            "d'Al Massira, et rejeté la révision du tarif de stationnement."
        ),
    )
    _session(term, members, committees, february, secretary)
    day = _next_sitting(timezone.localdate())
    months_ar = {2: "فبراير", 5: "ماي", 10: "أكتوبر"}
    months_fr = {2: "février", 5: "mai", 10: "octobre"}
    upcoming = Sitting(
        reference=f"AM-{day:%Y-%m}",
        title_ar=f"الدورة العادية لشهر {months_ar[day.month]} {day.year}",
        title_fr=f"Session ordinaire de {months_fr[day.month]} {day.year}",
        day=day,
        place=place,
        items=NEXT_ITEMS,
        agenda=DemoDocument(
            DocumentKind.AGENDA,
            f"جدول أعمال الدورة العادية لشهر {months_ar[day.month]} {day.year}",
            "ordre-du-jour.txt",
            _txt(
                "جدول الأعمال / Ordre du jour",
                "\n".join(f"{n}. {i.title_ar}" for n, i in enumerate(NEXT_ITEMS, 1)),
            ),
        ),
        held=False,
        broadcast_url="https://www.facebook.com/ait-melloul-demo/live",
    )
    _session(term, members, committees, upcoming, secretary)
    log(
        f"council demo: {commune.slug}: term, {len(members)} members, 1 committee, the "
        f"February 2026 session held, the session of {day.isoformat()} convened"
    )


def _sign(log: Log, secretary: User) -> None:
    """Sign the October minutes with the minutes service, if it exists and can draw PDFs
    here; else leave them approved and say why."""
    minutes = (
        Minutes.objects.filter(
            session__reference=OCTOBER_REFERENCE, session__collectivity__slug=REGION_SLUG
        )
        .select_related("session", "session__collectivity")
        .first()
    )
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        return
    try:
        from infitah.council.minutes import minutes_sign
    except ImportError:
        log("council demo: minutes left approved (no minutes service to sign them)")
        return
    parameters = inspect.signature(minutes_sign).parameters
    target: dict[str, Any] = (
        {"session": minutes.session} if "session" in parameters else {"minutes": minutes}
    )
    try:
        with transaction.atomic():
            minutes_sign(actor=secretary, **target)
    except PdfUnavailable as exc:
        log(f"council demo: minutes left approved (PDF rendering unavailable: {exc})")
    except ValidationError as exc:
        log(f"council demo: minutes left approved ({'; '.join(exc.messages)})")
    else:
        log(f"council demo: minutes of {OCTOBER_REFERENCE} signed")


def council_demo(collectivity_by_slug: Callable[[str], Collectivity | None], log: Log) -> None:
    """Load the council demo (see the module docstring); idempotent, never in production."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    with transaction.atomic():
        secretary = _user(SECRETARY_EMAIL, "Council secretary (demo)")
        member_user = _user(MEMBER_EMAIL, "Council member (demo)")
        region = collectivity_by_slug(REGION_SLUG)
        commune = collectivity_by_slug(COMMUNE_SLUG)
        for collectivity in (c for c in (region, commune) if c is not None):
            for user, role in (
                (secretary, Role.COUNCIL_SECRETARY),
                (member_user, Role.COUNCIL_MEMBER),
            ):
                membership_grant(
                    user=user, collectivity=collectivity, role=role, actor=None, process="demo"
                )
        if region is None:
            log(f"council demo: no collectivity {REGION_SLUG!r}; nothing created for it")
        elif Term.objects.filter(collectivity=region).exists():
            log(f"council demo: {REGION_SLUG}: the council already has a term; left as it is")
        else:
            _region(region, secretary, member_user, log)
        if commune is None:
            log(f"council demo: no collectivity {COMMUNE_SLUG!r}; nothing created for it")
        elif Term.objects.filter(collectivity=commune).exists():
            log(f"council demo: {COMMUNE_SLUG}: the council already has a term; left as it is")
        else:
            _commune(commune, secretary, log)
    _sign(log, secretary)


__all__ = ["council_demo"]
