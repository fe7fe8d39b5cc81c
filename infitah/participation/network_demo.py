"""Demo data of the network's own participation (the network's space, Kind.NETWORK).

- a closed consultation of the network's members on the revision of its charter
  (`Audience.NETWORK_MEMBERS`), in three sections, with comments and stances of
  participants whose e-mail addresses are those of demo staff accounts — the focal
  points of Aït Melloul, Drâa-Tafilalet and Béni Mellal-Khénifra and the information
  officer of Béni Mellal-Khénifra — so each speaks for a member; the network closes it
  and publishes its synthesis, whose page shows who took part by region and kind;
- an open survey of all members' citizens (`Audience.NETWORK_CITIZENS`) on the
  priorities of open government, results shown while open, answered by made-up
  participants (`network-survey-N@demo.infitah.ma`) living in communes of several
  regions (two with no commune declared).

The staff accounts come from `infitah.core.demo` (and the openplan demo for the
regions' focal points): run this after them. A participant whose staff account is
missing cannot speak for a member and is left out (logged). Everything goes through the
services, as the network administrator and the participants would. Idempotent: an item
of the network's space with the same French title is left as it is. Refused in
production.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infitah.accounts.models import NetworkRole, User
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Consultation
from infitah.participation.consultations.workflow import Kind as DraftKind
from infitah.participation.consultations.workflow import Moderation
from infitah.participation.models import Audience, Gender, Participant
from infitah.participation.services import eligibility_refusal
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Kind as QuestionKind
from infitah.participation.surveys.models import Question, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import network_space

DEMO_DOMAIN = "demo.infitah.ma"
NETWORK_ADMIN_EMAIL = f"network-admin@{DEMO_DOMAIN}"

# The members' voices: (e-mail of a demo staff account, display name, gender).
MEMBERS: list[tuple[str, str, str]] = [
    (f"focal-point@{DEMO_DOMAIN}", "نقطة الارتكاز — أيت ملول", Gender.FEMALE),
    (f"focal-point.draa@{DEMO_DOMAIN}", "Point focal — Drâa-Tafilalet", Gender.MALE),
    (f"focal-point.bmk@{DEMO_DOMAIN}", "نقطة الارتكاز — بني ملال خنيفرة", Gender.MALE),
    (f"information-officer.bmk@{DEMO_DOMAIN}", "Chargée de l'information — BMK", Gender.FEMALE),
]

CHARTER_TITLE = (
    "مراجعة ميثاق الشبكة المغربية للجماعات الترابية المنفتحة",
    "Révision de la charte du réseau des collectivités territoriales ouvertes",
)
CHARTER_DESCRIPTION = (
    "تعرض الشبكة على جماعاتها الأعضاء مشروع مراجعة ميثاقها بعد سنتها الأولى: المبادئ، "
    "والتزامات الأعضاء، وحكامة الشبكة. تتكلم كل جماعة عضو عبر حساب أحد موظفيها.",
    "Le réseau soumet à ses collectivités membres le projet de révision de sa charte après "
    "sa première année : les principes, les engagements des membres et la gouvernance du "
    "réseau. Chaque membre s'exprime par le compte de l'un de ses agents.",
)
# (title ar, title fr, body ar, body fr, response ar, response fr)
CHARTER_SECTIONS: list[tuple[str, str, str, str, str, str]] = [
    (
        "المبادئ",
        "Principes",
        "تلتزم الجماعات الأعضاء بالشفافية والنزاهة والمشاركة المواطنة، وفق مبادئ الشراكة "
        "من أجل الحكومة المنفتحة والقانون 31.13 المتعلق بالحق في الحصول على المعلومات.",
        "Les collectivités membres s'engagent pour la transparence, l'intégrité et la "
        "participation citoyenne, selon les principes du Partenariat pour un gouvernement "
        "ouvert et la loi 31.13 relative au droit d'accès à l'information.",
        "أضيف مبدأ البيانات المفتوحة كما اقترحت الجماعات الأعضاء.",
        "Le principe des données ouvertes est ajouté, comme l'ont proposé les membres.",
    ),
    (
        "التزامات الأعضاء",
        "Engagements des membres",
        "يعين كل عضو نقطة ارتكاز، وينشر خطة عمل للانفتاح، ويقدم تقريرا سنويا عن تنفيذها.",
        "Chaque membre désigne un point focal, publie un plan d'action d'ouverture et rend "
        "compte chaque année de sa mise en œuvre.",
        "يصبح التقرير السنوي عموميا على صفحة العضو.",
        "Le rapport annuel devient public sur la page du membre.",
    ),
    (
        "حكامة الشبكة",
        "Gouvernance du réseau",
        "تجتمع الجمعية العامة للأعضاء مرة في السنة، ويسير مكتب الشبكة أعمالها بين دورتين.",
        "L'assemblée des membres se réunit une fois par an ; le bureau du réseau conduit "
        "ses travaux entre deux sessions.",
        "تمثل الجهات والجماعات في المكتب بالتناوب.",
        "Les régions et les communes siègent au bureau à tour de rôle.",
    ),
]
# (section index, member index, text)
CHARTER_COMMENTS: list[tuple[int, int, str]] = [
    (0, 0, "نقترح إضافة مبدأ البيانات المفتوحة إلى المبادئ."),
    (0, 1, "D'accord, et citer la loi 31.13 dans chaque engagement."),
    (1, 2, "التقرير السنوي يجب أن يكون عموميا."),
    (1, 3, "Un modèle commun de rapport aiderait les petites communes."),
    (2, 1, "Les régions et les communes devraient siéger au bureau à tour de rôle."),
]
# (section index, member index, value)
CHARTER_STANCES: list[tuple[int, int, str]] = [
    (0, 0, "support"),
    (0, 1, "support"),
    (0, 2, "support"),
    (1, 2, "support"),
    (1, 3, "support"),
    (2, 0, "oppose"),
    (2, 1, "support"),
]
CHARTER_SYNTHESIS = (
    "شاركت أربعة حسابات لجماعات أعضاء من ثلاث جهات. أيدت الجماعات المبادئ والتزامات "
    "الأعضاء، وطلبت إضافة البيانات المفتوحة ونشر التقارير السنوية وتناوب الجهات والجماعات "
    "في المكتب. يعرض الميثاق المراجع على الجمعية العامة القادمة.",
    "Quatre comptes de membres de trois régions ont pris part. Les membres soutiennent les "
    "principes et les engagements, et demandent d'ajouter les données ouvertes, de publier "
    "les rapports annuels et de faire siéger régions et communes au bureau à tour de rôle. "
    "La charte révisée sera soumise à la prochaine assemblée des membres.",
)

SURVEY_TITLE = (
    "أولويات الحكومة المنفتحة في جماعاتكم",
    "Les priorités du gouvernement ouvert dans vos collectivités",
)
SURVEY_DESCRIPTION = (
    "تسأل الشبكة مواطني كل جماعاتها الأعضاء عن أولويات الانفتاح، لإعداد برنامجها الوطني.",
    "Le réseau demande aux citoyens de toutes ses collectivités membres leurs priorités "
    "d'ouverture, pour préparer son programme national.",
)
SURVEY_QUESTIONS = [
    QuestionInput(
        kind=QuestionKind.SINGLE,
        text_ar="ما هي الأولوية الأولى لانفتاح جماعتكم؟",
        text_fr="Quelle est la première priorité d'ouverture de votre collectivité ?",
        order=1,
        options=[
            ("الحصول على المعلومات", "Accès à l'information"),
            ("شفافية الميزانية", "Transparence budgétaire"),
            ("المشاركة المواطنة", "Participation citoyenne"),
            ("البيانات المفتوحة", "Données ouvertes"),
        ],
    ),
    QuestionInput(
        kind=QuestionKind.MULTIPLE,
        text_ar="ما هي الخدمات التي استعملتموها؟",
        text_fr="Quels services avez-vous déjà utilisés ?",
        order=2,
        is_required=False,
        options=[
            ("طلب معلومات", "Demande d'information"),
            ("شكاية", "Réclamation"),
            ("عريضة", "Pétition"),
        ],
    ),
    QuestionInput(
        kind=QuestionKind.SCALE_5,
        text_ar="ما مدى انفتاح جماعتكم اليوم؟",
        text_fr="À quel point votre collectivité est-elle ouverte aujourd'hui ?",
        order=3,
        low_label_ar="منغلقة",
        low_label_fr="Fermée",
        high_label_ar="منفتحة جدا",
        high_label_fr="Très ouverte",
    ),
]
# Regions whose communes the survey's participants live in, and communes per region.
SURVEY_REGIONS = 4
SURVEY_COMMUNES_PER_REGION = 3
SURVEY_WITHOUT_COMMUNE = 2


def _admin() -> User | None:
    found = User.objects.filter(email=NETWORK_ADMIN_EMAIL, is_active=True).first()
    if found is not None:
        return found
    return (
        User.objects.filter(network_role=NetworkRole.NETWORK_ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )


def _participant(email: str, name: str, gender: str, commune: Collectivity | None) -> Participant:
    now = timezone.now()
    participant, _created = Participant.objects.get_or_create(
        email=email,
        defaults={
            "display_name": name,
            "gender": gender,
            "commune": commune,
            "language": "fr" if name.isascii() else "ar",
            "verified_at": now,
            "confirmed_at": now,
        },
    )
    return participant


def _charter(space: Collectivity, actor: User, log: Callable[[str], object]) -> Consultation:
    now = timezone.now()
    consultation = consultations.consultation_create(
        collectivity=space,
        actor=actor,
        data=consultations.ConsultationInput(
            kind=DraftKind.OTHER,
            title_ar=CHARTER_TITLE[0],
            title_fr=CHARTER_TITLE[1],
            description_ar=CHARTER_DESCRIPTION[0],
            description_fr=CHARTER_DESCRIPTION[1],
            opens_at=now - timedelta(days=40),
            closes_at=now + timedelta(days=1),
            moderation=Moderation.POST,
            audience=Audience.NETWORK_MEMBERS,
        ),
    )
    sections = [
        consultations.section_save(
            consultation=consultation,
            actor=actor,
            order=i,
            title_ar=title_ar,
            title_fr=title_fr,
            body_ar=body_ar,
            body_fr=body_fr,
        )
        for i, (title_ar, title_fr, body_ar, body_fr, _r_ar, _r_fr) in enumerate(
            CHARTER_SECTIONS, start=1
        )
    ]
    members: dict[int, Participant] = {}
    for index, (email, name, gender) in enumerate(MEMBERS):
        participant = _participant(email, name, gender, None)
        refusal = eligibility_refusal(audience=Audience.NETWORK_MEMBERS, participant=participant)
        if refusal is None and participant.is_verified:
            members[index] = participant
        else:
            log(f"network participation: {email} does not speak for a member, left out")
    comments = 0
    for section_index, member, text in CHARTER_COMMENTS:
        if member in members:
            consultations.comment_post(
                section=sections[section_index], participant=members[member], text=text
            )
            comments += 1
    for section_index, member, value in CHARTER_STANCES:
        if member in members:
            consultations.stance_set(
                section=sections[section_index], participant=members[member], value=value
            )
    consultations.consultation_close(consultation=consultation, actor=actor)
    consultations.synthesis_publish(
        consultation=consultation,
        actor=actor,
        synthesis_ar=CHARTER_SYNTHESIS[0],
        synthesis_fr=CHARTER_SYNTHESIS[1],
        responses={
            s.pk: (item[4], item[5]) for s, item in zip(sections, CHARTER_SECTIONS, strict=True)
        },
    )
    log(
        f"network participation: closed consultation {consultation.pk} of the members, "
        f"{comments} comments by {len(members)} members' accounts"
    )
    return consultation


def _survey_communes() -> list[Collectivity]:
    """A few communes of each of the first SURVEY_REGIONS regions (by French name) that
    have communes, an urban one first where the reference data knows one: the
    participants' declared residences (one query)."""
    picked: dict[int, list[Collectivity]] = {}
    for commune in (
        Collectivity.objects.filter(kind=Kind.COMMUNE, region__isnull=False)
        .order_by("region__name_fr", "region_id", "name_fr", "pk")
        .only("pk", "region_id", "is_urban", "name_fr")
        .iterator(chunk_size=500)
    ):
        region_id = commune.region_id
        assert region_id is not None
        if region_id not in picked:
            if len(picked) == SURVEY_REGIONS:
                break
            picked[region_id] = []
        chosen = picked[region_id]
        room = SURVEY_COMMUNES_PER_REGION - len(chosen)
        # The last place waits for an urban commune, until one has been taken.
        if room > 1 or (room == 1 and (commune.is_urban or any(c.is_urban for c in chosen))):
            chosen.append(commune)
    return [commune for chosen in picked.values() for commune in chosen]


