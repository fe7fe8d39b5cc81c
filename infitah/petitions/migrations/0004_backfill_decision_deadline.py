"""Petitions on the case engine (data, step 2 of 3): each petition points at the Deadline
of its decision clock.

The current period is the petition's latest `petition.decision.*` Deadline. A copied
due date that a calendar correction had left stale is thereby corrected: the Deadline
holds the date the calendar gives.

The engine's sweep now notes each decision period that passes unmet, recording
`petitions.decision_overdue` and e-mailing the bureau and the agent. The periods already
past due when this runs are marked as noted, so that deploying does not send an e-mail
for every old overdue petition at once; the bureau's list still shows them overdue
(overdue is derived from the due date and today, never stored).

Backwards, the due date is copied onto the petition again; the marks stay (a fact about
the past, which the code before this migration does not read).
"""

from django.db import migrations
from django.utils import timezone

SUBJECT = "petitions.petition"
DECISION = "petition.decision."


def forwards(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    Deadline = apps.get_model("deadlines", "Deadline")
    periods = Deadline.objects.filter(subject_type=SUBJECT, limit__code__startswith=DECISION)
    latest = {}
    for subject_id, pk in periods.order_by("pk").values_list("subject_id", "pk").iterator():
        if subject_id.isdigit():
            latest[int(subject_id)] = pk
    for petition_id, deadline_id in sorted(latest.items()):
        Petition.objects.filter(pk=petition_id).update(decision_deadline_id=deadline_id)
    periods.filter(
        status="open", due_date__lt=timezone.localdate(), expiry_noted_at__isnull=True
    ).update(expiry_noted_at=timezone.now())


def backwards(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    rows = Petition.objects.exclude(decision_deadline=None).select_related("decision_deadline")
    for petition in rows.order_by("pk").iterator(chunk_size=500):
        petition.decision_due = petition.decision_deadline.due_date
        petition.save(update_fields=["decision_due"])


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_deadline_expiry_noted_at"),
        ("petitions", "0003_case_engine_clock"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
