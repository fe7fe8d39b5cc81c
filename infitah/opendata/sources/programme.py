"""Open-data sources of the opening programme (REMACTO) and OGP Local action plans: the
commitments, their milestones, and their indicators with the values measured.

Only adopted programmes (adopted, in evaluation or closed) of the public ones
(`Programme.objects.public()`: network members, not abandoned): a programme still in
co-creation or under consultation is a draft whose commitments may change. Only what the
public pages show (no long OGP texts here: they are on the commitment's page); an
indicator value's source only when it is a web address, as the page draws it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import Count, Max, Min, Prefetch, QuerySet

from infitah.opendata.sources import Row, Source
from infitah.opendata.sources.participation import col, iso_day, page_url, span
from infitah.openplan.models import Commitment, Indicator, IndicatorValue, Milestone, Programme
from infitah.openplan.progress import completion_of
from infitah.openplan.public_selectors import safe_url
from infitah.openplan.workflow import Status
from infitah.territories.models import Collectivity

ADOPTED = (Status.ADOPTED, Status.EVALUATING, Status.CLOSED)


def _programmes() -> QuerySet[Programme]:
    return Programme.objects.public().filter(status__in=ADOPTED)


def _own(collectivity: Collectivity | None) -> QuerySet[Programme]:
    return _programmes().filter(collectivity=collectivity)


def holders() -> list[int]:
    """Collectivities with an adopted public programme that has commitments."""
    return list(
        _programmes()
        .filter(commitments__isnull=False)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def temporal(collectivity: Collectivity | None) -> tuple[dt.date | None, dt.date | None]:
    """The implementation periods of the adopted programmes."""
    found = _own(collectivity).aggregate(first=Min("starts_on"), last=Max("ends_on"))
    return span(found["first"], found["last"])


PROGRAMME_COLUMNS = (
    col("programme_id", "integer", "معرف البرنامج", "Identifiant du programme"),
    col("programme_reference", "string", "مرجع البرنامج", "Référence du programme"),
    col("programme_title_ar", "string", "عنوان البرنامج بالعربية", "Titre du programme en arabe"),
    col(
        "programme_title_fr", "string", "عنوان البرنامج بالفرنسية", "Titre du programme en français"
    ),
    col("programme_kind", "string", "نوع البرنامج", "Type de programme"),
    col("programme_status", "string", "حالة البرنامج", "État du programme"),
    col("programme_starts_on", "date", "بداية التنفيذ", "Début de la mise en œuvre"),
    col("programme_ends_on", "date", "نهاية التنفيذ", "Fin de la mise en œuvre"),
)


def _programme_cells(programme: Programme) -> dict[str, object]:
    return {
        "programme_id": programme.pk,
        "programme_reference": programme.reference,
        "programme_title_ar": programme.title_ar,
        "programme_title_fr": programme.title_fr,
        "programme_kind": programme.kind,
        "programme_status": programme.status,
        "programme_starts_on": iso_day(programme.starts_on),
        "programme_ends_on": iso_day(programme.ends_on),
    }


def _commitment_url(collectivity: Collectivity, programme_id: int, number: int) -> str:
    return page_url("openplan:commitment", slug=collectivity.slug, pk=programme_id, number=number)


# --------------------------------------------------------------------------- commitments

COMMITMENT_COLUMNS = (
    *PROGRAMME_COLUMNS,
    col("number", "integer", "رقم الالتزام", "Numéro de l'engagement"),
    col("title_ar", "string", "عنوان الالتزام بالعربية", "Titre de l'engagement en arabe"),
    col("title_fr", "string", "عنوان الالتزام بالفرنسية", "Titre de l'engagement en français"),
    col("axis_ar", "string", "المحور بالعربية", "Axe en arabe"),
    col("axis_fr", "string", "المحور بالفرنسية", "Axe en français"),
    col("lead_unit", "string", "المصلحة المسؤولة", "Service responsable"),
    col("value_access", "boolean", "الحصول على المعلومات", "Accès à l'information"),
    col("value_participation", "boolean", "المشاركة المواطنة", "Participation citoyenne"),
    col("value_accountability", "boolean", "المساءلة العمومية", "Redevabilité publique"),
    col("technology", "boolean", "التكنولوجيا والابتكار", "Technologie et innovation"),
    col("budget", "number", "الميزانية (درهم)", "Budget (MAD)"),
    col("budget_line", "string", "بند الميزانية", "Ligne budgétaire"),
    col("starts_on", "date", "تاريخ البداية", "Date de début"),
    col("ends_on", "date", "تاريخ النهاية", "Date de fin"),
    col("milestones", "integer", "عدد المراحل", "Nombre de jalons"),
    col("progress", "number", "نسبة التقدم", "Avancement (%)"),
    col("completion", "string", "درجة الإنجاز", "Niveau de réalisation"),
    col("url", "string", "رابط الالتزام", "Adresse de l'engagement"),
)


def commitment_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The commitments of the adopted programmes, oldest programme first, by number
    (two queries)."""
    if collectivity is None:
        return
    commitments = (
        Commitment.objects.select_related("axis")
        .annotate(milestone_count=Count("milestones"))
        .order_by("number", "pk")
    )
    programmes = (
        _own(collectivity)
        .prefetch_related(Prefetch("commitments", queryset=commitments))
        .order_by("starts_on", "pk")
    )
    for programme in programmes:
        cells = _programme_cells(programme)
        for c in programme.commitments.all():
            yield {
                **cells,
                "number": c.number,
                "title_ar": c.title_ar,
                "title_fr": c.title_fr,
                "axis_ar": c.axis.title_ar if c.axis else None,
                "axis_fr": c.axis.title_fr if c.axis else None,
                "lead_unit": c.lead_unit,
                "value_access": c.value_access,
                "value_participation": c.value_participation,
                "value_accountability": c.value_accountability,
                "technology": c.tag_technology,
                "budget": c.budget,
                "budget_line": c.budget_line,
                "starts_on": iso_day(c.starts_on),
                "ends_on": iso_day(c.ends_on),
                "milestones": c.milestone_count,  # type: ignore[attr-defined]
                "progress": c.progress,
                "completion": completion_of(c.progress).value,
                "url": _commitment_url(collectivity, programme.pk, c.number),
            }


