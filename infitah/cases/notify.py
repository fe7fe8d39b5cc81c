"""E-mails about cases, queued in the outbox: the mechanics every process shares.

A process writes its own texts; the engine queues them. Each e-mail has an idempotency
key naming the case, the audience, the stage and the number of events the case had then,
so that a re-run of the same step queues nothing new while a second occurrence of a stage
(a new event) gets its own e-mail. Staff e-mails are in Arabic; a citizen's in the
language they used.

A citizen who gave a phone number and no e-mail address gets SMS instead (`person_sms`,
docs/sms.md): short texts of one or two segments with the short tracking link, never
the text of the request or of a message, never an identity number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from infitah.accounts.models import Membership
from infitah.ledger.models import Event
from infitah.notifications import sms
from infitah.notifications.services import email_queue, sms_queue
from infitah.territories.models import Collectivity

SIGNATURE = "\n\n— Infitah"
# (subject, body without the signature), composed in the e-mail's language.
Compose = Callable[[], tuple[str, str]]
# The text of an SMS, composed in the citizen's language.
ComposeSms = Callable[[], str]

logger = logging.getLogger(__name__)


def event_count(case: models.Model) -> int:
    """How many events the case's history holds (the "when" of an idempotency key)."""
    return Event.objects.filter(object_type=case._meta.label_lower, object_id=str(case.pk)).count()


def site_url(name: str, **kwargs: str | int) -> str:
    """The absolute address of the page `name` (in the active language)."""
    return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs)


def day(value: date | None) -> str:
    """A date as e-mails write it ("—" when there is none)."""
    return date_format(value, "DATE_FORMAT") if value else "—"


def short_day(value: date | None) -> str:
    """A date as SMS write it, in digits ("20/03/2026"; "—" when there is none)."""
    return value.strftime("%d/%m/%Y") if value else "—"


def staff_emails(
    collectivity: Collectivity, roles: Iterable[str], *, fallback: Iterable[str] = ()
) -> list[str]:
    """The addresses of the active staff holding one of `roles` in `collectivity`; the
    `fallback` addresses (e.g. a desk's) when there is none."""
    emails = set(
        Membership.objects.filter(
            collectivity=collectivity, role__in=list(roles), user__is_active=True
        ).values_list("user__email", flat=True)
    )
    return sorted(emails or {e for e in fallback if e})


def person_notify(
    case: models.Model,
    *,
    key: str,
    to: str,
    language: str,
    compose: Compose,
    stage: str,
    suffix: str | None = None,
) -> bool:
    """Queue one e-mail to a person about `case` under `<key>:<stage>:<events>` (then
    `:<suffix>` if given); False if there is no address or it was queued before."""
    if not to:
        return False
    with translation.override(language):
        subject, body = compose()
    full_key = f"{key}:{stage}:{event_count(case)}"
    if suffix is not None:
        full_key += f":{suffix}"
    return email_queue(key=full_key, to=to, subject=subject, body=body + SIGNATURE)[1]


def staff_notify(
    case: models.Model,
    *,
    key: str,
    recipients: Iterable[str],
    compose: Compose,
    stage: str,
    counted: bool = True,
) -> int:
    """Queue the e-mail of `stage` (composed in Arabic) to each of `recipients`, under
    `<key>:<stage>:<events>:<address>` (without the events when not `counted`: once per
    stage, e.g. a reminder); returns how many were new."""
    recipients = list(recipients)
    if not recipients:
        return 0
    with translation.override("ar"):
        subject, body = compose()
    when = f"{event_count(case)}:" if counted else ""
    queued = 0
    for to in recipients:
        full_key = f"{key}:{stage}:{when}{to}"
        queued += email_queue(key=full_key, to=to, subject=subject, body=body + SIGNATURE)[1]
    return queued


def person_sms(
    case: models.Model,
    *,
    key: str,
    phone: str,
    language: str,
    compose: ComposeSms,
    fallback: ComposeSms,
    stage: str,
    suffix: str | None = None,
) -> bool:
    """Queue one SMS to a person about `case`, under the key an e-mail of the same stage
    would have (`<key>:<stage>:<events>[:<suffix>]`, in the SMS outbox); False if there
    is no usable number, or it was queued before.

    The text must fit in sms.MAX_SEGMENTS segments: when it does not (a long site
    address, a long translation), the `fallback` text is sent instead (the reference and
    the link); if even that does not fit, nothing is, and the warning names the key."""
    number = sms.phone_international(phone) if phone else ""
    if not number:
        return False
    with translation.override(language):
        text = compose()
        if sms.segment_count(text) > sms.MAX_SEGMENTS:
            text = fallback()
    full_key = f"{key}:{stage}:{event_count(case)}"
    if suffix is not None:
        full_key += f":{suffix}"
    if sms.segment_count(text) > sms.MAX_SEGMENTS:
        logger.warning("SMS %s not sent: longer than %s segments", full_key, sms.MAX_SEGMENTS)
        return False
    return sms_queue(key=full_key, to=number, body=text)[1]
