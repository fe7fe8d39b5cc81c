"""The forum pages end to end through the test client: the public page (both bodies
with their shares and warnings, meetings with documents shared before or late and
minutes, the programme's documents), the files with safe headers, in Arabic and
French; the staff page and its forms for the focal point and for the monitoring body;
tenancy on every staff URL (GET and POST); bad input; size and constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import Membership, Role, User
from infitah.advisory.models import Body as AdvisoryBody
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.openplan.models import (
    BodyMember,
    Meeting,
    MeetingDocument,
    Programme,
    ProgrammeDocument,
)
from infitah.openplan.services import core
from infitah.openplan.services import forum as services
from infitah.openplan.staff_forum_urls import urlpatterns
from infitah.openplan.tests.conftest import PDF, PNG, PROGRAMME_DATA, pdf_file
from infitah.openplan.workflow import Body, Kind, Sector, Status
from infitah.participation.models import Gender
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
# A public page stays under this size (bytes) for a forum of a real size.
MAX_PAGE = 30 * 1024


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _public(programme: Programme, lang: str = "fr", path: str = "forum/") -> str:
    return f"/{lang}/c/{programme.collectivity.slug}/programmes/{programme.pk}/{path}"


def _staff(programme: Programme, lang: str = "fr", path: str = "") -> str:
    return f"/{lang}/staff/{programme.collectivity.slug}/programmes/{programme.pk}/forum/{path}"


@pytest.fixture
def ogp(collectivity_a: Collectivity, focal_point: User) -> Programme:
    return core.programme_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data={**PROGRAMME_DATA, "kind": Kind.OGP_LOCAL, "independent_monitor": "ATIL"},
    )


@pytest.fixture
def world(ogp: Programme, focal_point: User, collectivity_a: Collectivity) -> dict[str, Any]:
    """A forum of three members (a coordinator, an elected member, an advisory
    delegate), a committee member, a past meeting with a document shared in time, one
    shared late and minutes, a coming meeting, and the plan as submitted."""
    equity = AdvisoryBody.objects.create(
        collectivity=collectivity_a, kind="equity", name_ar="هيئة المساواة", name_fr="Équité"
    )

    def add(**data: Any) -> BodyMember:
        return services.member_save(
            programme=ogp,
            actor=focal_point,
            data={"body": Body.FORUM, "gender": Gender.FEMALE, **data},
        )

    add(
        name="Souad El Idrissi",
        sector=Sector.CIVIL_SOCIETY,
        organisation="Association Initiatives",
        role="coordinator",
    )
    add(name="Ahmed Benali", sector=Sector.ELECTED, gender=Gender.MALE)
    add(name="Fatima Zahra", sector=Sector.ADVISORY, advisory_body=equity.pk)
    add(body=Body.COMMITTEE, name="Karim Naji", sector=Sector.ADMINISTRATION)
    start = timezone.now() - dt.timedelta(days=10)
    with time_machine.travel(start - dt.timedelta(days=7)):
        past = services.meeting_save(
            programme=ogp,
            actor=focal_point,
            data={"body": Body.FORUM, "title_fr": "Atelier de lancement", "starts_at": start},
        )
        services.meeting_document_add(
            meeting=past,
            actor=focal_point,
            kind="preparatory",
            title="Note de cadrage",
            file=pdf_file(),
        )
    late = services.meeting_document_add(
        meeting=past, actor=focal_point, kind="preparatory", title="Annexe tardive", file=pdf_file()
    )
    minutes = services.meeting_document_add(
        meeting=past, actor=focal_point, kind="minutes", title="Procès-verbal", file=pdf_file()
    )
    services.meeting_save(
        programme=ogp,
        actor=focal_point,
        data={
            "body": Body.FORUM,
            "title_fr": "Atelier de lancement",
            "starts_at": start,
            "summary_fr": "Le forum a retenu quatre axes.",
        },
        meeting=past,
    )
    coming = services.meeting_save(
        programme=ogp,
        actor=focal_point,
        data={
            "body": Body.COMMITTEE,
            "title_ar": "اجتماع لجنة التتبع",
            "starts_at": timezone.now() + dt.timedelta(days=5),
            "online_url": "https://meet.example.org/suivi",
        },
    )
    services.programme_submit(
        programme=ogp, actor=focal_point, submitted_on=timezone.localdate(), document=pdf_file()
    )
    return {"past": past, "late": late, "minutes": minutes, "coming": coming, "equity": equity}


# --- public ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_public_forum_page(lang: str, ogp: Programme, world: dict[str, Any]) -> None:
    response = _client().get(_public(ogp, lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html and ('dir="rtl"' in html) == (lang == "ar")
    assert len(response.content) <= MAX_PAGE
    for name in ("Souad El Idrissi", "Ahmed Benali", "Fatima Zahra", "Karim Naji"):
        assert name in html
    assert "Association Initiatives" in html
    with translation.override(lang):
        # Two women of three; one civil-society member of three.
        assert (
            escape(translation.gettext("%(p)s%% (%(n)s of %(t)s)") % {"p": 67, "n": 2, "t": 3})
            in html
        )
        assert (
            escape(translation.gettext("%(p)s%% (%(n)s of %(t)s)") % {"p": 33, "n": 1, "t": 3})
            in html
        )
        # The committee (administration only) has no civil-society member.
        warning = translation.gettext(
            "OGP Local asks for a multi-stakeholder forum: this body has no civil-society member."
        )
        assert escape(warning) in html
        assert escape(translation.gettext("Shared late")) in html
    assert world["equity"].name in html
    past, coming = world["past"], world["coming"]
    docs = re.findall(rf"/programmes/{ogp.pk}/meetings/(\d+)/documents/(\d+)/", html)
    assert {(int(m), int(d)) for m, d in docs} == {
        (past.pk, d.pk) for d in MeetingDocument.objects.filter(meeting=past)
    }
    assert f'id="meeting-{coming.pk}"' in html and "https://meet.example.org/suivi" in html
    assert "Le forum a retenu quatre axes." in html or lang == "ar"
    plan = ProgrammeDocument.objects.get()
    assert f"/programmes/{ogp.pk}/documents/{plan.pk}/" in html
    assert f'datetime="{ogp.inception_due.isoformat()}"' in html  # type: ignore[union-attr]
    assert "/staff/" not in html


def test_the_files_are_served_as_attachments(ogp: Programme, world: dict[str, Any]) -> None:
    late = world["late"]
    response = _client().get(_public(ogp, path=f"meetings/{late.meeting_id}/documents/{late.pk}/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="preuve.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    plan = ProgrammeDocument.objects.get()
    response = _client().get(_public(ogp, path=f"documents/{plan.pk}/"))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    # A document asked under another meeting or another programme is not found.
    coming = world["coming"]
    assert (
        _client().get(_public(ogp, path=f"meetings/{coming.pk}/documents/{late.pk}/")).status_code
        == 404
    )


def test_public_pages_404(
    ogp: Programme,
    world: dict[str, Any],
    collectivity_b: Collectivity,
    charlie: User,
    focal_point: User,
) -> None:
    client = _client()
    huge = "99999999999999999999"
    other = Programme.objects.create(
        collectivity=collectivity_b,
        kind=Kind.OGP_LOCAL,
        title_fr="Plan de B",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2028, 1, 1),
    )
    assert client.get(_public(other)).status_code == 404  # B is not a network member
    assert client.get(f"/fr/c/commune-a/programmes/{other.pk}/forum/").status_code == 404
    assert client.get(f"/fr/c/commune-a/programmes/{huge}/forum/").status_code == 404
    plan = ProgrammeDocument.objects.get()
    assert (
        client.get(f"/fr/c/commune-b/programmes/{ogp.pk}/documents/{plan.pk}/").status_code == 404
    )
    assert client.get(_public(ogp, path=f"documents/{huge}/")).status_code == 404
    assert client.get(_public(ogp, path="forum/?page=abc")).status_code == 200
    Programme.objects.filter(pk=ogp.pk).update(status=Status.ABANDONED)
    cache.clear()
    assert client.get(_public(ogp)).status_code == 404
    assert client.get(_public(ogp, path=f"documents/{plan.pk}/")).status_code == 404


# --- staff ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_focal_point_keeps_the_forum(
    lang: str, ogp: Programme, focal_point: User, collectivity_a: Collectivity
) -> None:
    client = _client(focal_point)
    url = _staff(ogp, lang)
    html = client.get(url).content.decode()
    assert f'lang="{lang}"' in html
    for action in ("members/add/", "meetings/add/", "documents/add/", "submit/"):
        assert f'action="{url}{action}"' in html
    assert "inception/" not in html and 'enctype="multipart/form-data"' in html

    bad = client.post(f"{url}members/add/", {"body": "forum", "name": "", "sector": "x"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert not BodyMember.objects.exists()
    response = client.post(
        f"{url}members/add/",
        {"body": "forum", "name": "Souad", "sector": "civil_society", "gender": "female"},
    )
    assert response.status_code == 302 and response["Location"] == url
    seat = BodyMember.objects.get()
    assert client.get(f"{url}members/{seat.pk}/").status_code == 200
    response = client.post(
        f"{url}members/{seat.pk}/",
        {"body": "forum", "name": "Souad E.", "sector": "civil_society", "gender": "female"},
    )
    assert response.status_code == 302
    assert client.post(f"{url}members/{seat.pk}/end/", {"left_on": "2099-01-01"}).status_code == 400
    response = client.post(
        f"{url}members/{seat.pk}/end/", {"left_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.name == "Souad E." and seat.left_on == timezone.localdate()
    assert client.post(f"{url}members/{seat.pk}/delete/").status_code == 302
    assert not BodyMember.objects.exists()

    when = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(f"{url}meetings/add/", {"body": "forum", "starts_at": "x"}).status_code == 400
    )
    response = client.post(
        f"{url}meetings/add/", {"body": "forum", "title_ar": "اجتماع", "starts_at": when}
    )
    assert response.status_code == 302
    held = Meeting.objects.get()
    response = client.post(
        f"{url}meetings/{held.pk}/documents/add/",
        {"kind": "preparatory", "title": "وثيقة", "file": pdf_file()},
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    assert document.is_shared_before
    response = client.post(
        f"{url}meetings/{held.pk}/documents/add/",
        {"kind": "minutes", "title": "محضر", "file": pdf_file()},
    )
    assert response.status_code == 400 and MeetingDocument.objects.count() == 1
    staff_file = client.get(f"{url}meetings/{held.pk}/documents/{document.pk}/")
    assert staff_file.status_code == 200 and staff_file["X-Content-Type-Options"] == "nosniff"
    assert staff_file["Cache-Control"] == "no-store, private"
    html = client.get(url).content.decode()
    assert f"{url}meetings/{held.pk}/documents/{document.pk}/delete/" in html
    assert f"{url}meetings/{held.pk}/delete/" not in html  # it has a document
    assert client.post(f"{url}meetings/{held.pk}/delete/").status_code == 400
    response = client.post(f"{url}meetings/{held.pk}/documents/{document.pk}/delete/")
    assert response.status_code == 302 and not MeetingDocument.objects.exists()
    response = client.post(
        f"{url}meetings/{held.pk}/",
        {"body": "committee", "title_fr": "Réunion", "starts_at": when},
    )
    assert response.status_code == 302
    assert client.post(f"{url}meetings/{held.pk}/delete/").status_code == 302
    assert not Meeting.objects.exists()

    response = client.post(
        f"{url}documents/add/",
        {"kind": "final", "title": "تقييم", "dated": "2026-01-01", "file": pdf_file()},
    )
    assert response.status_code == 400  # not one of the focal point's kinds
    response = client.post(
        f"{url}documents/add/",
        {"kind": "other", "title": "ميثاق المنتدى", "dated": "2026-01-01", "file": pdf_file()},
    )
    assert response.status_code == 302
    charter = ProgrammeDocument.objects.get()
    assert client.post(f"{url}documents/{charter.pk}/delete/").status_code == 302
    assert not ProgrammeDocument.objects.exists()

    response = client.post(f"{url}submit/", {"submitted_on": "2099-01-01"})
    assert response.status_code == 400 and not Deadline.objects.exists()
    response = client.post(
        f"{url}submit/", {"submitted_on": timezone.localdate().isoformat(), "file": pdf_file()}
    )
    assert response.status_code == 302
    assert Deadline.objects.get().limit.code == "openplan.inception"
    assert f'action="{url}submit/"' not in client.get(url).content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_the_monitoring_body_records_the_inception_assessment(
    lang: str, ogp: Programme, focal_point: User, monitor: User
) -> None:
    services.programme_submit(programme=ogp, actor=focal_point, submitted_on=timezone.localdate())
    client = _client(monitor)
    url = _staff(ogp, lang)
    html = client.get(url).content.decode()
    assert f'action="{url}inception/"' in html and f'action="{url}documents/add/"' in html
    assert "members/add/" not in html and "submit/" not in html
    assert client.post(f"{url}members/add/", {"name": "x"}).status_code == 404
    bad = client.post(
        f"{url}inception/",
        {"title": "تقييم", "dated": "2026-01-01", "file": SimpleUploadedFile("rapport.pdf", PNG)},
    )
    assert bad.status_code == 400 and not ProgrammeDocument.objects.exists()
    response = client.post(
        f"{url}inception/",
        {"title": "تقرير التقييم الأولي", "dated": "2026-01-01", "file": pdf_file()},
    )
    assert response.status_code == 302
    assert Deadline.objects.get().status == DeadlineStatus.MET
    assert ProgrammeDocument.objects.get().kind == "inception"


def test_a_refused_transition_is_shown_above_the_form(
    ogp: Programme, focal_point: User, monitor: User
) -> None:
    Programme.objects.filter(pk=ogp.pk).update(status=Status.CLOSED)
    response = _client(monitor).post(
        _staff(ogp, path="inception/"), {"title": "و", "dated": "2026-01-01", "file": pdf_file()}
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not ProgrammeDocument.objects.exists()


def _every_url(ogp: Programme, world: dict[str, Any]) -> list[tuple[str, str]]:
    slug = ogp.collectivity.slug
    past = world["past"]
    document = MeetingDocument.objects.filter(meeting=past).first()
    member = BodyMember.objects.first()
    plan = ProgrammeDocument.objects.first()
    assert document is not None and member is not None and plan is not None
    values = {
        "pk": ogp.pk,
        "member": member.pk,
        "meeting": past.pk,
        "doc": document.pk,
    }
    urls = []
    for pattern in urlpatterns:
        name = str(pattern.name)
        if name.startswith("candidacy"):
            continue
        kwargs = {"slug": slug, **{k: values[k] for k in pattern.pattern.converters}}
        if name in ("forum-document", "forum-document-delete"):
            kwargs["doc"] = plan.pk
        with translation.override("fr"):
            urls.append((name, reverse(f"openplan-staff:{name}", kwargs=kwargs)))
    assert all(url.startswith("/fr/staff/") for _name, url in urls)
    return urls


def test_outsiders_get_404_on_every_forum_staff_url(
    ogp: Programme,
    world: dict[str, Any],
    charlie: User,
    citizen: User,
    network_admin: User,
    staff_for: Callable[[str], User],
) -> None:
    urls = _every_url(ogp, world)
    assert len(urls) == sum(1 for p in urlpatterns if not str(p.name).startswith("candidacy"))
    outsiders = [charlie, citizen, network_admin, staff_for(Role.PUBLICATION_EDITOR)]
    before = (BodyMember.objects.count(), Meeting.objects.count(), MeetingDocument.objects.count())
    for name, url in urls:
        for outsider in outsiders:
            client = _client(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (name, url, outsider, method)
        assert _client().get(url).status_code == 302  # anonymous: sign in
    after = (BodyMember.objects.count(), Meeting.objects.count(), MeetingDocument.objects.count())
    assert after == before


def test_the_monitor_is_404_on_the_focal_point_s_routes(
    ogp: Programme, world: dict[str, Any], monitor: User, focal_point: User
) -> None:
    either = {"forum", "forum-document-add", "forum-document", "forum-meeting-document"}
    monitor_only = {"forum-inception"}
    for name, url in _every_url(ogp, world):
        if name in either:
            continue
        other = _client(focal_point) if name in monitor_only else _client(monitor)
        assert other.get(url).status_code == 404, (name, url)
        assert other.post(url).status_code == 404, (name, url)


def test_huge_and_foreign_ids_are_404(
    ogp: Programme,
    world: dict[str, Any],
    focal_point: User,
    collectivity_a: Collectivity,
) -> None:
    client = _client(focal_point)
    huge = "99999999999999999999"
    other = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    past = world["past"]
    for path in (
        f"/fr/staff/commune-a/programmes/{huge}/forum/",
        _staff(ogp, path=f"members/{huge}/"),
        _staff(ogp, path=f"meetings/{huge}/documents/add/"),
        # A meeting of one programme asked under another.
        _staff(other, path=f"meetings/{past.pk}/"),
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        _staff(ogp, path="members/add/"),
        {"body": "forum", "name": "س", "sector": "advisory", "advisory_body": huge},
    )
    assert response.status_code == 400


# --- scale ----------------------------------------------------------------------------------


def _grow(programme: Programme, n: int) -> None:
    """`n` members of each body (every sector, some advisory delegates) and `n` meetings
    with two documents each, written with bulk_create."""
    equity = AdvisoryBody.objects.create(
        collectivity=programme.collectivity, kind="equity", name_ar="هيئة"
    )
    sectors = list(Sector)
    BodyMember.objects.bulk_create(
        BodyMember(
            programme=programme,
            body=body,
            name=f"عضو {body} {i}",
            gender=Gender.FEMALE if i % 2 else Gender.MALE,
            sector=sectors[i % len(sectors)],
            advisory_body=equity if sectors[i % len(sectors)] == Sector.ADVISORY else None,
            organisation="جمعية" if i % 3 else "",
            role="coordinator" if i < 2 else "member",
            left_on=dt.date(2025, 1, 1) if i % 9 == 8 else None,
        )
        for body in Body.values
        for i in range(n)
    )
    now = timezone.now()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            programme=programme,
            body=Body.values[i % 2],
            title_ar=f"اجتماع {i}",
            starts_at=now + dt.timedelta(days=i - n // 2),
            summary_ar="ملخص" if i < n // 2 else "",
        )
        for i in range(n)
    )
    MeetingDocument.objects.bulk_create(
        MeetingDocument(
            meeting=m,
            kind=kind,
            title=f"وثيقة {m.pk}",
            file="openplan/x.pdf",
            name="x.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            shared_at=m.starts_at - dt.timedelta(days=1),
        )
        for m in meetings
        for kind in ("preparatory", "minutes")
    )
    ProgrammeDocument.objects.bulk_create(
        ProgrammeDocument(
            programme=programme,
            kind="other",
            title=f"وثيقة {i}",
            dated=dt.date(2026, 1, 1),
            file="openplan/y.pdf",
            name="y.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
        )
        for i in range(min(n, 10))
    )


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_stay_constant_from_5_to_100(
    collectivity_a: Collectivity, focal_point: User, monitor: User, prefecture: Collectivity
) -> None:
    from infitah.territories.models import Kind as CollectivityKind

    big_place = Collectivity.objects.create(
        kind=CollectivityKind.COMMUNE,
        slug="commune-grande",
        name_ar="جماعة كبيرة",
        name_fr="Grande commune",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )
    for role in (Role.FOCAL_POINT, Role.MONITOR):
        user = focal_point if role == Role.FOCAL_POINT else monitor
        Membership.objects.create(user=user, collectivity=big_place, role=role)
    small = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    big = core.programme_create(collectivity=big_place, actor=focal_point, data=PROGRAMME_DATA)
    _grow(small, 5)
    _grow(big, 100)
    clients = [_client(), _client(focal_point), _client(monitor)]
    for client in clients:
        client.get(_staff(big))  # sessions, caches warmed once
    for client in clients:
        small_url = _public(small) if client is clients[0] else _staff(small)
        big_url = _public(big) if client is clients[0] else _staff(big)
        _queries(client, small_url)
        few, many = _queries(client, small_url), _queries(client, big_url)
        assert few == many, (small_url, few, many)
    html = _client().get(_public(big)).content.decode()
    assert html.count('id="meeting-') == 10 and 'rel="next"' in html
    assert html.count('<strong dir="auto">عضو forum') == 89  # serving (11 left)


def test_a_real_size_forum_page_stays_under_30_kb(
    ogp: Programme, focal_point: User, collectivity_a: Collectivity
) -> None:
    """A 30-member forum (as Tanger-Tétouan-Al Hoceima's) and a 15-member committee, ten
    meetings with three documents each."""
    BodyMember.objects.bulk_create(
        BodyMember(
            programme=ogp,
            body=Body.FORUM if i < 30 else Body.COMMITTEE,
            name=f"Nom Prénom Membre {i}",
            gender=Gender.FEMALE if i % 2 else Gender.MALE,
            sector=Sector.CIVIL_SOCIETY if i % 2 else Sector.ELECTED,
            organisation="Association pour le développement local et la participation",
        )
        for i in range(45)
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(
            programme=ogp,
            body=Body.FORUM,
            title_fr=f"Réunion du forum multi-acteurs n° {i}",
            starts_at=timezone.now() - dt.timedelta(days=30 * i),
            place="Salle des délibérations du conseil",
            summary_fr="Le forum a examiné les propositions et retenu les engagements. " * 3,
        )
        for i in range(10)
    )
    MeetingDocument.objects.bulk_create(
        MeetingDocument(
            meeting=m,
            kind=kind,
            title="Document de la réunion",
            file="openplan/x.pdf",
            name="x.pdf",
            content_type="application/pdf",
            size=100_000,
            sha256="0" * 64,
            shared_at=m.starts_at - dt.timedelta(days=7),
        )
        for m in meetings
        for kind in ("preparatory", "preparatory", "minutes")
    )
    for lang in LANGS:
        response = _client().get(_public(ogp, lang))
        assert response.status_code == 200
        assert len(response.content) <= MAX_PAGE, (lang, len(response.content))
