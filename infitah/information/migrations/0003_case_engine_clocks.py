"""Access-to-information requests on the case engine (schema, step 1 of 3): each legal
clock points at its current Deadline; messages and attachments take the engine's shape."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_deadline_expiry_noted_at"),
        ("information", "0002_seed_court_appeal_limit"),
    ]

    operations = [
        migrations.RenameField(model_name="attachment", old_name="request", new_name="case"),
        migrations.RenameField(model_name="message", old_name="request", new_name="case"),
        migrations.RenameField(
            model_name="message", old_name="from_requester", new_name="from_citizen"
        ),
        migrations.AddField(
            model_name="informationrequest",
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
        migrations.AddField(
            model_name="informationrequest",
            name="head_deadline",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="deadlines.deadline",
                verbose_name="period of the head",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(fields=["status", "submitted_at"], name="ati_request_status_idx"),
        ),
    ]
