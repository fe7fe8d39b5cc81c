"""Reads of the forum and monitoring committee, meetings, the programme's documents and
the OGP Local candidacy. Each takes the collectivity (or an object already scoped to it)
and runs a fixed number of queries, whatever the number of members, meetings or
documents.

- `body_composition`: who serves on a body, the shares of women and of civil society,
  its coordinators, members by sector, and the warnings of a forum that is not
  multi-stakeholder (OGP Local asks for government and civil society);
- `candidacy_eligibility`: the OGP Local eligibility criteria (domain.md §6), each met or
  not with its reason, on a given day (the submission's, else today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.deadlines.workdays import add_months
from infitah.lib.bounds import whole_number
from infitah.openplan.models import (
    BodyMember,
    Candidacy,
    Meeting,
    MeetingDocument,
    Programme,
    ProgrammeDocument,
    SupportLetter,
    Version,
)
from infitah.openplan.workflow import Body, Kind, MemberRole, Sector, Status
from infitah.participation.models import Gender
from infitah.territories.models import Collectivity

# Members who speak for government in a multi-stakeholder forum.
GOVERNMENT = frozenset({Sector.ELECTED, Sector.ADMINISTRATION})
# Sectors in the order the pages list them.
SECTOR_ORDER = {sector: rank for rank, sector in enumerate(Sector.values)}
# The track record of a candidacy counts within this many months before its day.
TRACK_RECORD_MONTHS = 36


def _pk(value: object) -> int | None:
    return whole_number(value, minimum=1)


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


# --- the programme and its objects, scoped -----------------------------------------------


def programme_get(
    *, collectivity: Collectivity, pk: object, public: bool = False
) -> Programme | None:
    """A programme of `collectivity` (a public one when `public`: of a network member,
    not abandoned); None for another collectivity's, or no number."""
    number = _pk(pk)
    if number is None:
        return None
    programmes = Programme.objects.public() if public else Programme.objects.all()
    return (
        programmes.filter(collectivity=collectivity, pk=number)
        .select_related("collectivity", "inception_deadline")
        .first()
    )


def member_get(programme: Programme, pk: object) -> BodyMember | None:
    number = _pk(pk)
    if number is None:
        return None
    return (
        BodyMember.objects.filter(programme=programme, pk=number)
        .select_related("advisory_body")
        .first()
    )


def meeting_get(programme: Programme, pk: object) -> Meeting | None:
    number = _pk(pk)
    if number is None:
        return None
    return Meeting.objects.filter(programme=programme, pk=number).first()


def meeting_document_get(meeting: Meeting, pk: object) -> MeetingDocument | None:
    number = _pk(pk)
    if number is None:
        return None
    return (
        MeetingDocument.objects.filter(meeting=meeting, pk=number).select_related("meeting").first()
    )


def programme_document_get(programme: Programme, pk: object) -> ProgrammeDocument | None:
    number = _pk(pk)
    if number is None:
        return None
    return ProgrammeDocument.objects.filter(programme=programme, pk=number).first()


def programme_documents(programme: Programme) -> list[ProgrammeDocument]:
    """The programme's documents, the most recent first (one query)."""
    return list(ProgrammeDocument.objects.filter(programme=programme).order_by("-dated", "-pk"))


def meeting_query(programme: Programme) -> QuerySet[Meeting]:
    """The programme's meetings, the most recent first, each with its documents in the
    order they were shared (one query, and one for the documents of a page)."""
    documents = MeetingDocument.objects.order_by("shared_at", "pk")
    return (
        Meeting.objects.filter(programme=programme)
        .prefetch_related(Prefetch("documents", queryset=documents))
        .order_by("-starts_at", "-pk")
    )


# --- composition --------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    count: int
    percent: int


@dataclass(frozen=True)
class SectorGroup:
    sector: str
    label: str
    members: list[BodyMember]


@dataclass(frozen=True)
class Composition:
    """One body of the programme as its public page shows it, on `today`.

    `warnings`: "empty_forum" (an OGP Local plan's forum has no member yet),
    "no_civil_society", "no_government" (a body with members of one side only).
    """

    body: str
    label: str
    members: list[BodyMember]
    former: list[BodyMember]
    # Recorded with a joining day still to come.
    upcoming: list[BodyMember]
    women: Share
    civil_society: Share
    coordinators: list[BodyMember]
    sectors: list[SectorGroup]
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)


