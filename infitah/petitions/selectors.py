"""Reads of petitions: public lists and pages, counts, thresholds, statistics, signatories.

Counts come from the `Tally` shards (a SUM), cached `INFITAH_PETITION_COUNT_TTL` seconds
(5 by default) for display: a busy petition page costs no query for its counter. Lodging
and the bureau's checks read the exact, uncached sums. Once the signatures of a closed
petition are purged, the counts kept on the petition (`final_*`) are shown.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncHour
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.cases.selectors import case_events, settings_get
from infitah.ledger.models import Event
from infitah.petitions.models import (
    Invalidation,
    Petition,
    PetitionSettings,
    Signature,
    Tally,
    level_of,
)
from infitah.petitions.thresholds import Threshold, legal_basis, threshold_compute
from infitah.petitions.workflow import LODGED_STATES, Level, SignatureStatus, Status
from infitah.territories.models import Collectivity, Kind

STATS_HOURS = 72
STATS_TOP = 20


def count_ttl() -> int:
    return int(getattr(settings, "INFITAH_PETITION_COUNT_TTL", 5))


def petition_settings_get(collectivity: Collectivity) -> PetitionSettings:
    """The collectivity's settings (defaults when it recorded none; not saved)."""
    return settings_get(PetitionSettings, collectivity)


def region_provinces(region: Collectivity) -> list[Collectivity]:
    """The prefectures and provinces of `region` (the per-province spread's units)."""
    return list(
        Collectivity.objects.filter(parent=region, kind__in=[Kind.PREFECTURE, Kind.PROVINCE])
    )


def threshold_for(
    subject: Petition | Collectivity, *, petition_settings: PetitionSettings | None = None
) -> Threshold:
    """The threshold of a petition (its collectivity's rule; 1–2 queries, one less when
    the caller already holds the collectivity's `petition_settings`)."""
    collectivity = subject.collectivity if isinstance(subject, Petition) else subject
    provinces = region_provinces(collectivity) if collectivity.kind == Kind.REGION else []
    return threshold_compute(
        collectivity,
        settings=petition_settings or petition_settings_get(collectivity),
        provinces=provinces,
    )


def law_threshold_for(collectivity: Collectivity) -> Threshold:
    """The law's threshold of `collectivity`, ignoring its settings (the figure an
    override replaces, with the law's spread; 0–1 query)."""
    provinces = region_provinces(collectivity) if collectivity.kind == Kind.REGION else []
    return threshold_compute(collectivity, provinces=provinces)


def legal_basis_of(collectivity: Collectivity) -> str:
    return legal_basis(level_of(collectivity.kind))


# ---- counts ---------------------------------------------------------------------------


def _is_purged(petition: Petition) -> bool:
    return petition.signatures_purged_at is not None and petition.final_confirmed is not None


def counts_by_province_exact(petition: Petition) -> dict[int, int]:
    """Confirmed signatures by prefecture/province pk, from the shards (uncached)."""
    if _is_purged(petition):
        return {int(k): int(v) for k, v in petition.final_per_province.items()}
    rows = (
        Tally.objects.filter(petition_id=petition.pk)
        .values_list("province_id")
        .annotate(total=Sum("count"))
    )
    return {province: int(total or 0) for province, total in rows if total}


def counts_by_province(petition: Petition) -> dict[int, int]:
    """As `counts_by_province_exact`, cached a few seconds for display."""
    key = f"pet:counts:{petition.pk}"
    found = cache.get(key)
    if isinstance(found, dict):
        return found
    counts = counts_by_province_exact(petition)
    cache.set(key, counts, count_ttl())
    return counts


def confirmed_count(petition: Petition) -> int:
    """Confirmed signatures (sum of the shards), cached ≤ INFITAH_PETITION_COUNT_TTL s."""
    if _is_purged(petition):
        return int(petition.final_confirmed or 0)
    key = f"pet:count:{petition.pk}"
    found = cache.get(key)
    if isinstance(found, int):
        return found
    total = Tally.objects.filter(petition_id=petition.pk).aggregate(total=Sum("count"))["total"]
    count = int(total or 0)
    cache.set(key, count, count_ttl())
    return count


def counts_forget(petition_id: int) -> None:
    """Drop the cached counts (after an invalidation or a purge)."""
    cache.delete_many([f"pet:count:{petition_id}", f"pet:counts:{petition_id}"])


@dataclass(frozen=True)
class ProvinceProgress:
    province: Collectivity
    required: int
    confirmed: int

    @property
    def name(self) -> str:
        return self.province.name

    @property
    def slug(self) -> str:
        return self.province.slug

    @property
    def is_met(self) -> bool:
        return self.confirmed >= self.required


