"""Open-data sources of the case registers: the documents catalogue, the register and
statistics of access-to-information requests, complaint statistics and published
answers, petitions (see infitah/opendata/sources/__init__.py).

Each gives only what the public pages already show: never a requester's, complainant's,
signatory's or agent's name, contact or identity number. Requests their requesters
kept off the public register are counted in the statistics and listed nowhere.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from statistics import median
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation

from infitah.complaints.models import Complaint
from infitah.complaints.selectors import published_answers
from infitah.complaints.workflow import HANDLED
from infitah.complaints.workflow import Status as ComplaintStatus
from infitah.information.models import InformationRequest
from infitah.information.selectors import register_list
from infitah.information.workflow import OPEN as INFORMATION_OPEN
from infitah.information.workflow import Outcome as InformationOutcome
from infitah.opendata.sources import Column, Row, Source
from infitah.petitions.models import Petition, Tally
from infitah.petitions.selectors import threshold_for
from infitah.publication.models import Document
from infitah.publication.selectors import document_list
from infitah.territories.models import Collectivity


def _url(name: str, **kwargs: Any) -> str:
    """The absolute address of a public page, in the site's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.INFITAH_SITE_URL + reverse(name, kwargs=kwargs)


def _span(qs: QuerySet[Any], field: str) -> tuple[dt.date | None, dt.date | None]:
    found = qs.aggregate(first=Min(field), last=Max(field))
    return found["first"], found["last"]


def _created_span(qs: QuerySet[Any]) -> tuple[dt.date | None, dt.date | None]:
    """The local dates of the first and last `created_at` of `qs`."""
    found = qs.aggregate(first=Min("created_at"), last=Max("created_at"))
    first, last = found["first"], found["last"]
    return (
        timezone.localdate(first) if first is not None else None,
        timezone.localdate(last) if last is not None else None,
    )


def _year_span(qs: QuerySet[Any], field: str) -> tuple[dt.date | None, dt.date | None]:
    """From 1 January of the first year of `field` in `qs` to 31 December of the last."""
    first, last = _span(qs, field)
    if first is None or last is None:
        return None, None
    return dt.date(first.year, 1, 1), dt.date(last.year, 12, 31)


def _ids(qs: QuerySet[Any]) -> list[int]:
    """The distinct collectivity ids of `qs` (one grouped query)."""
    return list(qs.order_by().values_list("collectivity_id", flat=True).distinct())


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --------------------------------------------------------------------------- documents

DOCUMENT_COLUMNS = (
    Column("id", "integer", "معرف الوثيقة", "Identifiant du document"),
    Column("category_code", "string", "رمز الفئة", "Code de la catégorie"),
    Column("category_ar", "string", "الفئة (بالعربية)", "Catégorie (en arabe)"),
    Column("category_fr", "string", "الفئة (بالفرنسية)", "Catégorie (en français)"),
    Column("title_ar", "string", "العنوان بالعربية", "Titre en arabe"),
    Column("title_fr", "string", "العنوان بالفرنسية", "Titre en français"),
    Column("date", "date", "تاريخ الوثيقة", "Date du document"),
    Column("period_start", "date", "الفترة المشمولة: من", "Période couverte : du"),
    Column("period_end", "date", "الفترة المشمولة: إلى", "Période couverte : au"),
    Column("language", "string", "اللغة", "Langue"),
    Column("file_type", "string", "نوع الملف", "Type de fichier"),
    Column("size", "integer", "الحجم (بايت)", "Taille (octets)"),
    Column("sha256", "string", "بصمة SHA-256", "Empreinte SHA-256"),
    Column("version", "integer", "الصيغة", "Version"),
    Column("published_at", "datetime", "تاريخ النشر", "Publié le"),
    Column("url", "string", "صفحة الوثيقة", "Page du document"),
    Column("file_url", "string", "تحميل الملف", "Téléchargement du fichier"),
)


def _published_documents() -> QuerySet[Document]:
    return Document.objects.published()


def document_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The collectivity's current published documents, oldest first."""
    if collectivity is None:
        return
    documents = document_list(collectivity=collectivity).order_by("date", "pk")
    for d in documents.iterator(chunk_size=500):
        yield {
            "id": d.pk,
            "category_code": d.category.code,
            "category_ar": d.category.name_ar,
            "category_fr": d.category.name_fr,
            "title_ar": d.title_ar,
            "title_fr": d.title_fr,
            "date": d.date,
            "period_start": d.period_start,
            "period_end": d.period_end,
            "language": d.language,
            "file_type": d.file_type,
            "size": d.size,
            "sha256": d.sha256,
            "version": d.version,
            "published_at": d.published_at,
            "url": _url("publication:detail", slug=collectivity.slug, pk=d.pk),
            "file_url": _url("publication:file", slug=collectivity.slug, pk=d.pk),
        }


