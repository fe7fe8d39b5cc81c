"""The budget and procurement demo (`manage.py demo`).

- **Aït Melloul** (commune): its budgets of last year (approved, executed at year end)
  and of this year (approved, amended, executed so far), imported from
  spreadsheets through the importer; expenditure lines classified by function and gender
  marker, beneficiaries by sex on two lines, a comment of the equality advisory body;
  the forecast programme of this year, published, and three processes from the plan to
  payment (one completed, one with an amended contract being paid, one awarded in two
  lots with its first lot's contract being paid), each step an OCDS release; a
  commitment of the opening programme funded by a line and a process.
- **Béni Mellal-Khénifra** (region): its forecast programme of this year, published.

Idempotent: a collectivity that already has a budget or a forecast programme is left as
it is. Everything goes through the services, dated by the calendar where they check it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Role, User
from infitah.accounts.services import membership_grant
from infitah.advisory.models import Body as AdvisoryBody
from infitah.finance.models import Budget, BudgetItem, FunctionalClass, ProcurementPlan
from infitah.finance.services import budget as budgets
from infitah.finance.services import procurement
from infitah.finance.workflow import Category, Direction, KeyDocument, Phase, Procedure
from infitah.openplan.models import Commitment
from infitah.publication.demo import EDITOR_EMAIL
from infitah.publication.models import Category as PublicationCategory
from infitah.publication.models import Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

Log = Callable[[str], object]
DEMO_DOMAIN = "demo.infitah.ma"
COMMUNE_SLUG = "ait-melloul"
BMK_SLUG = "beni-mellal-khenifra"
FINANCE_COMMUNE = f"finance-officer@{DEMO_DOMAIN}"
ADVISORY_COMMUNE = f"advisory-secretary@{DEMO_DOMAIN}"
FINANCE_BMK = f"finance-officer.bmk@{DEMO_DOMAIN}"

# direction, section, chapter, article, paragraph, line, label ar, label fr,
# function (COFOG), gender marker, approved amount of this year.
LINES: list[tuple[str, str, str, str, str, str, str, str, str, int | None, int]] = [
    (
        "recettes",
        "fonctionnement",
        "10",
        "11",
        "10",
        "11",
        "حصة الجماعة من الضريبة على القيمة المضافة",
        "Part de la TVA",
        "",
        None,
        98_500_000,
    ),
    (
        "recettes",
        "fonctionnement",
        "10",
        "20",
        "20",
        "12",
        "الرسم المهني",
        "Taxe professionnelle",
        "",
        None,
        21_300_000,
    ),
    (
        "recettes",
        "fonctionnement",
        "10",
        "20",
        "30",
        "13",
        "رسم السكن ورسم الخدمات الجماعية",
        "Taxe d'habitation et de services communaux",
        "",
        None,
        17_800_000,
    ),
    (
        "recettes",
        "fonctionnement",
        "10",
        "30",
        "10",
        "14",
        "مداخيل الأسواق والمحطات",
        "Recettes des marchés et gares",
        "",
        None,
        6_400_000,
    ),
    (
        "recettes",
        "investissement",
        "20",
        "10",
        "10",
        "21",
        "فائض الجزء الأول",
        "Excédent de la première partie",
        "",
        None,
        38_000_000,
    ),
    (
        "recettes",
        "investissement",
        "20",
        "20",
        "10",
        "22",
        "مساهمة مجلس الجهة",
        "Contribution du conseil régional",
        "",
        None,
        12_500_000,
    ),
    (
        "dépenses",
        "fonctionnement",
        "10",
        "10",
        "10",
        "11",
        "أجور وتعويضات الموظفين",
        "Traitements et indemnités du personnel",
        "01",
        0,
        72_000_000,
    ),
    (
        "dépenses",
        "fonctionnement",
        "10",
        "20",
        "10",
        "12",
        "الإنارة العمومية: استهلاك الكهرباء",
        "Éclairage public : électricité",
        "06",
        0,
        14_600_000,
    ),
    (
        "dépenses",
        "fonctionnement",
        "10",
        "30",
        "10",
        "13",
        "جمع النفايات والنظافة",
        "Collecte des déchets et propreté",
        "05",
        0,
        19_800_000,
    ),
    (
        "dépenses",
        "fonctionnement",
        "10",
        "40",
        "20",
        "14",
        "دعم الجمعيات النسائية والتعاونيات",
        "Soutien aux associations de femmes et coopératives",
        "10",
        2,
        2_400_000,
    ),
    (
        "dépenses",
        "fonctionnement",
        "10",
        "40",
        "30",
        "15",
        "دعم الأنشطة الرياضية والثقافية للشباب",
        "Activités sportives et culturelles des jeunes",
        "08",
        1,
        3_100_000,
    ),
    (
        "dépenses",
        "investissement",
        "20",
        "10",
        "10",
        "21",
        "تهيئة الطرق والأزقة",
        "Aménagement de voirie",
        "04",
        0,
        26_500_000,
    ),
    (
        "dépenses",
        "investissement",
        "20",
        "10",
        "20",
        "22",
        "توسيع شبكة الإنارة العمومية",
        "Extension de l'éclairage public",
        "06",
        1,
        8_000_000,
    ),
    (
        "dépenses",
        "investissement",
        "20",
        "20",
        "10",
        "23",
        "بناء فضاء متعدد الوظائف للمرأة",
        "Espace multifonctionnel pour les femmes",
        "10",
        2,
        6_000_000,
    ),
    (
        "dépenses",
        "investissement",
        "20",
        "30",
        "10",
        "24",
        "رقمنة الخدمات والبوابة الإلكترونية",
        "Numérisation des services et portail",
        "01",
        1,
        2_700_000,
    ),
]
HEADER = "الاتجاه;الجزء;الفصل;المادة;الفقرة;السطر;البيان بالعربية;Libellé;المبلغ"


def _csv(rows: list[tuple[Any, ...]], title: str) -> io.BytesIO:
    """A budget sheet as the finance unit exports it: a title row, the header, lines
    with amounts written with spaces between thousands."""
    out = [title, HEADER]
    for direction, section, ch, ar, pa, li, label_ar, label_fr, amount in rows:
        figures = f"{abs(amount):,}".replace(",", " ")
        written = f"-{figures}" if amount < 0 else figures
        out.append(";".join([direction, section, ch, ar, pa, li, label_ar, label_fr, written]))
    data = io.BytesIO(("\ufeff" + "\n".join(out) + "\n").encode("utf-8"))
    data.name = "budget.csv"
    return data


def _rows(factor: float) -> list[tuple[Any, ...]]:
    rows = []
    for direction, section, ch, ar, pa, li, label_ar, label_fr, _f, _m, amount in LINES:
        value = int(round(amount * factor, -3))
        rows.append((direction, section, ch, ar, pa, li, label_ar, label_fr, value))
    return rows


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _grant(user: User, collectivity: Collectivity, role: str) -> None:
    membership_grant(user=user, collectivity=collectivity, role=role, actor=None, process="demo")


def _import(
    budget: Budget, actor: User, phase: str, rows: list[tuple[Any, ...]], **extra: Any
) -> None:
    budgets.budget_import(
        budget=budget,
        actor=actor,
        phase=phase,
        file=_csv(rows, f"ميزانية جماعة أيت ملول {budget.year}"),
        **extra,
    )


def _budgets(commune: Collectivity, actor: User, advisor: User, today: dt.date) -> Budget:
    last = budgets.budget_get_or_create(collectivity=commune, actor=actor, year=today.year - 1)
    _import(last, actor, Phase.APPROVED, _rows(0.94))
    _import(
        last,
        actor,
        Phase.EXECUTED,
        _rows(0.87),
        as_of=dt.date(today.year - 1, 12, 31),
        note="الحساب الإداري",
    )
    current = budgets.budget_get_or_create(collectivity=commune, actor=actor, year=today.year)
    _import(current, actor, Phase.APPROVED, _rows(1.0))
    # The amended budget: street lighting reduced, the women's space increased.
    amended = _rows(1.0)
    amended[7] = (*amended[7][:8], amended[7][8] - 1_200_000)
    amended[13] = (*amended[13][:8], amended[13][8] + 1_500_000)
    _import(current, actor, Phase.AMENDED, amended, note="الميزانية المعدلة")
    as_of = min(today, dt.date(today.year, 9, 30)) if today.month > 1 else today
    _import(current, actor, Phase.EXECUTED, _rows(0.61), as_of=as_of, note="تنفيذ الميزانية")
    functions = {f.code: f for f in FunctionalClass.objects.all()}
    for budget in (last, current):
        items = {
            (item.direction, item.code): item for item in BudgetItem.objects.filter(budget=budget)
        }
        for direction, _s, ch, ar, pa, li, _la, _lf, function, marker, _a in LINES:
            if direction != "dépenses":
                continue
            item = items[(Direction.EXPENDITURE, f"{ch}.{ar}.{pa}.{li}")]
            budgets.item_tag(
                item=item, actor=actor, function=functions[function], gender_marker=marker
            )
    women_space = BudgetItem.objects.get(
        budget=current, direction=Direction.EXPENDITURE, code="20.20.10.23"
    )
    budgets.gender_indicator_save(
        item=women_space,
        actor=actor,
        data={
            "name_ar": "المستفيدون من الفضاء",
            "name_fr": "Bénéficiaires de l'espace",
            "women": 640,
            "men": 85,
        },
    )
    youth = BudgetItem.objects.get(
        budget=current, direction=Direction.EXPENDITURE, code="10.40.30.15"
    )
    budgets.gender_indicator_save(
        item=youth,
        actor=actor,
        data={
            "name_ar": "الشباب المستفيدون",
            "name_fr": "Jeunes bénéficiaires",
            "women": 410,
            "men": 690,
        },
    )
    equality = AdvisoryBody.objects.filter(collectivity=commune).order_by("pk").first()
    if equality is not None:
        budgets.gender_comment_post(
            budget=current,
            actor=advisor,
            body=equality,
            item=youth,
            text=(
                "توصي الهيئة بتخصيص حصة من دعم الأنشطة الرياضية للفتيات، إذ لا تتجاوز نسبتهن "
                "37 في المائة من المستفيدين."
            ),
        )
    return current


def _key_documents(commune: Collectivity, actor: User, budget: Budget) -> int:
    """The enacted budget and the citizens budget of the year, published in the
    publication module by its editor (texts here) and linked as two of the eight key
    documents."""
    editor = User.objects.filter(email=EDITOR_EMAIL).first()
    category = PublicationCategory.objects.filter(code="budget.current").first()
    if editor is None or category is None:
        return 0
    linked = 0
    for kind, title_ar, title_fr, text in (
        (
            KeyDocument.ENACTED,
            f"ميزانية جماعة أيت ملول لسنة {budget.year} كما صادق عليها المجلس",
            f"Budget de la commune d'Aït Melloul {budget.year}, tel qu'approuvé",
            "الميزانية المصادق عليها في دورة أكتوبر: الجزء الأول (التسيير) والجزء الثاني (التجهيز).",
        ),
        (
            KeyDocument.CITIZENS,
            f"ميزانية المواطن {budget.year}",
            f"Budget citoyen {budget.year}",
            "من أين تأتي أموال الجماعة وأين تذهب، بلغة مبسطة، مع أهم المشاريع.",
        ),
    ):
        document = document_publish(
            collectivity=commune,
            actor=editor,
            category=category,
            title_ar=title_ar,
            title_fr=title_fr,
            date=timezone.localdate(),
            language=Language.ARABIC,
            upload=ContentFile(f"{title_ar}\n\n{text}\n".encode(), name=f"{kind}.txt"),
        )
        budgets.key_document_link(budget=budget, actor=actor, kind=kind, document=document)
        linked += 1
    return linked


def _procurement(commune: Collectivity, actor: User, current: Budget, today: dt.date) -> int:
    plan = procurement.plan_get_or_create(collectivity=commune, actor=actor, year=today.year)
    road = BudgetItem.objects.get(
        budget=current, direction=Direction.EXPENDITURE, code="20.10.10.21"
    )
    light = BudgetItem.objects.get(
        budget=current, direction=Direction.EXPENDITURE, code="20.10.20.22"
    )
    digital = BudgetItem.objects.get(
        budget=current, direction=Direction.EXPENDITURE, code="20.30.10.24"
    )
    commitment = Commitment.objects.filter(programme__collectivity=commune).order_by("pk").first()
    if commitment is not None:
        # The e-counter line funds commitment 1 of the opening programme.
        budgets.item_tag(
            item=digital,
            actor=actor,
            function=digital.function,
            gender_marker=digital.gender_marker,
            commitment=commitment,
        )
    items = [
        (
            "تهيئة طرق حي تمزارت",
            "Aménagement des voies du quartier Tamazart",
            Category.WORKS,
            Procedure.OPEN_TENDER,
            "9800000",
            1,
            road,
            None,
        ),
        (
            "توسيع الإنارة العمومية بالأحياء الناقصة التجهيز",
            "Extension de l'éclairage public",
            Category.WORKS,
            Procedure.OPEN_TENDER,
            "4200000",
            1,
            light,
            None,
        ),
        (
            "تطوير شباك إلكتروني لطلبات المعلومات",
            "Guichet électronique des demandes d'information",
            Category.SERVICES,
            Procedure.OPEN_TENDER,
            "650000",
            2,
            digital,
            commitment,
        ),
        (
            "اقتناء حاويات النفايات",
            "Acquisition de conteneurs à déchets",
            Category.GOODS,
            Procedure.PURCHASE_ORDER,
            "180000",
            3,
            None,
            None,
        ),
    ]
    for ar, fr, category, procedure, amount, quarter, item, linked in items:
        procurement.planned_item_save(
            plan=plan,
            actor=actor,
            data={
                "object_ar": ar,
                "object_fr": fr,
                "category": category,
                "procedure": procedure,
                "estimated_amount": amount,
                "quarter": quarter,
                "budget_item": item.pk if item is not None else "",
                "commitment": linked.pk if linked is not None else "",
            },
        )
    procurement.plan_publish(plan=plan, actor=actor)
    processes = [
        planned.process for planned in plan.items.order_by("number").select_related("process")
    ]
    start = dt.date(today.year, 1, 15) if today.month > 2 else today - dt.timedelta(days=40)
    days = max(1, (today - start).days // 8)

    def day(n: int) -> dt.date:
        return min(today, start + dt.timedelta(days=n * days))

    for n, process in enumerate(processes[:3], start=1):
        assert process is not None
        procurement.tender_publish(
            process=process,
            actor=actor,
            data={
                "tender_reference": f"AO-{n:02d}/{today.year}",
                "tender_published_on": day(0),
                "tender_deadline": timezone.make_aware(dt.datetime.combine(day(1), dt.time(10))),
            },
        )
    road_process, light_process, digital_process = processes[:3]
    assert road_process and light_process and digital_process
    award = procurement.award_record(
        process=road_process,
        actor=actor,
        data={
            "supplier_name": "شركة سوس للأشغال",
            "supplier_ice": "001525478000045",
            "amount": "9450000",
            "awarded_on": day(2),
        },
    )
    contract = procurement.contract_sign(
        process=road_process,
        actor=actor,
        award=award,
        data={
            "reference": f"M-01/{today.year}",
            "amount": "9450000",
            "signed_on": day(3),
            "starts_on": day(3),
        },
    )
    for n, amount in ((4, "3000000"), (5, "3500000"), (6, "2950000")):
        procurement.payment_record(
            contract=contract,
            actor=actor,
            data={"paid_on": day(n), "amount": amount, "reference": f"OP-{n}"},
        )
    procurement.process_complete(process=road_process, actor=actor)
    award = procurement.award_record(
        process=light_process,
        actor=actor,
        data={"supplier_name": "Lumière Agadir SARL", "amount": "4100000", "awarded_on": day(2)},
    )
    contract = procurement.contract_sign(
        process=light_process,
        actor=actor,
        award=award,
        data={"reference": f"M-02/{today.year}", "amount": "4100000", "signed_on": day(3)},
    )
    procurement.contract_amend(
        contract=contract,
        actor=actor,
        data={
            "amended_on": day(5),
            "description": "ملحق: إضافة 40 عمودا للإنارة بحي أكدال",
            "amount_change": "380000",
        },
    )
    procurement.payment_record(
        contract=contract, actor=actor, data={"paid_on": day(6), "amount": "1500000"}
    )
    lots = [
        procurement.award_record(
            process=digital_process,
            actor=actor,
            data={
                "supplier_name": supplier,
                "supplier_ice": ice,
                "amount": amount,
                "awarded_on": day(3),
            },
        )
        for supplier, ice, amount in (
            ("Maroc Digital Services", "002233445000067", "410000"),
            ("أطلس للبرمجيات", "", "190000"),
        )
    ]
    # The first lot (the software) is signed and its first instalment paid.
    contract = procurement.contract_sign(
        process=digital_process,
        actor=actor,
        award=lots[0],
        data={"reference": f"M-03/{today.year}", "amount": "410000", "signed_on": day(4)},
    )
    procurement.payment_record(
        contract=contract, actor=actor, data={"paid_on": day(6), "amount": "123000"}
    )
    return len(processes)


def _bmk(region: Collectivity, log: Log) -> None:
    actor = _user(FINANCE_BMK, "Finance officer Béni Mellal-Khénifra (demo)")
    _grant(actor, region, Role.FINANCE_OFFICER)
    year = timezone.localdate().year
    plan = procurement.plan_get_or_create(collectivity=region, actor=actor, year=year)
    for ar, fr, category, procedure, amount, quarter in (
        (
            "دراسة المخطط الجهوي لإعداد التراب",
            "Étude du schéma régional d'aménagement du territoire",
            Category.SERVICES,
            Procedure.OPEN_TENDER,
            "3200000",
            1,
        ),
        (
            "تأهيل الطرق القروية بإقليم أزيلال",
            "Mise à niveau des routes rurales d'Azilal",
            Category.WORKS,
            Procedure.OPEN_TENDER,
            "48000000",
            2,
        ),
        (
            "تكوين الأطر في الميزانية المستجيبة للنوع",
            "Formation des cadres à la budgétisation sensible au genre",
            Category.SERVICES,
            Procedure.NEGOTIATED,
            "450000",
            2,
        ),
        (
            "اقتناء معدات مختبرات الذكاء الجماعي",
            "Équipement des laboratoires d'intelligence collective",
            Category.GOODS,
            Procedure.RESTRICTED_TENDER,
            "900000",
            3,
        ),
    ):
        procurement.planned_item_save(
            plan=plan,
            actor=actor,
            data={
                "object_ar": ar,
                "object_fr": fr,
                "category": category,
                "procedure": procedure,
                "estimated_amount": amount,
                "quarter": quarter,
            },
        )
    procurement.plan_publish(plan=plan, actor=actor)
    log(f"finance demo: {region.slug}: forecast programme {year} published, 4 items")


def finance_demo(collectivity_by_slug: Callable[[str], Collectivity | None], log: Log) -> None:
    """Load the budget and procurement demo (module docstring); idempotent, never in
    production."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    today = timezone.localdate()
    commune = collectivity_by_slug(COMMUNE_SLUG)
    if commune is None:
        log(f"finance demo: no collectivity {COMMUNE_SLUG!r}; nothing created for it")
    elif Budget.objects.filter(collectivity=commune).exists():
        log(f"finance demo: {COMMUNE_SLUG}: already has budgets; left as it is")
    else:
        with transaction.atomic():
            actor = _user(FINANCE_COMMUNE, "Finance officer (demo)")
            _grant(actor, commune, Role.FINANCE_OFFICER)
            advisor = _user(ADVISORY_COMMUNE, "Advisory body secretary (demo)")
            _grant(advisor, commune, Role.ADVISORY_SECRETARY)
            current = _budgets(commune, actor, advisor, today)
            _key_documents(commune, actor, current)
            count = _procurement(commune, actor, current, today)
        log(
            f"finance demo: {COMMUNE_SLUG}: budgets {today.year - 1} and {today.year} "
            f"with execution, {count} planned procurements, 3 processes under way"
        )
    region = collectivity_by_slug(BMK_SLUG)
    if region is None:
        log(f"finance demo: no collectivity {BMK_SLUG!r}; nothing created for it")
    elif ProcurementPlan.objects.filter(collectivity=region).exists():
        log(f"finance demo: {BMK_SLUG}: already has a forecast programme; left as it is")
    else:
        with transaction.atomic():
            _bmk(region, log)


__all__ = ["finance_demo"]
