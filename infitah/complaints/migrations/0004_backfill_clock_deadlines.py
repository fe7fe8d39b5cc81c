"""Complaints on the case engine (data, step 2 of 3): each complaint points at the
Deadline its copied due dates came from.

The current period of a clock is its latest Deadline. A copied date that a calendar
correction had left stale is thereby corrected: the Deadline holds the date the calendar
gives. The periods already past due and still open are marked as noted: the engine's
sweep records an expiry (and e-mails the complaints unit) once, when a period passes its
due date; without the mark, deploying would record and e-mail every old overdue
complaint at once.
"""

from django.db import migrations
from django.utils import timezone

SUBJECT = "complaints.complaint"
ACKNOWLEDGE = "complaint.acknowledge"
ANSWER = "complaint.answer"


def _latest(Deadline, pk, code):
    return (
        Deadline.objects.filter(subject_type=SUBJECT, subject_id=str(pk), limit__code=code)
        .order_by("-pk")
        .first()
    )


def forwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Deadline = apps.get_model("deadlines", "Deadline")
    rows = Complaint.objects.exclude(acknowledge_by=None, answer_by=None).order_by("pk")
    for complaint in rows.iterator(chunk_size=500):
        if complaint.acknowledge_by is not None:
            complaint.acknowledge_deadline = _latest(Deadline, complaint.pk, ACKNOWLEDGE)
        if complaint.answer_by is not None:
            complaint.answer_deadline = _latest(Deadline, complaint.pk, ANSWER)
        complaint.save(update_fields=["acknowledge_deadline", "answer_deadline"])
    Deadline.objects.filter(
        subject_type=SUBJECT,
        status="open",
        due_date__lt=timezone.localdate(),
        expiry_noted_at=None,
    ).update(expiry_noted_at=timezone.now())


def backwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    rows = Complaint.objects.select_related("acknowledge_deadline", "answer_deadline")
    for complaint in rows.order_by("pk").iterator(chunk_size=500):
        acknowledge, answer = complaint.acknowledge_deadline, complaint.answer_deadline
        complaint.acknowledge_by = acknowledge.due_date if acknowledge is not None else None
        complaint.answer_by = answer.due_date if answer is not None else None
        complaint.save(update_fields=["acknowledge_by", "answer_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_case_engine_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
