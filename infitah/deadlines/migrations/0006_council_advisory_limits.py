"""Notices counted back from a day (LegalLimit.counted_back), and the legal limits of
council sessions and advisory bodies (domain.md §4–5). What domain.md marks UNCONFIRMED
is said so in the description: the network corrects these rows, no code holds them."""

from typing import Any

from django.db import migrations, models

L111_AR = "القانون التنظيمي رقم 111.14 المتعلق بالجهات"
L111_FR = "Loi organique n° 111.14 relative aux régions"
L112_AR = "القانون التنظيمي رقم 112.14 المتعلق بالعمالات والأقاليم"
L112_FR = "Loi organique n° 112.14 relative aux préfectures et provinces"
L113_AR = "القانون التنظيمي رقم 113.14 المتعلق بالجماعات"
L113_FR = "Loi organique n° 113.14 relative aux communes"
RI_AR = "النظام الداخلي للمجلس"
RI_FR = "Règlement intérieur du conseil"

COUNCIL = {"region": (L111_AR, L111_FR), "province": (L112_AR, L112_FR), "commune": (L113_AR, L113_FR)}
COUNCIL_NAMES = {
    "region": ("مجلس الجهة", "du conseil régional"),
    "province": ("مجلس العمالة أو الإقليم", "du conseil préfectoral ou provincial"),
    "commune": ("مجلس الجماعة", "du conseil communal"),
}

# code, duration, unit, counted back, basis ar, basis fr, name ar, name fr, description
LIMITS: list[tuple[Any, ...]] = []
for level, (basis_ar, basis_fr) in COUNCIL.items():
    name_ar, name_fr = COUNCIL_NAMES[level]
    LIMITS += [
        (
            f"council.agenda_notice.{level}", 10, "calendar_days", True, basis_ar, basis_fr,
            f"نشر جدول أعمال دورة {name_ar} قبل انعقادها",
            f"Publication de l'ordre du jour {name_fr} avant la séance",
            "The agenda is published and sent to the members before the sitting, counted "
            "back from the sitting day. UNCONFIRMED: 10 days by default.",
        ),
        (
            f"council.summary.{level}", 8, "calendar_days", False, basis_ar, basis_fr,
            f"نشر ملخص مقررات {name_ar}",
            f"Publication du résumé des délibérations {name_fr}",
            "A summary of the decisions is posted after the sitting. UNCONFIRMED: 8 days.",
        ),
    ]
LIMITS += [
    (
        "advisory.opinion", 30, "calendar_days", False, RI_AR, RI_FR,
        "إبداء رأي الهيئة الاستشارية في إحالة",
        "Avis de l'instance consultative sur une saisine",
        "The body's opinion on a matter referred by the council or its president. "
        "UNCONFIRMED: set by the internal regulation; 30 days by default.",
    ),
    (
        "advisory.answer", 60, "calendar_days", False, RI_AR, RI_FR,
        "جواب المجلس عن رأي الهيئة الاستشارية",
        "Réponse du conseil à l'avis de l'instance consultative",
        "The council answers a transmitted opinion (adopted, partly, not adopted, with "
        "reasons). UNCONFIRMED: 60 days by default.",
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    LegalLimit = apps.get_model("deadlines", "LegalLimit")
    for code, duration, unit, back, basis_ar, basis_fr, name_ar, name_fr, text in LIMITS:
        LegalLimit.objects.update_or_create(
            code=code,
            defaults={
                "duration": duration,
                "unit": unit,
                "counted_back": back,
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
    dependencies = [("deadlines", "0005_legallimit_names")]

    operations = [
        migrations.AddField(
            model_name="legallimit",
            name="counted_back",
            field=models.BooleanField(
                default=False, verbose_name="counted back from the start day"
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
