"""The platform's health, as network administrators read it (NetworkPerm.HEALTH_VIEW).

Pure selectors: each reads a few rows and returns `Reading`s, each with an OK/late flag
against a threshold; nothing is written. Readings:

- the background task queue (django-tasks' database backend): tasks by status and the
  age of the oldest one waiting for a worker; with the immediate backend there is no
  queue (tasks run inside the request), which the reading says;
- the last run of `manage.py tick` (the `Heartbeat` row it writes at the end of each
  round): late after TICK_LATE;
- the register's last signed checkpoint: late when it is older than the hourly
  signing of the tick (CHECKPOINT_MAX_INTERVAL) plus a tick's slack, or when published
  entries wait for a signature for longer than CHECKPOINT_MIN_INTERVAL plus that slack;
- e-mails: queued ones whose delivery task seems lost (INFITAH_EMAIL_QUEUED_TIMEOUT),
  those waiting for a retry, and the dead letters (late when there is any);
- the open-data catalogue's and the openness index's incremental runs (each tick) and
  full runs (once a day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django_tasks_db.models import DBTaskResult, get_date_max

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from infitah.core.models import Heartbeat
from infitah.ledger.models import Checkpoint, RegisterHead
from infitah.ledger.register_services import (
    CHECKPOINT_MAX_INTERVAL,
    CHECKPOINT_MIN_INTERVAL,
)
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.opendata.models import SyncState
from infitah.opendata.sync import FULL_STATE_KEY as DATASETS_FULL_KEY
from infitah.opendata.sync import STATE_KEY as DATASETS_KEY
from infitah.openness.models import RunState
from infitah.openness.services import FULL_KEY as OPENNESS_FULL_KEY
from infitah.openness.services import RUN_KEY as OPENNESS_KEY

# `manage.py tick` runs every minute (docs/operations.md): five minutes without a round
# means it stopped.
TICK_KEY = "tick"
TICK_LATE = dt.timedelta(minutes=5)
# A task waiting this long for a worker means no worker runs (or too few).
TASK_WAIT_LATE = dt.timedelta(minutes=10)
# The tick signs hourly; give it one late round.
CHECKPOINT_LATE = CHECKPOINT_MAX_INTERVAL + TICK_LATE
# Published entries are signed within a minute of a round; give it one late round.
UNSIGNED_LATE = CHECKPOINT_MIN_INTERVAL + TICK_LATE
# The incremental runs stamp their state on each round of the tick.
SYNC_LATE = 2 * TICK_LATE
# The full runs happen once a day (the first round after local midnight).
FULL_SYNC_LATE = dt.timedelta(hours=25)

_IMMEDIATE = "immediate"


@dataclass(frozen=True)
class Reading:
    """One reading of the panel: `value` says what was read, `is_ok` whether it is
    within `threshold` (None: no threshold, e.g. a count that is fine at any size)."""

    key: str
    label: str | Promise
    is_ok: bool
    value: str
    at: dt.datetime | None = None
    threshold: dt.timedelta | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # What the process reported of its last run (the tick's summary line), as written.
    detail: str = ""

    @property
    def limit(self) -> str:
        """The threshold in words ("" when there is none)."""
        return duration(self.threshold) if self.threshold is not None else ""


def duration(span: dt.timedelta) -> str:
    """A duration in words, rounded down to the minute: "3 minutes", "1 hour 5 minutes",
    "3 days" (from two days on, in whole days)."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if seconds < 2 * 86400:
        hours, minutes = seconds // 3600, seconds % 3600 // 60
        text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        if minutes:
            text += " " + ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        return text
    days = seconds // 86400
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def _ago(at: dt.datetime, now: dt.datetime) -> str:
    return _("%(duration)s ago") % {"duration": duration(now - at)}


