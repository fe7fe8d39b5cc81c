"""Demo data of collective-intelligence labs: one open lab of the demo commune.

- the question "How should our commune open up further?" (Arabic and French), open
  since ten days for twenty more, with 20 statements in Arabic seeded by the commune,
  drawn from the themes of the seed texts (/work/shared/seeds: the right to information
  and proactive publication, petitions, complaints and chikaya.ma, advisory bodies,
  broadcasting council sessions, digital services, the open-government action plan);
- 60 synthetic verified participants (`lab-NN@demo.infitah.ma`) in three planted opinion
  camps — "digital first", "face to face", "budget and accountability" — who vote
  through the services as a participant would (each on 14 to 20 statements, a few
  passes), so that the maths finds the three camps;
- three statements written by participants: two awaiting moderation, one rejected;
- a computed report (the maths run once, as the background task would).

Deterministic (a fixed random generator and the lab's fixed seed) and idempotent: a lab
with the same Arabic question in the collectivity is left as it is. Refused in
production.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infitah.accounts.models import User
from infitah.participation.labs import services
from infitah.participation.labs.models import Lab
from infitah.participation.labs.reports import lab_report_compute
from infitah.participation.models import Gender, Participant
from infitah.territories.models import Collectivity

DEMO_DOMAIN = "demo.infitah.ma"
FOCAL_POINT_EMAIL = f"focal-point@{DEMO_DOMAIN}"
PARTICIPANTS = 60
SEED = 20_241_112  # the lab's random seed: the network's Saïdia meeting, 12 Nov 2024

QUESTION = (
    "كيف نجعل جماعتنا أكثر انفتاحا على المواطنات والمواطنين؟",
    "Comment rendre notre commune plus ouverte aux citoyennes et aux citoyens ?",
)
DESCRIPTION = (
    "في إطار خطة انفتاح الجماعة، نقترح عليكم عبارات قصيرة: صوّتوا بالموافقة أو عدم "
    "الموافقة أو التجاوز على كل واحدة، وأضيفوا عباراتكم. تبيّن الخلاصة مجموعات الرأي وما "
    "يجمع بينها.",
    "Dans le cadre du plan d’ouverture de la commune, nous vous proposons de courtes "
    "affirmations : votez d’accord, pas d’accord ou passer sur chacune, et ajoutez les "
    "vôtres. Le rapport montre les groupes d’opinion et ce qui les rassemble.",
)

# (statement, position of each camp: digital, face to face, budget) with +1 agree,
# -1 disagree, 0 divided. Shared positions make consensus; opposed ones make groups.
STATEMENTS: list[tuple[str, tuple[int, int, int]]] = [
    ("يجب نشر ميزانية الجماعة ونسب تنفيذها بشكل مبسط ومفهوم لكل المواطنين.", (1, 1, 1)),
    ("ينبغي بث دورات المجلس الجماعي مباشرة على الإنترنت.", (1, -1, 1)),
    ("أفضّل تقديم طلبات الحصول على المعلومات عبر بوابة إلكترونية بدل مكتب الضبط.", (1, -1, 0)),
    ("يجب أن يبقى مكتب استقبال المواطنين مفتوحا لمن لا يستعمل الإنترنت.", (0, 1, 1)),
    ("على الجماعة أن تنشر استباقيا محاضر دورات المجلس وقراراته.", (1, 1, 1)),
    ("الشكايات عبر منصة chikaya.ma كافية ولا حاجة إلى قنوات أخرى.", (1, -1, -1)),
    ("ينبغي تنظيم لقاءات تشاورية في الأحياء قبل كل مشروع كبير.", (-1, 1, 0)),
    ("يجب نشر الصفقات العمومية للجماعة ونتائجها بالتفصيل.", (0, 0, 1)),
    (
        "الهيئة الاستشارية للمساواة وتكافؤ الفرص ومقاربة النوع يجب أن تُستشار في كل ميزانية.",
        (0, 1, 1),
    ),
    ("تطبيق على الهاتف أهم من الموقع الإلكتروني للجماعة.", (1, -1, -1)),
    ("يجب تخصيص جزء من الميزانية لمشاريع يقترحها ويصوّت عليها السكان.", (1, 0, 1)),
    ("العرائض مسطرة معقدة ويجب تبسيطها للمواطنين والجمعيات.", (1, 1, 0)),
    ("لا ينبغي نشر أسماء المستفيدين من دعم الجمعيات.", (-1, 1, -1)),
    ("يجب أن تجيب الجماعة على كل طلب معلومات داخل الآجال القانونية.", (1, 1, 1)),
    ("الرقمنة تُقصي كبار السن وسكان الدواوير.", (-1, 1, 0)),
    ("ينبغي نشر البيانات المفتوحة للجماعة بصيغ قابلة لإعادة الاستعمال.", (1, -1, 1)),
    ("على الجماعة أن تقدّم حصيلة سنوية علنية لتنفيذ برنامج عملها.", (0, 1, 1)),
    ("التواصل عبر وسائل التواصل الاجتماعي يكفي لإخبار السكان.", (1, -1, -1)),
    ("يجب إشراك الشباب في الهيئة الاستشارية للشباب عبر انتخابات مفتوحة.", (1, 0, 0)),
    ("التكوين في الحق في الحصول على المعلومات ضروري لموظفي الجماعة.", (1, 1, 1)),
]

# Statements written by participants after the seeding: (text, rejection reason or "").
PROPOSED: list[tuple[str, str]] = [
    ("ينبغي توفير شبابيك متنقلة للجماعة في الأحياء البعيدة مرة في الشهر.", ""),
    ("يجب نشر جدول أشغال كل دورة قبل انعقادها بأسبوع على الأقل.", ""),
    ("الموظفون كلهم لا يقومون بعملهم!!", "تعميم لا يمكن التصويت عليه ولا يقترح حلا."),
]

CAMPS = ((0, 26), (1, 20), (2, 14))  # (camp, participants): 60 in all


def _participant(number: int, commune: Collectivity, rng: random.Random) -> Participant:
    email = f"lab-{number:02d}@{DEMO_DOMAIN}"
    found = Participant.objects.filter(email=email).first()
    if found is not None:
        return found
    now = timezone.now()
    return Participant.objects.create(
        email=email,
        display_name=f"مشارك(ة) {number:02d}",
        commune=commune,
        gender=rng.choice([Gender.FEMALE, Gender.MALE, Gender.UNDISCLOSED]),
        language="ar",
        verified_at=now,
        confirmed_at=now,
    )


def _vote_of(position: int, rng: random.Random) -> int:
    """A participant's vote given the camp's position: mostly the camp's view, some
    noise, some passes (a divided camp splits)."""
    draw = rng.random()
    if draw < 0.05:
        return 0
    if position == 0:
        return 1 if draw < 0.525 else -1
    return position if draw < 0.95 else -position


@transaction.atomic
def labs_demo(collectivity: Collectivity, *, log: Callable[[str], None] = print) -> Lab:
    """The demo lab of `collectivity` (see the module's docstring)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    existing = Lab.objects.filter(collectivity=collectivity, question_ar=QUESTION[0]).first()
    if existing is not None:
        log("labs: demo lab already there")
        return existing
    staff = User.objects.filter(email=FOCAL_POINT_EMAIL).first()
    now = timezone.now()
    lab = services.lab_create(
        collectivity=collectivity,
        actor=staff,
        data=services.LabInput(
            question_ar=QUESTION[0],
            question_fr=QUESTION[1],
            description_ar=DESCRIPTION[0],
            description_fr=DESCRIPTION[1],
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=20),
            moderate_statements=True,
        ),
        seed=SEED,
    )
    seeded = services.statements_seed(lab=lab, actor=staff, texts=[s for s, _p in STATEMENTS])
    positions = {s.pk: p for s, (_t, p) in zip(seeded, STATEMENTS, strict=True)}
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    number = 0
    votes = 0
    for camp, size in CAMPS:
        for _ in range(size):
            number += 1
            participant = _participant(number, collectivity, rng)
            chosen = rng.sample(seeded, rng.randint(14, len(seeded)))
            for statement in chosen:
                services.vote_cast(
                    lab=lab,
                    participant=participant,
                    statement_id=statement.pk,
                    value=_vote_of(positions[statement.pk][camp], rng),
                )
                votes += 1
    authors = list(Participant.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")[:3])
    for (text, reason), author in zip(PROPOSED, authors, strict=False):
        proposed = services.statement_submit(lab=lab, participant=author, text=text)
        if reason and staff is not None:
            services.statement_moderate(
                statement=proposed, actor=staff, approve=False, reason=reason
            )
    outcome = lab_report_compute(lab_id=lab.pk)
    groups = len(outcome.report.result.get("groups", [])) if outcome.report else 0
    log(
        f"labs: demo lab {lab.pk} with {len(seeded)} statements, {number} participants, "
        f"{votes} votes, report with {groups} groups"
    )
    return lab
