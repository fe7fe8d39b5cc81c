"""When a failed e-mail is tried again: exponential backoff with jitter, from the settings.

After attempt n fails, the e-mail waits FIRST_DELAY x 2^(n-1) seconds, at most MAX_DELAY,
lengthened by a random share of up to JITTER percent so that the e-mails of one outage do
not all come back in the same minute. Jitter only lengthens a wait: the nominal schedule is
the shortest one, and its span (about 50 hours by default) is what the README promises.
After INFITAH_EMAIL_RETRY_ATTEMPTS attempts in all, the e-mail is a dead letter.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings

# Not a secret: jitter only spreads retries in time.
_random = random.Random()  # noqa: S311


def attempts_max() -> int:
    """How many delivery attempts an e-mail gets before it is a dead letter."""
    return int(settings.INFITAH_EMAIL_RETRY_ATTEMPTS)


def _nominal(attempt: int) -> float:
    first = int(settings.INFITAH_EMAIL_RETRY_FIRST_DELAY)
    cap = int(settings.INFITAH_EMAIL_RETRY_MAX_DELAY)
    # The exponent is capped too: MAX_DELAY is reached long before, and a huge
    # ATTEMPTS setting must not build a huge integer.
    return float(min(cap, first * 2 ** min(attempt - 1, 40)))


def retry_delays() -> list[timedelta]:
    """The nominal waits after attempts 1 .. attempts_max() - 1 (no jitter)."""
    return [timedelta(seconds=_nominal(n)) for n in range(1, attempts_max())]


def retry_delay(attempt: int, *, draw: float | None = None) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based), jitter included.

    `draw` in [0, 1] picks the jitter (tests); by default it is random."""
    share = _random.random() if draw is None else min(max(draw, 0.0), 1.0)
    jitter = int(settings.INFITAH_EMAIL_RETRY_JITTER) / 100
    return timedelta(seconds=_nominal(attempt) * (1 + jitter * share))


def queued_timeout() -> timedelta:
    """How long a queued e-mail may wait for its task before the sweep queues it again."""
    return timedelta(seconds=int(settings.INFITAH_EMAIL_QUEUED_TIMEOUT))
