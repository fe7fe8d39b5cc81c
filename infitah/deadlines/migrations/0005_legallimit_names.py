"""Human names of the legal time limits, in Arabic and French (the code stays a hint)."""

from typing import Any

from django.db import migrations, models

NAMES = {
    "ati.answer": ("الجواب عن طلب الحصول على المعلومات", "Réponse à une demande d'information"),
    "ati.extension": ("تمديد أجل الجواب", "Prolongation du délai de réponse"),
    "ati.urgent": ("الجواب عن طلب مستعجل", "Réponse à une demande urgente"),
    "ati.urgent_extension": (
        "تمديد أجل الجواب عن طلب مستعجل",
        "Prolongation d'une demande urgente",
    ),
    "ati.internal_complaint": (
        "أجل تقديم الشكاية إلى رئيس الهيئة",
        "Délai de réclamation auprès du chef de l'organisme",
    ),
    "ati.head_answer": (
        "جواب رئيس الهيئة عن الشكاية",
        "Réponse du chef de l'organisme à la réclamation",
    ),
    "ati.cdai_complaint": ("أجل تقديم الشكاية إلى اللجنة", "Délai de plainte auprès de la CDAI"),
    "ati.cdai_decision": ("قرار اللجنة في الشكاية", "Décision de la CDAI sur la plainte"),
    "ati.court_appeal": ("الطعن أمام المحكمة الإدارية", "Recours devant le tribunal administratif"),
    "complaint.acknowledge": ("الإشعار بالتوصل بالشكاية", "Accusé de réception de la réclamation"),
    "complaint.answer": ("معالجة الشكاية والجواب عنها", "Traitement de la réclamation et réponse"),
    "petition.decision.region": (
        "البت في عريضة موجهة إلى مجلس الجهة",
        "Décision sur une pétition au conseil régional",
    ),
    "petition.decision.province": (
        "البت في عريضة موجهة إلى مجلس العمالة أو الإقليم",
        "Décision sur une pétition au conseil préfectoral ou provincial",
    ),
    "petition.decision.commune": (
        "البت في عريضة موجهة إلى مجلس الجماعة",
        "Décision sur une pétition au conseil communal",
    ),
}


def name(apps: Any, schema_editor: Any) -> None:
    """Name the seeded limits that have no name yet (idempotent; edits are kept)."""
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    for code, (name_ar, name_fr) in NAMES.items():
        LegalLimit.objects.filter(code=code, name_ar="").update(name_ar=name_ar)
        LegalLimit.objects.filter(code=code, name_fr="").update(name_fr=name_fr)


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0004_calendar_override_reference"),
        ("information", "0002_seed_court_appeal_limit"),
    ]

    operations = [
        migrations.AddField(
            model_name="legallimit",
            name="name_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in Arabic"),
        ),
        migrations.AddField(
            model_name="legallimit",
            name="name_fr",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in French"),
        ),
        migrations.RunPython(name, migrations.RunPython.noop),
    ]
