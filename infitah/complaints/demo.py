"""Demo data of complaints, observations and suggestions in Aït Melloul.

- the commune's service units (complaints unit, roads, public lighting, cleanliness,
  urban planning: correspondence app's ServiceUnit), its complaint settings (the
  complaints unit, 30 days to reopen, answers published anonymised) and four
  categories in Arabic and French, each routed to its unit;
- the commune's own explanation, in Arabic and French, of the main states;
- seven complaints in Arabic and French, each brought to another state through the
  services as the citizen and the demo complaints officer would: awaiting
  confirmation, received, routed to a service, more information requested, answered
  (published), answered and rated, and reopened after the answer.

Citizens have made-up names and `example.org` addresses. Idempotent: units, categories
and explanations already recorded are left as they are, and a complaint whose demo
address is already on record with the commune is not submitted again. Refused in
production. Run after `infitah.information.demo.demo_information` (core.demo.demo_load
calls it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from infitah.accounts.models import User
from infitah.complaints.models import Category, Complaint, ComplaintSettings, StateExplanation
from infitah.complaints.services import (
    ComplaintInput,
    category_save,
    complaint_acknowledge,
    complaint_answer,
    complaint_ask_info,
    complaint_rate,
    complaint_reopen,
    complaint_route,
    complaint_settings_save,
    complaint_submit,
    explanation_save,
)
from infitah.complaints.workflow import Kind, Outcome, Status
from infitah.correspondence.models import ServiceUnit
from infitah.correspondence.services import service_unit_create
from infitah.territories.models import Collectivity

# The demo commune and logins of infitah.core.demo (which imports this module, hence the
# names repeated here rather than imported).
COMMUNE_SLUG = "ait-melloul"
OFFICER_EMAIL = "complaints-officer@demo.infitah.ma"
ADMIN_EMAIL = "admin@demo.infitah.ma"

COMPLAINTS_UNIT = ("مصلحة الشكايات والملاحظات والاقتراحات", "Bureau des réclamations")
# category key: (unit name ar, unit name fr, category name ar, category name fr)
CATEGORIES: dict[str, tuple[str, str, str, str]] = {
    "roads": ("مصلحة الطرق", "Service de la voirie", "الطرق والأرصفة", "Voirie"),
    "lighting": (
        "مصلحة الإنارة العمومية",
        "Service de l’éclairage public",
        "الإنارة العمومية",
        "Éclairage public",
    ),
    "cleanliness": ("مصلحة النظافة", "Service de la propreté", "النظافة", "Propreté"),
    "planning": ("مصلحة التعمير", "Service de l’urbanisme", "التعمير", "Urbanisme"),
}

EXPLANATIONS: dict[str, tuple[str, str]] = {
    Status.AWAITING_CONFIRMATION: (
        "افتحوا الرابط الذي أرسلناه إلى بريدكم الإلكتروني واضغطوا على زر التأكيد لتُسجَّل شكايتكم.",
        "Ouvrez le lien envoyé à votre adresse e-mail et appuyez sur le bouton de "
        "confirmation pour que votre réclamation soit enregistrée.",
    ),
    Status.RECEIVED: (
        "تسلّمت الجماعة رسالتكم. ستُشعركم بالتوصل داخل أجل 15 يوما وتجيبكم داخل أجل 60 يوما.",
        "La commune a reçu votre message. Elle en accuse réception sous 15 jours et y répond "
        "sous 60 jours.",
    ),
    Status.IN_PROCESS: (
        "تعالج المصلحة المختصة رسالتكم. يمكنكم تتبع كل مرحلة من هذه الصفحة.",
        "Le service compétent traite votre message. Vous suivez chaque étape sur cette page.",
    ),
    Status.INFO_REQUESTED: (
        "تحتاج المصلحة إلى معلومات إضافية: أجيبوا من هذه الصفحة ليستمر العمل على رسالتكم.",
        "Le service a besoin de précisions : répondez depuis cette page pour que le "
        "traitement continue.",
    ),
    Status.ANSWERED: (
        "أجابت الجماعة. قيّموا الجواب، ويمكنكم إعادة فتح الشكاية مرة واحدة داخل 30 يوما إن لم "
        "يحلّ المشكلة. ويبقى لكم حق اللجوء إلى مؤسسة الوسيط.",
        "La commune a répondu. Évaluez la réponse ; vous pouvez rouvrir la réclamation une "
        "fois dans les 30 jours si elle ne règle pas le problème. Vous gardez le droit de "
        "saisir le Médiateur du Royaume.",
    ),
    Status.CLOSED: (
        "أُغلق الملف. شكرا على مساهمتكم في تحسين خدمات الجماعة.",
        "Le dossier est clos. Merci de contribuer à améliorer les services de la commune.",
    ),
}


@dataclass(frozen=True)
class DemoComplaint:
    """One demo complaint and the state it is brought to."""

    email: str
    status: str
    language: str
    category: str
    data: ComplaintInput
    # The officer's question, or answer; the citizen's reopening reason.
    text: str = ""
    outcome: str = Outcome.POSITIVE
    satisfaction: int = 0
    reopen: str = ""


def _input(kind: str, name: str, email: str, description: str, **extra: str) -> ComplaintInput:
    return ComplaintInput(kind=kind, name=name, email=email, description=description, **extra)


COMPLAINTS: list[DemoComplaint] = [
    DemoComplaint(
        email="demo.citizen1@example.org",
        status=Status.AWAITING_CONFIRMATION,
        language="fr",
        category="lighting",
        data=_input(
            Kind.COMPLAINT,
            "Nadia Exemple",
            "demo.citizen1@example.org",
            "Trois lampadaires de la rue des Orangers sont éteints depuis dix jours ; la rue "
            "est plongée dans le noir le soir.",
            address="Rue des Orangers, quartier Al Massira, Aït Melloul",
            latitude="30.3364",
            longitude="-9.4986",
        ),
    ),
    DemoComplaint(
        email="demo.citizen2@example.org",
        status=Status.RECEIVED,
        language="ar",
        category="cleanliness",
        data=_input(
            Kind.COMPLAINT,
            "سعيد التجريبي",
            "demo.citizen2@example.org",
            "تتراكم النفايات قرب السوق الأسبوعي منذ أيام ولم تمر شاحنة الجمع.",
            address="قرب السوق الأسبوعي، أيت ملول",
        ),
    ),
    DemoComplaint(
        email="demo.citizen3@example.org",
        status=Status.IN_PROCESS,
        language="ar",
        category="roads",
        data=_input(
            Kind.COMPLAINT,
            "خديجة المثال",
            "demo.citizen3@example.org",
            "حفرة كبيرة في شارع محمد الخامس أمام المدرسة الابتدائية تشكل خطرا على التلاميذ.",
            address="شارع محمد الخامس، أيت ملول",
            latitude="30.3390",
            longitude="-9.4950",
        ),
    ),
    DemoComplaint(
        email="demo.citizen4@example.org",
        status=Status.INFO_REQUESTED,
        language="fr",
        category="planning",
        data=_input(
            Kind.OBSERVATION,
            "Karim Fictif",
            "demo.citizen4@example.org",
            "Un chantier de construction occupe le trottoir depuis plusieurs mois sans "
            "panneau d’autorisation visible.",
        ),
        text="Pouvez-vous préciser l’adresse exacte du chantier ou un repère proche ?",
    ),
    DemoComplaint(
        email="demo.citizen5@example.org",
        status=Status.ANSWERED,
        language="ar",
        category="lighting",
        data=_input(
            Kind.COMPLAINT,
            "يوسف الافتراضي",
            "demo.citizen5@example.org",
            "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين والشارع مظلم ليلا.",
            address="زنقة الورود، أيت ملول",
        ),
        text="تم تغيير المصابيح المعطلة في زنقة الورود يوم الإثنين، والإنارة تعمل من جديد.",
    ),
    DemoComplaint(
        email="demo.citizen6@example.org",
        status=Status.RATED,
        language="fr",
        category="roads",
        data=_input(
            Kind.SUGGESTION,
            "Claire Démonstration",
            "demo.citizen6@example.org",
            "Je propose d’aménager un passage piéton surélevé devant le collège pour ralentir "
            "les voitures.",
        ),
        text="Votre suggestion est retenue : le passage surélevé sera réalisé avec le "
        "programme d’entretien de la voirie de cette année.",
        satisfaction=5,
    ),
    DemoComplaint(
        email="demo.citizen7@example.org",
        status=Status.IN_PROCESS,
        language="ar",
        category="cleanliness",
        data=_input(
            Kind.COMPLAINT,
            "فاطمة النموذج",
            "demo.citizen7@example.org",
            "الحاوية الموضوعة في حي الفتح مكسورة والنفايات تتناثر في الشارع.",
        ),
        text="تم تنظيف المكان وسيتم تعويض الحاوية.",
        outcome=Outcome.POSITIVE,
        satisfaction=2,
        reopen="نُظّف المكان لكن الحاوية لم تُعوَّض بعد.",
    ),
]


def _unit(collectivity: Collectivity, actor: User, name_ar: str, name_fr: str) -> ServiceUnit:
    found = ServiceUnit.objects.filter(collectivity=collectivity, name_fr=name_fr).first()
    found = found or ServiceUnit.objects.filter(collectivity=collectivity, name_ar=name_ar).first()
    if found is not None:
        return found
    return service_unit_create(
        collectivity=collectivity, actor=actor, name_ar=name_ar, name_fr=name_fr
    )


def _setup(commune: Collectivity, actor: User) -> tuple[dict[str, Category], int]:
    """The units, settings, categories and explanations; returns the categories by key
    and how many things were recorded."""
    recorded = 0
    unit = _unit(commune, actor, *COMPLAINTS_UNIT)
    if not ComplaintSettings.objects.filter(collectivity=commune).exists():
        complaint_settings_save(
            collectivity=commune,
            actor=actor,
            data={"complaints_unit": unit, "reopen_days": 30, "publish_answered": True},
        )
        recorded += 1
    categories = {}
    for key, (unit_ar, unit_fr, name_ar, name_fr) in CATEGORIES.items():
        found = Category.objects.filter(collectivity=commune, name_fr=name_fr).first()
        if found is None:
            found = category_save(
                collectivity=commune,
                actor=actor,
                name_ar=name_ar,
                name_fr=name_fr,
                service=_unit(commune, actor, unit_ar, unit_fr),
            )
            recorded += 1
        categories[key] = found
    known = set(
        StateExplanation.objects.filter(collectivity=commune).values_list("status", flat=True)
    )
    for status, (text_ar, text_fr) in EXPLANATIONS.items():
        if status not in known:
            explanation_save(
                collectivity=commune, actor=actor, status=status, text_ar=text_ar, text_fr=text_fr
            )
            recorded += 1
    return categories, recorded


def _bring_to_state(item: DemoComplaint, complaint: Complaint, officer: User) -> None:
    if item.status in {Status.AWAITING_CONFIRMATION, Status.RECEIVED}:
        return
    if item.status == Status.INFO_REQUESTED:
        complaint_acknowledge(complaint=complaint, actor=officer)
        complaint_ask_info(complaint=complaint, actor=officer, text=item.text)
        return
    if item.status == Status.IN_PROCESS and not item.reopen:
        assert complaint.service is not None
        complaint_route(complaint=complaint, actor=officer, service=complaint.service)
        return
    complaint_acknowledge(complaint=complaint, actor=officer)
    complaint_answer(
        complaint=complaint, actor=officer, outcome=item.outcome, text=item.text, publish=True
    )
    if item.satisfaction:
        complaint_rate(complaint=complaint, satisfaction=item.satisfaction)
    if item.reopen:
        complaint_reopen(complaint=complaint, text=item.reopen)


@transaction.atomic
def demo_complaints(*, stdout: Callable[[str], object]) -> None:
    """Record the demo units, settings, categories and complaints; write one summary line.

    `stdout` is a write function (`print`, a command's `self.stdout.write`).
    """
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    commune = Collectivity.objects.filter(slug=COMMUNE_SLUG).first()
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if commune is None or officer is None:
        stdout("complaints demo: the demo commune or its complaints officer is missing, skipped")
        return
    categories, recorded = _setup(commune, admin or officer)
    known = set(
        Complaint.objects.filter(
            collectivity=commune, email__in=[item.email for item in COMPLAINTS]
        ).values_list("email", flat=True)
    )
    submitted = 0
    for item in COMPLAINTS:
        if item.email in known:
            continue
        data = ComplaintInput(**{**vars(item.data), "category": str(categories[item.category].pk)})
        complaint, _token = complaint_submit(
            collectivity=commune,
            data=data,
            email_confirmed=item.status != Status.AWAITING_CONFIRMATION,
            language=item.language,
        )
        _bring_to_state(item, complaint, officer)
        submitted += 1
    total = Complaint.objects.filter(collectivity=commune).count()
    stdout(
        f"complaints demo: {recorded} setting(s) recorded, {submitted} complaint(s) submitted "
        f"({total} in all at {COMMUNE_SLUG})"
    )
