"""The programme's publications in the tamper-evident register (docs/register.md).

- `openplan.version`: each adopted version of a programme (its JSON export, frozen by
  the council's decision);
- `openplan.evidence`: each document or photo given as evidence of a milestone's
  progress (links are not files: they are not registered).

The metadata is built from fields that do not change once published, so that
`*_register_current` (for `manage.py verify_register`, via
settings.INFITAH_REGISTER_SOURCES) rebuilds exactly what each latest entry hashed.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import NoReverseMatch, reverse

from infitah.ledger.models import RegisterEntry
from infitah.ledger.register_services import RegisterItem, register_append
from infitah.openplan.models import Evidence, Version

VERSION_TYPE = "openplan.version"
EVIDENCE_TYPE = "openplan.evidence"


def _version_item(version: Version) -> RegisterItem:
    programme = version.programme
    return RegisterItem(
        action="publish",
        collectivity=programme.collectivity,
        document_type=VERSION_TYPE,
        document_id=str(version.pk),
        file_name=str(version.file.name),
        file_sha256=version.sha256,
        metadata={
            "title_ar": f"برنامج الانفتاح {programme.reference}، الصيغة {version.number}",
            "title_fr": f"Programme d'ouverture {programme.reference}, version {version.number}",
            "programme": programme.pk,
            "reference": programme.reference,
            "version": version.number,
            "agenda_item": version.agenda_item_id,
            "adopted_on": version.adopted_on.isoformat(),
            "file_type": "application/json",
            "size": version.size,
        },
        published_at=version.created_at,
    )


def _evidence_item(evidence: Evidence) -> RegisterItem:
    milestone = evidence.milestone
    commitment = milestone.commitment
    programme = commitment.programme
    return RegisterItem(
        action="publish",
        collectivity=programme.collectivity,
        document_type=EVIDENCE_TYPE,
        document_id=str(evidence.pk),
        file_name=str(evidence.file.name),
        file_sha256=evidence.sha256,
        metadata={
            "title_ar": evidence.title,
            "title_fr": evidence.title,
            "kind": evidence.kind,
            "programme": programme.pk,
            "commitment": commitment.number,
            "milestone": milestone.pk,
            "file_type": evidence.content_type.split(";")[0],
            "size": evidence.size,
        },
        published_at=evidence.created_at,
    )


def _append(item: RegisterItem) -> RegisterEntry:
    return register_append(
        action=item.action,
        collectivity=item.collectivity,
        document_type=item.document_type,
        document_id=item.document_id,
        file_name=item.file_name,
        file_sha256=item.file_sha256,
        metadata=item.metadata,
        published_at=item.published_at,
    )


def version_register(version: Version) -> RegisterEntry:
    """Append an adopted version to the register; call it inside the adopting
    transaction."""
    return _append(_version_item(version))


def evidence_register(evidence: Evidence) -> RegisterEntry:
    """Append a document or photo of evidence to the register (not a link: ValueError)."""
    if not evidence.file:
        raise ValueError("a link is not a file: it is not registered")
    return _append(_evidence_item(evidence))


def _registered(document_type: str) -> list[int]:
    ids = (
        RegisterEntry.objects.filter(document_type=document_type)
        .values_list("document_id", flat=True)
        .distinct()
    )
    return [int(pk) for pk in ids if str(pk).isdigit()]


def version_register_current() -> Iterator[RegisterItem]:
    versions = (
        Version.objects.filter(pk__in=_registered(VERSION_TYPE))
        .select_related("programme__collectivity")
        .order_by("pk")
    )
    for version in versions.iterator(chunk_size=1000):
        yield _version_item(version)


def evidence_register_current() -> Iterator[RegisterItem]:
    evidence = (
        Evidence.objects.filter(pk__in=_registered(EVIDENCE_TYPE))
        .select_related("milestone__commitment__programme__collectivity")
        .order_by("pk")
    )
    for item in evidence.iterator(chunk_size=1000):
        yield _evidence_item(item)


def _programme_url(entry: RegisterEntry, anchor: str = "") -> str:
    programme = entry.metadata.get("programme")
    if not isinstance(programme, int):
        return ""
    try:
        url = reverse(
            "openplan:programme", kwargs={"slug": entry.collectivity.slug, "pk": programme}
        )
    except NoReverseMatch:
        return ""
    return url + anchor


def version_link(entry: RegisterEntry) -> str:
    return _programme_url(entry, "#versions")


def evidence_link(entry: RegisterEntry) -> str:
    """The public page of the commitment the evidence is about (no query)."""
    programme, number = entry.metadata.get("programme"), entry.metadata.get("commitment")
    if not isinstance(programme, int) or not isinstance(number, int):
        return ""
    try:
        return reverse(
            "openplan:commitment",
            kwargs={"slug": entry.collectivity.slug, "pk": programme, "number": number},
        )
    except NoReverseMatch:
        return ""
