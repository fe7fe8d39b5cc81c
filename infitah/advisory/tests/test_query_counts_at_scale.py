"""The advisory bodies' pages cost the same number of SQL queries with 10 rows as with
1,000 (issue 15): public (the bodies, a body with its members, meetings, documents and
tracker, a referral) and the secretariats' (the home, a body, a referral).

Two worlds are written with `bulk_create` (the services are tested elsewhere), one of
`SMALL` and one of `BIG`, in two network members: `n` referrals in every state (with
their clocks, some on a council agenda), `n` members, `n` meetings with their minutes,
and further bodies. Each page is drawn once in the small world (warm-up), then counted
in both; each client has drawn a short page of the big world first. Public pages are
cached for anonymous visitors: the cache is emptied before each count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.advisory import staff_views
from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyKind,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.tests.conftest import council_session
from infitah.advisory.workflow import Answer, Origin, Status
from infitah.council.models import AgendaItem
from infitah.council.tests.scale import Counter, counter, network_commune
from infitah.council.workflow import Status as SessionStatus
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SMALL = 10
BIG = 1_000
# Whatever the data, no page may cost more than this many queries.
CEILING = 40
STATES = [
    Status.REFERRED,
    Status.DRAFTING,
    Status.ADOPTED,
    Status.TRANSMITTED,
    Status.ANSWERED,
    Status.WITHDRAWN,
]
PUBLIC_OPINION = (Status.TRANSMITTED, Status.ANSWERED)


@dataclass
class World:
    collectivity: Collectivity
    n: int
    body: Body  # the equity body: n referrals, n members, n meetings
    bodies: int
    sitting: int  # members of `body` whose seat runs
    referrals: int  # of every body
    answered: Referral  # on a council agenda, with n // 10 documents
    transmitted: Referral  # awaiting the council's answer
    public_documents: int  # of `body`, on its public page

    def public(self, path: str = "") -> str:
        return f"/ar/c/{self.collectivity.slug}/advisory/{path}"

    def staff(self, path: str = "") -> str:
        return f"/ar/staff/{self.collectivity.slug}/advisory/{path}"


def _file(body: Body, kind: str, title: str, **extra: object) -> BodyDocument:
    return BodyDocument(
        body=body,
        kind=kind,
        title=title,
        file="advisory/x.pdf",
        name="x.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
        **extra,
    )


def _referral(body: Body, i: int, today: dt.date) -> Referral:
    """Referral `i` of `body`, in the state STATES[i % 6], with that state's dates."""
    status = STATES[i % len(STATES)]
    self_initiated = status == Status.DRAFTING or (i % 5 == 0 and status in PUBLIC_OPINION)
    origin = Origin.SELF if self_initiated else (Origin.COUNCIL if i % 2 else Origin.PRESIDENT)
    day = today - dt.timedelta(days=60 + i % 300)
    done = status in (Status.ADOPTED, *PUBLIC_OPINION)
    return Referral(
        collectivity=body.collectivity,
        body=body,
        status=status,
        origin=origin,
        reference=f"AV-{body.pk}-{i}",
        subject_ar=f"موضوع الإحالة {i}",
        subject_fr=f"Objet {i}",
        question="رأي الهيئة في المشروع",
        referred_on=None if self_initiated else day,
        opinion_ar="توصي الهيئة بما يلي" if done else "",
        adopted_on=day + dt.timedelta(days=20) if done else None,
        transmitted_on=day + dt.timedelta(days=25) if status in PUBLIC_OPINION else None,
        answer=Answer.PARTLY if status == Status.ANSWERED else "",
        answer_reasons_ar="أسباب الجواب" if status == Status.ANSWERED else "",
        answered_on=day + dt.timedelta(days=40) if status == Status.ANSWERED else None,
        closed_at=timezone.now() if status in (Status.ANSWERED, Status.WITHDRAWN) else None,
    )


