"""Demo data of access to information: two desks, and six requests in Aït Melloul.

- Aït Melloul (commune) and Béni Mellal-Khénifra (region) record their information desk
  and a CNDP authorisation number that is visibly a demo value, so that both take
  requests on the demo site;
- six requests to Aït Melloul on the subjects of the open-government programme (budget,
  action plan, council minutes, public procurement…), in Arabic and French, each brought
  to another state of the workflow: awaiting confirmation, in progress, answered with a
  link to the commune's published seed communiqué, partly answered, refused with
  grounds, and refused then taken to the head in an internal complaint.

Requesters have made-up names, `example.org` addresses and identity numbers of Z's and
zeros that no card carries. Every state change goes through the services, as the
requester and the demo officer would make it, so the case history, deadlines and
e-mails are those of real use.

Idempotent: a desk already recorded is left as it is, and a request whose demo address
is already on record with the commune is not filed again. Refused in production. Run
after `infitah.publication.demo.publication_demo_load` (core.demo.demo_load calls it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from infitah.accounts.models import User
from infitah.information.models import Delivery, IdType, InformationRequest, RequesterType
from infitah.information.selectors import information_settings_get
from infitah.information.services import (
    RequestInput,
    information_settings_save,
    request_answer,
    request_complain,
    request_confirm,
    request_file,
    request_refuse,
)
from infitah.information.workflow import ClarificationClock, RefusalReason, Status
from infitah.publication.models import Document
from infitah.publication.selectors import document_list
from infitah.territories.models import Collectivity

# The demo collectivities and logins of infitah.core.demo (which imports this module,
# hence the names repeated here rather than imported).
COMMUNE_SLUG = "ait-melloul"
REGION_SLUG = "beni-mellal-khenifra"
OFFICER_EMAIL = "information-officer@demo.infitah.ma"
ADMIN_EMAIL = "admin@demo.infitah.ma"
REGION_OFFICER_EMAIL = "information-officer.bmk@demo.infitah.ma"

# A CNDP authorisation number no one could take for a real one (law 09-08, form F112).
DEMO_CNDP = "DEMO-0000/2026 (رقم تجريبي — valeur de démonstration)"

DESKS: dict[str, dict[str, str]] = {
    COMMUNE_SLUG: {
        "cndp_authorisation": DEMO_CNDP,
        "desk_email": "information.ait-melloul@demo.infitah.ma",
        "desk_phone": "+212 5 28 00 00 00",
        "desk_address_ar": "مكتب الحصول على المعلومات، مقر جماعة أيت ملول (عنوان تجريبي)",
        "desk_address_fr": (
            "Bureau d’accès à l’information, siège de la commune d’Aït Melloul (adresse de démo)"
        ),
        "clarification_clock": ClarificationClock.RUN,
    },
    REGION_SLUG: {
        "cndp_authorisation": DEMO_CNDP,
        "desk_email": "information.bmk@demo.infitah.ma",
        "desk_phone": "+212 5 23 00 00 00",
        "desk_address_ar": "مكتب الحصول على المعلومات، مقر مجلس جهة بني ملال خنيفرة (عنوان تجريبي)",
        "desk_address_fr": (
            "Bureau d’accès à l’information, siège du conseil de la région de "
            "Béni Mellal-Khénifra (adresse de démo)"
        ),
        # The other clock rule, to show both on the demo site.
        "clarification_clock": ClarificationClock.RESTART,
    },
}

OFFICER_FULL_NAME = "سلمى التجريبية — Salma Démo"


@dataclass(frozen=True)
class DemoRequest:
    """One demo request and the state it is brought to."""

    email: str
    status: str
    language: str
    data: RequestInput
    # The officer's text: the answer, the refusal's reasoning, or nothing.
    reply: str = ""
    reasons: tuple[str, ...] = ()
    complaint: str = ""


def _input(**values: str) -> RequestInput:
    return RequestInput(
        requester_type=values.get("requester_type", RequesterType.CITIZEN),
        first_name=values["first_name"],
        last_name=values["last_name"],
        id_type=values.get("id_type", IdType.CIN),
        id_number=values["id_number"],
        address=values["address"],
        email=values["email"],
        subject=values["subject"],
        description=values["description"],
        delivery=values.get("delivery", Delivery.EMAIL),
    )


REQUESTS: list[DemoRequest] = [
    DemoRequest(
        email="demo.requester1@example.org",
        status=Status.AWAITING_CONFIRMATION,
        language="fr",
        data=_input(
            first_name="Nadia",
            last_name="Exemple",
            id_number="ZZ0000001",
            address="1, rue de la Démonstration, Aït Melloul",
            email="demo.requester1@example.org",
            subject="Procès-verbaux des sessions du conseil communal en 2025",
            description=(
                "Je demande une copie des procès-verbaux des sessions ordinaires du conseil "
                "communal d’Aït Melloul de février, mai et octobre 2025, avec les listes de "
                "présence et les résultats des votes."
            ),
        ),
    ),
    DemoRequest(
        email="demo.requester2@example.org",
        status=Status.IN_PROGRESS,
        language="ar",
        data=_input(
            first_name="سعيد",
            last_name="التجريبي",
            id_number="ZZ0000002",
            address="2 زنقة التجربة، حي المسيرة، أيت ملول",
            email="demo.requester2@example.org",
            subject="ميزانية الجماعة برسم سنة 2026",
            description=(
                "أطلب نسخة من ميزانية جماعة أيت ملول برسم سنة 2026 كما صادق عليها المجلس "
                "الجماعي، مع توزيع الاعتمادات حسب الفصول والمشاريع المبرمجة."
            ),
        ),
    ),
    DemoRequest(
        email="demo.requester3@example.org",
        status=Status.ANSWERED,
        language="ar",
        data=_input(
            first_name="خديجة",
            last_name="المثال",
            id_number="ZZ0000003",
            address="3 شارع النموذج، أيت ملول",
            email="demo.requester3@example.org",
            subject="خطة انفتاح الجماعة 2024-2025",
            description=(
                "أطلب الاطلاع على خطة انفتاح جماعة أيت ملول 2024-2025 التي صادق عليها المجلس "
                "الجماعي في دورة أكتوبر 2023، وعلى التزاماتها المتعلقة بالحق في الحصول على "
                "المعلومات والنشر الاستباقي."
            ),
        ),
        reply=(
            "شكرا على طلبكم. خطة انفتاح الجماعة 2024-2025 وعرض تجربة الجماعة في الحق في الحصول "
            "على المعلومات والنشر الاستباقي منشوران في بوابة الجماعة: تجدون الرابط أسفله."
        ),
    ),
    DemoRequest(
        email="demo.requester4@example.org",
        status=Status.PARTIALLY_ANSWERED,
        language="fr",
        data=_input(
            first_name="Karim",
            last_name="Fictif",
            id_number="ZZ0000004",
            address="4, avenue de l’Essai, Aït Melloul",
            email="demo.requester4@example.org",
            subject="Marchés publics attribués par la commune en 2025",
            description=(
                "Je souhaite obtenir la liste des marchés publics attribués par la commune en "
                "2025 (objet, attributaire, montant, délai d’exécution) ainsi que les "
                "procès-verbaux des commissions d’appel d’offres."
            ),
            delivery=Delivery.CONSULTATION,
        ),
        reply=(
            "La liste des marchés attribués en 2025 (objet, attributaire, montant, délai) est "
            "jointe à cette réponse. Les procès-verbaux des commissions d’appel d’offres "
            "contiennent les données personnelles des soumissionnaires écartés : ils peuvent "
            "être consultés au bureau d’accès à l’information après occultation de ces "
            "données, sur rendez-vous."
        ),
    ),
    DemoRequest(
        email="demo.requester5@example.org",
        status=Status.REFUSED,
        language="ar",
        data=_input(
            first_name="يوسف",
            last_name="الافتراضي",
            id_number="ZZ0000005",
            address="5 زنقة الاختبار، أيت ملول",
            email="demo.requester5@example.org",
            subject="مشروع برنامج عمل الجماعة 2028-2033",
            description=(
                "أطلب نسخة من مشروع برنامج عمل الجماعة للفترة 2028-2033 والتشخيص التشاركي "
                "الذي أُعد بشأنه."
            ),
        ),
        reply=(
            "برنامج عمل الجماعة 2028-2033 في طور الإعداد ولم يُعرض بعد على المجلس الجماعي. "
            "سيُنشر التشخيص التشاركي ومشروع البرنامج فور عرضهما على المجلس، ويمكنكم المشاركة "
            "في اللقاءات التشاورية المعلن عنها في بوابة الجماعة."
        ),
        reasons=(RefusalReason.UNDER_PREPARATION,),
    ),
    DemoRequest(
        email="demo.requester6@example.org",
        status=Status.INTERNAL_COMPLAINT,
        language="fr",
        data=_input(
            requester_type=RequesterType.FOREIGN_RESIDENT,
            id_type=IdType.RESIDENCE_CARD,
            first_name="Claire",
            last_name="Démonstration",
            id_number="ZZZ00000006",
            address="6, boulevard du Test, Aït Melloul",
            email="demo.requester6@example.org",
            subject="Contrat de gestion déléguée de la collecte des déchets",
            description=(
                "Je demande une copie du contrat de gestion déléguée de la collecte des "
                "déchets ménagers signé par la commune, de son cahier des charges et des "
                "rapports annuels du délégataire."
            ),
        ),
        reply=(
            "Le contrat et ses annexes contiennent des informations commerciales du "
            "délégataire dont la divulgation porterait atteinte à la libre concurrence."
        ),
        reasons=(RefusalReason.COMPETITION,),
        complaint=(
            "Le contrat est signé et exécuté : il engage des fonds publics. L’exception de "
            "l’article 7 ne couvre pas tout le contrat ; je demande au moins le cahier des "
            "charges et les rapports annuels, les données commerciales pouvant être occultées."
        ),
    ),
]


def _desks_record(actors: dict[str, User | None]) -> int:
    recorded = 0
    for slug, values in DESKS.items():
        collectivity = Collectivity.objects.filter(slug=slug).first()
        actor = actors.get(slug)
        if collectivity is None or actor is None:
            continue
        if information_settings_get(collectivity=collectivity) is not None:
            continue
        information_settings_save(collectivity=collectivity, actor=actor, data=dict(values))
        recorded += 1
    return recorded


def _bring_to_state(
    item: DemoRequest, request: InformationRequest, officer: User, document: Document | None
) -> None:
    if item.status == Status.AWAITING_CONFIRMATION:
        return
    request_confirm(request=request)
    if item.status == Status.ANSWERED:
        request_answer(request=request, actor=officer, text=item.reply, document=document)
    elif item.status == Status.PARTIALLY_ANSWERED:
        request_answer(request=request, actor=officer, text=item.reply, partial=True)
    elif item.status in {Status.REFUSED, Status.INTERNAL_COMPLAINT}:
        request_refuse(
            request=request, actor=officer, reasons=list(item.reasons), reasoning=item.reply
        )
        if item.status == Status.INTERNAL_COMPLAINT:
            request_complain(request=request, text=item.complaint)


@transaction.atomic
def demo_information(*, stdout: Callable[[str], object]) -> None:
    """Record the demo desks and file the demo requests; write one summary line.

    `stdout` is a write function (`print`, a command's `self.stdout.write`).
    """
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    commune = Collectivity.objects.filter(slug=COMMUNE_SLUG).first()
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    region_officer = User.objects.filter(email=REGION_OFFICER_EMAIL).first()
    if commune is None or officer is None:
        stdout("information demo: the demo commune or its information officer is missing, skipped")
        return
    if not officer.full_name.strip():
        officer.full_name = OFFICER_FULL_NAME
        officer.save(update_fields=["full_name"])
    desks = _desks_record({COMMUNE_SLUG: admin or officer, REGION_SLUG: region_officer})
    # The answer to the request for the opening plan links the commune's published plan
    # (the publication demo's action-programme documents), else its latest document.
    published = document_list(collectivity=commune)
    document = published.filter(category__code="action.programme").first() or published.first()
    known = set(
        InformationRequest.objects.filter(
            collectivity=commune, email__in=[item.email for item in REQUESTS]
        ).values_list("email", flat=True)
    )
    filed = 0
    for item in REQUESTS:
        if item.email in known:
            continue
        request, _token = request_file(collectivity=commune, data=item.data, language=item.language)
        _bring_to_state(item, request, officer, document)
        filed += 1
    total = InformationRequest.objects.filter(collectivity=commune).count()
    stdout(
        f"information demo: {desks} desk(s) recorded, {filed} request(s) filed "
        f"({total} in all at {COMMUNE_SLUG})"
    )
