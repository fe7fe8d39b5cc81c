"""Who took part in a network-wide consultation, survey or lab: the contributions and the
distinct participants by region and by kind of collectivity.

Each contributing participant is attributed to one collectivity:

- an item addressed to the network's members (`Audience.NETWORK_MEMBERS`): the member
  they speak for (`participation.selectors.members_spoken_for`, read now);
- an item addressed to all members' citizens (`Audience.NETWORK_CITIZENS`): the commune
  of residence they declared (`Participant.commune`);

and "not stated" when there is none. By region: the collectivity's region (a region
counts as itself). By kind: the kind of the collectivity; a citizen's commune is split
into urban and rural when the reference data knows which (`Collectivity.is_urban`).

Aggregates only, never a person. No cell is hidden: the participation apps publish their
other counts (by commune, by gender, per answer) without a small-count threshold, and
these follow the same rule. Three queries at most, whatever the number of participants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from infitah.participation import selectors
from infitah.participation.models import Audience, Participant
from infitah.territories.models import TERRITORIAL_KINDS, Collectivity, Kind

NOT_STATED = ""
# Keys of the kind table for a citizen's commune whose urban or rural status is known.
URBAN = "commune-urban"
RURAL = "commune-rural"
_KIND_ORDER = [*TERRITORIAL_KINDS[:3], URBAN, RURAL, Kind.COMMUNE]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    contributions: int
    participants: int


@dataclass(frozen=True)
class Breakdown:
    """The two tables of one network-wide item."""

    audience: str
    by_region: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    contributions: int = 0
    participants: int = 0

    @property
    def is_members(self) -> bool:
        return self.audience == Audience.NETWORK_MEMBERS


@dataclass
class _Place:
    """Where one participant is counted."""

    region_key: str
    region_label: str
    kind_key: str


def _localised(name_ar: str, name_fr: str, french: bool) -> str:
    return (name_fr or name_ar) if french else (name_ar or name_fr)


def _kind_label(key: str) -> str:
    if key == URBAN:
        return pgettext("kind of collectivity", "Urban commune")
    if key == RURAL:
        return pgettext("kind of collectivity", "Rural commune")
    return str(Kind(key).label)


def _places(audience: str, participant_ids: list[int], *, french: bool) -> dict[int, _Place]:
    """Participant id → where they are counted (participants not found: not stated)."""
    places: dict[int, _Place] = {}
    if audience == Audience.NETWORK_MEMBERS:
        emails = dict(Participant.objects.filter(pk__in=participant_ids).values_list("pk", "email"))
        spoken = selectors.members_spoken_for(list(emails.values()))
        rows = {
            c.pk: c
            for c in Collectivity.objects.filter(pk__in=set(spoken.values()))
            .select_related("region")
            .only("kind", "name_ar", "name_fr", "region__slug", "region__name_ar",
                  "region__name_fr", "slug")
        }  # fmt: skip
        for pk, email in emails.items():
            member = rows.get(spoken.get(email.strip().lower(), 0))
            if member is None:
                continue
            region = member if member.kind == Kind.REGION else member.region
            places[pk] = _Place(
                region_key=region.slug if region is not None else NOT_STATED,
                region_label=(
                    _localised(region.name_ar, region.name_fr, french) if region is not None else ""
                ),
                kind_key=member.kind,
            )
        return places
    for pk, kind, is_urban, region_slug, region_ar, region_fr in Participant.objects.filter(
        pk__in=participant_ids, commune__isnull=False
    ).values_list(
        "pk",
        "commune__kind",
        "commune__is_urban",
        "commune__region__slug",
        "commune__region__name_ar",
        "commune__region__name_fr",
    ):
        kind_key = kind
        if kind == Kind.COMMUNE and is_urban is not None:
            kind_key = URBAN if is_urban else RURAL
        places[pk] = _Place(
            region_key=region_slug or NOT_STATED,
            region_label=_localised(region_ar or "", region_fr or "", french)
            if region_slug
            else "",
            kind_key=kind_key,
        )
    return places


def breakdown_compute(*, audience: str, contributions: Mapping[int, int]) -> Breakdown | None:
    """The tables of an item addressed to `audience`, from its contributions per
    participant id (comments and stances, a response, statements and votes…); None
    for a collectivity's own item (Audience.LOCAL), which has its own report."""
    if audience not in (Audience.NETWORK_CITIZENS, Audience.NETWORK_MEMBERS):
        return None
    counted = {pk: n for pk, n in contributions.items() if n > 0}
    french = (get_language() or "ar").startswith("fr")
    places = _places(audience, sorted(counted), french=french) if counted else {}
    region_contributions: Counter[str] = Counter()
    region_people: Counter[str] = Counter()
    region_labels: dict[str, str] = {}
    kind_contributions: Counter[str] = Counter()
    kind_people: Counter[str] = Counter()
    for pk, n in counted.items():
        place = places.get(pk)
        region_key = place.region_key if place is not None else NOT_STATED
        kind_key = place.kind_key if place is not None else NOT_STATED
        if place is not None and region_key:
            region_labels[region_key] = place.region_label
        region_contributions[region_key] += n
        region_people[region_key] += 1
        kind_contributions[kind_key] += n
        kind_people[kind_key] += 1
    not_stated = _("Not stated")
    by_region = sorted(
        (
            Row(
                key=key,
                label=region_labels.get(key, "") if key else not_stated,
                contributions=region_contributions[key],
                participants=region_people[key],
            )
            for key in region_people
        ),
        # Most participants first; "not stated" last; then by name.
        key=lambda r: (r.key == NOT_STATED, -r.participants, r.label, r.key),
    )
    order = {key: n for n, key in enumerate(_KIND_ORDER)}
    by_kind = [
        Row(
            key=key,
            label=_kind_label(key) if key else not_stated,
            contributions=kind_contributions[key],
            participants=kind_people[key],
        )
        for key in sorted(kind_people, key=lambda k: (k == NOT_STATED, order.get(k, 99), k))
    ]
    return Breakdown(
        audience=audience,
        by_region=by_region,
        by_kind=by_kind,
        contributions=sum(counted.values()),
        participants=len(counted),
    )


def breakdown_csv_rows(breakdown: Breakdown) -> list[list[object]]:
    """The two tables as CSV rows: table, key, label, contributions, participants."""
    rows: list[list[object]] = [["table", "key", "label", "contributions", "participants"]]
    for table, found in (("region", breakdown.by_region), ("kind", breakdown.by_kind)):
        for row in found:
            rows.append([table, row.key, row.label, row.contributions, row.participants])
    return rows


def breakdown_out(breakdown: Breakdown | None) -> dict[str, Any] | None:
    """The breakdown as the APIs give it (None stays None)."""
    if breakdown is None:
        return None
    return {
        "audience": breakdown.audience,
        "contributions": breakdown.contributions,
        "participants": breakdown.participants,
        "by_region": [asdict(row) for row in breakdown.by_region],
        "by_kind": [asdict(row) for row in breakdown.by_kind],
    }
