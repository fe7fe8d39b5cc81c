"""Demo data of petitions: one petition open to signatures in each demo collectivity.

For every network member (the commune of Aït Melloul and the regions of Béni
Mellal-Khénifra, Drâa-Tafilalet and Laâyoune-Sakia El Hamra after `infitah.core.demo`)
one petition, in Arabic or French, is entered by a made-up agent, its e-mail confirmed,
and signed online by made-up signatories (`example.org`) who confirm from the link of
their e-mail — all through the services, as on the site. For a region the signatures are
spread over its prefectures and provinces (unevenly: the per-province progress shows a
province short of its minimum); in Aït Melloul the petitions bureau also enters a few
from a paper list. No petition reaches its threshold: the demo shows progress.

Populations. The thresholds follow the RGPH 2024 populations, which the territories
reference already records for every region (decree 2.24.1009). Where a demo region has
none, Laâyoune-Sakia El Hamra gets the figure of docs/domain.md §9 (449,256); Béni
Mellal-Khénifra and Drâa-Tafilalet are left without one (their figures are UNCONFIRMED
there), so the threshold falls back to the highest band and the page says why.

Idempotent: a collectivity that already has the demo agent's petition is left as it is.
Refused in production. Run after the core demo (infitah.core.demo.demo_load calls it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from infitah.accounts.models import Membership, User
from infitah.notifications.models import OutboundEmail
from infitah.petitions.models import Petition
from infitah.petitions.selectors import region_provinces, residence_choices
from infitah.petitions.services import PetitionInput, petition_confirm_agent, petition_draft
from infitah.petitions.signatures import SignatureInput, signature_paper_add, signature_submit
from infitah.petitions.signatures import signature_confirm as confirm_signature
from infitah.petitions.workflow import Interest, Status
from infitah.territories.models import Collectivity, Kind
from infitah.territories.selectors import collectivity_get

# The demo login of the petitions bureau of Aït Melloul (infitah.core.demo).
BUREAU_EMAIL = "petitions-bureau@demo.infitah.ma"
DEMO_DOMAIN = "example.org"

# Populations to record only where the reference has none (see the module docstring).
POPULATIONS = {
    "laayoune sakia el hamra": (
        449_256,
        "RGPH 2024 (docs/domain.md §9, ledesk.ma); to check against decree 2.24.1009",
    ),
}

_CONFIRM_LINK = re.compile(r"/petitions/signatures/confirm/([^/\s]+)/")


@dataclass(frozen=True)
class DemoPetition:
    key: str  # the agent's e-mail is agent.<key>@example.org
    language: str
    title: str
    text: str
    request: str
    agent_name: str
    agent_cin: str
    agent_address: str
    signatures: int  # online signatures, confirmed


COMMUNE_PETITION = DemoPetition(
    key="ait-melloul",
    language="ar",
    title="إحداث مساحة خضراء وملعب للقرب بحي المسيرة",
    text=(
        "نحن الموقعات والموقعين أسفله، من سكان حي المسيرة بأيت ملول، نلاحظ غياب أي مساحة "
        "خضراء أو فضاء للعب الأطفال والشباب في الحي، رغم وجود عقار جماعي غير مستغل قرب "
        "المدرسة الابتدائية. نلتمس من المجلس دراسة إمكانية تهيئته."
    ),
    request=(
        "إدراج نقطة تهيئة العقار الجماعي بحي المسيرة مساحةً خضراء وملعبا للقرب في جدول "
        "أعمال الدورة العادية المقبلة للمجلس."
    ),
    agent_name="فاطمة الزهراء أوبلا",
    agent_cin="JE 201 457",
    agent_address="زنقة 14، حي المسيرة، أيت ملول",
    signatures=23,
)

REGION_PETITIONS: dict[str, DemoPetition] = {
    "beni mellal khenifra": DemoPetition(
        key="bmk",
        language="ar",
        title="ربط الدواوير الجبلية بشبكة الماء الصالح للشرب",
        text=(
            "تعاني دواوير جبلية عديدة بأقاليم الجهة من انقطاع الماء الصالح للشرب في فصل "
            "الصيف، وتقطع النساء والأطفال مسافات طويلة لجلبه. نطالب بإدراج برنامج جهوي "
            "للربط بالشبكة ضمن أولويات المجلس."
        ),
        request=(
            "إدراج نقطة برمجة شطر أول لربط الدواوير الجبلية بالماء الصالح للشرب في جدول "
            "أعمال الدورة العادية المقبلة لمجلس الجهة."
        ),
        agent_name="محمد أمزيان",
        agent_cin="I 334 981",
        agent_address="حي الأطلس، بني ملال",
        signatures=41,
    ),
    "draa tafilalet": DemoPetition(
        key="draa-tafilalet",
        language="fr",
        title="Transport scolaire pour les élèves des communes rurales",
        text=(
            "Dans plusieurs communes rurales de la région, des collégiennes et collégiens "
            "parcourent chaque jour plus de dix kilomètres à pied. Nous demandons au conseil "
            "régional de soutenir un réseau de transport scolaire avec les communes."
        ),
        request=(
            "Inscrire à l'ordre du jour de la prochaine session ordinaire une convention "
            "régionale de transport scolaire rural avec les communes concernées."
        ),
        agent_name="Hassan Aït Ouahmane",
        agent_cin="UA 118 206",
        agent_address="Avenue Moulay Ali Cherif, Errachidia",
        signatures=46,
    ),
    "laayoune sakia el hamra": DemoPetition(
        key="laayoune",
        language="ar",
        title="إحداث مركز جهوي للتكوين في مهن الصيد البحري",
        text=(
            "يشغل قطاع الصيد البحري آلاف الشباب بالجهة دون تكوين مؤهل. نقترح إحداث مركز "
            "جهوي للتكوين في مهن الصيد البحري وتثمين المنتوجات البحرية بشراكة مع المهنيين."
        ),
        request=(
            "إدراج نقطة دراسة إحداث مركز جهوي للتكوين في مهن الصيد البحري في جدول أعمال "
            "الدورة العادية المقبلة لمجلس الجهة."
        ),
        agent_name="سيدي محمد ولد الشيخ",
        agent_cin="SH 77 120",
        agent_address="شارع السمارة، العيون",
        signatures=29,
    ),
}

# Signatories' made-up first and last names (Arabic and French spellings).
FIRST = ["Amina", "Youssef", "Khadija", "Omar", "Salma", "Hamza", "Nadia", "Rachid", "Imane"]
LAST = ["Bennani", "El Idrissi", "Ouchen", "Amrani", "Tazi", "Boukhriss", "Alaoui", "Naciri"]
# Documentation address ranges (RFC 5737): never anyone's real address.
IPS = ["192.0.2.", "198.51.100.", "203.0.113."]


def _agent_email(item: DemoPetition) -> str:
    return f"agent.{item.key}@{DEMO_DOMAIN}"


def _petition_input(item: DemoPetition) -> PetitionInput:
    return PetitionInput(
        petitioner_kind="citizens",
        title=item.title,
        text=item.text,
        request=item.request,
        agent_name=item.agent_name,
        agent_cin=item.agent_cin,
        agent_email=_agent_email(item),
        agent_phone="0600000000",
        agent_address=item.agent_address,
    )


def _places(collectivity: Collectivity) -> list[Collectivity]:
    """Where the demo signatories live: for a region, one commune per prefecture or
    province when the communes are loaded, else the prefecture or province itself (a
    region's petition accepts either); else the territory's communes."""
    if collectivity.kind != Kind.REGION:
        return residence_choices(collectivity)
    communes = residence_choices(collectivity)
    places: list[Collectivity] = []
    for province in sorted(region_provinces(collectivity), key=lambda p: p.name_fr):
        inside = [c for c in communes if c.parent_id == province.pk]
        places.append(inside[0] if inside else province)
    return places


def _spread(count: int, places: int) -> list[int]:
    """Uneven shares: the first places get more, the last may get none (short of its
    minimum), so the per-province progress tells something."""
    weights = [max(1, places - i) ** 2 for i in range(places)]
    shares = [count * w // sum(weights) for w in weights]
    shares[0] += count - sum(shares)
    if places > 2:
        shares[0] += shares[-1]
        shares[-1] = 0
    return shares


def _signatory(n: int, place: Collectivity) -> SignatureInput:
    name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
    return SignatureInput(
        full_name=name,
        cin=f"DM{n:06d}",
        residence=place.slug,
        interest=Interest.ACTIVITY if n % 7 == 0 else Interest.RESIDENT,
        email=f"signataire.{n}@{DEMO_DOMAIN}",
        electoral_declaration=True,
    )


def _sign_online(petition: Petition, item: DemoPetition, log: Callable[[str], object]) -> int:
    places = _places(petition.collectivity)
    if not places:
        log(f"petitions demo: {petition.collectivity} has no place to sign from, no signature")
        return 0
    n = 0
    for place, share in zip(places, _spread(item.signatures, len(places)), strict=True):
        for _ in range(share):
            n += 1
            signature = signature_submit(
                petition=petition,
                data=_signatory(n, place),
                ip=f"{IPS[n % len(IPS)]}{10 + n % 200}",
                language=item.language,
                user_agent="infitah-demo",
            )
            mail = OutboundEmail.objects.filter(
                key=f"petition-signature:{signature.pk}:confirm"
            ).first()
            match = _CONFIRM_LINK.search(mail.body) if mail is not None else None
            if match is not None:
                confirm_signature(token=match.group(1))
    return n


def _sign_on_paper(petition: Petition, bureau: User) -> int:
    places = residence_choices(petition.collectivity)
    for n in range(1, 6):
        signature_paper_add(
            petition=petition,
            actor=bureau,
            data=SignatureInput(
                full_name=f"{FIRST[-n]} {LAST[n]}",
                cin=f"DP{n:06d}",
                residence=places[0].slug,
                interest=Interest.RESIDENT,
                electoral_declaration=True,
            ),
        )
    return 5


def _named(collectivity: Collectivity, folded: str) -> bool:
    """Whether the folded name `folded` (e.g. "draa tafilalet") names `collectivity`."""
    return all(word in collectivity.search_key for word in folded.split())


def _populations(regions: list[Collectivity], log: Callable[[str], object]) -> None:
    for region in regions:
        for folded, (population, source) in POPULATIONS.items():
            if region.population is None and _named(region, folded):
                region.population, region.population_source = population, source
                region.save(update_fields=["population", "population_source", "updated_at"])
                log(f"petitions demo: population of {region.name_fr} set to {population}")


def _item_for(collectivity: Collectivity) -> DemoPetition | None:
    if collectivity.kind == Kind.COMMUNE:
        return COMMUNE_PETITION
    for folded, item in REGION_PETITIONS.items():
        if _named(collectivity, folded):
            return item
    return None


@transaction.atomic
def petitions_demo(*, log: Callable[[str], object] = print) -> None:
    """Record the demo petitions (see the module docstring); `log` is a write function."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    members = list(Collectivity.objects.network_members().order_by("kind", "name_fr"))
    _populations([c for c in members if c.kind == Kind.REGION], log)
    bureau = User.objects.filter(email=BUREAU_EMAIL).first()
    # The commune's petition only where the demo bureau works (Aït Melloul), not in every
    # member commune of the network's demo composition.
    bureau_places = set(
        Membership.objects.filter(user=bureau).values_list("collectivity_id", flat=True)
        if bureau is not None
        else []
    )
    made = 0
    for collectivity in members:
        if collectivity.kind == Kind.COMMUNE and collectivity.pk not in bureau_places:
            continue
        item = _item_for(collectivity)
        if item is None:
            continue
        if Petition.objects.filter(
            collectivity=collectivity, agent_email=_agent_email(item)
        ).exists():
            continue
        # Fresh from the database: the region's population may just have been set.
        fresh = collectivity_get(slug=collectivity.slug) or collectivity
        petition, _token = petition_draft(
            collectivity=fresh, data=_petition_input(item), language=item.language
        )
        petition = petition_confirm_agent(petition=petition)
        assert petition.status == Status.COLLECTING
        online = _sign_online(petition, item, log)
        paper = 0
        if bureau is not None and fresh.kind == Kind.COMMUNE:
            paper = _sign_on_paper(petition, bureau)
        made += 1
        log(
            f"petitions demo: {fresh.name_fr}: “{item.title}”, "
            f"{online} online and {paper} paper signatures"
        )
    log(f"petitions demo: {made} petition(s) recorded")
