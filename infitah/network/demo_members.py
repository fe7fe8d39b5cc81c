"""Demo data of the network's membership: the charter (version 1), the members up to the
network's composition of November 2024, a pending application and a rejected one.

The composition follows domain.md §8: 66 members in 2023 (12 regions, 4 prefecture or
province councils, 50 communes; here all of them joined with the first cohort on
21 October 2022) and 126 in November 2024 (12 regions, 7 councils, 107 communes; the
others joined during 2024, before 12 November). The demo collectivities that
infitah/core/demo.py flags (the commune of Aït Melloul and three regions) are members
from 21 October 2022. The other members are not the real ones: they are chosen
deterministically, the most populous communes of each region in turn (so that every
region has some), and the most populous prefecture or province of six regions plus the
prefecture of Inezgane-Aït Melloul. Every row made here is marked `is_demo`.

Idempotent: a second run changes nothing; a collectivity that already has a membership
record is left as it is. Bulk writes: a few seconds at most on the whole tree.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from infitah.ledger.models import Event
from infitah.ledger.services import event_record
from infitah.lib import pagecache
from infitah.lib.minimal_pdf import minimal_pdf
from infitah.network.membership_selectors import NETWORK_START
from infitah.network.membership_services import MEMBER_PAGE_NAMESPACES
from infitah.network.models import (
    Application,
    ApplicationStatus,
    ChangeKind,
    Charter,
    Member,
    MemberChange,
    MemberStatus,
)
from infitah.territories.models import Collectivity, Kind

DEMO_DOMAIN = "demo.infitah.ma"
# Commune of Aït Melloul (prefecture of Inezgane-Aït Melloul): the demo's commune.
AIT_MELLOUL_CODE = "09.273.01.05"
DEMO_PROCESS = "demo"
# The demo commune publishes its focal point's contact (the demo login's address).
HOME_CONTACT = {
    "focal_point_name": "Focal point (demo)",
    "focal_point_public_email": f"focal-point@{DEMO_DOMAIN}",
    "focal_point_public_phone": "+212 5 00 00 00 00",
}

TARGET_PROVINCIAL = 7
FIRST_PROVINCIAL = 4
TARGET_COMMUNES = 107
FIRST_COMMUNES = 50
# The second wave joins between these dates (the composition of 12 November 2024).
LATER_FROM = dt.date(2024, 1, 15)
LATER_TO = dt.date(2024, 11, 11)

CHARTER_TITLE_AR = "ميثاق الشبكة المغربية للجماعات الترابية المنفتحة (ملخص)"
CHARTER_TITLE_FR = "Charte du Réseau marocain des collectivités territoriales ouvertes (résumé)"
CHARTER_BODY_AR = """\
هذا النص ملخص من إعدادنا لمبادئ الشبكة والتزامات أعضائها، لأغراض العرض التوضيحي؛ وليس النص الرسمي للميثاق.

المبادئ
١. الشفافية والمساءلة.
٢. الحق في الحصول على المعلومات.
٣. المشاركة المواطنة.
٤. الرقمنة.

النتائج المنتظرة
- مواطنات ومواطنون شركاء في تحديد الحاجيات والحلول؛
- خدمات وبرامج أفضل؛
- ثقة أكبر بين المواطنين والجماعة الترابية.

التزامات الأعضاء
- تعيين نقطة ارتكاز تتابع برنامج الانفتاح وتمثل الجماعة داخل الشبكة؛
- إعداد برنامج للانفتاح بالإنشاء المشترك مع المجتمع المدني؛
- عرض البرنامج على المجلس للمصادقة عليه؛
- تتبع تنفيذه وتقييمه بإشراك المجتمع المدني، ونشر نتائجه.
"""
CHARTER_BODY_FR = """\
Ce texte est notre résumé des principes du réseau et des engagements de ses membres, pour la démonstration ; ce n'est pas le texte officiel de la charte.

Principes
1. Transparence et redevabilité.
2. Accès à l'information.
3. Participation citoyenne.
4. Digitalisation.

Résultats attendus
- des citoyennes et citoyens partenaires dans la définition des besoins et des solutions ;
- de meilleurs services et programmes ;
- plus de confiance entre les citoyens et la collectivité.

