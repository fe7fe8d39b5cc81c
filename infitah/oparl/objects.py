"""The OParl 1.1 objects, built from the rows the selectors read (docs/oparl.md).

Each function takes a `Ctx` (the API's absolute base URL, and whether to leave embedded
objects out) and one row as the selectors give it (annotated `oparl_modified`, related
rows prefetched) and returns the object as a dict ready for JSON. Text is in Arabic, the
council's official language, or in French when there is no Arabic; the French versions
are under `infitah:fr`, and enumerations give their code under an `infitah:` key beside
the Arabic label. Call them with Arabic active (`translation.override("ar")`): labels are
read in the active language.

A deleted object keeps only `id`, `type`, `created`, `modified` and `deleted: true`
(OParl 1.1, "Gelöschte Objekte"); an embedded object that is deleted is left out of its
parent, which the selectors' `oparl_modified` shows as changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.workflow import Answer, Origin
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.council.models import (
    AgendaItem,
    Committee,
    CommitteeSeat,
    Document,
    DocumentKind,
    ItemResult,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    SeatRole,
    Session,
    Term,
)
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.oparl.selectors import HELD, OPINION_PUBLIC, SAT
from infitah.territories.models import Collectivity, Kind

Obj = dict[str, Any]

SCHEMA = "https://schema.oparl.org/1.1/"
OPARL_VERSION = "https://schema.oparl.org/1.1/"
VENDOR = "infitah"
# OParl's recommended organizationType for an elected or appointed collegial body.
ORGANIZATION_TYPE = "Gremium"


@dataclass(frozen=True)
class Ctx:
    """`base`: the API's absolute URL ending in "/" (…/oparl/v1/); `site`: the site's
    absolute root, for the public pages; `omit_internal`: leave embedded objects out."""

    base: str
    site: str
    omit_internal: bool = False

    def url(self, path: str) -> str:
        return self.base + path


def kind_of(type_name: str) -> str:
    return SCHEMA + type_name


def moment(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def text(ar: str, fr: str) -> str:
    return ar or fr


def _clean(obj: Obj) -> Obj:
    """Leave out the properties without a value: OParl has no null."""
    return {k: v for k, v in obj.items() if v is not None and v != "" and v != {}}


def _fr(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _modified(row: Any) -> dt.datetime:
    """The row's last change as published (selectors: `oparl_modified`)."""
    return cast(dt.datetime, row.oparl_modified)


def _order(row: Any) -> int:
    """An agenda item's place among its meeting's published items (selectors)."""
    return cast(int, row.oparl_order)


def _rows(row: Any, name: str) -> list[Any]:
    """Related rows the selectors prefetched to `oparl_<name>`."""
    return list(getattr(row, f"oparl_{name}"))


def deleted(
    ctx: Ctx, path: str, type_name: str, created: dt.datetime, modified: dt.datetime
) -> Obj:
    return {
        "id": ctx.url(path),
        "type": kind_of(type_name),
        "created": moment(created),
        "modified": moment(modified),
        "deleted": True,
    }


def public_page(ctx: Ctx, collectivity: Collectivity, name: str, *args: object) -> str | None:
    """`web`: the absolute URL of the public page `name` (args after the collectivity's
    slug), in Arabic; None when the collectivity has no public pages (only network
    members have them). The caller says whether the object itself is public."""
    if not collectivity.is_network_member:
        return None
    with translation.override("ar"):
        return ctx.site + reverse(name, args=(collectivity.slug, *args))[1:]


# ------------------------------------------------------------------ paths (object ids)


def body_path(collectivity: Collectivity) -> str:
    return f"body/{collectivity.slug}"


def council_path(collectivity: Collectivity) -> str:
    return f"organization/council/{collectivity.slug}"


def committee_path(pk: int) -> str:
    return f"organization/committee/{pk}"


def advisory_path(pk: int) -> str:
    return f"organization/advisory/{pk}"