def _clocks(referrals: list[Referral]) -> None:
    """The opinion clock of every referral from the council or its president, the answer
    clock of every transmitted opinion: met, cancelled or running (some overdue)."""
    opinion = LegalLimit.objects.get(code="advisory.opinion")
    answer = LegalLimit.objects.get(code="advisory.answer")
    rows: list[tuple[Referral, str, Deadline]] = []
    for r in referrals:
        if r.referred_on is not None:
            status = {
                Status.REFERRED: DeadlineStatus.OPEN,
                Status.WITHDRAWN: DeadlineStatus.CANCELLED,
            }.get(Status(r.status), DeadlineStatus.MET)
            rows.append((r, "opinion_deadline", _deadline(r, opinion, r.referred_on, status)))
        if r.transmitted_on is not None:
            status = DeadlineStatus.MET if r.status == Status.ANSWERED else DeadlineStatus.OPEN
            rows.append((r, "answer_deadline", _deadline(r, answer, r.transmitted_on, status)))
    Deadline.objects.bulk_create(deadline for _r, _field, deadline in rows)
    for r, field, deadline in rows:
        setattr(r, field, deadline)
    Referral.objects.bulk_update(referrals, ["opinion_deadline", "answer_deadline"], batch_size=500)


def _deadline(r: Referral, limit: LegalLimit, start: dt.date, status: str) -> Deadline:
    return Deadline(
        collectivity=r.collectivity,
        limit=limit,
        start_date=start,
        due_date=start + dt.timedelta(days=limit.duration),
        subject_type="advisory.referral",
        subject_id=str(r.pk),
        label=f"{limit.code} {r.reference}",
        status=status,
        closed_at=None if status == DeadlineStatus.OPEN else timezone.now(),
    )


