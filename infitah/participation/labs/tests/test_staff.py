"""The staff pages of labs: create, seed, settings, moderation queue, recompute; and
tenancy (another collectivity's member, a citizen, a role without the permission)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.ledger.models import Event
from infitah.participation.labs import services
from infitah.participation.labs.models import Lab, LabReport, Statement, StatementStatus
from infitah.participation.labs.tests.conftest import Voters
from infitah.participation.models import Participant

pytestmark = pytest.mark.django_db

STAFF = "/ar/staff/commune-a/labs/"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**overrides: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "question_ar": "ما أولوياتكم للميزانية؟",
        "question_fr": "Vos priorités pour le budget ?",
        "description_ar": "",
        "description_fr": "",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "moderate_statements": "on",
    }
    data.update(overrides)
    return data


def test_the_focal_point_creates_a_lab_and_seeds_it(focal_point: User) -> None:
    client = signed_in(focal_point)
    assert client.get(f"{STAFF}new/").status_code == 200
    response = client.post(f"{STAFF}new/", form())
    lab = Lab.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF}{lab.pk}/"
    assert lab.moderate_statements and lab.is_open and lab.created_by == focal_point
    response = client.post(f"{STAFF}{lab.pk}/seed/", {"texts": "أولى\n\nثانية\r\nثالثة"})
    assert response.status_code == 302
    assert list(Statement.objects.filter(lab=lab).values_list("text", flat=True)) == [
        "أولى",
        "ثانية",
        "ثالثة",
    ]
    html = client.get(f"{STAFF}{lab.pk}/").content.decode()
    assert "ثالثة" in html
    assert Event.objects.filter(action="labs.created", object_id=str(lab.pk)).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"question_ar": ""},
        {"closes_at": "2020-01-01T00:00"},
        {"opens_at": "not a date"},
        {"question_ar": "x" * 301},
        {"question_ar": "a\x00b"},
    ],
)
def test_a_bad_lab_form_is_400(focal_point: User, overrides: dict[str, str]) -> None:
    response = signed_in(focal_point).post(f"{STAFF}new/", form(**overrides))
    assert response.status_code == 400
    assert not Lab.objects.exists()


def test_a_bad_seed_is_400(focal_point: User, lab: Lab) -> None:
    client = signed_in(focal_point)
    response = client.post(f"{STAFF}{lab.pk}/seed/", {"texts": "جيدة\n" + "x" * 281})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Statement.objects.exists()


def test_the_settings_are_saved(focal_point: User, lab: Lab) -> None:
    response = signed_in(focal_point).post(
        f"{STAFF}{lab.pk}/", form(question_ar="سؤال معدل", moderate_statements="")
    )
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.question_ar == "سؤال معدل"
    assert not lab.moderate_statements
    assert lab.seed == 42


def test_the_moderation_queue(
    focal_point: User, lab: Lab, participant: Participant, voters: Voters
) -> None:
    good = services.statement_submit(lab=lab, participant=participant, text="عبارة جيدة")
    bad = services.statement_submit(lab=lab, participant=participant, text="عبارة مسيئة")
    client = signed_in(focal_point)
    html = client.get(f"{STAFF}{lab.pk}/moderation/").content.decode()
    assert "عبارة جيدة" in html and "عبارة مسيئة" in html
    assert participant.display_name in html
    listing = client.get(STAFF).content.decode()
    assert f'href="{STAFF}{lab.pk}/moderation/"><strong>2</strong>' in listing

    assert client.post(f"{STAFF}{lab.pk}/statements/{good.pk}/approve/").status_code == 302
    # A rejection without a reason is refused; with one it is recorded.
    refused = client.post(f"{STAFF}{lab.pk}/statements/{bad.pk}/reject/", {"reason": ""})
    assert refused.status_code == 400
    bad.refresh_from_db()
    assert bad.status == StatementStatus.PENDING
    done = client.post(f"{STAFF}{lab.pk}/statements/{bad.pk}/reject/", {"reason": "مسيئة"})
    assert done.status_code == 302
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == StatementStatus.APPROVED
    assert (bad.status, bad.rejection_reason) == (StatementStatus.REJECTED, "مسيئة")
    # Deciding twice is a conflict, an unknown action or statement a 404.
    again = client.post(f"{STAFF}{lab.pk}/statements/{bad.pk}/approve/")
    assert again.status_code == 409
    assert client.post(f"{STAFF}{lab.pk}/statements/{good.pk}/delete/").status_code == 404
    assert client.post(f"{STAFF}{lab.pk}/statements/999999/approve/").status_code == 404


def test_withdrawing_an_approved_statement_from_the_lab_page(
    focal_point: User, lab: Lab, statements: list[Statement]
) -> None:
    response = signed_in(focal_point).post(
        f"{STAFF}{lab.pk}/statements/{statements[0].pk}/reject/",
        {"reason": "مكررة", "back": "detail"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF}{lab.pk}/"
    statements[0].refresh_from_db()
    assert statements[0].status == StatementStatus.REJECTED


def test_recompute_on_request_is_throttled(
    focal_point: User,
    lab: Lab,
    statements: list[Statement],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client = signed_in(focal_point)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(f"{STAFF}{lab.pk}/recompute/").status_code == 302
    assert len(callbacks) == 1
    assert LabReport.objects.filter(lab=lab).count() == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(f"{STAFF}{lab.pk}/recompute/").status_code == 302
    assert callbacks == []


def test_staff_list_queries_do_not_grow_with_labs(
    focal_point: User,
    lab: Lab,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    client = signed_in(focal_point)
    for n in range(5):
        services.lab_create(
            collectivity=lab.collectivity,
            actor=focal_point,
            data=services.LabInput(
                question_ar=f"س{n}",
                question_fr="",
                description_ar="",
                description_fr="",
                opens_at=lab.opens_at,
                closes_at=lab.closes_at,
                moderate_statements=True,
            ),
        )
    client.get(STAFF)  # warm the session and the role cache
    with django_assert_max_num_queries(9):
        response = client.get(STAFF)
    assert response.content.decode().count(f"{STAFF}") >= 6


def _staff_urls(lab: Lab, statement: Statement) -> list[str]:
    base = f"/ar/staff/commune-a/labs/{lab.pk}/"
    return [
        "/ar/staff/commune-a/labs/",
        "/ar/staff/commune-a/labs/new/",
        base,
        f"{base}seed/",
        f"{base}moderation/",
        f"{base}statements/{statement.pk}/approve/",
        f"{base}statements/{statement.pk}/reject/",
        f"{base}recompute/",
    ]


@pytest.mark.parametrize("who", ["charlie", "citizen", "publication_editor"])
def test_outsiders_get_404_on_every_staff_page_get_and_post(
    who: str,
    lab: Lab,
    participant: Participant,
    request: pytest.FixtureRequest,
    staff_for: Callable[[str], User],
) -> None:
    user = staff_for(Role.PUBLICATION_EDITOR) if who == "publication_editor" else None
    user = user or request.getfixturevalue(who)
    statement = services.statement_submit(lab=lab, participant=participant, text="معلقة")
    client = signed_in(user)
    for address in _staff_urls(lab, statement):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"reason": "x", "texts": "x"}).status_code == 404, address
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PENDING
    assert Lab.objects.count() == 1


def test_charlie_gets_404_on_a_lab_of_a_through_his_own_collectivity(
    charlie: User, lab: Lab
) -> None:
    client = signed_in(charlie)
    assert client.get("/ar/staff/commune-b/labs/").status_code == 200
    assert client.get(f"/ar/staff/commune-b/labs/{lab.pk}/").status_code == 404
    assert client.post(f"/ar/staff/commune-b/labs/{lab.pk}/recompute/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Client, lab: Lab) -> None:
    response = client.get(f"{STAFF}{lab.pk}/")
    assert response.status_code == 302
    assert "login" in response["Location"]
