"""How many signatures a petition needs: the law's bands, as pure functions.

- Regions (organic law 111.14, arts. 120–122): 300 if the population is under
  1,000,000; 400 from 1,000,000 to 3,000,000; 500 above 3,000,000; and at least 5 % of
  that number (rounded up) from each prefecture or province of the region.
- Prefectures and provinces (organic law 112.14, arts. 114–116): 300.
- Communes (organic law 113.14, arts. 121–125): 100 under 35,000 inhabitants, 200
  otherwise, 400 for the communes with arrondissements.

A collectivity may record another figure (`PetitionSettings.threshold_override`, e.g. the
600 some regional councils publish) with its basis; the page then shows both. When the
population is unknown, the highest band applies (a petition is never told it has enough
when it may not) and the page says so and asks the collectivity to set its population.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from infitah.petitions.models import PetitionSettings, level_of
from infitah.petitions.workflow import Level
from infitah.territories.models import Collectivity, Kind

Source = Literal["law", "override", "default-band"]

REGION_MIDDLE_FROM = 1_000_000
REGION_MIDDLE_TO = 3_000_000
REGION_SMALL = 300
REGION_MIDDLE = 400
REGION_TOP = 500
PROVINCE_REQUIRED = 300
COMMUNE_SMALL_LIMIT = 35_000
COMMUNE_SMALL = 100
COMMUNE_LARGE = 200
COMMUNE_ARRONDISSEMENTS = 400
DEFAULT_SHARE_PERCENT = 5
DEFAULT_MIN_YEARS = 3
DEFAULT_RETENTION_DAYS = 365


def legal_basis(level: str) -> str:
    """The texts that set the rule for `level`, as shown on the petition page."""
    texts: dict[str, str] = {
        Level.REGION: _("Organic law 111.14 on regions, articles 120 to 122"),
        Level.PROVINCE: _("Organic law 112.14 on prefectures and provinces, articles 114 to 116"),
        Level.COMMUNE: _("Organic law 113.14 on communes, articles 121 to 125"),
    }
    return texts[level]


def region_required(population: int | None) -> tuple[int, bool]:
    """(signatures, whether the population was known) for a region."""
    if population is None:
        return REGION_TOP, False
    # "From 1 to 3 million": 1,000,000 is in the middle band; 3,000,000 too.
    if population < REGION_MIDDLE_FROM:
        return REGION_SMALL, True
    if population <= REGION_MIDDLE_TO:
        return REGION_MIDDLE, True
    return REGION_TOP, True


def commune_required(population: int | None, *, has_arrondissements: bool) -> tuple[int, bool]:
    """(signatures, whether the population mattered and was known) for a commune."""
    if has_arrondissements:
        return COMMUNE_ARRONDISSEMENTS, True
    if population is None:
        return COMMUNE_LARGE, False
    return (COMMUNE_SMALL if population < COMMUNE_SMALL_LIMIT else COMMUNE_LARGE), True


def province_share(required: int, percent: int = DEFAULT_SHARE_PERCENT) -> int:
    """The minimum from each prefecture/province: `percent` of `required`, rounded up."""
    # Integer arithmetic: ceil(required * percent / 100) without float error.
    return -(-required * percent // 100)


@dataclass(frozen=True)
class Threshold:
    """What a petition needs.

    - `required`: signatures in all;
    - `per_province`: for a region, (prefecture or province, minimum from it), by name;
    - `basis`: the legal basis (and the override's own basis when there is one);
    - `source`: "law" (the band, population known), "override" (the collectivity's own
      figure) or "default-band" (population unknown: the highest band);
    - `law_required`: what the law's band gives, for display beside an override;
    - `note`: a sentence to show when the figure needs explaining ("" otherwise).
    """

    required: int
    per_province: list[tuple[Collectivity, int]] = field(default_factory=list)
    basis: str = ""
    source: Source = "law"
    law_required: int = 0
    share_percent: int = DEFAULT_SHARE_PERCENT
    note: str = ""

    @property
    def population_unknown(self) -> bool:
        return self.source == "default-band"


def threshold_compute(
    collectivity: Collectivity,
    *,
    settings: PetitionSettings | None = None,
    provinces: list[Collectivity] | None = None,
) -> Threshold:
    """The threshold of `collectivity` (pure: `settings` and, for a region, its
    `provinces` are passed in; `selectors.threshold_for` loads them)."""
    level = level_of(collectivity.kind)
    known = True
    if level == Level.REGION:
        law_required, known = region_required(collectivity.population)
    elif level == Level.PROVINCE:
        law_required = PROVINCE_REQUIRED
    else:
        law_required, known = commune_required(
            collectivity.population, has_arrondissements=collectivity.has_arrondissements
        )
    basis = legal_basis(level)
    percent = settings.province_share_percent if settings is not None else DEFAULT_SHARE_PERCENT
    override = settings.threshold_override if settings is not None else None
    source: Source
    if override:
        required, source = override, "override"
        own = settings.threshold_basis.strip() if settings is not None else ""
        note = _("The council applies %(required)d (the law's band gives %(law)d).") % {
            "required": override,
            "law": law_required,
        }
        if own:
            basis = f"{basis} — {own}"
    elif not known:
        required, source = law_required, "default-band"
        note = _(
            "The population of %(name)s is not recorded: the highest band of the law applies "
            "(%(required)d). The collectivity should record its population."
        ) % {"name": collectivity.name, "required": law_required}
    else:
        required, source, note = law_required, "law", ""
    per_province: list[tuple[Collectivity, int]] = []
    if level == Level.REGION:
        minimum = province_share(required, percent)
        per_province = [
            (province, minimum)
            for province in sorted(provinces or [], key=lambda p: (p.name, p.pk))
            if province.kind in (Kind.PREFECTURE, Kind.PROVINCE)
        ]
    return Threshold(
        required=required,
        per_province=per_province,
        basis=basis,
        source=source,
        law_required=law_required,
        share_percent=percent,
        note=note,
    )


def threshold_met(threshold: Threshold, confirmed: int, by_province: dict[int, int]) -> bool:
    """Whether `confirmed` signatures, `by_province` (province pk → count), suffice."""
    if confirmed < threshold.required:
        return False
    return all(by_province.get(p.pk, 0) >= minimum for p, minimum in threshold.per_province)
