"""Membership endpoints of the network API (mounted by network/api.py).

- `GET /network/members`: the network's members (active or suspended), in the order they
  joined: `{count, items: [{collectivity, kind, region, joined_on,
  focal_point_public_contact}]}`; filters `kind` (region, prefecture, province, commune)
  and `region` (a region's slug), pages with `offset` and `limit` (1 to 500).

`focal_point_public_contact` is what the member agreed to publish ({name, email, phone})
or null: never the addresses given in the application.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.lib.bounds import Count
from infitah.network import membership_selectors as selectors
from infitah.network.models import Member
from infitah.territories.models import Collectivity, Kind

router = Router(tags=["network"])

MAX_LIMIT = 500
KINDS = (Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE, Kind.COMMUNE)


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class CollectivityRef(Strict):
    slug: str
    name_ar: str
    name_fr: str


class ContactOut(Strict):
    name: str
    email: str
    phone: str


class MemberOut(Strict):
    collectivity: CollectivityRef
    kind: str
    region: CollectivityRef | None
    joined_on: dt.date | None
    focal_point_public_contact: ContactOut | None


class MemberListOut(Strict):
    count: int
    items: list[MemberOut]


class MemberQuery(Schema):
    kind: str = ""
    region: str = ""
    offset: Count = 0
    limit: Count = 100


def _ref(c: Collectivity | None) -> CollectivityRef | None:
    if c is None:
        return None
    return CollectivityRef(slug=c.slug, name_ar=c.name_ar, name_fr=c.name_fr)


def _out(c: Collectivity) -> MemberOut:
    member: Member | None = getattr(c, "network_member", None)
    contact = selectors.public_contact(member)
    ref = _ref(c)
    assert ref is not None
    return MemberOut(
        collectivity=ref,
        kind=c.kind,
        region=_ref(selectors.region_of(c)),
        joined_on=member.joined_on if member is not None else c.joined_network_on,
        focal_point_public_contact=ContactOut(**contact) if contact else None,
    )


@router.get(
    "/members",
    response={200: MemberListOut, 400: Any},
    summary="The network's members",
    description=(
        "Members (active or suspended) in the order they joined. `kind`: region, "
        "prefecture, province or commune; `region`: a region's slug (a region counts as "
        "in itself); `offset` and `limit` (1 to 500) page through them; `count` is the "
        "total. `focal_point_public_contact`: the contact the member publishes, or null."
    ),
)
def member_list(request: HttpRequest, filters: Query[MemberQuery]) -> Any:
    if filters.kind and filters.kind not in KINDS:
        raise HttpError(400, _("Unknown kind: use region, prefecture, province or commune."))
    region = None
    if filters.region:
        region = selectors.region_get(filters.region[:120])
        if region is None:
            raise HttpError(400, _("Unknown region."))
    qs = selectors.members_api_list(kind=filters.kind, region=region)
    limit = min(max(filters.limit, 1), MAX_LIMIT)
    offset = filters.offset
    return MemberListOut(count=qs.count(), items=[_out(c) for c in qs[offset : offset + limit]])
