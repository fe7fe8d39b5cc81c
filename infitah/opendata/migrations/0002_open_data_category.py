"""The publication category "open-data": staff add their own datasets by publishing a
file in it (docs/opendata.md); `datasets_sync` makes each current document a dataset.

Created only if missing (network administrators may edit it afterwards in the admin);
removed on the way back only while no document uses it.
"""

from django.db import migrations

CODE = "open-data"


def create(apps, schema_editor):
    Category = apps.get_model("publication", "Category")
    Category.objects.get_or_create(
        code=CODE,
        defaults={
            "name_ar": "بيانات مفتوحة",
            "name_fr": "Données ouvertes",
            "description_ar": (
                "ملفات بيانات تنشرها الجماعة الترابية بصيغة قابلة لإعادة الاستعمال (CSV "
                "أو XLSX أو ODS): يصبح كل ملف مجموعة بيانات في فهرس البيانات المفتوحة، "
                "بترخيص مفتوح."
            ),
            "description_fr": (
                "Fichiers de données que la collectivité publie dans un format réutilisable "
                "(CSV, XLSX ou ODS) : chacun devient un jeu de données du catalogue des "
                "données ouvertes, sous licence ouverte."
            ),
            "applies_to": ["region", "prefecture", "province", "commune"],
            "frequency": "on_change",
            "max_age_days": None,
            "is_mandatory": False,
            "is_smiig": False,
            "is_confirmed": True,
            "order": 900,
        },
    )


def remove(apps, schema_editor):
    Category = apps.get_model("publication", "Category")
    Document = apps.get_model("publication", "Document")
    if not Document.objects.filter(category__code=CODE).exists():
        Category.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0001_initial"),
        ("publication", "0002_seed_catalogue"),
    ]

    operations = [migrations.RunPython(create, remove)]