def province_progress(
    petition: Petition, *, threshold: Threshold | None = None, fresh: bool = False
) -> list[ProvinceProgress]:
    """For a region's petition, each prefecture/province with its minimum and its
    confirmed count; [] for other levels (no spread rule)."""
    if petition.collectivity.kind != Kind.REGION:
        return []
    threshold = threshold or threshold_for(petition)
    counts = counts_by_province_exact(petition) if fresh else counts_by_province(petition)
    return [
        ProvinceProgress(province=province, required=minimum, confirmed=counts.get(province.pk, 0))
        for province, minimum in threshold.per_province
    ]


# ---- petitions --------------------------------------------------------------------------


@dataclass(frozen=True)
class PetitionSummary:
    petition: Petition
    confirmed: int
    required: int


def petition_public_list(collectivity: Collectivity) -> list[PetitionSummary]:
    """The collectivity's petitions the public may see (not drafts), newest first, with
    their counts (2–3 queries, whatever the number of petitions)."""
    petitions = list(
        Petition.objects.public()
        .filter(collectivity=collectivity)
        .select_related("collectivity")
        .order_by("-created_at", "-pk")[:500]
    )
    if not petitions:
        return []
    totals = dict(
        Tally.objects.filter(petition__in=[p.pk for p in petitions])
        .values_list("petition_id")
        .annotate(total=Sum("count"))
    )
    required = threshold_for(collectivity).required
    return [
        PetitionSummary(
            petition=p,
            confirmed=int(p.final_confirmed or 0) if _is_purged(p) else int(totals.get(p.pk) or 0),
            required=p.threshold_at_lodging or required,
        )
        for p in petitions
    ]


# ---- reference data read on every signature --------------------------------------------
#
# Collectivities by pk and places by slug change almost never: each process keeps them
# for TERRITORY_MEMO_SECONDS, and any save or delete of a collectivity in the process
# clears them (other processes: within TERRITORY_MEMO_SECONDS; a bulk update of the
# territories, which sends no signal, too). Only found places are kept (an unknown slug
# is looked up each time). The memo's instances are shared by the process's threads:
# read only.
TERRITORY_MEMO_SECONDS = 60.0
TERRITORY_MEMO_MAX = 10_000
_places: dict[str, tuple[float, Collectivity]] = {}
_collectivities: dict[int, tuple[float, Collectivity]] = {}


def territory_forget(**_kwargs: Any) -> None:
    """Drop this process's memo of collectivities and places (a change; tests)."""
    _places.clear()
    _collectivities.clear()


post_save.connect(territory_forget, sender=Collectivity, dispatch_uid="petitions.territory")
post_delete.connect(territory_forget, sender=Collectivity, dispatch_uid="petitions.territory")


def collectivity_memo(pk: int) -> Collectivity | None:
    """The collectivity `pk` (whole row), from the memo or the database."""
    now = time.monotonic()
    found = _collectivities.get(pk)
    if found is not None and now < found[0]:
        return found[1]
    collectivity = Collectivity.objects.filter(pk=pk).first()
    if collectivity is not None:
        if len(_collectivities) >= TERRITORY_MEMO_MAX:
            _collectivities.clear()
        _collectivities[pk] = (now + TERRITORY_MEMO_SECONDS, collectivity)
    return collectivity


SIGNING_FIELDS = ("status", "title", "language", "collectivity")


def petition_for_signing(pk: int | str) -> Petition | None:
    """As `petition_get_public`, for the signature API: the fields signing reads (any
    other loads on access), its collectivity from the memo."""
    text = str(pk)
    if not text.isdigit() or len(text) > 12:
        return None
    rows = list(Petition.objects.public().filter(pk=int(text)).only(*SIGNING_FIELDS).order_by()[:1])
    if not rows:
        return None
    petition = rows[0]
    collectivity = collectivity_memo(petition.collectivity_id)
    if collectivity is not None:
        petition.collectivity = collectivity
    return petition


def place_by_slug(slug: str) -> Collectivity | None:
    """The collectivity of `slug` with its kind, parent and region only, or None (the
    memo's instance: read only)."""
    now = time.monotonic()
    found = _places.get(slug)
    if found is None or found[0] <= now:
        place = (
            Collectivity.objects.filter(slug=slug[:120]).only("kind", "parent", "region").first()
            if "\x00" not in slug
            else None
        )
        if place is None:
            return None
        if len(_places) >= TERRITORY_MEMO_MAX:
            _places.clear()
        _places[slug] = (now + TERRITORY_MEMO_SECONDS, place)
        return place
    return found[1]