def _answers(questions: list[Question], n: int) -> dict[int, list[str]]:
    single, multiple, scale = questions
    single_options = list(single.options.all())
    multiple_options = list(multiple.options.all())
    return {
        single.pk: [str(single_options[(n * 3 + 1) % len(single_options)].pk)],
        multiple.pk: [str(o.pk) for i, o in enumerate(multiple_options) if (n + i) % 3 == 0],
        scale.pk: [str(1 + (n * 2) % 5)],
    }


def _priorities(space: Collectivity, actor: User, log: Callable[[str], object]) -> Survey:
    now = timezone.now()
    survey = surveys.survey_save(
        collectivity=space,
        actor=actor,
        data=SurveyInput(
            title_ar=SURVEY_TITLE[0],
            title_fr=SURVEY_TITLE[1],
            description_ar=SURVEY_DESCRIPTION[0],
            description_fr=SURVEY_DESCRIPTION[1],
            opens_at=now - timedelta(days=5),
            closes_at=now + timedelta(days=25),
            show_results_while_open=True,
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    questions = [
        surveys.question_save(survey=survey, actor=actor, data=data) for data in SURVEY_QUESTIONS
    ]
    survey = surveys.survey_publish(survey=survey, actor=actor)
    residences: list[Collectivity | None] = [*_survey_communes()]
    residences += [None] * SURVEY_WITHOUT_COMMUNE
    genders = [Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED]
    for n, commune in enumerate(residences, start=1):
        participant = _participant(
            f"network-survey-{n}@{DEMO_DOMAIN}", f"Participant {n}", genders[n % 3], commune
        )
        surveys.response_submit(
            survey=survey,
            participant=participant,
            answers=_answers(questions, n),
        )
    log(
        f"network participation: open survey {survey.pk} of all members' citizens, "
        f"{len(residences)} answers"
    )
    return survey


@transaction.atomic
def network_participation_demo(log: Callable[[str], object] = print) -> list[object]:
    """The network's demo consultation and survey (see the module's docstring)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    actor = _admin()
    if actor is None:
        log("network participation: no network administrator, skipped")
        return []
    space = network_space()
    done: list[object] = []
    charter = Consultation.objects.filter(collectivity=space, title_fr=CHARTER_TITLE[1]).first()
    done.append(charter if charter is not None else _charter(space, actor, log))
    survey = Survey.objects.filter(collectivity=space, title_fr=SURVEY_TITLE[1]).first()
    done.append(survey if survey is not None else _priorities(space, actor, log))
    return done