DOCUMENTS = Source(
    key="documents",
    title_ar="فهرس الوثائق المنشورة — {name}",
    title_fr="Catalogue des documents publiés — {name}",
    description_ar=(
        "الوثائق التي تنشرها {name} في إطار النشر الاستباقي للمعلومات (القانون 31.13، "
        "المادة 10)، صيغها الجارية فقط: الفئة، العنوان، التاريخ والفترة المشمولة، اللغة، "
        "نوع الملف وحجمه وبصمته SHA-256، ورابط الصفحة والملف."
    ),
    description_fr=(
        "Les documents que {name} publie au titre de la publication proactive (loi 31.13, "
        "art. 10), dans leur version en vigueur : catégorie, titre, date et période "
        "couverte, langue, type, taille et empreinte SHA-256 du fichier, adresses de la "
        "page et du fichier."
    ),
    columns=DOCUMENT_COLUMNS,
    rows=document_rows,
    holders=lambda: _ids(_published_documents()),
    tags=("documents", "proactive publication", "law 31.13"),
    frequency="CONT",
    temporal=lambda c: _span(_published_documents().filter(collectivity=c), "date"),
)


# ----------------------------------------------------------- access-to-information register

REGISTER_COLUMNS = (
    Column("reference", "string", "المرجع", "Référence"),
    Column("subject", "string", "الموضوع", "Objet"),
    Column("received_on", "date", "تاريخ التوصل", "Reçue le"),
    Column("due_date", "date", "أجل الجواب", "Échéance de la réponse"),
    Column("status", "string", "الحالة", "État"),
    Column("outcome", "string", "النتيجة", "Issue"),
    Column("answered_on", "date", "تاريخ الجواب", "Répondue le"),
    Column("answered_late", "boolean", "جواب بعد الأجل", "Réponse hors délai"),
    Column("deemed_refused", "boolean", "رفض ضمني", "Refus implicite"),
    Column("url", "string", "الصفحة في السجل", "Page du registre"),
)


def _registered() -> QuerySet[InformationRequest]:
    return InformationRequest.objects.public().filter(is_private=False)