Engagements des membres
- désigner un point focal qui suit le programme d'ouverture et représente la collectivité au sein du réseau ;
- élaborer un programme d'ouverture co-construit avec la société civile ;
- le soumettre à l'adoption du conseil ;
- en suivre et en évaluer la mise en œuvre avec la société civile, et en publier les résultats.
"""


def _spread(count: int) -> list[dt.date]:
    """`count` dates spread evenly from LATER_FROM to LATER_TO."""
    if count <= 0:
        return []
    span = (LATER_TO - LATER_FROM).days
    return [LATER_FROM + dt.timedelta(days=span * i // max(count - 1, 1)) for i in range(count)]


def _by_population(rows: Sequence[tuple[int, int | None, int | None, str]]) -> list[int]:
    """pks ordered by population (largest first, unknown last), then code."""
    return [
        pk for pk, _region, _pop, _code in sorted(rows, key=lambda r: (-(r[2] or -1), r[3], r[0]))
    ]


def _plan(home: tuple[int, int | None, int | None] | None) -> dict[int, dt.date]:
    """The members to have, with the date each joined (the flagged ones included).
    `home`: (pk, prefecture, region) of the demo commune."""
    flagged: dict[int, dt.date] = {
        pk: joined or NETWORK_START
        for pk, joined in Collectivity.objects.territorial()
        .network_members()
        .values_list("pk", "joined_network_on")
    }
    regions = list(
        Collectivity.objects.regions().order_by("code", "pk").values_list("pk", "population")
    )
    plan: dict[int, dt.date] = {pk: flagged.get(pk, NETWORK_START) for pk, _p in regions}
    home_prefecture = home[1] if home else None
    home_region = home[2] if home else None

    # Prefecture and province councils: the most populous of each region but the demo
    # commune's (regions by population) in the first cohort, then the demo commune's
    # prefecture and the next ones in 2024.
    uppers = list(
        Collectivity.objects.filter(kind__in=[Kind.PREFECTURE, Kind.PROVINCE]).values_list(
            "pk", "region_id", "population", "code"
        )
    )
    upper_region = {pk: region_id for pk, region_id, _p, _c in uppers}
    already = [pk for pk, _r, _p, _c in uppers if pk in flagged]
    top_of_region: dict[int, int] = {}
    for pk in _by_population(uppers):
        region_id = upper_region[pk]
        if region_id is not None and region_id != home_region:
            top_of_region.setdefault(region_id, pk)
    region_order = [pk for pk, _p in sorted(regions, key=lambda r: (-(r[1] or 0), r[0]))]
    candidates = [
        top_of_region[r]
        for r in region_order
        if r in top_of_region and top_of_region[r] not in flagged
    ]
    need = max(TARGET_PROVINCIAL - len(already), 0)
    first_provincial = candidates[: min(FIRST_PROVINCIAL, need)]
    later_provincial: list[int] = []
    if (
        need > len(first_provincial)
        and home_prefecture is not None
        and home_prefecture not in flagged
    ):
        later_provincial.append(home_prefecture)
    rest = need - len(first_provincial) - len(later_provincial)
    later_provincial += candidates[len(first_provincial) : len(first_provincial) + rest]
    for pk in already:
        plan[pk] = flagged[pk]
    for pk in first_provincial:
        plan[pk] = NETWORK_START

    # Communes: the most populous of each region in turn (regions by code).
    communes = list(
        Collectivity.objects.filter(kind=Kind.COMMUNE).values_list(
            "pk", "region_id", "population", "code"
        )
    )
    queues: dict[int | None, list[int]] = defaultdict(list)
    commune_region = {pk: region_id for pk, region_id, _p, _c in communes}
    for pk in _by_population(communes):
        if pk not in flagged:
            queues[commune_region[pk]].append(pk)
    members = [pk for pk, _r, _p, _c in communes if pk in flagged]
    need = max(TARGET_COMMUNES - len(members), 0)
    picked: list[int] = []
    order = [pk for pk, _p in regions if queues.get(pk)]
    while len(picked) < need and any(queues[r] for r in order):
        for region_id in order:
            if queues[region_id] and len(picked) < need:
                picked.append(queues[region_id].pop(0))
    for pk in members:
        plan[pk] = flagged[pk]
    first_communes = max(FIRST_COMMUNES - len(members), 0)
    for pk in picked[:first_communes]:
        plan[pk] = NETWORK_START
    later = picked[first_communes:]
    # The councils of the second wave join along the year, between communes.
    for i, pk in enumerate(later_provincial):
        later.insert((i + 1) * len(later) // (len(later_provincial) + 1) + i, pk)
    for pk, on in zip(later, _spread(len(later)), strict=True):
        plan[pk] = on
    return plan


def _charter() -> Charter:
    charter = Charter.objects.order_by("-version").first()
    if charter is not None:
        return charter
    return Charter.objects.create(
        version=1,
        title_ar=CHARTER_TITLE_AR,
        title_fr=CHARTER_TITLE_FR,
        body_ar=CHARTER_BODY_AR,
        body_fr=CHARTER_BODY_FR,
        published_at=dt.datetime(2022, 10, 21, 10, 0, tzinfo=dt.UTC),
    )


def _members(plan: dict[int, dt.date], home_pk: int | None) -> int:
    """Flags, Member rows, "joined" changes and ledger events for the plan; returns how
    many members were recorded."""
    now = timezone.now()
    rows = {
        c.pk: c
        for c in Collectivity.objects.filter(pk__in=list(plan)).only(
            "pk", "kind", "is_network_member", "joined_network_on", "updated_at"
        )
    }
    to_flag = []
    for pk, on in plan.items():
        c = rows[pk]
        if not c.is_network_member:
            c.is_network_member = True
            c.joined_network_on = on
            c.updated_at = now
            to_flag.append(c)
        elif c.joined_network_on is None:
            c.joined_network_on = on
            c.updated_at = now
            to_flag.append(c)
    Collectivity.objects.bulk_update(
        to_flag, ["is_network_member", "joined_network_on", "updated_at"], batch_size=500
    )
    has_member = set(
        Member.objects.filter(collectivity_id__in=list(plan)).values_list(
            "collectivity_id", flat=True
        )
    )
    has_joined = set(
        MemberChange.objects.filter(
            collectivity_id__in=list(plan), kind=ChangeKind.JOINED
        ).values_list("collectivity_id", flat=True)
    )
    new_members = [
        Member(
            collectivity_id=pk,
            status=MemberStatus.ACTIVE,
            joined_on=on,
            is_demo=True,
            **(HOME_CONTACT if pk == home_pk else {}),
        )
        for pk, on in plan.items()
        if pk not in has_member
    ]
    Member.objects.bulk_create(new_members, batch_size=500)
    changes = [
        MemberChange(
            collectivity_id=pk, kind=ChangeKind.JOINED, on=on, is_demo=True, recorded_at=now
        )
        for pk, on in plan.items()
        if pk not in has_joined
    ]
    MemberChange.objects.bulk_create(changes, batch_size=500)
    if new_members:
        created = Member.objects.filter(
            collectivity_id__in=[m.collectivity_id for m in new_members]
        ).values_list("pk", "collectivity_id", "joined_on")
        Event.objects.bulk_create(
            [
                Event(
                    at=now,
                    process=DEMO_PROCESS,
                    collectivity_id=collectivity_id,
                    object_type=Member._meta.label_lower,
                    object_id=str(pk),
                    action="network.member.joined",
                    to_state=MemberStatus.ACTIVE,
                    data={"on": on.isoformat(), "demo": True},
                )
                for pk, collectivity_id, on in created
            ],
            batch_size=500,
        )
    return len(new_members)


def _candidate(exclude: set[int], *, region_id: int | None) -> Collectivity | None:
    """The most populous commune of the region that is not a member and has no pending
    application."""
    qs = (
        Collectivity.objects.filter(kind=Kind.COMMUNE, is_network_member=False)
        .exclude(pk__in=exclude)
        .exclude(network_applications__status=ApplicationStatus.PENDING)
    )
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    return qs.order_by("-population", "code", "pk").first()


def _applications(charter: Charter) -> int:
    """One pending application (with a small PDF deliberation) and one rejected one."""
    made = 0
    now = timezone.now()
    ait_melloul = Collectivity.objects.filter(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE).first()
    home_region = ait_melloul.region_id if ait_melloul else None
    if not Application.objects.filter(is_demo=True, status=ApplicationStatus.PENDING).exists():
        commune = _candidate(set(), region_id=home_region) or _candidate(set(), region_id=None)
        if commune is not None:
            decided = timezone.localdate() - dt.timedelta(days=20)
            application = Application(
                collectivity=commune,
                decision_date=decided,
                decision_reference=f"D-{decided:%Y}-17",
                charter=charter,
                charter_accepted_at=now - dt.timedelta(days=5),
                applicant_name="Candidat (démo)",
                applicant_email=f"applicant@{DEMO_DOMAIN}",
                applicant_function="Directeur général des services (démo)",
                focal_point_name="Point focal (démo)",
                focal_point_email=f"focal-point.pending@{DEMO_DOMAIN}",
                focal_point_phone="+212 5 00 00 00 01",
                admin_name="Administrateur (démo)",
                admin_email=f"admin.pending@{DEMO_DOMAIN}",
                motivation="Démo : le conseil veut ouvrir son budget et ses sessions aux citoyens.",
                language="fr",
                submitted_at=now - dt.timedelta(days=5),
                focal_point_publish_email=True,
                is_demo=True,
            )
            application.deliberation.save(
                f"{secrets.token_hex(16)}.pdf",
                ContentFile(minimal_pdf([f"Deliberation {application.decision_reference} (demo)"])),
                save=False,
            )
            application.save()
            event_record(
                obj=application,
                action="network.application.submitted",
                process=DEMO_PROCESS,
                collectivity=commune,
                to_state=ApplicationStatus.PENDING,
                data={
                    "charter_version": charter.version,
                    "publish_email": True,
                    "publish_phone": False,
                },
            )
            made += 1
    if not Application.objects.filter(is_demo=True, status=ApplicationStatus.REJECTED).exists():
        pending = set(
            Application.objects.filter(status=ApplicationStatus.PENDING).values_list(
                "collectivity_id", flat=True
            )
        )
        other = (
            Collectivity.objects.regions()
            .exclude(pk=home_region or 0)
            .order_by("code", "pk")
            .first()
        )
        commune = _candidate(pending, region_id=other.pk if other else None)
        if commune is not None:
            application = Application.objects.create(
                collectivity=commune,
                status=ApplicationStatus.REJECTED,
                decision_date=dt.date(2024, 2, 6),
                decision_reference="D-2024-05",
                charter=charter,
                charter_accepted_at=dt.datetime(2024, 3, 1, 11, 0, tzinfo=dt.UTC),
                applicant_name="مقدم الطلب (تجريبي)",
                applicant_email=f"applicant.rejected@{DEMO_DOMAIN}",
                applicant_function="رئيس مكتب المجلس (تجريبي)",
                focal_point_name="نقطة الارتكاز (تجريبي)",
                focal_point_email=f"focal-point.rejected@{DEMO_DOMAIN}",
                language="ar",
                submitted_at=dt.datetime(2024, 3, 1, 11, 0, tzinfo=dt.UTC),
                decided_at=dt.datetime(2024, 3, 20, 9, 30, tzinfo=dt.UTC),
                decision_note=("لم تُرفق مداولة المجلس: يرجى إعادة تقديم الطلب مرفقا بها (تجريبي)."),
                is_demo=True,
            )
            for action, to in (
                ("network.application.submitted", ApplicationStatus.PENDING),
                ("network.application.rejected", ApplicationStatus.REJECTED),
            ):
                event_record(
                    obj=application,
                    action=action,
                    process=DEMO_PROCESS,
                    collectivity=commune,
                    to_state=to,
                    note=application.decision_note if to == ApplicationStatus.REJECTED else "",
                )
            made += 1
    return made


def _pages_bump() -> None:
    for namespace in MEMBER_PAGE_NAMESPACES:
        pagecache.bump(namespace)


def members_demo(log: Callable[[str], object] = print) -> None:
    """Load the membership demo (see the module docstring). Idempotent."""
    with transaction.atomic():
        charter = _charter()
        home = (
            Collectivity.objects.filter(kind=Kind.COMMUNE, code=AIT_MELLOUL_CODE)
            .values_list("pk", "parent_id", "region_id")
            .first()
        )
        plan = _plan(home)
        recorded = _members(plan, home[0] if home else None)
        applications = _applications(charter)
        transaction.on_commit(_pages_bump)
    counts: dict[str, int] = defaultdict(int)
    for kind in Collectivity.objects.territorial().network_members().values_list("kind", flat=True):
        counts[kind] += 1
    log(
        f"network members demo: {sum(counts.values())} members "
        f"({counts[Kind.REGION]} regions, {counts[Kind.PREFECTURE] + counts[Kind.PROVINCE]} "
        f"prefecture or province councils, {counts[Kind.COMMUNE]} communes; {recorded} recorded "
        f"now), {applications} applications added, charter v{charter.version}"
    )
