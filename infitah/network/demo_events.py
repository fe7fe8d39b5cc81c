"""Demo data of the network's events (generated; nothing here names a real participant).

- The network's gathering at Saïdia, 12 and 13 November 2024 (seed text 003: about 350
  participants — presidents, elected members, administrative staff, representatives of
  advisory bodies — four kinds of workshops, an exhibition, 126 member collectivities
  then), published, with its four workshops as child events and a report (our own
  summary of the seed text). Its registrations are GENERATED: about 350 made-up people
  ("Demo participant 001"…) spread over the network's member collectivities at the time
  the demo runs, plus partners with no collectivity, with capacities and genders in
  realistic proportions (women about a third), and attendance marked. Aït Melloul's
  three participants of the seed text are there by their functions (its 4th
  vice-president, the rapporteur of its equality body, its focal-point staff member,
  linked to the demo focal-point account), not by their names.
- A training of focal points in 2025 on handling access-to-information requests on
  Infitah, past, attended by the demo focal-point accounts (linked by account).
- An upcoming training in 2027, open for registration.

Idempotent: an event already loaded (same French title, demo) is left as it is. Every
row is marked `is_demo`. Registrations are written with bulk_create (a few queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from infitah.accounts.models import Membership, User
from infitah.ledger.services import event_record
from infitah.network.event_selectors import event_rows
from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    Event,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.territories.models import Collectivity, Kind

DEMO_DOMAIN = "demo.infitah.ma"
AIT_MELLOUL_CODE = "09.273.01.05"
AIT_MELLOUL_SLUG = "ait-melloul"
FOCAL_POINT_EMAILS = [
    f"focal-point@{DEMO_DOMAIN}",
    f"focal-point.draa@{DEMO_DOMAIN}",
    f"focal-point.bmk@{DEMO_DOMAIN}",
]
TZ = ZoneInfo("Africa/Casablanca")

# The gathering: 362 generated registrations (with Aït Melloul's three), 350 present.
GATHERING_REGISTRATIONS = 362
GATHERING_ABSENT = 12
GATHERING_PARTNERS = 30

SLOGAN_AR = "ترسيخ مبادئ الانفتاح بالجماعات الترابية من أجل تنمية محلية دامجة ومستدامة"
SLOGAN_FR = (
    "Ancrer les principes de l’ouverture dans les collectivités territoriales pour un "
    "développement local inclusif et durable"
)

GATHERING = {
    "title_ar": "ملتقى الشبكة المغربية للجماعات الترابية المنفتحة — السعيدية 2024",
    "title_fr": "Rencontre du Réseau marocain des collectivités territoriales ouvertes — "
    "Saïdia 2024",
    "description_ar": (
        f"تحت شعار: «{SLOGAN_AR}».\n\n"
        "ينعقد الملتقى بعد سنتين من إطلاق برنامج الجماعات الترابية المنفتحة، للوقوف على "
        "الإنجازات المحققة واستشراف آفاق توسيع الشبكة ومواكبة الجماعات المنخرطة فيها ودعم "
        "التشبيك بينها.\n\n"
        "البرنامج:\n"
        "— اليوم الأول: الجلسة الافتتاحية، ثم ورشتا «دور التواصل في خدمة انفتاح الجماعات "
        "الترابية» و«وضع المشاريع ومؤشرات التقييم».\n"
        "— اليوم الثاني: ورشتا «المشاركة المواطنة والتعاون بين الفاعلين» و«دعم تشبيك "
        "الجماعات الترابية»، ثم الجلسة الختامية.\n"
        "— طيلة الملتقى: معرض لإنجازات الجماعات المنضمة إلى الشبكة."
    ),
    "description_fr": (
        f"Sous le slogan : « {SLOGAN_FR} ».\n\n"
        "La rencontre a lieu deux ans après le lancement du programme des collectivités "
        "territoriales ouvertes, pour faire le point sur les réalisations et préparer "
        "l’élargissement du réseau, l’accompagnement de ses membres et leur mise en réseau."
        "\n\nProgramme :\n"
        "— Premier jour : séance d’ouverture, puis les ateliers « Le rôle de la "
        "communication au service de l’ouverture » et « Concevoir les projets et les "
        "indicateurs d’évaluation ».\n"
        "— Second jour : les ateliers « Participation citoyenne et coopération entre "
        "acteurs » et « Appui à la mise en réseau des collectivités », puis la clôture.\n"
        "— Pendant toute la rencontre : une exposition des réalisations des collectivités "
        "membres du réseau."
    ),
    "place_ar": "السعيدية",
    "place_fr": "Saïdia",
    "starts_at": dt.datetime(2024, 11, 12, 9, 0, tzinfo=TZ),
    "ends_at": dt.datetime(2024, 11, 13, 17, 0, tzinfo=TZ),
    "capacity": 400,
    "registration_open": False,
    "registration_closes_at": dt.datetime(2024, 11, 5, 18, 0, tzinfo=TZ),
    "report_ar": (
        "انعقد ملتقى الشبكة المغربية للجماعات الترابية المنفتحة بالسعيدية يومي 12 و13 نونبر "
        f"2024 تحت شعار «{SLOGAN_AR}»، بدعوة من المديرية العامة للجماعات الترابية بوزارة "
        "الداخلية.\n\n"
        "شارك في الملتقى حوالي 350 شخصا: رؤساء جماعات ومنتخبون وأطر إدارية وممثلو الهيئات "
        "الاستشارية المحدثة لدى المجالس الترابية الأعضاء في الشبكة، إلى جانب ممثلي "
        "المؤسسات والشركاء.\n\n"
        "تناولت الورشات دور التواصل في خدمة انفتاح الجماعات الترابية، ووضع المشاريع "
        "ومؤشرات التقييم، والمشاركة المواطنة والتعاون بين الفاعلين، ودعم تشبيك الجماعات "
        "الترابية. وفي ورشة التواصل قدمت جماعة أيت ملول مشروعها لتعزيز الحق في الحصول على "
        "المعلومات والنشر الاستباقي.\n\n"
        "وأبرز معرض مصاحب إنجازات الجماعات المنضمة إلى الشبكة، وفتح المجال لتبادل التجارب "
        "وسبل التعاون.\n\n"
        "يشمل برنامج الجماعات الترابية المنفتحة إلى حد الآن 126 جماعة ترابية: 12 جهة، و7 "
        "مجالس عمالات وأقاليم، و107 جماعات، في أفق تعميم مبادئ الانفتاح على الجماعات "
        "الترابية للمملكة (1590 جماعة ترابية).\n\n"
        "ملاحظة: أرقام الحضور المعروضة في هذه الصفحة مولدة لأغراض العرض التجريبي."
    ),
    "report_fr": (
        "La rencontre du Réseau marocain des collectivités territoriales ouvertes s’est "
        "tenue à Saïdia les 12 et 13 novembre 2024 sous le slogan « "
        f"{SLOGAN_FR} », à l’invitation de la Direction générale des collectivités "
        "territoriales du ministère de l’Intérieur.\n\n"
        "Environ 350 personnes y ont pris part : présidents de collectivités, élus, cadres "
        "administratifs et représentants des instances consultatives créées auprès des "
        "conseils membres du réseau, ainsi que des représentants d’institutions et de "
        "partenaires.\n\n"
        "Les ateliers ont porté sur le rôle de la communication au service de l’ouverture, "
        "la conception des projets et des indicateurs d’évaluation, la participation "
        "citoyenne et la coopération entre acteurs, et l’appui à la mise en réseau des "
        "collectivités. À l’atelier sur la communication, la commune d’Aït Melloul a "
        "présenté son projet de renforcement du droit d’accès à l’information et de "
        "publication proactive.\n\n"
        "Une exposition a présenté les réalisations des collectivités membres et ouvert "
        "l’échange d’expériences.\n\n"
        "Le programme des collectivités territoriales ouvertes compte à ce jour 126 "
        "collectivités : 12 régions, 7 conseils préfectoraux et provinciaux et 107 "
        "communes, avec l’objectif d’étendre l’ouverture aux 1 590 collectivités du "
        "Royaume.\n\n"
        "Note : les chiffres de participation de cette page sont générés pour la "
        "démonstration."
    ),
    "report_published_at": dt.datetime(2024, 11, 25, 10, 0, tzinfo=TZ),
}

# (title_ar, title_fr, description_ar, description_fr, day, start hour)
WORKSHOPS = [
    (
        "دور التواصل في خدمة انفتاح الجماعات الترابية",
        "Le rôle de la communication au service de l’ouverture des collectivités",
        "عروض وتجارب حول التواصل والإعلام في مواكبة العمل الديمقراطي والتشاركي المحلي، "
        "منها عرض جماعة أيت ملول لمشروع تعزيز الحق في الحصول على المعلومات والنشر "
        "الاستباقي.",
        "Exposés et expériences sur la communication au service de la démocratie locale "
        "et participative, dont la présentation par la commune d’Aït Melloul de son projet "
        "sur le droit d’accès à l’information et la publication proactive.",
        12,
        14,
    ),
    (
        "وضع المشاريع ومؤشرات التقييم",
        "Concevoir les projets et les indicateurs d’évaluation",
        "كيف تصاغ مشاريع خطط الانفتاح وكيف تقاس نتائجها بمؤشرات واضحة.",
        "Comment rédiger les projets des plans d’ouverture et mesurer leurs résultats par "
        "des indicateurs clairs.",
        12,
        14,
    ),
    (
        "المشاركة المواطنة والتعاون بين الفاعلين",
        "Participation citoyenne et coopération entre acteurs",
        "آليات إشراك المواطنات والمواطنين والهيئات الاستشارية والمجتمع المدني.",
        "Les moyens d’associer les citoyennes et citoyens, les instances consultatives et "
        "la société civile.",
        13,
        9,
    ),
    (
        "دعم تشبيك الجماعات الترابية",
        "Appui à la mise en réseau des collectivités territoriales",
        "تبادل التجارب بين الجماعات الأعضاء وسبل التعاون داخل الشبكة.",
        "L’échange d’expériences entre membres et les formes de coopération au sein du réseau.",
        13,
        9,
    ),
]

TRAINING_2025 = {
    "title_ar": "معالجة طلبات الحصول على المعلومات على منصة انفتاح",
    "title_fr": "Traiter les demandes d’accès à l’information sur Infitah",
    "description_ar": (
        "تكوين لنقط الارتكاز: تلقي الطلبات وتسجيلها، الآجال القانونية (القانون 31.13)، "
        "الرد والتمديد والرفض المعلل، والنشر الاستباقي لما يكثر طلبه."
    ),
    "description_fr": (
        "Formation des points focaux : recevoir et enregistrer les demandes, les délais "
        "légaux (loi 31.13), répondre, prolonger ou refuser de façon motivée, et publier "
        "d’office ce qui est souvent demandé."
    ),
    "place_ar": "الرباط",
    "place_fr": "Rabat",
    "starts_at": dt.datetime(2025, 3, 18, 9, 30, tzinfo=TZ),
    "ends_at": dt.datetime(2025, 3, 18, 16, 30, tzinfo=TZ),
    "capacity": 40,
    "registration_open": False,
    "registration_closes_at": dt.datetime(2025, 3, 11, 18, 0, tzinfo=TZ),
    "report_ar": "تابع التكوين نقط ارتكاز الجماعات الأعضاء. (أرقام الحضور مولدة للعرض.)",
    "report_fr": (
        "La formation a réuni des points focaux des collectivités membres. (Chiffres de "
        "participation générés pour la démonstration.)"
    ),
    "report_published_at": dt.datetime(2025, 3, 25, 10, 0, tzinfo=TZ),
}

TRAINING_2027 = {
    "title_ar": "نشر المعطيات المفتوحة للجماعة",
    "title_fr": "Publier les données ouvertes de sa collectivité",
    "description_ar": (
        "تكوين لنقط الارتكاز والأطر: اختيار المعطيات، الصيغ المفتوحة، الوصف والتحيين على "
        "منصة انفتاح."
    ),
    "description_fr": (
        "Formation des points focaux et des cadres : choisir les données, les formats "
        "ouverts, les décrire et les tenir à jour sur Infitah."
    ),
    "place_ar": "الرباط",
    "place_fr": "Rabat",
    "starts_at": dt.datetime(2027, 3, 16, 9, 30, tzinfo=TZ),
    "ends_at": dt.datetime(2027, 3, 16, 13, 0, tzinfo=TZ),
    "capacity": 60,
    "registration_open": True,
    "registration_closes_at": dt.datetime(2027, 3, 9, 18, 0, tzinfo=TZ),
}

# Capacities of the generated participants of a member collectivity, in proportion.
MEMBER_ROLES = (
    [AttendeeRole.ELECTED] * 7
    + [AttendeeRole.STAFF] * 6
    + [AttendeeRole.ADVISORY_BODY] * 3
    + [AttendeeRole.FOCAL_POINT] * 2
    + [AttendeeRole.CIVIL_SOCIETY] * 2
)


def _gender(i: int) -> str:
    """About a third women, a few undisclosed (generated)."""
    if i % 3 == 0:
        return AttendeeGender.FEMALE
    if i % 25 == 7:
        return AttendeeGender.UNDISCLOSED
    return AttendeeGender.MALE


def _name(i: int) -> str:
    return f"مشارك(ة) تجريبي(ة) {i:03d} — Demo participant {i:03d}"


def _event(data: dict[str, object], *, kind: str, parent: Event | None = None) -> Event:
    event = event_rows().create(
        kind=kind, parent=parent, status=EventStatus.PUBLISHED, is_demo=True, **data
    )
    event_record(
        obj=event,
        action="network.event.created",
        process="demo",
        to_state=event.status,
        data={"kind": kind, "parent": parent.pk if parent else None},
    )
    return event


def _existing(title_fr: str) -> Event | None:
    return event_rows().filter(is_demo=True, title_fr=title_fr, parent__isnull=True).first()


def _ait_melloul() -> Collectivity | None:
    return (
        Collectivity.objects.filter(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE).first()
        or Collectivity.objects.filter(slug=AIT_MELLOUL_SLUG).first()
    )


def _gathering(log: Callable[[str], None]) -> None:
    if _existing(str(GATHERING["title_fr"])) is not None:
        log("network events demo: the Saïdia gathering is there already")
        return
    gathering = _event(GATHERING, kind=EventKind.GATHERING)
    for title_ar, title_fr, text_ar, text_fr, day, hour in WORKSHOPS:
        starts = dt.datetime(2024, 11, day, hour, 0, tzinfo=TZ)
        _event(
            {
                "title_ar": title_ar,
                "title_fr": title_fr,
                "description_ar": text_ar,
                "description_fr": text_fr,
                "place_ar": "السعيدية",
                "place_fr": "Saïdia",
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=3),
                "registration_open": False,
            },
            kind=EventKind.WORKSHOP,
            parent=gathering,
        )
    rows: list[Registration] = []
    registered_at = dt.datetime(2024, 10, 20, 10, 0, tzinfo=TZ)
    ait_melloul = _ait_melloul()
    if ait_melloul is not None:
        focal_user = User.objects.filter(email=FOCAL_POINT_EMAILS[0]).first()
        for key, name, role, user in (
            (
                "am-vice-president-4",
                "النائب الرابع لرئيس جماعة أيت ملول",
                AttendeeRole.ELECTED,
                None,
            ),
            (
                "am-equality-rapporteur",
                "مقرر هيئة المساواة وتكافؤ الفرص ومقاربة النوع بجماعة أيت ملول",
                AttendeeRole.ADVISORY_BODY,
                None,
            ),
            (
                "am-focal-point",
                "الموظف ممثل نقطة ارتكاز جماعة أيت ملول لدى الشبكة",
                AttendeeRole.FOCAL_POINT,
                focal_user,
            ),
        ):
            rows.append(
                Registration(
                    event=gathering,
                    user=user,
                    collectivity=ait_melloul,
                    full_name=name,
                    email=user.email if user is not None else f"{key}@{DEMO_DOMAIN}",
                    role=role,
                    gender=AttendeeGender.MALE,
                    registered_at=registered_at,
                    attended=True,
                    is_demo=True,
                )
            )
    members = list(Collectivity.objects.filter(is_network_member=True).order_by("pk"))
    generated = GATHERING_REGISTRATIONS - len(rows)
    for i in range(1, generated + 1):
        if i <= GATHERING_PARTNERS or not members:
            collectivity, role = None, AttendeeRole.PARTNER
        else:
            collectivity = members[i % len(members)]
            role = MEMBER_ROLES[i % len(MEMBER_ROLES)]
        rows.append(
            Registration(
                event=gathering,
                collectivity=collectivity,
                full_name=_name(i),
                email=f"gathering-2024-{i:03d}@{DEMO_DOMAIN}",
                role=role,
                gender=_gender(i),
                registered_at=registered_at + dt.timedelta(minutes=7 * i),
                # The last few registered did not come.
                attended=i <= generated - GATHERING_ABSENT,
                is_demo=True,
            )
        )
    Registration.objects.bulk_create(rows, batch_size=500)
    log(
        f"network events demo: the Saïdia gathering, 4 workshops, {len(rows)} generated "
        f"registrations ({len(rows) - GATHERING_ABSENT} present) over {len(members)} members"
    )


def _focal_points() -> list[tuple[User, Collectivity | None]]:
    users = list(User.objects.filter(email__in=FOCAL_POINT_EMAILS).order_by("email"))
    places = {
        m.user_id: m.collectivity
        for m in Membership.objects.filter(user__in=users)
        .select_related("collectivity")
        .order_by("pk")
    }
    return [(user, places.get(user.pk)) for user in users]


def _training_2025(log: Callable[[str], None]) -> None:
    if _existing(str(TRAINING_2025["title_fr"])) is not None:
        return
    training = _event(TRAINING_2025, kind=EventKind.TRAINING)
    registered_at = dt.datetime(2025, 3, 1, 10, 0, tzinfo=TZ)
    rows = [
        Registration(
            event=training,
            user=user,
            collectivity=place,
            full_name=user.full_name or user.email,
            email=user.email,
            role=AttendeeRole.FOCAL_POINT,
            gender=AttendeeGender.UNDISCLOSED,
            registered_at=registered_at,
            attended=True,
            is_demo=True,
        )
        for user, place in _focal_points()
    ]
    members = list(Collectivity.objects.filter(is_network_member=True).order_by("pk"))
    for i in range(1, 22):
        rows.append(
            Registration(
                event=training,
                collectivity=members[i % len(members)] if members else None,
                full_name=_name(i),
                email=f"training-2025-{i:03d}@{DEMO_DOMAIN}",
                role=AttendeeRole.FOCAL_POINT if members else AttendeeRole.OTHER,
                gender=_gender(i),
                registered_at=registered_at + dt.timedelta(hours=i),
                attended=i < 20,
                is_demo=True,
            )
        )
    Registration.objects.bulk_create(rows)
    log(f"network events demo: the 2025 focal-point training, {len(rows)} registrations")


def _training_2027(log: Callable[[str], None]) -> None:
    if _existing(str(TRAINING_2027["title_fr"])) is not None:
        return
    training = _event(TRAINING_2027, kind=EventKind.TRAINING)
    members = list(Collectivity.objects.filter(is_network_member=True).order_by("pk"))
    registered_at = dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)
    Registration.objects.bulk_create(
        Registration(
            event=training,
            collectivity=members[i % len(members)] if members else None,
            full_name=_name(i),
            email=f"training-2027-{i:03d}@{DEMO_DOMAIN}",
            role=AttendeeRole.FOCAL_POINT if i % 2 else AttendeeRole.STAFF,
            gender=_gender(i),
            registered_at=registered_at + dt.timedelta(hours=i),
            is_demo=True,
        )
        for i in range(1, 6)
    )
    log("network events demo: an upcoming training in 2027, open for registration")


@transaction.atomic
def events_demo(log: Callable[[str], None] = print) -> None:
    """Load the demo events (idempotent; refused in production)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    _gathering(log)
    _training_2025(log)
    _training_2027(log)
