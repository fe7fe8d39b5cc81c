"""Petitions on the case engine (schema, step 3 of 3): the copy of the decision due date
goes; it is read from the decision clock's Deadline."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0004_backfill_decision_deadline"),
    ]

    operations = [
        migrations.RemoveField(model_name="petition", name="decision_due"),
    ]