def member_path(pk: int) -> str:
    return f"person/member/{pk}"


def body_member_path(pk: int) -> str:
    return f"person/advisory/{pk}"


def session_path(pk: int) -> str:
    return f"meeting/council/{pk}"


def body_meeting_path(pk: int) -> str:
    return f"meeting/advisory/{pk}"


def item_path(pk: int) -> str:
    return f"agenda-item/{pk}"


def paper_path(pk: int) -> str:
    return f"paper/{pk}"


def term_path(pk: int) -> str:
    return f"legislative-term/{pk}"


FILE_KINDS = ("council", "advisory", "minutes")


def file_path(kind: str, pk: int) -> str:
    return f"file/{kind}/{pk}"


# ------------------------------------------------------------------ system and bodies


def system(ctx: Ctx) -> Obj:
    return {
        "id": ctx.url("system"),
        "type": kind_of("System"),
        "oparlVersion": OPARL_VERSION,
        "body": ctx.url("bodies"),
        "name": gettext("Infitah: the councils of Morocco's territorial collectivities"),
        "website": ctx.site,
        "web": ctx.site,
    }


BODY_LISTS = {
    "organization": "organization",
    "person": "person",
    "meeting": "meeting",
    "paper": "paper",
    "legislativeTermList": "legislative-term",
    "agendaItem": "agenda-item",
    "consultation": "consultation",
    "file": "file",
    "locationList": "location",
    "membership": "membership",
}


def body(ctx: Ctx, collectivity: Collectivity) -> Obj:
    with translation.override("ar"):
        page = (
            ctx.site + reverse("territories:collectivity", kwargs={"slug": collectivity.slug})[1:]
        )
    path = body_path(collectivity)
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Body"),
            "system": ctx.url("system"),
            "name": text(collectivity.name_ar, collectivity.name_fr),
            "website": page,
            "classification": str(Kind(collectivity.kind).label),
            **{key: ctx.url(f"{path}/{segment}") for key, segment in BODY_LISTS.items()},
            "legislativeTerm": [term(ctx, t) for t in _rows(collectivity, "terms")],
            "created": moment(collectivity.created_at),
            "modified": moment(_modified(collectivity)),
            "web": page,
            f"{VENDOR}:kind": collectivity.kind,
            f"{VENDOR}:slug": collectivity.slug,
            f"{VENDOR}:fr": _fr(name=collectivity.name_fr),
        }
    )


def term(ctx: Ctx, row: Term) -> Obj:
    path = term_path(row.pk)
    if row.deleted:
        return deleted(ctx, path, "LegislativeTerm", row.created_at, _modified(row))
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("LegislativeTerm"),
            "body": ctx.url(body_path(row.collectivity)),
            "name": text(row.name_ar, row.name_fr),
            "startDate": day(row.start_date),
            "endDate": day(row.end_date),
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:fr": _fr(name=row.name_fr),
        }
    )


# ------------------------------------------------------------------ organizations


def council(ctx: Ctx, collectivity: Collectivity) -> Obj:
    """The council itself, as the organization its members sit in."""
    path = council_path(collectivity)
    starts = [t.start_date for t in _rows(collectivity, "terms")]
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Organization"),
            "body": ctx.url(body_path(collectivity)),
            "name": gettext("Council of %(collectivity)s")
            % {"collectivity": text(collectivity.name_ar, collectivity.name_fr)},
            "organizationType": ORGANIZATION_TYPE,
            "classification": pgettext("oparl organization", "Council"),
            "membership": [
                ctx.url(f"membership/council/{m.pk}") for m in _rows(collectivity, "members")
            ],
            "meeting": ctx.url(f"{path}/meeting"),
            "startDate": day(min(starts)) if starts else None,
            "created": moment(collectivity.created_at),
            "modified": moment(_modified(collectivity)),
            f"{VENDOR}:classification": "council",
            "web": public_page(ctx, collectivity, "council:home"),
        }
    )


