"""POST Service Request with the specification's own example request (GeoReport v2,
"POST Service Request", Example Request), adapted to our key, jurisdiction and service
codes: a complaint is created through the complaints app's services, with the form's
rules and clocks; every bad request is a GeoReport error that writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree as ET

import pytest

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from infitah.accounts.models import User
from infitah.complaints import services as complaints
from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.workflow import Status
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.open311 import services
from infitah.open311.models import SenderKey
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own output, not untrusted input


# The specification's example body, word for word but for the three values ours replace.
SPEC_EXAMPLE = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111"
    "&account_id=123456&first_name=john&last_name=smith&phone=111111111"
    "&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)
FORM = "application/x-www-form-urlencoded; charset=utf-8"
URL = "/open311/v2/requests.json"


def example(**replace: str) -> str:
    """The specification's example with some arguments replaced ("" drops one)."""
    pairs = dict(parse_qsl(SPEC_EXAMPLE, keep_blank_values=True))
    pairs.update(replace)
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in pairs.items() if v != ""})


@pytest.fixture(autouse=True)
def _world(both_members: None, settings_a: ComplaintSettings, roads: Category) -> Iterator[None]:
    yield


def _post(body: str, url: str = URL, **headers: Any) -> Any:
    return Client().post(url, data=body, content_type=FORM, **headers)


def _counts() -> tuple[int, int, int]:
    return Complaint.objects.count(), Event.objects.count(), OutboundEmail.objects.count()


def test_the_specifications_example_creates_a_complaint_like_the_form(
    key_a: tuple[SenderKey, str], roads: Category
) -> None:
    key, secret = key_a
    # The example's phone (111111111) is a valid 9-digit number for the form too.
    body = example(api_key=secret, jurisdiction_id="commune-a", service_code=str(roads.pk))
    response = _post(body)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] is None
    complaint = Complaint.objects.get(reference=answer["service_request_id"])
    assert complaint.collectivity.slug == "commune-a"
    assert complaint.category == roads
    assert complaint.kind == "complaint"
    assert complaint.name == "john smith"
    assert complaint.email == "smit333@sfgov.edu"
    assert complaint.phone == "111111111"
    assert complaint.address == "1234 5th street"
    assert str(complaint.latitude) == "37.765241" and str(complaint.longitude) == "-122.421204"
    assert complaint.description == "A large sinkhole is destroying the street"
    # With an e-mail address, as on the form: the citizen confirms it first.
    assert complaint.status == Status.AWAITING_CONFIRMATION
    with translation.override(settings.LANGUAGE_CODE):  # the API answers in it
        awaits = gettext(
            "Registered as %(reference)s. The citizen must confirm the e-mail address with "
            "the link sent to it: the complaint is received then, and the legal time limits "
            "run from that day."
        ) % {"reference": complaint.reference}
    assert answer["service_notice"] == awaits
    assert OutboundEmail.objects.filter(to=complaint.email).count() == 1
    assert Event.objects.filter(action="complaints.submitted", object_id=str(complaint.pk)).exists()
    used = Event.objects.get(action="open311_key.used")
    assert used.object_id == str(key.pk) and used.data["reference"] == complaint.reference
    assert secret not in json.dumps(used.data)
    key.refresh_from_db()
    assert key.last_used_at is not None
    # Not public until confirmed.
    assert _get(complaint.reference).status_code == 404
    complaints.complaint_confirm(complaint=complaint)
    assert _get(complaint.reference).status_code == 200


def _get(reference: str) -> Any:
    return Client().get(f"/open311/v2/requests/{reference}.json", {"jurisdiction_id": "commune-a"})


def test_a_phone_only_request_is_received_with_both_legal_clocks(
    key_a: tuple[SenderKey, str],
) -> None:
    body = example(api_key=key_a[1], jurisdiction_id="commune-a", service_code="general", email="")
    body += "&attribute%5Bkind%5D=suggestion"
    [answer] = _post(body).json()
    complaint = Complaint.objects.get(reference=answer["service_request_id"])
    assert complaint.status == Status.RECEIVED
    assert complaint.kind == "suggestion" and complaint.category is None
    assert complaint.acknowledge_by is not None and complaint.answer_by is not None
    assert complaint.acknowledge_by.isoformat() in answer["service_notice"]
    assert complaint.answer_by.isoformat() in answer["service_notice"]


