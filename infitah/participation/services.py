"""Writes of participation: joining (a confirmation e-mail) and confirming.

The participant proves they own the address by opening the link and pressing the button
(a POST: mail scanners open links, they do not submit forms). Until then, nothing they
typed reaches a verified participant: a stranger who types someone else's address only
sends that person an e-mail.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infitah.lib.casework import site_language, too_long
from infitah.notifications.services import email_queue
from infitah.participation import selectors, tokens
from infitah.participation.models import (
    DISPLAY_NAME_MAX,
    EMAIL_MAX,
    Audience,
    Gender,
    Participant,
)
from infitah.territories.models import Collectivity, Kind

# One confirmation e-mail per address and per window: typing the form again and again
# does not flood someone's mailbox.
EMAIL_WINDOW_SECONDS = 300
NEXT_MAX_LENGTH = 500


def safe_next(value: str | None) -> str:
    """`value` if it is a path of this site ("/…"), else "" (no open redirect)."""
    value = (value or "").strip()
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or len(value) > NEXT_MAX_LENGTH
        or any(ord(c) < 32 or c in "\\\x7f" for c in value)
    ):
        return ""
    return value


def _clean(
    *, email: str, display_name: str, commune: Collectivity | None, gender: str
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    email = email.strip().lower()
    display_name = " ".join(display_name.split())
    if not email:
        errors["email"] = _("Give your e-mail address.")
    elif len(email) > EMAIL_MAX:
        errors["email"] = too_long(EMAIL_MAX)
    else:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address, e.g. name@example.ma.")
    if "\x00" in display_name:
        errors["display_name"] = _("This text contains a forbidden character.")
    elif not display_name:
        errors["display_name"] = _("Give the name shown next to your contributions.")
    elif len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = too_long(DISPLAY_NAME_MAX)
    if gender not in Gender.values:
        errors["gender"] = _("Choose one of the answers.")
    if commune is not None and commune.kind != Kind.COMMUNE:
        errors["commune"] = _("Choose a commune.")
    if errors:
        raise ValidationError(errors)
    return email, display_name


def confirm_url(token: str, *, language: str, next_url: str = "") -> str:
    """The absolute link of a confirmation e-mail, in `language`."""
    with translation.override(language):
        path = reverse("participation:confirm", kwargs={"token": token})
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return settings.INFITAH_SITE_URL + path + query


@transaction.atomic
def participant_join(
    *,
    email: str,
    display_name: str,
    commune: Collectivity | None,
    gender: str,
    language: str,
    next_url: str = "",
) -> None:
    """Ask to take part (or to sign in again): queue an e-mail with a confirmation link.

    Creates the participant, unverified, if the address is new; updates an unverified
    one. A verified participant is left as is: the profile typed travels in the signed
    link and applies when the link is used. ValidationError per field on bad input
    (nothing changes then). Returns nothing, whatever the address: the page must not tell
    whether someone already takes part.
    """
    email, display_name = _clean(
        email=email, display_name=display_name, commune=commune, gender=gender
    )
    language = site_language(language)
    next_url = safe_next(next_url)
    profile = {"display_name": display_name, "commune": commune, "gender": gender}
    # Two joins of the same new address at once: the unique e-mail makes one of the
    # inserts fail; get_or_create then reads the other's row.
    participant, created = Participant.objects.select_for_update().get_or_create(
        email=email, defaults={**profile, "language": language}
    )
    if not created and participant.verified_at is None:
        for name, value in profile.items():
            setattr(participant, name, value)
        participant.language = language
        participant.save(update_fields=[*profile, "language"])
    token = tokens.confirm_token_make(
        participant,
        display_name=display_name,
        commune_id=commune.pk if commune is not None else None,
        gender=gender,
        language=language,
    )
    link = confirm_url(token, language=language, next_url=next_url)
    with translation.override(language):
        subject = _("Confirm your e-mail address to take part")
        body = _(
            "Hello %(name)s,\n\nTo take part in the consultations, surveys and labs of "
            "Infitah, open this link and press “Confirm my e-mail address”:\n%(link)s\n\n"
            "The link works once, for 7 days. If you did not ask for it, ignore this "
            "message.\n\n— Infitah"
        ) % {"name": display_name, "link": link}
    window = int(timezone.now().timestamp()) // EMAIL_WINDOW_SECONDS
    stamp = tokens.stamp_of(participant)
    email_queue(
        key=f"participation:join:{participant.pk}:{stamp}:{window}",
        to=email,
        subject=subject,
        body=body,
    )


@transaction.atomic
def participant_confirm(*, token: str) -> Participant | None:
    """Use a confirmation link: the participant, verified, with the profile the link
    carries; None if the link is unknown, expired or already used (nothing changes)."""
    claim = tokens.confirm_token_read(token)
    if claim is None:
        return None
    # Locked: two presses of the same link at once confirm once, the other gets None.
    participant = Participant.objects.select_for_update().filter(pk=claim.participant_id).first()
    if participant is None or tokens.stamp_of(participant) != claim.stamp:
        return None
    commune = None
    if claim.commune_id is not None:
        commune = Collectivity.objects.filter(pk=claim.commune_id, kind=Kind.COMMUNE).first()
    now = timezone.now()
    participant.display_name = claim.display_name[:DISPLAY_NAME_MAX]
    participant.commune = commune
    if claim.gender in Gender.values:
        participant.gender = claim.gender
    participant.language = site_language(claim.language)
    if participant.verified_at is None:
        participant.verified_at = now
    participant.confirmed_at = now
    participant.save()
    return participant


# --------------------------------------------------------------------------- audiences

NETWORK_AUDIENCES = frozenset({Audience.NETWORK_CITIZENS, Audience.NETWORK_MEMBERS})


def audience_error(*, collectivity: Collectivity, audience: str) -> str | None:
    """Why `audience` cannot be that of a consultation, survey or lab of `collectivity`
    (None when it can): the network's own space addresses the whole network (one of
    NETWORK_AUDIENCES), every other collectivity its own public (Audience.LOCAL)."""
    if collectivity.is_network_space:
        if audience not in NETWORK_AUDIENCES:
            return _(
                "Choose whom the network addresses: the citizens of every member, or the "
                "members themselves."
            )
        return None
    if audience != Audience.LOCAL:
        return _("Only the network's own space addresses the whole network.")
    return None


def audience_locked_error() -> str:
    """The message when the audience of an item people took part in would change."""
    return _("People have already taken part: the audience can no longer change.")


def eligibility_refusal(*, audience: str, participant: Participant) -> str | None:
    """Why `participant` may not take part in an item addressed to `audience` (None when
    they may): an item addressed to the network's members takes only participants who
    speak for a member (`selectors.member_spoken_for`; one query for that audience,
    none otherwise). Anyone verified takes part in the other audiences."""
    if audience != Audience.NETWORK_MEMBERS:
        return None
    if selectors.member_spoken_for(participant) is not None:
        return None
    return _(
        "Only the network's member collectivities take part here: use the e-mail address "
        "of your staff account in a member collectivity to take part in its name."
    )
