"""Demo data of surveys: one open survey of a collectivity, with a few answers.

`surveys_demo(collectivity)` publishes "Priorities of the neighbourhood" (opened three
days ago, closing in two weeks, results shown while open) with five questions — one
choice, several choices, a 1–5 scale, a 0–10 scale, free text — and the answers of six
made-up participants (`example.org` addresses, verified). Idempotent: a second run finds
the survey by its French title and changes nothing. Refused in production.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infitah.participation.models import Gender, Participant
from infitah.participation.surveys import services
from infitah.participation.surveys.models import Kind, Question, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.territories.models import Collectivity

TITLE_FR = "Priorités du quartier"
TITLE_AR = "أولويات الحي"

QUESTIONS = [
    QuestionInput(
        kind=Kind.SINGLE,
        text_ar="ما هي الأولوية الأولى للجماعة في حيكم؟",
        text_fr="Quelle est la première priorité de la commune dans votre quartier ?",
        order=1,
        options=[
            ("الطرق والأرصفة", "Routes et trottoirs"),
            ("الإنارة العمومية", "Éclairage public"),
            ("المساحات الخضراء", "Espaces verts"),
            ("النظافة", "Propreté"),
        ],
    ),
    QuestionInput(
        kind=Kind.MULTIPLE,
        text_ar="ما هي المرافق التي تستعملونها؟",
        text_fr="Quels équipements utilisez-vous ?",
        order=2,
        is_required=False,
        options=[
            ("دار الشباب", "Maison de jeunes"),
            ("الملعب الرياضي", "Terrain de sport"),
            ("المكتبة", "Bibliothèque"),
        ],
    ),
    QuestionInput(
        kind=Kind.SCALE_5,
        text_ar="ما مدى رضاكم عن الإنارة العمومية؟",
        text_fr="Êtes-vous satisfait de l'éclairage public ?",
        order=3,
        low_label_ar="غير راض إطلاقا",
        low_label_fr="Pas du tout",
        high_label_ar="راض جدا",
        high_label_fr="Très satisfait",
    ),
    QuestionInput(
        kind=Kind.SCALE_10,
        text_ar="هل تنصحون صديقا بالسكن في حيكم؟",
        text_fr="Recommanderiez-vous votre quartier à un ami ?",
        order=4,
        low_label_ar="أبدا",
        low_label_fr="Jamais",
        high_label_ar="بالتأكيد",
        high_label_fr="Certainement",
    ),
    QuestionInput(
        kind=Kind.TEXT,
        text_ar="اقتراحاتكم",
        text_fr="Vos suggestions",
        order=5,
        is_required=False,
    ),
]

# (e-mail, display name, gender, answers by question position: option positions,
# scale value or text)
ANSWERS: list[tuple[str, str, str, list[object]]] = [
    ("amina.demo@example.org", "أمينة", Gender.FEMALE, [1, [0, 2], 2, 6, "إنارة زنقة الورود"]),
    ("youssef.demo@example.org", "Youssef", Gender.MALE, [0, [1], 3, 8, ""]),
    ("fatima.demo@example.org", "فاطمة", Gender.FEMALE, [3, [0], 2, 7, "Plus de poubelles"]),
    ("karim.demo@example.org", "Karim B.", Gender.MALE, [0, [], 4, 9, ""]),
    ("salma.demo@example.org", "Salma", Gender.UNDISCLOSED, [2, [0, 1, 2], 1, 5, ""]),
    ("hassan.demo@example.org", "حسن", Gender.MALE, [1, [1], 2, 6, "ملعب للقرب"]),
]


def _participant(email: str, name: str, gender: str, commune: Collectivity) -> Participant:
    now = timezone.now()
    participant, _created = Participant.objects.get_or_create(
        email=email,
        defaults={
            "display_name": name,
            "gender": gender,
            "commune": commune,
            "language": "ar",
            "verified_at": now,
            "confirmed_at": now,
        },
    )
    return participant


def _values(question: Question, given: object) -> list[str]:
    options = list(question.options.all())
    if question.kind == Kind.SINGLE:
        return [str(options[int(str(given))].pk)]
    if question.kind == Kind.MULTIPLE:
        return [str(options[i].pk) for i in given]  # type: ignore[attr-defined]
    return [str(given)] if given != "" else []


@transaction.atomic
def surveys_demo(collectivity: Collectivity) -> Survey:
    """The demo survey of `collectivity` (created, published and answered once)."""
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo data is never loaded in production.")
    found = Survey.objects.filter(collectivity=collectivity, title_fr=TITLE_FR).first()
    if found is not None:
        return found
    now = timezone.now()
    survey = services.survey_save(
        collectivity=collectivity,
        actor=None,
        data=SurveyInput(
            title_ar=TITLE_AR,
            title_fr=TITLE_FR,
            description_ar="تستشير الجماعة السكان حول أولويات الحي قبل إعداد برنامج عملها.",
            description_fr=(
                "La commune consulte les habitants sur les priorités du quartier avant "
                "de préparer son programme d'action."
            ),
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=14),
            show_results_while_open=True,
        ),
    )
    questions = [services.question_save(survey=survey, actor=None, data=data) for data in QUESTIONS]
    survey = services.survey_publish(survey=survey, actor=None)
    for email, name, gender, given in ANSWERS:
        participant = _participant(email, name, gender, collectivity)
        services.response_submit(
            survey=survey,
            participant=participant,
            answers={q.pk: _values(q, value) for q, value in zip(questions, given, strict=True)},
        )
    return survey
