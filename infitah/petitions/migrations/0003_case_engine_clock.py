"""Petitions on the case engine (schema, step 1 of 3): the decision clock points at its
current Deadline."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_deadline_expiry_noted_at"),
        ("petitions", "0002_seed_integrity_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="decision_deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadline",
                verbose_name="decision period",
            ),
        ),
    ]
