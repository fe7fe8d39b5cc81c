"""Writes of the openness index (docs/openness.md): the monthly scores and the methods.

- `openness_compute` computes every item for a set of collectivities (items.py, grouped
  queries, by chunks of CHUNK collectivities so that memory does not grow with the
  network) and upserts their score of the month;
- `openness_update_changed` (run by `manage.py tick`) recomputes only the collectivities
  that changed since its last run (new events of the case history, modified datasets),
  and once a day enqueues the recomputation of all of them (facts that change with time
  alone: a deadline passing, a document growing old);
- `method_create` records a new version of the weights and enqueues the recomputation
  of the month with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django_tasks import task

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.ledger.services import event_record
from infitah.lib.bounds import whole_number
from infitah.lib.cleaning import Errors, clean_text, raise_errors
from infitah.opendata.models import Dataset
from infitah.openness.items import COMPUTE, ItemResult, kinds_get
from infitah.openness.models import ITEMS, Method, RunState, Score
from infitah.territories.models import Collectivity, Kind

# Collectivities computed together: the items' queries take this many ids at once, and
# the memory used is that of one chunk whatever the size of the network.
CHUNK = 200
# RunState keys: the incremental update's last reading of the event log, and the last
# day every collectivity was recomputed.
RUN_KEY = "openness"
FULL_KEY = "openness.full"
# The incremental update reads again the events of this long before its last run: an
# event is stamped when its transaction starts, and may commit a little after a run has
# read the log.
OVERLAP = dt.timedelta(minutes=2)
WEIGHT_MAX = 100
NOTE_MAX = 2_000
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def month_of(day: dt.date) -> dt.date:
    """The first day of `day`'s month: the key of a monthly score."""
    return day.replace(day=1)


