"""A small network for the tests of network-wide participation (test_network_*.py).

Two regions: Souss-Massa (`region`, from the root conftest) with the prefecture and its
communes A (a member, urban) and B (not a member, rural); `region_2` (a member itself)
with a province and its commune C (urbanity unknown). The network's own space
(`space`), staff who speak for a member (`voice_a` in A, `voice_2` in region 2) and the
network administrator's client (`admin_client`). Factories make a network consultation
(open, one section), a published survey (open, one single-choice question) and a lab
(open, three statements) with a given audience.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.labs import services as labs
from infitah.participation.labs.models import Lab
from infitah.participation.models import Audience, Participant
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Kind as QuestionKind
from infitah.participation.surveys.models import Survey
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import network_space


@pytest.fixture
def space(db: None) -> Collectivity:
    return network_space()


@pytest.fixture
def region_2(db: None) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.REGION,
        slug="draa-test",
        name_ar="درعة تافيلالت",
        name_fr="Drâa-Tafilalet",
        is_network_member=True,
    )


@pytest.fixture
def commune_c(region_2: Collectivity) -> Collectivity:
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="ouarzazate-test",
        name_ar="ورزازات",
        name_fr="Ouarzazate",
        parent=region_2,
        region=region_2,
    )
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="commune-c",
        name_ar="سكورة",
        name_fr="Skoura",
        parent=province,
        region=region_2,
    )


@pytest.fixture
def world(
    collectivity_a: Collectivity, collectivity_b: Collectivity, commune_c: Collectivity
) -> None:
    """A is urban, B rural, C of unknown urbanity."""
    Collectivity.objects.filter(pk=collectivity_a.pk).update(is_urban=True)
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_urban=False)


def _staff(email: str, collectivity: Collectivity, role: str = Role.FOCAL_POINT) -> User:
    user = User.objects.create_user(email=email, password="test-password-123")
    Membership.objects.create(user=user, collectivity=collectivity, role=role)
    return user


@pytest.fixture
def voice_a(collectivity_a: Collectivity) -> Participant:
    """A participant whose address is that of a focal point of A (a member commune)."""
    _staff("focal.a@example.test", collectivity_a)
    return make_participant(email="focal.a@example.test", display_name="Focal A")


@pytest.fixture
def voice_2(region_2: Collectivity) -> Participant:
    """A participant whose address is that of an information officer of region 2."""
    _staff("officer.r2@example.test", region_2, Role.INFORMATION_OFFICER)
    return make_participant(email="officer.r2@example.test", display_name="Officer R2")


@pytest.fixture
def admin_client(network_admin: User) -> Client:
    client = Client()
    client.force_login(network_admin)
    return client


MakeConsultation = Callable[..., Consultation]
MakeSurvey = Callable[..., Survey]
MakeLab = Callable[..., Lab]


@pytest.fixture
def network_consultation(space: Collectivity, network_admin: User) -> MakeConsultation:
    def make(audience: str = Audience.NETWORK_MEMBERS, **overrides: object) -> Consultation:
        now = timezone.now()
        values: dict[str, object] = {
            "title_ar": "مراجعة الميثاق",
            "title_fr": "Révision de la charte",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=10),
            "moderation": "post",
            "audience": audience,
        }
        values.update(overrides)
        consultation = consultations.consultation_create(
            collectivity=space,
            actor=network_admin,
            data=consultations.ConsultationInput(**values),  # type: ignore[arg-type]
        )
        consultations.section_save(
            consultation=consultation,
            actor=network_admin,
            title_ar="المبادئ",
            title_fr="Principes",
            body_ar="الشفافية.",
            body_fr="La transparence.",
        )
        return consultation

    return make


def section_of(consultation: Consultation) -> Section:
    section = Section.objects.filter(consultation=consultation).order_by("pk").first()
    assert section is not None
    section.consultation = consultation
    return section


@pytest.fixture
def network_survey(space: Collectivity, network_admin: User) -> MakeSurvey:
    def make(audience: str = Audience.NETWORK_CITIZENS, *, results_open: bool = True) -> Survey:
        now = timezone.now()
        survey = surveys.survey_save(
            collectivity=space,
            actor=network_admin,
            data=surveys.SurveyInput(
                title_ar="أولويات الانفتاح",
                title_fr="Priorités d'ouverture",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=10),
                show_results_while_open=results_open,
                audience=audience,
            ),
        )
        surveys.question_save(
            survey=survey,
            actor=network_admin,
            data=surveys.QuestionInput(
                kind=QuestionKind.SINGLE,
                text_ar="الأولوية؟",
                text_fr="La priorité ?",
                options=[("المعلومات", "Information"), ("الميزانية", "Budget")],
            ),
        )
        return surveys.survey_publish(survey=survey, actor=network_admin)

    return make


def first_answer(survey: Survey) -> dict[int, list[str]]:
    question = survey.questions.get()
    option = question.options.order_by("order", "pk").first()
    assert option is not None
    return {question.pk: [str(option.pk)]}


@pytest.fixture
def network_lab(space: Collectivity, network_admin: User) -> MakeLab:
    def make(audience: str = Audience.NETWORK_MEMBERS) -> Lab:
        now = timezone.now()
        lab = labs.lab_create(
            collectivity=space,
            actor=network_admin,
            data=labs.LabInput(
                question_ar="كيف نقوي الشبكة؟",
                question_fr="Comment renforcer le réseau ?",
                description_ar="",
                description_fr="",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=10),
                moderate_statements=False,
                audience=audience,
            ),
            seed=7,
        )
        labs.statements_seed(
            lab=lab,
            actor=network_admin,
            texts=["تبادل الممارسات.", "تكوين مشترك.", "ميثاق أوضح."],
        )
        return lab

    return make
