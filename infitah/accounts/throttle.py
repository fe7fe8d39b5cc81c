"""Counting attempts and locking: the brake on password guessing and e-mail flooding.

Each (scope, key) has one `Throttle` row. An attempt is *taken* before the password or
code is checked, in a transaction that locks the row: so many simultaneous requests
cannot all slip through before the first failure is written, and the right password is
refused while the key is locked. The `limit`-th attempt in a window locks the key (that
attempt is still checked); each lock in a row lasts twice the previous one, from
INFITAH_LOGIN_LOCKOUT up to INFITAH_LOGIN_LOCKOUT_MAX, so a lock is always bounded and an
attacker cannot shut a real user out for good. After a quiet period as long as the
longest lock, a key starts again from nothing, and its row is pruned.

Attempts made while locked are refused without being counted: they do not extend the
lock. A success clears an account's row (`clear`) and gives a client address its attempt
back (`give_back`), so an office behind one address can sign in all day.

Why the database and not the cache: the default cache (`locmem://`) lives in one worker
process, so each worker would count on its own and a restart would forget. A row is
shared by every worker, survives restarts, and an operator can see it in the admin and
delete it to unlock. Only attempts write (a sign-in costs a few short queries), which a
sign-in page can afford.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from infitah.accounts.models import Throttle, ThrottleScope


@dataclass(frozen=True)
class Guard:
    """One key to count an attempt against, and how many attempts a window allows."""

    scope: ThrottleScope
    key: str
    limit: int


def _window() -> timedelta:
    return timedelta(seconds=settings.INFITAH_LOGIN_FAILURE_WINDOW)


def _lock_max() -> timedelta:
    return timedelta(seconds=settings.INFITAH_LOGIN_LOCKOUT_MAX)


def _lock_length(lockouts: int) -> timedelta:
    """The length of the `lockouts`-th lock in a row (1, 2, 4… times the first)."""
    # In integers (no float or timedelta overflow), with the exponent itself bounded.
    seconds = settings.INFITAH_LOGIN_LOCKOUT * 2 ** min(max(lockouts - 1, 0), 64)
    return timedelta(seconds=min(seconds, settings.INFITAH_LOGIN_LOCKOUT_MAX))


def _is_forgotten(row: Throttle, now: datetime) -> bool:
    quiet_since = max(row.last_attempt_at, row.locked_until or row.last_attempt_at)
    return now - quiet_since > _lock_max()


@dataclass(frozen=True)
class Taken:
    """The answer of `take`."""

    # Set when a guard is locked: the attempt must not go ahead (nothing was counted).
    refused_until: datetime | None
    # The locks that this attempt started, with their end (for the log).
    locks: tuple[tuple[Guard, datetime], ...] = ()


def take(guards: list[Guard]) -> Taken:
    """Take one attempt from every guard, or none if one of them is locked.

    Locks the rows, always in the order of `guards`, so that two requests sharing keys
    queue rather than deadlock (callers list the account before the address).
    """
    now = timezone.now()
    with transaction.atomic():
        rows = [_row_locked(guard, now) for guard in guards]
        ends = [row.locked_until for row, _ in rows if row.locked_until and row.locked_until > now]
        if ends:
            return Taken(refused_until=max(ends))
        locks = []
        for guard, (row, _) in zip(guards, rows, strict=True):
            until = _count(row, guard.limit, now)
            if until is not None:
                locks.append((guard, until))
    if any(created for _, created in rows):
        # New keys are where the table grows: the time to drop the forgotten ones. After
        # the commit, so that it never holds a row lock while waiting for another.
        prune()
    return Taken(refused_until=None, locks=tuple(locks))


def clear(scope: ThrottleScope, key: str) -> None:
    """Forget `key` in `scope`: its attempts, its lock and its lockouts in a row."""
    Throttle.objects.filter(scope=scope, key=key).delete()


def give_back(scope: ThrottleScope, key: str) -> None:
    """Uncount one attempt of `key` (a success that should not count against it)."""
    Throttle.objects.filter(scope=scope, key=key, attempts__gt=0).update(
        attempts=models.F("attempts") - 1
    )


def prune() -> int:
    """Delete the rows forgotten after a quiet period; returns how many."""
    cutoff = timezone.now() - _lock_max()
    deleted, _ = (
        Throttle.objects.filter(last_attempt_at__lt=cutoff)
        .filter(models.Q(locked_until__isnull=True) | models.Q(locked_until__lt=cutoff))
        .delete()
    )
    return deleted


def _row_locked(guard: Guard, now: datetime) -> tuple[Throttle, bool]:
    return Throttle.objects.select_for_update().get_or_create(
        scope=guard.scope, key=guard.key, defaults={"last_attempt_at": now}
    )


def _count(row: Throttle, limit: int, now: datetime) -> datetime | None:
    """Count one attempt on the locked `row`; the end of the lock it starts, if any."""
    if _is_forgotten(row, now):
        row.lockouts = 0
        row.attempts = 0
        row.window_started_at = None
    if row.window_started_at is None or now - row.window_started_at >= _window():
        row.attempts = 0
        row.window_started_at = now
    row.attempts += 1
    row.last_attempt_at = now
    started = None
    if row.attempts >= limit:
        row.lockouts += 1
        row.locked_until = started = now + _lock_length(row.lockouts)
        row.attempts = 0
        row.window_started_at = None
    row.save()
    return started