def committee(ctx: Ctx, row: Committee) -> Obj:
    path = committee_path(row.pk)
    if row.deleted or row.term.deleted:
        return deleted(ctx, path, "Organization", row.created_at, _modified(row))
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Organization"),
            "body": ctx.url(body_path(row.collectivity)),
            "name": text(row.name_ar, row.name_fr),
            "organizationType": ORGANIZATION_TYPE,
            "classification": pgettext("oparl organization", "Standing committee")
            if row.is_standing
            else pgettext("oparl organization", "Temporary committee"),
            "subOrganizationOf": ctx.url(council_path(row.collectivity)),
            "membership": [ctx.url(f"membership/committee/{s.pk}") for s in _rows(row, "seats")],
            "startDate": day(row.term.start_date),
            "endDate": day(row.term.end_date),
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:classification": "committee",
            f"{VENDOR}:standing": row.is_standing,
            f"{VENDOR}:legislativeTerm": ctx.url(term_path(row.term_id)),
            f"{VENDOR}:fr": _fr(name=row.name_fr),
        }
    )


def advisory_body(ctx: Ctx, row: Body) -> Obj:
    path = advisory_path(row.pk)
    if row.deleted:
        return deleted(ctx, path, "Organization", row.created_at, _modified(row))
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Organization"),
            "body": ctx.url(body_path(row.collectivity)),
            "name": text(row.name_ar, row.name_fr),
            "organizationType": ORGANIZATION_TYPE,
            "classification": pgettext("oparl organization", "Advisory body"),
            "membership": [ctx.url(f"membership/advisory/{m.pk}") for m in _rows(row, "members")],
            "meeting": ctx.url(f"{path}/meeting"),
            "startDate": day(row.established_on),
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:classification": "advisory_body",
            "web": public_page(ctx, row.collectivity, "advisory:body", row.pk),
            f"{VENDOR}:kind": row.kind,
            f"{VENDOR}:legalBasis": row.legal_basis,
            f"{VENDOR}:description": text(row.description_ar, row.description_fr),
            f"{VENDOR}:fr": _fr(name=row.name_fr, description=row.description_fr),
        }
    )


# ------------------------------------------------------------------ persons, memberships


def _member_gone(row: Member) -> bool:
    return row.deleted or row.term.deleted


def _seat_gone(row: CommitteeSeat) -> bool:
    return (
        row.deleted
        or row.committee.deleted
        or row.committee.term.deleted
        or _member_gone(row.member)
    )


def _latest_of(*values: dt.datetime) -> dt.datetime:
    return max(values)


def council_membership(ctx: Ctx, row: Member) -> Obj:
    path = f"membership/council/{row.pk}"
    modified = _latest_of(row.modified_at, row.term.modified_at)
    if _member_gone(row):
        return deleted(ctx, path, "Membership", row.created_at, modified)
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Membership"),
            "person": ctx.url(member_path(row.pk)),
            "organization": ctx.url(council_path(row.collectivity)),
            "role": str(MemberRole(row.role).label),
            "votingRight": True,
            "startDate": day(row.started_on),
            "endDate": day(row.ended_on),
            "created": moment(row.created_at),
            "modified": moment(modified),
            f"{VENDOR}:role": row.role,
            f"{VENDOR}:legislativeTerm": ctx.url(term_path(row.term_id)),
        }
    )


def committee_membership(ctx: Ctx, row: CommitteeSeat) -> Obj:
    path = f"membership/committee/{row.pk}"
    modified = _latest_of(
        row.modified_at,
        row.committee.modified_at,
        row.committee.term.modified_at,
        row.member.modified_at,
        row.member.term.modified_at,
    )
    if _seat_gone(row):
        return deleted(ctx, path, "Membership", row.created_at, modified)
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Membership"),
            "person": ctx.url(member_path(row.member_id)),
            "organization": ctx.url(committee_path(row.committee_id)),
            "role": str(SeatRole(row.role).label),
            "votingRight": True,
            "created": moment(row.created_at),
            "modified": moment(modified),
            f"{VENDOR}:role": row.role,
        }
    )


