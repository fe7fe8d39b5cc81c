"""The next number of a series, gapless under concurrency.

One statement increments the counter and returns the new value:
`INSERT … ON CONFLICT … DO UPDATE SET last = last + 1 RETURNING last` (PostgreSQL, and
SQLite ≥ 3.35). On PostgreSQL the row stays locked until the caller's transaction ends,
so concurrent callers queue on it; if the caller rolls back, the increment rolls back
with it. Numbers are therefore unique and gapless as long as the caller takes the number
inside the transaction that creates the numbered record (`number_next` refuses to run
outside one).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from infitah.numbering.models import Counter
from infitah.territories.models import Collectivity

# The table name is a constant of the model, never user input.
_SQL = (
    'INSERT INTO "numbering_counter" (collectivity_id, series, year, last) '
    "VALUES (%s, %s, %s, 1) ON CONFLICT (collectivity_id, series, year) "
    'DO UPDATE SET last = "numbering_counter".last + 1 RETURNING last'
)


def number_next(*, collectivity: Collectivity, series: str, year: int | None = None) -> int:
    """Take the next number of `series` in `collectivity` for `year` (default: this year).

    Preconditions: called inside `transaction.atomic()` (else RuntimeError), so that the
    number and the record that carries it commit or roll back together.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that uses the number.")
    year = year or timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [collectivity.pk, series, year])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@transaction.atomic
def number_peek(*, collectivity: Collectivity, series: str, year: int) -> int:
    """The last number given (0 if none), for reports and tests."""
    found = Counter.objects.filter(collectivity=collectivity, series=series, year=year).first()
    return found.last if found else 0
