"""Seed the catalogue of proactive-publication categories (docs/publication.md).

Sources: law 31.13 art. 10 (best-known list, UNCONFIRMED as a whole) and art. 12, and the
SMIIG-DATA items of Tafra (domain brief §1 and §7). Items whose obligation or SMIIG-DATA
status no retrieved source confirms have is_confirmed=False and say so in their
description. Network administrators edit the catalogue in the Django admin afterwards;
this migration only creates missing codes and never overwrites an edited row.
"""

from django.db import migrations

ALL = ["region", "prefecture", "province", "commune"]
ORGANIC = "القوانين التنظيمية 111.14 و112.14 و113.14"
ORGANIC_FR = "lois organiques 111.14, 112.14 et 113.14"
UNCONFIRMED_FR = "À confirmer : "
UNCONFIRMED_AR = "غير مؤكد: "

# code, name_ar, name_fr, basis_ar, basis_fr, frequency, max_age_days, mandatory, smiig,
# confirmed, description_fr, description_ar, applies_to
CATEGORIES = [
    ("council.composition", "تركيبة المجلس", "Composition du conseil",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, True, True, "", "", ALL),
    ("council.committees", "تركيبة لجان المجلس", "Composition des commissions du conseil",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, True, True, "", "", ALL),
    ("advisory.bodies", "تركيبة الهيئات الاستشارية", "Composition des instances consultatives",
     "القانون 31.13، المادة 10؛ " + ORGANIC, "Loi 31.13, art. 10 ; " + ORGANIC_FR,
     "on_change", None, True, True, True, "", "", ALL),
    ("information.officers", "الأشخاص المكلفون بالمعلومات ومعطيات الاتصال بهم",
     "Personnes chargées de l'information et leurs coordonnées",
     "القانون 31.13، المادة 12؛ المنشور رقم 2 بتاريخ 25/12/2018",
     "Loi 31.13, art. 12 ; circulaire n° 2 du 25/12/2018",
     "on_change", None, True, True, True, "", "", ALL),
    ("council.sessions", "جدول أعمال الدورات وتواريخها والمقررات",
     "Ordre du jour, dates des sessions et délibérations",
     "القانون التنظيمي 113.14، المادتان 48 و273 (ومقتضيات مماثلة في 111.14 و112.14)",
     "Loi organique 113.14, art. 48 et 273 (et dispositions analogues des lois 111.14 et 112.14)",
     "per_session", 150, True, True, True,
     "À jour si le dernier document date de moins de 150 jours (trois sessions ordinaires par an).",
     "محين إذا كان آخر وثيقة منشورة قبل أقل من 150 يوما (ثلاث دورات عادية في السنة).", ALL),
    ("consultation.space", "فضاء دائم للتشاور العمومي عبر الإنترنت",
     "Espace permanent de consultation publique en ligne",
     "الدستور، الفصل 156", "Constitution, art. 156",
     "on_change", None, True, True, True,
     "Publier la présentation de l'espace et son adresse.",
     "نشر تقديم الفضاء وعنوانه.", ALL),
    ("contact.details", "معطيات الاتصال بالجماعة الترابية", "Coordonnées de la collectivité",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, True, True, "", "", ALL),
    ("budget.current", "ميزانية السنة الجارية", "Budget de l'année en cours",
     "القانون التنظيمي 113.14، المادة 272 (ومقتضيات مماثلة في 111.14 و112.14)",
     "Loi organique 113.14, art. 272 (et dispositions analogues des lois 111.14 et 112.14)",
     "yearly", 425, True, True, True,
     "Indiquer la période couverte (l'exercice) : l'actualité se juge sur sa fin.",
     "يرجى تحديد الفترة المشمولة (السنة المالية): تقاس الحداثة بنهايتها.", ALL),
    ("budget.closed", "الميزانيات المختتمة للسنوات الثلاث الأخيرة",
     "Budgets clôturés des années N-1 à N-3",
     "القانون 31.13، المادة 10؛ " + ORGANIC, "Loi 31.13, art. 10 ; " + ORGANIC_FR,
     "yearly", 790, True, True, True,
     "« Complet » signifie que les trois derniers exercices clos sont publiés.",
     "«كامل» يعني نشر ميزانيات السنوات المالية الثلاث الأخيرة المختتمة.", ALL),
    ("missions.structure", "المهام والهيكل الإداري", "Missions et organisation administrative",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, False, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10.", UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10.", ALL),
    ("regulations", "القرارات التنظيمية والدوريات", "Règlements, arrêtés et circulaires",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, False, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10.", UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10.", ALL),
    ("services.procedures", "حقوق وواجبات المرتفقين وشروط الخدمات والرخص",
     "Droits et devoirs des usagers, conditions des services, licences et autorisations",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, True, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10 ; item SMIIG-DATA probable.",
     UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10؛ عنصر محتمل في مؤشر SMIIG-DATA.", ALL),
    ("procurement", "برامج ونتائج الصفقات العمومية",
     "Programmes et résultats des marchés publics",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "yearly", 425, True, True, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10 ; item SMIIG-DATA probable.",
     UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10؛ عنصر محتمل في مؤشر SMIIG-DATA.", ALL),
    ("recruitment", "مباريات التوظيف: الإعلانات ولوائح المترشحين والنتائج",
     "Concours de recrutement : avis, listes des candidats, résultats",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, True, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10 ; item SMIIG-DATA probable.",
     UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10؛ عنصر محتمل في مؤشر SMIIG-DATA.", ALL),
    ("reports.studies", "التقارير والدراسات والبرامج", "Rapports, études et programmes",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "yearly", 425, True, False, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10.", UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10.", ALL),
    ("statistics", "الإحصائيات", "Statistiques",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "yearly", 425, True, False, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10.", UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10.", ALL),
    ("communiques", "البلاغات", "Communiqués",
     "القانون 31.13، المادة 10", "Loi 31.13, art. 10",
     "on_change", None, True, False, False,
     UNCONFIRMED_FR + "liste exacte de l'art. 10.", UNCONFIRMED_AR + "اللائحة الدقيقة للمادة 10.", ALL),
    ("action.programme", "برنامج عمل الجماعة الترابية أو برنامج التنمية",
     "Programme d'action ou de développement (PDR, PDP, PAC)",
     ORGANIC, ORGANIC_FR,
     "on_change", None, False, True, False,
     UNCONFIRMED_FR + "obligation de publication et item SMIIG-DATA probable (bonne pratique).",
     UNCONFIRMED_AR + "إلزامية النشر؛ عنصر محتمل في مؤشر SMIIG-DATA (ممارسة جيدة).", ALL),
    ("urban.planning", "وثائق التعمير", "Documents d'urbanisme",
     "", "",
     "on_change", None, False, True, False,
     UNCONFIRMED_FR + "item SMIIG-DATA probable (bonne pratique).",
     UNCONFIRMED_AR + "عنصر محتمل في مؤشر SMIIG-DATA (ممارسة جيدة).", ["commune"]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("publication", "Category")
    for order, row in enumerate(CATEGORIES, start=1):
        (code, name_ar, name_fr, basis_ar, basis_fr, frequency, max_age, mandatory, smiig,
         confirmed, desc_fr, desc_ar, applies_to) = row
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_ar": name_ar,
                "name_fr": name_fr,
                "legal_basis_ar": basis_ar,
                "legal_basis_fr": basis_fr,
                "frequency": frequency,
                "max_age_days": max_age,
                "is_mandatory": mandatory,
                "is_smiig": smiig,
                "is_confirmed": confirmed,
                "description_fr": desc_fr,
                "description_ar": desc_ar,
                "applies_to": applies_to,
                "order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("publication", "Category")
    Document = apps.get_model("publication", "Document")
    codes = [row[0] for row in CATEGORIES]
    used = set(Document.objects.values_list("category__code", flat=True))
    Category.objects.filter(code__in=[c for c in codes if c not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_create_catalogue_and_documents")]

    operations = [migrations.RunPython(seed, unseed)]
