"""A lost follow-up link, asked for again: the one implementation every process shares.

A citizen gives the case's reference and a contact detail given with it (e-mail
address or phone number). If they match, a new secret tracking token replaces the old
one (the old link stops working), the event `<process>.link_renewed` is recorded (no
personal data), and the process's notifier sends the new link to the case's own
contact only: by e-mail to its address, or by SMS to its number when it has no address
(docs/sms.md). The page answers the same whether anything matched or not, and attempts
are limited per reference and per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from infitah.cases.services import case_lock
from infitah.cases.workflow import Process
from infitah.ledger.services import event_record
from infitah.lib.casework import private, token_digest
from infitah.lib.pii import pii_encrypt
from infitah.notifications.sms import phone_international
from infitah.petitions.integrity import client_ip

# A lost link may be asked for again this many times an hour, per reference and per
# client address: enough for a citizen's typo, too few to harass a case's author.
RECOVERY_LIMIT = 3
RECOVERY_WINDOW = 3600
# The stage the notifiers know the new link by.
LINK_RENEWED = "link_renewed"


def recovery_over_limit(request: HttpRequest, reference: str, *, namespace: str) -> bool:
    """Count one attempt for the reference and for the client address; True once either
    went over the limit within the window (the attempt is then not carried out)."""
    over = False
    for scope, value in (
        ("reference", reference.strip().upper()),
        ("address", client_ip(request) or "unknown"),
    ):
        digest = hashlib.sha256(value.encode()).hexdigest()
        key = f"{namespace}:recover:{scope}:{digest}"
        cache.add(key, 0, RECOVERY_WINDOW)
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, RECOVERY_WINDOW)
            count = 1
        over = over or count > RECOVERY_LIMIT
    return over


def reference_spellings(reference: str) -> list[str]:
    """How a reference typed by a person may be stored: as typed, and upper-cased
    (references are upper case; a phone keyboard may not be)."""
    typed = reference.strip()
    if not typed or len(typed) > 64 or "\x00" in typed:
        return []
    return sorted({typed, typed.upper()})


def _same(stored: str, given: str) -> bool:
    """Whether two contact details are equal, in constant time (a timing difference must
    not tell which characters are right)."""
    return bool(stored and given) and hmac.compare_digest(stored.encode(), given.encode())


def contact_matches(*, email: str, phone: str, given: str) -> bool:
    """Whether `given` is the case's e-mail address (any case) or its phone number (any
    spelling: "0612345678", "+212 6 12 34 56 78")."""
    typed = given.strip()
    if "@" in typed:
        return _same(email.strip().lower(), typed.lower())
    return _same(phone_international(phone), phone_international(typed))


class TrackedCase(Protocol):
    pk: Any
    email: str
    status: str
    collectivity: Any
    tracking_digest: str
    tracking_token_encrypted: str

    def save(self, *, update_fields: list[str]) -> None: ...


@transaction.atomic
def case_link_renew(
    *,
    process: Process,
    model: type[models.Model],
    reference: str,
    contact: str,
    notify: Callable[[Any, str], bool],
) -> bool:
    """Send a new follow-up link for the case `reference` of `model` if `contact` is its
    e-mail address or phone number and it has an address or a number to send to.

    Side effects on a match: a new token (the old link dies), the ledger event
    `<process.name>.link_renewed` (no personal data), and `notify(case, "link_renewed")`,
    which sends to the case's own contact. Returns whether a link was sent; the caller
    tells the person the same thing either way."""
    spellings = reference_spellings(reference)
    if not spellings:
        return False
    found: Any = model._default_manager.filter(reference__in=spellings).first()
    if found is None:
        return False
    phone = getattr(found, "phone", "") or ""
    reachable = bool(found.email) or bool(phone_international(phone))
    if not reachable or not contact_matches(email=found.email, phone=phone, given=contact):
        return False
    locked: Any = case_lock(process, found)
    token = secrets.token_urlsafe(24)
    locked.tracking_digest = token_digest(token)
    locked.tracking_token_encrypted = pii_encrypt(token)
    locked.save(update_fields=["tracking_digest", "tracking_token_encrypted"])
    event_record(
        obj=locked,
        action=f"{process.name}.{LINK_RENEWED}",
        process=process.citizen,
        collectivity=locked.collectivity,
        from_state=locked.status,
        to_state=locked.status,
    )
    notify(locked, LINK_RENEWED)
    return True


@dataclass(frozen=True)
class RecoveryPage:
    """What differs between the processes' recovery pages."""

    namespace: str  # the URL namespace ("complaints") and the counters' prefix
    form: type[forms.Form]
    template: str
    # The one answer to every attempt, telling nothing of whether anything matched.
    told: Callable[[], str]
    # Renew the link from the form's cleaned data (a `case_link_renew` wrapper).
    renew: Callable[[dict[str, Any]], bool]


def recovery_view(page: RecoveryPage) -> Callable[[HttpRequest], HttpResponse]:
    """The page asking for a new follow-up link: GET shows the form, POST answers the
    same whether it matched or not (a redirect), 400 on bad input, 429 past the limit."""

    @never_cache
    @csrf_protect
    @require_http_methods(["GET", "POST"])
    def recover(request: HttpRequest) -> HttpResponse:
        form = page.form(request.POST or None)
        status = 200
        told = ""
        if request.method == "POST":
            if not form.is_valid():
                status = 400
            elif recovery_over_limit(
                request, form.cleaned_data["reference"], namespace=page.namespace
            ):
                status, told = 429, page.told()
            else:
                page.renew(form.cleaned_data)
                messages.info(request, page.told())
                return private(redirect(f"{page.namespace}:recover"))
        response = render(request, page.template, {"form": form, "told": told}, status=status)
        if status == 429:
            response["Retry-After"] = str(RECOVERY_WINDOW)
        return private(response)

    return recover
