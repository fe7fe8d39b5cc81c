"""E-mails about cases, queued in the outbox: the mechanics every process shares.

A process writes its own texts; the engine queues them. Each e-mail has an idempotency
key naming the case, the audience, the stage and the number of events the case had then,
so that a re-run of the same step queues nothing new while a second occurrence of a stage
(a new event) gets its own e-mail. Staff e-mails are in Arabic; a citizen's in the
language they used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from infitah.accounts.models import Membership
from infitah.ledger.models import Event
from infitah.notifications.services import email_queue
from infitah.territories.models import Collectivity

SIGNATURE = "\n\n— Infitah"
# (subject, body without the signature), composed in the e-mail's language.
Compose = Callable[[], tuple[str, str]]


def event_count(case: models.Model) -> int:
    """How many events the case's history holds (the "when" of an idempotency key)."""
    return Event.objects.filter(object_type=case._meta.label_lower, object_id=str(case.pk)).count()


def site_url(name: str, **kwargs: str | int) -> str:
    """The absolute address of the page `name` (in the active language)."""
    return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs)


def day(value: date | None) -> str:
    """A date as e-mails write it ("—" when there is none)."""
    return date_format(value, "DATE_FORMAT") if value else "—"


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
