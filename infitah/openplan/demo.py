"""The opening programme's demo (`manage.py demo`), from the seed texts' stories.

- **Drâa-Tafilalet** (region) co-creates its open-region programme around four axes
  (economic attractiveness, culture, social and solidarity economy, governance) with its
  three advisory bodies: on-site workshops recorded by staff, an online workshop open
  now, problems and solutions with comments and supports, a duplicate grouped, one
  proposal already turned into a draft commitment;
- **Aït Melloul** (commune) implements its opening plan 2024–2025, adopted by the
  council in its October 2023 session: commitments with weighted milestones, indicators
  measured over time, progress reports with evidence (in the register), a monitoring
  committee (its members, meetings, documents), and a committee assessment that differs
  from the unit's self-report; the trail from a citizen's proposal to commitment 1;
- **Béni Mellal-Khénifra** (region): its OGP Local candidacy (letters of support,
  eligibility) and its action plan 2022–2027, submitted to OGP, with its multi-stakeholder
  forum and the independent monitor's inception assessment.

Idempotent: a collectivity that already has a programme is left as it is. Dates are set
from the load day where the story is "now", from the seed texts where it is history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Role, User
from infitah.accounts.services import membership_grant
from infitah.advisory.models import Body as AdvisoryBody
from infitah.council.models import AgendaItem, ItemResult, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.openplan.models import (
    Assessment,
    BodyMember,
    Candidacy,
    Commitment,
    Indicator,
    IndicatorValue,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.services import adoption, core, forum, monitoring
from infitah.openplan.workflow import (
    AssessmentSource,
    Body,
    Completion,
    EarlyResults,
    Kind,
    MemberRole,
    PhaseKind,
    Potential,
    ProposalKind,
    Sector,
    WorkshopMode,
)
from infitah.participation.models import Gender, Participant
from infitah.territories.models import Collectivity

Log = Callable[[str], object]
DEMO_DOMAIN = "demo.infitah.ma"
DRAA_SLUG = "draa-tafilalet"
COMMUNE_SLUG = "ait-melloul"
BMK_SLUG = "beni-mellal-khenifra"
FOCAL_DRAA = f"focal-point.draa@{DEMO_DOMAIN}"
FOCAL_BMK = f"focal-point.bmk@{DEMO_DOMAIN}"
MONITOR_BMK = f"monitor.bmk@{DEMO_DOMAIN}"
# The commune's focal point and monitor accounts (infitah.core.demo creates one account
# per role in the commune; this demo grants them their role again, idempotently).
FOCAL_COMMUNE = f"focal-point@{DEMO_DOMAIN}"
MONITOR_COMMUNE = f"monitor@{DEMO_DOMAIN}"
# A tiny PDF that passes the upload checks (the evidence and letters of the demo).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _grant(user: User, collectivity: Collectivity, role: str) -> None:
    membership_grant(user=user, collectivity=collectivity, role=role, actor=None, process="demo")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, 1)


def _participants() -> list[Participant]:
    people = [
        ("fatima.demo@example.org", "فاطمة الزهراء", Gender.FEMALE),
        ("youssef.demo@example.org", "يوسف", Gender.MALE),
        ("khadija.demo@example.org", "خديجة", Gender.FEMALE),
        ("hassan.demo@example.org", "Hassan", Gender.MALE),
    ]
    found = []
    now = timezone.now()
    for email, name, gender in people:
        participant, _created = Participant.objects.get_or_create(
            email=email,
            defaults={
                "display_name": name,
                "gender": gender,
                "verified_at": now,
                "confirmed_at": now,
            },
        )
        found.append(participant)
    return found


def _phases(programme: Programme, actor: User, dates: dict[str, tuple[dt.date, dt.date]]) -> None:
    for kind, (start, end) in dates.items():
        core.phase_set(
            programme=programme,
            actor=actor,
            data={"kind": kind, "starts_on": start, "ends_on": end},
        )


def _members(programme: Programme, body: str, rows: list[tuple[Any, ...]]) -> None:
    BodyMember.objects.bulk_create(
        BodyMember(
            programme=programme,
            body=body,
            name=name,
            gender=gender,
            sector=sector,
            organisation=organisation,
            advisory_body=advisory,
            role=role,
            joined_on=joined,
        )
        for name, gender, sector, organisation, advisory, role, joined in rows
    )


# --- Drâa-Tafilalet: co-creation now ----------------------------------------------------------

DRAA_AXES = [
    ("الجاذبية الاقتصادية", "Attractivité économique"),
    ("المجال الثقافي", "Culture"),
    ("الاقتصاد الاجتماعي والتضامني", "Économie sociale et solidaire"),
    ("تعزيز أجهزة الحكامة", "Renforcement de la gouvernance"),
]
# (axis index, kind, text, said by / online participant index, supports)
DRAA_PROPOSALS: list[tuple[int, str, str, str | int, int]] = [
    (
        0,
        ProposalKind.PROBLEM,
        "ضعف المعلومات المتاحة للمستثمرين حول العقار والمناطق الصناعية بالجهة.",
        "جمعية المقاولين الشباب",
        3,
    ),
    (
        0,
        ProposalKind.SOLUTION,
        "نشر خريطة مفتوحة للوعاء العقاري المخصص للاستثمار وتحيينها كل ثلاثة أشهر.",
        0,
        4,
    ),
    (
        1,
        ProposalKind.PROBLEM,
        "غياب برمجة ثقافية منشورة مسبقا في الأقاليم الخمسة.",
        "الهيئة الاستشارية للشباب",
        2,
    ),
    (1, ProposalKind.SOLUTION, "رزنامة ثقافية جهوية مفتوحة تشارك الجمعيات في إعدادها.", 1, 3),
    (
        2,
        ProposalKind.PROBLEM,
        "صعوبة ولوج التعاونيات النسائية إلى الصفقات والدعم العمومي.",
        "هيئة المساواة ومقاربة النوع",
        4,
    ),
    (2, ProposalKind.SOLUTION, "نشر معايير وقوائم المستفيدين من دعم التعاونيات.", 2, 2),
    (
        3,
        ProposalKind.PROBLEM,
        "المواطنون لا يعرفون ما قررته الدورات ولا تتبع تنفيذه.",
        "جمعية درعة للتنمية",
        5,
    ),
    (3, ProposalKind.SOLUTION, "بث الدورات ونشر ملخص المقررات وتتبع تنفيذها على البوابة.", 3, 6),
    (3, ProposalKind.SOLUTION, "نشر المقررات وتتبع تنفيذها على موقع الجهة.", 0, 1),
]


def _draa(region: Collectivity, log: Log) -> None:
    actor = _user(FOCAL_DRAA, "Focal point Drâa-Tafilalet (demo)")
    _grant(actor, region, Role.FOCAL_POINT)
    today = timezone.localdate()
    programme = core.programme_create(
        collectivity=region,
        actor=actor,
        data={
            "kind": Kind.REMACTO,
            "title_ar": "برنامج الجهة المنفتحة لجهة درعة تافيلالت",
            "title_fr": "Programme de la région ouverte de Drâa-Tafilalet",
            "summary_ar": (
                "برنامج يعده مجلس الجهة بشكل مشترك مع هيئاته الاستشارية الثلاث والمجتمع "
                "المدني حول أربعة محاور، باستخراج الإشكاليات المرتبطة بكل محور والحلول "
                "المقترحة لكل إشكالية، ثم يعرض مسودته للتشاور قبل المصادقة عليه في دورة أكتوبر."
            ),
            "summary_fr": (
                "Programme co-construit par le conseil régional avec ses trois instances "
                "consultatives et la société civile autour de quatre axes : problèmes et "
                "solutions par axe, puis consultation sur le projet avant l'adoption en "
                "session d'octobre."
            ),
            "starts_on": dt.date(today.year + 1, 1, 1),
            "ends_on": dt.date(today.year + 2, 12, 31),
        },
    )
    _phases(
        programme,
        actor,
        {
            PhaseKind.AWARENESS: (_months(today, -4), _months(today, -2) - dt.timedelta(days=1)),
            PhaseKind.COCREATION: (_months(today, -2), _months(today, 2) - dt.timedelta(days=1)),
            PhaseKind.DRAFTING: (_months(today, 2), _months(today, 4) - dt.timedelta(days=1)),
            PhaseKind.CONSULTATION: (_months(today, 4), _months(today, 6) - dt.timedelta(days=1)),
            PhaseKind.ADOPTION: (_months(today, 6), _months(today, 10) - dt.timedelta(days=1)),
            PhaseKind.IMPLEMENTATION: (programme.starts_on, programme.ends_on),
            PhaseKind.EVALUATION: (programme.ends_on, _months(programme.ends_on, 3)),
        },
    )
    axes = [
        core.axis_save(programme=programme, actor=actor, data={"title_ar": ar, "title_fr": fr})
        for ar, fr in DRAA_AXES
    ]
    advisory = list(AdvisoryBody.objects.filter(collectivity=region).order_by("pk"))
    held = _at(_months(today, -1) + dt.timedelta(days=6))
    onsite = Workshop.objects.create(
        programme=programme,
        title_ar="ورشة الإعداد المشترك مع الهيئات الاستشارية الثلاث",
        title_fr="Atelier de co-construction avec les trois instances consultatives",
        mode=WorkshopMode.ON_SITE,
        place="مقر الجهة، الرشيدية",
        held_at=held,
        onsite_participants=42,
    )
    online = Workshop.objects.create(
        programme=programme,
        title_ar="المشاركة عن بعد: إشكاليات وحلول لكل محور",
        title_fr="Participation en ligne : problèmes et solutions par axe",
        mode=WorkshopMode.ONLINE,
        opens_at=_at(today - dt.timedelta(days=10), 9),
        closes_at=_at(today + dt.timedelta(days=20), 18),
    )
    people = _participants()
    proposals: list[Proposal] = []
    for axis_index, kind, text, author, supports in DRAA_PROPOSALS:
        online_author = isinstance(author, int)
        proposal = Proposal.objects.create(
            programme=programme,
            workshop=online if online_author else onsite,
            axis=axes[axis_index],
            kind=kind,
            text=text,
            participant=people[author] if isinstance(author, int) else None,
            recorded_by=None if online_author else actor,
            author_label="" if online_author else str(author),
            created_at=held if not online_author else timezone.now() - dt.timedelta(days=3),
        )
        proposals.append(proposal)
        ProposalSupport.objects.bulk_create(
            ProposalSupport(proposal=proposal, participant=p) for p in people[: min(supports, 4)]
        )
    ProposalComment.objects.create(
        proposal=proposals[7],
        participant=people[2],
        text="يجب أن يشمل التتبع الجدولة الزمنية والميزانية المرصودة لكل مقرر.",
    )
    # The last solution repeats the one before it: grouped under it.
    Proposal.objects.filter(pk=proposals[8].pk).update(duplicate_of=proposals[7])
    commitment = core.commitment_create(
        programme=programme,
        actor=actor,
        data={
            "axis": axes[3].pk,
            "title_ar": "تتبع تنفيذ مقررات المجلس بشكل مفتوح",
            "title_fr": "Suivi ouvert de l'exécution des délibérations du conseil",
            "problem_ar": proposals[6].text,
            "description_ar": proposals[7].text,
            "value_access": True,
            "value_accountability": True,
            "tag_technology": True,
            "lead_unit": "مديرية شؤون المجلس",
        },
    )
    commitment.proposals.add(proposals[6], proposals[7], proposals[8])
    _members(
        programme,
        Body.COMMITTEE,
        [
            (
                "يوسف أوزكيط",
                Gender.MALE,
                Sector.ELECTED,
                "مجلس الجهة",
                None,
                MemberRole.COORDINATOR,
                today,
            ),
            (
                "سامية",
                Gender.FEMALE,
                Sector.CIVIL_SOCIETY,
                "جمعية درعة للتنمية",
                None,
                MemberRole.COORDINATOR,
                today,
            ),
            *(
                (
                    body.name_ar or body.name_fr,
                    Gender.FEMALE if n % 2 == 0 else Gender.MALE,
                    Sector.ADVISORY,
                    body.name_ar,
                    body,
                    MemberRole.MEMBER,
                    today,
                )
                for n, body in enumerate(advisory[:3])
            ),
            (
                "نعيمة",
                Gender.FEMALE,
                Sector.CIVIL_SOCIETY,
                "تعاونية النخيل",
                None,
                MemberRole.MEMBER,
                today,
            ),
        ],
    )
    log(
        f"opening programme demo: {region.slug}: {programme.reference} in co-creation, "
        f"{len(axes)} axes, {len(proposals)} proposals, 1 draft commitment"
    )


# --- Aït Melloul: the adopted plan 2024–2025 ------------------------------------------------

COMMUNE_COMMITMENTS: list[dict[str, Any]] = [
    {
        "title_ar": "تعزيز الحق في الحصول على المعلومات والنشر الاستباقي",
        "title_fr": "Renforcer le droit d'accès à l'information et la publication proactive",
        "problem_ar": "طلبات الحصول على المعلومات تتأخر، والمعلومات التي يجب نشرها استباقيا مشتتة.",
        "problem_fr": "Les demandes d'information tardent et les informations à publier d'office sont dispersées.",
        "description_ar": "تعيين الأشخاص المكلفين، ونشر قائمة المعلومات المنشورة استباقيا، وبوابة لتقديم الطلبات وتتبعها.",
        "description_fr": "Désigner les chargés de l'information, publier le catalogue de publication proactive, un guichet en ligne des demandes.",
        "solution_ar": "يعرف المواطن ما ينشر ومتى ويتتبع طلبه إلى الجواب.",
        "solution_fr": "Le citoyen sait ce qui est publié et suit sa demande jusqu'à la réponse.",
        "value_access": True,
        "tag_technology": True,
        "lead_unit": "مصلحة التواصل والعلاقات العامة",
        "partners_government": "المديرية العامة للجماعات الترابية",
        "partners_civil_society": "ترانسبرانسي المغرب",
        "budget": "120000",
        "budget_line": "20.10.40.11",
        "starts_on": dt.date(2024, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
        "milestones": [
            ("تعيين الأشخاص المكلفين بتلقي الطلبات", "3", dt.date(2024, 3, 31), 100),
            ("نشر قائمة المعلومات المنشورة استباقيا", "3", dt.date(2024, 9, 30), 100),
            ("بوابة تقديم الطلبات وتتبعها", "2", dt.date(2025, 6, 30), 60),
            ("تكوين الموظفين", None, dt.date(2025, 12, 31), 50),
        ],
        "indicator": (
            "نسبة الطلبات المجاب عنها داخل الأجل",
            "Part des demandes répondues dans le délai",
            "%",
            "35",
            "90",
            [
                ("2024-06-30", "48"),
                ("2024-12-31", "61"),
                ("2025-06-30", "72"),
                ("2025-12-31", "78"),
            ],
        ),
    },
    {
        "title_ar": "إشراك المواطنات والمواطنين في البرمجة المالية",
        "title_fr": "Associer les citoyennes et citoyens à la programmation budgétaire",
        "problem_ar": "الميزانية تعد دون إشراك الساكنة ولا تنشر بصيغة مفهومة.",
        "problem_fr": "Le budget est préparé sans les habitants et publié sous une forme peu lisible.",
        "description_ar": "ميزانية المواطن، ولقاءات تشاورية في الأحياء قبل إعداد الميزانية.",
        "description_fr": "Budget citoyen et rencontres de quartier avant la préparation du budget.",
        "value_participation": True,
        "value_accountability": True,
        "lead_unit": "المصلحة المالية",
        "partners_civil_society": "جمعيات الأحياء",
        "budget": "80000",
        "starts_on": dt.date(2024, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
        "milestones": [
            ("نشر ميزانية المواطن 2024", "1", dt.date(2024, 4, 30), 100),
            ("لقاءات تشاورية في الأحياء", "2", dt.date(2025, 9, 30), 40),
        ],
        "indicator": (
            "عدد المشاركين في اللقاءات التشاورية",
            "Participants aux rencontres de quartier",
            "",
            "0",
            "600",
            [("2024-10-31", "140"), ("2025-10-31", "310")],
        ),
    },
    {
        "title_ar": "الانخراط في البوابة الوطنية للمعطيات المفتوحة",
        "title_fr": "Rejoindre le portail national des données ouvertes",
        "problem_ar": "المعطيات الجماعية غير متاحة بصيغ قابلة لإعادة الاستعمال.",
        "description_ar": "نشر مجموعات معطيات مفتوحة وتحيينها.",
        "value_access": True,
        "tag_technology": True,
        "lead_unit": "مصلحة المعلوميات",
        "starts_on": dt.date(2024, 6, 1),
        "ends_on": dt.date(2025, 12, 31),
        "milestones": [
            ("جرد المعطيات القابلة للنشر", "1", dt.date(2024, 12, 31), 100),
            ("نشر عشر مجموعات معطيات", "2", dt.date(2025, 12, 31), 30),
        ],
        "indicator": None,
    },
]


def _adoption_item(
    collectivity: Collectivity,
    *,
    day: dt.date,
    reference: str,
    session: tuple[str, str],
    item: tuple[str, str],
    decision: tuple[str, str, str],
    votes: tuple[int, int, int],
) -> AgendaItem:
    """The sitting that adopted a plan (in the council demo's term, else a new one)."""
    term = Term.objects.filter(collectivity=collectivity).order_by("start_date").first()
    if term is None:
        term = Term.objects.create(
            collectivity=collectivity,
            name_ar="الولاية 2021-2027",
            name_fr="Mandat 2021-2027",
            start_date=dt.date(2021, 9, 20),
        )
    sitting = _at(day)
    held = Session.objects.create(
        collectivity=collectivity,
        term=term,
        kind=SessionKind.ORDINARY,
        status=SessionStatus.SUMMARY_PUBLISHED,
        reference=reference,
        title_ar=session[0],
        title_fr=session[1],
        starts_at=sitting,
        held_on=sitting.date(),
        quorum_met=True,
        agenda_published_at=sitting - dt.timedelta(days=12),
        summary_published_at=sitting + dt.timedelta(days=5),
    )
    number, decision_ar, decision_fr = decision
    return AgendaItem.objects.create(
        session=held,
        number=4,
        title_ar=item[0],
        title_fr=item[1],
        result=ItemResult.ADOPTED,
        votes_for=votes[0],
        votes_against=votes[1],
        votes_abstain=votes[2],
        decision_number=number,
        decision_ar=decision_ar,
        decision_fr=decision_fr,
        decided_at=sitting,
    )


def _commune(commune: Collectivity, log: Log) -> None:
    actor = _user(FOCAL_COMMUNE, "Focal point (demo)")
    monitor = _user(MONITOR_COMMUNE, "Monitor (demo)")
    _grant(actor, commune, Role.FOCAL_POINT)
    _grant(monitor, commune, Role.MONITOR)
    today = timezone.localdate()
    programme = core.programme_create(
        collectivity=commune,
        actor=actor,
        data={
            "kind": Kind.REMACTO,
            "title_ar": "خطة انفتاح جماعة أيت ملول 2024-2025",
            "title_fr": "Plan d'ouverture de la commune d'Aït Melloul 2024-2025",
            "summary_ar": (
                "خطة صادق عليها المجلس الجماعي في دورة أكتوبر 2023، أعدت بشكل مشترك مع "
                "هيئة المساواة وتكافؤ الفرص ومقاربة النوع وجمعيات المجتمع المدني، تتبعها "
                "لجنة للتتبع تضم منتخبين وفاعلين مدنيين."
            ),
            "summary_fr": (
                "Plan adopté par le conseil communal en octobre 2023, co-construit avec "
                "l'instance de l'équité et la société civile, suivi par un comité d'élus et "
                "d'acteurs associatifs."
            ),
            "starts_on": dt.date(2024, 1, 1),
            "ends_on": dt.date(2025, 12, 31),
        },
    )
    _phases(
        programme,
        actor,
        {
            PhaseKind.AWARENESS: (dt.date(2022, 12, 1), dt.date(2023, 1, 31)),
            PhaseKind.COCREATION: (dt.date(2023, 3, 1), dt.date(2023, 4, 30)),
            PhaseKind.DRAFTING: (dt.date(2023, 5, 1), dt.date(2023, 6, 30)),
            PhaseKind.CONSULTATION: (dt.date(2023, 7, 1), dt.date(2023, 9, 15)),
            PhaseKind.ADOPTION: (dt.date(2023, 10, 3), dt.date(2023, 10, 3)),
            PhaseKind.IMPLEMENTATION: (dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
            PhaseKind.EVALUATION: (dt.date(2026, 1, 1), _months(today, 3)),
        },
    )
    axis = core.axis_save(
        programme=programme,
        actor=actor,
        data={"title_ar": "الحق في المعلومة والمشاركة", "title_fr": "Information et participation"},
    )
    # The co-creation workshop of spring 2023 and the citizen's proposal that became
    # commitment 1.
    people = _participants()
    workshop = Workshop.objects.create(
        programme=programme,
        axis=axis,
        title_ar="ورشة الإعداد المشترك لخطة الانفتاح",
        title_fr="Atelier de co-construction du plan d'ouverture",
        mode=WorkshopMode.HYBRID,
        place="قاعة الاجتماعات بالجماعة",
        held_at=_at(dt.date(2023, 3, 22)),
        opens_at=_at(dt.date(2023, 3, 1)),
        closes_at=_at(dt.date(2023, 4, 30)),
        onsite_participants=35,
    )
    proposal = Proposal.objects.create(
        programme=programme,
        workshop=workshop,
        axis=axis,
        kind=ProposalKind.SOLUTION,
        text="إحداث شباك إلكتروني لطلبات الحصول على المعلومات مع رقم تتبع لكل طلب.",
        participant=people[0],
        created_at=_at(dt.date(2023, 3, 25)),
    )
    commitments: list[Commitment] = []
    for data in COMMUNE_COMMITMENTS:
        fields = {k: v for k, v in data.items() if k not in ("milestones", "indicator")}
        commitment = core.commitment_create(
            programme=programme, actor=actor, data={**fields, "axis": axis.pk}
        )
        commitments.append(commitment)
        for order, (title, weight, ends_on, _progress) in enumerate(data["milestones"], start=1):
            core.milestone_create(
                commitment=commitment,
                actor=actor,
                data={"title_ar": title, "weight": weight, "ends_on": ends_on, "order": order},
            )
        indicator = data["indicator"]
        if indicator is not None:
            name_ar, name_fr, unit, baseline, target, values = indicator
            row = Indicator.objects.create(
                commitment=commitment,
                name_ar=name_ar,
                name_fr=name_fr,
                unit=unit,
                baseline=Decimal(baseline),
                baseline_on=dt.date(2023, 12, 31),
                target=Decimal(target),
                target_on=dt.date(2025, 12, 31),
            )
            IndicatorValue.objects.bulk_create(
                IndicatorValue(
                    indicator=row, measured_on=dt.date.fromisoformat(day), value=Decimal(value)
                )
                for day, value in values
            )
    commitments[0].proposals.add(proposal)
    adoption.programme_adopt(
        programme=programme,
        actor=actor,
        agenda_item=_adoption_item(
            commune,
            day=dt.date(2023, 10, 3),
            reference="SES-2023-10",
            session=("الدورة العادية لشهر أكتوبر 2023", "Session ordinaire d'octobre 2023"),
            item=(
                "الدراسة والمصادقة على خطة انفتاح الجماعة 2024-2025",
                "Examen et adoption du plan d'ouverture de la commune 2024-2025",
            ),
            decision=(
                "2023/10/4",
                "صادق المجلس على خطة انفتاح الجماعة 2024-2025.",
                "Le conseil adopte le plan d'ouverture de la commune 2024-2025.",
            ),
            votes=(13, 0, 2),  # of the 15 members of the demo council
        ),
        note="خطة الانفتاح كما صادق عليها المجلس الجماعي.",
    )
    # The lead units report (self-assessment), with evidence: a document in the register
    # and a link.
    for commitment, data in zip(commitments, COMMUNE_COMMITMENTS, strict=True):
        milestones = list(commitment.milestones.order_by("order"))
        for milestone, (_title, _weight, _ends, reached) in zip(
            milestones, data["milestones"], strict=True
        ):
            if reached:
                monitoring.report_submit(
                    commitment=commitment,
                    actor=actor,
                    milestone=milestone,
                    progress=Decimal(reached),
                    note="تقرير المصلحة المسؤولة عن التنفيذ.",
                    unit=str(data["lead_unit"]),
                    files=[_pdf("taqrir.pdf")] if milestone.order == 2 else [],
                    links=(
                        [("صفحة النشر الاستباقي", "https://www.aitmelloul.ma/")]
                        if milestone.order == 1 and commitment.number == 1
                        else []
                    ),
                )
    # The committee sees less than the unit reports: both are shown.
    Assessment.objects.create(
        commitment=commitments[0],
        source=AssessmentSource.COMMITTEE,
        assessor="لجنة التتبع",
        assessed_on=today - dt.timedelta(days=20),
        completion=Completion.LIMITED,
        is_verifiable=True,
        has_open_government_lens=True,
        potential=Potential.SUBSTANTIAL,
        early_results=EarlyResults.MARGINAL,
        comment="البوابة لم تفتح بعد للعموم، والأجوبة داخل الأجل لم تبلغ الهدف.",
        recorded_by=monitor,
    )
    Assessment.objects.create(
        commitment=commitments[0],
        source=AssessmentSource.INDEPENDENT,
        assessor="ترانسبرانسي المغرب",
        assessed_on=today - dt.timedelta(days=10),
        completion=Completion.SUBSTANTIAL,
        is_verifiable=True,
        has_open_government_lens=True,
        potential=Potential.SUBSTANTIAL,
        early_results=EarlyResults.MAJOR,
        comment="تقدم ملموس في النشر الاستباقي؛ يبقى تتبع الطلبات.",
        recorded_by=monitor,
    )
    equity = AdvisoryBody.objects.filter(collectivity=commune).order_by("pk").first()
    joined = dt.date(2023, 11, 15)
    _members(
        programme,
        Body.COMMITTEE,
        [
            (
                "لحسن بلاج",
                Gender.MALE,
                Sector.ELECTED,
                "المجلس الجماعي",
                None,
                MemberRole.COORDINATOR,
                joined,
            ),
            (
                "إسماعيل الشاذلي",
                Gender.MALE,
                Sector.ADVISORY,
                "هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
                equity,
                MemberRole.MEMBER,
                joined,
            ),
            (
                "سعاد",
                Gender.FEMALE,
                Sector.CIVIL_SOCIETY,
                "جمعية أيت ملول للتنمية",
                None,
                MemberRole.COORDINATOR,
                joined,
            ),
            (
                "مريم",
                Gender.FEMALE,
                Sector.CIVIL_SOCIETY,
                "جمعية النساء المقاولات",
                None,
                MemberRole.MEMBER,
                joined,
            ),
            (
                "عبد الله",
                Gender.MALE,
                Sector.ADMINISTRATION,
                "نقطة الارتكاز",
                None,
                MemberRole.MEMBER,
                joined,
            ),
        ],
    )
    meeting = forum.meeting_save(
        programme=programme,
        actor=actor,
        data={
            "body": Body.COMMITTEE,
            "title_ar": "اجتماع لجنة التتبع: حصيلة السنة الأولى",
            "title_fr": "Comité de suivi : bilan de la première année",
            "starts_at": _at(today - dt.timedelta(days=30)),
            "place": "قاعة الاجتماعات بالجماعة",
            "summary_ar": "وقفت اللجنة على تقدم الالتزامات وطلبت تسريع بوابة الطلبات.",
        },
    )
    log(
        f"opening programme demo: {commune.slug}: {programme.reference} adopted "
        f"(version 1, decision 2023/10/4), {len(commitments)} commitments, "
        f"committee meeting {meeting.pk}"
    )


# --- Béni Mellal-Khénifra: OGP Local -------------------------------------------------------------


def _bmk(region: Collectivity, log: Log) -> None:
    actor = _user(FOCAL_BMK, "Focal point Béni Mellal-Khénifra (demo)")
    monitor = _user(MONITOR_BMK, "Independent monitor Béni Mellal-Khénifra (demo)")
    _grant(actor, region, Role.FOCAL_POINT)
    _grant(monitor, region, Role.MONITOR)
    programme = core.programme_create(
        collectivity=region,
        actor=actor,
        data={
            "kind": Kind.OGP_LOCAL,
            "title_ar": "خطة عمل جهة بني ملال خنيفرة للحكومة المنفتحة 2022-2027",
            "title_fr": "Plan d'action OGP Local de Béni Mellal-Khénifra 2022-2027",
            "summary_ar": "خطة عمل أعدت بشكل مشترك مع الهيئات الاستشارية وجمعيات المجتمع المدني.",
            "summary_fr": "Plan co-construit avec les instances consultatives et les associations.",
            "starts_on": dt.date(2023, 1, 1),
            "ends_on": dt.date(2027, 12, 31),
            "independent_monitor": "جامعة السلطان مولاي سليمان",
        },
    )
    _phases(
        programme,
        actor,
        {
            PhaseKind.COCREATION: (dt.date(2022, 6, 1), dt.date(2022, 9, 30)),
            PhaseKind.ADOPTION: (dt.date(2022, 10, 4), dt.date(2022, 10, 4)),
            PhaseKind.IMPLEMENTATION: (dt.date(2023, 1, 1), dt.date(2027, 12, 31)),
        },
    )
    for ar, fr, values in (
        (
            "منصة رقمية لتتبع الآراء الاستشارية",
            "Plateforme de suivi des avis consultatifs",
            {"value_participation": True},
        ),
        (
            "نشر المعطيات المالية للجهة بصيغة مفتوحة",
            "Publier les données financières en format ouvert",
            {"value_access": True},
        ),
    ):
        commitment = core.commitment_create(
            programme=programme, actor=actor, data={"title_ar": ar, "title_fr": fr, **values}
        )
        core.milestone_create(
            commitment=commitment, actor=actor, data={"title_ar": "إطلاق الدراسة", "weight": "1"}
        )
    _members(
        programme,
        Body.FORUM,
        [
            (
                "رئيس لجنة الشؤون الإدارية",
                Gender.MALE,
                Sector.ELECTED,
                "مجلس الجهة",
                None,
                MemberRole.COORDINATOR,
                dt.date(2022, 6, 1),
            ),
            (
                "منسقة المجتمع المدني",
                Gender.FEMALE,
                Sector.CIVIL_SOCIETY,
                "شبكة جمعيات الجهة",
                None,
                MemberRole.COORDINATOR,
                dt.date(2022, 6, 1),
            ),
            (
                "ممثلة هيئة المساواة",
                Gender.FEMALE,
                Sector.ADVISORY,
                "هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
                AdvisoryBody.objects.filter(collectivity=region).order_by("pk").first(),
                MemberRole.MEMBER,
                dt.date(2022, 6, 1),
            ),
            (
                "أستاذ باحث",
                Gender.MALE,
                Sector.EXPERT,
                "جامعة السلطان مولاي سليمان",
                None,
                MemberRole.MEMBER,
                dt.date(2022, 6, 1),
            ),
        ],
    )
    candidacy = Candidacy.objects.create(
        collectivity=region,
        term_ends_on=dt.date(2027, 9, 30),
        track_record=(
            "تفعيل الهيئات الاستشارية الثلاث ومختبرات الذكاء الجماعي، والانخراط في "
            "الشبكة المغربية للجماعات الترابية المنفتحة منذ أكتوبر 2022."
        ),
        ambition="جعل الجهة نموذجا في إشراك الشباب والنساء في تتبع السياسات الجهوية.",
        created_by=actor,
    )
    for author, organisation, is_head, name in (
        ("رئيس مجلس الجهة", "مجلس جهة بني ملال خنيفرة", True, "risala-raees.pdf"),
        ("رئيسة الشبكة الجهوية للجمعيات", "شبكة جمعيات الجهة", False, "risala-jamiyat.pdf"),
    ):
        forum.letter_add(
            candidacy=candidacy,
            actor=actor,
            data={
                "author": author,
                "organisation": organisation,
                "is_from_head": is_head,
                "received_on": dt.date(2022, 3, 1),
            },
            file=_pdf(name),
        )
    adoption.programme_adopt(
        programme=programme,
        actor=actor,
        agenda_item=_adoption_item(
            region,
            day=dt.date(2022, 10, 4),
            reference="SES-2022-10",
            session=("الدورة العادية لشهر أكتوبر 2022", "Session ordinaire d'octobre 2022"),
            item=(
                "المصادقة على خطة عمل الجهة للحكومة المنفتحة 2022-2027",
                "Adoption du plan d'action OGP Local de la région 2022-2027",
            ),
            decision=(
                "2022/10/7",
                "صادق المجلس على خطة عمل الجهة للحكومة المنفتحة.",
                "Le conseil adopte le plan d'action OGP Local de la région.",
            ),
            votes=(17, 0, 3),  # of the 20 members of the demo council
        ),
        note="خطة العمل كما صادق عليها مجلس الجهة قبل إيداعها.",
    )
    forum.candidacy_submit(candidacy=candidacy, actor=actor, submitted_on=dt.date(2022, 3, 15))
    forum.candidacy_accept(
        candidacy=candidacy, actor=actor, accepted_on=dt.date(2022, 5, 20), programme=programme
    )
    candidacy.refresh_from_db()
    forum.programme_submit(programme=programme, actor=actor, submitted_on=dt.date(2022, 11, 30))
    forum.inception_record(
        programme=programme,
        actor=monitor,
        file=_pdf("taqyim-awwali.pdf"),
        title="التقييم الأولي لخطة العمل",
        dated=dt.date(2023, 1, 25),
    )
    log(
        f"opening programme demo: {region.slug}: OGP Local candidacy (accepted "
        f"{candidacy.accepted_on}), action plan {programme.reference} adopted and submitted, "
        "inception assessment recorded"
    )


def openplan_demo(collectivity_by_slug: Callable[[str], Collectivity | None], log: Log) -> None:
    """Load the opening programme demo (module docstring); idempotent, never in
    production."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    for slug, load in ((DRAA_SLUG, _draa), (COMMUNE_SLUG, _commune), (BMK_SLUG, _bmk)):
        collectivity = collectivity_by_slug(slug)
        if collectivity is None:
            log(f"opening programme demo: no collectivity {slug!r}; nothing created for it")
        elif Programme.objects.filter(collectivity=collectivity).exists():
            log(f"opening programme demo: {slug}: already has a programme; left as it is")
        else:
            with transaction.atomic():
                load(collectivity, log)


__all__ = ["openplan_demo"]
