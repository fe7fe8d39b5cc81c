"""Give every existing collectivity its reference key (`Collectivity.reference_key`).

A collectivity that has already issued case references (access-to-information requests,
complaints, petitions) keeps the key its most recent reference used, parsed out of it:
new references then read like the last ones given. Any other gets the key its first
reference would get: its official code, else its slug upper-cased. Two collectivities
never share a key (the later one gets its database id appended).

Self-contained, as a migration must be: the parsing and the rule are written here, not
imported from the numbering app.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import migrations

KEY_MAX = 40
# <prefix>-<year>-<key>-<number>: the key is everything between the year and the last
# dash (a key may hold dashes, e.g. a slug "AIT-MELLOUL", or dots, "07.211.07.03").
_REFERENCE = re.compile(r"^(?:ATI|CMP|PET)-\d{4}-(?P<key>.+)-\d+$")
_KEY_UNSAFE = re.compile(r"[^A-Z0-9_.-]+")


def key_of_reference(reference: str) -> str | None:
    """The collectivity's key in `reference`, or None if it is not one of ours."""
    found = _REFERENCE.match(reference.strip())
    if found is None:
        return None
    key = found["key"]
    return key if len(key) <= KEY_MAX else None


def key_candidate(code: str, slug: str, pk: int) -> str:
    """The key of a collectivity that has issued no reference yet."""
    key = _KEY_UNSAFE.sub("-", (code or slug).strip().upper()).strip("-.")
    return key[:KEY_MAX].rstrip("-.") or f"C{pk}"


def _day(value: date | datetime | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or date.min


def _latest_references(apps: Any) -> dict[int, str]:
    """collectivity id → its most recent reference, over the three series."""
    latest: dict[int, tuple[date, int, str]] = {}
    series = [
        ("information", "InformationRequest", "submitted_at"),
        ("complaints", "Complaint", "submitted_at"),
        ("petitions", "Petition", "lodged_on"),
    ]
    for app_label, model_name, when in series:
        model = apps.get_model(app_label, model_name)
        rows = (
            model.objects.exclude(reference="")
            .order_by()
            .values_list("collectivity_id", "reference", when, "pk")
        )
        for collectivity_id, reference, moment, pk in rows.iterator():
            if key_of_reference(reference) is None:
                continue
            found = (_day(moment), pk, reference)
            if collectivity_id not in latest or found[:2] > latest[collectivity_id][:2]:
                latest[collectivity_id] = found
    return {collectivity_id: found[2] for collectivity_id, found in latest.items()}


def fill(apps: Any, schema_editor: Any) -> None:
    Collectivity = apps.get_model("territories", "Collectivity")
    issued = _latest_references(apps)
    rows = list(Collectivity.objects.filter(reference_key="").order_by("pk"))
    used = set(
        Collectivity.objects.exclude(reference_key="").values_list("reference_key", flat=True)
    )
    # Keys already on references first: they must stay as they are.
    rows.sort(key=lambda row: (row.pk not in issued, row.pk))
    for row in rows:
        reference = issued.get(row.pk)
        key = key_of_reference(reference) if reference else None
        key = key or key_candidate(row.code, row.slug, row.pk)
        if key in used:
            suffix = f"-{row.pk}"
            key = key[: KEY_MAX - len(suffix)] + suffix
        used.add(key)
        Collectivity.objects.filter(pk=row.pk, reference_key="").update(reference_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0003_collectivity_reference_key"),
        ("information", "0005_remove_copied_due_dates"),
        ("complaints", "0006_complaint_postal_address"),
        ("petitions", "0005_remove_copied_decision_due"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
