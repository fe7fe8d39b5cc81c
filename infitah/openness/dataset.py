"""The openness index as a network-wide open-data source (infitah/opendata/sources):
the dataset `network-openness`.

One row per collectivity of the tree for the latest month with scores, ranked as on the
dashboard (`selectors.ranking`): the collectivity, its kind and region, its rank (empty
without data), its score, whether it has data, the method version, and the fraction of
each item from 0 to 1 (empty when the item had nothing to judge). Three queries, whatever
the number of collectivities. Earlier months are each collectivity's history, on its
page and in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Max, Min

from infitah.deadlines.workdays import add_months
from infitah.opendata.sources import Column, Row, Source
from infitah.openness import selectors
from infitah.openness.models import ITEMS, Score
from infitah.territories.models import Collectivity, Kind

# Each item's column title (ar, fr): the same names as the pages.
ITEM_COLUMN_TITLES: dict[str, tuple[str, str]] = {
    "publication": ("النشر الاستباقي", "Publication proactive"),
    "information": ("الحصول على المعلومات", "Accès à l'information"),
    "complaints": ("الشكايات", "Réclamations"),
    "petitions": ("العرائض", "Pétitions"),
    "participation": ("المشاركة", "Participation"),
    "council": ("انفتاح المجلس", "Ouverture du conseil"),
    "programme": ("برنامج الانفتاح", "Programme d'ouverture"),
    "budget": ("شفافية الميزانية", "Transparence budgétaire"),
    "opendata": ("البيانات المفتوحة", "Données ouvertes"),
}

COLUMNS: tuple[Column, ...] = (
    Column("month", "date", "الشهر", "Mois"),
    Column("rank", "integer", "الرتبة", "Rang"),
    Column("collectivity", "string", "الجماعة الترابية (المعرف)", "Collectivité (identifiant)"),
    Column("name_ar", "string", "الاسم بالعربية", "Nom en arabe"),
    Column("name_fr", "string", "الاسم بالفرنسية", "Nom en français"),
    Column("kind", "string", "الصنف", "Type"),
    Column("region", "string", "الجهة (المعرف)", "Région (identifiant)"),
    Column("score", "number", "النقطة (0-100)", "Score (0-100)"),
    Column("has_data", "boolean", "توجد معطيات", "Données disponibles"),
    Column("method_version", "integer", "صيغة المنهجية", "Version de la méthode"),
    *(
        Column(code, "number", f"{ar} (0-1)", f"{fr} (0-1)")
        for code, (ar, fr) in ITEM_COLUMN_TITLES.items()
    ),
)


def _fractions(items: object) -> dict[str, Any]:
    """Each item's fraction from a score's stored items (None: not measured)."""
    found: dict[str, Any] = dict.fromkeys(ITEMS)
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping) and item.get("code") in found:
                found[item["code"]] = item.get("fraction")
    return found


def _region_slug(collectivity: Collectivity) -> str:
    if collectivity.kind == Kind.REGION:
        return collectivity.slug
    return collectivity.region.slug if collectivity.region is not None else ""


def openness_rows(_collectivity: Collectivity | None = None) -> Iterable[Row]:
    """The latest month's scores of every collectivity, best first (ranked ones first,
    then those without data by French name)."""
    month = selectors.latest_month()
    if month is None:
        return []
    ranked = selectors.ranking(month=month)
    items = dict(Score.objects.filter(month=month).values_list("collectivity_id", "items"))
    rows = []
    for row in ranked:
        c = row.collectivity
        rows.append(
            {
                "month": month,
                "rank": row.rank,
                "collectivity": c.slug,
                "name_ar": c.name_ar,
                "name_fr": c.name_fr,
                "kind": c.kind,
                "region": _region_slug(c),
                "score": row.score,
                "has_data": row.has_data,
                "method_version": row.method_version,
                **_fractions(items.get(c.pk)),
            }
        )
    return rows


def openness_temporal(
    _collectivity: Collectivity | None = None,
) -> tuple[dt.date | None, dt.date | None]:
    """From the first month with scores to the last day of the latest one."""
    found = Score.objects.aggregate(first=Min("month"), last=Max("month"))
    last: dt.date | None = found["last"]
    end = add_months(last, 1) - dt.timedelta(days=1) if last is not None else None
    return found["first"], end


SOURCES: list[Source] = [
    Source(
        key="openness",
        title_ar="مؤشر الانفتاح للجماعات الترابية ({name})",
        title_fr="Indice d'ouverture des collectivités territoriales ({name})",
        description_ar=(
            "نقطة كل جماعة ترابية من 0 إلى 100 عن آخر شهر محسوب، ورتبتها وصنفها وجهتها، "
            "ونسبة تحقق كل بند من بنود المؤشر (من 0 إلى 1؛ فارغة إذا لم يكن هناك ما يُقيَّم). "
            "تُحسب النقطة من المعطيات التي تتوفر عليها المنصة وفق منهجية منشورة ومرقمة الصيغ. "
            "الجماعة التي لا تتوفر على أي معطى تظهر بدون رتبة (لا معطيات)، وليس كإخفاق."
        ),
        description_fr=(
            "Le score de 0 à 100 de chaque collectivité territoriale pour le dernier mois "
            "calculé, son rang, son type et sa région, et le degré de réalisation de chaque "
            "élément de l'indice (de 0 à 1 ; vide quand il n'y avait rien à juger). Le "
            "score est calculé à partir des données que la plateforme détient, selon une "
            "méthode publiée et versionnée. Une collectivité sans aucune donnée n'est pas "
            "classée (« pas de données ») : ce n'est pas un échec."
        ),
        columns=COLUMNS,
        rows=openness_rows,
        tags=("openness", "transparency", "open-government", "index"),
        theme="GOVE",
        frequency="MONTHLY",
        network=True,
        temporal=openness_temporal,
    )
]