PROGRAMME = Source(
    key="programme",
    title_ar="التزامات برنامج الانفتاح / خطة عمل الحكومة المنفتحة — {name}",
    title_fr="Engagements du programme d'ouverture / plan d'action OGP — {name}",
    description_ar=(
        "التزامات برامج الانفتاح وخطط عمل الحكومة المنفتحة المحلية المعتمدة لـ{name}: "
        "المحور، المصلحة المسؤولة، قيم الشراكة من أجل الحكومة المنفتحة، الميزانية، "
        "الآجال، نسبة التقدم ودرجة الإنجاز."
    ),
    description_fr=(
        "Les engagements des programmes d'ouverture et plans d'action OGP Local adoptés "
        "de {name} : axe, service responsable, valeurs OGP, budget, délais, avancement "
        "et niveau de réalisation."
    ),
    columns=COMMITMENT_COLUMNS,
    rows=commitment_rows,
    holders=holders,
    tags=("gouvernement ouvert", "ogp", "plan action"),
    theme="GOVE",
    frequency="IRREG",
    temporal=temporal,
)


# --------------------------------------------------------------------------- milestones

MILESTONE_COLUMNS = (
    *PROGRAMME_COLUMNS,
    col("commitment_number", "integer", "رقم الالتزام", "Numéro de l'engagement"),
    col("milestone_id", "integer", "معرف المرحلة", "Identifiant du jalon"),
    col("parent_id", "integer", "جزء من المرحلة", "Partie du jalon"),
    col("level", "integer", "المستوى", "Niveau"),
    col("order", "integer", "الترتيب", "Ordre"),
    col("title_ar", "string", "عنوان المرحلة بالعربية", "Titre du jalon en arabe"),
    col("title_fr", "string", "عنوان المرحلة بالفرنسية", "Titre du jalon en français"),
    col("starts_on", "date", "تاريخ البداية", "Date de début"),
    col("ends_on", "date", "تاريخ النهاية", "Date de fin"),
    col("weight", "number", "الوزن", "Poids"),
    col("progress", "number", "نسبة التقدم", "Avancement (%)"),
    col("status", "string", "الحالة", "État"),
    col("completed_on", "date", "تاريخ الإنجاز", "Date d'achèvement"),
    col("url", "string", "رابط الالتزام", "Adresse de l'engagement"),
)