def petition_get_public(pk: int | str) -> Petition | None:
    """A petition as the public sees it (not a draft), or None."""
    text = str(pk)
    if not text.isdigit() or len(text) > 12:
        return None
    return (
        Petition.objects.public()
        .select_related("collectivity", "decision_deadline")
        .filter(pk=int(text))
        .first()
    )


def petition_get(*, collectivity: Collectivity, pk: int | str) -> Petition | None:
    """A petition of `collectivity` for its bureau (any state), or None."""
    text = str(pk)
    if not text.isdigit() or len(text) > 12:
        return None
    return (
        Petition.objects.filter(collectivity=collectivity, pk=int(text))
        .select_related("collectivity", "association_seat", "decision_deadline")
        .first()
    )


def petition_get_by_reference(*, collectivity: Collectivity, reference: str) -> Petition | None:
    if not reference or "\x00" in reference or len(reference) > 64:
        return None
    return (
        Petition.objects.filter(collectivity=collectivity, reference=reference.strip())
        .select_related("collectivity", "decision_deadline")
        .first()
    )


STAFF_FILTERS = {
    "open": Q(status__in=[Status.LODGED, Status.BUREAU_REVIEW, Status.ACCEPTED, Status.SCHEDULED]),
    "collecting": Q(status__in=[Status.DRAFT, Status.COLLECTING]),
    "closed": Q(status__in=[Status.DELIBERATED, Status.REJECTED, Status.WITHDRAWN]),
    "all": Q(),
}


def petition_staff_list(*, collectivity: Collectivity, state: str = "open") -> list[Petition]:
    """The bureau's list: lodged ones by the nearer decision date, others newest first
    (1 query: the due dates come with their Deadlines)."""
    qs = (
        Petition.objects.filter(collectivity=collectivity)
        .filter(STAFF_FILTERS.get(state, STAFF_FILTERS["open"]))
        .select_related("decision_deadline")
    )
    if state == "open":
        # Without a decision period last, the same on SQLite and PostgreSQL.
        return list(qs.order_by(F("decision_deadline__due_date").asc(nulls_last=True), "pk")[:500])
    return list(qs.order_by("-created_at", "-pk")[:500])


def petition_events(petition: Petition) -> list[Event]:
    return case_events(petition)


def invalidation_list(petition: Petition) -> list[Invalidation]:
    return list(petition.invalidations.select_related("actor").order_by("-at", "-pk"))


@dataclass(frozen=True)
class Receipt:
    """What the receipt given at lodging states (the PDF is drawn by pdf.py)."""

    reference: str
    collectivity: Collectivity
    level: str
    title: str
    request: str
    petitioner_kind: str
    petitioner: str  # the association's name, or the agent's
    agent_name: str
    channel: str
    lodged_on: date | None
    decision_due: date | None
    confirmed: int
    required: int
    legal_basis: str


def petition_receipt(petition: Petition) -> Receipt:
    """The receipt of a lodged petition (ValueError if it is not lodged)."""
    if petition.status not in LODGED_STATES and not petition.lodged_on:
        raise ValueError("A receipt exists only for a lodged petition.")
    return Receipt(
        reference=petition.reference,
        collectivity=petition.collectivity,
        level=petition.level,
        title=petition.title,
        request=petition.request,
        petitioner_kind=petition.petitioner_kind,
        petitioner=petition.association_name or petition.agent_name,
        agent_name=petition.agent_name,
        channel=petition.channel,
        lodged_on=petition.lodged_on,
        decision_due=petition.decision_due,
        confirmed=petition.confirmed_at_lodging
        if petition.confirmed_at_lodging is not None
        else confirmed_count(petition),
        required=petition.threshold_at_lodging or threshold_for(petition).required,
        legal_basis=legal_basis(petition.level),
    )


@dataclass(frozen=True)
class ChecklistFacts:
    """What the bureau's admissibility checklist shows beside each item."""

    confirmed: int
    required: int
    shortfall: int
    provinces: list[ProvinceProgress]
    spread_met: bool
    association_years: int | None = None


def checklist_facts(petition: Petition) -> ChecklistFacts:
    """The exact counts against the threshold, for the bureau's review."""
    threshold = threshold_for(petition)
    required = petition.threshold_at_lodging or threshold.required
    confirmed = sum(counts_by_province_exact(petition).values())
    provinces = province_progress(petition, threshold=threshold, fresh=True)
    years = None
    if petition.association_founded_on is not None:
        years = (timezone.localdate() - petition.association_founded_on).days // 365
    return ChecklistFacts(
        confirmed=confirmed,
        required=required,
        shortfall=max(0, required - confirmed),
        provinces=provinces,
        spread_met=all(p.is_met for p in provinces),
        association_years=years,
    )


