"""Accepting a petition with fewer confirmed signatures than its threshold: the bureau
sees the counts and must confirm with a reason (service, page and API); without the
confirmation nothing changes."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from infitah.accounts.models import User
from infitah.accounts.services import api_token_create
from infitah.ledger.models import Event
from infitah.petitions import services
from infitah.petitions.models import Petition
from infitah.petitions.tests.conftest import MakePetition
from infitah.petitions.workflow import Status

pytestmark = pytest.mark.django_db

CHECKLIST_OK = {"competence": True, "signatures": True, "documents": True}
FORM_OK = {"competence": "on", "signatures": "on", "documents": "on"}


@pytest.fixture
def short(make_petition: MakePetition) -> Petition:
    """Under review with 2 confirmed signatures of the 200 it was lodged under."""
    petition = make_petition(Status.BUREAU_REVIEW)
    Petition.objects.filter(pk=petition.pk).update(threshold_at_lodging=200)
    petition.refresh_from_db()
    return petition


def _accept_events(petition: Petition) -> list[Event]:
    return list(
        Event.objects.filter(
            object_type="petitions.petition",
            object_id=str(petition.pk),
            action="petitions.accept",
        )
    )


def _unchanged(petition: Petition) -> None:
    petition.refresh_from_db()
    assert petition.status == Status.BUREAU_REVIEW
    assert _accept_events(petition) == []


def test_the_service_refuses_without_the_confirmation(short: Petition, bureau_a: User) -> None:
    with translation.override(None), pytest.raises(ValidationError) as exc:
        services.petition_accept(petition=short, actor=bureau_a, checklist=CHECKLIST_OK)
    message = exc.value.message_dict["confirm_below_threshold"][0]
    assert "2" in message and "200" in message
    _unchanged(short)
    with pytest.raises(ValidationError) as exc:
        services.petition_accept(
            petition=short,
            actor=bureau_a,
            checklist=CHECKLIST_OK,
            confirm_below_threshold=True,
            below_threshold_reason="   ",
        )
    assert "below_threshold_reason" in exc.value.message_dict
    _unchanged(short)


def test_the_service_accepts_with_the_confirmation_and_records_it(
    short: Petition, bureau_a: User
) -> None:
    services.petition_accept(
        petition=short,
        actor=bureau_a,
        checklist=CHECKLIST_OK,
        note="Recevable.",
        confirm_below_threshold=True,
        below_threshold_reason="Paper sheets counted: 214 signatures.",
    )
    short.refresh_from_db()
    assert short.status == Status.ACCEPTED
    [event] = _accept_events(short)
    assert "Paper sheets counted: 214 signatures." in event.note
    assert "Recevable." in event.note
    assert event.data["below_threshold"] == {
        "confirmed": 2,
        "required": 200,
        "reason": "Paper sheets counted: 214 signatures.",
    }


def test_no_confirmation_needed_at_the_threshold(make_petition: MakePetition, bureau_a) -> None:
    petition = make_petition(Status.BUREAU_REVIEW)  # 2 of 2
    services.petition_accept(petition=petition, actor=bureau_a, checklist=CHECKLIST_OK)
    [event] = _accept_events(petition)
    assert "below_threshold" not in event.data


@pytest.fixture
def bureau_client(bureau_a: User) -> Client:
    client = Client()
    client.force_login(bureau_a)
    return client


def _page(petition: Petition, rest: str = "") -> str:
    return f"/fr/staff/commune-a/petitions/{petition.pk}/{rest}"


def test_the_page_warns_and_asks_for_the_confirmation(
    short: Petition, bureau_client: Client
) -> None:
    with translation.override(None):
        page = bureau_client.get(_page(short))
    html = page.content.decode()
    assert 'name="confirm_below_threshold"' in html
    assert 'name="below_threshold_reason"' in html
    warning = page.context["below_threshold"]
    assert (warning.confirmed, warning.required) == (2, 200)
    refused = bureau_client.post(_page(short, "act/accept/"), FORM_OK)
    assert refused.status_code == 400
    assert refused.context["forms"]["accept"].errors["confirm_below_threshold"]
    _unchanged(short)
    no_reason = bureau_client.post(
        _page(short, "act/accept/"), {**FORM_OK, "confirm_below_threshold": "on"}
    )
    assert no_reason.status_code == 400
    assert no_reason.context["forms"]["accept"].errors["below_threshold_reason"]
    _unchanged(short)
    accepted = bureau_client.post(
        _page(short, "act/accept/"),
        {**FORM_OK, "confirm_below_threshold": "on", "below_threshold_reason": "Paper count."},
    )
    assert accepted.status_code == 302
    short.refresh_from_db()
    assert short.status == Status.ACCEPTED
    assert "Paper count." in _accept_events(short)[0].note


def test_the_page_does_not_warn_at_the_threshold(
    make_petition: MakePetition, bureau_client: Client
) -> None:
    petition = make_petition(Status.BUREAU_REVIEW)
    page = bureau_client.get(_page(petition))
    assert page.context["below_threshold"] is None
    assert 'name="confirm_below_threshold"' not in page.content.decode()


def _api(client: Client, user: User, petition: Petition, body: Mapping[str, object]):
    return client.post(
        f"/api/v1/staff/petitions/{petition.pk}/accept",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}",
    )


def test_the_api_applies_the_same_rule(short: Petition, client: Client, bureau_a: User) -> None:
    refused = _api(client, bureau_a, short, CHECKLIST_OK)
    assert refused.status_code == 400
    fields = {e["field"] for e in refused.json()["detail"]}
    assert "confirm_below_threshold" in fields
    _unchanged(short)
    no_reason = _api(client, bureau_a, short, {**CHECKLIST_OK, "confirm_below_threshold": True})
    assert no_reason.status_code == 400
    assert {e["field"] for e in no_reason.json()["detail"]} == {"below_threshold_reason"}
    _unchanged(short)
    accepted = _api(
        client,
        bureau_a,
        short,
        {**CHECKLIST_OK, "confirm_below_threshold": True, "below_threshold_reason": "Paper."},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == Status.ACCEPTED