def task_backend_kind() -> str:
    """ "database" or "immediate": how the default task backend runs tasks."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    return _IMMEDIATE if _IMMEDIATE in backend.lower() else "database"


def task_queue_reading(*, now: dt.datetime) -> Reading:
    """The task queue: counts by status, and the oldest task that waits for a worker
    (ready, and due): one query."""
    label = gettext_lazy("Background tasks")
    if task_backend_kind() == _IMMEDIATE:
        return Reading(
            key="tasks",
            label=label,
            is_ok=True,
            value=_(
                "Immediate backend: tasks run inside the request that queues them; there "
                "is no queue to watch."
            ),
        )
    ready = Q(status="READY")
    unscheduled = ready & Q(run_after=get_date_max())
    due = ready & Q(run_after__lte=now)
    stats: dict[str, Any] = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=ready),
        running=Count("pk", filter=Q(status="RUNNING")),
        failed=Count("pk", filter=Q(status="FAILED")),
        successful=Count("pk", filter=Q(status="SUCCESSFUL")),
        oldest_unscheduled=Min("enqueued_at", filter=unscheduled),
        oldest_due=Min("run_after", filter=due),
    )
    waiting = [at for at in (stats["oldest_unscheduled"], stats["oldest_due"]) if at]
    oldest = min(waiting) if waiting else None
    counts = {k: int(stats[k]) for k in ("ready", "running", "failed", "successful")}
    value = (
        _("Waiting: %(ready)d; running: %(running)d; failed: %(failed)d; done: %(successful)d.")
        % counts
    )
    if oldest is not None:
        value += " " + _("The oldest waiting task was queued %(ago)s.") % {"ago": _ago(oldest, now)}
    return Reading(
        key="tasks",
        label=label,
        is_ok=oldest is None or now - oldest <= TASK_WAIT_LATE,
        value=value,
        at=oldest,
        threshold=TASK_WAIT_LATE,
        counts=counts,
    )


def tick_reading(*, now: dt.datetime) -> Reading:
    """The end of the last round of `manage.py tick`."""
    beat = Heartbeat.objects.filter(key=TICK_KEY).first()
    label = gettext_lazy("Periodic sweeps (tick)")
    if beat is None:
        return Reading(
            key="tick",
            label=label,
            is_ok=False,
            value=_("Never ran on this database."),
            threshold=TICK_LATE,
        )
    return Reading(
        key="tick",
        label=label,
        is_ok=now - beat.at <= TICK_LATE,
        value=_("Last round ended %(ago)s.") % {"ago": _ago(beat.at, now)},
        at=beat.at,
        threshold=TICK_LATE,
        detail=beat.detail,
    )


def checkpoint_reading(*, now: dt.datetime) -> Reading:
    """The register's last signed checkpoint against the register's size: two queries."""
    label = gettext_lazy("Register checkpoint")
    size = RegisterHead.objects.filter(pk=1).values_list("tree_size", flat=True).first() or 0
    last = Checkpoint.objects.order_by("-timestamp", "-id").first()
    if last is None:
        if size == 0:
            return Reading(
                key="checkpoint",
                label=label,
                is_ok=True,
                value=_("The register is empty: nothing to sign yet."),
                threshold=CHECKPOINT_LATE,
                counts={"unsigned": 0},
            )
        return Reading(
            key="checkpoint",
            label=label,
            is_ok=False,
            value=ngettext(
                "No checkpoint signed yet; %(n)d entry waits for one.",
                "No checkpoint signed yet; %(n)d entries wait for one.",
                size,
            )
            % {"n": size},
            threshold=CHECKPOINT_LATE,
            counts={"unsigned": size},
        )
    unsigned = max(0, size - last.tree_size)
    age = now - last.timestamp
    is_ok = age <= CHECKPOINT_LATE and (unsigned == 0 or age <= UNSIGNED_LATE)
    value = _("Last checkpoint signed %(ago)s, over %(size)d entries.") % {
        "ago": _ago(last.timestamp, now),
        "size": last.tree_size,
    }
    if unsigned:
        value += " " + ngettext(
            "%(n)d newer entry is not signed yet.",
            "%(n)d newer entries are not signed yet.",
            unsigned,
        ) % {"n": unsigned}
    return Reading(
        key="checkpoint",
        label=label,
        is_ok=is_ok,
        value=value,
        at=last.timestamp,
        threshold=CHECKPOINT_LATE,
        counts={"unsigned": unsigned},
    )


def email_readings(*, now: dt.datetime) -> list[Reading]:
    """E-mails waiting (queued, or failed and waiting for a retry) and dead letters:
    one query."""
    stats: dict[str, Any] = OutboundEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=EmailStatus.QUEUED)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        dead=Count("pk", filter=Q(status=EmailStatus.DEAD)),
        oldest_queued=Min("created_at", filter=Q(status=EmailStatus.QUEUED)),
    )
    queued, failed, dead = int(stats["queued"]), int(stats["failed"]), int(stats["dead"])
    oldest: dt.datetime | None = stats["oldest_queued"]
    lost_after = dt.timedelta(seconds=int(settings.INFITAH_EMAIL_QUEUED_TIMEOUT)) + TICK_LATE
    value = _("Queued: %(queued)d; waiting for a retry: %(failed)d.") % {
        "queued": queued,
        "failed": failed,
    }
    if oldest is not None:
        value += " " + _("The oldest queued e-mail was queued %(ago)s.") % {
            "ago": _ago(oldest, now)
        }
    waiting = Reading(
        key="emails",
        label=gettext_lazy("E-mails waiting"),
        is_ok=oldest is None or now - oldest <= lost_after,
        value=value,
        at=oldest,
        threshold=lost_after,
        counts={"queued": queued, "failed": failed},
    )
    dead_letters = Reading(
        key="dead_letters",
        label=gettext_lazy("Undeliverable e-mails"),
        is_ok=dead == 0,
        value=ngettext(
            "%(n)d e-mail failed every attempt.", "%(n)d e-mails failed every attempt.", dead
        )
        % {"n": dead}
        if dead
        else _("None."),
        counts={"dead": dead},
    )
    return [waiting, dead_letters]


def _run_reading(
    key: str, label: str | Promise, at: dt.datetime | None, late: dt.timedelta, now: dt.datetime
) -> Reading:
    if at is None:
        return Reading(
            key=key,
            label=label,
            is_ok=False,
            value=_("Never ran on this database."),
            threshold=late,
        )
    return Reading(
        key=key,
        label=label,
        is_ok=now - at <= late,
        value=_("Last run %(ago)s.") % {"ago": _ago(at, now)},
        at=at,
        threshold=late,
    )


def sync_readings(*, now: dt.datetime) -> list[Reading]:
    """The open-data catalogue's and the openness index's last runs: two queries."""
    datasets = dict(
        SyncState.objects.filter(key__in=[DATASETS_KEY, DATASETS_FULL_KEY]).values_list(
            "key", "synced_at"
        )
    )
    openness = dict(
        RunState.objects.filter(key__in=[OPENNESS_KEY, OPENNESS_FULL_KEY]).values_list(
            "key", "ran_at"
        )
    )
    return [
        _run_reading(
            "datasets",
            gettext_lazy("Open-data catalogue (each round)"),
            datasets.get(DATASETS_KEY),
            SYNC_LATE,
            now,
        ),
        _run_reading(
            "datasets_full",
            gettext_lazy("Open-data catalogue (daily full run)"),
            datasets.get(DATASETS_FULL_KEY),
            FULL_SYNC_LATE,
            now,
        ),
        _run_reading(
            "openness",
            gettext_lazy("Openness index (each round)"),
            openness.get(OPENNESS_KEY),
            SYNC_LATE,
            now,
        ),
        _run_reading(
            "openness_full",
            gettext_lazy("Openness index (daily full run)"),
            openness.get(OPENNESS_FULL_KEY),
            FULL_SYNC_LATE,
            now,
        ),
    ]


def health_readings(*, now: dt.datetime | None = None) -> list[Reading]:
    """Every reading of the panel, in the page's order: at most eight queries."""
    now = now or timezone.now()
    return [
        tick_reading(now=now),
        task_queue_reading(now=now),
        checkpoint_reading(now=now),
        *email_readings(now=now),
        *sync_readings(now=now),
    ]


def late_readings(readings: list[Reading]) -> list[Reading]:
    return [reading for reading in readings if not reading.is_ok]