# ---- statistics and signatories (the bureau only) ------------------------------------


@dataclass
class SignatureStatistics:
    confirmed: int = 0
    pending: int = 0
    invalidated: int = 0
    by_hour: list[tuple[datetime, int]] = field(default_factory=list)
    by_domain: list[tuple[str, int]] = field(default_factory=list)
    by_commune: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_ip: list[tuple[str, int]] = field(default_factory=list)


def signature_statistics(petition: Petition, *, now: datetime | None = None) -> SignatureStatistics:
    """Confirmed signatures per hour (last 72 h), per e-mail domain and per IP address
    (top 20), per commune of residence, per channel; counts by status (6 queries)."""
    now = now or timezone.now()
    base = Signature.objects.filter(petition_id=petition.pk)
    confirmed = base.filter(status=SignatureStatus.CONFIRMED)
    stats = SignatureStatistics()
    by_status = dict(base.values_list("status").annotate(n=Count("pk")).order_by())
    stats.confirmed = by_status.get(SignatureStatus.CONFIRMED, 0)
    stats.pending = by_status.get(SignatureStatus.PENDING, 0)
    stats.invalidated = by_status.get(SignatureStatus.INVALIDATED, 0)
    since = now - timedelta(hours=STATS_HOURS)
    stats.by_hour = [
        (hour, n)
        for hour, n in confirmed.filter(confirmed_at__gte=since)
        .annotate(hour=TruncHour("confirmed_at"))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .order_by("hour")
        if hour is not None
    ]
    stats.by_domain = [
        (domain, n)
        for domain, n in confirmed.exclude(email_domain="")
        .values_list("email_domain")
        .annotate(n=Count("pk"))
        .order_by("-n", "email_domain")[:STATS_TOP]
    ]
    stats.by_ip = [
        (str(ip), n)
        for ip, n in confirmed.exclude(ip__isnull=True)
        .values_list("ip")
        .annotate(n=Count("pk"))
        .order_by("-n", "ip")[:STATS_TOP]
    ]
    communes = Counter[str]()
    names = dict(
        Collectivity.objects.filter(pk__in=confirmed.values("residence_id").distinct()).values_list(
            "pk", "slug"
        )
    )
    for residence, n in confirmed.values_list("residence_id").annotate(n=Count("pk")).order_by():
        communes[names.get(residence, str(residence))] += n
    stats.by_commune = communes.most_common()
    stats.by_channel = sorted(
        confirmed.values_list("channel").annotate(n=Count("pk")).order_by(),
        key=lambda row: -row[1],
    )
    return stats


@dataclass(frozen=True)
class SignatoryRow:
    full_name: str
    cin_masked: str
    commune: str
    province: str
    interest: str
    channel: str
    status: str
    signed_at: datetime
    confirmed_at: datetime | None


def signatory_list(
    *,
    petition: Petition,
    viewer: User,
    status: str = SignatureStatus.CONFIRMED,
    offset: int = 0,
    limit: int = 500,
) -> list[SignatoryRow]:
    """The signatories, for the petitions bureau of the petition's collectivity only
    (else PermissionDenied): name, masked CIN, commune, dates. Never public."""
    if not has_perm(viewer, Perm.PETITIONS_HANDLE, petition.collectivity):
        raise PermissionDenied
    qs = Signature.objects.filter(petition_id=petition.pk).select_related("residence", "province")
    if status in SignatureStatus.values:
        qs = qs.filter(status=status)
    return [
        SignatoryRow(
            full_name=s.full_name,
            cin_masked=s.cin_masked,
            commune=s.residence.name,
            province=s.province.name,
            interest=s.interest,
            channel=s.channel,
            status=s.status,
            signed_at=s.created_at,
            confirmed_at=s.confirmed_at,
        )
        for s in qs.order_by("created_at", "pk")[max(0, offset) : max(0, offset) + limit]
    ]


def residence_choices(petition: Petition | Collectivity) -> list[Collectivity]:
    """Where a signatory of this petition may live or work: the commune itself; for a
    prefecture/province its communes (and itself); for a region its communes."""
    collectivity = petition.collectivity if isinstance(petition, Petition) else petition
    level = level_of(collectivity.kind)
    if level == Level.COMMUNE:
        return [collectivity]
    if level == Level.PROVINCE:
        return [collectivity, *Collectivity.objects.filter(parent=collectivity).order_by("name_fr")]
    return list(
        Collectivity.objects.filter(region=collectivity, kind=Kind.COMMUNE).order_by("name_fr")
    )