def build(collectivity: Collectivity, n: int) -> World:
    """The advisory bodies of `collectivity` at the scale `n`, written with bulk_create."""
    today = timezone.localdate()
    body = Body.objects.create(
        collectivity=collectivity,
        kind=BodyKind.EQUITY,
        name_ar="هيئة المساواة وتكافؤ الفرص ومقاربة النوع",
        name_fr="Instance de l'équité",
        legal_basis="113.14 art. 120",
        established_on=dt.date(2022, 3, 1),
    )
    # Further bodies: 2 at 10 rows, 12 at 1,000; two members and a referral each.
    others = Body.objects.bulk_create(
        Body(
            collectivity=collectivity,
            kind=BodyKind.OTHER if k > 1 else [BodyKind.YOUTH, BodyKind.ECONOMIC][k],
            name_ar=f"هيئة {k}",
            name_fr=f"Instance {k}",
        )
        for k in range(max(2, n // 100 + 2))
    )

    # `n` members: the bureau first, one in seven whose seat ended, half with accounts.
    users = User.objects.bulk_create(
        User(email=f"adv{n}-{i}@{collectivity.slug}.test") for i in range(n // 2)
    )
    roles = list(BodyRole)
    members = [
        BodyMember(
            body=body,
            user=users[i] if i < len(users) else None,
            name_ar=f"عضو الهيئة {i}",
            name_fr=f"Membre {i}",
            organisation="جمعية" if i % 2 else "",
            role=roles[i] if i < len(roles) else BodyRole.MEMBER,
            started_on=dt.date(2022, 3, 1),
            ended_on=dt.date(2024, 1, 1) if i % 7 == 6 else None,
        )
        for i in range(n)
    ]
    members += [
        BodyMember(body=b, name_ar=f"عضو {k}", started_on=dt.date(2022, 3, 1))
        for b in others
        for k in range(2)
    ]
    BodyMember.objects.bulk_create(members)

    # `n` meetings with their minutes; annual reports; a document of no meeting.
    meetings = BodyMeeting.objects.bulk_create(
        BodyMeeting(
            body=body,
            starts_at=timezone.now() - dt.timedelta(days=7 * (i + 1)),
            place="قاعة الاجتماعات",
            minutes="محضر الاجتماع" if i % 2 else "",
        )
        for i in range(n)
    )
    reports = [
        _file(body, BodyDocumentKind.ANNUAL_REPORT, f"التقرير السنوي {y}", year=y)
        for y in range(2023, 2023 + max(1, n // 100))
    ]
    BodyDocument.objects.bulk_create(
        [
            *(_file(body, BodyDocumentKind.MINUTES, f"محضر {m.pk}", meeting=m) for m in meetings),
            *reports,
            _file(body, BodyDocumentKind.OTHER, "ميثاق الهيئة"),
        ]
    )

    # `n` referrals in every state, and one per further body.
    referrals = Referral.objects.bulk_create(
        [
            *(_referral(body, i, today) for i in range(n)),
            *(_referral(b, k, today) for k, b in enumerate(others)),
        ]
    )
    _clocks(referrals)
    mine = referrals[:n]
    # The opinions transmitted to the council are on the agenda of a sitting it held
    # (public), each considered at one item; every adopted opinion has its text.
    session = council_session(
        collectivity,
        status=SessionStatus.HELD,
        reference=f"CS-{n}",
        agenda_published_at=timezone.now() - dt.timedelta(days=30),
        held_on=today - dt.timedelta(days=10),
    )
    public = [r for r in mine if r.status in PUBLIC_OPINION]
    items = AgendaItem.objects.bulk_create(
        AgendaItem(session=session, number=k + 1, title_ar=f"رأي الهيئة {r.reference}")
        for k, r in enumerate(public)
    )
    for r, item in zip(public, items, strict=True):
        r.agenda_item = item
        r.session = session
    Referral.objects.bulk_update(public, ["agenda_item", "session"], batch_size=500)
    opinions = [r for r in mine if r.status in (Status.ADOPTED, *PUBLIC_OPINION)]
    answered = next(r for r in mine if r.status == Status.ANSWERED and r.origin != Origin.SELF)
    transmitted = next(r for r in mine if r.status == Status.TRANSMITTED)
    BodyDocument.objects.bulk_create(
        [
            *(
                _file(body, BodyDocumentKind.OPINION, f"نص الرأي {r.reference}", referral=r)
                for r in opinions
                if r.pk != answered.pk
            ),
            *(
                _file(body, BodyDocumentKind.OPINION, f"ملحق {k}", referral=answered)
                for k in range(max(1, n // 10))
            ),
        ]
    )
    public_opinions = sum(1 for r in opinions if r.status in PUBLIC_OPINION) - 1
    return World(
        collectivity=collectivity,
        n=n,
        body=body,
        bodies=1 + len(others),
        sitting=sum(1 for i in range(n) if i % 7 != 6),
        referrals=len(referrals),
        answered=answered,
        transmitted=transmitted,
        public_documents=n + len(reports) + 1 + public_opinions + max(1, n // 10),
    )


@pytest.fixture
def worlds(collectivity_a: Collectivity, prefecture: Collectivity) -> tuple[World, World]:
    return build(collectivity_a, SMALL), build(network_commune(prefecture, "commune-big"), BIG)


def compare(
    pages: dict[str, tuple[Counter, str, str]],
    record_property: Callable[[str, object], None],
) -> dict[str, str]:
    """Each page drawn once in the small world (warm-up), then counted in both; the
    counts must be equal and under CEILING. Returns {page: the big world's page}."""
    bodies: dict[str, str] = {}
    counts: dict[str, tuple[int, int]] = {}
    for name, (count, small_url, big_url) in pages.items():
        count(small_url)
        few, _small_body = count(small_url)
        many, bodies[name] = count(big_url)
        counts[name] = (few, many)
        record_property(f"queries_{name}", f"{few}/{many}")
    grown = {name: c for name, c in counts.items() if c[0] != c[1] or c[1] > CEILING}
    assert not grown, f"queries (at {SMALL}, at {BIG}) differ or exceed {CEILING}: {grown}"
    return bodies


def _ids(page: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, page))


# --------------------------------------------------------------------------- public


def test_public_pages_cost_the_same_with_1000_rows(
    worlds: tuple[World, World], record_property: Callable[[str, object], None]
) -> None:
    small, big = worlds
    client = Client()
    client.get(big.public(f"referrals/{big.transmitted.pk}/"))  # warm-up (a short page)
    count = counter(client)
    pages = {
        "public_home": (count, small.public(), big.public()),
        "public_body": (
            count,
            small.public(f"bodies/{small.body.pk}/"),
            big.public(f"bodies/{big.body.pk}/"),
        ),
        "public_referral": (
            count,
            small.public(f"referrals/{small.answered.pk}/"),
            big.public(f"referrals/{big.answered.pk}/"),
        ),
    }
    pages_drawn = compare(pages, record_property)
    base = big.public()

    home = pages_drawn["public_home"]
    assert len(_ids(home, rf"{base}bodies/(\d+)/")) == big.bodies

    # The body: its sitting members, its tracker of every referral, its meetings with
    # their minutes, its reports and the opinions transmitted.
    body = pages_drawn["public_body"]
    assert body.count("عضو الهيئة ") == big.sitting
    assert len(_ids(body, rf"{base}referrals/(\d+)/")) == BIG
    # Minutes, reports, the charter, and the texts of the opinions transmitted.
    documents = _ids(body, rf"{base}bodies/{big.body.pk}/documents/(\d+)/")
    assert len(documents) == big.public_documents

    # The referral: the opinion's documents, the council's answer at its item.
    referral = pages_drawn["public_referral"]
    links = _ids(referral, rf"{base}bodies/{big.body.pk}/documents/(\d+)/")
    assert len(links) == BIG // 10
    assert f"#item-{big.answered.agenda_item_id}" in referral


# --------------------------------------------------------------------------- staff


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_secretariat_pages_cost_the_same_with_1000_rows(
    worlds: tuple[World, World],
    staff_for: Callable[[str], User],
    charlie: User,
    record_property: Callable[[str, object], None],
) -> None:
    small, big = worlds
    advisory = staff_for(Role.ADVISORY_SECRETARY)
    council = staff_for(Role.COUNCIL_SECRETARY)
    Membership.objects.bulk_create(
        [
            Membership(user=advisory, collectivity=big.collectivity, role=Role.ADVISORY_SECRETARY),
            Membership(user=council, collectivity=big.collectivity, role=Role.COUNCIL_SECRETARY),
        ]
    )
    as_body, as_council = _logged_in(advisory), _logged_in(council)
    for client in (as_body, as_council):  # warm-up in the big world (a short page)
        client.get(big.staff(f"referrals/{big.answered.pk}/"))
    by_body, by_council = counter(as_body), counter(as_council)
    pages: dict[str, tuple[Counter, str, str]] = {}
    for who, count in (("body", by_body), ("council", by_council)):
        pages |= {
            f"staff_home_{who}": (count, small.staff("?state=all"), big.staff("?state=all")),
            f"staff_body_{who}": (
                count,
                small.staff(f"bodies/{small.body.pk}/"),
                big.staff(f"bodies/{big.body.pk}/"),
            ),
            f"staff_referral_{who}": (
                count,
                small.staff(f"referrals/{small.transmitted.pk}/"),
                big.staff(f"referrals/{big.transmitted.pk}/"),
            ),
        }
    pages_drawn = compare(pages, record_property)
    base = big.staff()

    for who in ("body", "council"):
        home = pages_drawn[f"staff_home_{who}"]
        # The referrals are paged: the first page and the pager.
        assert big.referrals > staff_views.PAGE_SIZE
        assert len(_ids(home, rf"{base}referrals/(\d+)/")) == staff_views.PAGE_SIZE
        assert 'rel="next"' in home and "?state=all&amp;page=2" in home
        body = pages_drawn[f"staff_body_{who}"]
        assert len(_ids(body, rf"{base}referrals/(\d+)/")) >= BIG
        assert body.count("عضو الهيئة ") >= BIG  # sitting and former members
    # The body's secretariat: every member's seat to edit, every document to delete.
    body = pages_drawn["staff_body_body"]
    assert len(_ids(body, rf"{base}bodies/{big.body.pk}/members/(\d+)/")) == big.sitting
    assert len(_ids(body, rf"{base}bodies/{big.body.pk}/documents/(\d+)/delete/")) > BIG
    # The council's secretariat answers the transmitted opinion (its answer form).
    assert 'name="answer"' in pages_drawn["staff_referral_council"]

    # Another collectivity's staff find none of it.
    outsider = _logged_in(charlie)
    for url in (small.staff(), small.staff(f"bodies/{small.body.pk}/")):
        assert outsider.get(url).status_code == 404
