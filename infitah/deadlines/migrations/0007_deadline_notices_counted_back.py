"""A notice counted back from its start day is due before it: the due date no longer
has to follow the start date (LegalLimit.counted_back)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0006_council_advisory_limits")]

    operations = [
        migrations.RemoveConstraint(model_name="deadline", name="deadline_due_after_start"),
    ]
