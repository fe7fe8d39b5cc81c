"""The open-data category is offered for publishing, but it is no obligation of the
compliance score: the openness index scores the open data under its own item."""

from django.db import migrations


def unscore(apps, schema_editor):
    Category = apps.get_model("publication", "Category")
    Category.objects.filter(code="open-data").update(counts_in_compliance=False)


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0002_open_data_category"),
        ("publication", "0003_category_counts_in_compliance"),
    ]
    operations = [migrations.RunPython(unscore, migrations.RunPython.noop)]
