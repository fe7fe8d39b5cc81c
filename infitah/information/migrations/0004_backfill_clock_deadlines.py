"""Access-to-information requests on the case engine (data, step 2 of 3): each request
points at the Deadline its copied due dates came from.

The current period of a clock is its latest Deadline. A copied date that a calendar
correction had left stale is thereby corrected: the Deadline holds the date the calendar
gives. An expired answer period already recorded as "deemed refused" is marked as noted,
so that the engine's sweep does not record it a second time.
"""

from django.db import migrations
from django.utils import timezone

SUBJECT = "information.informationrequest"
ANSWER = ("ati.answer", "ati.urgent", "ati.extension", "ati.urgent_extension")
HEAD = ("ati.head_answer",)


def _latest(Deadline, pk, codes):
    return (
        Deadline.objects.filter(subject_type=SUBJECT, subject_id=str(pk), limit__code__in=codes)
        .order_by("-pk")
        .first()
    )


def forwards(apps, schema_editor):
    Request = apps.get_model("information", "InformationRequest")
    Deadline = apps.get_model("deadlines", "Deadline")
    now = timezone.now()
    today = timezone.localdate()
    rows = Request.objects.exclude(due_date=None, complaint_due_date=None).order_by("pk")
    for request in rows.iterator(chunk_size=500):
        if request.due_date is not None:
            request.answer_deadline = _latest(Deadline, request.pk, ANSWER)
            answer = request.answer_deadline
            if (
                answer is not None
                and answer.status == "open"
                and answer.due_date < today
                and request.deemed_refused_on is not None
            ):
                Deadline.objects.filter(pk=answer.pk).update(expiry_noted_at=now)
        if request.complaint_due_date is not None:
            request.head_deadline = _latest(Deadline, request.pk, HEAD)
        request.save(update_fields=["answer_deadline", "head_deadline"])


def backwards(apps, schema_editor):
    Request = apps.get_model("information", "InformationRequest")
    rows = Request.objects.select_related("answer_deadline", "head_deadline").order_by("pk")
    for request in rows.iterator(chunk_size=500):
        answer, head = request.answer_deadline, request.head_deadline
        request.due_date = answer.due_date if answer is not None else None
        request.complaint_due_date = head.due_date if head is not None else None
        request.save(update_fields=["due_date", "complaint_due_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("information", "0003_case_engine_clocks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