def register_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The public register of `collectivity` in the order of its references."""
    if collectivity is None:
        return
    today = timezone.localdate()
    requests = register_list(collectivity=collectivity).order_by("submitted_at", "pk")
    for r in requests.iterator(chunk_size=500):
        yield {
            "reference": r.reference,
            "subject": r.subject,
            "received_on": r.received_on,
            "due_date": r.due_date,
            "status": r.status,
            "outcome": r.outcome,
            "answered_on": r.answered_on,
            "answered_late": r.is_answered_late if r.answered_on else None,
            "deemed_refused": r.deemed_refused_on is not None or r.is_deemed_refused(today),
            "url": _url("information:register-detail", reference=r.reference),
        }


INFORMATION_REGISTER = Source(
    key="information-register",
    title_ar="سجل طلبات الحصول على المعلومات — {name}",
    title_fr="Registre des demandes d'accès à l'information — {name}",
    description_ar=(
        "كل طلب حصول على المعلومات توصلت به {name} (القانون 31.13): المرجع، الموضوع، "
        "التواريخ، الأجل، الحالة والنتيجة، والرفض الضمني. لا تنشر هوية صاحب الطلب أبدا، "
        "ولا تدرج الطلبات التي طلب أصحابها عدم إدراجها في السجل العمومي."
    ),
    description_fr=(
        "Chaque demande d'accès à l'information reçue par {name} (loi 31.13) : référence, "
        "objet, dates, échéance, état et issue, refus implicite. L'identité du demandeur "
        "n'est jamais publiée ; les demandes que leurs auteurs ont souhaité tenir hors du "
        "registre public n'y figurent pas."
    ),
    columns=REGISTER_COLUMNS,
    rows=register_rows,
    holders=lambda: _ids(_registered()),
    tags=("access to information", "law 31.13", "register"),
    frequency="CONT",
    temporal=lambda c: _span(_registered().filter(collectivity=c), "received_on"),
)


# --------------------------------------------------------- access-to-information statistics

INFORMATION_STATISTICS_COLUMNS = (
    Column("year", "year", "السنة", "Année"),
    Column("received", "integer", "الطلبات المتوصل بها", "Demandes reçues"),
    Column("open", "integer", "قيد المعالجة", "En cours"),
    Column("answered", "integer", "أجيب عنها", "Répondues"),
    Column("answered_on_time", "integer", "أجيب عنها داخل الأجل", "Répondues dans le délai"),
    Column("answered_late", "integer", "أجيب عنها بعد الأجل", "Répondues hors délai"),
    Column(
        "median_working_days",
        "number",
        "الوسيط: أيام العمل قبل الجواب",
        "Médiane : jours ouvrables avant la réponse",
    ),
    Column("refused", "integer", "رفض (كلي أو جزئي)", "Refus (totaux ou partiels)"),
    Column("deemed_refused", "integer", "رفض ضمني", "Refus implicites"),
    Column("partly_answered", "integer", "أجيب عنها جزئيا", "Répondues en partie"),
    Column("transferred", "integer", "أحيلت", "Transmises"),
    Column("complaints", "integer", "شكايات إلى الرئيس", "Réclamations au président"),
)


def information_statistics_rows(collectivity: Collectivity | None) -> list[Row]:
    """One row a year (of receipt): the counts of the register page's statistics
    (`information.selectors.statistics`, same rules), private requests included."""
    if collectivity is None:
        return []
    today = timezone.localdate()
    found = (
        InformationRequest.objects.public()
        .filter(collectivity=collectivity)
        .values_list(
            "received_on",
            "status",
            "answer_deadline__due_date",
            "answered_on",
            "is_answered_late",
            "deemed_refused_on",
            "answer_working_days",
            "refusal_reasons",
            "complaint_on",
            "outcome",
        )
    )
    years: dict[int, Counter[str]] = defaultdict(Counter)
    durations: dict[int, list[int]] = defaultdict(list)
    for (
        received_on,
        status,
        due,
        answered_on,
        late,
        deemed_on,
        days,
        refusal,
        complaint_on,
        outcome,
    ) in found:
        if received_on is None:  # never: public() is the requests received
            continue
        year = received_on.year
        counts = years[year]
        counts["received"] += 1
        is_open = status in INFORMATION_OPEN
        counts["open"] += is_open
        if deemed_on is not None or (is_open and due is not None and due < today):
            counts["deemed_refused"] += 1
        if answered_on is not None:
            counts["answered"] += 1
            counts["answered_late" if late else "answered_on_time"] += 1
            if days is not None:
                durations[year].append(days)
        counts["refused"] += bool(refusal)
        counts["partly_answered"] += outcome == InformationOutcome.PARTLY_ANSWERED
        counts["transferred"] += outcome == InformationOutcome.TRANSFERRED
        counts["complaints"] += complaint_on is not None
    names = [c.name for c in INFORMATION_STATISTICS_COLUMNS]
    return [
        {
            **{name: years[year][name] for name in names},
            "year": year,
            "median_working_days": _median(durations[year]),
        }
        for year in sorted(years)
    ]


INFORMATION_STATISTICS = Source(
    key="information-statistics",
    title_ar="إحصائيات الحصول على المعلومات — {name}",
    title_fr="Statistiques de l'accès à l'information — {name}",
    description_ar=(
        "حسب سنة التوصل: عدد الطلبات التي توصلت بها {name}، وما أجيب عنه داخل الأجل "
        "وبعده، ووسيط أيام العمل قبل الجواب، وحالات الرفض والرفض الضمني، والإحالات "
        "والشكايات. تحتسب الطلبات غير المدرجة في السجل العمومي أيضا."
    ),
    description_fr=(
        "Par année de réception : les demandes reçues par {name}, les réponses dans le "
        "délai et hors délai, la médiane des jours ouvrables avant la réponse, les refus "
        "et refus implicites, les transmissions et les réclamations. Les demandes tenues "
        "hors du registre public sont comptées aussi."
    ),
    columns=INFORMATION_STATISTICS_COLUMNS,
    rows=information_statistics_rows,
    holders=lambda: _ids(InformationRequest.objects.public()),
    tags=("access to information", "law 31.13", "statistics"),
    frequency="CONT",
    temporal=lambda c: _year_span(
        InformationRequest.objects.public().filter(collectivity=c), "received_on"
    ),
)


# ------------------------------------------------------------------ complaint statistics

COMPLAINT_STATISTICS_COLUMNS = (
    Column("year", "year", "السنة", "Année"),
    Column("kind", "string", "النوع", "Type"),
    Column("category_ar", "string", "الصنف (بالعربية)", "Catégorie (en arabe)"),
    Column("category_fr", "string", "الصنف (بالفرنسية)", "Catégorie (en français)"),
    Column("received", "integer", "المتوصل بها", "Reçues"),
    Column("acknowledged", "integer", "أشعر بالتوصل بها", "Accusées de réception"),
    Column(
        "acknowledged_on_time",
        "integer",
        "أشعر بالتوصل بها داخل الأجل",
        "Accusées de réception dans le délai",
    ),
    Column("answered", "integer", "أجيب عنها", "Répondues"),
    Column("answered_on_time", "integer", "أجيب عنها داخل الأجل", "Répondues dans le délai"),
    Column(
        "answered_on_time_percent",
        "number",
        "نسبة الأجوبة داخل الأجل (%)",
        "Part des réponses dans le délai (%)",
    ),
    Column(
        "median_answer_days",
        "number",
        "الوسيط: الأيام قبل الجواب",
        "Médiane : jours avant la réponse",
    ),
    Column("rated", "integer", "قيمت", "Évaluées"),
    Column(
        "satisfaction_average",
        "number",
        "متوسط الرضا (من 1 إلى 5)",
        "Satisfaction moyenne (de 1 à 5)",
    ),
    Column("satisfied", "integer", "راضون (4 أو 5)", "Satisfaits (4 ou 5)"),
)


def complaint_statistics_rows(collectivity: Collectivity | None) -> list[Row]:
    """One row per year of receipt, type and category: the counts of the complaints
    page's statistics (`complaints.selectors.statistics`, same rules)."""
    if collectivity is None:
        return []
    found = (
        Complaint.objects.received()
        .filter(collectivity=collectivity)
        .values_list(
            "received_on",
            "kind",
            "category__name_ar",
            "category__name_fr",
            "acknowledged_on",
            "is_acknowledged_late",
            "answered_on",
            "is_answered_late",
            "answer_days",
            "satisfaction",
        )
    )
    counts: dict[tuple[int, str, str, str], Counter[str]] = defaultdict(Counter)
    days: dict[tuple[int, str, str, str], list[int]] = defaultdict(list)
    ratings: dict[tuple[int, str, str, str], list[int]] = defaultdict(list)
    for received_on, kind, cat_ar, cat_fr, ack_on, ack_late, ans_on, ans_late, n, rating in found:
        if received_on is None:  # never: received() is the complaints received
            continue
        key = (received_on.year, kind, cat_ar or "", cat_fr or "")
        cell = counts[key]
        cell["received"] += 1
        if ack_on is not None:
            cell["acknowledged"] += 1
            cell["acknowledged_on_time"] += not ack_late
        if ans_on is not None:
            cell["answered"] += 1
            cell["answered_on_time"] += not ans_late
            if n is not None:
                days[key].append(n)
        if rating is not None:
            ratings[key].append(rating)
    rows: list[Row] = []
    for key in sorted(counts, key=lambda k: (k[0], k[1], k[3], k[2])):
        cell, rated = counts[key], ratings[key]
        rows.append(
            {
                "year": key[0],
                "kind": key[1],
                "category_ar": key[2],
                "category_fr": key[3],
                "received": cell["received"],
                "acknowledged": cell["acknowledged"],
                "acknowledged_on_time": cell["acknowledged_on_time"],
                "answered": cell["answered"],
                "answered_on_time": cell["answered_on_time"],
                "answered_on_time_percent": _rate(cell["answered_on_time"], cell["answered"]),
                "median_answer_days": _median(days[key]),
                "rated": len(rated),
                "satisfaction_average": round(sum(rated) / len(rated), 2) if rated else None,
                "satisfied": sum(1 for r in rated if r >= 4),
            }
        )
    return rows