def _depth_first(milestones: Sequence[Milestone]) -> list[tuple[int, Milestone]]:
    """(level, milestone) in the page's order: each milestone followed by its parts; one
    whose parent is not among them is a top-level one."""
    known = {m.pk for m in milestones}
    children: dict[int | None, list[Milestone]] = defaultdict(list)
    for m in sorted(milestones, key=lambda m: (m.order, m.pk)):
        children[m.parent_id if m.parent_id in known else None].append(m)
    found: list[tuple[int, Milestone]] = []

    def walk(parent: int | None, level: int) -> None:
        for m in children.get(parent, []):
            found.append((level, m))
            walk(m.pk, level + 1)

    walk(None, 1)
    return found


def milestone_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The milestones of the adopted programmes' commitments, commitment by commitment,
    each followed by its parts (two queries)."""
    if collectivity is None:
        return
    programmes = {p.pk: p for p in _own(collectivity).order_by("starts_on", "pk")}
    by_commitment: dict[tuple[int, int], list[Milestone]] = defaultdict(list)
    milestones = (
        Milestone.objects.filter(commitment__programme__in=list(programmes))
        .select_related("commitment")
        .order_by("commitment__number", "commitment_id", "order", "pk")
    )
    for m in milestones:
        by_commitment[(m.commitment.programme_id, m.commitment.number)].append(m)
    for programme in programmes.values():
        cells = _programme_cells(programme)
        numbers = sorted(n for p, n in by_commitment if p == programme.pk)
        for number in numbers:
            url = _commitment_url(collectivity, programme.pk, number)
            for level, m in _depth_first(by_commitment[(programme.pk, number)]):
                yield {
                    **cells,
                    "commitment_number": number,
                    "milestone_id": m.pk,
                    "parent_id": m.parent_id if level > 1 else None,
                    "level": level,
                    "order": m.order,
                    "title_ar": m.title_ar,
                    "title_fr": m.title_fr,
                    "starts_on": iso_day(m.starts_on),
                    "ends_on": iso_day(m.ends_on),
                    "weight": m.weight,
                    "progress": m.progress,
                    "status": m.status.value,
                    "completed_on": iso_day(m.completed_on),
                    "url": url,
                }


def milestone_holders() -> list[int]:
    return list(
        Milestone.objects.filter(commitment__programme__in=_programmes().order_by())
        .order_by()
        .values_list("commitment__programme__collectivity_id", flat=True)
        .distinct()
    )


MILESTONES = Source(
    key="programme-milestones",
    title_ar="مراحل التزامات برنامج الانفتاح — {name}",
    title_fr="Jalons des engagements du programme d'ouverture — {name}",
    description_ar=(
        "مراحل كل التزام من التزامات البرامج المعتمدة لـ{name} ومراحلها الفرعية: الآجال، "
        "الوزن، نسبة التقدم، الحالة وتاريخ الإنجاز."
    ),
    description_fr=(
        "Les jalons de chaque engagement des programmes adoptés de {name} et leurs "
        "sous-jalons : délais, poids, avancement, état et date d'achèvement."
    ),
    columns=MILESTONE_COLUMNS,
    rows=milestone_rows,
    holders=milestone_holders,
    tags=("gouvernement ouvert", "ogp", "suivi"),
    theme="GOVE",
    frequency="IRREG",
    temporal=temporal,
)


# --------------------------------------------------------------------------- indicators

INDICATOR_COLUMNS = (
    *PROGRAMME_COLUMNS,
    col("commitment_number", "integer", "رقم الالتزام", "Numéro de l'engagement"),
    col("commitment_title_ar", "string", "الالتزام بالعربية", "Engagement en arabe"),
    col("commitment_title_fr", "string", "الالتزام بالفرنسية", "Engagement en français"),
    col("indicator_id", "integer", "معرف المؤشر", "Identifiant de l'indicateur"),
    col("indicator_ar", "string", "المؤشر بالعربية", "Indicateur en arabe"),
    col("indicator_fr", "string", "المؤشر بالفرنسية", "Indicateur en français"),
    col("unit", "string", "الوحدة", "Unité"),
    col("baseline", "number", "القيمة المرجعية", "Valeur de référence"),
    col("baseline_on", "date", "تاريخ القيمة المرجعية", "Date de la valeur de référence"),
    col("target", "number", "القيمة المستهدفة", "Cible"),
    col("target_on", "date", "تاريخ الهدف", "Date de la cible"),
    col("measured_on", "date", "تاريخ القياس", "Date de la mesure"),
    col("value", "number", "القيمة المقيسة", "Valeur mesurée"),
    col("note", "string", "ملاحظة", "Note"),
    col("source_url", "string", "المصدر", "Source"),
    col("url", "string", "رابط الالتزام", "Adresse de l'engagement"),
)


def indicator_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """One row per measured value of each indicator, oldest first (an indicator not
    measured yet: one row with its baseline and target only); three queries."""
    if collectivity is None:
        return
    values = IndicatorValue.objects.order_by("measured_on", "pk")
    indicators = (
        Indicator.objects.filter(commitment__programme__in=_own(collectivity).order_by())
        .select_related("commitment__programme")
        .prefetch_related(Prefetch("values", queryset=values))
        .order_by(
            "commitment__programme__starts_on",
            "commitment__programme_id",
            "commitment__number",
            "order",
            "pk",
        )
    )
    for indicator in indicators:
        commitment = indicator.commitment
        programme = commitment.programme
        cells = {
            **_programme_cells(programme),
            "commitment_number": commitment.number,
            "commitment_title_ar": commitment.title_ar,
            "commitment_title_fr": commitment.title_fr,
            "indicator_id": indicator.pk,
            "indicator_ar": indicator.name_ar,
            "indicator_fr": indicator.name_fr,
            "unit": indicator.unit,
            "baseline": indicator.baseline,
            "baseline_on": iso_day(indicator.baseline_on),
            "target": indicator.target,
            "target_on": iso_day(indicator.target_on),
            "url": _commitment_url(collectivity, programme.pk, commitment.number),
        }
        measured = list(indicator.values.all())
        if not measured:
            yield {**cells, "measured_on": None, "value": None, "note": None, "source_url": None}
        for v in measured:
            yield {
                **cells,
                "measured_on": iso_day(v.measured_on),
                "value": v.value,
                "note": v.note,
                "source_url": safe_url(v.source_url) or None,
            }


def indicator_holders() -> list[int]:
    return list(
        Indicator.objects.filter(commitment__programme__in=_programmes().order_by())
        .order_by()
        .values_list("commitment__programme__collectivity_id", flat=True)
        .distinct()
    )


INDICATORS = Source(
    key="programme-indicators",
    title_ar="مؤشرات التزامات برنامج الانفتاح وقيمها — {name}",
    title_fr="Indicateurs des engagements du programme d'ouverture et leurs valeurs — {name}",
    description_ar=(
        "مؤشرات نتائج التزامات البرامج المعتمدة لـ{name}: الوحدة، القيمة المرجعية، "
        "القيمة المستهدفة، وكل قيمة مقيسة مع تاريخها ومصدرها (صف لكل قياس)."
    ),
    description_fr=(
        "Les indicateurs de résultat des engagements des programmes adoptés de {name} : "
        "unité, valeur de référence, cible, et chaque valeur mesurée avec sa date et sa "
        "source (une ligne par mesure)."
    ),
    columns=INDICATOR_COLUMNS,
    rows=indicator_rows,
    holders=indicator_holders,
    tags=("gouvernement ouvert", "ogp", "indicateurs"),
    theme="GOVE",
    frequency="IRREG",
    temporal=temporal,
)


SOURCES: list[Source] = [PROGRAMME, MILESTONES, INDICATORS]
