"""Version 1 of the openness index's method: the default weights (docs/openness.md)."""

from django.db import migrations
from django.utils import timezone

WEIGHTS = {
    "publication": 20,
    "information": 15,
    "complaints": 10,
    "petitions": 5,
    "participation": 10,
    "council": 15,
    "programme": 10,
    "budget": 10,
    "opendata": 5,
}


def seed(apps, schema_editor):
    Method = apps.get_model("openness", "Method")
    if not Method.objects.filter(version=1).exists():
        Method.objects.create(
            version=1,
            weights=WEIGHTS,
            note="Initial weights.",
            created_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("openness", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
