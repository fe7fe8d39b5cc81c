"""The next number of a series, gapless under concurrency; the collectivity's key in
the references that carry the numbers.

One statement increments the counter and returns the new value:
`INSERT … ON CONFLICT … DO UPDATE SET last = last + 1 RETURNING last` (PostgreSQL, and
SQLite ≥ 3.35). On PostgreSQL the row stays locked until the caller's transaction ends,
so concurrent callers queue on it; if the caller rolls back, the increment rolls back
with it. Numbers are therefore unique and gapless as long as the caller takes the number
inside the transaction that creates the numbered record (`number_next` refuses to run
outside one).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from infitah.numbering.models import Counter
from infitah.territories.models import REFERENCE_KEY_MAX, Collectivity

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


# What a key may hold: letters, digits and the separators of official codes ("COM_0135",
# "07.211.07.03"); never "/" (references sit in URLs) nor spaces.
_KEY_UNSAFE = re.compile(r"[^A-Z0-9_.-]+")


def _key_candidate(code: str, slug: str, pk: int) -> str:
    """The key a collectivity gets on its first reference: its official code, else its
    slug upper-cased ("AIT-MELLOUL"); never its database id, which depends on the order
    rows were imported in."""
    key = _KEY_UNSAFE.sub("-", (code or slug).strip().upper()).strip("-.")
    return key[:REFERENCE_KEY_MAX].rstrip("-.") or f"C{pk}"


def reference_key(collectivity: Collectivity) -> str:
    """The collectivity's part of its case references (ATI-<year>-<key>-<number>).

    Set on first use and never changed after: a reference once given keeps its shape,
    whatever an import later does to the collectivity's code (imports never write the
    field). Race-safe: the key is written by `UPDATE … WHERE reference_key = ''` and read
    back, so that of two first references at once, both use the key the first wrote (on
    PostgreSQL the second UPDATE waits for the first transaction, then matches no row).
    A key another collectivity already holds gets the database id appended. Sets
    `collectivity.reference_key` too.
    """
    if collectivity.reference_key:
        return collectivity.reference_key
    rows = Collectivity.objects.filter(pk=collectivity.pk)
    found = rows.values_list("reference_key", "code", "slug").first()
    if found is None:
        raise Collectivity.DoesNotExist(collectivity.pk)
    key, code, slug = found
    if not key:
        base = _key_candidate(code, slug, collectivity.pk)
        suffix = f"-{collectivity.pk}"
        unique = base[: REFERENCE_KEY_MAX - len(suffix)] + suffix
        taken = Collectivity.objects.filter(reference_key=base).exclude(pk=collectivity.pk)
        try:
            # A savepoint: on PostgreSQL a refused statement would spoil the caller's
            # whole transaction.
            with transaction.atomic():
                rows.filter(reference_key="").update(
                    reference_key=unique if taken.exists() else base
                )
        except IntegrityError:
            # Another collectivity took this key in between: the id makes it unique.
            rows.filter(reference_key="").update(reference_key=unique)
        key = rows.values_list("reference_key", flat=True).get()
    collectivity.reference_key = key
    return key


def reference_make(prefix: str, *, collectivity: Collectivity, year: int, number: int) -> str:
    """A case reference: `<prefix>-<year>-<the collectivity's key>-<number, 6 digits>`."""
    return f"{prefix}-{year}-{reference_key(collectivity)}-{number:06d}"