def test_xml_post_answers_xml(key_a: tuple[SenderKey, str], roads: Category) -> None:
    body = example(
        api_key=key_a[1], jurisdiction_id="commune-a", service_code=str(roads.pk), email=""
    )
    response = _post(body, url="/open311/v2/requests.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = _xml(response.content)
    assert root.tag == "service_requests"
    reference = root.findtext("request/service_request_id")
    assert Complaint.objects.filter(reference=reference).exists()


@pytest.mark.parametrize(
    ("replace", "status", "needle"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "xyz"}, 403, "api_key"),
        ({"api_key": "o311_" + "x" * 43}, 403, "api_key"),
        ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id"),
        ({"jurisdiction_id": ""}, 400, "jurisdiction_id"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "001"}, 404, "service_code"),
        ({"service_code": "²"}, 404, "service_code"),
        ({"service_code": "99999999999999999999"}, 404, "service_code"),
        ({"email": "not-an-address"}, 400, "email:"),
        ({"description": ""}, 400, "description:"),
        ({"first_name": "", "last_name": ""}, 400, "first_name:"),
        ({"lat": "91"}, 400, "lat:"),
        ({"long": ""}, 400, "long:"),
        ({"email": "", "phone": ""}, 400, "email:"),
        ({"phone": "abc"}, 400, "phone:"),
        ({"description": "x\x00y"}, 400, "description:"),
        ({"attribute[kind]": "petition"}, 400, "attribute[kind]:"),
    ],
)
def test_bad_requests_get_a_georeport_error_and_write_nothing(
    key_a: tuple[SenderKey, str],
    roads: Category,
    replace: dict[str, str],
    status: int,
    needle: str,
) -> None:
    values = {"api_key": key_a[1], "jurisdiction_id": "commune-a", "service_code": str(roads.pk)}
    values.update(replace)
    before = _counts()
    response = _post(example(**values))
    assert response.status_code == status, response.content
    errors = response.json()
    assert errors and all(e["code"] == status for e in errors)
    assert any(needle in e["description"] for e in errors), errors
    assert _counts() == before
    key_a[0].refresh_from_db()
    assert key_a[0].last_used_at is None


def test_errors_are_the_forms_own_messages_translated(
    key_a: tuple[SenderKey, str], roads: Category, collectivity_a: Collectivity
) -> None:
    body = example(
        api_key=key_a[1],
        jurisdiction_id="commune-a",
        service_code=str(roads.pk),
        email="not-an-address",
        first_name="",
        last_name="",
    )
    response = _post(body, HTTP_ACCEPT_LANGUAGE="fr")
    descriptions = [e["description"] for e in response.json()]
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as form_error:
        complaints.complaint_validate(
            collectivity=collectivity_a,
            data=complaints.ComplaintInput(
                kind="complaint", description="x", email="not-an-address"
            ),
        )
    expected = form_error.value.message_dict
    assert f"email: {expected['email'][0]}" in descriptions
    assert f"first_name: {expected['name'][0]}" in descriptions
    assert expected["name"][0] != "Give your name."  # in French


def test_an_xml_error_is_a_georeport_errors_document(key_a: tuple[SenderKey, str]) -> None:
    response = _post(
        example(api_key="nope", jurisdiction_id="commune-a"), url="/open311/v2/requests.xml"
    )
    assert response.status_code == 403
    root = _xml(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"


def test_a_key_works_only_in_its_own_collectivity(
    charlie: User, collectivity_b: Collectivity, roads: Category, key_a: tuple[SenderKey, str]
) -> None:
    _key_b, secret_b = services.sender_key_issue(
        collectivity=collectivity_b, organisation="Other", actor=charlie
    )
    before = _counts()
    response = _post(
        example(api_key=secret_b, jurisdiction_id="commune-a", service_code=str(roads.pk))
    )
    assert response.status_code == 403
    # A's category is no service of B either.
    response = _post(
        example(api_key=secret_b, jurisdiction_id="commune-b", service_code=str(roads.pk))
    )
    assert response.status_code == 404
    assert _counts() == before


def test_a_revoked_key_stops_at_once(
    key_a: tuple[SenderKey, str], admin_a: User, collectivity_a: Collectivity, roads: Category
) -> None:
    services.sender_key_revoke(collectivity=collectivity_a, key_id=key_a[0].pk, actor=admin_a)
    before = _counts()
    response = _post(
        example(api_key=key_a[1], jurisdiction_id="commune-a", service_code=str(roads.pk))
    )
    assert response.status_code == 403
    assert _counts() == before


def test_an_inactive_category_is_no_service(
    key_a: tuple[SenderKey, str], retired: Category
) -> None:
    before = _counts()
    response = _post(
        example(api_key=key_a[1], jurisdiction_id="commune-a", service_code=str(retired.pk))
    )
    assert response.status_code == 404
    assert _counts() == before


def test_only_get_and_post(key_a: tuple[SenderKey, str]) -> None:
    response = Client().put(URL, data="", content_type=FORM)
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405
    response = Client().post("/open311/v2/services.json", data="", content_type=FORM)
    assert response.status_code == 405
