"""Anti-abuse checks of online signing, tunable at run time (no deploy).

`IntegritySettings` (one row, pk=1) holds the limits and the refused e-mail domains; a
network administrator (NetworkPerm.INTEGRITY_MANAGE) edits it. It is read through the
cache (`SETTINGS_CACHE_SECONDS`) and kept in each process for `SETTINGS_MEMO_SECONDS`
(2 s); a save deletes the cached copy and the saving process's memo, so a change takes
effect at once in the process that saved it and within 2 s in every other process
sharing the cache (Redis in production).

Rate counters live in the cache, never in the database (no write, no lock on the hot
path): one counter per petition and IP address, one per petition and e-mail domain, in
fixed windows of one hour. On Redis the counters of an attempt, or of a batch of
attempts, cost one round trip (a script of INCR, and EXPIRE at the first count, on the
cache's pooled connections); on other cache backends `cache.add` then `cache.incr`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
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


# Each key counted once and given its expiry at its first count, atomically (a script
# runs alone in Redis): the counts, in the order of the keys.
_HITS_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  counts[i] = n
end
return counts
"""


def _hits_script(client: Any, keys: list[str]) -> list[int]:
    """Count one hit on each key in the current window; the counts, in order. One
    command whatever the number of keys (EVALSHA of a script registered once per
    client): the counter exists from its first INCR and gets its expiry then, so it never
    outlives its window by more than a minute. Keys are made, not validated: they hold an
    IP address and a checked e-mail domain, nothing memcached would refuse."""
    script = getattr(client, "_infitah_hits_script", None)
    if script is None:
        script = client.register_script(_HITS_LUA)
        client._infitah_hits_script = script
    if not keys:
        return []
    return [
        int(n)
        for n in script(keys=[cache.make_key(key) for key in keys], args=[WINDOW_SECONDS + 60])
    ]


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
    refused = rate_check_many([(petition_id, ip, domain)], settings)[0]
    if refused is not None:
        kind, retry_after = refused
        message = ip_limited_message() if kind == "ip" else domain_limited_message()
        raise RateLimited(retry_after, message)


def ip_limited_message() -> str:
    return _("Too many signatures from your network in the last hour. Try again later.")


def domain_limited_message() -> str:
    return _(
        "Too many signatures with addresses of this e-mail provider in the last hour. "
        "Try again later."
    )


def rate_check_many(
    attempts: list[tuple[int, str | None, str]], settings: IntegritySettings | None = None
) -> list[tuple[str, int] | None]:
    """Count many signature attempts (petition id, IP, e-mail domain) at once, in order:
    for each, None if allowed, else ("ip" | "domain", retry_after). An attempt refused on
    its address does not count against its domain. On Redis, one script call for all."""
    settings = settings or integrity_settings_get()
    if not settings.enabled or not attempts:
        return [None] * len(attempts)
    window = current_window()
    keys: list[tuple[str, str]] = [
        (
            f"pet:rl:ip:{petition_id}:{ip}:{window.number}" if ip else "",
            f"pet:rl:dom:{petition_id}:{domain}:{window.number}" if domain else "",
        )
        for petition_id, ip, domain in attempts
    ]
    client = _redis()
    counts = (
        iter(_hits_script(client, [key for pair in keys for key in pair if key]))
        if client is not None
        else None
    )
    # Redis counts a whole batch first: a count of a domain is then lowered by the
    # earlier attempts of the batch refused on their address, which must not count.
    refunds: Counter[str] = Counter()
    result: list[tuple[str, int] | None] = []
    for ip_key, domain_key in keys:
        if counts is not None:
            ip_count = next(counts) if ip_key else 0
            domain_count = next(counts) - refunds[domain_key] if domain_key else 0
        else:
            ip_count = _hit(ip_key) if ip_key else 0
            over_ip = ip_count > settings.ip_limit_per_hour
            domain_count = _hit(domain_key) if domain_key and not over_ip else 0
        if ip_count > settings.ip_limit_per_hour:
            if counts is not None and domain_key:
                refunds[domain_key] += 1  # counted with it: uncounted below
            result.append(("ip", window.retry_after))
        elif domain_count > settings.domain_limit_per_hour:
            result.append(("domain", window.retry_after))
        else:
            result.append(None)
    if refunds and client is not None:
        pipe = client.pipeline(transaction=False)
        for key, times in refunds.items():
            pipe.decrby(cache.make_key(key), times)
        pipe.execute()
    return result


# ---- client address -------------------------------------------------------------------

