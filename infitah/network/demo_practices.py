"""Demo practices of the network's exchange.

Aït Melloul's project to strengthen the right of access to information and proactive
publication, as it presented it at the communication workshop of the network's
gathering in Saïdia (12 and 13 November 2024), with a short PDF and its focal point as
the contact; and two practices of other demo members (Béni Mellal-Khénifra on
participation, Drâa-Tafilalet on budget transparency). The texts are written in our own
words from the public account of the gathering.

Idempotent: a practice already there (same collectivity, same French title, demo) is
left as it is, except that it is linked to the gathering's workshop once that event
exists. Everything goes through the services (ledger events included). Never in
production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Role, User
from infitah.accounts.services import membership_grant
from infitah.lib.minimal_pdf import minimal_pdf
from infitah.lib.text import fold
from infitah.network import practice_services as services
from infitah.network.models import Event, EventKind, Practice, PracticeStatus, Theme
from infitah.network.practice_selectors import published_events
from infitah.territories.models import Collectivity

Log = Callable[[str], object]
DEMO_DOMAIN = "demo.infitah.ma"


@dataclass(frozen=True)
class DemoPractice:
    slug: str
    focal_email: str
    focal_name: str
    theme: str
    title_ar: str
    title_fr: str
    summary_ar: str
    summary_fr: str
    body_ar: str
    body_fr: str
    # Linked to the Saïdia gathering's communication workshop when it exists.
    at_gathering: bool = False
    pdf_name: str = ""
    pdf_title_ar: str = ""
    pdf_title_fr: str = ""
    pdf_lines: tuple[str, ...] = ()


PRACTICES = [
    DemoPractice(
        slug="ait-melloul",
        focal_email=f"focal-point@{DEMO_DOMAIN}",
        focal_name="Point focal — Aït Melloul (démo)",
        theme=Theme.ACCESS_TO_INFORMATION,
        title_ar="تعزيز الحق في الحصول على المعلومات والنشر الاستباقي بجماعة أيت ملول",
        title_fr=(
            "Renforcer le droit d'accès à l'information et la publication proactive à Aït Melloul"
        ),
        summary_ar=(
            "مشروع عرضته الجماعة في ورشة «التواصل في خدمة انفتاح الجماعات الترابية» خلال "
            "ملتقى الشبكة بالسعيدية يومي 12 و13 نونبر 2024: كيف تنظم الجماعة الرد على طلبات "
            "الحصول على المعلومات وتنشر معطياتها بمبادرة منها، في إطار خطة انفتاح الجماعة "
            "2024-2025."
        ),
        summary_fr=(
            "Projet présenté à l'atelier « La communication au service de l'ouverture des "
            "collectivités territoriales » de la rencontre du réseau à Saïdia, les 12 et 13 "
            "novembre 2024 : comment la commune organise les réponses aux demandes "
            "d'information et publie ses données de sa propre initiative, dans le cadre de "
            "son plan d'ouverture 2024-2025."
        ),
        body_ar=(
            "صادق المجلس الجماعي لأيت ملول في دورة أكتوبر 2023 على خطة انفتاح الجماعة "
            "2024-2025، ومن مشاريعها تعزيز الحق في الحصول على المعلومات والنشر الاستباقي.\n\n"
            "ما قامت به الجماعة: نشر المعطيات المالية بشكل استباقي، وبرمجة مشاريع الانفتاح "
            "في الميزانية خلال مرحلة الإعداد المشترك، واعتماد استراتيجية للتواصل والإعلام "
            "للفترة 2022-2027، وإحداث مجلس استشاري محلي للصحافة والاتصال وصناعة المحتوى، "
            "والانخراط في البوابة الوطنية للمعطيات المفتوحة.\n\n"
            "ما تحقق: جائزة «امتياز 2021 للتشجيع» للإدارة الإلكترونية في صنف المشاركة "
            "المجتمعية، والرتبة الأولى بين الجماعات الترابية في مؤشر SMIG-DATA لمركز طفرة "
            "(2021 و2022 و2023)، وشهادة مرجعية من ترانسبرانسي المغرب في نونبر 2023 على إشراك "
            "المواطنات والمواطنين في مسار الميزانية.\n\n"
            "لماذا نتقاسمها: لأن النشر الاستباقي يخفف عدد الطلبات ويجعل الرد عليها أسرع، "
            "ولأن التواصل جزء من الانفتاح وليس إضافة له."
        ),
        body_fr=(
            "Le conseil communal d'Aït Melloul a adopté en octobre 2023 le plan d'ouverture "
            "de la commune pour 2024-2025 ; l'un de ses projets renforce le droit d'accès à "
            "l'information et la publication proactive.\n\n"
            "Ce que la commune a fait : publier d'elle-même ses données financières, "
            "programmer au budget les projets d'ouverture dès leur co-construction, adopter "
            "une stratégie de communication et d'information pour 2022-2027, créer un "
            "conseil consultatif local de la presse, de la communication et de la création "
            "de contenu, et rejoindre le portail national des données ouvertes.\n\n"
            "Ce qui en est sorti : le prix « Imtiaz 2021 d'encouragement » de "
            "l'administration électronique, catégorie participation citoyenne ; la première "
            "place des collectivités territoriales dans l'indice SMIG-DATA du centre Tafra "
            "(2021, 2022 et 2023) ; une attestation de Transparency Maroc en novembre 2023 "
            "pour la participation des citoyennes et des citoyens au cycle budgétaire.\n\n"
            "Pourquoi la partager : publier d'abord réduit le nombre de demandes et accélère "
            "les réponses ; la communication fait partie de l'ouverture, elle ne s'y ajoute "
            "pas."
        ),
        at_gathering=True,
        pdf_name="ait-melloul-acces-information.pdf",
        pdf_title_ar="عرض المشروع (ملخص)",
        pdf_title_fr="Présentation du projet (résumé)",
        pdf_lines=(
            "Commune d'Aït Melloul",
            "Droit d'accès à l'information et publication proactive",
            "Rencontre du réseau, Saïdia, 12-13 novembre 2024",
            "Atelier : la communication au service de l'ouverture",
            "",
            "1. Plan d'ouverture 2024-2025 (conseil d'octobre 2023)",
            "2. Données financières publiées de façon proactive",
            "3. Stratégie de communication 2022-2027",
            "4. Portail national des données ouvertes",
            "",
            "Document de démonstration.",
        ),
    ),
    DemoPractice(
        slug="beni-mellal-khenifra",
        focal_email=f"focal-point.bmk@{DEMO_DOMAIN}",
        focal_name="Point focal — Béni Mellal-Khénifra (démo)",
        theme=Theme.PARTICIPATION,
        title_ar="إشراك الشباب في الاستشارات العمومية للجهة",
        title_fr="Associer les jeunes aux consultations publiques de la région",
        summary_ar=(
            "ورشات في دور الشباب تهيئ للاستشارات العمومية على المنصة، مع نشر خلاصة كل ورشة "
            "ورد الجهة عليها."
        ),
        summary_fr=(
            "Des ateliers dans les maisons de jeunes préparent les consultations publiques "
            "en ligne ; la synthèse de chaque atelier et la réponse de la région sont "
            "publiées."
        ),
        body_ar=(
            "قبل كل استشارة عمومية، تنظم الجهة ورشة في دار للشباب بكل إقليم لشرح المشروع "
            "المعروض وطريقة المشاركة. تُنشر خلاصة الورشة على المنصة، وترد الجهة على كل "
            "مقترح عند إغلاق الاستشارة."
        ),
        body_fr=(
            "Avant chaque consultation publique, la région tient un atelier dans une maison "
            "de jeunes de chaque province pour expliquer le projet soumis et la manière d'y "
            "prendre part. La synthèse de l'atelier est publiée sur la plateforme, et la "
            "région répond à chaque proposition à la clôture de la consultation."
        ),
    ),
    DemoPractice(
        slug="draa-tafilalet",
        focal_email=f"focal-point.draa@{DEMO_DOMAIN}",
        focal_name="Point focal — Drâa-Tafilalet (démo)",
        theme=Theme.BUDGET,
        title_ar="ميزانية المواطن: نسخة مبسطة من ميزانية الجهة كل سنة",
        title_fr="Un budget citoyen : la version simple du budget de la région, chaque année",
        summary_ar=(
            "نسخة قصيرة ومصورة من ميزانية الجهة، بالعربية والفرنسية، تُنشر مع المعطيات "
            "المفتوحة للميزانية."
        ),
        summary_fr=(
            "Une version courte et illustrée du budget de la région, en arabe et en "
            "français, publiée avec les données ouvertes du budget."
        ),
        body_ar=(
            "بعد مصادقة المجلس على الميزانية، تعد مصلحة المالية مع خلية التواصل وثيقة من "
            "بضع صفحات: من أين تأتي الموارد، وأين تُصرف، وما المشاريع الكبرى للسنة. "
            "تُنشر الوثيقة على المنصة مع ملف المعطيات المفتوحة للميزانية."
        ),
        body_fr=(
            "Une fois le budget adopté par le conseil, le service financier et la cellule "
            "de communication rédigent un document de quelques pages : d'où viennent les "
            "ressources, où elles vont, quels sont les grands projets de l'année. Il est "
            "publié sur la plateforme avec le fichier de données ouvertes du budget."
        ),
    ),
]


def saidia_workshop() -> Event | None:
    """The communication workshop of the November 2024 gathering (or the gathering
    itself when its workshops are not recorded), among published events."""
    gathering = (
        published_events()
        .filter(kind=EventKind.GATHERING, starts_at__year=2024, starts_at__month=11)
        .order_by("starts_at", "pk")
        .first()
    )
    if gathering is None:
        return None
    for child in published_events().filter(parent=gathering).order_by("starts_at", "pk"):
        words = fold(f"{child.title_ar} {child.title_fr}")
        if "communication" in words or "تواصل" in words:
            return child
    return gathering


def _focal_point(email: str, name: str, collectivity: Collectivity) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
    membership_grant(
        user=user, collectivity=collectivity, role=Role.FOCAL_POINT, actor=None, process="demo"
    )
    return user


def _load(demo: DemoPractice, collectivity: Collectivity, event: Event | None) -> str:
    focal = _focal_point(demo.focal_email, demo.focal_name, collectivity)
    found = Practice.objects.filter(
        collectivity=collectivity, title_fr=demo.title_fr, is_demo=True
    ).first()
    if found is not None:
        if demo.at_gathering and event is not None and found.event_id is None:
            data = {name: getattr(found, name) for name in services.FIELDS}
            services.practice_update(practice=found, actor=focal, data={**data, "event": event})
            return "linked"
        return "kept"
    data = {
        "theme": demo.theme,
        "title_ar": demo.title_ar,
        "title_fr": demo.title_fr,
        "summary_ar": demo.summary_ar,
        "summary_fr": demo.summary_fr,
        "body_ar": demo.body_ar,
        "body_fr": demo.body_fr,
        "contact_name": demo.focal_name,
        "contact_email": demo.focal_email,
        "contact_phone": "",
        "event": event if demo.at_gathering else None,
    }
    practice = services.practice_create(
        collectivity=collectivity, actor=focal, data=data, is_demo=True
    )
    if demo.pdf_name:
        services.practice_document_add(
            practice=practice,
            actor=focal,
            file=SimpleUploadedFile(
                demo.pdf_name, minimal_pdf(demo.pdf_lines), content_type="application/pdf"
            ),
            title_ar=demo.pdf_title_ar,
            title_fr=demo.pdf_title_fr,
        )
    services.practice_publish(practice=practice, actor=focal)
    return "created"


def practices_demo(log: Log = print) -> dict[str, int]:
    """Load the demo practices (module docstring); returns how many were created, kept
    or linked to the gathering. Idempotent; never in production."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    started = time.monotonic()
    outcome = {"created": 0, "kept": 0, "linked": 0, "skipped": 0}
    event = saidia_workshop()
    for demo in PRACTICES:
        collectivity = Collectivity.objects.filter(slug=demo.slug).first()
        if collectivity is None or not collectivity.is_network_member:
            log(f"practices demo: {demo.slug!r} is not a member here; its practice is skipped")
            outcome["skipped"] += 1
            continue
        with transaction.atomic():
            outcome[_load(demo, collectivity, event)] += 1
    published = Practice.objects.filter(is_demo=True, status=PracticeStatus.PUBLISHED).count()
    log(
        f"practices demo: {outcome['created']} created, {outcome['kept']} kept, "
        f"{outcome['linked']} linked to the gathering, {outcome['skipped']} skipped; "
        f"{published} demo practices published"
        f"{'' if event else ' (no November 2024 gathering yet: not linked)'}; "
        f"{time.monotonic() - started:.2f} s"
    )
    return outcome
