"""The administrative-court time limit after the CDAI (law 31.13, UNCONFIRMED: 60 days)."""

from django.db import migrations

ATI_AR = "القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات"
ATI_FR = "Loi n° 31.13 relative au droit d'accès à l'information"


def seed(apps, schema_editor):
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    LegalLimit.objects.get_or_create(
        code="ati.court_appeal",
        defaults={
            "duration": 60,
            "unit": "calendar_days",
            "legal_basis_ar": ATI_AR,
            "legal_basis_fr": ATI_FR,
            "description": (
                "Appeal to the administrative court, from the CDAI's decision or the expiry "
                "of its time limit. UNCONFIRMED."
            ),
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "LegalLimit").objects.filter(code="ati.court_appeal").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("information", "0001_access_to_information"),
        ("deadlines", "0002_seed_legal_limits"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
