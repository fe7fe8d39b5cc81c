"""Demo data of public consultations: two consultations of the demo commune.

- an open one (moderated before publication) on the draft open-government action plan
  of the commune, in four sections drawn from the seed texts (/work/shared/seeds: the
  Aït Melloul plan 2024-2025 and its project on the right to information and proactive
  publication, the citizens' part in the budget, the communication strategy
  2022-2027, the complaints unit and the information officer of law 31.13), with
  supports and oppositions, published comments and a reply, one comment awaiting
  moderation and one rejected;
- a closed one (moderated after publication) on the draft internal rules of the
  advisory body for equality, equal opportunities and gender, with comments, a hidden
  one, and the collectivity's synthesis and responses, published.

Six made-up participants (`consultation-N@demo.infitah.ma`, verified) declare communes
and genders, so that the report has something to count. Everything goes through the
services as the participants and the focal point would; the closed consultation is
opened, discussed and closed early ("close now") within the same run.

Idempotent: a consultation with the same French title in the collectivity is left as
it is. Refused in production.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.participation.consultations import services
from infitah.participation.consultations.models import Comment, Consultation, Section
from infitah.participation.consultations.workflow import Kind, Moderation, RejectionReason
from infitah.participation.models import Gender, Participant
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

DEMO_DOMAIN = "demo.infitah.ma"
FOCAL_POINT_EMAIL = f"focal-point@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoSection:
    title_ar: str
    title_fr: str
    body_ar: str
    body_fr: str
    response_ar: str = ""
    response_fr: str = ""


# (key, display name, gender, lives in the collectivity?)
PARTICIPANTS: list[tuple[int, str, str, bool]] = [
    (1, "سعاد", Gender.FEMALE, True),
    (2, "يوسف", Gender.MALE, True),
    (3, "Fatima-Zahra", Gender.FEMALE, True),
    (4, "حميد", Gender.UNDISCLOSED, False),
    (5, "Karim", Gender.MALE, False),
    (6, "نادية", Gender.FEMALE, True),
]

PLAN_TITLE = (
    "مسودة خطة عمل الجماعة المنفتحة 2026-2027",
    "Projet de plan d’action de la commune ouverte 2026-2027",
)
PLAN_DESCRIPTION = (
    "بعد خطة انفتاح الجماعة 2024-2025 التي صادق عليها المجلس الجماعي في دورة أكتوبر 2023، "
    "تعرض الجماعة مسودة خطة عملها الجديدة للتشاور قبل المصادقة عليها. وتقوم مبادرة الشراكة "
    "من أجل الحكومة المنفتحة على ثلاث أسس: الشفافية والنزاهة والمشاركة المواطنة. اقرؤوا كل "
    "محور، وعبّروا عن تأييدكم أو اعتراضكم، وأضيفوا ملاحظاتكم.",
    "Après le plan d’ouverture 2024-2025 adopté par le conseil communal à sa session "
    "d’octobre 2023, la commune soumet à la consultation le projet de son nouveau plan "
    "d’action avant de l’adopter. Le Partenariat pour un gouvernement ouvert repose sur "
    "trois piliers : la transparence, l’intégrité et la participation citoyenne. Lisez "
    "chaque axe, soutenez-le ou opposez-vous, et ajoutez vos remarques.",
)
PLAN_SECTIONS = [
    DemoSection(
        "الحق في الحصول على المعلومات والنشر الاستباقي",
        "Droit d’accès à l’information et publication proactive",
        "مواصلة مشروع تعزيز الحق في الحصول على المعلومات والنشر الاستباقي بجماعة أيت ملول: "
        "نشر المعطيات المالية للجماعة بشكل استباقي، وتحيين ما تنشره الجماعة على البوابة "
        "الوطنية للمعطيات المفتوحة، والإجابة على طلبات المعلومات داخل الآجال المحددة في "
        "القانون رقم 31.13.",
        "Poursuivre le projet de renforcement du droit d’accès à l’information et de "
        "publication proactive de la commune d’Aït Melloul : publier d’office les données "
        "financières de la commune, tenir à jour ce qu’elle publie sur le portail national "
        "des données ouvertes, et répondre aux demandes d’information dans les délais de la "
        "loi n° 31.13.",
    ),
    DemoSection(
        "إشراك المواطنات والمواطنين في سيرورة الميزانية",
        "Associer les citoyennes et les citoyens au cycle budgétaire",
        "إشراك المواطنات والمواطنين في سيرورة الميزانية، سواء من خلال النشر الاستباقي "
        "للمعطيات المالية أو عبر البرمجة المالية لمشاريع الانفتاح خلال مرحلة الإعداد المشترك، "
        "وتقديم ميزانية مبسطة للسكان كل سنة.",
        "Associer les citoyennes et les citoyens au cycle budgétaire, par la publication "
        "proactive des données financières comme par la programmation financière des "
        "projets d’ouverture pendant la co-construction, et présenter chaque année un "
        "budget simplifié aux habitants.",
    ),
    DemoSection(
        "التواصل والإعلام",
        "Communication et information",
        "تنزيل الاستراتيجية التواصلية والإعلامية للجماعة برسم الفترة 2022-2027، بدعم من "
        "المجلس الاستشاري المحلي للصحافة والاتصال وصناعة المحتوى، لمواكبة العمل الديمقراطي "
        "والتشاركي المحلي.",
        "Mettre en œuvre la stratégie de communication et d’information de la commune "
        "2022-2027, avec l’appui du conseil consultatif local de la presse, de la "
        "communication et de la création de contenu, au service de la démocratie locale "
        "participative.",
    ),
    DemoSection(
        "الشكايات والنزاهة",
        "Réclamations et intégrité",
        "تقوية المصلحة الخاصة بتدبير الشكايات وربطها بالبوابة الوطنية الموحدة للشكايات، "
        "وتعيين مخاطب بخصوص طلبات الحصول على المعلومات وفقا للقانون رقم 31.13، ونشر حصيلة "
        "سنوية لمعالجة الشكايات.",
        "Renforcer le service chargé des réclamations et le relier au portail national "
        "unifié des réclamations, désigner l’interlocuteur des demandes d’information "
        "prévu par la loi n° 31.13, et publier un bilan annuel du traitement des "
        "réclamations.",
    ),
]

RULES_TITLE = (
    "مشروع النظام الداخلي لهيئة المساواة وتكافؤ الفرص ومقاربة النوع",
    "Projet de règlement intérieur de l’instance de l’équité, de l’égalité des chances et "
    "de l’approche genre",
)
RULES_DESCRIPTION = (
    "تعرض الجماعة مشروع النظام الداخلي للهيئة الاستشارية للمساواة وتكافؤ الفرص ومقاربة "
    "النوع، المحدثة لدى المجلس الجماعي، للتشاور.",
    "La commune soumet à la consultation le projet de règlement intérieur de l’instance "
    "consultative de l’équité, de l’égalité des chances et de l’approche genre, créée "
    "auprès du conseil communal.",
)
RULES_SECTIONS = [
    DemoSection(
        "تأليف الهيئة",
        "Composition de l’instance",
        "تتألف الهيئة من ممثلات وممثلي جمعيات المجتمع المدني المحلية العاملة في مجالات "
        "المساواة وتكافؤ الفرص ومقاربة النوع، يقترحهم رئيس المجلس بتشاور مع الجمعيات.",
        "L’instance se compose de représentantes et de représentants des associations "
        "locales actives dans l’égalité, l’égalité des chances et l’approche genre, "
        "proposés par le président du conseil en concertation avec les associations.",
        "أُخذ باقتراح فتح باب الترشيح للجمعيات عبر إعلان عمومي، وسيُنشر الإعلان على موقع الجماعة.",
        "La proposition d’un appel public à candidatures des associations est retenue ; "
        "l’appel sera publié sur le site de la commune.",
    ),
    DemoSection(
        "اجتماعات الهيئة وآراؤها",
        "Réunions et avis de l’instance",
        "تجتمع الهيئة مرتين في السنة على الأقل، وتبدي رأيها في برنامج عمل الجماعة وميزانيتها "
        "من زاوية المساواة ومقاربة النوع، وتُنشر آراؤها.",
        "L’instance se réunit au moins deux fois par an, donne son avis sur le programme "
        "d’action et le budget de la commune sous l’angle de l’égalité et du genre, et ses "
        "avis sont publiés.",
        "ستجتمع الهيئة أربع مرات في السنة كما اقترح عدد من المشاركين، وتُنشر محاضرها.",
        "L’instance se réunira quatre fois par an, comme plusieurs participants l’ont "
        "proposé, et ses procès-verbaux seront publiés.",
    ),
]
RULES_SYNTHESIS = (
    "شارك في التشاور عدد من المواطنات والمواطنين والجمعيات. طالبت أغلب الملاحظات بشفافية "
    "أكبر في اختيار أعضاء الهيئة وبوتيرة اجتماعات أعلى. عدّلت الجماعة المشروع على ضوء ذلك "
    "قبل عرضه على المجلس.",
    "Des citoyennes, des citoyens et des associations ont pris part à la consultation. La "
    "plupart des remarques demandaient plus de transparence dans le choix des membres et "
    "des réunions plus fréquentes. La commune a modifié le projet en conséquence avant de "
    "le soumettre au conseil.",
)

# (section index, participant key, text, reply to (index in this list) or None,
#  moderation: "" approve (pre) / keep (post), "pending", or a rejection reason)
PLAN_COMMENTS: list[tuple[int, int, str, int | None, str]] = [
    (
        0,
        1,
        "أقترح نشر جدول زمني لكل طلب معلومات حتى يعرف المواطن أين وصل طلبه.",
        None,
        "",
    ),
    (0, 2, "نعم، ويجب أن تكون المعطيات بصيغ مفتوحة قابلة لإعادة الاستعمال.", 0, ""),
    (
        1,
        3,
        "Une réunion publique par quartier avant le vote du budget serait utile.",
        None,
        "",
    ),
    (1, 4, "ينبغي نشر الميزانية المبسطة بالأمازيغية أيضا.", None, "pending"),
    (2, 5, "Visitez mon site pour des offres exceptionnelles !", None, RejectionReason.SPAM),
    (3, 6, "يجب أن تنشر الجماعة عدد الشكايات المعالجة وآجال الجواب كل ثلاثة أشهر.", None, ""),
]
# (section index, participant key, "support" | "oppose")
PLAN_STANCES = [
    (0, 1, "support"),
    (0, 2, "support"),
    (0, 3, "support"),
    (0, 5, "oppose"),
    (1, 1, "support"),
    (1, 3, "support"),
    (1, 4, "support"),
    (2, 2, "oppose"),
    (2, 6, "support"),
    (3, 6, "support"),
    (3, 4, "support"),
]
RULES_COMMENTS: list[tuple[int, int, str, int | None, str]] = [
    (0, 6, "يجب أن يكون اختيار الجمعيات عبر إعلان عمومي مفتوح.", None, ""),
    (1, 1, "مرتان في السنة قليل؛ أقترح اجتماعا كل ثلاثة أشهر.", None, ""),
    (1, 3, "D’accord : et publier les procès-verbaux des réunions.", 1, ""),
    (1, 5, "M. X, voisin du 12 rue des Orangers, ne respecte personne.", None, "hide"),
]
RULES_STANCES = [(0, 6, "support"), (0, 1, "support"), (1, 1, "oppose"), (1, 3, "support")]


def _staff(collectivity: Collectivity) -> User | None:
    found = User.objects.filter(email=FOCAL_POINT_EMAIL).first()
    if found is not None:
        return found
    member = (
        Membership.objects.filter(
            collectivity=collectivity, role__in=[Role.FOCAL_POINT, Role.ADMIN]
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user if member is not None else None


def _participants(collectivity: Collectivity) -> dict[int, Participant]:
    """The demo participants; those who do not live in the collectivity declare another
    commune of its province, or none."""
    elsewhere = (
        Collectivity.objects.filter(parent_id=collectivity.parent_id, kind=CollectivityKind.COMMUNE)
        .exclude(pk=collectivity.pk)
        .order_by("pk")
        .first()
        if collectivity.parent_id
        else None
    )
    now = timezone.now()
    found: dict[int, Participant] = {}
    for key, name, gender, local in PARTICIPANTS:
        email = f"consultation-{key}@{DEMO_DOMAIN}"
        participant = Participant.objects.filter(email=email).first()
        if participant is None:
            participant = Participant.objects.create(
                email=email,
                display_name=name,
                commune=collectivity if local else elsewhere,
                gender=gender,
                language="fr" if name.isascii() else "ar",
                verified_at=now,
                confirmed_at=now,
            )
        found[key] = participant
    return found


def _sections(consultation: Consultation, actor: User, items: list[DemoSection]) -> list[Section]:
    return [
        services.section_save(
            consultation=consultation,
            actor=actor,
            order=i,
            title_ar=item.title_ar,
            title_fr=item.title_fr,
            body_ar=item.body_ar,
            body_fr=item.body_fr,
        )
        for i, item in enumerate(items, start=1)
    ]


def _discuss(
    *,
    actor: User,
    sections: list[Section],
    people: dict[int, Participant],
    comments: list[tuple[int, int, str, int | None, str]],
    stances: list[tuple[int, int, str]],
) -> int:
    posted: list[Comment] = []
    for index, key, text, reply_to, moderation in comments:
        parent = posted[reply_to] if reply_to is not None else None
        comment = services.comment_post(
            section=sections[index], participant=people[key], text=text, parent=parent
        )
        if moderation == "hide":
            services.comment_moderate(
                comment=comment, actor=actor, action="hide", reason=RejectionReason.PERSONAL_DATA
            )
        elif moderation in RejectionReason.values:
            services.comment_moderate(
                comment=comment, actor=actor, action="reject", reason=moderation
            )
        elif moderation == "" and comment.status == "pending":
            services.comment_moderate(comment=comment, actor=actor, action="approve")
        posted.append(comment)
    for index, key, value in stances:
        services.stance_set(section=sections[index], participant=people[key], value=value)
    return len(posted)


def _consultation(
    collectivity: Collectivity,
    actor: User,
    *,
    kind: str,
    title: tuple[str, str],
    description: tuple[str, str],
    moderation: str,
    opened_days_ago: int,
    closes_in_days: int,
) -> Consultation:
    now = timezone.now()
    return services.consultation_create(
        collectivity=collectivity,
        actor=actor,
        data=services.ConsultationInput(
            kind=kind,
            title_ar=title[0],
            title_fr=title[1],
            description_ar=description[0],
            description_fr=description[1],
            opens_at=now - timedelta(days=opened_days_ago),
            closes_at=now + timedelta(days=closes_in_days),
            moderation=moderation,
        ),
    )


@transaction.atomic
def consultations_demo(
    collectivity: Collectivity, *, log: Callable[[str], object] = print
) -> list[Consultation]:
    """The two demo consultations of `collectivity` (see the module's docstring)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    actor = _staff(collectivity)
    if actor is None:
        log("consultations: no focal point or admin in the collectivity, skipped")
        return []
    done: list[Consultation] = []
    people = _participants(collectivity)

    plan = Consultation.objects.filter(collectivity=collectivity, title_fr=PLAN_TITLE[1]).first()
    if plan is None:
        plan = _consultation(
            collectivity,
            actor,
            kind=Kind.ACTION_PLAN,
            title=PLAN_TITLE,
            description=PLAN_DESCRIPTION,
            moderation=Moderation.PRE,
            opened_days_ago=10,
            closes_in_days=20,
        )
        sections = _sections(plan, actor, PLAN_SECTIONS)
        n = _discuss(
            actor=actor,
            sections=sections,
            people=people,
            comments=PLAN_COMMENTS,
            stances=PLAN_STANCES,
        )
        log(
            f"consultations: open consultation {plan.pk} with {len(sections)} sections, {n} comments"
        )
    done.append(plan)

    rules = Consultation.objects.filter(collectivity=collectivity, title_fr=RULES_TITLE[1]).first()
    if rules is None:
        rules = _consultation(
            collectivity,
            actor,
            kind=Kind.REGULATION,
            title=RULES_TITLE,
            description=RULES_DESCRIPTION,
            moderation=Moderation.POST,
            opened_days_ago=45,
            closes_in_days=1,
        )
        sections = _sections(rules, actor, RULES_SECTIONS)
        n = _discuss(
            actor=actor,
            sections=sections,
            people=people,
            comments=RULES_COMMENTS,
            stances=RULES_STANCES,
        )
        services.consultation_close(consultation=rules, actor=actor)
        services.synthesis_publish(
            consultation=rules,
            actor=actor,
            synthesis_ar=RULES_SYNTHESIS[0],
            synthesis_fr=RULES_SYNTHESIS[1],
            responses={
                s.pk: (item.response_ar, item.response_fr)
                for s, item in zip(sections, RULES_SECTIONS, strict=True)
            },
        )
        log(f"consultations: closed consultation {rules.pk} with {n} comments and its synthesis")
    done.append(rules)
    return done
