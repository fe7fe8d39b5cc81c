"""The legal limits of OGP Local action plans (domain.md §6): the public page updated at
least every 4 months, the inception assessment within 2 months of submission. They are
data: the network corrects these rows, no code holds them."""

from typing import Any

from django.db import migrations

HANDBOOK_AR = "دليل الحكومة المنفتحة المحلية (OGP Local)"
HANDBOOK_FR = "Manuel OGP Local (Partenariat pour un gouvernement ouvert)"

# code, duration, unit, basis ar, basis fr, name ar, name fr, description
LIMITS: list[tuple[Any, ...]] = [
    (
        "openplan.update",
        4,
        "calendar_months",
        HANDBOOK_AR,
        HANDBOOK_FR,
        "تحيين الصفحة العمومية لبرنامج الانفتاح",
        "Mise à jour de la page publique du programme d'ouverture",
        "The programme's public page is updated at least every 4 months (OGP Local "
        "process requirement): each progress report meets the period and opens the next.",
    ),
    (
        "openplan.inception",
        2,
        "calendar_months",
        HANDBOOK_AR,
        HANDBOOK_FR,
        "التقييم الأولي لخطة العمل من طرف هيئة التتبع المستقلة",
        "Évaluation initiale du plan d'action par l'organe de suivi indépendant",
        "The independent monitoring body's inception assessment is due within 2 months "
        "of the action plan's submission (OGP Local Handbook §3.5.1).",
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    for code, duration, unit, basis_ar, basis_fr, name_ar, name_fr, text in LIMITS:
        LegalLimit.objects.update_or_create(
            code=code,
            defaults={
                "duration": duration,
                "unit": unit,
                "counted_back": False,
                "legal_basis_ar": basis_ar,
                "legal_basis_fr": basis_fr,
                "name_ar": name_ar,
                "name_fr": name_fr,
                "description": text,
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    LegalLimit.objects.filter(code__in=[row[0] for row in LIMITS]).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0007_deadline_notices_counted_back")]

    operations = [migrations.RunPython(seed, unseed)]
