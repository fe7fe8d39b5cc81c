import pytest

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import override_settings

from infitah.lib.casework import (
    TEXT_MAX,
    private,
    require_text,
    site_language,
    token_digest,
    validation_detail,
)


def test_require_text_strips_and_refuses_empty_long_and_nul():
    assert require_text("  salut ", "text", "empty") == "salut"
    for bad in ("   ", "x" * (TEXT_MAX + 1), "a\x00b"):
        with pytest.raises(ValidationError) as caught:
            require_text(bad, "text", "empty")
        assert list(caught.value.message_dict) == ["text"]


@override_settings(LANGUAGES=[("ar", "Arabic"), ("fr", "French")], LANGUAGE_CODE="ar")
def test_site_language_falls_back_to_the_default():
    assert site_language("fr-ma") == "fr"
    assert site_language("en") == "ar"
    assert site_language(None) == "ar"


def test_token_digest_is_sha256_hex():
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_private_headers():
    response = private(HttpResponse("x"))
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


def test_validation_detail_per_field_with_aliases():
    exc = ValidationError({"files": ["too big"], "email": ["bad", "worse"]})
    assert validation_detail(exc, aliases={"files": "attachments"}) == [
        {"field": "attachments", "message": "too big"},
        {"field": "email", "message": "bad worse"},
    ]
    assert validation_detail(ValidationError("oops")) == [{"field": "", "message": "oops"}]
