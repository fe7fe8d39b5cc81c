"""Complaints on the case engine (schema, step 1 of 3): each legal clock points at its
current Deadline; messages and attachments take the engine's shape."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_remove_complaint_search_text"),
        ("deadlines", "0003_deadline_expiry_noted_at"),
    ]

    operations = [
        migrations.RenameField(model_name="attachment", old_name="complaint", new_name="case"),
        migrations.RenameField(model_name="message", old_name="complaint", new_name="case"),
        migrations.AddField(
            model_name="complaint",
            name="acknowledge_deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadline",
                verbose_name="acknowledgement period",
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="answer_deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadline",
                verbose_name="answer period",
            ),
        ),
    ]
