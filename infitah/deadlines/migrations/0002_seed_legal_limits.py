"""Seed the legal time limits (data migration; the schema is in 0001).

Article numbers are given only where domain.md confirms them; elsewhere the text names the
law alone.
"""

from django.db import migrations

ATI_AR = "القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات"
ATI_FR = "Loi n° 31.13 relative au droit d'accès à l'information"
COMPLAINT_AR = (
    "المرسوم رقم 2.17.265 بتحديد كيفيات تلقي ملاحظات المرتفقين واقتراحاتهم وتظلماتهم "
    "وتتبعها ومعالجتها"
)
COMPLAINT_FR = (
    "Décret n° 2.17.265 fixant les modalités de réception des observations, suggestions et "
    "réclamations des usagers, de leur suivi et de leur traitement"
)

LIMITS = [
    # code, duration, unit, legal basis ar, legal basis fr, description
    ("ati.answer", 20, "working_days", ATI_AR, ATI_FR,
     "Answer to an access-to-information request, from its receipt."),
    ("ati.extension", 20, "working_days", ATI_AR, ATI_FR,
     "One extension of the answer period, notified with reasons before it expires."),
    ("ati.urgent", 3, "working_days", ATI_AR, ATI_FR,
     "Urgent request (life, safety or freedom of persons). Unit UNCONFIRMED."),
    ("ati.urgent_extension", 3, "working_days", ATI_AR, ATI_FR,
     "One extension of an urgent request. Unit UNCONFIRMED."),
    ("ati.internal_complaint", 20, "working_days", ATI_AR, ATI_FR,
     "Window for the internal complaint to the head of the body, from the answer or "
     "the expiry of the answer period."),
    ("ati.head_answer", 15, "working_days", ATI_AR, ATI_FR,
     "Answer of the head of the body to an internal complaint. UNCONFIRMED."),
    ("ati.cdai_complaint", 30, "calendar_days", ATI_AR, ATI_FR,
     "Window for a complaint to the CDAI, from the head's answer or its expiry."),
    ("ati.cdai_decision", 30, "calendar_days", ATI_AR, ATI_FR,
     "Decision of the CDAI on a complaint. UNCONFIRMED."),
    ("complaint.acknowledge", 15, "calendar_days", COMPLAINT_AR, COMPLAINT_FR,
     "Acknowledgement of receipt of a complaint."),
    ("complaint.answer", 60, "calendar_days", COMPLAINT_AR, COMPLAINT_FR,
     "Handling of a complaint (two months at most)."),
    ("petition.decision.region", 2, "calendar_months",
     "القانون التنظيمي رقم 111.14 المتعلق بالجهات (المواد 120–122)",
     "Loi organique n° 111.14 relative aux régions (art. 120 à 122)",
     "Decision on a petition to a regional council, from its receipt."),
    ("petition.decision.province", 2, "calendar_months",
     "القانون التنظيمي رقم 112.14 المتعلق بالعمالات والأقاليم (المواد 114–116)",
     "Loi organique n° 112.14 relative aux préfectures et provinces (art. 114 à 116)",
     "Decision on a petition to a prefecture or province council, from its receipt."),
    ("petition.decision.commune", 3, "calendar_months",
     "القانون التنظيمي رقم 113.14 المتعلق بالجماعات (المواد 121–125)",
     "Loi organique n° 113.14 relative aux communes (art. 121 à 125)",
     "Decision on a petition to a commune council, from its receipt."),
]


def seed(apps, schema_editor):
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    for code, duration, unit, basis_ar, basis_fr, description in LIMITS:
        LegalLimit.objects.update_or_create(
            code=code,
            defaults={
                "duration": duration,
                "unit": unit,
                "legal_basis_ar": basis_ar,
                "legal_basis_fr": basis_fr,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    LegalLimit.objects.filter(code__in=[row[0] for row in LIMITS]).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_legal_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
