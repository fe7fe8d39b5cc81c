"""The JSON export of a programme and its published schema: realistic programmes
(nested milestones, a cancelled one, indicators with values, adopted versions) validate;
broken documents do not; the export costs the same queries with 5 or 100 commitments.

`realistic` and `bulk_world` build the programmes the other exchange and API tests use.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import User
from infitah.openplan import exchange
from infitah.openplan.models import (
    Commitment,
    Indicator,
    IndicatorValue,
    Milestone,
    Phase,
    Programme,
    Proposal,
)
from infitah.openplan.services import adoption, core
from infitah.openplan.tests.conftest import MakeItem
from infitah.openplan.workflow import PhaseKind, ProposalKind, ProposalStatus

pytestmark = pytest.mark.django_db

jsonschema = pytest.importorskip("jsonschema")

# Texts that a CSV or a spreadsheet gets wrong if it can: Arabic, commas, quotes, line
# breaks (both kinds), formula-looking starts, a leading apostrophe.
AWKWARD = [
    'نشر "المعطيات" المفتوحة، بسرعة',
    '=HYPERLINK("http://example.test","clic")',
    "+212 5 28 00 00 00",
    "-  une liste, avec virgule",
    "@moi",
    "'déjà entre apostrophes'",
    "'=1+1",
    "Ligne 1\nLigne 2\r\nLigne 3",
]


def realistic(programme: Programme, actor: User, *, commitments: int = 3) -> Programme:
    """`commitments` commitments through the services, each with awkward texts, a budget,
    dates, a milestone with two sub-milestones (one done) and a cancelled one, an
    indicator with two values, and a published proposal it came from; the programme's
    timeline."""
    axes = list(programme.axes.order_by("order"))
    Phase.objects.create(
        programme=programme,
        kind=PhaseKind.COCREATION,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    Phase.objects.create(
        programme=programme, kind=PhaseKind.IMPLEMENTATION, starts_on=dt.date(2027, 1, 1)
    )
    for n in range(commitments):
        text = AWKWARD[n % len(AWKWARD)]
        commitment = core.commitment_create(
            programme=programme,
            actor=actor,
            data={
                "axis": axes[n % len(axes)].pk if axes else "",
                "title_ar": f"الالتزام {n + 1}: {text}",
                "title_fr": f"Engagement {n + 1}",
                "problem_ar": text,
                "problem_fr": AWKWARD[(n + 1) % len(AWKWARD)],
                "description_fr": "Quoi, comment ; « guillemets »",
                "solution_ar": "حل\nعلى سطرين",
                "value_access": True,
                "value_participation": n % 2 == 0,
                "tag_technology": n % 2 == 1,
                "lead_unit": "مصلحة التواصل",
                "partners_government": "Ministère de l'Intérieur",
                "partners_civil_society": "Association Amal, Réseau REMACTO",
                "budget": "150000.50",
                "budget_line": "=2.3.1",
                "starts_on": "2027-01-01",
                "ends_on": "2028-06-30",
            },
        )
        top = core.milestone_create(
            commitment=commitment,
            actor=actor,
            data={
                "title_ar": "إعداد المنصة",
                "title_fr": text,
                "weight": "3",
                "starts_on": "2027-01-01",
                "ends_on": "2027-06-30",
            },
        )
        done = core.milestone_create(
            commitment=commitment,
            actor=actor,
            data={"title_fr": "Cahier des charges", "parent": top.pk, "weight": "1"},
        )
        core.milestone_create(
            commitment=commitment,
            actor=actor,
            data={"title_ar": "الإطلاق", "parent": top.pk, "weight": "1"},
        )
        cancelled = core.milestone_create(
            commitment=commitment, actor=actor, data={"title_fr": "Abandonné"}
        )
        core.milestone_create(commitment=commitment, actor=actor, data={"title_ar": "التقييم"})
        core.milestone_progress_set(milestone=done, progress=Decimal(100))
        core.milestone_progress_set(milestone=cancelled, progress=Decimal(0), cancelled=True)
        indicator = Indicator.objects.create(
            commitment=commitment,
            name_ar="نسبة المعطيات المنشورة",
            name_fr="Part des données publiées",
            unit="%",
            baseline=Decimal("12.5"),
            baseline_on=dt.date(2026, 12, 31),
            target=Decimal(80),
        )
        IndicatorValue.objects.create(
            indicator=indicator, measured_on=dt.date(2027, 6, 30), value=Decimal("30.25")
        )
        IndicatorValue.objects.create(
            indicator=indicator,
            measured_on=dt.date(2027, 12, 31),
            value=Decimal(45),
            source_url="https://example.test/rapport",
        )
        proposal = Proposal.objects.create(
            programme=programme,
            kind=ProposalKind.SOLUTION,
            text="نشر الميزانية",
            recorded_by=actor,
        )
        hidden = Proposal.objects.create(
            programme=programme,
            kind=ProposalKind.SOLUTION,
            text="مخفي",
            recorded_by=actor,
            status=ProposalStatus.HIDDEN,
        )
        commitment.proposals.add(proposal, hidden)
    programme.refresh_from_db()
    return programme


def bulk_world(programme: Programme, n: int) -> None:
    """`n` commitments written at once (the services are tested elsewhere), each with a
    milestone, two sub-milestones, an indicator with a value and a proposal."""
    commitments = Commitment.objects.bulk_create(
        Commitment(programme=programme, number=i + 1, title_fr=f"Engagement {i + 1}")
        for i in range(n)
    )
    tops = Milestone.objects.bulk_create(
        Milestone(commitment=c, order=1, title_fr="Jalon", weight=Decimal(2)) for c in commitments
    )
    Milestone.objects.bulk_create(
        Milestone(commitment=top.commitment, parent=top, order=order, title_fr="Sous-jalon")
        for top in tops
        for order in (2, 3)
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(commitment=c, name_fr="Indicateur", baseline=Decimal(0), target=Decimal(10))
        for c in commitments
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, measured_on=dt.date(2027, 6, 30), value=Decimal(3))
        for i in indicators
    )
    user = programme.created_by
    proposals = Proposal.objects.bulk_create(
        Proposal(programme=programme, kind=ProposalKind.PROBLEM, text="مشكل", recorded_by=user)
        for _ in commitments
    )
    Commitment.proposals.through.objects.bulk_create(
        Commitment.proposals.through(commitment=c, proposal=p)
        for c, p in zip(commitments, proposals, strict=True)
    )


def _validate(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(exchange.PROGRAMME_SCHEMA)
    jsonschema.Draft202012Validator(
        exchange.PROGRAMME_SCHEMA, format_checker=jsonschema.FormatChecker()
    ).validate(document)


def test_the_schema_is_strict_draft_2020_12() -> None:
    schema = exchange.PROGRAMME_SCHEMA
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/api/v1/programmes/schema")
    jsonschema.Draft202012Validator.check_schema(schema)
    for name, definition in [("root", schema), *schema["$defs"].items()]:
        assert definition["type"] == "object", name
        assert definition["additionalProperties"] is False, name
        assert set(definition["required"]) == set(definition["properties"]), name
    export = schema["properties"]
    assert export["progress"] == {"maximum": 100, "minimum": 0, "type": "number"}
    assert export["status"]["enum"] == [
        "drafting",
        "consulting",
        "adopted",
        "evaluating",
        "closed",
        "abandoned",
    ]
    milestone = schema["$defs"]["ProgrammeMilestone"]["properties"]
    assert milestone["status"]["enum"] == ["not_started", "in_progress", "completed", "cancelled"]


def test_a_realistic_programme_validates(
    programme: Programme, focal_point: User, make_item: MakeItem
) -> None:
    realistic(programme, focal_point, commitments=3)
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)):
        document = exchange.programme_export(programme)
    _validate(document)
    assert document["status"] == "adopted"
    assert document["phase"] == "implementation"
    assert [p["kind"] for p in document["phases"]] == ["cocreation", "implementation"]
    first = document["commitments"][0]
    assert first["budget"] == 150000.5
    assert first["title"]["ar"].startswith("الالتزام 1")
    assert first["values"] == {
        "access_to_information": True,
        "civic_participation": True,
        "public_accountability": False,
    }
    assert len(first["proposals"]) == 1  # the hidden proposal is not shown
    top, cancelled, last = first["milestones"]
    assert [m["key"] for m in (top, cancelled, last)] == ["1.1", "1.2", "1.3"]
    assert [c["key"] for c in top["children"]] == ["1.1.1", "1.1.2"]
    assert top["children"][0]["status"] == "completed"
    assert top["children"][0]["progress"] == 100
    assert top["progress"] == 50 and top["status"] == "in_progress"
    assert top["weight"] == 3
    assert cancelled["cancelled"] is True and cancelled["status"] == "cancelled"
    # The cancelled one left out; the last one, without a weight, weighs the mean of the
    # weights given (3): (3 × 50 + 3 × 0) / 6.
    assert first["progress"] == 25
    assert first["completion"] == "limited"
    indicator = first["indicators"][0]
    assert (indicator["baseline"], indicator["target"]) == (12.5, 80)
    assert [v["value"] for v in indicator["values"]] == [30.25, 45]
    decision = document["versions"][0]["decision"]
    assert (decision["votes_for"], decision["votes_against"], decision["decision_number"]) == (
        20,
        2,
        "12/2026",
    )


def test_an_empty_programme_validates(programme: Programme) -> None:
    document = exchange.programme_export(programme)
    _validate(document)
    assert document["commitments"] == [] and document["phase"] is None


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("commitments"),
        lambda d: d.update(extra=1),
        lambda d: d.update(status="adopted_maybe"),
        lambda d: d.update(progress=100.5),
        lambda d: d["commitments"][0].update(progress=-1),
        lambda d: d["commitments"][0]["milestones"][0].update(status="done"),
        lambda d: d["commitments"][0]["milestones"][0]["children"][0].pop("weight"),
        lambda d: d["commitments"][0]["milestones"][0]["children"][0].update(weight=0),
        lambda d: d["commitments"][0].update(budget="150000.50"),
        lambda d: d["commitments"][0]["indicators"][0]["values"][0].update(value="30"),
        lambda d: d["commitments"][0]["title"].update(en="x"),
        lambda d: d["phases"][0].update(kind="nap"),
        lambda d: d["period"].update(starts_on="2027-13-45"),
    ],
)
def test_a_broken_document_fails(programme: Programme, focal_point: User, breakage: Any) -> None:
    realistic(programme, focal_point, commitments=1)
    document = copy.deepcopy(exchange.programme_export(programme))
    _validate(document)
    breakage(document)
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)


def _export_queries(programme: Programme) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as captured:
        document = exchange.programme_export(programme)
    return len(captured), document


def test_the_export_costs_the_same_queries_with_5_or_100_commitments(
    programme: Programme, collectivity_a: Any, focal_point: User
) -> None:
    from infitah.openplan.tests.conftest import PROGRAMME_DATA

    big = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data={**PROGRAMME_DATA}
    )
    bulk_world(programme, 5)
    bulk_world(big, 100)
    small_count, small = _export_queries(programme)
    big_count, document = _export_queries(big)
    assert small_count == big_count <= 10
    assert len(document["commitments"]) == 100
    assert len(document["commitments"][99]["milestones"][0]["children"]) == 2
    _validate(document)
    _validate(small)


def test_canonical_bytes_are_stable(programme: Programme, focal_point: User) -> None:
    realistic(programme, focal_point, commitments=2)
    first = exchange.export_bytes(exchange.programme_export(programme))
    again = exchange.export_bytes(exchange.programme_export(programme))
    assert first == again
    assert "نشر".encode() in first  # UTF-8, not \\u escapes