# X-Forwarded-For entries looked at, from the right: enough for any real chain of
# proxies, and a forged header of thousands of entries costs no more than this.
FORWARDED_HOPS_MAX = 16
# Longer than any address in text (45 characters, plus a short IPv6 zone): not one.
ADDRESS_TEXT_MAX = 64
# Addresses parsed, kept per process: the proxies' and the busy clients' cost a dict
# lookup instead of ~5 µs of ipaddress; bounded, so forged headers only evict.
ADDRESS_MEMO = 4096
_MAPPED = IPv6Network("::ffff:0:0/96")

# Per IP version, the trusted networks as (network, mask) integers: a membership test
# is two integer operations per network, no object built.
_Trusted = dict[int, tuple[tuple[int, int], ...]]

# Parsed from settings.INFITAH_TRUSTED_PROXIES once per process (and again when a test
# changes the setting): replaced whole, never mutated.
_trusted: _Trusted | None = None


def _trusted_parse(value: Any) -> _Trusted:
    """The trusted proxies of the setting (addresses or CIDR networks; a list, or one
    string separated by commas or spaces); ImproperlyConfigured on a bad entry."""
    entries = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    found: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for entry in entries:
        try:
            network: IPv4Network | IPv6Network = ip_network(str(entry).strip(), strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"INFITAH_TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from exc
        if network.version == 6 and network.prefixlen >= 96 and network.subnet_of(_MAPPED):
            # ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are compared unmapped.
            network = IPv4Network(
                (int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96)
            )
        found[network.version].append((int(network.network_address), int(network.netmask)))
    return {version: tuple(nets) for version, nets in found.items() if nets}


def _trusted_networks() -> _Trusted:
    global _trusted
    trusted = _trusted
    if trusted is None:
        trusted = _trusted = _trusted_parse(getattr(settings, "INFITAH_TRUSTED_PROXIES", ()))
    return trusted


def trusted_proxies_forget() -> None:
    """Parse INFITAH_TRUSTED_PROXIES again on next use."""
    global _trusted
    _trusted = None


@receiver(setting_changed, dispatch_uid="petitions-trusted-proxies")
def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "INFITAH_TRUSTED_PROXIES":
        trusted_proxies_forget()


# (canonical text, integer value, IP version)
_Address = tuple[str, int, int]


@lru_cache(maxsize=ADDRESS_MEMO)
def _address_parse(raw: str) -> _Address | None:
    try:
        found: IPv4Address | IPv6Address = ip_address(raw)
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        found = found.ipv4_mapped
    return str(found), int(found), found.version


def _address(raw: str) -> _Address | None:
    """`raw` as an address (IPv4-mapped IPv6 unmapped), or None when it is not one."""
    raw = raw.strip()
    return _address_parse(raw) if len(raw) <= ADDRESS_TEXT_MAX else None


def _is_trusted(address: _Address, trusted: _Trusted) -> bool:
    _text, value, version = address
    return any(value & mask == net for net, mask in trusted.get(version, ()))


def client_ip_meta(meta: Mapping[str, Any]) -> str | None:
    """The client's address from a WSGI environ (or request.META); None if unknown.

    REMOTE_ADDR, unless it is one of settings.INFITAH_TRUSTED_PROXIES: then the
    X-Forwarded-For list is read from the right (each proxy appends the address it got
    the request from), skipping trusted proxies, and the first other address is the
    client's. Only a trusted proxy's header is believed: anyone can send one. A malformed
    entry (a port, a name, "unknown", an empty item) gives REMOTE_ADDR: the chain cannot
    be followed past it. Every entry a trusted proxy: the leftmost.
    """
    remote = _address(str(meta.get("REMOTE_ADDR") or ""))
    if remote is None:
        return None
    trusted = _trusted_networks()
    if not trusted or not _is_trusted(remote, trusted):
        return remote[0]
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if not forwarded:
        return remote[0]
    hop = remote
    # Beyond FORWARDED_HOPS_MAX entries, the leftmost item holds the rest of the header,
    # which is not an address: REMOTE_ADDR.
    for raw in reversed(str(forwarded).rsplit(",", FORWARDED_HOPS_MAX)):
        found = _address(raw)
        if found is None:
            return remote[0]
        hop = found
        if not _is_trusted(hop, trusted):
            break
    return hop[0]


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from: REMOTE_ADDR, or behind a trusted reverse proxy
    (settings.INFITAH_TRUSTED_PROXIES) the client's address from X-Forwarded-For."""
    return client_ip_meta(request.META)
