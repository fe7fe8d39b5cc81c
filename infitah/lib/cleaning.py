"""Checking the fields of a service's input, field by field: each function reads one
field of a mapping, records a translated message in `errors` when it is wrong, and
returns the clean value; `raise_errors` raises one ValidationError with every message
(nothing is written). Shared by the services that take dictionaries (API, imports,
forms' cleaned data)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from infitah.lib.casework import too_long

Errors = dict[str, Any]


def raise_errors(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def clean_text(
    errors: Errors, data: Mapping[str, Any], name: str, limit: int, *, required: str = ""
) -> str:
    """`data[name]` stripped; records an error when it is too long, holds a NUL, or is
    empty while `required` (the message)."""
    value = data.get(name, "")
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        errors[name] = _("This text contains a forbidden character.")
    elif len(text) > limit:
        errors[name] = too_long(limit)
    elif not text and required:
        errors[name] = required
    return text


def clean_pair(errors: Errors, data: Mapping[str, Any], base: str, limit: int) -> tuple[str, str]:
    """`<base>_ar` and `<base>_fr`, at least one of them given."""
    ar = clean_text(errors, data, f"{base}_ar", limit)
    fr = clean_text(errors, data, f"{base}_fr", limit)
    if not ar and not fr and f"{base}_ar" not in errors and f"{base}_fr" not in errors:
        errors[f"{base}_ar"] = _("Give it in Arabic or in French.")
    return ar, fr


def clean_date(
    errors: Errors, data: Mapping[str, Any], name: str, *, required: bool = False
) -> date | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors[name] = _("This date is required.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Enter a valid date (YYYY-MM-DD).")
        return None


def clean_period(
    errors: Errors, start: date | None, end: date | None, end_name: str = "ends_on"
) -> None:
    if start is not None and end is not None and end < start:
        errors[end_name] = _("The end cannot come before the start.")


def clean_decimal(
    errors: Errors,
    data: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    positive: bool = False,
    max_digits: int = 16,
) -> Decimal | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors[name] = _("This number is required.")
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[name] = _("Enter a number.")
        return None
    if not number.is_finite():
        errors[name] = _("Enter a number.")
    elif positive and number <= 0:
        errors[name] = _("Enter a number greater than 0.")
    elif minimum is not None and number < minimum:
        errors[name] = _("Enter a number of at least %(min)s.") % {"min": minimum}
    elif maximum is not None and number > maximum:
        errors[name] = _("Enter a number of at most %(max)s.") % {"max": maximum}
    elif abs(number) >= Decimal(10) ** (max_digits - 2):
        errors[name] = _("This number is too large.")
    else:
        return number.quantize(Decimal("0.01"))
    return None
