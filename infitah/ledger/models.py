"""The case history: an append-only record of every state change of every case."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.ledger.register_links import document_link_get


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a ledger event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Ledger events are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger events are never deleted.")

    def for_object(self, obj: models.Model) -> EventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class Event(models.Model):
    """One state change: when, who or which process, where, what, from, to, why.

    The application only ever inserts rows (see `infitah.ledger.services.event_record`).
    On PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0002), and
    docs/ledger.md shows how to deny those privileges to the application's role.
    """

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Which process acted when no person did ("tick", "calendar", "import", ...).
    process = models.CharField(_("process"), max_length=64, blank=True)
    # Null only for network-wide events (e.g. a change of the legal calendar).
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        # The history of one case, in order: every case page reads it this way.
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="ledger_object_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(process=""),
                name="ledger_event_has_actor_or_process",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_type}#{self.object_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Ledger events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger events are never deleted.")


# --- The publication register (docs/register.md) ------------------------------------


class RegisterAction(models.TextChoices):
    PUBLISH = "publish", _("Publication")
    NEW_VERSION = "new_version", _("New version")
    WITHDRAW = "withdraw", _("Withdrawal")


class RegisterHead(models.Model):
    """The single row (pk 1) that every append locks: it serialises appends, so that
    indexes stay gapless, and holds the right edge of the tree so that an append reads
    no other row.

    `frontier` is the concatenation of the hashes of the perfect subtrees that make up the
    tree of `tree_size` leaves, largest first (their levels are the bits of tree_size).
    """

    tree_size = models.PositiveBigIntegerField(_("tree size"), default=0)
    frontier = models.BinaryField(_("frontier"), default=b"")

    class Meta:
        verbose_name = _("register head")
        verbose_name_plural = _("register heads")

    def __str__(self) -> str:
        return f"register head ({self.tree_size} leaves)"


class RegisterEntry(models.Model):
    """One leaf of the publication register: a document published, versioned or withdrawn.

    `metadata` is exactly the dict whose canonical JSON is hashed into the leaf; it repeats
    the action, collectivity, document and date, so that these columns are covered too.
    """

    index = models.PositiveBigIntegerField(_("index"), unique=True)
    leaf_hash = models.CharField(_("leaf hash"), max_length=64)
    action = models.CharField(_("action"), max_length=16, choices=RegisterAction.choices)
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.CharField(_("document type"), max_length=100)
    document_id = models.CharField(_("document id"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=500)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    metadata = models.JSONField(_("metadata"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        ordering = ["index"]
        indexes = [
            # The verification page looks a file up by its SHA-256.
            models.Index(fields=["file_sha256"], name="ledger_regentry_sha_idx"),
            # A document's register history.
            models.Index(fields=["document_type", "document_id"], name="ledger_regentry_doc_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.document_type}:{self.document_id}"

    @property
    def document(self) -> str:
        return f"{self.document_type}:{self.document_id}"

    @property
    def title(self) -> str:
        """The document's title as the entry recorded it, in the current language (the
        other language, or a single "title", when missing; "" when none)."""
        metadata = self.metadata if isinstance(self.metadata, dict) else {}
        ar, fr = metadata.get("title_ar") or "", metadata.get("title_fr") or ""
        preferred, other = (fr, ar) if (get_language() or "ar").startswith("fr") else (ar, fr)
        return str(preferred or other or metadata.get("title") or "")

    @property
    def document_url(self) -> str:
        """The document's page, if its type registered a link (no query)."""
        return document_link_get(self)


class RegisterNode(models.Model):
    """The hash of a complete (perfect) subtree: 2**level leaves from leaf index * 2**level.

    Level 0 holds the leaf hashes. Any subtree hash a proof needs is a fold of at most
    log2(n) of these rows, fetched by their composite primary key in one query.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField(_("level"))
    index = models.PositiveBigIntegerField(_("index"))
    hash = models.BinaryField(_("hash"))

    class Meta:
        verbose_name = _("register node")
        verbose_name_plural = _("register nodes")

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed tree head: the Ed25519 signature of the register's root at `tree_size`.

    The signed message is `infitah.ledger.signing.checkpoint_message(...)`.
    """

    tree_size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    timestamp = models.DateTimeField(_("timestamp"))
    signature = models.CharField(_("signature"), max_length=100)
    public_key = models.CharField(_("public key"), max_length=64)
    # The C2SP checkpoint (docs/register.md, "C2SP"): its origin line, and the signed-note
    # signature of "<origin>\n<tree_size>\n<base64 root>\n" as base64(key ID || Ed25519
    # signature). Blank on checkpoints signed before the register spoke C2SP.
    origin = models.CharField(_("origin"), max_length=255, blank=True, default="")
    note_signature = models.CharField(_("note signature"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("register checkpoint")
        verbose_name_plural = _("register checkpoints")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["-timestamp", "-id"], name="ledger_checkpoint_ts_idx")]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} {self.timestamp:%Y-%m-%d %H:%M:%S}"


class Cosignature(models.Model):
    """A witness's C2SP cosignature (cosignature/v1, Ed25519) of a checkpoint of the
    register: an independent party states that, at `timestamp`, the largest consistent
    tree it had seen of this log had `root_hash` at `tree_size` (docs/register.md).

    Accepted only from the witness keys in settings.INFITAH_REGISTER_WITNESSES, and only
    for a root that is the register's own at that size; kept as received (the exact
    signature line can be rebuilt from these columns)."""

    witness_name = models.CharField(_("witness"), max_length=255)
    key_id = models.CharField(_("key ID"), max_length=8)
    public_key = models.CharField(_("public key"), max_length=64)
    origin = models.CharField(_("origin"), max_length=255)
    tree_size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    # POSIX seconds, exactly as signed.
    timestamp = models.PositiveBigIntegerField(_("timestamp"))
    # base64 of key ID (4) + timestamp (8) + Ed25519 signature (64): 104 characters.
    signature = models.CharField(_("signature"), max_length=128)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("register cosignature")
        verbose_name_plural = _("register cosignatures")
        ordering = ["-tree_size", "-timestamp"]
        constraints = [
            # A witness posting the same cosignature twice stores it once.
            models.UniqueConstraint(
                fields=["public_key", "tree_size", "timestamp"], name="ledger_cosig_unique"
            )
        ]
        indexes = [
            # The register page: each witness's largest cosigned size.
            models.Index(fields=["public_key", "-tree_size"], name="ledger_cosig_witness_idx"),
            # The served checkpoint carries the cosignatures of its own tree.
            models.Index(fields=["tree_size", "root_hash"], name="ledger_cosig_tree_idx"),
        ]

    def __str__(self) -> str:
        return f"cosignature by {self.witness_name} of {self.tree_size}"
