"""Complaints on the case engine (schema, step 3 of 3): the copies of the due dates go;
they are read from the clocks' Deadlines."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_backfill_clock_deadlines"),
    ]

    operations = [
        migrations.RemoveField(model_name="complaint", name="acknowledge_by"),
        migrations.RemoveField(model_name="complaint", name="answer_by"),
    ]