COMPLAINT_STATISTICS = Source(
    key="complaint-statistics",
    title_ar="إحصائيات الشكايات والملاحظات والاقتراحات — {name}",
    title_fr="Statistiques des réclamations, observations et suggestions — {name}",
    description_ar=(
        "حسب سنة التوصل والنوع والصنف: ما توصلت به {name}، وما أشعر بالتوصل به وما أجيب "
        "عنه داخل الأجل، ووسيط الأيام قبل الجواب، ورضا المرتفقين. لا معطيات شخصية."
    ),
    description_fr=(
        "Par année de réception, type et catégorie : ce que {name} a reçu, les accusés de "
        "réception et réponses dans le délai, la médiane des jours avant la réponse et la "
        "satisfaction des usagers. Aucune donnée personnelle."
    ),
    columns=COMPLAINT_STATISTICS_COLUMNS,
    rows=complaint_statistics_rows,
    holders=lambda: _ids(Complaint.objects.received()),
    tags=("complaints", "statistics", "public services"),
    frequency="CONT",
    temporal=lambda c: _year_span(
        Complaint.objects.received().filter(collectivity=c), "received_on"
    ),
)


# ---------------------------------------------------------------- published complaint answers

ANSWER_COLUMNS = (
    Column("reference", "string", "المرجع", "Référence"),
    Column("kind", "string", "النوع", "Type"),
    Column("category_ar", "string", "الصنف (بالعربية)", "Catégorie (en arabe)"),
    Column("category_fr", "string", "الصنف (بالفرنسية)", "Catégorie (en français)"),
    Column("received_on", "date", "تاريخ التوصل", "Reçue le"),
    Column("answered_on", "date", "تاريخ الجواب", "Répondue le"),
    Column("outcome", "string", "النتيجة", "Issue"),
    Column("competent_body", "string", "الجهة المختصة", "Organisme compétent"),
    Column("answer", "string", "الجواب", "Réponse"),
)


