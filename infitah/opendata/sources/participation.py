"""Open-data sources of public participation: consultations and their syntheses, the
public results of surveys, and the votes and reports of collective-intelligence labs.

Only what the public pages show: consultations of network members (every phase: the
public list shows upcoming ones too) with their published counts; a synthesis and the
responses per section once published after closing; a survey's aggregated results once
public (never a free-text answer, never a respondent); a lab's approved statements with
their vote counts and its latest report, once the lab has opened (never a voter).

The network's own space (territories Kind.NETWORK) is left out on purpose: it is not a
territory and the catalogue's publishers are collectivities (and the network itself,
for datasets without a collectivity, whose CKAN organization "network" its slug would
collide with). Its network-wide items are public on their own pages and in the API.

Values are plain: text, integers, Decimals for "number" columns, booleans, ISO dates
(`iso_day`) and absolute page addresses (`page_url`); None is an empty cell. The helpers
of this module are shared by the other source modules of this package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation

from infitah.opendata.sources import Column, Row, Source
from infitah.participation.consultations.models import Comment, Consultation, Section, Stance
from infitah.participation.consultations.workflow import CommentStatus, StanceValue
from infitah.participation.labs import reports as lab_reports
from infitah.participation.labs.models import Lab, Statement
from infitah.participation.labs.selectors import report_latest
from infitah.participation.surveys import selectors as survey_selectors
from infitah.participation.surveys.models import Status as SurveyStatus
from infitah.participation.surveys.models import Survey
from infitah.territories.models import Collectivity, Kind

# --------------------------------------------------------------------------- helpers


def page_url(name: str, **kwargs: object) -> str:
    """The absolute address of a public page, in the site's default language (the
    same in every file, whatever language the sync or the download runs in)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs)


def iso_day(value: dt.datetime | dt.date | None) -> str | None:
    """A Table Schema `date` cell: the day (in the site's time zone for a moment)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def span(
    first: dt.datetime | dt.date | None, last: dt.datetime | dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """`Source.temporal`'s pair from two aggregated moments or days."""

    def day(value: dt.datetime | dt.date | None) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return timezone.localdate(value)
        return value

    return day(first), day(last)


def col(name: str, type_: str, title_ar: str, title_fr: str) -> Column:
    return Column(name=name, type=type_, title_ar=title_ar, title_fr=title_fr)


def _member(collectivity: Collectivity | None) -> bool:
    """Only network members have the participation pages."""
    return collectivity is not None and collectivity.is_network_member


def _count(queryset: QuerySet[Any], outer: str) -> Coalesce:
    """A correlated COUNT of `queryset`'s rows whose `outer` is the outer row."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --------------------------------------------------------------------------- consultations


CONSULTATION_COLUMNS = (
    col("id", "integer", "المعرف", "Identifiant"),
    col("title_ar", "string", "العنوان بالعربية", "Titre en arabe"),
    col("title_fr", "string", "العنوان بالفرنسية", "Titre en français"),
    col("kind", "string", "موضوع المشروع", "Objet du projet"),
    col("opens_on", "date", "تاريخ الافتتاح", "Date d'ouverture"),
    col("closes_on", "date", "تاريخ الاختتام", "Date de clôture"),
    col("state", "string", "الحالة", "État"),
    col("sections", "integer", "عدد الأجزاء", "Nombre de sections"),
    col("comments", "integer", "التعليقات المنشورة", "Commentaires publiés"),
    col("supports", "integer", "التأييدات", "Soutiens"),
    col("opposes", "integer", "الاعتراضات", "Oppositions"),
    col("synthesis_published", "boolean", "نشر التركيب", "Synthèse publiée"),
    col(
        "synthesis_published_on", "date", "تاريخ نشر التركيب", "Date de publication de la synthèse"
    ),
    col("synthesis_url", "string", "رابط التركيب", "Adresse de la synthèse"),
    col("url", "string", "رابط الصفحة", "Adresse de la page"),
)


def _consultations(collectivity: Collectivity) -> list[Consultation]:
    """The collectivity's consultations, oldest first, with their public counts (one
    query)."""
    return list(
        Consultation.objects.filter(collectivity=collectivity)
        .annotate(
            n_sections=_count(Section.objects.all(), "consultation"),
            n_comments=_count(Comment.objects.published(), "consultation"),
            n_supports=_count(Stance.objects.filter(value=StanceValue.SUPPORT), "consultation"),
            n_opposes=_count(Stance.objects.filter(value=StanceValue.OPPOSE), "consultation"),
        )
        .order_by("opens_at", "pk")
    )


def _synthesis_shown(consultation: Consultation, now: dt.datetime) -> bool:
    """As the consultation's page: once closed, and the synthesis published."""
    return consultation.closes_at <= now and consultation.synthesis_published_at is not None


