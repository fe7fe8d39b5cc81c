"""The bureau's steps over the API (`POST /api/v1/staff/petitions/<id>/<action>`): every
status code, what each step writes, the answer's shape and privacy, and tenancy."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from django.test import Client

from infitah.accounts.models import Membership, Role, User
from infitah.accounts.services import api_token_create
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event
from infitah.petitions.models import Petition
from infitah.petitions.tests.conftest import AGENT_CIN, MakePetition
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CHECKLIST_OK = {"competence": True, "signatures": True, "documents": True}


def _url(petition: Petition | int, action: str) -> str:
    pk = petition if isinstance(petition, int) else petition.pk
    return f"/api/v1/staff/petitions/{pk}/{action}"


def _token(user: User) -> str:
    return api_token_create(user=user, name="tests")[1]


def _act(client: Client, user: User, petition: Petition | int, action: str, body: Any = None):
    return client.post(
        _url(petition, action),
        json.dumps({} if body is None else body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {_token(user)}",
    )


def _history(petition: Petition) -> list[str]:
    return list(
        Event.objects.filter(object_type="petitions.petition", object_id=str(petition.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _status(petition: Petition) -> str:
    petition.refresh_from_db()
    return petition.status


def test_the_bureau_takes_every_step_through_the_api(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.LODGED)
    reviewed = _act(client, bureau_a, petition, "review")
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["status"] == Status.BUREAU_REVIEW
    accepted = _act(client, bureau_a, petition, "accept", {**CHECKLIST_OK, "note": "Recevable."})
    assert accepted.status_code == 200
    assert accepted.json()["checklist"] == {**CHECKLIST_OK, "association": True}
    assert accepted.json()["review_note"] == "Recevable."
    scheduled = _act(
        client,
        bureau_a,
        petition,
        "schedule",
        {"session_date": "2026-10-05", "session_title": "Ordinary session of October"},
    )
    assert scheduled.status_code == 200
    assert (scheduled.json()["session_date"], scheduled.json()["status"]) == (
        "2026-10-05",
        Status.SCHEDULED,
    )
    decided = _act(client, bureau_a, petition, "decide", {"decision_fr": "Adopté"})
    assert decided.status_code == 200
    data = decided.json()
    assert (data["status"], data["decision_fr"], data["decision_ar"]) == (
        Status.DELIBERATED,
        "Adopté",
        "",
    )
    petition.refresh_from_db()
    assert petition.decided_on is not None and petition.final_confirmed == 2
    assert petition.decision_deadline is not None
    assert petition.decision_deadline.status == DeadlineStatus.MET
    assert data["decision_due"] == petition.decision_due.isoformat()
    actions = [e["action"] for e in data["events"]]
    assert actions[-4:] == [
        "petitions.review",
        "petitions.accept",
        "petitions.schedule",
        "petitions.decide",
    ]
    # Taken by the token's user, as on the pages.
    assert set(
        Event.objects.filter(
            object_type="petitions.petition", object_id=str(petition.pk), actor=bureau_a
        ).values_list("action", flat=True)
    ) == {"petitions.review", "petitions.accept", "petitions.schedule", "petitions.decide"}


def test_the_answer_is_the_bureaus_view_without_identity_numbers_or_signatories(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.LODGED)
    response = _act(client, bureau_a, petition, "review")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == petition.pk and data["reference"] == petition.reference
    assert data["collectivity"] == "commune-a"
    assert (data["threshold"], data["confirmed_signatures"]) == (2, 2)
    assert data["agent_name"] == "Amina El Idrissi"
    assert data["agent_id_number_masked"] == "•••••566"
    text = response.content.decode()
    for spelling in (AGENT_CIN, AGENT_CIN.replace(" ", ""), "445566"):
        assert spelling not in text
    # The signatories (conftest: "Signatory <n>", CINs "AB<n>") appear nowhere.
    assert "Signatory" not in text and "signatory" not in text and "AB5" not in text


def test_a_step_the_state_forbids_is_409_and_changes_nothing(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.LODGED)
    decided = make_petition(Status.DELIBERATED)
    before = _history(petition), _history(decided)
    for action, body in (
        ("accept", CHECKLIST_OK),
        ("schedule", {"session_date": "2026-10-05", "session_title": "Oct"}),
        ("decide", {"decision_ar": "قرار"}),
        ("reject", {"reasons": "Hors compétence."}),
    ):
        response = _act(client, bureau_a, petition, action, body)
        assert response.status_code == 409, action
        assert response.json()["detail"][0]["message"]
    assert _act(client, bureau_a, decided, "withdraw").status_code == 409
    assert _act(client, bureau_a, decided, "review").status_code == 409
    assert _status(petition) == Status.LODGED and _status(decided) == Status.DELIBERATED
    assert (_history(petition), _history(decided)) == before


def test_bad_input_is_400_per_field_and_changes_nothing(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.BUREAU_REVIEW)
    partial = _act(client, bureau_a, petition, "accept", {"competence": True})
    assert partial.status_code == 400
    assert [d["field"] for d in partial.json()["detail"]] == ["checklist"]
    no_reasons = _act(client, bureau_a, petition, "reject", {"reasons": "  "})
    assert no_reasons.status_code == 400
    assert [d["field"] for d in no_reasons.json()["detail"]] == ["reasons"]
    assert _status(petition) == Status.BUREAU_REVIEW
    scheduled = make_petition(Status.ACCEPTED)
    no_session = _act(client, bureau_a, scheduled, "schedule", {})
    assert no_session.status_code == 400
    assert {d["field"] for d in no_session.json()["detail"]} == {"session_date", "session_title"}
    bad_date = _act(
        client, bureau_a, scheduled, "schedule", {"session_date": "5 octobre", "session_title": "x"}
    )
    assert bad_date.status_code == 400
    assert [d["field"] for d in bad_date.json()["detail"]] == ["session_date"]
    empty = make_petition(Status.SCHEDULED)
    no_text = _act(client, bureau_a, empty, "decide", {"decision_ar": "", "decision_fr": ""})
    assert no_text.status_code == 400
    assert [d["field"] for d in no_text.json()["detail"]] == ["decision_ar"]
    assert _status(scheduled) == Status.ACCEPTED and _status(empty) == Status.SCHEDULED


def test_the_bureau_withdraws_at_the_agents_request(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.LODGED)
    response = _act(client, bureau_a, petition, "withdraw")
    assert response.status_code == 200 and response.json()["status"] == Status.WITHDRAWN
    petition.refresh_from_db()
    assert petition.decision_deadline is not None
    assert petition.decision_deadline.status == DeadlineStatus.CANCELLED
    assert (
        Event.objects.get(object_id=str(petition.pk), action="petitions.withdraw").actor == bureau_a
    )


def test_unknown_actions_and_petitions_are_404(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.LODGED)
    assert _act(client, bureau_a, petition, "dance").status_code == 404
    assert _act(client, bureau_a, petition, "lodge").status_code == 404  # the agent's step
    assert _act(client, bureau_a, petition, "stats").status_code == 404  # a GET, not a step
    assert _act(client, bureau_a, 999_999, "review").status_code == 404
    for pk in (2**31, 99_999_999_999):  # beyond any id: malformed
        assert _act(client, bureau_a, pk, "review").status_code == 400
    unauthenticated = client.post(_url(petition, "review"), "{}", content_type="application/json")
    assert unauthenticated.status_code == 401
    assert _status(petition) == Status.LODGED


def test_another_collectivitys_staff_get_404(
    make_petition: MakePetition,
    client: Client,
    charlie: User,
    staff_for: Any,
    collectivity_b: Collectivity,
) -> None:
    petition = make_petition(Status.LODGED)
    bureau_b = User.objects.create_user(email="bureau-b@example.test", password="x")
    Membership.objects.create(
        user=bureau_b, collectivity=collectivity_b, role=Role.PETITIONS_BUREAU
    )
    officer_a = staff_for(Role.COMPLAINTS_OFFICER)
    for outsider in (charlie, bureau_b, officer_a):
        for action in ("review", "withdraw"):
            response = _act(client, outsider, petition, action)
            assert response.status_code == 404, (outsider, action)
    assert _status(petition) == Status.LODGED
    assert not Deadline.objects.filter(
        subject_id=str(petition.pk), status=DeadlineStatus.CANCELLED
    ).exists()


def test_the_session_may_be_moved(
    make_petition: MakePetition, client: Client, bureau_a: User
) -> None:
    petition = make_petition(Status.SCHEDULED)
    moved = _act(
        client,
        bureau_a,
        petition,
        "schedule",
        {"session_date": "2026-10-20", "session_title": "Postponed session"},
    )
    assert moved.status_code == 200
    petition.refresh_from_db()
    assert (petition.session_date, petition.status) == (date(2026, 10, 20), Status.SCHEDULED)
