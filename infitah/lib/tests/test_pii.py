import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.test import override_settings

from infitah.lib.pii import (
    InvalidToken,
    id_normalise,
    id_valid,
    pii_decrypt,
    pii_encrypt,
    pii_hash,
    pii_mask,
)


def test_encrypt_round_trip_and_never_clear():
    token = pii_encrypt("AB123456")
    assert "AB123456" not in token
    assert pii_decrypt(token) == "AB123456"
    # Fernet uses a random IV: the same value never encrypts the same way twice.
    assert pii_encrypt("AB123456") != token


def test_other_key_cannot_decrypt():
    token = pii_encrypt("AB123456")
    with (
        override_settings(INFITAH_PII_KEY="another-key-another-key-another-key"),
        pytest.raises(InvalidToken),
    ):
        pii_decrypt(token)


def test_hash_is_keyed_normalised_and_purpose_bound():
    assert pii_hash("ab 123-456") == pii_hash("AB123456")
    assert pii_hash("AB١٢٣٤٥٦") == pii_hash("AB123456")
    assert pii_hash("AB123456") != pii_hash("AB123457")
    assert pii_hash("AB123456", purpose="petition") != pii_hash("AB123456")
    with override_settings(INFITAH_PII_KEY="another-key-another-key-another-key"):
        other = pii_hash("AB123456")
    assert other != pii_hash("AB123456")
    assert "AB123456" not in pii_hash("AB123456")


def test_mask_keeps_the_last_three():
    assert pii_mask("AB123456") == "•••••456"
    assert pii_mask("ab") == "••"


@pytest.mark.parametrize(
    ("value", "id_type", "ok"),
    [
        ("AB123456", "cin", True),
        ("J12345", "cin", True),
        ("123456", "cin", False),
        ("ABC123456", "cin", False),
        ("AB12345678", "cin", False),
        ("E12345678", "residence_card", True),
        ("X", "residence_card", False),
        ("AB123456", "passport", False),
    ],
)
def test_id_formats(value, id_type, ok):
    assert id_valid(id_normalise(value), id_type) is ok


@given(st.text(max_size=40))
def test_normalise_and_mask_never_fail(value):
    normal = id_normalise(value)
    assert normal == normal.upper()
    assert len(pii_mask(value)) == len(normal)