def member(ctx: Ctx, row: Member) -> Obj:
    path = member_path(row.pk)
    if _member_gone(row):
        return deleted(ctx, path, "Person", row.created_at, _modified(row))
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("Person"),
        "body": ctx.url(body_path(row.collectivity)),
        "name": text(row.name_ar, row.name_fr),
        "status": [str(MemberRole(row.role).label)],
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        "web": public_page(ctx, row.collectivity, "council:member", row.pk),
        f"{VENDOR}:party": row.party,
        f"{VENDOR}:fr": _fr(name=row.name_fr),
    }
    if not ctx.omit_internal:
        seats = [s for s in _rows(row, "seats") if not _seat_gone(s)]
        obj["membership"] = [
            council_membership(ctx, row),
            *(committee_membership(ctx, s) for s in seats),
        ]
    return _clean(obj)


def advisory_membership(ctx: Ctx, row: BodyMember) -> Obj:
    path = f"membership/advisory/{row.pk}"
    modified = _latest_of(row.modified_at, row.body.modified_at)
    if row.deleted or row.body.deleted:
        return deleted(ctx, path, "Membership", row.created_at, modified)
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("Membership"),
            "person": ctx.url(body_member_path(row.pk)),
            "organization": ctx.url(advisory_path(row.body_id)),
            "role": str(BodyRole(row.role).label),
            "votingRight": True,
            "startDate": day(row.started_on),
            "endDate": day(row.ended_on),
            "created": moment(row.created_at),
            "modified": moment(modified),
            f"{VENDOR}:role": row.role,
        }
    )


def body_member(ctx: Ctx, row: BodyMember) -> Obj:
    path = body_member_path(row.pk)
    if row.deleted or row.body.deleted:
        return deleted(ctx, path, "Person", row.created_at, _modified(row))
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("Person"),
        "body": ctx.url(body_path(row.body.collectivity)),
        "name": text(row.name_ar, row.name_fr),
        "status": [str(BodyRole(row.role).label)],
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        f"{VENDOR}:organisation": row.organisation,
        f"{VENDOR}:fr": _fr(name=row.name_fr),
    }
    if not ctx.omit_internal:
        obj["membership"] = [advisory_membership(ctx, row)]
    return _clean(obj)


# ------------------------------------------------------------------ files


def _download(ctx: Ctx, path: str) -> dict[str, str]:
    url = ctx.url(f"{path}/download")
    return {"accessUrl": url, "downloadUrl": url}


def session_gone(row: Session) -> bool:
    return row.deleted or row.term.deleted


def document_gone(row: Document) -> bool:
    return row.deleted or session_gone(row.session) or (row.item is not None and row.item.deleted)


def body_document_gone(row: BodyDocument) -> bool:
    return (
        row.deleted
        or row.body.deleted
        or (row.meeting is not None and row.meeting.deleted)
        or (row.referral is not None and row.referral.deleted)
    )


def minutes_gone(row: Minutes) -> bool:
    return row.deleted or session_gone(row.session)


def document(ctx: Ctx, row: Document) -> Obj:
    path = file_path("council", row.pk)
    if document_gone(row):
        return deleted(ctx, path, "File", row.created_at, _modified(row))
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("File"),
            "name": row.title,
            "fileName": row.name,
            "mimeType": row.content_type,
            "date": day(timezone.localdate(row.created_at)),
            "size": row.size,
            **_download(ctx, path),
            "meeting": [ctx.url(session_path(row.session_id))],
            "agendaItem": [ctx.url(item_path(row.item_id))] if row.item_id else None,
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:kind": row.kind,
            f"{VENDOR}:sha256": row.sha256,
        }
    )


