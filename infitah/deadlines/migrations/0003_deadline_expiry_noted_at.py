from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0002_seed_legal_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="expiry_noted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="expiry noted at"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("expiry_noted_at__isnull", True), ("status", "open")),
                fields=["due_date"],
                name="deadline_expiry_sweep_idx",
            ),
        ),
    ]
