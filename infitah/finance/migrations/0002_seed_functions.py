"""The functional classification of budget lines: the ten divisions of COFOG (the UN's
Classification of the Functions of Government), which Open Fiscal Data Package's
`functional` classification and international comparisons use. Data: the network may
refine it (groups), no code holds it."""

from typing import Any

from django.db import migrations

FUNCTIONS = [
    ("01", "الخدمات العامة للإدارات العمومية", "Services généraux des administrations publiques"),
    ("02", "الدفاع", "Défense"),
    ("03", "النظام العام والسلامة", "Ordre et sécurité publics"),
    ("04", "الشؤون الاقتصادية", "Affaires économiques"),
    ("05", "حماية البيئة", "Protection de l'environnement"),
    ("06", "الإسكان ومرافق المجتمع", "Logements et équipements collectifs"),
    ("07", "الصحة", "Santé"),
    ("08", "الترفيه والثقافة والشؤون الدينية", "Loisirs, culture et culte"),
    ("09", "التعليم", "Enseignement"),
    ("10", "الحماية الاجتماعية", "Protection sociale"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    FunctionalClass = apps.get_model("finance", "FunctionalClass")
    for code, name_ar, name_fr in FUNCTIONS:
        FunctionalClass.objects.update_or_create(
            code=code, defaults={"name_ar": name_ar, "name_fr": name_fr}
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("finance", "FunctionalClass").objects.filter(
        code__in=[row[0] for row in FUNCTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_budget_and_procurement")]

    operations = [migrations.RunPython(seed, unseed)]
