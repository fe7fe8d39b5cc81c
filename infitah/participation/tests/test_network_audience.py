"""The audience of consultations, surveys and labs: a network audience in the network's
own space, the collectivity's public elsewhere; chosen on the staff forms of the network
space only; fixed once people took part."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import User
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs import services as labs
from infitah.participation.labs.models import Lab
from infitah.participation.models import Audience, Participant
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Survey
from infitah.participation.tests.conftest import (
    MakeConsultation,
    MakeLab,
    MakeSurvey,
    first_answer,
    section_of,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _consultation_input(audience: str) -> consultations.ConsultationInput:
    now = timezone.now()
    return consultations.ConsultationInput(
        title_fr="Charte",
        opens_at=now,
        closes_at=now + timedelta(days=5),
        audience=audience,
    )


def _survey_input(audience: str) -> surveys.SurveyInput:
    now = timezone.now()
    return surveys.SurveyInput(
        title_fr="Sondage", opens_at=now, closes_at=now + timedelta(days=5), audience=audience
    )


def _lab_input(audience: str) -> labs.LabInput:
    now = timezone.now()
    return labs.LabInput(
        question_ar="سؤال",
        question_fr="",
        description_ar="",
        description_fr="",
        opens_at=now,
        closes_at=now + timedelta(days=5),
        moderate_statements=True,
        audience=audience,
    )


def _create(kind: str, collectivity: Collectivity, actor: User, audience: str) -> object:
    if kind == "consultation":
        return consultations.consultation_create(
            collectivity=collectivity, actor=actor, data=_consultation_input(audience)
        )
    if kind == "survey":
        return surveys.survey_save(
            collectivity=collectivity, actor=actor, data=_survey_input(audience)
        )
    return labs.lab_create(collectivity=collectivity, actor=actor, data=_lab_input(audience))


KINDS = ["consultation", "survey", "lab"]
MODELS: dict[str, Any] = {"consultation": Consultation, "survey": Survey, "lab": Lab}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("audience", [Audience.NETWORK_CITIZENS, Audience.NETWORK_MEMBERS])
def test_the_network_space_takes_a_network_audience(
    kind: str, audience: str, space: Collectivity, network_admin: User
) -> None:
    item = _create(kind, space, network_admin, audience)
    assert MODELS[kind].objects.get(pk=item.pk).audience == audience  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("audience", [Audience.LOCAL, "everyone", ""])
def test_the_network_space_refuses_any_other_audience(
    kind: str, audience: str, space: Collectivity, network_admin: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(kind, space, network_admin, audience)
    assert "audience" in caught.value.message_dict
    assert not MODELS[kind].objects.exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("audience", [Audience.NETWORK_CITIZENS, Audience.NETWORK_MEMBERS])
def test_a_collectivity_addresses_only_its_own_public(
    kind: str, audience: str, collectivity_a: Collectivity, staff_a: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(kind, collectivity_a, staff_a, audience)
    assert "audience" in caught.value.message_dict
    assert not MODELS[kind].objects.exists()
    item = _create(kind, collectivity_a, staff_a, Audience.LOCAL)
    assert MODELS[kind].objects.get(pk=item.pk).audience == Audience.LOCAL  # type: ignore[attr-defined]


def test_the_audience_of_a_consultation_changes_until_someone_takes_part(
    network_consultation: MakeConsultation, network_admin: User, voice_a: Participant
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    data = _consultation_input(Audience.NETWORK_CITIZENS)
    data.opens_at = consultation.opens_at
    consultations.consultation_update(consultation=consultation, actor=network_admin, data=data)
    consultation.refresh_from_db()
    assert consultation.audience == Audience.NETWORK_CITIZENS
    consultations.stance_set(section=section_of(consultation), participant=voice_a, value="support")
    data.audience = Audience.NETWORK_MEMBERS
    with pytest.raises(ValidationError) as caught:
        consultations.consultation_update(consultation=consultation, actor=network_admin, data=data)
    assert "audience" in caught.value.message_dict
    consultation.refresh_from_db()
    assert consultation.audience == Audience.NETWORK_CITIZENS


def test_the_audience_of_a_survey_is_fixed_once_answered(
    network_survey: MakeSurvey, network_admin: User, participant: Participant
) -> None:
    survey = network_survey(Audience.NETWORK_CITIZENS)
    surveys.response_submit(survey=survey, participant=participant, answers=first_answer(survey))
    data = _survey_input(Audience.NETWORK_MEMBERS)
    with pytest.raises(ValidationError) as caught:
        surveys.survey_save(
            collectivity=survey.collectivity, actor=network_admin, data=data, survey=survey
        )
    assert "audience" in caught.value.message_dict
    survey.refresh_from_db()
    assert survey.audience == Audience.NETWORK_CITIZENS


def test_the_audience_of_a_lab_is_fixed_once_voted(
    network_lab: MakeLab, network_admin: User, participant: Participant
) -> None:
    lab = network_lab(Audience.NETWORK_CITIZENS)
    labs.lab_update(lab=lab, actor=network_admin, data=_lab_input(Audience.NETWORK_MEMBERS))
    lab.refresh_from_db()
    assert lab.audience == Audience.NETWORK_MEMBERS
    labs.lab_update(lab=lab, actor=network_admin, data=_lab_input(Audience.NETWORK_CITIZENS))
    statement = lab.statements.first()
    assert statement is not None
    labs.vote_cast(lab=lab, participant=participant, statement_id=statement.pk, value=1)
    with pytest.raises(ValidationError) as caught:
        labs.lab_update(lab=lab, actor=network_admin, data=_lab_input(Audience.NETWORK_MEMBERS))
    assert "audience" in caught.value.message_dict


# --------------------------------------------------------------------------- forms

CREATE_PAGES = {
    "consultation": "consultations/new/",
    "survey": "surveys/new/",
    "lab": "labs/new/",
}


def _post_data(kind: str, audience: str | None) -> dict[str, str]:
    now = timezone.localtime()
    opens = now.strftime("%Y-%m-%dT%H:%M")
    closes = (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {"opens_at": opens, "closes_at": closes}
    if kind == "consultation":
        data |= {"kind": "other", "title_fr": "Charte", "moderation": "pre"}
    elif kind == "survey":
        data |= {"title_fr": "Sondage"}
    else:
        data |= {"question_ar": "سؤال", "moderate_statements": "on"}
    if audience is not None:
        data["audience"] = audience
    return data


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_offers_the_audience_in_the_network_space_only(
    kind: str, admin_client: Client, space: Collectivity, staff_a: User
) -> None:
    page = admin_client.get(f"/fr/staff/{space.slug}/{CREATE_PAGES[kind]}").content.decode()
    assert 'name="audience"' in page
    assert 'value="members"' in page and 'value="citizens"' in page
    assert 'value="local"' not in page
    client = Client()
    client.force_login(staff_a)
    page = client.get(f"/fr/staff/commune-a/{CREATE_PAGES[kind]}").content.decode()
    assert 'name="audience"' not in page


@pytest.mark.parametrize("kind", KINDS)
def test_the_network_space_form_requires_an_audience(
    kind: str, admin_client: Client, space: Collectivity
) -> None:
    url = f"/fr/staff/{space.slug}/{CREATE_PAGES[kind]}"
    for wrong in (None, "local", "everyone"):
        response = admin_client.post(url, _post_data(kind, wrong))
        assert response.status_code == 400, (kind, wrong)
        assert 'role="alert"' in response.content.decode()
    assert not MODELS[kind].objects.exists()
    response = admin_client.post(url, _post_data(kind, "members"))
    assert response.status_code == 302
    assert MODELS[kind].objects.get().audience == Audience.NETWORK_MEMBERS


@pytest.mark.parametrize("kind", KINDS)
def test_a_collectivity_form_ignores_a_posted_audience(
    kind: str, staff_a: User, collectivity_a: Collectivity
) -> None:
    client = Client()
    client.force_login(staff_a)
    response = client.post(f"/fr/staff/commune-a/{CREATE_PAGES[kind]}", _post_data(kind, "members"))
    assert response.status_code == 302
    assert MODELS[kind].objects.get().audience == Audience.LOCAL
