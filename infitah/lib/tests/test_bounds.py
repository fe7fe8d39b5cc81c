"""infitah/lib/bounds.py: the one bound on whole numbers read from a request."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from infitah.lib.bounds import INT_MAX, Count, Id, Page, whole_number

HUGE = "99999999999999999999"


def test_whole_number_reads_digits_within_the_bound() -> None:
    assert whole_number("42") == 42
    assert whole_number(" 7 ") == 7
    assert whole_number(str(INT_MAX)) == INT_MAX
    assert whole_number(INT_MAX) == INT_MAX
    assert whole_number("0", minimum=1) is None
    assert whole_number("5", maximum=4) is None
    assert whole_number(str(INT_MAX + 1)) is None
    for raw in ("", "-1", "+1", "1e3", "1.0", "١٢", "²", "1 2", HUGE, None, True, 1.0, [1]):
        assert whole_number(raw) is None, raw


@pytest.mark.parametrize(("kind", "low"), [(Id, 1), (Page, 1), (Count, 0)])
def test_the_api_types_refuse_what_the_database_would(kind: Any, low: int) -> None:
    adapter: TypeAdapter[int] = TypeAdapter(kind)
    assert adapter.validate_python(low) == low
    assert adapter.validate_python(str(INT_MAX)) == INT_MAX
    for bad in (low - 1, INT_MAX + 1, HUGE):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
