"""The tree of territorial collectivities: region > prefecture/province > commune."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.lib.text import fold
from infitah.lib.tifinagh import has_tifinagh, loose_key


class Kind(models.TextChoices):
    REGION = "region", _("Region")
    PREFECTURE = "prefecture", _("Prefecture")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    # Not a territory: the network's own space (one row, `territories.services.
    # network_space`), which runs network-wide consultations, surveys and labs with the
    # same pages as a collectivity. Never a network member, never scored, never listed
    # in the tree; `CollectivityQuerySet.territorial()` leaves it out.
    NETWORK = "network", _("Network")


# The kinds of the territorial tree (every kind but the network's own space).
TERRITORIAL_KINDS: tuple[str, ...] = (Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE, Kind.COMMUNE)


# Which kind may sit under which: the organic laws' three levels.
PARENT_KINDS: dict[str, frozenset[str]] = {
    Kind.REGION: frozenset(),
    Kind.PREFECTURE: frozenset({Kind.REGION}),
    Kind.PROVINCE: frozenset({Kind.REGION}),
    Kind.COMMUNE: frozenset({Kind.PREFECTURE, Kind.PROVINCE}),
    Kind.NETWORK: frozenset(),
}


# Longest key of a collectivity in case references (`Collectivity.reference_key`): with
# "ATI-2026-" and "-000123" a reference stays within its 64 characters.
REFERENCE_KEY_MAX = 40


class CollectivityQuerySet(models.QuerySet["Collectivity"]):
    def territorial(self) -> CollectivityQuerySet:
        """The territorial tree: every row but the network's own space."""
        return self.exclude(kind=Kind.NETWORK)

    def regions(self) -> CollectivityQuerySet:
        return self.filter(kind=Kind.REGION)

    def network_members(self) -> CollectivityQuerySet:
        return self.filter(is_network_member=True)

    def matching(self, query: str) -> CollectivityQuerySet:
        """Collectivities whose Arabic or French name contains every folded word of `query`.

        A query in Tifinagh is compared with the French names by their loose keys
        (`infitah.lib.tifinagh.loose_key`: the schwa and doubled letters Tifinagh does not
        write), in Python: one query reads the names of the rows in scope (~1,600)."""
        if has_tifinagh(query):
            keys = [loose_key(token) for token in fold(query).split()]
            ids = [
                pk
                for pk, name_fr in self.values_list("pk", "name_fr")
                if all(key in loose_key(fold(name_fr)) for key in keys)
            ]
            return self.filter(pk__in=ids)
        qs = self
        for token in fold(query).split():
            qs = qs.filter(search_key__contains=token)
        return qs


class Collectivity(models.Model):
    """A region, prefecture, province or commune: the tenant of every case and document."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    code = models.CharField(
        _("official code"),
        max_length=32,
        blank=True,
        help_text=_(
            "Official or source code (e.g. HCP code, dataset id); unique per kind when set."
        ),
    )
    # The collectivity's part of every case reference (ATI-2026-<key>-000123): set once, on
    # the first reference (`infitah.numbering.services.reference_key`) or by the migration
    # that introduced it, then never rewritten, by imports least of all, so that a
    # reference given once keeps its shape whatever later happens to `code`.
    reference_key = models.CharField(
        _("reference key"), max_length=REFERENCE_KEY_MAX, blank=True, editable=False
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    # Denormalised: the region of any collectivity, so that roll-ups need no recursion.
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    has_arrondissements = models.BooleanField(_("has arrondissements"), default=False)
    is_urban = models.BooleanField(_("urban"), null=True, blank=True)
    is_network_member = models.BooleanField(_("network member"), default=False)
    joined_network_on = models.DateField(_("joined the network on"), null=True, blank=True)
    # Folded Arabic and French names (infitah.lib.text.fold), the target of name search.
    search_key = models.CharField(max_length=420, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollectivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("collectivity")
        verbose_name_plural = _("collectivities")
        ordering = ["kind", "name_fr"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~models.Q(code=""),
                name="collectivity_unique_code_per_kind",
            ),
            # Two collectivities with one key would give the same references.
            models.UniqueConstraint(
                fields=["reference_key"],
                condition=~models.Q(reference_key=""),
                name="collectivity_unique_reference_key",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["region", "network"], parent__isnull=True)
                | (~models.Q(kind__in=["region", "network"]) & models.Q(parent__isnull=False)),
                name="collectivity_parent_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["parent", "kind"], name="collectivity_children_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = f"{fold(self.name_ar)} | {fold(self.name_fr)}"
        if (
            not self._state.adding
            and self.pk is not None
            and not args
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            # A row read before its reference key was set (an import holds its rows for
            # a while) must not write the empty key back over the one set meanwhile:
            # only `reference_key()` writes it, with its own UPDATE.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.name != "reference_key"
                and field.attname not in deferred
            ]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def name(self) -> str:
        """The name in the active language (Arabic unless French is active)."""
        if (get_language() or "ar").startswith("fr"):
            return self.name_fr or self.name_ar
        return self.name_ar or self.name_fr

    @property
    def is_region(self) -> bool:
        return self.kind == Kind.REGION

    @property
    def is_commune(self) -> bool:
        return self.kind == Kind.COMMUNE

    @property
    def is_network_space(self) -> bool:
        """The network's own space (not a territory)."""
        return self.kind == Kind.NETWORK

    @property
    def has_public_space(self) -> bool:
        """Whether its public participation pages are shown: a member, or the network."""
        return self.is_network_member or self.kind == Kind.NETWORK
