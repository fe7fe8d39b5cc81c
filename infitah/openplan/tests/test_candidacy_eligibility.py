"""The OGP Local eligibility criteria of a candidacy (domain.md §6), at their edges and
under time control: exactly 16 whole months left in the term (met) or 15 (not met); a
track record exactly 3 years before (met) or one day earlier (not met); the head's
letter; the term's end proposed from the council's current term."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.council.models import Term
from infitah.openplan import forum_selectors as selectors
from infitah.openplan.models import Candidacy, Programme, Version
from infitah.openplan.services import forum as services
from infitah.openplan.tests.conftest import MakeItem, pdf_file
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 15)


def _candidacy(collectivity: Collectivity, actor: User, **data: object) -> Candidacy:
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)):
        return services.candidacy_save(
            collectivity=collectivity,
            actor=actor,
            data={
                "term_ends_on": "2027-07-15",
                "track_record": "برنامج الانفتاح 2023-2025 بشراكة مع المجتمع المدني",
                **data,
            },
        )


def _criteria(candidacy: Candidacy, on: dt.date) -> dict[str, bool | None]:
    found = selectors.candidacy_get(collectivity=candidacy.collectivity, pk=candidacy.pk)
    assert found is not None
    return {
        c.key: c.is_met for c in selectors.candidacy_eligibility(candidacy=found, on=on).criteria
    }


def _head_letter(candidacy: Candidacy, actor: User) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        services.letter_add(
            candidacy=candidacy,
            actor=actor,
            data={"author": "رئيس الجهة", "is_from_head": "on", "received_on": "2026-03-02"},
            file=pdf_file("lettre.pdf"),
        )


@pytest.mark.parametrize(
    ("term_ends_on", "left", "is_met"),
    [
        ("2027-07-15", 16, True),  # exactly 16 whole months
        ("2027-07-14", 15, False),  # one day short
        ("2027-06-15", 15, False),
        ("2030-01-01", 45, True),
        ("2026-01-01", 0, False),  # the term already ended
    ],
)
def test_months_left_in_the_term(
    collectivity_a: Collectivity, focal_point: User, term_ends_on: str, left: int, is_met: bool
) -> None:
    candidacy = _candidacy(collectivity_a, focal_point, term_ends_on=term_ends_on)
    found = selectors.candidacy_get(collectivity=collectivity_a, pk=candidacy.pk)
    assert found is not None
    eligibility = selectors.candidacy_eligibility(candidacy=found, on=ON)
    assert eligibility.months_left == left
    assert _criteria(candidacy, ON)["term"] is is_met


def test_the_minimum_is_a_setting(
    collectivity_a: Collectivity, focal_point: User, settings: object
) -> None:
    candidacy = _candidacy(collectivity_a, focal_point, term_ends_on="2027-06-15")
    settings.INFITAH_OGP_MIN_TERM_MONTHS = 15  # type: ignore[attr-defined]
    assert _criteria(candidacy, ON)["term"] is True


def test_whole_months_clamp_to_the_end_of_a_short_month() -> None:
    assert selectors.whole_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1
    assert selectors.whole_months(dt.date(2026, 1, 31), dt.date(2026, 2, 27)) == 0
    assert selectors.whole_months(dt.date(2024, 2, 29), dt.date(2025, 2, 28)) == 12
    assert selectors.whole_months(dt.date(2026, 3, 15), dt.date(2026, 3, 15)) == 0


@pytest.mark.parametrize(
    ("ends_on", "is_met"),
    [
        (dt.date(2023, 3, 15), True),  # exactly 3 years before
        (dt.date(2023, 3, 16), True),  # a day inside
        (dt.date(2023, 3, 14), False),  # a day too early
    ],
)
def test_an_earlier_programme_within_3_years(
    collectivity_a: Collectivity, focal_point: User, ends_on: dt.date, is_met: bool
) -> None:
    earlier = Programme.objects.create(
        collectivity=collectivity_a,
        kind="remacto",
        title_ar="برنامج الانفتاح 2021-2023",
        starts_on=dt.date(2021, 1, 1),
        ends_on=ends_on,
    )
    candidacy = _candidacy(collectivity_a, focal_point, track_record_programme=earlier.pk)
    assert _criteria(candidacy, ON)["track_record"] is is_met


@pytest.mark.parametrize(
    ("adopted_on", "is_met"),
    [(dt.date(2023, 3, 15), True), (dt.date(2023, 3, 14), False)],
)
def test_an_adoption_within_3_years_counts(
    collectivity_a: Collectivity,
    focal_point: User,
    make_item: MakeItem,
    adopted_on: dt.date,
    is_met: bool,
) -> None:
    """A programme whose implementation starts after the day, adopted within 3 years."""
    later = Programme.objects.create(
        collectivity=collectivity_a,
        kind="remacto",
        title_fr="Programme adopté",
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    Version.objects.create(
        programme=later,
        number=1,
        agenda_item=make_item(),
        adopted_on=adopted_on,
        file="openplan/1/v1.json",
        name="v1.json",
        content_type="application/json",
        size=2,
        sha256="0" * 64,
    )
    candidacy = _candidacy(collectivity_a, focal_point, track_record_programme=later.pk)
    assert _criteria(candidacy, ON)["track_record"] is is_met


def test_a_described_track_record_without_a_programme_is_met(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    candidacy = _candidacy(collectivity_a, focal_point)
    criteria = _criteria(candidacy, ON)
    assert criteria == {
        "head_letter": False,
        "track_record": True,
        "term": True,
        "ambition": None,
    }
    _head_letter(candidacy, focal_point)
    assert _criteria(candidacy, ON)["head_letter"] is True


def test_a_letter_from_someone_else_is_not_the_head_s(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    candidacy = _candidacy(collectivity_a, focal_point)
    services.letter_add(
        candidacy=candidacy,
        actor=focal_point,
        data={"author": "جمعية", "received_on": "2026-03-01"},
        file=pdf_file(),
    )
    assert _criteria(candidacy, ON)["head_letter"] is False


def test_reasons_name_the_dates_in_the_page_s_language(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    candidacy = _candidacy(collectivity_a, focal_point, term_ends_on="2027-06-15")
    found = selectors.candidacy_get(collectivity=collectivity_a, pk=candidacy.pk)
    assert found is not None
    with translation.override("fr"):
        term = selectors.candidacy_eligibility(candidacy=found, on=ON).criteria[2]
        assert "15" in term.reason and "2027" in term.reason and "16" in term.label
    with translation.override("ar"):
        term = selectors.candidacy_eligibility(candidacy=found, on=ON).criteria[2]
        assert "يونيو" in term.reason


def test_the_term_end_is_proposed_from_the_council_s_current_term(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    today = timezone.localdate()
    Term.objects.create(
        collectivity=collectivity_a,
        name_ar="الولاية 2021-2027",
        start_date=today - dt.timedelta(days=900),
        end_date=dt.date(2027, 9, 30),
    )
    assert services.candidacy_term_end(collectivity_a) == dt.date(2027, 9, 30)
    candidacy = services.candidacy_save(
        collectivity=collectivity_a,
        actor=focal_point,
        data={"term_ends_on": "", "track_record": "ورشات التشاور 2024"},
    )
    assert candidacy.term_ends_on == dt.date(2027, 9, 30)
    # A date given is kept.
    services.candidacy_save(
        collectivity=collectivity_a,
        actor=focal_point,
        data={"term_ends_on": "2027-10-01", "track_record": "ورشات التشاور 2024"},
        candidacy=candidacy,
    )
    candidacy.refresh_from_db()
    assert candidacy.term_ends_on == dt.date(2027, 10, 1)
