"""Whole numbers read from a request: one bound for every id, page and count.

The databases refuse integers beyond their types (SQLite and PostgreSQL's bigint stop
at 2**63 - 1, PostgreSQL's integer at 2**31 - 1): an OFFSET or a value written beyond
them is a server error, not an empty answer. No id, page or count of ours comes near
2**31 - 1, so that is the one bound, for the API and the pages alike:

- the API's schemas and parameters type them `Id`, `Page` or `Count` (pydantic
  constrained integers): beyond the bound, a 400 naming the field, like any other
  invalid value;
- pages and code that reads text read them with `whole_number`, which gives None for
  anything that is not a whole number within the bound (the page then answers 404, or
  its first page).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# PostgreSQL's `integer`, the smallest integer type of our two databases.
INT_MAX = 2**31 - 1

# A row's id, in a path or a body: 1 to INT_MAX.
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
# A page number: 1 to INT_MAX.
Page = Annotated[int, Field(ge=1, le=INT_MAX)]
# An offset, a limit or a size: 0 to INT_MAX.
Count = Annotated[int, Field(ge=0, le=INT_MAX)]

_MAX_DIGITS = len(str(INT_MAX))


def whole_number(raw: object, *, minimum: int = 0, maximum: int = INT_MAX) -> int | None:
    """`raw` as an int if it is a whole number from `minimum` to `maximum` (at most
    INT_MAX) written in ASCII digits, or an int in that range; None otherwise (a sign,
    spaces inside, "1e3", "١٢", a bool, a float, a number beyond the bound)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= min(maximum, INT_MAX) else None
