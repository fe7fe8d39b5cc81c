"""The open-data sources of the opening programme (infitah/opendata/sources/programme.py):
commitments, milestones and indicators of the adopted programmes.

A's programme is built through the opening programme's services (axes, commitments,
milestones with parts, indicators and their values) and adopted by the engine's step;
a programme still in co-creation, an abandoned one, and a programme of a collectivity
outside the network are never there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.cases.services import case_transition
from infitah.finance.tests.budget_public_world import network_commune
from infitah.opendata.sources import programme as sources
from infitah.opendata.tests.test_sources_participation import (
    SITE,
    all_cells,
    assert_well_formed,
    table_errors,
)
from infitah.openplan.models import Commitment, Indicator, IndicatorValue, Milestone, Programme
from infitah.openplan.process import PROCESS
from infitah.openplan.services import core, monitoring
from infitah.openplan.tests.conftest import PROGRAMME_DATA
from infitah.openplan.workflow import Action, Kind, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.INFITAH_SITE_URL = SITE


@pytest.fixture
def focal(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


def programme_of(collectivity: Collectivity, status: str, title: str) -> Programme:
    """A programme written with the ORM, with one commitment, one milestone and one
    indicator."""
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=Kind.OGP_LOCAL,
        status=status,
        title_ar=title,
        title_fr=title,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    commitment = Commitment.objects.create(programme=programme, number=1, title_ar=f"{title} 1")
    Milestone.objects.create(commitment=commitment, title_ar=f"{title} م")
    Indicator.objects.create(commitment=commitment, name_ar=f"{title} ؤ", baseline=0, target=1)
    return programme


@pytest.fixture
def plan(
    focal: User,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    prefecture: Collectivity,
) -> dict[str, Any]:
    """A's programme 2027–2028 adopted: commitment 1 (on the first axis, with a budget)
    has milestone A (weight 3) with parts A1 (done) and A2, then milestone B (cancelled),
    and an indicator measured twice; commitment 2 has nothing more, and an indicator not
    measured yet. Never public: A's programme in co-creation and its abandoned one, B's
    adopted programme (B is outside the network). C, a network member, has its own."""
    programme = core.programme_create(collectivity=collectivity_a, actor=focal, data=PROGRAMME_DATA)
    axis = core.axis_save(
        programme=programme, actor=focal, data={"title_ar": "الحكامة", "title_fr": "Gouvernance"}
    )
    first = core.commitment_create(
        programme=programme,
        actor=focal,
        data={
            "axis": axis.pk,
            "title_ar": "نشر المعطيات المفتوحة",
            "title_fr": "Publier les données ouvertes",
            "problem_ar": "صعوبة الولوج إلى المعلومات",
            "value_access": True,
            "tag_technology": True,
            "lead_unit": "مصلحة التواصل",
            "budget": "250000",
            "budget_line": "20.10.30.11",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        },
    )
    second = core.commitment_create(
        programme=programme, actor=focal, data={"title_fr": "Budget participatif"}
    )
    make = core.milestone_create
    a = make(
        commitment=first,
        actor=focal,
        data={"title_ar": "أ", "title_fr": "A", "weight": "3", "ends_on": "2027-06-30"},
    )
    a1 = make(commitment=first, actor=focal, data={"title_ar": "أ1", "parent": a.pk})
    a2 = make(commitment=first, actor=focal, data={"title_ar": "أ2", "parent": a.pk})
    b = make(commitment=first, actor=focal, data={"title_fr": "B"})
    case_transition(PROCESS, programme, Action.ADOPT, actor=focal)
    core.milestone_progress_set(milestone=a1, progress=D(100))
    core.milestone_progress_set(milestone=b, progress=D(0), cancelled=True)
    indicator = monitoring.indicator_save(
        commitment=first,
        actor=focal,
        data={
            "name_ar": "عدد مجموعات المعطيات المنشورة",
            "name_fr": "Nombre de jeux de données publiés",
            "unit": "مجموعة",
            "baseline": "0",
            "baseline_on": "2026-01-01",
            "target": "40",
            "target_on": "2028-12-31",
        },
    )
    for day, value, source in (
        ("2026-09-30", "12.5", "https://data.example.test/q3"),
        ("2026-06-30", "5", ""),
    ):
        monitoring.indicator_value_record(
            indicator=indicator,
            actor=focal,
            data={"measured_on": day, "value": value, "note": "أول نشر", "source_url": source},
        )
    waiting = monitoring.indicator_save(
        commitment=second,
        actor=focal,
        data={"name_fr": "Projets retenus", "baseline": "0", "target": "10"},
    )
    drafting = core.programme_create(
        collectivity=collectivity_a,
        actor=focal,
        data={**PROGRAMME_DATA, "title_ar": "مسودة سرية", "title_fr": "Brouillon secret"},
    )
    core.commitment_create(programme=drafting, actor=focal, data={"title_ar": "التزام سري"})
    abandoned = programme_of(collectivity_a, Status.ABANDONED, "متخلى عنه")
    outside = programme_of(collectivity_b, Status.ADOPTED, "خارج الشبكة")
    collectivity_c = network_commune(prefecture, "commune-c", 50_000)
    elsewhere = programme_of(collectivity_c, Status.CLOSED, "برنامج ج")
    return {
        "programme": Programme.objects.get(pk=programme.pk),
        "first": first,
        "second": second,
        "milestones": {"a": a, "a1": a1, "a2": a2, "b": b},
        "indicator": indicator,
        "waiting": waiting,
        "drafting": drafting,
        "abandoned": abandoned,
        "outside": outside,
        "c": collectivity_c,
        "elsewhere": elsewhere,
    }


PROGRAMME_CELLS = {
    "programme_reference": "PRG-2027-1",
    "programme_title_ar": "برنامج انفتاح جماعة أيت ملول",
    "programme_title_fr": "Programme d'ouverture d'Aït Melloul",
    "programme_kind": "remacto",
    "programme_status": "adopted",
    "programme_starts_on": "2027-01-01",
    "programme_ends_on": "2028-12-31",
}


def test_every_source_is_well_formed() -> None:
    assert [s.key for s in sources.SOURCES] == [
        "programme",
        "programme-milestones",
        "programme-indicators",
    ]
    assert_well_formed(sources.SOURCES)


def test_programme_gives_the_commitments_of_the_adopted_programmes(
    plan: dict[str, Any],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    programme, first = plan["programme"], plan["first"]
    source = sources.PROGRAMME
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    page = f"{SITE}/ar/c/commune-a/programmes/{programme.pk}/commitments"
    first.refresh_from_db()
    # A1 done (half of A, weight 3) and B cancelled: A's share only.
    assert first.progress == D("50.00")
    assert rows == [
        {
            "programme_id": programme.pk,
            **PROGRAMME_CELLS,
            "number": 1,
            "title_ar": "نشر المعطيات المفتوحة",
            "title_fr": "Publier les données ouvertes",
            "axis_ar": "الحكامة",
            "axis_fr": "Gouvernance",
            "lead_unit": "مصلحة التواصل",
            "value_access": True,
            "value_participation": False,
            "value_accountability": False,
            "technology": True,
            "budget": D("250000.00"),
            "budget_line": "20.10.30.11",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "milestones": 4,
            "progress": D("50.00"),
            "completion": "substantial",
            "url": f"{page}/1/",
        },
        {
            "programme_id": programme.pk,
            **PROGRAMME_CELLS,
            "number": 2,
            "title_ar": "",
            "title_fr": "Budget participatif",
            "axis_ar": None,
            "axis_fr": None,
            "lead_unit": "",
            "value_access": False,
            "value_participation": False,
            "value_accountability": False,
            "technology": False,
            "budget": None,
            "budget_line": "",
            "starts_on": None,
            "ends_on": None,
            "milestones": 0,
            "progress": D("0.00"),
            "completion": "not_started",
            "url": f"{page}/2/",
        },
    ]
    cells = all_cells(rows)
    assert "سري" not in cells and "secret" not in cells and "متخلى" not in cells
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, plan["c"].pk])
    assert [r["programme_status"] for r in source.rows(plan["c"])] == ["closed"]
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2027, 1, 1), dt.date(2028, 12, 31))


def test_milestones_come_each_followed_by_its_parts(
    plan: dict[str, Any], collectivity_a: Collectivity, django_assert_num_queries: Any
) -> None:
    m = plan["milestones"]
    source = sources.MILESTONES
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    shown = [
        (r["milestone_id"], r["parent_id"], r["level"], r["weight"], r["progress"], r["status"])
        for r in rows
    ]
    assert shown == [
        (m["a"].pk, None, 1, D("3.00"), D("50.00"), "in_progress"),
        (m["a1"].pk, m["a"].pk, 2, None, D("100.00"), "completed"),
        (m["a2"].pk, m["a"].pk, 2, None, D("0.00"), "not_started"),
        (m["b"].pk, None, 1, None, D("0.00"), "cancelled"),
    ]
    assert {r["commitment_number"] for r in rows} == {1}
    assert rows[0]["ends_on"] == "2027-06-30" and rows[0]["title_fr"] == "A"
    assert rows[1]["completed_on"] == timezone.localdate().isoformat()
    assert rows[0]["completed_on"] is None
    assert {k: rows[0][k] for k in PROGRAMME_CELLS} == PROGRAMME_CELLS
    assert table_errors(source, rows) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, plan["c"].pk])


def test_indicators_give_one_row_per_measured_value(
    plan: dict[str, Any],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    indicator, waiting = plan["indicator"], plan["waiting"]
    # A source that is not a web address is never given (the page does not draw it).
    IndicatorValue.objects.filter(indicator=indicator, measured_on="2026-06-30").update(
        source_url="javascript:alert(1)"
    )
    source = sources.INDICATORS
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    shown = [
        (r["indicator_id"], r["measured_on"], r["value"], r["note"], r["source_url"]) for r in rows
    ]
    assert shown == [
        (indicator.pk, "2026-06-30", D("5.00"), "أول نشر", None),
        (indicator.pk, "2026-09-30", D("12.50"), "أول نشر", "https://data.example.test/q3"),
        (waiting.pk, None, None, None, None),  # not measured yet: its baseline and target
    ]
    assert {**rows[0], "measured_on": None} == {
        "programme_id": plan["programme"].pk,
        **PROGRAMME_CELLS,
        "commitment_number": 1,
        "commitment_title_ar": "نشر المعطيات المفتوحة",
        "commitment_title_fr": "Publier les données ouvertes",
        "indicator_id": indicator.pk,
        "indicator_ar": "عدد مجموعات المعطيات المنشورة",
        "indicator_fr": "Nombre de jeux de données publiés",
        "unit": "مجموعة",
        "baseline": D("0.00"),
        "baseline_on": "2026-01-01",
        "target": D("40.00"),
        "target_on": "2028-12-31",
        "measured_on": None,
        "value": D("5.00"),
        "note": "أول نشر",
        "source_url": None,
        "url": f"{SITE}/ar/c/commune-a/programmes/{plan['programme'].pk}/commitments/1/",
    }
    assert (rows[2]["commitment_number"], rows[2]["baseline"], rows[2]["target"]) == (
        2,
        D("0.00"),
        D("10.00"),
    )
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, plan["c"].pk])


def test_a_programme_abandoned_after_adoption_leaves_every_source(
    plan: dict[str, Any], collectivity_a: Collectivity
) -> None:
    Programme.objects.filter(pk=plan["programme"].pk).update(status=Status.ABANDONED)
    for source in sources.SOURCES:
        assert list(source.rows(collectivity_a)) == []
        assert collectivity_a.pk not in source.holders()
        assert source.temporal is not None
        assert source.temporal(collectivity_a) == (None, None)