def _answers_published() -> QuerySet[Complaint]:
    """Every collectivity's published answers: the filter of `published_answers`."""
    return Complaint.objects.filter(
        Q(collectivity__complaint_settings__publish_answered=True)
        | Q(collectivity__complaint_settings__isnull=True),
        is_published=True,
        status__in=[*HANDLED, ComplaintStatus.CLOSED],
    )


def answer_rows(collectivity: Collectivity | None) -> Iterator[Row]:
    """The anonymised answers `collectivity` published, oldest answer first."""
    if collectivity is None:
        return
    answers = published_answers(collectivity=collectivity).order_by("answered_on", "pk")
    for c in answers.iterator(chunk_size=500):
        yield {
            "reference": c.reference,
            "kind": c.kind,
            "category_ar": c.category.name_ar if c.category else "",
            "category_fr": c.category.name_fr if c.category else "",
            "received_on": c.received_on,
            "answered_on": c.answered_on,
            "outcome": c.outcome,
            "competent_body": c.competent_body,
            "answer": c.answer_text,
        }


COMPLAINT_ANSWERS = Source(
    key="complaint-answers",
    title_ar="الأجوبة المنشورة على الشكايات — {name}",
    title_fr="Réponses publiées aux réclamations — {name}",
    description_ar=(
        "الشكايات والملاحظات والاقتراحات التي أجابت عنها {name} واختارت نشر جوابها، بدون "
        "هوية: النوع، الصنف، التواريخ، النتيجة والجواب المكتوب للعموم. لا ينشر نص الشكاية "
        "ولا أي معطى للاتصال."
    ),
    description_fr=(
        "Les réclamations, observations et suggestions auxquelles {name} a répondu et dont "
        "elle publie la réponse, anonymisées : type, catégorie, dates, issue et réponse "
        "rédigée pour le public. Ni le texte de la réclamation ni aucune coordonnée."
    ),
    columns=ANSWER_COLUMNS,
    rows=answer_rows,
    holders=lambda: _ids(_answers_published()),
    tags=("complaints", "answers", "public services"),
    frequency="CONT",
    temporal=lambda c: _span(_answers_published().filter(collectivity=c), "answered_on"),
)


# --------------------------------------------------------------------------------- petitions

