"""The one row of IntegritySettings (pk=1), with the defaults of the model."""

from django.db import migrations


def seed(apps, schema_editor):
    IntegritySettings = apps.get_model("petitions", "IntegritySettings")
    IntegritySettings.objects.get_or_create(pk=1)


def unseed(apps, schema_editor):
    IntegritySettings = apps.get_model("petitions", "IntegritySettings")
    IntegritySettings.objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_petitions")]

    operations = [migrations.RunPython(seed, unseed)]
