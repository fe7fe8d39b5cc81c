"""Membership records for the collectivities already flagged as network members.

Before the network app, membership was only `Collectivity.is_network_member` and
`joined_network_on`. Each flagged collectivity without a `Member` row gets one (active,
joined on its `joined_network_on`, or on the network's creation, 21 October 2022, when
it has none) and a "joined" change on that date, so that the history and the
composition over time start from the truth. Idempotent; the reverse removes only the
rows this migration made (marked by their note).
"""

import datetime as dt

from django.db import migrations

NETWORK_START = dt.date(2022, 10, 21)
NOTE = "Recorded from the membership flag (migration)."


def forwards(apps, schema_editor):
    Collectivity = apps.get_model("territories", "Collectivity")
    Member = apps.get_model("network", "Member")
    MemberChange = apps.get_model("network", "MemberChange")
    has_member = set(Member.objects.values_list("collectivity_id", flat=True))
    has_joined = set(
        MemberChange.objects.filter(kind="joined").values_list("collectivity_id", flat=True)
    )
    flagged = (
        Collectivity.objects.filter(is_network_member=True)
        .exclude(kind="network")
        .values_list("pk", "joined_network_on")
    )
    members, changes = [], []
    for pk, joined in flagged:
        on = joined or NETWORK_START
        if pk not in has_member:
            members.append(Member(collectivity_id=pk, status="active", joined_on=on))
        if pk not in has_joined:
            changes.append(MemberChange(collectivity_id=pk, kind="joined", on=on, note=NOTE))
    Member.objects.bulk_create(members, batch_size=500)
    MemberChange.objects.bulk_create(changes, batch_size=500)


def backwards(apps, schema_editor):
    Member = apps.get_model("network", "Member")
    MemberChange = apps.get_model("network", "MemberChange")
    made = list(
        MemberChange.objects.filter(note=NOTE, kind="joined").values_list(
            "collectivity_id", flat=True
        )
    )
    MemberChange.objects.filter(note=NOTE, kind="joined").delete()
    # A member whose only history was this migration's row.
    Member.objects.filter(collectivity_id__in=made).exclude(
        collectivity__network_changes__isnull=False
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