def consultation_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    if collectivity is None or not _member(collectivity):
        return
    now = timezone.now()
    for c in _consultations(collectivity):
        url = page_url("consultations:detail", slug=collectivity.slug, pk=c.pk)
        shown = _synthesis_shown(c, now)
        yield {
            "id": c.pk,
            "title_ar": c.title_ar,
            "title_fr": c.title_fr,
            "kind": c.kind,
            "opens_on": iso_day(c.opens_at),
            "closes_on": iso_day(c.closes_at),
            "state": c.phase(now).value,
            "sections": c.n_sections,  # type: ignore[attr-defined]
            "comments": c.n_comments,  # type: ignore[attr-defined]
            "supports": c.n_supports,  # type: ignore[attr-defined]
            "opposes": c.n_opposes,  # type: ignore[attr-defined]
            "synthesis_published": shown,
            "synthesis_published_on": iso_day(c.synthesis_published_at) if shown else None,
            "synthesis_url": url if shown else None,
            "url": url,
        }


def consultation_holders() -> list[int]:
    return list(
        Consultation.objects.filter(collectivity__is_network_member=True)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def consultation_temporal(
    collectivity: Collectivity | None,
) -> tuple[dt.date | None, dt.date | None]:
    found = Consultation.objects.filter(collectivity=collectivity).aggregate(
        first=Min("opens_at"), last=Max("closes_at")
    )
    return span(found["first"], found["last"])


CONSULTATIONS = Source(
    key="consultations",
    title_ar="الاستشارات العمومية — {name}",
    title_fr="Consultations publiques — {name}",
    description_ar=(
        "الاستشارات العمومية التي أطلقتها {name} حول مشاريعها: تواريخ الافتتاح والاختتام، "
        "الحالة، عدد الأجزاء والتعليقات المنشورة والتأييدات والاعتراضات، ونشر التركيب. "
        "أعداد مجمعة فقط، دون أي معطى شخصي."
    ),
    description_fr=(
        "Les consultations publiques de {name} sur ses projets : dates d'ouverture et de "
        "clôture, état, nombre de sections, de commentaires publiés, de soutiens et "
        "d'oppositions, publication de la synthèse. Des comptes agrégés, aucune donnée "
        "personnelle."
    ),
    columns=CONSULTATION_COLUMNS,
    rows=consultation_rows,
    holders=consultation_holders,
    tags=("participation", "consultation publique"),
    theme="GOVE",
    frequency="IRREG",
    temporal=consultation_temporal,
)


# --------------------------------------------------------------------------- syntheses


SYNTHESIS_COLUMNS = (
    col("consultation_id", "integer", "معرف الاستشارة", "Identifiant de la consultation"),
    col(
        "consultation_title_ar",
        "string",
        "عنوان الاستشارة بالعربية",
        "Titre de la consultation en arabe",
    ),
    col(
        "consultation_title_fr",
        "string",
        "عنوان الاستشارة بالفرنسية",
        "Titre de la consultation en français",
    ),
    col("closes_on", "date", "تاريخ الاختتام", "Date de clôture"),
    col(
        "synthesis_published_on", "date", "تاريخ نشر التركيب", "Date de publication de la synthèse"
    ),
    col("part", "string", "الجزء", "Partie"),
    col("section_order", "integer", "رقم الجزء", "Numéro de la section"),
    col("section_title_ar", "string", "عنوان الجزء بالعربية", "Titre de la section en arabe"),
    col("section_title_fr", "string", "عنوان الجزء بالفرنسية", "Titre de la section en français"),
    col("comments", "integer", "التعليقات المنشورة", "Commentaires publiés"),
    col("supports", "integer", "التأييدات", "Soutiens"),
    col("opposes", "integer", "الاعتراضات", "Oppositions"),
    col("text_ar", "string", "النص بالعربية", "Texte en arabe"),
    col("text_fr", "string", "النص بالفرنسية", "Texte en français"),
    col("url", "string", "رابط الصفحة", "Adresse de la page"),
)


def _published_syntheses(now: dt.datetime) -> Q:
    return Q(closes_at__lte=now, synthesis_published_at__isnull=False)


def synthesis_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """Per consultation whose synthesis is public: a row for the synthesis, then one per
    section with its counts and the collectivity's response (two queries)."""
    if collectivity is None or not _member(collectivity):
        return
    consultations = list(
        Consultation.objects.filter(_published_syntheses(timezone.now()), collectivity=collectivity)
        .only(
            "pk",
            "title_ar",
            "title_fr",
            "opens_at",
            "closes_at",
            "synthesis_ar",
            "synthesis_fr",
            "synthesis_published_at",
        )
        .order_by("opens_at", "pk")
    )
    sections: dict[int, list[Section]] = {c.pk: [] for c in consultations}
    for section in (
        Section.objects.filter(consultation__in=list(sections))
        .annotate(
            n_comments=_count(Comment.objects.filter(status=CommentStatus.PUBLISHED), "section"),
            n_supports=_count(Stance.objects.filter(value=StanceValue.SUPPORT), "section"),
            n_opposes=_count(Stance.objects.filter(value=StanceValue.OPPOSE), "section"),
        )
        .order_by("order", "pk")
    ):
        sections[section.consultation_id].append(section)
    for c in consultations:
        common = {
            "consultation_id": c.pk,
            "consultation_title_ar": c.title_ar,
            "consultation_title_fr": c.title_fr,
            "closes_on": iso_day(c.closes_at),
            "synthesis_published_on": iso_day(c.synthesis_published_at),
        }
        url = page_url("consultations:detail", slug=collectivity.slug, pk=c.pk)
        yield {
            **common,
            "part": "synthesis",
            "section_order": None,
            "section_title_ar": None,
            "section_title_fr": None,
            "comments": None,
            "supports": None,
            "opposes": None,
            "text_ar": c.synthesis_ar,
            "text_fr": c.synthesis_fr,
            "url": url,
        }
        for s in sections[c.pk]:
            yield {
                **common,
                "part": "section",
                "section_order": s.order,
                "section_title_ar": s.title_ar,
                "section_title_fr": s.title_fr,
                "comments": s.n_comments,  # type: ignore[attr-defined]
                "supports": s.n_supports,  # type: ignore[attr-defined]
                "opposes": s.n_opposes,  # type: ignore[attr-defined]
                "text_ar": s.response_ar,
                "text_fr": s.response_fr,
                "url": page_url(
                    "consultations:section", slug=collectivity.slug, pk=c.pk, section_pk=s.pk
                ),
            }


def synthesis_holders() -> list[int]:
    return list(
        Consultation.objects.filter(collectivity__is_network_member=True)
        .filter(_published_syntheses(timezone.now()))
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def synthesis_temporal(
    collectivity: Collectivity | None,
) -> tuple[dt.date | None, dt.date | None]:
    found = Consultation.objects.filter(
        _published_syntheses(timezone.now()), collectivity=collectivity
    ).aggregate(first=Min("opens_at"), last=Max("closes_at"))
    return span(found["first"], found["last"])


SYNTHESES = Source(
    key="consultation-syntheses",
    title_ar="تركيبات الاستشارات العمومية وأجوبة الجماعة — {name}",
    title_fr="Synthèses des consultations publiques et réponses — {name}",
    description_ar=(
        "تركيب كل استشارة عمومية اختتمت ونشرت {name} تركيبها، وجواب الجماعة على ما قيل "
        "في كل جزء من المشروع، مع أعداد التعليقات المنشورة والتأييدات والاعتراضات."
    ),
    description_fr=(
        "La synthèse de chaque consultation publique close dont {name} a publié la "
        "synthèse, et la réponse de la collectivité sur chaque section du projet, avec le "
        "nombre de commentaires publiés, de soutiens et d'oppositions."
    ),
    columns=SYNTHESIS_COLUMNS,
    rows=synthesis_rows,
    holders=synthesis_holders,
    tags=("participation", "consultation publique", "synthese"),
    theme="GOVE",
    frequency="IRREG",
    temporal=synthesis_temporal,
)


# --------------------------------------------------------------------------- surveys


SURVEY_COLUMNS = (
    col("survey_id", "integer", "معرف الاستطلاع", "Identifiant du sondage"),
    col("survey_title_ar", "string", "عنوان الاستطلاع بالعربية", "Titre du sondage en arabe"),
    col("survey_title_fr", "string", "عنوان الاستطلاع بالفرنسية", "Titre du sondage en français"),
    col("opens_on", "date", "تاريخ الافتتاح", "Date d'ouverture"),
    col("closes_on", "date", "تاريخ الاختتام", "Date de clôture"),
    col("respondents", "integer", "عدد المجيبين", "Nombre de répondants"),
    col("question_number", "integer", "رقم السؤال", "Numéro de la question"),
    col("question_ar", "string", "السؤال بالعربية", "Question en arabe"),
    col("question_fr", "string", "السؤال بالفرنسية", "Question en français"),
    col("question_kind", "string", "نوع السؤال", "Type de question"),
    col("answer_ar", "string", "الجواب بالعربية", "Réponse en arabe"),
    col("answer_fr", "string", "الجواب بالفرنسية", "Réponse en français"),
    col("value", "integer", "القيمة على السلم", "Valeur sur l'échelle"),
    col("count", "integer", "العدد", "Nombre"),
    col("percent", "number", "النسبة المئوية", "Pourcentage"),
    col("answered", "integer", "أجابوا عن السؤال", "Ont répondu à la question"),
    col("mean", "number", "المتوسط", "Moyenne"),
    col("url", "string", "رابط النتائج", "Adresse des résultats"),
)


def _public_results(now: dt.datetime) -> Q:
    """`Survey.results_public` as a filter: published, and closed or open with its
    results shown while open."""
    return Q(status=SurveyStatus.PUBLISHED) & (
        Q(closes_at__lte=now) | Q(show_results_while_open=True, opens_at__lte=now)
    )


def _decimal(value: float | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def survey_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """One row per option or scale value of each question (a free-text question: one
    row with its number of answers only), for the surveys whose results are public
    (five queries per survey). Not the network's own space (see the module)."""
    if collectivity is None or collectivity.kind == Kind.NETWORK:
        return
    surveys = Survey.objects.filter(_public_results(timezone.now()), collectivity=collectivity)
    for survey in surveys.order_by("opens_at", "pk"):
        results = survey_selectors.survey_results(survey=survey)
        common = {
            "survey_id": survey.pk,
            "survey_title_ar": survey.title_ar,
            "survey_title_fr": survey.title_fr,
            "opens_on": iso_day(survey.opens_at),
            "closes_on": iso_day(survey.closes_at),
            "respondents": results.respondents,
            "url": page_url("surveys:results", slug=collectivity.slug, pk=survey.pk),
        }
        for number, result in enumerate(results.questions, start=1):
            question = result.question
            labels = {o.pk: (o.label_ar, o.label_fr) for o in question.options.all()}
            asked = {
                **common,
                "question_number": number,
                "question_ar": question.text_ar,
                "question_fr": question.text_fr,
                "question_kind": question.kind,
                "answered": result.answered,
                "mean": _decimal(result.mean),
            }
            if not result.bars:
                yield {
                    **asked,
                    "answer_ar": None,
                    "answer_fr": None,
                    "value": None,
                    "count": None,
                    "percent": None,
                }
            for bar in result.bars:
                if bar.option_id is not None:
                    answer_ar, answer_fr = labels.get(bar.option_id, ("", ""))
                else:
                    answer_ar = answer_fr = str(bar.value)
                yield {
                    **asked,
                    "answer_ar": answer_ar,
                    "answer_fr": answer_fr,
                    "value": bar.value,
                    "count": bar.count,
                    "percent": _decimal(bar.percent, "0.1"),
                }


def survey_holders() -> list[int]:
    return list(
        Survey.objects.filter(_public_results(timezone.now()))
        .exclude(collectivity__kind=Kind.NETWORK)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


def survey_temporal(collectivity: Collectivity | None) -> tuple[dt.date | None, dt.date | None]:
    found = Survey.objects.filter(
        _public_results(timezone.now()), collectivity=collectivity
    ).aggregate(first=Min("opens_at"), last=Max("closes_at"))
    return span(found["first"], found["last"])


SURVEYS = Source(
    key="surveys",
    title_ar="نتائج الاستطلاعات — {name}",
    title_fr="Résultats des sondages — {name}",
    description_ar=(
        "النتائج المجمعة لاستطلاعات {name} التي أصبحت نتائجها عمومية: لكل سؤال عدد "
        "ونسبة كل جواب أو قيمة على السلم. لا تنشر الأجوبة الحرة ولا هوية المجيبين."
    ),
    description_fr=(
        "Les résultats agrégés des sondages de {name} dont les résultats sont publics : "
        "pour chaque question, le nombre et la part de chaque réponse ou valeur de "
        "l'échelle. Ni les réponses libres ni l'identité des répondants ne sont publiées."
    ),
    columns=SURVEY_COLUMNS,
    rows=survey_rows,
    holders=survey_holders,
    tags=("participation", "sondage"),
    theme="GOVE",
    frequency="IRREG",
    temporal=survey_temporal,
)


# --------------------------------------------------------------------------- labs


LAB_COLUMNS = (
    col("lab_id", "integer", "معرف المختبر", "Identifiant du laboratoire"),
    col("question_ar", "string", "السؤال بالعربية", "Question en arabe"),
    col("question_fr", "string", "السؤال بالفرنسية", "Question en français"),
    col("opens_on", "date", "تاريخ الافتتاح", "Date d'ouverture"),
    col("closes_on", "date", "تاريخ الاختتام", "Date de clôture"),
    col("statement_id", "integer", "معرف المقترح", "Identifiant de la proposition"),
    col("statement", "string", "نص المقترح", "Texte de la proposition"),
    col("agree", "integer", "موافق", "D'accord"),
    col("disagree", "integer", "غير موافق", "Pas d'accord"),
    col("pass", "integer", "محايد", "Passe"),
    col("votes", "integer", "مجموع الأصوات", "Total des votes"),
    col("url", "string", "رابط المختبر", "Adresse du laboratoire"),
)


def _public_labs(collectivity: Collectivity) -> list[Lab]:
    return list(
        Lab.objects.for_collectivity(collectivity.pk).published().order_by("opens_at", "pk")
    )


def lab_vote_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """One row per approved statement of the labs that have opened, with its vote counts
    (two queries)."""
    if collectivity is None or not _member(collectivity):
        return
    labs = {lab.pk: lab for lab in _public_labs(collectivity)}
    statements = (
        Statement.objects.approved()
        .filter(lab__in=list(labs))
        .annotate(
            agree=Count("votes", filter=Q(votes__value=1)),
            disagree=Count("votes", filter=Q(votes__value=-1)),
            passed=Count("votes", filter=Q(votes__value=0)),
        )
        .only("pk", "lab_id", "text")
        .order_by("pk")
    )
    by_lab: dict[int, list[Statement]] = {pk: [] for pk in labs}
    for statement in statements:
        by_lab[statement.lab_id].append(statement)
    for pk, lab in labs.items():
        url = page_url("labs:detail", slug=collectivity.slug, pk=pk)
        for s in by_lab[pk]:
            agree, disagree, passed = s.agree, s.disagree, s.passed  # type: ignore[attr-defined]
            yield {
                "lab_id": pk,
                "question_ar": lab.question_ar,
                "question_fr": lab.question_fr,
                "opens_on": iso_day(lab.opens_at),
                "closes_on": iso_day(lab.closes_at),
                "statement_id": s.pk,
                "statement": s.text,
                "agree": agree,
                "disagree": disagree,
                "pass": passed,
                "votes": agree + disagree + passed,
                "url": url,
            }


def lab_vote_holders() -> list[int]:
    return list(
        Statement.objects.approved()
        .filter(lab__in=Lab.objects.published(), lab__collectivity__is_network_member=True)
        .order_by()
        .values_list("lab__collectivity_id", flat=True)
        .distinct()
    )


def lab_temporal(collectivity: Collectivity | None) -> tuple[dt.date | None, dt.date | None]:
    found = (
        Lab.objects.filter(collectivity=collectivity)
        .published()
        .aggregate(first=Min("opens_at"), last=Max("closes_at"))
    )
    return span(found["first"], found["last"])


LAB_VOTES = Source(
    key="lab-votes",
    title_ar="أصوات مختبرات الذكاء الجماعي — {name}",
    title_fr="Votes des laboratoires d'intelligence collective — {name}",
    description_ar=(
        "لكل مقترح مقبول في مختبرات الذكاء الجماعي لـ{name}: عدد الموافقين وغير الموافقين "
        "والمحايدين. أعداد مجمعة فقط، لا يظهر أي مشارك."
    ),
    description_fr=(
        "Pour chaque proposition approuvée des laboratoires d'intelligence collective de "
        "{name} : le nombre de votes d'accord, de désaccord et de passes. Des comptes "
        "agrégés, aucun participant n'apparaît."
    ),
    columns=LAB_COLUMNS,
    rows=lab_vote_rows,
    holders=lab_vote_holders,
    tags=("participation", "intelligence collective", "votes"),
    theme="GOVE",
    frequency="IRREG",
    temporal=lab_temporal,
)


LAB_REPORT_COLUMNS = (
    col("lab_id", "integer", "معرف المختبر", "Identifiant du laboratoire"),
    col("question_ar", "string", "السؤال بالعربية", "Question en arabe"),
    col("question_fr", "string", "السؤال بالفرنسية", "Question en français"),
    col("computed_on", "date", "تاريخ الحساب", "Date du calcul"),
    col("voters", "integer", "عدد المصوتين", "Nombre de votants"),
    col("kind", "string", "النوع", "Type"),
    col("group", "string", "مجموعة الرأي", "Groupe d'opinion"),
    col("group_size", "integer", "حجم المجموعة", "Taille du groupe"),
    col("statement_id", "integer", "معرف المقترح", "Identifiant de la proposition"),
    col("statement", "string", "نص المقترح", "Texte de la proposition"),
    col("direction", "string", "الاتجاه", "Sens"),
    col("agree", "integer", "موافق", "D'accord"),
    col("disagree", "integer", "غير موافق", "Pas d'accord"),
    col("pass", "integer", "محايد", "Passe"),
    col("score", "number", "المؤشر", "Score"),
    col("url", "string", "رابط التقرير", "Adresse du rapport"),
)


def lab_report_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The latest report of each lab that has opened, as its page shows it: the
    statements that set each opinion group apart, then those of consensus (one query,
    then two per lab)."""
    if collectivity is None or not _member(collectivity):
        return
    for lab in _public_labs(collectivity):
        report = report_latest(lab=lab)
        if report is None:
            continue
        view = lab_reports.report_view(lab=lab, report=report)
        common = {
            "lab_id": lab.pk,
            "question_ar": lab.question_ar,
            "question_fr": lab.question_fr,
            "computed_on": iso_day(report.computed_at),
            "voters": view.voter_count,
            "url": page_url("labs:report", slug=collectivity.slug, pk=lab.pk),
        }
        lines: list[tuple[str, str | None, int | None, lab_reports.StatementLine]] = [
            ("representative", group.letter, group.size, line)
            for group in view.groups
            for line in group.representative
        ]
        lines += [("consensus", None, None, line) for line in view.consensus]
        for kind, letter, size, line in lines:
            yield {
                **common,
                "kind": kind,
                "group": letter,
                "group_size": size,
                "statement_id": line.statement_id,
                "statement": line.text,
                "direction": line.direction,
                "agree": line.agree,
                "disagree": line.disagree,
                "pass": line.passed,
                "score": None if line.score is None else _decimal(line.score, "0.0001"),
            }


def lab_report_holders() -> list[int]:
    return list(
        Lab.objects.published()
        .filter(collectivity__is_network_member=True, reports__isnull=False)
        .order_by()
        .values_list("collectivity_id", flat=True)
        .distinct()
    )


LAB_REPORTS = Source(
    key="lab-reports",
    title_ar="تقارير مختبرات الذكاء الجماعي: مجموعات الرأي والتوافق — {name}",
    title_fr="Rapports des laboratoires d'intelligence collective : groupes et consensus — {name}",
    description_ar=(
        "آخر تقرير لكل مختبر للذكاء الجماعي لـ{name}: المقترحات التي تميز كل مجموعة رأي "
        "والمقترحات التي تحظى بالتوافق، مع الأصوات داخل المجموعة. لا يظهر أي مشارك."
    ),
    description_fr=(
        "Le dernier rapport de chaque laboratoire d'intelligence collective de {name} : "
        "les propositions qui distinguent chaque groupe d'opinion et celles qui font "
        "consensus, avec les votes au sein du groupe. Aucun participant n'apparaît."
    ),
    columns=LAB_REPORT_COLUMNS,
    rows=lab_report_rows,
    holders=lab_report_holders,
    tags=("participation", "intelligence collective", "consensus"),
    theme="GOVE",
    frequency="IRREG",
    temporal=lab_temporal,
)


SOURCES: list[Source] = [CONSULTATIONS, SYNTHESES, SURVEYS, LAB_VOTES, LAB_REPORTS]
