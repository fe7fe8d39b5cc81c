"""The petition's fields and the association's conditions: one clear reason per failure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from django.core.exceptions import ValidationError

from infitah.petitions.models import PetitionSettings
from infitah.petitions.services import PetitionInput, petition_validate, years_after
from infitah.petitions.tests.conftest import petition_input
from infitah.territories.models import Collectivity, Kind

TODAY = date(2026, 3, 15)


def _association(**overrides: Any) -> PetitionInput:
    values = {
        "petitioner_kind": "association",
        "association_name": "Association Al Amal",
        "association_founded_on": date(2020, 1, 10),
        "association_seat": "commune-a",
        "association_good_standing": True,
        "association_object": "Protection de l'environnement",
        "association_object_related": True,
    }
    values.update(overrides)
    return petition_input(**values)


def _errors(collectivity, data, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        petition_validate(collectivity=collectivity, data=data, **kwargs)
    return exc.value.message_dict


@time_machine.travel(TODAY, tick=False)
def test_a_valid_association(collectivity_a):
    clean = petition_validate(collectivity=collectivity_a, data=_association())
    assert clean.association_seat == collectivity_a
    assert clean.agent_cin == "JB445566"


@time_machine.travel(TODAY, tick=False)
def test_founded_three_years_ago_today_exactly_is_refused(collectivity_a):
    errors = _errors(collectivity_a, _association(association_founded_on=date(2023, 3, 15)))
    assert list(errors) == ["association_founded_on"]
    assert "more than 3 years" in errors["association_founded_on"][0]
    assert "2026-03-16" in errors["association_founded_on"][0]


@time_machine.travel(TODAY, tick=False)
def test_founded_three_years_and_one_day_ago_is_accepted(collectivity_a):
    petition_validate(
        collectivity=collectivity_a, data=_association(association_founded_on=date(2023, 3, 14))
    )


@time_machine.travel(TODAY, tick=False)
def test_the_years_are_configurable(collectivity_a):
    PetitionSettings.objects.create(collectivity=collectivity_a, association_min_years=5)
    errors = _errors(collectivity_a, _association(association_founded_on=date(2021, 6, 1)))
    assert "more than 5 years" in errors["association_founded_on"][0]


def test_leap_day_anniversary():
    assert years_after(date(2020, 2, 29), 3) == date(2023, 2, 28)
    assert years_after(date(2020, 2, 29), 4) == date(2024, 2, 29)


@time_machine.travel(TODAY, tick=False)
def test_every_failed_condition_has_its_own_reason(collectivity_a, collectivity_b):
    errors = _errors(
        collectivity_a,
        _association(
            association_name="",
            association_founded_on=TODAY + timedelta(days=1),
            association_seat="commune-b",  # another commune
            association_good_standing=False,
            association_object="",
            association_object_related=False,
        ),
    )
    assert set(errors) == {
        "association_name",
        "association_founded_on",
        "association_seat",
        "association_good_standing",
        "association_object",
        "association_object_related",
    }
    assert "future" in errors["association_founded_on"][0]
    assert "territory" in errors["association_seat"][0]
    assert "good standing" in errors["association_good_standing"][0]
    assert "relate" in errors["association_object_related"][0]
    assert len({m[0] for m in errors.values()}) == len(errors)  # six distinct reasons


@time_machine.travel(TODAY, tick=False)
def test_missing_or_unknown_founding_date_and_seat(collectivity_a):
    errors = _errors(
        collectivity_a,
        _association(association_founded_on=None, association_seat="no-such-commune"),
    )
    assert "Give the date" in errors["association_founded_on"][0]
    assert "from the list" in errors["association_seat"][0]
    errors = _errors(collectivity_a, _association(association_founded_on="31/02/2020"))
    assert "e.g." in errors["association_founded_on"][0]


@time_machine.travel(TODAY, tick=False)
def test_seat_in_a_commune_of_the_region_for_a_regional_petition(region, collectivity_b):
    clean = petition_validate(collectivity=region, data=_association(association_seat="commune-b"))
    assert clean.association_seat == collectivity_b


@time_machine.travel(TODAY, tick=False)
def test_seat_for_a_province_petition(prefecture, collectivity_a):
    petition_validate(collectivity=prefecture, data=_association(association_seat="commune-a"))
    other_province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="other-p",
        name_ar="إ",
        name_fr="Other",
        parent=prefecture.region,
        region=prefecture.region,
    )
    errors = _errors(other_province, _association(association_seat="commune-a"))
    assert list(errors) == ["association_seat"]


def test_petition_fields_and_limits(collectivity_a):
    errors = _errors(
        collectivity_a,
        petition_input(
            petitioner_kind="club",
            title="x" * 201,
            text="",
            request="r" * 2001,
            agent_name="",
            agent_cin="123",
            agent_email="not-an-email",
            agent_phone="12",
            agent_address="",
        ),
    )
    assert set(errors) == {
        "petitioner_kind",
        "title",
        "text",
        "request",
        "agent_name",
        "agent_cin",
        "agent_email",
        "agent_phone",
        "agent_address",
    }
    assert "200" in errors["title"][0]
    assert "2000" in errors["request"][0]
    assert "AB123456" in errors["agent_cin"][0]


def test_text_limits_are_inclusive(collectivity_a):
    petition_validate(
        collectivity=collectivity_a,
        data=petition_input(title="t" * 200, text="x" * 10_000, request="r" * 2000),
    )
    errors = _errors(collectivity_a, petition_input(text="x" * 10_001, title="a\x00b"))
    assert set(errors) == {"text", "title"}


def test_online_needs_the_agent_email(collectivity_a):
    errors = _errors(collectivity_a, petition_input(agent_email=""))
    assert "confirmation link" in errors["agent_email"][0]
    # On paper it is optional.
    petition_validate(collectivity=collectivity_a, data=petition_input(agent_email=""), paper=True)


@pytest.mark.parametrize("spelling", ["jb445566", "JB 445 566", "jb-445566", " JB445566 "])
def test_agent_cin_is_normalised(collectivity_a, spelling):
    clean = petition_validate(collectivity=collectivity_a, data=petition_input(agent_cin=spelling))
    assert clean.agent_cin == "JB445566"
