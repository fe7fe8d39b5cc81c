"""Access-to-information requests on the case engine (schema, step 3 of 3): the copies of
the due dates go; they are read from the clocks' Deadlines."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("information", "0004_backfill_clock_deadlines"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="informationrequest", name="ati_request_status_due_idx"),
        migrations.RemoveField(model_name="informationrequest", name="complaint_due_date"),
        migrations.RemoveField(model_name="informationrequest", name="due_date"),
    ]
