"""Anti-abuse checks of online signing, tunable at run time (no deploy).

`IntegritySettings` (one row, pk=1) holds the limits and the refused e-mail domains; a
network administrator (NetworkPerm.INTEGRITY_MANAGE) edits it. It is read through the
cache (`SETTINGS_CACHE_SECONDS`), and a save deletes the cached copy, so a change takes
effect at once in a shared cache (Redis in production) and within seconds anywhere.

Rate counters live in the cache, never in the database (no write, no lock on the hot
path): one counter per petition and IP address, one per petition and e-mail domain, in
fixed windows of one hour (`cache.add` then `cache.incr`, atomic in Redis).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.ledger.services import event_record
from infitah.petitions.models import IntegritySettings

SETTINGS_CACHE_KEY = "petitions:integrity:v1"
SETTINGS_CACHE_SECONDS = 30
WINDOW_SECONDS = 3600
LIMIT_MAX = 1_000_000
DOMAINS_MAX = 100_000


class RateLimited(Exception):
    """Too many signatures from one IP address or e-mail domain (HTTP 429)."""

    def __init__(self, retry_after: int, message: str = "") -> None:
        super().__init__(message or "rate limited")
        self.retry_after = retry_after
        self.message = message


def integrity_settings_get() -> IntegritySettings:
    """The settings in force (defaults if the row does not exist yet; not saved)."""
    found = cache.get(SETTINGS_CACHE_KEY)
    if isinstance(found, IntegritySettings):
        return found
    found = IntegritySettings.objects.filter(pk=1).first() or IntegritySettings(pk=1)
    cache.set(SETTINGS_CACHE_KEY, found, SETTINGS_CACHE_SECONDS)
    return found


def _limit(data: dict[str, Any], name: str, errors: dict[str, str]) -> int:
    raw = data.get(name)
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = -1
    if not 1 <= value <= LIMIT_MAX:
        errors[name] = _("Give a number from 1 to %(max)d.") % {"max": LIMIT_MAX}
    return value


@transaction.atomic
def integrity_settings_save(*, actor: User, data: dict[str, Any]) -> IntegritySettings:
    """Record new limits and refused domains, network-wide; in force at once.

    Preconditions: `actor` holds NetworkPerm.INTEGRITY_MANAGE (else PermissionDenied);
    limits are whole numbers from 1 (else ValidationError per field).
    """
    if not has_network_perm(actor, NetworkPerm.INTEGRITY_MANAGE):
        raise PermissionDenied
    errors: dict[str, str] = {}
    ip_limit = _limit(data, "ip_limit_per_hour", errors)
    domain_limit = _limit(data, "domain_limit_per_hour", errors)
    domains = str(data.get("disposable_domains") or "")
    if len(domains) > DOMAINS_MAX or "\x00" in domains:
        errors["disposable_domains"] = _("At most %(max)d characters.") % {"max": DOMAINS_MAX}
    if errors:
        raise ValidationError(errors)
    lines = sorted(
        {
            line.strip().lower().lstrip("@")
            for line in domains.splitlines()
            if line.strip() and not line.strip().startswith("#")
        }
    )
    found, _created = IntegritySettings.objects.update_or_create(
        pk=1,
        defaults={
            "ip_limit_per_hour": ip_limit,
            "domain_limit_per_hour": domain_limit,
            "disposable_domains": "\n".join(lines),
            "enabled": bool(data.get("enabled", True)),
            "updated_at": timezone.now(),
            "updated_by": actor,
        },
    )
    event_record(
        obj=found,
        action="petitions.integrity_saved",
        actor=actor,
        data={
            "ip_limit_per_hour": ip_limit,
            "domain_limit_per_hour": domain_limit,
            "disposable_domains": len(lines),
            "enabled": found.enabled,
        },
    )
    cache.delete(SETTINGS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))
    return found


def domain_refused(domain: str, settings: IntegritySettings | None = None) -> bool:
    """Whether e-mail from `domain` (or a subdomain of a refused one) is refused."""
    settings = settings or integrity_settings_get()
    if not settings.enabled or not domain:
        return False
    refused = settings.disposable_set
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in refused for i in range(len(parts) - 1))


def _hit(key: str) -> int:
    """Count one hit on `key` in the current window; returns the count (0: no cache)."""
    cache.add(key, 0, WINDOW_SECONDS + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 60)
        return 1


@dataclass(frozen=True)
class Window:
    number: int
    retry_after: int


def current_window(now: float | None = None) -> Window:
    now = time.time() if now is None else now
    number = int(now) // WINDOW_SECONDS
    return Window(number=number, retry_after=max(1, (number + 1) * WINDOW_SECONDS - int(now)))


def rate_check(
    *,
    petition_id: int,
    ip: str | None,
    domain: str,
    settings: IntegritySettings | None = None,
) -> None:
    """Count one signature attempt; RateLimited if it goes over a limit in this hour."""
    settings = settings or integrity_settings_get()
    if not settings.enabled:
        return
    window = current_window()
    if ip and _hit(f"pet:rl:ip:{petition_id}:{ip}:{window.number}") > (settings.ip_limit_per_hour):
        raise RateLimited(
            window.retry_after,
            _("Too many signatures from your network in the last hour. Try again later."),
        )
    if domain and _hit(f"pet:rl:dom:{petition_id}:{domain}:{window.number}") > (
        settings.domain_limit_per_hour
    ):
        raise RateLimited(
            window.retry_after,
            _(
                "Too many signatures with addresses of this e-mail provider in the last hour. "
                "Try again later."
            ),
        )


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the server sees it (REMOTE_ADDR; behind a
    reverse proxy, the proxy must set it to the client's address)."""
    raw = str(request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ip_address(raw))
    except ValueError:
        return None