def _share(count: int, total: int) -> Share:
    """`count` of `total`, as a whole percentage rounded half up."""
    return Share(count, (200 * count + total) // (2 * total) if total else 0)


def _serving(member: BodyMember, today: dt.date) -> bool:
    joined = member.joined_on is None or member.joined_on <= today
    return joined and (member.left_on is None or member.left_on > today)


def members_of(programme: Programme) -> list[BodyMember]:
    """Every member of both bodies of the programme, with their advisory body (one
    query): for `body_composition`."""
    return list(
        BodyMember.objects.filter(programme=programme)
        .select_related("advisory_body")
        .order_by("body", "name", "pk")
    )


def body_composition(
    *,
    programme: Programme,
    body: str,
    today: dt.date,
    members: Sequence[BodyMember] | None = None,
) -> Composition:
    """Who serves on `body` ("forum" or "committee") of `programme` on `today` (joined,
    not left): their number, the shares of women and of civil society (percent of the
    serving members, with the counts), the coordinators, the members by sector (with
    their organisation or advisory body), the former members; and the warnings of a
    body that is not multi-stakeholder. `members` (from `members_of`) spares the query."""
    found = members_of(programme) if members is None else list(members)
    mine = [m for m in found if m.body == body]
    serving = [m for m in mine if _serving(m, today)]
    serving.sort(key=lambda m: (m.role != MemberRole.COORDINATOR, m.name.casefold(), m.pk))
    former = sorted(
        (m for m in mine if m.left_on is not None and m.left_on <= today),
        key=lambda m: (m.left_on, m.pk),
        reverse=True,
    )
    total = len(serving)
    civil = sum(1 for m in serving if m.sector == Sector.CIVIL_SOCIETY)
    government = sum(1 for m in serving if m.sector in GOVERNMENT)
    warnings: list[str] = []
    if total == 0:
        if body == Body.FORUM and programme.kind == Kind.OGP_LOCAL:
            warnings.append("empty_forum")
    else:
        if civil == 0:
            warnings.append("no_civil_society")
        if government == 0:
            warnings.append("no_government")
    groups: dict[str, list[BodyMember]] = {}
    for member in serving:
        groups.setdefault(member.sector, []).append(member)
    labels = dict(Sector.choices)
    return Composition(
        body=body,
        label=str(dict(Body.choices)[body]),
        members=serving,
        former=former,
        upcoming=[m for m in mine if m.joined_on is not None and m.joined_on > today],
        women=_share(sum(1 for m in serving if m.gender == Gender.FEMALE), total),
        civil_society=_share(civil, total),
        coordinators=[m for m in serving if m.role == MemberRole.COORDINATOR],
        sectors=[
            SectorGroup(sector, str(labels[sector]), groups[sector])
            for sector in sorted(groups, key=lambda s: SECTOR_ORDER.get(s, len(SECTOR_ORDER)))
        ],
        warnings=warnings,
    )


def compositions(*, programme: Programme, today: dt.date) -> list[Composition]:
    """Both bodies of `programme` (the forum, then the committee): one query."""
    members = members_of(programme)
    return [
        body_composition(programme=programme, body=body, today=today, members=members)
        for body in Body.values
    ]


# --- the OGP Local candidacy ------------------------------------------------------------


def _candidacies(collectivity: Collectivity) -> QuerySet[Candidacy]:
    letters = SupportLetter.objects.order_by("-is_from_head", "received_on", "pk")
    return (
        Candidacy.objects.filter(collectivity=collectivity)
        .select_related("collectivity", "programme", "track_record_programme")
        .prefetch_related(Prefetch("letters", queryset=letters))
    )


def candidacy_list(*, collectivity: Collectivity) -> list[Candidacy]:
    """The collectivity's candidacies, the latest first, with their letters."""
    return list(_candidacies(collectivity).order_by("-created_at", "-pk"))


def candidacy_get(
    *, collectivity: Collectivity, pk: object, public: bool = False
) -> Candidacy | None:
    """A candidacy of `collectivity` with its letters (a submitted one when `public`:
    a candidacy in preparation is the focal point's work)."""
    number = _pk(pk)
    if number is None:
        return None
    found = _candidacies(collectivity).filter(pk=number)
    if public:
        found = found.filter(submitted_on__isnull=False, collectivity__is_network_member=True)
    return found.first()


def letter_get(candidacy: Candidacy, pk: object) -> SupportLetter | None:
    number = _pk(pk)
    if number is None:
        return None
    return SupportLetter.objects.filter(candidacy=candidacy, pk=number).first()


def candidacy_plans(*, collectivity: Collectivity) -> QuerySet[Programme]:
    """The collectivity's OGP Local action plans, to link to an accepted candidacy."""
    return Programme.objects.filter(collectivity=collectivity, kind=Kind.OGP_LOCAL).order_by(
        "-starts_on", "-pk"
    )


def candidacy_earlier(*, collectivity: Collectivity) -> QuerySet[Programme]:
    """The collectivity's programmes that may show a track record (not abandoned)."""
    return (
        Programme.objects.filter(collectivity=collectivity)
        .exclude(status=Status.ABANDONED)
        .order_by("-starts_on", "-pk")
    )


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion: `is_met` True or False when the platform checks it,
    None when it is shown as declared (ambition)."""

    key: str
    label: str
    is_met: bool | None
    reason: str


@dataclass(frozen=True)
class Eligibility:
    on: dt.date
    criteria: list[Criterion]
    months_left: int

    @property
    def is_eligible(self) -> bool:
        return all(c.is_met is not False for c in self.criteria)


def whole_months(start: dt.date, end: dt.date) -> int:
    """The whole months from `start` to `end` (0 when `end` is not after `start`): the
    largest n with start + n months ≤ end (the day clamped to a shorter month)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def _head_letter(candidacy: Candidacy) -> Criterion:
    label = _("A letter of support from the head of the collectivity")
    letter = next((x for x in candidacy.letters.all() if x.is_from_head), None)
    if letter is None:
        return Criterion(
            "head_letter",
            label,
            False,
            _("No letter of support from the head of the collectivity is attached."),
        )
    reason = _("Letter of %(author)s, received on %(date)s.") % {
        "author": letter.author,
        "date": _day(letter.received_on),
    }
    return Criterion("head_letter", label, True, reason)


def _adopted_on(programme: Programme) -> dt.date | None:
    first = Version.objects.filter(programme=programme).order_by("number").first()
    return first.adopted_on if first is not None else None


def _track_record(candidacy: Candidacy, on: dt.date) -> Criterion:
    label = _("A co-creation or open-government reform in the past 3 years")
    earlier = candidacy.track_record_programme
    if earlier is None:
        if candidacy.track_record.strip():
            return Criterion(
                "track_record",
                label,
                True,
                _(
                    "As described in the candidacy (no earlier programme of the platform is linked)."
                ),
            )
        return Criterion("track_record", label, False, _("No track record is described."))
    since = add_months(on, -TRACK_RECORD_MONTHS)
    adopted = _adopted_on(earlier)
    ran = earlier.starts_on <= on and earlier.ends_on >= since
    is_met = ran or (adopted is not None and since <= adopted <= on)
    values = {
        "title": earlier.title,
        "start": _day(earlier.starts_on),
        "end": _day(earlier.ends_on),
        "since": _day(since),
        "date": _day(on),
    }
    if is_met:
        reason = _(
            "The programme “%(title)s” (%(start)s – %(end)s) falls within the 3 years from "
            "%(since)s to %(date)s."
        )
    else:
        reason = _(
            "The programme “%(title)s” (%(start)s – %(end)s) does not fall within the 3 years "
            "from %(since)s to %(date)s."
        )
    return Criterion("track_record", label, is_met, reason % values)


def _term(candidacy: Candidacy, on: dt.date) -> tuple[Criterion, int]:
    minimum = int(settings.INFITAH_OGP_MIN_TERM_MONTHS)
    label = _("At least %(min)d months left in the council's term") % {"min": minimum}
    left = whole_months(on, candidacy.term_ends_on)
    values = {
        "left": left,
        "min": minimum,
        "date": _day(on),
        "end": _day(candidacy.term_ends_on),
    }
    if left >= minimum:
        reason = _("Whole months left on %(date)s: %(left)d (the term ends on %(end)s).")
    else:
        reason = _(
            "Whole months left on %(date)s: %(left)d, fewer than %(min)d (the term ends on "
            "%(end)s)."
        )
    return Criterion("term", label, left >= minimum, reason % values), left


def candidacy_eligibility(*, candidacy: Candidacy, on: dt.date) -> Eligibility:
    """The OGP Local eligibility criteria of `candidacy` on `on` (its submission day,
    else today), each met or not with its reason:

    - a letter of support from the head of the collectivity (`is_from_head`);
    - a co-creation or open-government reform track record in the past 3 years: the
      earlier programme linked, if any, ran or was adopted within the 3 years before
      `on` (inclusive); without one, the track record as described;
    - at least `INFITAH_OGP_MIN_TERM_MONTHS` (16) whole months left in the council's term
      on `on`;
    - the ambition, shown as declared (not checked).

    Reads the letters prefetched by `candidacy_get` / `candidacy_list`; one query for
    the earlier programme's adoption.
    """
    term, left = _term(candidacy, on)
    ambition = candidacy.ambition.strip()
    criteria = [
        _head_letter(candidacy),
        _track_record(candidacy, on),
        term,
        Criterion(
            "ambition",
            _("Demonstrated ambition, capacity and resources"),
            None,
            _("As declared in the candidacy.") if ambition else _("Not described."),
        ),
    ]
    return Eligibility(on=on, criteria=criteria, months_left=left)
