"""The network's page comparing every public programme (/<lang>/programmes/): what it
shows of each, its filters (kind, phase, region; a bad value is ignored and said so,
never a server error), its pages, its count per phase, and the current phase computed in
SQL exactly as `workflow.current_phase` computes it."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.openplan import public_selectors
from infitah.openplan.models import Commitment, Phase, Programme
from infitah.openplan.workflow import Kind, PhaseKind, Status, current_phase
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]


def page(lang: str = "ar", query: str = "") -> tuple[int, str]:
    response = Client().get(f"/{lang}/programmes/{query}")
    return response.status_code, response.content.decode()


def make_programme(collectivity: Collectivity, title: str, **fields: Any) -> Programme:
    values: dict[str, Any] = {
        "kind": Kind.REMACTO,
        "title_ar": title,
        "title_fr": title,
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2027, 12, 31),
        "status": Status.ADOPTED,
        **fields,
    }
    return Programme.objects.create(collectivity=collectivity, **values)


def in_phase(programme: Programme, kind: str, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    Phase.objects.create(programme=programme, kind=kind, starts_on=today - dt.timedelta(days=5))


def commitments(programme: Programme, progress: list[int]) -> None:
    Commitment.objects.bulk_create(
        Commitment(programme=programme, number=n, title_fr=f"E{n}", progress=Decimal(p))
        for n, p in enumerate(progress, start=1)
    )


@pytest.fixture
def other_region() -> Collectivity:
    return Collectivity.objects.create(
        kind=CollectivityKind.REGION,
        slug="draa-tafilalet-test",
        name_ar="درعة تافيلالت",
        name_fr="Drâa-Tafilalet",
        is_network_member=True,
    )


@pytest.fixture
def network(
    collectivity_a: Collectivity, collectivity_b: Collectivity, other_region: Collectivity
) -> dict[str, Programme]:
    a = make_programme(collectivity_a, "Programme A", progress=Decimal("62.50"))
    in_phase(a, PhaseKind.IMPLEMENTATION)
    commitments(a, [100, 100, 50, 0])
    region = make_programme(
        other_region, "Plan régional", kind=Kind.OGP_LOCAL, status=Status.DRAFTING
    )
    in_phase(region, PhaseKind.COCREATION)
    stale = make_programme(collectivity_a, "Ancien programme", starts_on=dt.date(2020, 1, 1))
    Programme.objects.filter(pk=stale.pk).update(
        public_updated_at=timezone.now() - dt.timedelta(days=200)
    )
    make_programme(collectivity_a, "Abandonné", status=Status.ABANDONED)
    make_programme(collectivity_b, "Hors réseau")
    return {"a": a, "region": region, "stale": stale}


def titles(body: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+" dir="auto">([^<]+)</a></h3>', body)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_programme_of_the_network_is_compared(
    network: dict[str, Programme], lang: str
) -> None:
    status, body = page(lang)
    assert status == 200
    assert sorted(titles(body)) == ["Ancien programme", "Plan régional", "Programme A"]
    a = network["a"]
    card = body[body.index("Programme A") :]
    card = card[: card.index("</li>\n")] if "</li>\n" in card else card
    with translation.override(lang):
        expected = [
            escape(a.collectivity.name),
            escape(str(Kind.REMACTO.label)),
            escape(str(PhaseKind.IMPLEMENTATION.label)),
            escape(str(Status.ADOPTED.label)),
        ]
    for text in expected:
        assert text in card
    assert f"/{lang}/c/commune-a/programmes/{a.pk}/" in body
    assert f'/{lang}/c/commune-a/programmes/"' in body
    assert '<progress max="100" value="62.50"' in card
    # 4 commitments, 2 completed: 50 %.
    # (French writes a space before the sign.)
    assert re.search(r"<dd>4 ", card) and re.search(r"50(\s|\xa0|&nbsp;)?%", card)
    assert " style=" not in body and "<script" not in body


def test_the_stale_programme_is_flagged(network: dict[str, Programme]) -> None:
    body = page("fr")[1]
    cards = body.split('<li class="card spaced')
    flagged = [c for c in cards if c.startswith(' late"')]
    assert len(flagged) == 1 and "Ancien programme" in flagged[0]


def test_the_summary_counts_programmes_per_phase(network: dict[str, Programme]) -> None:
    body = page("fr")[1]
    summary = body[body.index('id="per-phase"') : body.index('id="list"')]
    counts = dict(re.findall(r'data-phase="([a-z_]+)">.*?<strong>(\d+)</strong>', summary, re.S))
    assert counts["implementation"] == "1"
    assert counts["cocreation"] == "1"
    assert counts["none"] == "1"
    assert counts["awareness"] == "0"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=ogp_local", ["Plan régional"]),
        ("?kind=remacto", ["Ancien programme", "Programme A"]),
        ("?phase=implementation", ["Programme A"]),
        ("?phase=cocreation&kind=remacto", []),
        ("?region=draa-tafilalet-test", ["Plan régional"]),
        ("?region=souss-massa-test", ["Ancien programme", "Programme A"]),
    ],
)
def test_filters(network: dict[str, Programme], query: str, expected: list[str]) -> None:
    status, body = page("fr", query)
    assert status == 200
    assert sorted(titles(body)) == expected
    assert "data-ignored" not in body


@pytest.mark.parametrize(
    ("query", "ignored"),
    [
        ("?kind=nope", ["kind"]),
        ("?phase=%00", ["phase"]),
        ("?region=" + "x" * 5000, ["region"]),
        ("?kind=remacto%00&phase=&region=atlantis", ["kind", "region"]),
        ("?page=abc", []),
        ("?page=99999999999999999999", []),
    ],
)
def test_bad_filters_are_ignored_and_said_so(
    network: dict[str, Programme], query: str, ignored: list[str]
) -> None:
    status, body = page("ar", query)
    assert status == 200
    assert re.findall(r'data-ignored="([a-z]+)"', body) == ignored
    assert len(titles(body)) == 3


def test_the_filter_form_keeps_the_choices(network: dict[str, Programme]) -> None:
    body = page("fr", "?kind=ogp_local&region=draa-tafilalet-test")[1]
    assert '<option value="ogp_local" selected>' in body
    assert '<option value="draa-tafilalet-test" selected>' in body
    assert 'for="filter-kind"' in body and 'id="filter-kind"' in body
    # The phase counts keep the other filters.
    assert "?kind=ogp_local&amp;region=draa-tafilalet-test&amp;phase=cocreation" in body


def test_the_list_is_paged(collectivity_a: Collectivity) -> None:
    for n in range(35):
        make_programme(
            collectivity_a,
            f"P{n:02d}",
            starts_on=dt.date(2000 + n, 1, 1),
            ends_on=dt.date(2001 + n, 1, 1),
        )
    first = titles(page("fr")[1])
    second = titles(page("fr", "?page=2")[1])
    assert len(first) == 30 and len(second) == 5
    assert not set(first) & set(second)
    assert "P34" in first  # newest first within a collectivity


def test_the_network_page_links_from_the_programme_pages(network: dict[str, Programme]) -> None:
    response = Client().get(f"/fr/c/commune-a/programmes/{network['a'].pk}/")
    assert 'href="/fr/programmes/"' in response.content.decode()


# --------------------------------------------------------------------------- the phase in SQL


def test_the_sql_current_phase_is_workflow_current_phase(collectivity_a: Collectivity) -> None:
    """Random timelines (overlaps, gaps, ties on the start date, open ends, phases in the
    future): the database picks the same phase as `workflow.current_phase`."""
    rng = random.Random(16)
    today = dt.date(2027, 6, 15)
    expected: dict[int, str | None] = {}
    for n in range(120):
        programme = make_programme(collectivity_a, f"R{n}")
        kinds = rng.sample(PhaseKind.values, rng.randint(0, 7))
        phases = []
        for kind in kinds:
            start = today + dt.timedelta(days=rng.choice([-90, -60, -30, -30, 0, 0, 10, 40]))
            end = rng.choice([None, start, start + dt.timedelta(days=rng.randint(0, 80))])
            phases.append(Phase(programme=programme, kind=kind, starts_on=start, ends_on=end))
        Phase.objects.bulk_create(phases)
        expected[programme.pk] = current_phase(phases, today)
    found = dict(
        Programme.objects.annotate(
            found=public_selectors.current_phase_expression(today)
        ).values_list("pk", "found")
    )
    assert found == expected
    assert len(set(expected.values())) >= 5
