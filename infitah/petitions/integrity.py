"""Anti-abuse checks of online signing, tunable at run time (no deploy).

`IntegritySettings` (one row, pk=1) holds the limits and the refused e-mail domains; a
network administrator (NetworkPerm.INTEGRITY_MANAGE) edits it. It is read through the
cache (`SETTINGS_CACHE_SECONDS`) and kept in each process for `SETTINGS_MEMO_SECONDS`
(2 s); a save deletes the cached copy and the saving process's memo, so a change takes
effect at once in the process that saved it and within 2 s in every other process
sharing the cache (Redis in production).

Rate counters live in the cache, never in the database (no write, no lock on the hot
path): one counter per petition and IP address, one per petition and e-mail domain, in
fixed windows of one hour. On Redis both counters of an attempt cost one round trip
(a pipeline of INCR + EXPIRE NX per counter, on the cache's pooled connections; Redis
>= 7.0); on other cache backends `cache.add` then `cache.incr`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
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
SETTINGS_MEMO_SECONDS = 2.0
WINDOW_SECONDS = 3600
LIMIT_MAX = 1_000_000
DOMAINS_MAX = 100_000


class RateLimited(Exception):
    """Too many signatures from one IP address or e-mail domain (HTTP 429)."""

    def __init__(self, retry_after: int, message: str = "") -> None:
        super().__init__(message or "rate limited")
        self.retry_after = retry_after
        self.message = message


# (monotonic deadline, settings, refused domains): read by every signing thread of the
# process; replaced whole (one assignment), never mutated. Callers must not modify it.
_memo: tuple[float, IntegritySettings, frozenset[str]] | None = None


def integrity_settings_forget() -> None:
    """Drop this process's copy (the save does; tests between cases)."""
    global _memo
    _memo = None


def _settings_memo() -> tuple[IntegritySettings, frozenset[str]]:
    global _memo
    memo = _memo
    now = time.monotonic()
    if memo is not None and now < memo[0]:
        return memo[1], memo[2]
    found = cache.get(SETTINGS_CACHE_KEY)
    if not isinstance(found, IntegritySettings):
        found = IntegritySettings.objects.filter(pk=1).first() or IntegritySettings(pk=1)
        cache.set(SETTINGS_CACHE_KEY, found, SETTINGS_CACHE_SECONDS)
    refused = found.disposable_set
    _memo = (now + SETTINGS_MEMO_SECONDS, found, refused)
    return found, refused


def integrity_settings_get() -> IntegritySettings:
    """The settings in force (defaults if the row does not exist yet; not saved).

    Shared by the threads of the process for up to SETTINGS_MEMO_SECONDS: read only."""
    return _settings_memo()[0]


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
    _forget_all()
    transaction.on_commit(_forget_all)
    return found


def _forget_all() -> None:
    cache.delete(SETTINGS_CACHE_KEY)
    integrity_settings_forget()


def domain_refused(domain: str, settings: IntegritySettings | None = None) -> bool:
    """Whether e-mail from `domain` (or a subdomain of a refused one) is refused."""
    if settings is None:
        settings, refused = _settings_memo()
    else:
        memo = _memo
        refused = memo[2] if memo is not None and memo[1] is settings else settings.disposable_set
    if not settings.enabled or not domain:
        return False
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


def _redis() -> Any | None:
    """A redis.Redis client on the default cache's connection pool, or None when the
    cache is not django's RedisCache. One client object per cache backend instance
    (Django keeps one per thread): building a client per command costs more than the
    command."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    client = getattr(backend, "_infitah_rate_client", None)
    if client is None:
        client = backend._cache.get_client(None, write=True)
        backend._infitah_rate_client = client  # type: ignore[attr-defined]
    return client


def _hits_redis(client: Any, keys: list[str]) -> list[int]:
    """Count one hit on each key in the current window; the counts, in order.

    One pipeline (no MULTI) of INCR + EXPIRE NX per key: the counter exists from its
    first INCR and gets its expiry once, so it never outlives its window by more than a
    minute, whatever interleaving of processes."""
    pipe = client.pipeline(transaction=False)
    for key in keys:
        full = cache.make_and_validate_key(key)
        pipe.incr(full)
        pipe.expire(full, WINDOW_SECONDS + 60, nx=True)
    return [int(n) for n in pipe.execute()[::2]]


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
    ip_key = f"pet:rl:ip:{petition_id}:{ip}:{window.number}" if ip else ""
    domain_key = f"pet:rl:dom:{petition_id}:{domain}:{window.number}" if domain else ""
    client = _redis()
    if client is not None and ip_key and domain_key:
        ip_count, domain_count = _hits_redis(client, [ip_key, domain_key])
        if ip_count > settings.ip_limit_per_hour:
            # Refused on the address: as if the domain had not been counted.
            client.decr(cache.make_and_validate_key(domain_key))
            _refuse_ip(window)
    else:
        if ip_key and (
            (_hits_redis(client, [ip_key])[0] if client is not None else _hit(ip_key))
            > settings.ip_limit_per_hour
        ):
            _refuse_ip(window)
        domain_count = 0
        if domain_key:
            domain_count = (
                _hits_redis(client, [domain_key])[0] if client is not None else _hit(domain_key)
            )
    if domain_count > settings.domain_limit_per_hour:
        raise RateLimited(
            window.retry_after,
            _(
                "Too many signatures with addresses of this e-mail provider in the last hour. "
                "Try again later."
            ),
        )


def _refuse_ip(window: Window) -> None:
    raise RateLimited(
        window.retry_after,
        _("Too many signatures from your network in the last hour. Try again later."),
    )


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the server sees it (REMOTE_ADDR; behind a
    reverse proxy, the proxy must set it to the client's address)."""
    raw = str(request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ip_address(raw))
    except ValueError:
        return None