PETITION_COLUMNS = (
    Column("reference", "string", "المرجع", "Référence"),
    Column("title", "string", "العنوان", "Titre"),
    Column("status", "string", "الحالة", "État"),
    Column("petitioner_kind", "string", "صاحب العريضة", "Pétitionnaire"),
    Column("association", "string", "الجمعية", "Association"),
    Column("channel", "string", "طريقة الإيداع", "Canal du dépôt"),
    Column("collecting_since", "date", "مفتوحة للتوقيع منذ", "Ouverte aux signatures depuis"),
    Column("lodged_on", "date", "تاريخ الإيداع", "Déposée le"),
    Column("signatures", "integer", "التوقيعات المؤكدة", "Signatures confirmées"),
    Column("threshold", "integer", "النصاب المطلوب", "Seuil requis"),
    Column("threshold_met", "boolean", "النصاب مستوفى", "Seuil atteint"),
    Column("decision_due", "date", "أجل قرار المجلس", "Échéance de la décision du conseil"),
    Column("accepted_on", "date", "تاريخ القبول", "Acceptée le"),
    Column("rejected_on", "date", "تاريخ الرفض", "Rejetée le"),
    Column("rejection_reasons", "string", "أسباب الرفض", "Motifs du rejet"),
    Column("session", "string", "الدورة", "Session"),
    Column("session_date", "date", "تاريخ الدورة", "Date de la session"),
    Column("decided_on", "date", "تاريخ القرار", "Décidée le"),
    Column("decision_ar", "string", "القرار بالعربية", "Décision en arabe"),
    Column("decision_fr", "string", "القرار بالفرنسية", "Décision en français"),
    Column("url", "string", "صفحة العريضة", "Page de la pétition"),
)


def petition_rows(collectivity: Collectivity | None) -> list[Row]:
    """The collectivity's public petitions (not drafts), oldest first, with their
    confirmed signatures (the shards' sum, or the count kept once purged) and the
    threshold (the one fixed at lodging, else the collectivity's current one)."""
    if collectivity is None:
        return []
    petitions = list(
        Petition.objects.public()
        .filter(collectivity=collectivity)
        .select_related("decision_deadline")
        .order_by("created_at", "pk")
    )
    if not petitions:
        return []
    totals = dict(
        Tally.objects.filter(petition__in=[p.pk for p in petitions])
        .order_by()
        .values_list("petition_id")
        .annotate(total=Sum("count"))
    )
    required_now = threshold_for(collectivity).required
    rows: list[Row] = []
    for p in petitions:
        purged = p.signatures_purged_at is not None and p.final_confirmed is not None
        signatures = int(p.final_confirmed or 0) if purged else int(totals.get(p.pk) or 0)
        required = p.threshold_at_lodging or required_now
        rows.append(
            {
                "reference": p.reference,
                "title": p.title,
                "status": p.status,
                "petitioner_kind": p.petitioner_kind,
                "association": p.association_name,
                "channel": p.channel,
                "collecting_since": timezone.localdate(p.collecting_since)
                if p.collecting_since
                else None,
                "lodged_on": p.lodged_on,
                "signatures": signatures,
                "threshold": required,
                "threshold_met": signatures >= required,
                "decision_due": p.decision_due,
                "accepted_on": p.accepted_on,
                "rejected_on": p.rejected_on,
                "rejection_reasons": p.rejection_reasons,
                "session": p.session_title,
                "session_date": p.session_date,
                "decided_on": p.decided_on,
                "decision_ar": p.decision_ar,
                "decision_fr": p.decision_fr,
                "url": _url("petitions:detail", slug=collectivity.slug, pk=p.pk),
            }
        )
    return rows


PETITIONS = Source(
    key="petitions",
    title_ar="العرائض — {name}",
    title_fr="Pétitions — {name}",
    description_ar=(
        "العرائض الموجهة إلى مجلس {name} (القوانين التنظيمية 111.14 و112.14 و113.14): "
        "العنوان، الحالة، عدد التوقيعات المؤكدة والنصاب المطلوب، الإيداع، قبول المكتب أو "
        "رفضه وأسبابه، والدورة وقرار المجلس. لا ينشر أي اسم لموقع أو لوكيل العريضة."
    ),
    description_fr=(
        "Les pétitions adressées au conseil de {name} (lois organiques 111.14, 112.14 et "
        "113.14) : titre, état, signatures confirmées et seuil requis, dépôt, acceptation "
        "ou rejet par le bureau et ses motifs, session et décision du conseil. Aucun nom "
        "de signataire ni de mandataire."
    ),
    columns=PETITION_COLUMNS,
    rows=petition_rows,
    holders=lambda: _ids(Petition.objects.public()),
    tags=("petitions", "participation", "council"),
    frequency="CONT",
    temporal=lambda c: _created_span(Petition.objects.public().filter(collectivity=c)),
)


SOURCES: list[Source] = [
    DOCUMENTS,
    INFORMATION_REGISTER,
    INFORMATION_STATISTICS,
    COMPLAINT_STATISTICS,
    COMPLAINT_ANSWERS,
    PETITIONS,
]
