"""infitah/lib/cleaning.py: each check reads one field, records one translated message
when it is wrong and returns the clean value; `raise_errors` raises them all at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from infitah.lib.casework import too_long
from infitah.lib.cleaning import (
    Errors,
    clean_date,
    clean_decimal,
    clean_pair,
    clean_period,
    clean_text,
    raise_errors,
)


def test_raise_errors_raises_every_message_or_nothing() -> None:
    raise_errors({})
    with pytest.raises(ValidationError) as caught:
        raise_errors({"title": "bad", "amount": ["worse", "worst"]})
    assert caught.value.message_dict == {"title": ["bad"], "amount": ["worse", "worst"]}


# --- clean_text -------------------------------------------------------------------------------


def test_text_is_stripped() -> None:
    errors: Errors = {}
    assert clean_text(errors, {"title": "  ميزانية 2026\n"}, "title", 20) == "ميزانية 2026"
    assert clean_text(errors, {}, "title", 20) == ""
    assert errors == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x" * 11, "long"),
        ("a\x00b", "nul"),
        ("   ", "required"),
        ("", "required"),
        (None, "required"),
        (42, "required"),
        (["a"], "required"),
    ],
)
def test_bad_text_records_one_message(value: Any, expected: str) -> None:
    errors: Errors = {}
    with translation.override("fr"):
        clean_text(errors, {"title": value}, "title", 10, required="Give a title.")
        messages = {
            "long": too_long(10),
            "nul": gettext("This text contains a forbidden character."),
            "required": "Give a title.",
        }
    assert errors == {"title": messages[expected]}


def test_text_not_required_may_be_empty_but_not_too_long() -> None:
    errors: Errors = {}
    assert clean_text(errors, {"note": ""}, "note", 5) == ""
    assert errors == {}
    clean_text(errors, {"note": "x" * 6}, "note", 5)
    assert set(errors) == {"note"}


def test_the_message_follows_the_active_language() -> None:
    texts = {}
    for lang in ("ar", "fr"):
        errors: Errors = {}
        with translation.override(lang):
            clean_text(errors, {"t": "a\x00"}, "t", 5)
            texts[lang] = errors["t"]
            assert texts[lang] == gettext("This text contains a forbidden character.")
    assert texts["ar"] != texts["fr"]


# --- clean_pair -------------------------------------------------------------------------------


def test_a_pair_needs_one_of_its_languages() -> None:
    errors: Errors = {}
    assert clean_pair(errors, {"name_ar": " اسم ", "name_fr": ""}, "name", 10) == ("اسم", "")
    assert clean_pair(errors, {"name_fr": "Nom"}, "name", 10) == ("", "Nom")
    assert errors == {}
    with translation.override("fr"):
        clean_pair(errors, {"name_ar": "", "name_fr": "  "}, "name", 10)
        assert errors == {"name_ar": gettext("Give it in Arabic or in French.")}


def test_a_pair_reports_the_bad_half_only() -> None:
    errors: Errors = {}
    clean_pair(errors, {"name_ar": "x" * 11, "name_fr": ""}, "name", 10)
    assert set(errors) == {"name_ar"}
    errors = {}
    clean_pair(errors, {"name_ar": "ok", "name_fr": "a\x00"}, "name", 10)
    assert set(errors) == {"name_fr"}


# --- dates ------------------------------------------------------------------------------------


def test_dates_are_read_from_text_or_dates() -> None:
    errors: Errors = {}
    assert clean_date(errors, {"on": "2026-03-01"}, "on") == dt.date(2026, 3, 1)
    assert clean_date(errors, {"on": dt.date(2026, 3, 1)}, "on") == dt.date(2026, 3, 1)
    assert clean_date(errors, {"on": ""}, "on") is None
    assert clean_date(errors, {}, "on") is None
    assert errors == {}


@pytest.mark.parametrize("value", ["2026-02-30", "01/03/2026", "demain", "2026-3-1x", "2026-13-01"])
def test_a_bad_date_is_an_error(value: Any) -> None:
    errors: Errors = {}
    with translation.override("fr"):
        assert clean_date(errors, {"on": value}, "on") is None
        assert errors == {"on": gettext("Enter a valid date (YYYY-MM-DD).")}


def test_a_required_date() -> None:
    errors: Errors = {}
    with translation.override("fr"):
        assert clean_date(errors, {"on": None}, "on", required=True) is None
        assert errors == {"on": gettext("This date is required.")}


def test_a_period_ends_after_it_starts() -> None:
    errors: Errors = {}
    clean_period(errors, dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    clean_period(errors, None, dt.date(2020, 1, 1))
    clean_period(errors, dt.date(2026, 1, 1), None)
    assert errors == {}
    with translation.override("fr"):
        clean_period(errors, dt.date(2026, 1, 2), dt.date(2026, 1, 1), "until")
        assert errors == {"until": gettext("The end cannot come before the start.")}


# --- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", Decimal("12.00")),
        (" 12.344 ", Decimal("12.34")),
        (Decimal("0.5"), Decimal("0.50")),
        (7, Decimal("7.00")),
        ("-3", Decimal("-3.00")),
    ],
)
def test_decimals_are_read_to_the_cent(value: Any, expected: Decimal) -> None:
    errors: Errors = {}
    assert clean_decimal(errors, {"n": value}, "n") == expected
    assert errors == {}


def test_an_absent_decimal_is_none_unless_required() -> None:
    errors: Errors = {}
    assert clean_decimal(errors, {}, "n") is None
    assert clean_decimal(errors, {"n": ""}, "n") is None
    assert errors == {}
    with translation.override("fr"):
        clean_decimal(errors, {"n": None}, "n", required=True)
        assert errors == {"n": gettext("This number is required.")}


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        ("abc", {}, "Enter a number."),
        ("1,5", {}, "Enter a number."),
        ("NaN", {}, "Enter a number."),
        ("Infinity", {}, "Enter a number."),
        ("0", {"positive": True}, "Enter a number greater than 0."),
        ("-1", {"positive": True}, "Enter a number greater than 0."),
        ("10000000000000000", {}, "This number is too large."),
        ("1000", {"max_digits": 5}, "This number is too large."),
    ],
)
def test_bad_decimals_are_errors(value: str, options: dict[str, Any], message: str) -> None:
    errors: Errors = {}
    with translation.override("fr"):
        assert clean_decimal(errors, {"n": value}, "n", **options) is None
        assert errors == {"n": gettext(message)}


def test_decimal_bounds_name_the_bound() -> None:
    errors: Errors = {}
    assert clean_decimal(errors, {"n": "100"}, "n", maximum=Decimal(100)) == Decimal("100.00")
    assert clean_decimal(errors, {"n": "0"}, "n", minimum=Decimal(0)) == Decimal("0.00")
    assert errors == {}
    with translation.override("fr"):
        clean_decimal(errors, {"low": "-1"}, "low", minimum=Decimal(0))
        clean_decimal(errors, {"high": "101"}, "high", maximum=Decimal(100))
        assert errors == {
            "low": gettext("Enter a number of at least %(min)s.") % {"min": Decimal(0)},
            "high": gettext("Enter a number of at most %(max)s.") % {"max": Decimal(100)},
        }
