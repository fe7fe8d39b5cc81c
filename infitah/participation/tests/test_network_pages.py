"""The network's participation page (/<lang>/network/participation/) and the public pages
of the network's space: its consultations, surveys and labs are public like a member's;
nothing else of a collectivity is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.models import User
from infitah.participation.consultations import services as consultation_services
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.models import Audience
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Survey
from infitah.participation.tests.conftest import MakeConsultation, MakeLab, MakeSurvey, section_of
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

URL = "/fr/network/participation/"


def test_the_page_without_any_item(space: Collectivity) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    assert 'id="none"' in response.content.decode()


def test_the_page_works_before_the_network_space_exists(db: None) -> None:
    response = Client().get("/ar/network/participation/")
    assert response.status_code == 200
    assert not Collectivity.objects.filter(kind="network").exists()  # a GET creates nothing


def test_the_page_lists_items_by_phase_with_their_audience(
    network_consultation: MakeConsultation,
    network_survey: MakeSurvey,
    network_lab: MakeLab,
    network_admin: User,
    collectivity_a: Collectivity,
    staff_a: User,
) -> None:
    now = timezone.now()
    open_consultation = network_consultation(Audience.NETWORK_MEMBERS)
    upcoming = network_consultation(
        Audience.NETWORK_CITIZENS,
        title_fr="Programme national",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=9),
    )
    survey = network_survey(Audience.NETWORK_CITIZENS)
    lab = network_lab(Audience.NETWORK_MEMBERS)
    Consultation.objects.filter(pk=open_consultation.pk).update(
        opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1)
    )
    draft = surveys.survey_save(
        collectivity=survey.collectivity,
        actor=network_admin,
        data=surveys.SurveyInput(
            title_fr="Brouillon",
            opens_at=now,
            closes_at=now + timedelta(days=3),
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    local = surveys.survey_save(
        collectivity=collectivity_a,
        actor=staff_a,
        data=surveys.SurveyInput(
            title_fr="Locale", opens_at=now, closes_at=now + timedelta(days=3)
        ),
    )
    surveys.question_save(
        survey=local,
        actor=staff_a,
        data=surveys.QuestionInput(kind="text", text_fr="?"),
    )
    surveys.survey_publish(survey=local, actor=staff_a)
    page = Client().get(URL).content.decode()
    open_at = page.index('id="phase-open"')
    upcoming_at = page.index('id="phase-upcoming"')
    closed_at = page.index('id="phase-closed"')
    assert open_at < page.index(f'id="survey-{survey.pk}"') < upcoming_at
    assert open_at < page.index(f'id="lab-{lab.pk}"') < upcoming_at
    assert upcoming_at < page.index(f'id="consultation-{upcoming.pk}"') < closed_at
    assert closed_at < page.index(f'id="consultation-{open_consultation.pk}"')
    assert f'href="/fr/c/network/surveys/{survey.pk}/"' in page
    assert f'href="/fr/c/network/labs/{lab.pk}/"' in page
    assert f'href="/fr/c/network/consultations/{upcoming.pk}/"' in page
    assert f"survey-{draft.pk}" not in page  # a draft is not public
    assert "Locale" not in page  # a collectivity's own survey is not the network's
    assert str(Audience.NETWORK_MEMBERS.label).replace("'", "&#x27;") in page
    assert str(Audience.NETWORK_CITIZENS.label) in page


def test_the_page_reads_a_constant_number_of_queries(
    network_consultation: MakeConsultation,
    network_survey: MakeSurvey,
    network_lab: MakeLab,
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert Client().get(URL).status_code == 200
        return len(context)

    network_consultation()
    network_survey()
    network_lab()
    few = count()
    for _ in range(4):
        network_consultation()
        network_survey()
        network_lab()
    assert count() == few
    assert Consultation.objects.count() == 5 and Survey.objects.count() == 5
    assert Lab.objects.count() == 5


# --------------------------------------------------------------------------- the space


def test_the_network_space_has_public_participation_pages(
    network_consultation: MakeConsultation,
    network_survey: MakeSurvey,
    network_lab: MakeLab,
    space: Collectivity,
    client: Client,
) -> None:
    consultation = network_consultation()
    survey = network_survey()
    lab = network_lab()
    for url in (
        f"/fr/c/{space.slug}/consultations/",
        f"/fr/c/{space.slug}/consultations/{consultation.pk}/",
        f"/fr/c/{space.slug}/surveys/",
        f"/fr/c/{space.slug}/surveys/{survey.pk}/",
        f"/fr/c/{space.slug}/labs/",
        f"/fr/c/{space.slug}/labs/{lab.pk}/",
        f"/api/v1/c/{space.slug}/consultations",
        f"/api/v1/consultations/{consultation.pk}",
        f"/api/v1/c/{space.slug}/labs",
        f"/api/v1/labs/{lab.pk}",
        f"/api/v1/surveys/{survey.pk}",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/fr/c/{space.slug}/consultations/").content.decode()
    assert 'href="/fr/network/participation/"' in page  # the crumbs lead to the network's page


def test_the_network_space_home_leads_to_the_participation_page(
    space: Collectivity, client: Client
) -> None:
    response = client.get(f"/fr/c/{space.slug}/")
    assert response.status_code == 302
    assert response["Location"] == URL


def test_the_network_space_has_no_other_public_module(space: Collectivity, client: Client) -> None:
    for url in (
        f"/fr/c/{space.slug}/complaints/",
        f"/fr/c/{space.slug}/petitions/",
        f"/fr/c/{space.slug}/openness/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_non_member_still_has_no_participation_pages(
    collectivity_b: Collectivity, client: Client
) -> None:
    for url in (
        f"/fr/c/{collectivity_b.slug}/consultations/",
        f"/fr/c/{collectivity_b.slug}/labs/",
        f"/api/v1/c/{collectivity_b.slug}/consultations",
        f"/api/v1/c/{collectivity_b.slug}/labs",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_network_consultation_answers_as_the_network(
    network_consultation: MakeConsultation, space: Collectivity, network_admin, client: Client
) -> None:
    consultation = network_consultation()
    section = section_of(consultation)
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(days=1)
    )
    consultation.refresh_from_db()
    consultation_services.synthesis_publish(
        consultation=consultation,
        actor=network_admin,
        synthesis_ar="خلاصة.",
        synthesis_fr="Synthèse.",
        responses={section.pk: ("جواب.", "Réponse.")},
    )
    page = client.get(f"/fr/c/{space.slug}/consultations/{consultation.pk}/").content.decode()
    assert "Réponse du réseau" in page
    assert "Réponse de la collectivité" not in page
