"""What every JSON endpoint of /api/v1/ does with a body it cannot use: a translated 400,
never a server error, nothing stored."""

from __future__ import annotations

import json

import pytest

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.lib.text import has_lone_surrogate
from infitah.notifications.models import OutboundEmail

# POST endpoints that read a JSON body and need no authentication (the body is read
# before the view runs, so no petition, survey or lab needs to exist).
ENDPOINTS = [
    "/api/v1/signatures/confirm",
    "/api/v1/petitions/1/signatures",
    "/api/v1/c/no-such-place/information-requests",
    "/api/v1/c/no-such-place/complaints",
]


def _parse_message(language: str) -> str:
    with translation.override(language):
        return _("The request body is not valid JSON (UTF-8, one object).")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        '{"token": "abc\\ud800", "full_name": "x", "email": "a@b.ma"}',  # lone surrogate
        '{"full_name": ["nested \\udfff"]}',
        '{"token": ',  # truncated
        "not json at all",
    ],
)
def test_an_unreadable_body_is_a_translated_400(path: str, body: str, language: str) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        path, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": _parse_message(language)}
    assert not OutboundEmail.objects.exists()


def test_lone_surrogates_are_found_wherever_they_are() -> None:
    assert has_lone_surrogate("a\ud800b")
    assert has_lone_surrogate({"k": ["ok", {"deep": "\udc00"}]})
    assert has_lone_surrogate({"\ud83d": 1})
    assert not has_lone_surrogate({"k": ["ok", "عربي 😀", 3, None, True]})
    assert not has_lone_surrogate(json.loads('"\\ud83d\\ude00"'))  # a valid pair
