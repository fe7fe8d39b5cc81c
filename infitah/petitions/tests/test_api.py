"""The API of petitions: shapes, every status code, the staff statistics and tenancy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from django.test import Client
from django.utils import translation

from infitah.accounts.models import Role, User
from infitah.accounts.services import api_token_create
from infitah.petitions.integrity import integrity_settings_save
from infitah.petitions.models import Signature
from infitah.petitions.tests.conftest import token_from_last_email
from infitah.petitions.workflow import Status

SIGN_URL = "/api/v1/petitions/{pk}/signatures"
CONFIRM_URL = "/api/v1/signatures/confirm"


def _body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": f"Api Signatory {n}",
        "cin": f"AP{n:06d}",
        "residence_commune": "commune-a",
        "email": f"api{n}@example.test",
        "electoral_declaration": True,
    }
    values.update(overrides)
    return values


def _post(client: Client, url: str, body: Any, **extra: Any):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_list_shows_public_petitions_only(make_petition, sign, client):
    collecting = make_petition()
    sign(collecting, 1)
    lodged = make_petition(Status.LODGED)
    make_petition(Status.DRAFT)
    response = client.get("/api/v1/c/commune-a/petitions")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    items = {item["id"]: item for item in data["items"]}
    assert set(items) == {collecting.pk, lodged.pk}
    assert items[collecting.pk] == {
        "id": collecting.pk,
        "title": collecting.title,
        "status": "collecting",
        "confirmed_signatures": 1,
        "threshold": 2,
        "url": items[collecting.pk]["url"],
    }
    assert str(collecting.pk) in items[collecting.pk]["url"]
    assert items[lodged.pk]["confirmed_signatures"] == 2
    assert client.get("/api/v1/c/commune-b/petitions").status_code == 404  # not a member
    assert client.get("/api/v1/c/nowhere/petitions").status_code == 404


def test_list_query_count_does_not_grow(make_petition, client, django_assert_max_num_queries):
    for _ in range(3):
        make_petition()
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/c/commune-a/petitions").json()["count"] == 3
    for _ in range(5):
        make_petition()
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/c/commune-a/petitions").json()["count"] == 8


def test_detail_shape(make_petition, client):
    petition = make_petition(Status.DELIBERATED)
    data = client.get(f"/api/v1/petitions/{petition.pk}").json()
    assert data == {
        "id": petition.pk,
        "title": petition.title,
        "status": "deliberated",
        "collectivity": "commune-a",
        "threshold": 2,
        "confirmed_signatures": 2,
        "per_province": [],
        "decision": "قرر المجلس",
        "lodged_on": petition.lodged_on.isoformat(),
        "decision_due": petition.decision_due.isoformat(),
        "reference": petition.reference,
    }


def test_detail_of_a_region_shows_each_province(region_world, client, sign):
    from infitah.petitions import services
    from infitah.petitions.tests.conftest import petition_input

    petition, _token = services.petition_draft(
        collectivity=region_world.region, data=petition_input(), language="ar"
    )
    services.petition_confirm_agent(petition=petition)
    sign(petition, 2, residence="commune-x01")
    data = client.get(f"/api/v1/petitions/{petition.pk}").json()
    assert data["threshold"] == 300
    assert data["reference"] is None and data["decision"] is None
    assert data["per_province"] == [
        {"province": "province-x0", "name": "إقليم 0", "required": 15, "confirmed": 2},
        {"province": "province-x1", "name": "إقليم 1", "required": 15, "confirmed": 0},
    ]


def test_unknown_petition_is_404(client, db):
    assert client.get("/api/v1/petitions/999999").status_code == 404
    assert _post(client, "/api/v1/petitions/999999/signatures", _body()).status_code == 404


@pytest.mark.parametrize("path", ["0", "2147483648", "99999999999999999999", "abc", "1%00"])
def test_a_malformed_petition_id_is_400(client, db, path):
    """Not a petition id at all (not a whole number from 1 to 2**31 - 1): a 400 naming
    the parameter, as everywhere in the API, never a server error."""
    response = client.get(f"/api/v1/petitions/{path}")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "petition_id"
    assert _post(client, f"/api/v1/petitions/{path}/signatures", _body()).status_code == 400


def test_a_draft_is_404(make_petition, client):
    draft = make_petition(Status.DRAFT)
    assert client.get(f"/api/v1/petitions/{draft.pk}").status_code == 404
    assert _post(client, SIGN_URL.format(pk=draft.pk), _body()).status_code == 404


def test_sign_and_confirm(make_petition, client):
    petition = make_petition()
    response = _post(client, SIGN_URL.format(pk=petition.pk), _body(1))
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["detail"]
    token = token_from_last_email("api1@example.test")
    confirmed = _post(client, CONFIRM_URL, {"token": token})
    assert (confirmed.status_code, confirmed.json()) == (200, {"status": "confirmed"})
    again = _post(client, CONFIRM_URL, {"token": token})
    assert (again.status_code, again.json()) == (200, {"status": "confirmed"})
    assert _post(client, CONFIRM_URL, {"token": "unknown"}).status_code == 404
    assert _post(client, CONFIRM_URL, {}).status_code == 404
    assert _post(client, CONFIRM_URL, {"token": ["x"]}).status_code == 400
    signature = Signature.objects.get()
    assert signature.ip == "127.0.0.1"
    assert signature.language == "ar"


def test_already_signed_is_409_on_cin(make_petition, client):
    petition = make_petition()
    _post(client, SIGN_URL.format(pk=petition.pk), _body(1))
    response = _post(client, SIGN_URL.format(pk=petition.pk), _body(2, cin="ap 000 001"))
    assert response.status_code == 409
    with translation.override(response["Content-Language"]):
        message = translation.gettext("This ID number has already signed this petition.")
    assert message != "This ID number has already signed this petition."  # translated
    assert response.json() == {"detail": [{"field": "cin", "message": message}]}


def test_malformed_is_400_per_field(make_petition, client):
    petition = make_petition()
    response = _post(
        client,
        SIGN_URL.format(pk=petition.pk),
        {"cin": 12, "residence_commune": "commune-b", "electoral_declaration": "no"},
    )
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"full_name", "cin", "residence_commune", "email", "electoral_declaration"}
    assert _post(client, SIGN_URL.format(pk=petition.pk), "not an object").status_code == 400
    assert _post(client, SIGN_URL.format(pk=petition.pk), {"cin": {"a": 1}}).status_code == 400
    bad_json = client.post(SIGN_URL.format(pk=petition.pk), "{", content_type="application/json")
    assert bad_json.status_code == 400
    nul = _post(client, SIGN_URL.format(pk=petition.pk), _body(3, full_name="a\x00b"))
    assert nul.status_code == 400
    assert not Signature.objects.exists()


def test_not_collecting_is_409(make_petition, client):
    petition = make_petition(Status.LODGED)
    response = _post(client, SIGN_URL.format(pk=petition.pk), _body())
    assert response.status_code == 409
    assert response.json()["detail"][0]["field"] == ""
    french = _post(client, SIGN_URL.format(pk=petition.pk), _body(), HTTP_ACCEPT_LANGUAGE="fr")
    with translation.override("fr"):
        message = translation.gettext("This petition is not open to signatures.")
    assert french.json()["detail"][0]["message"] == message


def test_confirm_after_lodging_is_409(make_petition, sign, client):
    from infitah.petitions import services

    petition = make_petition()
    sign(petition, 2)
    _post(client, SIGN_URL.format(pk=petition.pk), _body(7))
    token = token_from_last_email("api7@example.test")
    services.petition_lodge(petition=petition)
    assert _post(client, CONFIRM_URL, {"token": token}).status_code == 409


def test_rate_limited_is_429_with_retry_after(make_petition, client, network_admin):
    integrity_settings_save(
        actor=network_admin,
        data={
            "ip_limit_per_hour": 2,
            "domain_limit_per_hour": 500,
            "disposable_domains": "",
            "enabled": True,
        },
    )
    petition = make_petition()
    for n in range(2):
        assert _post(client, SIGN_URL.format(pk=petition.pk), _body(n)).status_code == 202
    response = _post(client, SIGN_URL.format(pk=petition.pk), _body(5))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response.json()["detail"][0]["message"]
    other_ip = _post(client, SIGN_URL.format(pk=petition.pk), _body(6), REMOTE_ADDR="192.0.2.9")
    assert other_ip.status_code == 202


def _token(user: User) -> str:
    return api_token_create(user=user, name="tests")[1]


def test_staff_stats(make_petition, sign, client, bureau_a):
    petition = make_petition()
    sign(petition, 3)
    url = f"/api/v1/staff/petitions/{petition.pk}/stats"
    assert client.get(url).status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {_token(bureau_a)}")
    assert response.status_code == 200
    data = response.json()
    assert (data["petition"], data["confirmed"], data["pending"]) == (petition.pk, 3, 0)
    assert data["by_domain"] == [["example.test", 3]]
    assert data["by_channel"] == [["online", 3]]
    assert data["by_commune"] == [["commune-a", 3]]
    assert sum(n for _hour, n in data["by_hour"]) == 3
    for pk, status in ((999_999, 404), (99_999_999_999, 400)):  # unknown; malformed
        response = client.get(
            f"/api/v1/staff/petitions/{pk}/stats", HTTP_AUTHORIZATION=f"Bearer {_token(bureau_a)}"
        )
        assert response.status_code == status


def test_charlie_gets_404_on_the_staff_api(make_petition, client, charlie, staff_for):
    petition = make_petition()
    url = f"/api/v1/staff/petitions/{petition.pk}/stats"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {_token(charlie)}").status_code == 404
    # A member of A without the petitions role gets 404 too.
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {_token(officer)}").status_code == 404