def _quantize(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def score_compose(
    *, results: Mapping[str, ItemResult], weights: Mapping[str, int]
) -> tuple[Decimal, bool, list[dict[str, Any]]]:
    """The score (0–100, one decimal), whether there is any data, and the items' JSON.

    An item with no case to judge (fraction None) counts in neither sum: the score is
    100 × Σ(weight × fraction) / Σ(weight) over the measured items. Each item's
    `max_points` is its share of those 100 points and `points` what it earned, so that
    the points add up to the score (before its rounding). A collectivity whose items
    looked at nothing at all (every `records` 0) has no data: score 0, `has_data` False.
    Exact decimal arithmetic on the rounded fractions: the same data gives the same JSON.
    """
    measured = sum(
        (Decimal(weights.get(code, 0)) for code in ITEMS if results[code].fraction is not None),
        Decimal(0),
    )
    has_data = any(results[code].evidence.get("records", 0) for code in ITEMS)
    total = Decimal(0)
    items: list[dict[str, Any]] = []
    for code in ITEMS:
        result = results[code]
        weight = int(weights.get(code, 0))
        points: float | None = None
        max_points = Decimal(0)
        if result.fraction is not None and measured:
            max_points = HUNDRED * weight / measured
            earned = max_points * Decimal(str(result.fraction))
            total += earned
            points = float(_quantize(earned, CENT))
        items.append(
            {
                "code": code,
                "weight": weight,
                "fraction": result.fraction,
                "points": points,
                "max_points": float(_quantize(max_points, CENT)),
                "evidence": result.evidence,
                "advice": list(result.advice),
            }
        )
    score = _quantize(total, TENTH) if has_data else Decimal("0.0")
    return min(max(score, Decimal(0)), HUNDRED), has_data, items


def _chunks(ids: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def openness_compute(
    *,
    collectivity_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    method: Method | None = None,
) -> int:
    """Compute and store the score of the month of `today` (default: today) for
    `collectivity_ids` (default: every collectivity of the tree) with `method` (default:
    the current one); returns the number of collectivities computed.

    The current month's row is created or replaced (one bulk upsert per chunk); a past
    month's row is only created where missing, never rewritten (the history). A future
    month is refused (ValueError). Deterministic: the same data and method give the same
    scores and items.
    """
    this_month = month_of(timezone.localdate())
    today = today or timezone.localdate()
    month = month_of(today)
    if month > this_month:
        raise ValueError("openness scores are not computed for a future month")
    method = method or Method.objects.current()
    weights = {code: int(method.weights.get(code, 0)) for code in ITEMS}
    if collectivity_ids is None:
        ids = list(Collectivity.objects.territorial().order_by("pk").values_list("pk", flat=True))
    else:
        # Never the network's own space (not a territory, never scored), whatever the
        # caller names (e.g. the tick's changed collectivities: its events count).
        network = set(Collectivity.objects.filter(kind=Kind.NETWORK).values_list("pk", flat=True))
        ids = sorted(set(collectivity_ids) - network)
    computed = 0
    for chunk in _chunks(ids, CHUNK):
        kinds = kinds_get(chunk)
        results = {
            code: compute(collectivity_ids=chunk, today=today, kinds=kinds)
            for code, compute in COMPUTE.items()
        }
        now = timezone.now()
        rows = []
        for collectivity_id in results[ITEMS[0]]:
            score, has_data, items = score_compose(
                results={code: results[code][collectivity_id] for code in ITEMS}, weights=weights
            )
            rows.append(
                Score(
                    collectivity_id=collectivity_id,
                    month=month,
                    method=method,
                    score=score,
                    has_data=has_data,
                    items=items,
                    computed_at=now,
                )
            )
        if month == this_month:
            Score.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["collectivity", "month"],
                update_fields=["method", "score", "has_data", "items", "computed_at"],
            )
        else:
            Score.objects.bulk_create(rows, ignore_conflicts=True)
        computed += len(rows)
        # Released before the next chunk is built: memory is that of one chunk.
        del results, rows
    return computed


@task()
def openness_recompute() -> int:
    """Recompute every collectivity's score of the current month with the current method
    (idempotent: a re-run writes the same scores)."""
    return openness_compute()


def changed_collectivities(*, since: dt.datetime) -> list[int]:
    """The collectivities with something new since `since` (one query): an event of the
    case history (every case app, the publication of a document, its new versions and
    withdrawal, budgets and programmes record one) or a dataset modified. Both are read
    by an index on their time (`Event.at`, `Dataset.metadata_modified`)."""
    events = (
        Event.objects.filter(at__gt=since, collectivity__isnull=False)
        .values_list("collectivity_id", flat=True)
        .order_by()
    )
    datasets = (
        Dataset.objects.filter(metadata_modified__gt=since, collectivity__isnull=False)
        .values_list("collectivity_id", flat=True)
        .order_by()
    )
    return sorted(set(events.union(datasets)))


def openness_update_changed(*, now: dt.datetime | None = None) -> int:
    """The tick's update of the index; returns the number of collectivities recomputed
    here (0 when the full recomputation was enqueued instead).

    Once a day (the first run of a day, or the first run ever) it enqueues
    `openness_recompute` for every collectivity: the month's row of each, and the facts
    that change with time alone. Otherwise it recomputes the collectivities that changed
    since its previous run (`changed_collectivities`, reading OVERLAP further back).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    stamps = dict(RunState.objects.filter(key__in=[RUN_KEY, FULL_KEY]).values_list("key", "ran_at"))
    full, last = stamps.get(FULL_KEY), stamps.get(RUN_KEY)
    computed = 0
    if full is None or timezone.localdate(full) < today:
        with transaction.atomic():
            _stamp(FULL_KEY, now)
            openness_recompute.enqueue()
    elif last is not None:
        ids = changed_collectivities(since=last - OVERLAP)
        if ids:
            computed = openness_compute(collectivity_ids=ids, today=today)
    _stamp(RUN_KEY, now)
    return computed


def _stamp(key: str, moment: dt.datetime) -> None:
    """Record `moment` in the RunState row `key` (one UPDATE; created the first time)."""
    if not RunState.objects.filter(key=key).update(ran_at=moment):
        RunState.objects.update_or_create(key=key, defaults={"ran_at": moment})


def _clean_weights(errors: Errors, weights: object) -> dict[str, int]:
    if not isinstance(weights, Mapping):
        errors["weights"] = _("Give a weight to each item.")
        return {}
    unknown = sorted(str(code) for code in weights if code not in ITEMS)
    if unknown:
        errors["weights"] = _("Unknown items: %(items)s.") % {"items": ", ".join(unknown)}
    clean: dict[str, int] = {}
    for code in ITEMS:
        if code not in weights or weights[code] in (None, ""):
            errors[code] = _("Give this item a weight.")
            continue
        value = whole_number(weights[code], maximum=WEIGHT_MAX)
        if value is None:
            errors[code] = _("Enter a whole number from 0 to %(max)s.") % {"max": WEIGHT_MAX}
        else:
            clean[code] = value
    if len(clean) == len(ITEMS) and not any(clean.values()):
        errors["weights"] = _("At least one item needs a weight above 0.")
    return clean


@transaction.atomic
def method_create(*, weights: Mapping[str, object], note: str, actor: User | None) -> Method:
    """Record the next version of the method with `weights` and enqueue the
    recomputation of the current month's scores with it.

    Preconditions: the caller checked that `actor` is a network administrator (None: a
    command). Every item of ITEMS needs a whole weight from 0 to WEIGHT_MAX, not all 0,
    and `note` says what changed; otherwise a ValidationError keyed by item (or
    "weights", "note") and nothing is written. Side effects: a case-history event, the
    task `openness_recompute` (in this transaction). Earlier methods and the scores they
    produced are kept.
    """
    errors: Errors = {}
    clean = _clean_weights(errors, weights)
    text = clean_text(
        errors, {"note": note}, "note", NOTE_MAX, required=_("Say what changed and why.")
    )
    latest = Method.objects.select_for_update().order_by("-version").first()
    if not errors and latest is not None and latest.weights == clean:
        errors["weights"] = _("These are the weights of the current method already.")
    raise_errors(errors)
    method = Method.objects.create(
        version=(latest.version if latest is not None else 0) + 1,
        weights=clean,
        note=text,
        created_at=timezone.now(),
        created_by=actor,
    )
    event_record(
        obj=method,
        action="openness.method_create",
        actor=actor,
        process="" if actor is not None else "openness",
        to_state=f"v{method.version}",
        note=text,
        data={"weights": clean},
    )
    openness_recompute.enqueue()
    return method
