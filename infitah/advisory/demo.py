"""Demo data of advisory bodies, entered through the services as on the site.

- Béni Mellal-Khénifra (region): its three required bodies (equity, youth, economic
  issues) with members and bureau from civil society and economic actors; one referral
  from the council to the equity body, answered (opinion adopted, transmitted, partly
  adopted by the council with its reasons) and one referral from the president to the
  youth body, its opinion awaited (the opinion clock running);
- Aït Melloul (commune): its equity body with members and one meeting with minutes.

The names are made up (associations and people alike, save the region's chambers).
The region's two secretariats get demo logins (password of the demo):
`advisory-secretary.bmk@demo.infitah.ma` and `council-secretary.bmk@demo.infitah.ma`;
Aït Melloul's advisory secretary is the core demo's `advisory-secretary@…`.

Idempotent: a body's members, a referral (by its Arabic subject) or a meeting (by its
day) already there are left as they are. Refused in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Role, User
from infitah.accounts.services import membership_grant
from infitah.advisory import services
from infitah.advisory.models import Body, BodyKind, BodyMeeting, BodyRole, Referral
from infitah.advisory.workflow import Answer, Origin
from infitah.territories.models import Collectivity

REGION_SLUG = "beni-mellal-khenifra"
COMMUNE_SLUG = "ait-melloul"
DEMO_DOMAIN = "demo.infitah.ma"
REGION_ADVISORY = f"advisory-secretary.bmk@{DEMO_DOMAIN}"
REGION_COUNCIL = f"council-secretary.bmk@{DEMO_DOMAIN}"
COMMUNE_ADVISORY = f"advisory-secretary@{DEMO_DOMAIN}"
# Members seated at the bodies' installation (a fixed past day: the demo is repeatable).
SEATED_ON = dt.date(2022, 3, 15)


@dataclass(frozen=True)
class Seat:
    name_ar: str
    name_fr: str
    organisation: str
    role: str = BodyRole.MEMBER


REGION_MEMBERS: dict[str, list[Seat]] = {
    BodyKind.EQUITY: [
        Seat(
            "سعاد الإدريسي",
            "Souad El Idrissi",
            "جمعية النساء المبادرات ببني ملال — Association des femmes entrepreneuses",
            BodyRole.PRESIDENT,
        ),
        Seat(
            "عبد الرحيم أوعلي",
            "Abderrahim Ouali",
            "جمعية الأطلس للتنمية والتضامن — Association Atlas développement et solidarité",
            BodyRole.VICE_PRESIDENT,
        ),
        Seat(
            "نادية بنعيسى",
            "Nadia Benaissa",
            "منتدى المواطنة والمساواة بخنيفرة — Forum citoyenneté et égalité de Khénifra",
            BodyRole.RAPPORTEUR,
        ),
        Seat(
            "محمد الوردي",
            "Mohamed El Ouardi",
            "جمعية الأشخاص في وضعية إعاقة بالفقيه بن صالح — Association des personnes "
            "en situation de handicap",
            BodyRole.DEPUTY_RAPPORTEUR,
        ),
        Seat(
            "فاطمة الزهراء أمزيان",
            "Fatima Zahra Amezian",
            "جمعية دعم تمدرس الفتاة القروية بأزيلال — Association pour la scolarisation "
            "des filles rurales d'Azilal",
        ),
        Seat(
            "حسناء الشرقاوي",
            "Hasna Cherkaoui",
            "شبكة جمعيات خريبكة للتنمية — Réseau des associations de Khouribga",
        ),
    ],
    BodyKind.YOUTH: [
        Seat(
            "يوسف الحمداوي",
            "Youssef Hamdaoui",
            "جمعية شباب بلا حدود ببني ملال — Association Jeunes sans frontières",
            BodyRole.PRESIDENT,
        ),
        Seat(
            "سلمى بوزيد",
            "Salma Bouzid",
            "نادي المقاولين الشباب بخريبكة — Club des jeunes entrepreneurs de Khouribga",
            BodyRole.VICE_PRESIDENT,
        ),
        Seat(
            "أيوب العلوي",
            "Ayoub Alaoui",
            "جمعية أمل للثقافة والرياضة بقصبة تادلة — Association Amal, Kasba Tadla",
            BodyRole.RAPPORTEUR,
        ),
        Seat(
            "إيمان أكوراي",
            "Imane Akourai",
            "جمعية أصدقاء دار الشباب بأزيلال — Amis de la maison de jeunes d'Azilal",
        ),
        Seat(
            "حمزة الكبير",
            "Hamza El Kabir",
            "الجمعية الجهوية للطلبة الباحثين — Association régionale des doctorants",
        ),
    ],
    BodyKind.ECONOMIC: [
        Seat(
            "عبد اللطيف برادة",
            "Abdellatif Berrada",
            "غرفة التجارة والصناعة والخدمات للجهة — Chambre de commerce, d'industrie "
            "et de services",
            BodyRole.PRESIDENT,
        ),
        Seat(
            "مليكة الزياني",
            "Malika Ziani",
            "الغرفة الفلاحية للجهة — Chambre d'agriculture de la région",
            BodyRole.VICE_PRESIDENT,
        ),
        Seat(
            "رشيد أيت بلعيد",
            "Rachid Ait Belaid",
            "تعاونية تادلة لزيت الزيتون — Coopérative oléicole de Tadla",
            BodyRole.RAPPORTEUR,
        ),
        Seat(
            "كريمة السباعي",
            "Karima Sbai",
            "جمعية المقاولات الصغرى والمتوسطة بخنيفرة — Association des PME de Khénifra",
        ),
        Seat(
            "إدريس الناصري",
            "Driss Naciri",
            "الاتحاد الجهوي للتعاونيات الفلاحية — Union régionale des coopératives agricoles",
        ),
    ],
}

COMMUNE_MEMBERS = [
    Seat(
        "لطيفة أوبلا",
        "Latifa Oubella",
        "جمعية تيفاوين للمرأة والتنمية — Association Tifawin femme et développement",
        BodyRole.PRESIDENT,
    ),
    Seat(
        "الحسن أيت باها",
        "Lahcen Ait Baha",
        "جمعية حي المسيرة للتنمية — Association du quartier Al Massira",
        BodyRole.VICE_PRESIDENT,
    ),
    Seat(
        "سميرة أخشيشن",
        "Samira Akhchichen",
        "مركز الاستماع للنساء بأيت ملول — Centre d'écoute des femmes d'Aït Melloul",
        BodyRole.RAPPORTEUR,
    ),
    Seat(
        "عبد الله إدبورك",
        "Abdellah Idbourk",
        "جمعية الأشخاص في وضعية إعاقة بسوس — Personnes en situation de handicap du Souss",
    ),
    Seat(
        "حياة أمغار",
        "Hayat Amghar",
        "فيدرالية جمعيات آباء وأمهات التلاميذ — Fédération des parents d'élèves",
    ),
]

ANSWERED = {
    "subject_ar": "برنامج التنمية الجهوية: محور تمكين النساء والفتيات في العالم القروي",
    "subject_fr": "Programme de développement régional : autonomisation des femmes et des "
    "filles en milieu rural",
    "question": (
        "يحيل مجلس الجهة على الهيئة مشروع محور تمكين النساء والفتيات في العالم القروي من "
        "برنامج التنمية الجهوية، قصد إبداء رأيها في الأولويات المقترحة وفي مؤشرات التتبع "
        "المراعية للنوع."
    ),
    "opinion_ar": (
        "تثمن الهيئة إدراج هذا المحور، وتوصي بما يلي:\n"
        "1. تخصيص 30 في المائة على الأقل من اعتمادات دعم التعاونيات للتعاونيات النسائية؛\n"
        "2. إحداث النقل المدرسي للفتيات في الجماعات الجبلية لأقاليم أزيلال وخنيفرة؛\n"
        "3. نشر مؤشرات التتبع مصنفة حسب الجنس والوسط كل سنة."
    ),
    "opinion_fr": (
        "L'instance salue l'inscription de ce volet et recommande :\n"
        "1. de réserver au moins 30 % des crédits d'appui aux coopératives aux coopératives "
        "féminines ;\n"
        "2. d'organiser le transport scolaire des filles dans les communes de montagne "
        "d'Azilal et de Khénifra ;\n"
        "3. de publier chaque année les indicateurs de suivi ventilés par sexe et par milieu."
    ),
    "reasons_ar": (
        "اعتمد المجلس التوصيتين الأولى والثالثة وأدرجهما في البرنامج. أما النقل المدرسي "
        "فيندرج في اختصاصات مشتركة مع الجماعات والمديريات الإقليمية للتربية الوطنية، "
        "وسيُدرس في إطار اتفاقية شراكة خلال السنة المقبلة."
    ),
    "reasons_fr": (
        "Le conseil retient les première et troisième recommandations et les inscrit au "
        "programme. Le transport scolaire relève de compétences partagées avec les communes "
        "et les directions provinciales de l'éducation nationale : il sera étudié dans une "
        "convention de partenariat l'an prochain."
    ),
}

PENDING = {
    "subject_ar": "مشروع الاستراتيجية الجهوية لتشجيع التشغيل الذاتي للشباب",
    "subject_fr": "Projet de stratégie régionale pour l'auto-emploi des jeunes",
    "question": (
        "يطلب رئيس مجلس الجهة رأي الهيئة في مشروع الاستراتيجية الجهوية لتشجيع التشغيل "
        "الذاتي للشباب، ولا سيما في شروط الاستفادة من المواكبة والتمويل."
    ),
}

MEETING_AT = dt.datetime(2025, 12, 16, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
MEETING_PLACE = "قاعة الاجتماعات بمقر جماعة أيت ملول — Salle de réunion, siège de la commune"
MEETING_MINUTES = (
    "انعقد الاجتماع العادي للهيئة بحضور خمسة أعضاء. تدارست الهيئة حصيلة حملة التحسيس "
    "بمناهضة العنف ضد النساء، وقررت إعداد رأي بمبادرة منها حول ولوج النساء في وضعية "
    "إعاقة إلى المرافق الجماعية، وتكليف المقررة بإعداد مشروع التقرير السنوي.\n\n"
    "L'instance s'est réunie en séance ordinaire, cinq membres présents. Elle a fait le "
    "bilan de la campagne contre les violences faites aux femmes, décidé de préparer un "
    "avis d'initiative sur l'accès des femmes en situation de handicap aux équipements "
    "communaux, et chargé la rapporteuse du projet de rapport annuel."
)


def _secretary(email: str, name: str, collectivity: Collectivity, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
    membership_grant(user=user, collectivity=collectivity, role=role, actor=None, process="demo")
    return user


def _seat_all(body: Body, seats: list[Seat], actor: User) -> int:
    known = set(body.members.values_list("name_ar", flat=True))
    added = 0
    for seat in seats:
        if seat.name_ar in known:
            continue
        services.body_member_add(
            body=body,
            actor=actor,
            name_ar=seat.name_ar,
            name_fr=seat.name_fr,
            organisation=seat.organisation,
            role=seat.role,
            started_on=SEATED_ON,
        )
        added += 1
    return added


def _bodies(collectivity: Collectivity, actor: User) -> dict[str, Body]:
    services.body_ensure_required(collectivity=collectivity, actor=actor)
    bodies: dict[str, Body] = {}
    for body in Body.objects.filter(collectivity=collectivity, deleted=False).order_by("pk"):
        bodies.setdefault(body.kind, body)
    return bodies


def _region(region: Collectivity, log: Callable[[str], None]) -> None:
    advisory = _secretary(
        REGION_ADVISORY, "Advisory secretary BMK (demo)", region, Role.ADVISORY_SECRETARY
    )
    council = _secretary(
        REGION_COUNCIL, "Council secretary BMK (demo)", region, Role.COUNCIL_SECRETARY
    )
    bodies = _bodies(region, advisory)
    seated = sum(_seat_all(bodies[kind], seats, advisory) for kind, seats in REGION_MEMBERS.items())
    equity, youth = bodies[BodyKind.EQUITY], bodies[BodyKind.YOUTH]
    referrals = 0
    if not Referral.objects.filter(body=equity, subject_ar=ANSWERED["subject_ar"]).exists():
        referral = services.referral_create(
            collectivity=region,
            body=equity,
            actor=council,
            origin=Origin.COUNCIL,
            subject_ar=ANSWERED["subject_ar"],
            subject_fr=ANSWERED["subject_fr"],
            question=ANSWERED["question"],
        )
        services.opinion_adopt(
            referral=referral,
            actor=advisory,
            opinion_ar=ANSWERED["opinion_ar"],
            opinion_fr=ANSWERED["opinion_fr"],
            adopted_on=timezone.localdate(),
        )
        services.opinion_transmit(referral=referral, actor=advisory)
        services.referral_answer(
            referral=referral,
            actor=council,
            answer=Answer.PARTLY,
            reasons_ar=ANSWERED["reasons_ar"],
            reasons_fr=ANSWERED["reasons_fr"],
        )
        referrals += 1
    if not Referral.objects.filter(body=youth, subject_ar=PENDING["subject_ar"]).exists():
        services.referral_create(
            collectivity=region,
            body=youth,
            actor=council,
            origin=Origin.PRESIDENT,
            subject_ar=PENDING["subject_ar"],
            subject_fr=PENDING["subject_fr"],
            question=PENDING["question"],
        )
        referrals += 1
    log(
        f"advisory demo: {region.slug}: {len(bodies)} bodies, {seated} members seated, "
        f"{referrals} referrals"
    )


def _commune(commune: Collectivity, log: Callable[[str], None]) -> None:
    actor = _secretary(
        COMMUNE_ADVISORY,
        f"{Role.ADVISORY_SECRETARY.label} (demo)",
        commune,
        Role.ADVISORY_SECRETARY,
    )
    equity = _bodies(commune, actor)[BodyKind.EQUITY]
    seated = _seat_all(equity, COMMUNE_MEMBERS, actor)
    starts_at = MEETING_AT
    meetings = 0
    if not BodyMeeting.objects.filter(body=equity, starts_at=starts_at).exists():
        services.meeting_add(
            body=equity,
            actor=actor,
            starts_at=starts_at,
            place=MEETING_PLACE,
            minutes=MEETING_MINUTES,
        )
        meetings = 1
    log(f"advisory demo: {commune.slug}: {seated} members seated, {meetings} meetings")


@transaction.atomic
def advisory_demo(
    collectivity_by_slug: Callable[[str], Collectivity | None], log: Callable[[str], None]
) -> None:
    """Load the demo's advisory bodies (see the module docstring); idempotent."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    region = collectivity_by_slug(REGION_SLUG)
    if region is None:
        log(f"advisory demo: no collectivity {REGION_SLUG!r}, skipped")
    else:
        _region(region, log)
    commune = collectivity_by_slug(COMMUNE_SLUG)
    if commune is None:
        log(f"advisory demo: no collectivity {COMMUNE_SLUG!r}, skipped")
    else:
        _commune(commune, log)
