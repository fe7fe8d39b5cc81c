"""Who takes part in the network's items: anyone verified when the audience is all
members' citizens; when it is the members, only a participant whose e-mail address is
that of an active staff account with a role in a member collectivity (who speaks for
it). A refused participant gets a clear message and nothing is recorded, in the
services, the pages and the API."""

from __future__ import annotations

import pytest

from django.test import Client
from django.utils import translation
from django.utils.html import escape

from infitah.accounts.models import Membership, Role, User
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Comment, Stance
from infitah.participation.labs import services as labs
from infitah.participation.labs.models import Statement, Vote
from infitah.participation.models import Audience, Participant
from infitah.participation.selectors import member_spoken_for, members_spoken_for
from infitah.participation.services import eligibility_refusal
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Response
from infitah.participation.testing import api_headers, login_participant, make_participant
from infitah.participation.tests.conftest import (
    MakeConsultation,
    MakeLab,
    MakeSurvey,
    first_answer,
    section_of,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def refused_text(participant: Participant) -> str:
    """The refusal as a French page shows it (escaped), whatever the catalogue holds."""
    with translation.override("fr"):
        message = eligibility_refusal(audience=Audience.NETWORK_MEMBERS, participant=participant)
    assert message
    return str(escape(message))


# --------------------------------------------------------------------------- who speaks


def test_a_staff_address_speaks_for_its_member(
    voice_a: Participant, voice_2: Participant, collectivity_a: Collectivity, region_2: Collectivity
) -> None:
    assert member_spoken_for(voice_a) == collectivity_a.pk
    assert member_spoken_for(voice_2) == region_2.pk


def test_a_plain_participant_speaks_for_nobody(participant: Participant) -> None:
    assert member_spoken_for(participant) is None


def test_staff_of_a_non_member_inactive_staff_and_other_cases(
    charlie: User, collectivity_a: Collectivity, voice_a: Participant
) -> None:
    """Charlie is admin of B, not a member; an address in capitals still matches."""
    assert members_spoken_for([charlie.email]) == {}
    user = User.objects.get(email="focal.a@example.test")
    assert members_spoken_for(["FOCAL.A@Example.test"]) == {
        "focal.a@example.test": collectivity_a.pk
    }
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert member_spoken_for(voice_a) is None


def test_with_roles_in_several_members_the_first_by_name_is_spoken_for(
    voice_a: Participant, collectivity_a: Collectivity, region_2: Collectivity
) -> None:
    """Aït Melloul comes before Drâa-Tafilalet by French name."""
    user = User.objects.get(email="focal.a@example.test")
    Membership.objects.create(user=user, collectivity=region_2, role=Role.MONITOR)
    assert member_spoken_for(voice_a) == collectivity_a.pk
    Collectivity.objects.filter(pk=collectivity_a.pk).update(name_fr="Zagora")
    assert member_spoken_for(voice_a) == region_2.pk


# --------------------------------------------------------------------------- services


def test_a_plain_participant_cannot_comment_on_a_members_consultation(
    network_consultation: MakeConsultation, participant: Participant
) -> None:
    section = section_of(network_consultation(Audience.NETWORK_MEMBERS))
    with pytest.raises(consultations.NotAllowed) as caught:
        consultations.comment_post(section=section, participant=participant, text="Bonjour")
    assert caught.value.message == eligibility_refusal(
        audience=Audience.NETWORK_MEMBERS, participant=participant
    )
    with pytest.raises(consultations.NotAllowed):
        consultations.stance_set(section=section, participant=participant, value="support")
    assert not Comment.objects.exists() and not Stance.objects.exists()


def test_a_member_voice_comments_and_takes_stances(
    network_consultation: MakeConsultation, voice_a: Participant
) -> None:
    section = section_of(network_consultation(Audience.NETWORK_MEMBERS))
    comment = consultations.comment_post(section=section, participant=voice_a, text="Oui")
    assert comment.pk is not None
    assert consultations.stance_set(section=section, participant=voice_a, value="support")


def test_anyone_verified_takes_part_in_a_citizens_consultation(
    network_consultation: MakeConsultation, participant: Participant
) -> None:
    section = section_of(network_consultation(Audience.NETWORK_CITIZENS))
    consultations.comment_post(section=section, participant=participant, text="Bonjour")
    assert Comment.objects.count() == 1


def test_a_plain_participant_cannot_answer_a_members_survey(
    network_survey: MakeSurvey, participant: Participant, voice_a: Participant
) -> None:
    survey = network_survey(Audience.NETWORK_MEMBERS)
    with pytest.raises(surveys.NotEligible) as caught:
        surveys.response_submit(
            survey=survey, participant=participant, answers=first_answer(survey)
        )
    assert caught.value.code == "not_eligible"
    assert not Response.objects.exists()
    surveys.response_submit(survey=survey, participant=voice_a, answers=first_answer(survey))
    assert Response.objects.get().participant == voice_a


def test_a_plain_participant_cannot_vote_or_write_in_a_members_lab(
    network_lab: MakeLab, participant: Participant, voice_2: Participant
) -> None:
    lab = network_lab(Audience.NETWORK_MEMBERS)
    statement = lab.statements.first()
    assert statement is not None
    with pytest.raises(labs.NotEligible):
        labs.vote_cast(lab=lab, participant=participant, statement_id=statement.pk, value=1)
    with pytest.raises(labs.NotEligible):
        labs.statement_submit(lab=lab, participant=participant, text="Une idée.")
    assert not Vote.objects.exists()
    assert not Statement.objects.filter(author=participant).exists()
    lab.refresh_from_db()
    assert lab.revision == 0  # nothing marked the report stale
    labs.vote_cast(lab=lab, participant=voice_2, statement_id=statement.pk, value=1)
    labs.statement_submit(lab=lab, participant=voice_2, text="Une idée.")
    assert Vote.objects.filter(participant=voice_2).count() == 1


# --------------------------------------------------------------------------- pages


def test_the_consultation_page_says_who_may_take_part_and_refuses(
    network_consultation: MakeConsultation, participant: Participant, space: Collectivity
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    section = section_of(consultation)
    url = f"/fr/c/{space.slug}/consultations/{consultation.pk}/"
    anonymous = Client().get(url).content.decode()
    assert 'id="audience"' in anonymous and 'id="refusal"' not in anonymous
    client = Client()
    login_participant(client, participant)
    page = client.get(url).content.decode()
    assert 'id="refusal"' in page
    assert f"/sections/{section.pk}/comment" not in page  # no form to fill in vain
    response = client.post(
        f"/fr/c/{space.slug}/consultations/{consultation.pk}/sections/{section.pk}/comment/",
        {"text": "Bonjour"},
    )
    assert response.status_code == 409
    assert refused_text(participant) in response.content.decode()
    assert not Comment.objects.exists()


def test_the_survey_page_refuses_a_plain_participant(
    network_survey: MakeSurvey, participant: Participant, space: Collectivity
) -> None:
    survey = network_survey(Audience.NETWORK_MEMBERS)
    client = Client()
    login_participant(client, participant)
    page = client.get(f"/fr/c/{space.slug}/surveys/{survey.pk}/").content.decode()
    assert 'id="refusal"' in page and "respond/" not in page
    question = survey.questions.get()
    option = question.options.first()
    assert option is not None
    response = client.post(
        f"/fr/c/{space.slug}/surveys/{survey.pk}/respond/", {f"q{question.pk}": str(option.pk)}
    )
    assert response.status_code == 409
    assert refused_text(participant) in response.content.decode()
    assert not Response.objects.exists()


def test_the_lab_vote_page_refuses_a_plain_participant(
    network_lab: MakeLab, participant: Participant, space: Collectivity
) -> None:
    lab = network_lab(Audience.NETWORK_MEMBERS)
    statement = lab.statements.first()
    assert statement is not None
    client = Client()
    login_participant(client, participant)
    url = f"/fr/c/{space.slug}/labs/{lab.pk}/vote/"
    page = client.get(url).content.decode()
    assert 'id="refusal"' in page and 'name="vote"' not in page
    response = client.post(url, {"statement": statement.pk, "vote": "1"})
    assert response.status_code == 409
    assert not Vote.objects.exists()


def test_a_citizens_item_says_so(network_survey: MakeSurvey, space: Collectivity) -> None:
    survey = network_survey(Audience.NETWORK_CITIZENS)
    with translation.override("fr"):
        said = str(escape(translation.gettext(
            "Addressed to the whole network: the citizens of every member collectivity take "
            "part."
        )))  # fmt: skip
    page = Client().get(f"/fr/c/{space.slug}/surveys/{survey.pk}/").content.decode()
    assert 'id="audience"' in page and said in page


# --------------------------------------------------------------------------- API


def test_the_apis_refuse_a_plain_participant_with_409(
    network_consultation: MakeConsultation,
    network_survey: MakeSurvey,
    network_lab: MakeLab,
    participant: Participant,
    voice_a: Participant,
    client: Client,
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    section = section_of(consultation)
    url = f"/api/v1/consultations/{consultation.pk}/sections/{section.pk}/comments"
    refused = client.post(
        url, {"text": "Bonjour"}, content_type="application/json", headers=api_headers(participant)
    )
    assert refused.status_code == 409
    accepted = client.post(
        url, {"text": "Bonjour"}, content_type="application/json", headers=api_headers(voice_a)
    )
    assert accepted.status_code == 201

    survey = network_survey(Audience.NETWORK_MEMBERS)
    question = survey.questions.get()
    option = question.options.first()
    assert option is not None
    body = {"answers": {str(question.pk): option.pk}}
    refused = client.post(
        f"/api/v1/surveys/{survey.pk}/responses",
        body,
        content_type="application/json",
        headers=api_headers(participant),
    )
    assert refused.status_code == 409 and refused.json()["code"] == "not_eligible"

    lab = network_lab(Audience.NETWORK_MEMBERS)
    statement = lab.statements.first()
    assert statement is not None
    refused = client.post(
        f"/api/v1/labs/{lab.pk}/votes",
        {"statement_id": statement.pk, "vote": 1},
        content_type="application/json",
        headers=api_headers(participant),
    )
    assert refused.status_code == 409
    assert not Response.objects.exists() and not Vote.objects.exists()
    assert Comment.objects.get().participant == voice_a


def test_the_consultation_api_shows_the_audience(
    network_consultation: MakeConsultation, client: Client
) -> None:
    consultation = network_consultation(Audience.NETWORK_MEMBERS)
    body = client.get(f"/api/v1/consultations/{consultation.pk}").json()
    assert body["audience"] == "members"
    assert body["collectivity"] == "network"


def test_an_unverified_address_never_speaks_for_a_member(
    network_consultation: MakeConsultation, collectivity_a: Collectivity
) -> None:
    """The join flow verifies the address; an unverified participant is refused first."""
    User.objects.create_user(email="staff.x@example.test", password="x-password-123")
    Membership.objects.create(
        user=User.objects.get(email="staff.x@example.test"),
        collectivity=collectivity_a,
        role=Role.ADMIN,
    )
    pending = make_participant(email="staff.x@example.test")
    pending.verified_at = None
    pending.save(update_fields=["verified_at"])
    section = section_of(network_consultation(Audience.NETWORK_MEMBERS))
    with pytest.raises(consultations.NotAllowed):
        consultations.comment_post(section=section, participant=pending, text="Bonjour")
