"""The participant's two signed tokens (django.core.signing, nothing stored):

- the confirmation link's token (TimestampSigner, 7 days): who, the profile they typed,
  and the `confirmed_at` stamp it was issued under, so that it works once;
- the API bearer token: the participant's id, signed with the salt "participation.api"
  and no timestamp, so that the page shows the same token on every visit. Tokens issued
  before, which carried a timestamp, are still read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing

from infitah.participation.models import Participant

CONFIRM_SALT = "participation.confirm"
API_SALT = "participation.api"
CONFIRM_MAX_AGE = timedelta(days=7)
# Longer values are not ours: refuse them before any decoding work.
TOKEN_MAX_LENGTH = 1000


@dataclass(frozen=True)
class ConfirmClaim:
    participant_id: int
    stamp: str
    display_name: str
    commune_id: int | None
    gender: str
    language: str


def stamp_of(participant: Participant) -> str:
    """What a confirmation link is bound to: the participant's last confirmation."""
    value: datetime | None = participant.confirmed_at
    return value.isoformat() if value is not None else ""


def confirm_token_make(
    participant: Participant,
    *,
    display_name: str,
    commune_id: int | None,
    gender: str,
    language: str,
) -> str:
    payload = {
        "p": participant.pk,
        "s": stamp_of(participant),
        "n": display_name,
        "c": commune_id,
        "g": gender,
        "l": language,
    }
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def confirm_token_read(token: str) -> ConfirmClaim | None:
    """The claim of a well-signed, unexpired token; None otherwise (never raises)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=CONFIRM_MAX_AGE
        )
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(data, dict):
        return None
    participant_id = _int_or_none(data.get("p"))
    texts = [data.get(k) for k in ("s", "n", "g", "l")]
    if participant_id is None or not all(isinstance(t, str) for t in texts):
        return None
    return ConfirmClaim(
        participant_id=participant_id,
        stamp=str(data["s"]),
        display_name=str(data["n"]),
        commune_id=_int_or_none(data.get("c")),
        gender=str(data["g"]),
        language=str(data["l"]),
    )


def api_token_make(participant: Participant) -> str:
    return signing.Signer(salt=API_SALT).sign_object({"p": participant.pk})


def api_token_read(token: str) -> int | None:
    """The participant id of a well-signed API token; None otherwise (never raises)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        data = signing.Signer(salt=API_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError):
        # A token issued with a timestamp (signing.dumps) before the stable form.
        try:
            data = signing.loads(token, salt=API_SALT)
        except (signing.BadSignature, ValueError, UnicodeError):
            return None
    return _int_or_none(data.get("p")) if isinstance(data, dict) else None
