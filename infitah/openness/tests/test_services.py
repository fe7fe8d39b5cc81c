"""Computing and storing the scores, the incremental update and the methods' versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.ledger.services import event_record
from infitah.opendata.models import Dataset, Frequency
from infitah.openness import services
from infitah.openness.items import ItemResult
from infitah.openness.models import DEFAULT_WEIGHTS, ITEMS, Method, RunState, Score
from infitah.openness.services import (
    method_create,
    openness_compute,
    openness_update_changed,
    score_compose,
)
from infitah.publication.models import Category
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MONTH = TODAY.replace(day=1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    """The clock stands at TODAY, noon (the current month is June 2026)."""
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield


def _a_little_of_everything(make: Make, a: Collectivity) -> None:
    # publication: 13 points of 16 per category of communes
    make.document(a, "communiques", date=TODAY - 3 * DAY, is_complete=True)
    # participation: one consultation open now, 0.4 × 1/2
    make.consultation(a, opens=TODAY - 5 * DAY, closes=TODAY + 20 * DAY)


def test_score_compose_weighs_the_measured_items_only() -> None:
    results = {code: ItemResult(0.0, {"records": 0}, []) for code in ITEMS}
    results["publication"] = ItemResult(0.5, {"records": 3}, [])
    results["information"] = ItemResult(None, {"records": 2}, [])
    results["council"] = ItemResult(1.0, {"records": 1}, [])
    weights = dict.fromkeys(ITEMS, 10) | {"publication": 30, "information": 50}
    score, has_data, items = score_compose(results=results, weights=weights)
    # measured weights: 30 + 7 × 10 = 100 (information left out)
    assert score == Decimal("25.0")  # 100 × (30 × 0.5 + 10 × 1) / 100
    assert has_data
    by_code = {item["code"]: item for item in items}
    assert [item["code"] for item in items] == list(ITEMS)
    assert by_code["information"] == {
        "code": "information",
        "weight": 50,
        "fraction": None,
        "points": None,
        "max_points": 0.0,
        "evidence": {"records": 2},
        "advice": [],
    }
    assert (by_code["publication"]["points"], by_code["publication"]["max_points"]) == (15.0, 30.0)
    assert sum(item["points"] or 0 for item in items) == pytest.approx(25.0)


def test_score_compose_without_data_is_zero_not_failure() -> None:
    results = {code: ItemResult(None, {"records": 0}, []) for code in ITEMS}
    score, has_data, items = score_compose(results=results, weights=DEFAULT_WEIGHTS)
    assert (score, has_data) == (Decimal("0.0"), False)
    assert all(item["points"] is None for item in items)


def test_compute_stores_every_collectivity_of_the_month(
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    region: Collectivity,
    prefecture: Collectivity,
) -> None:
    _a_little_of_everything(make, collectivity_a)
    assert openness_compute() == 4
    scores = {s.collectivity_id: s for s in Score.objects.filter(month=MONTH)}
    assert set(scores) == {collectivity_a.pk, collectivity_b.pk, region.pk, prefecture.pk}
    a = scores[collectivity_a.pk]
    publication = round(
        13
        / (16 * len([c for c in Category.objects.for_kind("commune") if c.counts_in_compliance])),
        4,
    )
    # measured: publication 20, participation 10, council 15, programme 10, budget 10,
    # open data 5 (no request, complaint or petition to judge)
    expected = Decimal(100 * (20 * publication + 10 * 0.2) / 70).quantize(Decimal("0.1"))
    assert a.score == expected
    assert a.has_data
    assert a.method == Method.objects.current()
    assert [item["code"] for item in a.items] == list(ITEMS)
    assert sum(item["points"] or 0 for item in a.items) == pytest.approx(float(a.score), abs=0.1)
    b = scores[collectivity_b.pk]
    assert (b.score, b.has_data) == (Decimal("0.0"), False)


def test_the_same_data_and_method_give_the_same_scores(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity, monkeypatch: Any
) -> None:
    _a_little_of_everything(make, collectivity_a)
    make.complaint(
        collectivity_b,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY + 20 * DAY,
    )
    openness_compute()
    first = list(Score.objects.order_by("collectivity_id").values_list("score", "items"))
    openness_compute()
    # Computed one collectivity at a time: the same again.
    monkeypatch.setattr(services, "CHUNK", 1)
    openness_compute()
    again = list(Score.objects.order_by("collectivity_id").values_list("score", "items"))
    assert again == first
    assert Score.objects.filter(month=MONTH).count() == len(first)


def test_a_past_month_is_never_rewritten(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    may = dt.date(2026, 5, 1)
    kept = Score.objects.create(
        collectivity=collectivity_a,
        month=may,
        method=Method.objects.current(),
        score=Decimal("50.0"),
        has_data=True,
        items=[],
        computed_at=at(may),
    )
    _a_little_of_everything(make, collectivity_a)
    openness_compute(today=dt.date(2026, 5, 20))
    kept.refresh_from_db()
    assert (kept.score, kept.items, kept.computed_at) == (Decimal("50.0"), [], at(may))
    # A missing past month is filled in, once.
    assert Score.objects.filter(collectivity=collectivity_b, month=may).exists()
    openness_compute()
    kept.refresh_from_db()
    assert kept.score == Decimal("50.0")
    assert Score.objects.filter(collectivity=collectivity_a, month=MONTH).exists()


def test_a_future_month_is_refused(collectivity_a: Collectivity) -> None:
    with pytest.raises(ValueError):
        openness_compute(today=dt.date(2026, 7, 1))
    assert not Score.objects.exists()


# --------------------------------------------------------------------------- methods


def test_a_new_method_is_a_new_version_and_recomputes(
    make: Make, collectivity_a: Collectivity, network_admin: User
) -> None:
    _a_little_of_everything(make, collectivity_a)
    openness_compute()
    before = Score.objects.get(collectivity=collectivity_a, month=MONTH)
    weights = dict.fromkeys(ITEMS, 0) | {"participation": 10}
    method = method_create(weights=weights, note="Participation only.", actor=network_admin)
    assert method.version == 2
    assert method.created_by == network_admin
    assert Method.objects.get(version=1).weights == DEFAULT_WEIGHTS  # kept as it was
    after = Score.objects.get(collectivity=collectivity_a, month=MONTH)
    assert after.method == method
    # Only participation weighs now: 0.2 → 20.0
    assert (before.score != after.score, after.score) == (True, Decimal("20.0"))
    event = Event.objects.get(action="openness.method_create")
    assert (event.actor, event.to_state, event.data["weights"]) == (network_admin, "v2", weights)


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({code: 10 for code in ITEMS if code != "budget"}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"budget": 101}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"budget": -1}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"budget": 2.5}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"budget": True}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"budget": "dix"}, "budget"),
        (dict.fromkeys(ITEMS, 10) | {"fame": 10}, "weights"),
        (dict.fromkeys(ITEMS, 0), "weights"),
        (dict(DEFAULT_WEIGHTS), "weights"),
        (["publication"], "weights"),
    ],
)
def test_bad_weights_are_refused_and_nothing_changes(
    weights: Any, field: str, network_admin: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        method_create(weights=weights, note="Try.", actor=network_admin)
    assert field in refused.value.message_dict
    assert Method.objects.count() == 1
    assert not Event.objects.filter(action="openness.method_create").exists()


def test_a_method_needs_a_note(network_admin: User) -> None:
    weights = dict.fromkeys(ITEMS, 10)
    with pytest.raises(ValidationError) as refused:
        method_create(weights=weights, note="  ", actor=network_admin)
    assert "note" in refused.value.message_dict
    # Digits as text (a form's data) are whole numbers too.
    method = method_create(
        weights=dict.fromkeys(ITEMS, "10"), note="Equal weights.", actor=network_admin
    )
    assert method.weights == weights


# --------------------------------------------------------------------------- incremental


def _run_state(key: str, moment: dt.datetime) -> None:
    RunState.objects.update_or_create(key=key, defaults={"ran_at": moment})


def test_the_first_run_of_a_day_recomputes_everything(
    collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    assert openness_update_changed() == 0  # enqueued (run at once by the test backend)
    assert Score.objects.filter(month=MONTH).count() == Collectivity.objects.count()
    assert RunState.objects.filter(key=services.FULL_KEY).exists()
    # Later the same day, with nothing new: nothing recomputed.
    assert openness_update_changed(now=timezone.now() + dt.timedelta(minutes=5)) == 0


def test_an_event_recomputes_only_its_collectivity(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    openness_compute()
    stamps = dict(Score.objects.values_list("collectivity_id", "computed_at"))
    now = timezone.now()
    _run_state(services.FULL_KEY, now)
    _run_state(services.RUN_KEY, now)
    with time_machine.travel(now + dt.timedelta(minutes=1), tick=False):
        document = make.document(collectivity_a, "communiques", date=TODAY, is_complete=True)
        event_record(obj=document, action="publish", process="test", collectivity=collectivity_a)
    with time_machine.travel(now + dt.timedelta(minutes=2), tick=False):
        assert openness_update_changed() == 1
    after = dict(Score.objects.values_list("collectivity_id", "computed_at"))
    assert after[collectivity_a.pk] > stamps[collectivity_a.pk]
    assert {pk: at_ for pk, at_ in after.items() if pk != collectivity_a.pk} == {
        pk: at_ for pk, at_ in stamps.items() if pk != collectivity_a.pk
    }
    publication = Score.objects.get(collectivity=collectivity_a).items[0]
    assert publication["evidence"]["published"] == 1
    assert RunState.objects.get(key=services.RUN_KEY).ran_at == now + dt.timedelta(minutes=2)


def test_old_events_and_network_events_are_not_read_again(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    openness_compute()
    now = timezone.now()
    event_record(obj=collectivity_a, action="old", process="test", collectivity=collectivity_a)
    event_record(obj=collectivity_b, action="network", process="test")
    _run_state(services.FULL_KEY, now)
    _run_state(services.RUN_KEY, now + services.OVERLAP + dt.timedelta(seconds=1))
    with time_machine.travel(now + dt.timedelta(minutes=10), tick=False):
        assert openness_update_changed() == 0


def test_a_modified_dataset_counts_as_a_change(
    make: Make, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    openness_compute()
    now = timezone.now()
    _run_state(services.FULL_KEY, now)
    _run_state(services.RUN_KEY, now)
    # Created this morning, changed after the last run.
    dataset = make.dataset(collectivity_b, frequency=Frequency.CONTINUOUS, modified=TODAY)
    Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=now + dt.timedelta(seconds=30))
    with time_machine.travel(now + dt.timedelta(minutes=1), tick=False):
        assert openness_update_changed() == 1
    opendata = Score.objects.get(collectivity=collectivity_b).items[-1]
    assert opendata["evidence"]["datasets"] == 1
