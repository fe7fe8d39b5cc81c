"""The network's own space (Kind.NETWORK) publishes no dataset: its network-wide
consultations, surveys and labs are public on their pages and in the API, but the
catalogue's publishers are collectivities and the network itself (datasets without a
collectivity, CKAN organization "network", which the space's slug would collide with)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import User
from infitah.opendata.models import Dataset
from infitah.opendata.sources import participation as sources
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.ckan_world import ckan_get
from infitah.participation.consultations import services as consultations
from infitah.participation.labs import services as labs
from infitah.participation.models import Audience
from infitah.participation.surveys import services as surveys
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def space_with_items(network_admin: User, collectivity_a: Collectivity) -> Collectivity:
    """The network's space with a closed consultation and its synthesis, a survey whose
    results are public and an opened lab with a vote: each would be a dataset of a
    member."""
    space = network_space()
    now = timezone.now()
    citizen = make_participant(email="citizen@example.test", commune=collectivity_a)
    consultation = consultations.consultation_create(
        collectivity=space,
        actor=network_admin,
        data=consultations.ConsultationInput(
            title_fr="Charte",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=2),
            moderation="post",
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    section = consultations.section_save(
        consultation=consultation,
        actor=network_admin,
        title_ar="",
        title_fr="Principes",
        body_ar="",
        body_fr="Texte.",
    )
    consultations.comment_post(section=section, participant=citizen, text="Oui")
    consultations.consultation_close(consultation=consultation, actor=network_admin)
    consultations.synthesis_publish(
        consultation=consultation,
        actor=network_admin,
        synthesis_ar="",
        synthesis_fr="Synthèse.",
        responses={},
    )
    survey = surveys.survey_save(
        collectivity=space,
        actor=network_admin,
        data=surveys.SurveyInput(
            title_fr="Priorités",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=5),
            show_results_while_open=True,
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    question = surveys.question_save(
        survey=survey,
        actor=network_admin,
        data=surveys.QuestionInput(kind="single", text_fr="?", options=[("", "A"), ("", "B")]),
    )
    survey = surveys.survey_publish(survey=survey, actor=network_admin)
    option = question.options.first()
    assert option is not None
    surveys.response_submit(
        survey=survey, participant=citizen, answers={question.pk: [str(option.pk)]}
    )
    lab = labs.lab_create(
        collectivity=space,
        actor=network_admin,
        data=labs.LabInput(
            question_ar="سؤال",
            question_fr="",
            description_ar="",
            description_fr="",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=5),
            moderate_statements=False,
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    statement = labs.statements_seed(lab=lab, actor=network_admin, texts=["Oui."])[0]
    labs.vote_cast(lab=lab, participant=citizen, statement_id=statement.pk, value=1)
    return space


def test_no_participation_source_holds_the_network_space(space_with_items: Collectivity) -> None:
    for source in sources.SOURCES:
        assert space_with_items.pk not in set(source.holders()), source.key
        assert list(source.rows(space_with_items)) == [], source.key


def test_the_sync_makes_no_dataset_of_the_network_space(
    space_with_items: Collectivity, settings: Any
) -> None:
    settings.INFITAH_SITE_URL = "http://testserver"
    datasets_sync()
    assert not Dataset.objects.filter(collectivity=space_with_items).exists()


def test_the_ckan_organizations_do_not_list_the_network_space(
    space_with_items: Collectivity, client: Client, settings: Any
) -> None:
    """organization_list names the collectivities with datasets (and "network" for the
    datasets without one); the space adds nothing, and "network" counts only those."""
    settings.INFITAH_SITE_URL = "http://testserver"
    datasets_sync()
    active = Dataset.objects.active()
    expected = sorted(
        set(active.filter(collectivity__isnull=False).values_list("collectivity__slug", flat=True))
    )
    if active.filter(collectivity__isnull=True).exists():
        expected.append("network")
    status, body = ckan_get(client, "organization_list")
    assert status == 200
    assert body["result"] == sorted(expected)
    assert body["result"].count("network") <= 1
    status, body = ckan_get(client, "organization_show", id="network")
    assert status == 200
    assert body["result"]["package_count"] == active.filter(collectivity__isnull=True).count()