def body_document(ctx: Ctx, row: BodyDocument) -> Obj:
    path = file_path("advisory", row.pk)
    if body_document_gone(row):
        return deleted(ctx, path, "File", row.created_at, _modified(row))
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("File"),
            "name": row.title,
            "fileName": row.name,
            "mimeType": row.content_type,
            "date": day(timezone.localdate(row.created_at)),
            "size": row.size,
            **_download(ctx, path),
            "meeting": [ctx.url(body_meeting_path(row.meeting_id))] if row.meeting_id else None,
            "paper": [ctx.url(paper_path(row.referral_id))] if row.referral_id else None,
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:kind": row.kind,
            f"{VENDOR}:year": row.year,
            f"{VENDOR}:sha256": row.sha256,
        }
    )


def minutes_file_name(row: Minutes) -> str:
    return f"minutes-{row.session_id}.pdf"


def signed_minutes(ctx: Ctx, row: Minutes) -> Obj:
    path = file_path("minutes", row.pk)
    if minutes_gone(row):
        return deleted(ctx, path, "File", row.created_at, _modified(row))
    try:
        size: int | None = row.signed_pdf.size
    except OSError:  # the file is missing from storage: say nothing of its size
        size = None
    return _clean(
        {
            "id": ctx.url(path),
            "type": kind_of("File"),
            "name": gettext("Signed minutes"),
            "fileName": minutes_file_name(row),
            "mimeType": "application/pdf",
            "date": day(timezone.localdate(row.signed_at)) if row.signed_at else None,
            "size": size,
            **_download(ctx, path),
            "meeting": [ctx.url(session_path(row.session_id))],
            "created": moment(row.created_at),
            "modified": moment(_modified(row)),
            f"{VENDOR}:kind": "signed_minutes",
            f"{VENDOR}:sha256": row.signed_sha256,
        }
    )


# ------------------------------------------------------------------ meetings


def session_location(ctx: Ctx, row: Session) -> Obj:
    path = f"location/council/{row.pk}"
    modified = _latest_of(row.modified_at, row.term.modified_at)
    if session_gone(row):
        return deleted(ctx, path, "Location", row.created_at, modified)
    return {
        "id": ctx.url(path),
        "type": kind_of("Location"),
        "description": row.place,
        "bodies": [ctx.url(body_path(row.collectivity))],
        "meetings": [ctx.url(session_path(row.pk))],
        "created": moment(row.created_at),
        "modified": moment(modified),
    }


def body_meeting_location(ctx: Ctx, row: BodyMeeting) -> Obj:
    path = f"location/advisory/{row.pk}"
    modified = _latest_of(row.modified_at, row.body.modified_at)
    if row.deleted or row.body.deleted:
        return deleted(ctx, path, "Location", row.created_at, modified)
    return {
        "id": ctx.url(path),
        "type": kind_of("Location"),
        "description": row.place,
        "bodies": [ctx.url(body_path(row.body.collectivity))],
        "meetings": [ctx.url(body_meeting_path(row.pk))],
        "created": moment(row.created_at),
        "modified": moment(modified),
    }


def session_shown(row: Session) -> bool:
    """selectors.session_visible, for a session already read."""
    return row.status != SessionStatus.DRAFT and not (
        row.status == SessionStatus.CANCELLED and row.agenda_published_at is None
    )


