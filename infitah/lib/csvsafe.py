"""CSV exports that a spreadsheet opens safely.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula. Exported text comes from citizens, correspondents and
API clients, so such a text cell gets a leading apostrophe (CSV injection). Numbers are
written as they are.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str | int | float:
    """`value` for a CSV row: "" for None, numbers unchanged, a formula-like text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
