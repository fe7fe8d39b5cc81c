"""An optional phone number on a request: the requester is also told by SMS."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("information", "0005_remove_copied_due_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="informationrequest",
            name="phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="phone"),
        ),
    ]