def _web(url: str) -> str:
    """`url` if it is a web address, else "" (a `javascript:` link is never given)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _signed(row: Session) -> Minutes | None:
    found: Minutes | None = getattr(row, "minutes", None)
    if found is None or found.status != MinutesStatus.SIGNED or not found.signed_pdf:
        return None
    found_any: Any = found
    # As selectors.minutes() annotates it.
    found_any.oparl_modified = _latest_of(found.modified_at, row.modified_at, row.term.modified_at)
    return found


def session(ctx: Ctx, row: Session) -> Obj:
    path = session_path(row.pk)
    if session_gone(row):
        return deleted(ctx, path, "Meeting", row.created_at, _modified(row))
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("Meeting"),
        "name": text(row.title_ar, row.title_fr),
        "meetingState": str(SessionStatus(row.status).label),
        "cancelled": row.status == SessionStatus.CANCELLED,
        "start": moment(row.starts_at),
        "end": moment(row.ends_at) if row.ends_at else None,
        "organization": [ctx.url(council_path(row.collectivity))],
        "participant": [ctx.url(member_path(pk)) for pk in _rows(row, "present")]
        if row.status in SAT
        else None,
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        "web": public_page(ctx, row.collectivity, "council:session", row.pk),
        f"{VENDOR}:status": row.status,
        f"{VENDOR}:kind": row.kind,
        f"{VENDOR}:kindLabel": str(SessionKind(row.kind).label),
        f"{VENDOR}:reference": row.reference,
        f"{VENDOR}:convocation": row.convocation,
        f"{VENDOR}:follows": ctx.url(session_path(row.follows.pk))
        if row.follows is not None and session_shown(row.follows)
        else None,
        f"{VENDOR}:publicSitting": row.is_public,
        f"{VENDOR}:agendaPublished": moment(row.agenda_published_at)
        if row.agenda_published_at
        else None,
        f"{VENDOR}:heldOn": day(row.held_on),
        f"{VENDOR}:quorumMet": row.quorum_met,
        # A closed sitting is neither broadcast nor recorded for the public.
        f"{VENDOR}:broadcastUrl": _web(row.broadcast_url) if row.is_public else None,
        f"{VENDOR}:recordingUrl": _web(row.recording_url) if row.is_public else None,
        f"{VENDOR}:fr": _fr(name=row.title_fr),
    }
    if row.summary_published_at:
        obj[f"{VENDOR}:summary"] = text(row.summary_ar, row.summary_fr)
        obj[f"{VENDOR}:summaryPublished"] = moment(row.summary_published_at)
        obj[f"{VENDOR}:fr"] = _fr(name=row.title_fr, summary=row.summary_fr)
    if not obj["participant"]:
        del obj["participant"]
    if not ctx.omit_internal:
        if row.place:
            obj["location"] = session_location(ctx, row)
        files = _rows(row, "documents")
        agenda = next((d for d in files if d.kind == DocumentKind.AGENDA), None)
        if agenda is not None:
            obj["invitation"] = document(ctx, agenda)
        signed = _signed(row)
        if signed is not None:
            obj["resultsProtocol"] = signed_minutes(ctx, signed)
        others = [document(ctx, d) for d in files if d is not agenda]
        if others:
            obj["auxiliaryFile"] = others
        obj["agendaItem"] = [agenda_item(ctx, item) for item in _rows(row, "items")]
    return _clean(obj)


def body_meeting(ctx: Ctx, row: BodyMeeting) -> Obj:
    path = body_meeting_path(row.pk)
    if row.deleted or row.body.deleted:
        return deleted(ctx, path, "Meeting", row.created_at, _modified(row))
    name = text(row.body.name_ar, row.body.name_fr)
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("Meeting"),
        "name": gettext("Meeting of %(body)s") % {"body": name},
        "start": moment(row.starts_at),
        "organization": [ctx.url(advisory_path(row.body_id))],
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        f"{VENDOR}:minutes": row.minutes,
    }
    if not ctx.omit_internal:
        if row.place:
            obj["location"] = body_meeting_location(ctx, row)
        files = [body_document(ctx, d) for d in _rows(row, "documents")]
        if files:
            obj["auxiliaryFile"] = files
    return _clean(obj)


def _vote_counts(row: AgendaItem) -> dict[str, int]:
    return {"for": row.votes_for, "against": row.votes_against, "abstain": row.votes_abstain}


def agenda_item(ctx: Ctx, row: AgendaItem) -> Obj:
    path = item_path(row.pk)
    if row.deleted or session_gone(row.session):
        return deleted(ctx, path, "AgendaItem", row.created_at, _modified(row))
    files = _rows(row, "documents")
    decision = next((d for d in files if d.kind == DocumentKind.DECISION), None)
    opinions = _rows(row, "opinions")
    # What the sitting did is public once it sat (selectors.HELD).
    sat = row.session.status in HELD
    votes = _rows(row, "votes") if sat else []
    voted = sat and bool(row.votes_for or row.votes_against or row.votes_abstain or votes)
    web = public_page(ctx, row.session.collectivity, "council:session", row.session_id)
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("AgendaItem"),
        "meeting": ctx.url(session_path(row.session_id)),
        "number": str(row.number),
        "order": _order(row),
        "name": text(row.title_ar, row.title_fr),
        "public": True,
        "web": f"{web}#item-{row.pk}" if web else None,
        "consultation": ctx.url(f"consultation/council/{opinions[0].pk}") if opinions else None,
        "result": str(ItemResult(row.result).label) if sat and row.result else None,
        "resolutionText": text(row.decision_ar, row.decision_fr) if sat else None,
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        f"{VENDOR}:result": row.result if sat else None,
        f"{VENDOR}:description": row.description,
        f"{VENDOR}:rapporteur": ctx.url(member_path(row.rapporteur_id))
        if row.rapporteur_id
        else None,
        f"{VENDOR}:committee": ctx.url(committee_path(row.committee_id))
        if row.committee_id
        else None,
        f"{VENDOR}:committeeReport": row.committee_report,
        f"{VENDOR}:deliberation": row.deliberation if sat else None,
        f"{VENDOR}:decisionNumber": row.decision_number if sat else None,
        f"{VENDOR}:decidedAt": moment(row.decided_at) if sat and row.decided_at else None,
        f"{VENDOR}:voteCount": _vote_counts(row) if voted else None,
        f"{VENDOR}:votes": [
            {"person": ctx.url(member_path(member_id)), "vote": choice}
            for member_id, choice in votes
        ]
        or None,
        f"{VENDOR}:fr": _fr(name=row.title_fr, resolutionText=row.decision_fr if sat else ""),
    }
    if not ctx.omit_internal:
        if decision is not None:
            obj["resolutionFile"] = document(ctx, decision)
        others = [document(ctx, d) for d in files if d is not decision]
        if others:
            obj["auxiliaryFile"] = others
    return _clean(obj)


# ------------------------------------------------------------------ papers, consultations


def _referral_gone(row: Referral) -> bool:
    return row.deleted or row.body.deleted


def _item_shown(row: Referral) -> bool:
    """Whether the council considered the opinion at a published agenda item (not
    deleted: a deleted consultation is left out of its paper)."""
    item = row.agenda_item
    if item is None or not item.is_public or item.deleted or session_gone(item.session):
        return False
    return session_shown(item.session)


def advisory_consultation(ctx: Ctx, row: Referral) -> Obj:
    path = f"consultation/advisory/{row.pk}"
    modified = _latest_of(row.modified_at, row.body.modified_at)
    if _referral_gone(row):
        return deleted(ctx, path, "Consultation", row.created_at, modified)
    return {
        "id": ctx.url(path),
        "type": kind_of("Consultation"),
        "paper": ctx.url(paper_path(row.pk)),
        "organization": [ctx.url(advisory_path(row.body_id))],
        "authoritative": False,
        "role": pgettext("oparl consultation", "Opinion"),
        "created": moment(row.created_at),
        "modified": moment(modified),
    }


def council_consultation(ctx: Ctx, row: Referral) -> Obj:
    path = f"consultation/council/{row.pk}"
    item = row.agenda_item
    assert item is not None
    modified = _latest_of(
        row.modified_at,
        row.body.modified_at,
        item.modified_at,
        item.session.modified_at,
        item.session.term.modified_at,
    )
    if _referral_gone(row) or item.deleted or session_gone(item.session):
        return deleted(ctx, path, "Consultation", row.created_at, modified)
    return {
        "id": ctx.url(path),
        "type": kind_of("Consultation"),
        "paper": ctx.url(paper_path(row.pk)),
        "agendaItem": ctx.url(item_path(item.pk)),
        "meeting": ctx.url(session_path(item.session.pk)),
        "organization": [ctx.url(council_path(row.collectivity))],
        "authoritative": True,
        "role": pgettext("oparl consultation", "Deliberation of the council"),
        "created": moment(row.created_at),
        "modified": moment(modified),
    }


def _answer(row: Referral) -> Obj | None:
    if row.status != ReferralStatus.ANSWERED or not row.answer:
        return None
    return _clean(
        {
            "result": row.answer,
            "label": str(Answer(row.answer).label),
            "reasons": text(row.answer_reasons_ar, row.answer_reasons_fr),
            "date": day(row.answered_on),
            "fr": _fr(reasons=row.answer_reasons_fr),
        }
    )


def referral(ctx: Ctx, row: Referral) -> Obj:
    path = paper_path(row.pk)
    if _referral_gone(row):
        return deleted(ctx, path, "Paper", row.created_at, _modified(row))
    from_body = row.origin == Origin.SELF
    opinion_public = row.status in OPINION_PUBLIC
    originator = (
        ctx.url(advisory_path(row.body_id))
        if from_body
        else ctx.url(council_path(row.collectivity))
    )
    sitting = row.session
    obj: Obj = {
        "id": ctx.url(path),
        "type": kind_of("Paper"),
        "body": ctx.url(body_path(row.collectivity)),
        "name": text(row.subject_ar, row.subject_fr),
        "reference": row.reference,
        "date": day(row.referred_on or timezone.localdate(row.created_at)),
        "paperType": pgettext("oparl paper", "Self-initiated opinion")
        if from_body
        else pgettext("oparl paper", "Referral to an advisory body"),
        "underDirectionOf": [ctx.url(advisory_path(row.body_id))],
        "originatorOrganization": [originator],
        "created": moment(row.created_at),
        "modified": moment(_modified(row)),
        "web": public_page(ctx, row.collectivity, "advisory:referral", row.pk),
        f"{VENDOR}:status": row.status,
        f"{VENDOR}:statusLabel": str(ReferralStatus(row.status).label),
        f"{VENDOR}:origin": row.origin,
        f"{VENDOR}:question": row.question,
        f"{VENDOR}:referredAt": ctx.url(session_path(sitting.pk))
        if sitting is not None and session_shown(sitting)
        else None,
        f"{VENDOR}:opinion": text(row.opinion_ar, row.opinion_fr) if opinion_public else None,
        f"{VENDOR}:opinionAdoptedOn": day(row.adopted_on) if opinion_public else None,
        f"{VENDOR}:transmittedOn": day(row.transmitted_on),
        f"{VENDOR}:answer": _answer(row),
        f"{VENDOR}:fr": _fr(name=row.subject_fr, opinion=row.opinion_fr if opinion_public else ""),
    }
    if not ctx.omit_internal:
        files = _rows(row, "documents")
        main = next((d for d in files if d.kind == BodyDocumentKind.OPINION), None)
        if main is not None:
            obj["mainFile"] = body_document(ctx, main)
        others = [body_document(ctx, d) for d in files if d is not main]
        if others:
            obj["auxiliaryFile"] = others
        consultations = [advisory_consultation(ctx, row)]
        if _item_shown(row):
            consultations.append(council_consultation(ctx, row))
        obj["consultation"] = consultations
    return _clean(obj)
