"""The demo survey: open, answered, idempotent."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.participation.surveys.demo import surveys_demo
from infitah.participation.surveys.models import Response, Survey
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def test_demo_creates_one_open_answered_survey_once(
    collectivity_a: Collectivity, client: Client
) -> None:
    survey = surveys_demo(collectivity_a)
    assert survey.is_open() and survey.results_public()
    assert survey.questions.count() == 5
    assert Response.objects.filter(survey=survey).count() == 6
    assert surveys_demo(collectivity_a) == survey
    assert Survey.objects.count() == 1 and Response.objects.count() == 6
    page = client.get(f"/ar/c/{collectivity_a.slug}/surveys/{survey.pk}/results/")
    assert page.status_code == 200
    assert page.content.count(b'role="img"') == 4
