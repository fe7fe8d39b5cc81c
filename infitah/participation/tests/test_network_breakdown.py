"""Results of the network's items by region and by kind of collectivity
(participation.breakdown), on a small network of two regions: the numbers, where the
tables show (staff report and results pages, public results pages, CSV files, API), and
a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone, translation

from infitah.accounts.models import Membership, Role, User
from infitah.accounts.services import api_token_create
from infitah.participation.breakdown import (
    RURAL,
    URBAN,
    Breakdown,
    Row,
    breakdown_compute,
)
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.selectors import consultation_breakdown
from infitah.participation.labs import services as labs
from infitah.participation.labs.selectors import lab_breakdown
from infitah.participation.models import Audience, Participant
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.selectors import survey_breakdown
from infitah.participation.testing import make_participant
from infitah.participation.tests.conftest import (
    MakeConsultation,
    MakeLab,
    MakeSurvey,
    first_answer,
    section_of,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _rows(rows: list[Row]) -> dict[str, tuple[int, int]]:
    return {row.key: (row.contributions, row.participants) for row in rows}


@pytest.fixture
def citizens(world: None, collectivity_a: Collectivity, collectivity_b: Collectivity,
             commune_c: Collectivity) -> list[Participant]:  # fmt: skip
    """Residents of A (urban, region 1), B (rural, region 1), C (unknown, region 2) and
    one who declared no commune."""
    return [
        make_participant(email="a1@example.test", commune=collectivity_a),
        make_participant(email="a2@example.test", commune=collectivity_a),
        make_participant(email="b@example.test", commune=collectivity_b),
        make_participant(email="c@example.test", commune=commune_c),
        make_participant(email="none@example.test"),
    ]


def test_citizens_are_counted_by_the_region_and_kind_of_their_commune(
    citizens: list[Participant], region: Collectivity, region_2: Collectivity
) -> None:
    contributions = {p.pk: n for p, n in zip(citizens, [3, 1, 2, 4, 5], strict=True)}
    found = breakdown_compute(audience=Audience.NETWORK_CITIZENS, contributions=contributions)
    assert found is not None
    assert (found.participants, found.contributions) == (5, 15)
    assert _rows(found.by_region) == {
        region.slug: (6, 3),
        region_2.slug: (4, 1),
        "": (5, 1),
    }
    # Most participants first, "not stated" last.
    assert [r.key for r in found.by_region] == [region.slug, region_2.slug, ""]
    assert _rows(found.by_kind) == {URBAN: (4, 2), RURAL: (2, 1), "commune": (4, 1), "": (5, 1)}
    assert [r.key for r in found.by_kind] == [URBAN, RURAL, "commune", ""]
    with translation.override("fr"):
        labelled = breakdown_compute(
            audience=Audience.NETWORK_CITIZENS, contributions=contributions
        )
    assert labelled is not None
    assert labelled.by_region[0].label == "Souss-Massa"
    assert labelled.by_region[1].label == "Drâa-Tafilalet"


def test_members_are_counted_by_the_member_they_speak_for(
    world: None,
    voice_a: Participant,
    voice_2: Participant,
    participant: Participant,
    region: Collectivity,
    region_2: Collectivity,
) -> None:
    """A member region counts as its own region; a member commune is not split by
    urbanity; an address that no longer speaks for a member is "not stated"."""
    found = breakdown_compute(
        audience=Audience.NETWORK_MEMBERS,
        contributions={voice_a.pk: 2, voice_2.pk: 3, participant.pk: 1},
    )
    assert found is not None
    assert _rows(found.by_region) == {region.slug: (2, 1), region_2.slug: (3, 1), "": (1, 1)}
    assert _rows(found.by_kind) == {"region": (3, 1), "commune": (2, 1), "": (1, 1)}
    assert found.is_members


def test_a_collectivity_item_has_no_breakdown() -> None:
    assert breakdown_compute(audience=Audience.LOCAL, contributions={1: 1}) is None


def test_an_item_nobody_took_part_in_has_empty_tables(space: Collectivity) -> None:
    found = breakdown_compute(audience=Audience.NETWORK_MEMBERS, contributions={})
    assert found == Breakdown(audience=Audience.NETWORK_MEMBERS)


def test_the_breakdown_reads_a_constant_number_of_queries(
    world: None,
    collectivity_a: Collectivity,
    commune_c: Collectivity,
    voice_a: Participant,
    voice_2: Participant,
    django_assert_num_queries: Any,
) -> None:
    """One query for citizens; three for members (addresses, roles, members)."""
    few = [make_participant(email=f"few{i}@example.test", commune=collectivity_a) for i in range(2)]
    many = [
        make_participant(email=f"many{i}@example.test", commune=commune_c if i % 2 else None)
        for i in range(30)
    ]
    for people in ([*few, voice_a], [*many, voice_a, voice_2]):
        with django_assert_num_queries(1):
            breakdown_compute(
                audience=Audience.NETWORK_CITIZENS, contributions={p.pk: 1 for p in people}
            )
        with django_assert_num_queries(3):
            found = breakdown_compute(
                audience=Audience.NETWORK_MEMBERS, contributions={p.pk: 1 for p in people}
            )
        assert found is not None and found.participants == len(people)


# --------------------------------------------------------------------------- the items


def test_a_consultation_counts_comments_and_stances(
    network_consultation: MakeConsultation,
    voice_a: Participant,
    voice_2: Participant,
    region: Collectivity,
    region_2: Collectivity,
    django_assert_max_num_queries: Any,
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    section = section_of(consultation)
    consultations.comment_post(section=section, participant=voice_a, text="Un")
    consultations.comment_post(section=section, participant=voice_a, text="Deux")
    consultations.stance_set(section=section, participant=voice_a, value="support")
    consultations.stance_set(section=section, participant=voice_2, value="oppose")
    with django_assert_max_num_queries(5):
        found = consultation_breakdown(consultation=consultation)
    assert found is not None
    assert _rows(found.by_region) == {region.slug: (3, 1), region_2.slug: (1, 1)}


def test_a_survey_counts_one_response_per_respondent(
    network_survey: MakeSurvey, citizens: list[Participant], region: Collectivity
) -> None:
    survey = network_survey(Audience.NETWORK_CITIZENS)
    for person in citizens[:3]:
        surveys.response_submit(survey=survey, participant=person, answers=first_answer(survey))
    found = survey_breakdown(survey=survey)
    assert found is not None
    assert _rows(found.by_region) == {region.slug: (3, 3)}
    assert _rows(found.by_kind) == {URBAN: (2, 2), RURAL: (1, 1)}


def test_a_lab_counts_votes_and_statements(
    network_lab: MakeLab, citizens: list[Participant], region_2: Collectivity
) -> None:
    lab = network_lab(Audience.NETWORK_CITIZENS)
    resident_c = citizens[3]
    for statement in lab.statements.all():
        labs.vote_cast(lab=lab, participant=resident_c, statement_id=statement.pk, value=1)
    labs.statement_submit(lab=lab, participant=resident_c, text="Une proposition.")
    found = lab_breakdown(lab=lab)
    assert found is not None
    assert _rows(found.by_region) == {region_2.slug: (4, 1)}


# --------------------------------------------------------------------------- pages


@pytest.fixture
def answered(network_survey: MakeSurvey, citizens: list[Participant]) -> Any:
    survey = network_survey(Audience.NETWORK_CITIZENS)
    for person in citizens:
        surveys.response_submit(survey=survey, participant=person, answers=first_answer(survey))
    return survey


def test_the_survey_results_pages_show_the_tables(
    answered: Any, admin_client: Client, space: Collectivity, region: Collectivity
) -> None:
    public = Client().get(f"/fr/c/{space.slug}/surveys/{answered.pk}/results/")
    staff = admin_client.get(f"/fr/staff/{space.slug}/surveys/{answered.pk}/results/")
    for response in (public, staff):
        page = response.content.decode()
        assert 'id="breakdown-region"' in page and 'id="breakdown-kind"' in page
        assert "Souss-Massa" in page and "Drâa-Tafilalet" in page


def test_the_survey_breakdown_csv(
    answered: Any, admin_client: Client, space: Collectivity, region: Collectivity
) -> None:
    for client, url in (
        (Client(), f"/fr/c/{space.slug}/surveys/{answered.pk}/breakdown.csv"),
        (admin_client, f"/fr/staff/{space.slug}/surveys/{answered.pk}/breakdown.csv"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["table", "key", "label", "contributions", "participants"]
        assert ["region", region.slug, "Souss-Massa", "3", "3"] in rows
        assert any(r[:2] == ["kind", URBAN] and r[3:] == ["2", "2"] for r in rows)


def test_a_collectivity_survey_has_no_breakdown_csv(
    collectivity_a: Collectivity, staff_a: User
) -> None:
    now = timezone.now()
    survey = surveys.survey_save(
        collectivity=collectivity_a,
        actor=staff_a,
        data=surveys.SurveyInput(title_fr="Local", opens_at=now, closes_at=now + timedelta(days=1)),
    )
    client = Client()
    client.force_login(staff_a)
    assert client.get(f"/fr/staff/commune-a/surveys/{survey.pk}/breakdown.csv").status_code == 404


def test_the_consultation_report_synthesis_and_csv_show_the_tables(
    network_consultation: MakeConsultation,
    voice_a: Participant,
    network_admin: User,
    admin_client: Client,
    space: Collectivity,
    region: Collectivity,
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    consultations.comment_post(section=section_of(consultation), participant=voice_a, text="Oui")
    report = admin_client.get(f"/fr/staff/{space.slug}/consultations/{consultation.pk}/report/")
    assert 'id="breakdown-region"' in report.content.decode()
    csv_text = admin_client.get(
        f"/fr/staff/{space.slug}/consultations/{consultation.pk}/report.csv"
    ).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert ["region", region.slug, "Souss-Massa", "", "", "", "", "1"] in rows
    assert any(r[:2] == ["kind", "commune"] and r[-1] == "1" for r in rows)
    public_url = f"/fr/c/{space.slug}/consultations/{consultation.pk}/"
    assert 'id="breakdown"' not in Client().get(public_url).content.decode()  # not yet
    consultations.consultation_close(consultation=consultation, actor=network_admin)
    consultations.synthesis_publish(
        consultation=consultation,
        actor=network_admin,
        synthesis_ar="",
        synthesis_fr="Synthèse.",
        responses={},
    )
    page = Client().get(public_url).content.decode()
    assert 'id="breakdown-region"' in page and "Souss-Massa" in page
    # Network staff invited with a role in the network's space use the staff API.
    staff = User.objects.create_user(email="network.staff@example.test", password="x-pass-123")
    Membership.objects.create(user=staff, collectivity=space, role=Role.FOCAL_POINT)
    token = api_token_create(user=staff, name="t")[1]
    body = (
        Client()
        .get(
            f"/api/v1/staff/consultations/{consultation.pk}/report",
            headers={"Authorization": f"Bearer {token}"},
        )
        .json()
    )
    assert body["breakdown"]["by_region"] == [
        {"key": region.slug, "label": "سوس ماسة", "contributions": 1, "participants": 1}
    ]


def test_the_lab_report_page_and_download(
    network_lab: MakeLab, citizens: list[Participant], space: Collectivity, region_2: Collectivity
) -> None:
    lab = network_lab(Audience.NETWORK_CITIZENS)
    statement = lab.statements.first()
    assert statement is not None
    labs.vote_cast(lab=lab, participant=citizens[3], statement_id=statement.pk, value=-1)
    page = Client().get(f"/fr/c/{space.slug}/labs/{lab.pk}/report/").content.decode()
    assert 'id="breakdown-region"' in page and "Drâa-Tafilalet" in page
    download = Client().get(f"/fr/c/{space.slug}/labs/{lab.pk}/breakdown.csv")
    assert download.status_code == 200
    assert f"region,{region_2.slug},Drâa-Tafilalet,1,1" in download.content.decode("utf-8-sig")


def test_the_apis_give_the_breakdown(
    answered: Any, network_lab: MakeLab, client: Client, region: Collectivity
) -> None:
    body = client.get(f"/api/v1/surveys/{answered.pk}").json()
    assert body["audience"] == "citizens"
    assert {r["key"]: r["participants"] for r in body["breakdown"]["by_region"]}[region.slug] == 3
    lab = network_lab(Audience.NETWORK_MEMBERS)
    body = client.get(f"/api/v1/labs/{lab.pk}").json()
    assert body["audience"] == "members"
    assert body["breakdown"]["participants"] == 0
