"""The adoption page end to end (consult, adopt, amend, evaluate, close, abandon, CSV
export and import), the public files (a version's JSON, the commitments' CSV), tenancy
on every staff URL, bad input, query counts that do not grow with the commitments."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from infitah.accounts.models import Role, User
from infitah.council.models import AgendaItem
from infitah.ledger.models import Event
from infitah.openplan import exchange
from infitah.openplan.models import Commitment, Programme, Version
from infitah.openplan.services import adoption, core
from infitah.openplan.staff_adoption_urls import urlpatterns
from infitah.openplan.tests.conftest import PNG, PROGRAMME_DATA, MakeItem
from infitah.openplan.tests.test_exchange_json import bulk_world, realistic
from infitah.openplan.workflow import Status
from infitah.participation.consultations.models import Consultation
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def focal(focal_point: User) -> Client:
    return _client(focal_point)


def _page(programme: Programme, lang: str = "fr") -> str:
    return f"/{lang}/staff/{programme.collectivity.slug}/programmes/{programme.pk}/adoption/"


def _act(programme: Programme, action: str) -> str:
    return f"{_page(programme)}act/{action}/"


def _window() -> dict[str, str]:
    now = timezone.localtime()
    return {
        "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "moderation": "pre",
    }


def _close(programme: Programme) -> None:
    Consultation.objects.filter(programme=programme).update(
        opens_at=timezone.now() - dt.timedelta(days=20),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_in_co_creation(
    programme: Programme, commitment: Commitment, focal: Client, lang: str
) -> None:
    response = focal.get(_page(programme, lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    assert 'id="id_consult_opens_at"' in html
    assert 'id="id_abandon_reason"' in html
    assert 'id="id_import_file"' in html
    assert (
        reverse("openplan-staff:adoption-csv", kwargs={"slug": "commune-a", "pk": programme.pk})
        .removeprefix("/ar/")
        .removeprefix("/fr/")
        in html
    )
    assert "<table" not in html and "style=" not in html and "<script" not in html
    assert response["Cache-Control"] == "no-store, private"


def test_consult_from_the_page(programme: Programme, commitment: Commitment, focal: Client) -> None:
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for bad in ({"closes_at": "hier"}, {"closes_at": past}, {"moderation": "none"}):
        response = focal.post(_act(programme, "consult"), {**_window(), **bad})
        assert response.status_code == 400, bad
    assert not Consultation.objects.exists()
    response = focal.post(_act(programme, "consult"), _window())
    assert response.status_code == 302
    programme.refresh_from_db()
    consultation = programme.consultation
    assert consultation is not None and programme.status == Status.CONSULTING
    html = focal.get(_page(programme)).content.decode()
    for name in ("detail", "moderation", "synthesis"):
        url = reverse(
            f"consultations-staff:{name}", kwargs={"slug": "commune-a", "pk": consultation.pk}
        )
        assert url in html
    assert 'id="commitment-1"' in html
    assert focal.post(_act(programme, "consult"), _window()).status_code == 409
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize("lang", LANGS)
def test_adopt_amend_evaluate_close_from_the_page(
    programme: Programme,
    commitment: Commitment,
    focal: Client,
    make_item: MakeItem,
    lang: str,
) -> None:
    item = make_item()
    html = focal.get(_page(programme, lang)).content.decode()
    assert f'value="{item.pk}"' in html and item.session.reference in html
    for bad in ("", "99999999999999999999", "abc", str(item.pk + 1000), "1\x00"):
        assert focal.post(_act(programme, "adopt"), {"agenda_item": bad}).status_code == 400
    response = focal.post(_act(programme, "adopt"), {"agenda_item": item.pk, "note": "a\x00"})
    assert response.status_code == 400
    assert not Version.objects.exists()
    response = focal.post(_act(programme, "adopt"), {"agenda_item": item.pk, "note": "Unanimité"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == Status.ADOPTED
    html = focal.get(_page(programme, lang)).content.decode()
    version_url = reverse(
        "openplan-staff:adoption-version",
        kwargs={"slug": "commune-a", "pk": programme.pk, "number": 1},
    ).split("/", 2)[2]
    assert version_url in html
    assert 'id="id_amend_agenda_item' not in html  # no decision left to choose
    assert focal.post(_act(programme, "adopt"), {"agenda_item": item.pk}).status_code == 409
    second = make_item()
    assert focal.post(_act(programme, "amend"), {"agenda_item": second.pk}).status_code == 400
    response = focal.post(
        _act(programme, "amend"), {"agenda_item": second.pk, "note": "Jalons revus"}
    )
    assert response.status_code == 302
    assert list(programme.versions.values_list("number", flat=True)) == [1, 2]
    assert focal.post(_act(programme, "evaluate"), {"note": ""}).status_code == 302
    assert focal.post(_act(programme, "close"), {"note": "Fin"}).status_code == 302
    programme.refresh_from_db()
    assert programme.status == Status.CLOSED
    assert focal.post(_act(programme, "abandon"), {"reason": "x"}).status_code == 409
    assert focal.post(_act(programme, "fly"), {}).status_code == 404
    assert focal.get(_page(programme, lang)).status_code == 200


def test_abandon_from_the_page(programme: Programme, focal: Client) -> None:
    assert focal.post(_act(programme, "abandon"), {"reason": ""}).status_code == 400
    assert focal.post(_act(programme, "abandon"), {"reason": "x" * 20_001}).status_code == 400
    assert focal.post(_act(programme, "abandon"), {"reason": "Hors délai"}).status_code == 302
    programme.refresh_from_db()
    assert programme.status == Status.ABANDONED


def test_schedule_is_offered_to_a_user_with_the_council_permission(
    programme: Programme, commitment: Commitment, focal: Client, staff_a: User
) -> None:
    from infitah.council.models import Session, Term
    from infitah.council.workflow import SessionKind
    from infitah.council.workflow import Status as SessionStatus

    term = Term.objects.create(
        collectivity=programme.collectivity, name_ar="ولاية", start_date=dt.date(2021, 9, 20)
    )
    session = Session.objects.create(
        collectivity=programme.collectivity,
        term=term,
        kind=SessionKind.ORDINARY,
        status=SessionStatus.DRAFT,
        reference="SES-2026-3",
        title_ar="دورة",
        starts_at=timezone.now() + dt.timedelta(days=9),
    )
    assert 'id="id_schedule_session"' not in focal.get(_page(programme)).content.decode()
    assert focal.post(_act(programme, "schedule"), {"session": session.pk}).status_code == 403
    admin = _client(staff_a)
    assert 'id="id_schedule_session"' in admin.get(_page(programme)).content.decode()
    assert admin.post(_act(programme, "schedule"), {"session": "1e3"}).status_code == 400
    assert admin.post(_act(programme, "schedule"), {"session": session.pk}).status_code == 302
    assert AgendaItem.objects.filter(session=session).count() == 1


def test_import_from_the_page(programme: Programme, focal_point: User, focal: Client) -> None:
    realistic(programme, focal_point, commitments=2)
    csv_url = f"{_page(programme)}commitments.csv"
    response = focal.get(csv_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    exported = response.content
    ok = focal.post(f"{_page(programme)}import/", {"file": SimpleUploadedFile("c.csv", exported)})
    assert ok.status_code == 302
    events = Event.objects.count()
    broken = exported.replace(b"commitment,2,2", b"commitment,2,9", 1)
    response = focal.post(
        f"{_page(programme)}import/", {"file": SimpleUploadedFile("c.csv", broken)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    found = exchange.commitments_import(programme=programme, actor=focal_point, data=broken)
    line = found.errors[0].line
    with translation.override("fr"):
        assert re.search(rf"Ligne {line}\b|Line {line}\b", html)
    assert Event.objects.count() == events
    assert focal.post(f"{_page(programme)}import/", {}).status_code == 400
    png = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = focal.post(f"{_page(programme)}import/", {"file": png})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert focal.get(f"{_page(programme)}import/").status_code == 405


def test_import_is_refused_once_adopted(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    focal: Client,
    make_item: MakeItem,
) -> None:
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    exported = exchange.commitments_csv(programme).encode()
    response = focal.post(
        f"{_page(programme)}import/", {"file": SimpleUploadedFile("c.csv", exported)}
    )
    assert response.status_code == 409
    assert 'id="id_import_file"' not in focal.get(_page(programme)).content.decode()


def test_public_files(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    charlie: User,
    collectivity_b: Collectivity,
) -> None:
    version = adoption.programme_adopt(
        programme=programme, actor=focal_point, agenda_item=make_item()
    )
    base = f"/fr/c/commune-a/programmes/{programme.pk}/"
    response = Client().get(f"{base}versions/1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content == version.file.open("rb").read()
    assert json.loads(content)["id"] == programme.pk
    response = Client().get(f"{base}commitments.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == exchange.commitments_csv(programme).encode("utf-8")
    foreign = core.programme_create(collectivity=collectivity_b, actor=charlie, data=PROGRAMME_DATA)
    for url in (
        f"{base}versions/2/",
        f"{base}versions/99999999999999999999/",
        "/fr/c/commune-a/programmes/99999999999999999999/commitments.csv",
        f"/fr/c/commune-b/programmes/{foreign.pk}/commitments.csv",
        f"/fr/c/commune-a/programmes/{foreign.pk}/commitments.csv",
        f"/fr/c/nowhere/programmes/{programme.pk}/commitments.csv",
    ):
        assert Client().get(url).status_code == 404, url
    other = core.programme_create(
        collectivity=programme.collectivity, actor=focal_point, data=PROGRAMME_DATA
    )
    adoption.programme_abandon(programme=other, actor=focal_point, reason="Non")
    assert Client().get(f"/fr/c/commune-a/programmes/{other.pk}/commitments.csv").status_code == 404


def _staff_urls(programme: Programme) -> list[tuple[str, str]]:
    found = []
    for pattern in urlpatterns:
        names = set(pattern.pattern.converters)  # type: ignore[attr-defined]
        kwargs = {"slug": "commune-a", "pk": programme.pk, "number": 1, "action": "adopt"}
        args = {k: v for k, v in kwargs.items() if k in names or k == "slug"}
        with translation.override("fr"):
            found.append(
                (str(pattern.name), reverse(f"openplan-staff:{pattern.name}", kwargs=args))
            )
    return found


def test_outsiders_get_404_on_every_staff_url(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    charlie: User,
    citizen: User,
    monitor: User,
    staff_for: Callable[[str], User],
) -> None:
    item = make_item()
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    urls = _staff_urls(programme)
    assert {name for name, _ in urls} == {
        "adoption",
        "adoption-action",
        "adoption-import",
        "adoption-csv",
        "adoption-version",
    }
    focal = _client(focal_point)
    for name, url in urls:
        assert focal.get(url).status_code in (200, 405), name
    outsiders = [charlie, citizen, monitor, staff_for(Role.COUNCIL_SECRETARY)]
    for name, url in urls:
        for outsider in outsiders:
            client = _client(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"agenda_item": item.pk})
                assert response.status_code == 404, (name, url, outsider, method)
    assert Client().get(urls[0][1]).status_code == 302  # to the sign-in page
    assert Version.objects.count() == 1
    # Another collectivity's programme through A's URLs: 404.
    foreign = core.programme_create(
        collectivity=Collectivity.objects.get(slug="commune-b"),
        actor=charlie,
        data=PROGRAMME_DATA,
    )
    assert focal.get(_page(foreign).replace("commune-b", "commune-a")).status_code == 404
    assert focal.get(_page(foreign)).status_code == 404
    huge = "99999999999999999999"
    assert focal.get(f"/fr/staff/commune-a/programmes/{huge}/adoption/").status_code == 404
    assert focal.get(f"{_page(programme)}versions/{huge}/").status_code == 404


def _count(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_page_costs_the_same_queries_with_5_or_100_commitments(
    programme: Programme,
    focal_point: User,
    focal: Client,
    collectivity_a: Collectivity,
) -> None:
    big = core.programme_create(collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA)
    counts = []
    for target, n in ((programme, 5), (big, 100)):
        bulk_world(target, n)
        Commitment.objects.filter(programme=target).update(problem_fr="Un problème")
        adoption.programme_consult(
            programme=target,
            actor=focal_point,
            opens_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(days=9),
            moderation="post",
        )
        _count(focal, _page(target))  # warm-up
        queries, html = _count(focal, _page(target))
        assert html.count('id="commitment-') == n
        counts.append(queries)
    assert counts[0] == counts[1], counts
