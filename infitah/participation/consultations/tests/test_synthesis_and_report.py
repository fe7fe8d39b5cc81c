"""The synthesis and responses after closing, and the report: counts per section,
participants by declared commune and gender, as a page, CSV and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from django.core.exceptions import ValidationError
from django.test import Client

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.lib.pdf import PdfUnavailable
from infitah.participation.consultations import report, selectors, services
from infitah.participation.consultations.models import Consultation
from infitah.participation.consultations.services import NotAllowed
from infitah.participation.consultations.tests.conftest import NOW, Consult, sections_of
from infitah.participation.consultations.workflow import Moderation
from infitah.participation.models import Gender, Participant
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

AFTER = NOW + dt.timedelta(days=11)


@pytest.fixture
def discussed(
    consult: Consult, focal: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> Consultation:
    """Four participants — two women of A, a man of B, one undisclosed without commune —
    comment and take stances; one comment is rejected, one waits."""
    c = consult(moderation=Moderation.PRE)
    s1, s2 = sections_of(c)
    amina = make_participant(
        email="amina@example.test", commune=collectivity_a, gender=Gender.FEMALE
    )
    salma = make_participant(
        email="salma@example.test", commune=collectivity_a, gender=Gender.FEMALE
    )
    omar = make_participant(email="omar@example.test", commune=collectivity_b, gender=Gender.MALE)
    anon = make_participant(email="anon@example.test")
    ok = services.comment_post(section=s1, participant=amina, text="Très bien")
    services.comment_moderate(comment=ok, actor=focal, action="approve")
    reply = services.comment_post(section=s1, participant=omar, text="D’accord", parent=ok)
    services.comment_moderate(comment=reply, actor=focal, action="approve")
    bad = services.comment_post(
        section=s1,
        participant=omar,
        text="Pub",
    )
    services.comment_moderate(comment=bad, actor=focal, action="reject", reason="spam")
    services.comment_post(section=s2, participant=salma, text="En attente")
    for who, section, value in (
        (amina, s1, "support"),
        (salma, s1, "support"),
        (omar, s1, "oppose"),
        (anon, s2, "oppose"),
        (amina, s2, "support"),
    ):
        services.stance_set(section=section, participant=who, value=value)
    return c


def test_report_counts(
    discussed: Consultation, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    data = selectors.consultation_report(consultation=discussed)
    rows = [
        (s.order, s.received, s.published, s.supports, s.opposes, s.participants)
        for s in data.sections
    ]
    assert rows == [(1, 3, 2, 2, 1, 3), (2, 1, 0, 1, 1, 3)]
    assert (data.participants, data.received, data.published, data.pending) == (4, 4, 2, 1)
    assert (data.supports, data.opposes) == (3, 2)
    assert [(r.key, r.label, r.participants) for r in data.by_commune] == [
        (collectivity_a.slug, "أيت ملول", 2),
        (collectivity_b.slug, "إنزكان", 1),
        ("", "Not declared", 1),
    ]
    assert {r.key: r.participants for r in data.by_gender} == {
        "female": 2,
        "male": 1,
        "undisclosed": 1,
    }


def test_report_query_count_does_not_grow(
    discussed: Consultation, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(6):
        selectors.consultation_report(consultation=discussed)


def test_csv(discussed: Consultation, staff_client: Client, collectivity_a: Collectivity) -> None:
    response = staff_client.get(f"/fr/staff/commune-a/consultations/{discussed.pk}/report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert list(rows[0]) == report.HEADER
    sections = [r for r in rows if r["table"] == "section"]
    assert [
        (
            r["key"],
            r["label"],
            r["comments_received"],
            r["comments_published"],
            r["supports"],
            r["opposes"],
            r["participants"],
        )
        for r in sections
    ] == [
        ("1", "Droit d’accès à l’information", "3", "2", "2", "1", "3"),
        ("2", "Budget participatif", "1", "0", "1", "1", "3"),
    ]
    total = next(r for r in rows if r["table"] == "total")
    assert (total["comments_received"], total["participants"]) == ("4", "4")
    communes = {r["key"]: r["participants"] for r in rows if r["table"] == "commune"}
    assert communes == {"commune-a": "2", "commune-b": "1", "": "1"}
    assert next(r for r in rows if r["key"] == "commune-a")["label"] == "Aït Melloul"
    genders = {r["key"]: r["participants"] for r in rows if r["table"] == "gender"}
    assert genders == {"female": "2", "male": "1", "undisclosed": "1"}
    # Never a person.
    assert "@" not in raw and "amina" not in raw.lower()


def test_csv_neutralises_formulas(consult: Consult, staff_client: Client) -> None:
    c = consult(sections=[("=HYPERLINK(1)", "=HYPERLINK(1)", "ن", "B")])
    raw = staff_client.get(f"/fr/staff/commune-a/consultations/{c.pk}/report.csv").content.decode()
    assert "'=HYPERLINK(1)" in raw


@pytest.mark.pdf
def test_pdf_text(discussed: Consultation, staff_client: Client) -> None:
    response = staff_client.get(f"/ar/staff/commune-a/consultations/{discussed.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "الميزانية التشاركية" in text and "أيت ملول" in text
    fr = staff_client.get(f"/fr/staff/commune-a/consultations/{discussed.pk}/report.pdf")
    text_fr = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fr.content)).pages)
    assert "Budget participatif" in text_fr and "Aït Melloul" in text_fr and "Inezgane" in text_fr


def test_pdf_unavailable_says_so(
    discussed: Consultation, staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one stand-in of this module: a server without Pango cannot be had otherwise.
    def unavailable(data: object, **kwargs: object) -> bytes:
        raise PdfUnavailable("no pango")

    monkeypatch.setattr(report, "report_pdf", unavailable)
    url = f"/fr/staff/commune-a/consultations/{discussed.pk}/report"
    response = staff_client.get(f"{url}.pdf", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{url}/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_report_page(discussed: Consultation, staff_client: Client) -> None:
    response = staff_client.get(f"/ar/staff/commune-a/consultations/{discussed.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "الميزانية التشاركية" in html


# -------------------------------------------------------------------------- synthesis


def test_synthesis_only_after_closing(discussed: Consultation, focal: User) -> None:
    s1, s2 = sections_of(discussed)
    with pytest.raises(NotAllowed):
        services.synthesis_publish(
            consultation=discussed, actor=focal, synthesis_ar="خلاصة", synthesis_fr="", responses={}
        )
    with time_machine.travel(AFTER, tick=False):
        services.synthesis_save(
            consultation=discussed,
            actor=focal,
            synthesis_ar="مسودة",
            synthesis_fr="",
            responses={s1.pk: ("جواب", "Réponse")},
        )
        discussed.refresh_from_db()
        assert discussed.synthesis_published_at is None and discussed.synthesis_ar == "مسودة"
        services.synthesis_publish(
            consultation=discussed,
            actor=focal,
            synthesis_ar="خلاصة",
            synthesis_fr="Synthèse",
            responses={s1.pk: ("جواب", "Réponse"), s2.pk: ("", "Retenu")},
        )
        services.synthesis_publish(
            consultation=discussed,
            actor=focal,
            synthesis_ar="خلاصة",
            synthesis_fr="Synthèse corrigée",
            responses={},
        )
    discussed.refresh_from_db()
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (
        discussed.synthesis_published_at is not None
        and discussed.synthesis_fr == "Synthèse corrigée"
    )
    assert (s1.response_fr, s2.response_fr, s2.response_ar) == ("Réponse", "Retenu", "")
    actions = list(
        Event.objects.filter(
            object_id=str(discussed.pk), action__startswith="consultations.synthesis"
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "consultations.synthesis_saved",
        "consultations.synthesis_published",
        "consultations.synthesis_saved",
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"synthesis_ar": "", "synthesis_fr": ""}, "synthesis_ar"),
        ({"synthesis_ar": "x" * 20_001}, "synthesis_ar"),
        ({"synthesis_fr": "\x00"}, "synthesis_fr"),
        ({"responses": {999_999: ("a", "b")}}, "responses"),
    ],
)
def test_synthesis_bad_input(
    discussed: Consultation, focal: User, values: dict[str, object], field: str
) -> None:
    data: dict[str, object] = {"synthesis_ar": "خلاصة", "synthesis_fr": "", "responses": {}}
    data.update(values)
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as exc:
        services.synthesis_publish(consultation=discussed, actor=focal, **data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict
    discussed.refresh_from_db()
    assert discussed.synthesis_published_at is None and discussed.synthesis_ar == ""


def test_a_response_too_long_names_its_section(discussed: Consultation, focal: User) -> None:
    s1 = sections_of(discussed)[0]
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as exc:
        services.synthesis_save(
            consultation=discussed,
            actor=focal,
            synthesis_ar="",
            synthesis_fr="",
            responses={s1.pk: ("x" * 20_001, "")},
        )
    assert f"response_ar_{s1.pk}" in exc.value.message_dict


def test_participant_fixture_is_verified(participant: Participant) -> None:
    assert participant.verified_at is not None
